// RUN: npu-opt %s --npu-place-memory | FileCheck %s --check-prefixes=CHECK,RING
// RUN: npu-opt %s --npu-place-memory=ring=false | FileCheck %s --check-prefixes=CHECK,FIRST
// RUN: npu-opt %s --npu-place-memory=report -verify-diagnostics -o /dev/null
// RUN: npu-opt %s --npu-place-memory | npu-opt --npu-verify-placement -o /dev/null
// RUN: npu-opt %s --npu-place-memory=ring=false | npu-opt --npu-verify-placement -o /dev/null

// Liveness-based placement on npu-tiny: DRAM holds the inputs, outputs and
// constants first (64-byte aligned), then intermediates, each reusing the
// space of a tensor that is dead by its first use (t2 and t3 take t1's
// place). SRAM buffers live at the same time get disjoint, sram_alignment
// (64) aligned ranges. By default SRAM is used as a ring (each layer's
// buffers follow the previous layer's, so freed addresses are reused as late
// as possible); with ring=false each layer reuses SRAM from address 0. ACC
// buffers are acc_alignment (4) aligned: acc2 is placed after acc, which is
// still live (it is read again after acc2's first use).

// CHECK-LABEL: npu.program @main
// CHECK-NEXT:    npu.io "x" input f32 [4, 16] at 0x0
// CHECK-NEXT:    npu.io "y" output f32 [4, 16] at 0x100
// CHECK-NEXT:    npu.constant "w" at 0x200
// CHECK-NEXT:    npu.alloc dram 256 name "t1" at 0x300
// CHECK-NEXT:    npu.layer "first"
// CHECK-NEXT:      npu.alloc sram 200 name "a" at 0x0
// CHECK-NEXT:      npu.alloc sram 100 name "b" at 0x100
// CHECK:         npu.alloc dram 256 name "t2" at 0x300
// CHECK-NEXT:    npu.layer "second"
// RING-NEXT:       npu.alloc sram 256 name "c" at 0x180
// FIRST-NEXT:      npu.alloc sram 256 name "c" at 0x0
// CHECK:         npu.alloc dram 256 name "t3" at 0x300
// CHECK-NEXT:    npu.layer "third"
// RING-NEXT:       npu.alloc sram 256 name "d" at 0x280
// FIRST-NEXT:      npu.alloc sram 256 name "d" at 0x0
// CHECK-NEXT:      npu.alloc acc 6 name "acc" at 0x0
// CHECK-NEXT:      npu.alloc acc 8 name "acc2" at 0x8
// CHECK:         npu.layer "fourth"
// RING-NEXT:       npu.alloc sram 256 name "e" at 0x380
// FIRST-NEXT:      npu.alloc sram 256 name "e" at 0x0

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-remark @below {{npu-place-memory: most bytes live at once: sram 300, acc 14, dram 1024; highest byte used: sram 1152, acc 16, dram 1024 (13 buffers)}}
  npu.program @main {
    %x = npu.io "x" input f32 [4, 16]
    %y = npu.io "y" output f32 [4, 16]
    %w = npu.constant "w" dense<1.0> : tensor<4x16xf32>
    %t1 = npu.alloc dram 256 name "t1"
    npu.layer "first" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 512 {
      %a = npu.alloc sram 200 name "a"
      %b = npu.alloc sram 100 name "b"
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 3, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_load %w[0x0] f32 -> %b[0x0] f32 extents [1, 1, 1, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.vpu_binary add rows 3 cols 16 dst %a[0x0] f32 stride 16 src0 %a[0x0] f32 stride 16 src1 %b[0x0] f32 stride 0 broadcast row
      npu.dma_store %a[0x0] f32 -> %t1[0x0] f32 extents [1, 1, 3, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
    }
    %t2 = npu.alloc dram 256 name "t2"
    npu.layer "second" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 512 {
      %c = npu.alloc sram 256 name "c"
      npu.dma_load %t1[0x0] f32 -> %c[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.vpu_unary relu rows 4 cols 16 dst %c[0x0] f32 stride 16 src0 %c[0x0] f32 stride 16
      npu.dma_store %c[0x0] f32 -> %t2[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
    }
    %t3 = npu.alloc dram 256 name "t3"
    npu.layer "third" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 512 {
      %d = npu.alloc sram 256 name "d"
      %acc = npu.alloc acc 6 name "acc"
      %acc2 = npu.alloc acc 8 name "acc2"
      npu.dma_load %t2[0x0] f32 -> %d[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.vpu_reduce add over cols rows 1 cols 1 dst %acc[0x0] f32 stride 1 src0 %d[0x0] f32 stride 16
      npu.vpu_reduce add over cols rows 1 cols 2 dst %acc2[0x0] f32 stride 1 src0 %d[0x0] f32 stride 16
      npu.vpu_reduce max over cols rows 1 cols 1 dst %acc[0x0] f32 stride 1 src0 %d[0x0] f32 stride 16 accumulate
      npu.vpu_unary relu rows 4 cols 16 dst %d[0x0] f32 stride 16 src0 %d[0x0] f32 stride 16
      npu.dma_store %d[0x0] f32 -> %t3[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
    }
    npu.layer "fourth" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 512 {
      %e = npu.alloc sram 256 name "e"
      npu.dma_load %t3[0x0] f32 -> %e[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_store %e[0x0] f32 -> %y[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
    }
  }
}

