// RUN: npu-opt %s --split-input-file --npu-lower-to-isa --npuisa-verify-sync | FileCheck %s
// RUN: npu-opt %s --split-input-file --npu-lower-to-isa=summary -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS

// STATS: 3 semaphores, 3 waits, 1 NOPs
// STATS: 3 semaphores, 3 waits, 1 NOPs

// A VPU instruction that depends on the three other engines: it reads what
// a load wrote (RAW), reads what a matmul wrote (RAW) and overwrites what a
// store read (WAR). Its two wait slots take the last two; the first goes on
// a NOP just before it on the VPU. Pairs, numbered in engine order:
// 0 dma_load -> vpu, 1 dma_store -> vpu, 2 mxu -> vpu.

// CHECK-LABEL: npuisa.program @three_waits
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load {{.*}} signal [0] source 0
// CHECK:       npuisa.engine core 0 dma_store {
// CHECK-NEXT:    npuisa.dma_store {{.*}} signal [1] source 0
// CHECK:       npuisa.engine core 0 mxu {
// CHECK-NEXT:    npuisa.mxu_load_weights
// CHECK-NEXT:    npuisa.mxu_matmul {{.*}} signal [2] source 0
// CHECK:       npuisa.engine core 0 vpu {
// CHECK-NEXT:    npuisa.nop wait [0] source 0
// CHECK-NEXT:    npuisa.vpu_binary add {{.*}} wait [1, 2] source 0
// CHECK-NEXT:    npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @three_waits {
    %y = npu.io "y" output f32 [4, 32] at 0x10000
    %x = npu.io "x" input f32 [4, 32] at 0x20000
    npu.layer "l" kind "nn.add" macs 512 vector_ops 128 min_dram_bytes 1024 {
      %a = npu.alloc sram 512 at 0x0
      %b = npu.alloc sram 512 at 0x1000
      %ws = npu.alloc sram 4096 at 0x2000
      %c = npu.alloc acc 512 at 0x0
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_load_weights %ws[0x0] k 32 n 32 row_stride 32 f32
      npu.mxu_matmul %ws[0x0] -> %c[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.dma_store %b[0x0] f32 -> %y[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
      npu.vpu_binary add rows 4 cols 32 dst %b[0x0] f32 stride 32 src0 %a[0x0] f32 stride 32 src1 %c[0x0] f32 stride 32 broadcast none
    }
  }
}

// -----

// One load read by three engines: its two signal slots serve the first two
// consumers, a NOP right after it (which completes with it) the third.
// Pairs: 0 dma_load -> mxu, 1 dma_load -> vpu, 2 dma_load -> dma_store.

// CHECK-LABEL: npuisa.program @three_signals
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load {{.*}} signal [0, 1] source 0
// CHECK-NEXT:    npuisa.nop signal [2] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 dma_store {
// CHECK-NEXT:    npuisa.dma_store {{.*}} wait [2] source 0
// CHECK:       npuisa.engine core 0 mxu {
// CHECK-NEXT:    npuisa.mxu_load_weights {{.*}} wait [0] source 0
// CHECK:       npuisa.engine core 0 vpu {
// CHECK-NEXT:    npuisa.vpu_unary relu {{.*}} wait [1] source 0

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @three_signals {
    %x = npu.io "x" input f32 [32, 32] at 0x10000
    %y = npu.io "y" output f32 [32, 32] at 0x20000
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 1024 min_dram_bytes 8192 {
      %w = npu.alloc sram 4096 at 0x0
      %r = npu.alloc sram 4096 at 0x1000
      npu.dma_load %x[0x0] f32 -> %w[0x0] f32 extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_load_weights %w[0x0] k 32 n 32 row_stride 32 f32
      npu.vpu_unary relu rows 32 cols 32 dst %r[0x0] f32 stride 32 src0 %w[0x0] f32 stride 32
      npu.dma_store %w[0x0] f32 -> %y[0x0] f32 extents [1, 1, 32, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
    }
  }
}
