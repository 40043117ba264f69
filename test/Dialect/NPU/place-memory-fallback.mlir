// RUN: npu-opt %s --npu-place-memory=report -split-input-file -verify-diagnostics | FileCheck %s

// Fallbacks of npu-place-memory when a packing strategy fragments SRAM or
// the accumulator; each memory falls back on its own.

// The SRAM ring can fragment where first fit does not: after "s1" dies,
// the ring puts "long" after it, leaving 100 KiB below and 92 KiB above,
// neither enough for "big" (150 KiB). npu-place-memory then places the
// program first-fit ("long" reuses s1's address) instead of failing.

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-remark @below {{npu-place-memory: most bytes live at once: sram 219136, acc 0, dram 0; highest byte used: sram 219136, acc 0, dram 0 (3 buffers, sram first fit: the ring did not fit)}}
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
      %s1 = npu.alloc sram 102400 name "s1"
      %long = npu.alloc sram 65536 name "long"
      %big = npu.alloc sram 153600 name "big"
      npu.vpu_unary relu rows 1 cols 16 dst %s1[0x0] f32 stride 16 src0 %s1[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %long[0x0] f32 stride 16 src0 %long[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %big[0x0] f32 stride 16 src0 %big[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %long[0x0] f32 stride 16 src0 %long[0x0] f32 stride 16
    }
  }
}

// CHECK-LABEL: npu.program
// CHECK:      npu.alloc sram 102400 name "s1" at 0x0
// CHECK-NEXT: npu.alloc sram 65536 name "long" at 0x0
// CHECK-NEXT: npu.alloc sram 153600 name "big" at 0x10000

// -----

// First fit (and the ring) cannot place "big": "p" keeps [0, 128 KiB) busy
// when "s" arrives, so "s" lands in the middle and splits the space "big"
// needs once "p" is dead. Packing the largest buffers first does fit:
// "big" at 0, "p" at 0 too (they are never live together), "s" above both.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-remark @below {{npu-place-memory: most bytes live at once: sram 262144, acc 0, dram 0; highest byte used: sram 262144, acc 0, dram 0 (3 buffers, sram largest first: first fit did not fit)}}
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
      %p = npu.alloc sram 131072 name "p"
      %s = npu.alloc sram 65536 name "s"
      %big = npu.alloc sram 196608 name "big"
      npu.vpu_unary relu rows 1 cols 16 dst %p[0x0] f32 stride 16 src0 %p[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %s[0x0] f32 stride 16 src0 %p[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %big[0x0] f32 stride 16 src0 %big[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %s[0x0] f32 stride 16 src0 %s[0x0] f32 stride 16
    }
  }
}

// CHECK-LABEL: npu.program
// CHECK:      npu.alloc sram 131072 name "p" at 0x0
// CHECK-NEXT: npu.alloc sram 65536 name "s" at 0x30000
// CHECK-NEXT: npu.alloc sram 196608 name "big" at 0x0

// -----

// The accumulator falls back to first fit (the same fragmentation as the
// first case, at a quarter of the size), the SRAM keeps its ring: "s2" goes
// after "s1" instead of reusing its address, so it never waits for s1's
// last reader.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-remark @below {{npu-place-memory: most bytes live at once: sram 1024, acc 54784, dram 0; highest byte used: sram 2048, acc 54784, dram 0 (5 buffers, acc first fit: the ring did not fit)}}
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
      %s1 = npu.alloc sram 1024 name "s1"
      %a1 = npu.alloc acc 25600 name "a1"
      %long = npu.alloc acc 16384 name "long"
      %s2 = npu.alloc sram 1024 name "s2"
      %big = npu.alloc acc 38400 name "big"
      npu.vpu_unary relu rows 1 cols 16 dst %s1[0x0] f32 stride 16 src0 %a1[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %long[0x0] f32 stride 16 src0 %long[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %s2[0x0] f32 stride 16 src0 %big[0x0] f32 stride 16
      npu.vpu_unary relu rows 1 cols 16 dst %long[0x0] f32 stride 16 src0 %long[0x0] f32 stride 16
    }
  }
}

// CHECK-LABEL: npu.program
// CHECK:      npu.alloc sram 1024 name "s1" at 0x0
// CHECK-NEXT: npu.alloc acc 25600 name "a1" at 0x0
// CHECK-NEXT: npu.alloc acc 16384 name "long" at 0x0
// CHECK-NEXT: npu.alloc sram 1024 name "s2" at 0x400
// CHECK-NEXT: npu.alloc acc 38400 name "big" at 0x4000
