// RUN: npu-opt %s --split-input-file --npu-lower-to-isa --npuisa-verify-sync | FileCheck %s

// Four row tiles of x through two SRAM buffers (double buffering) and two
// accumulator buffers. The second load has no wait at all: it writes the
// other buffer, so it may run while the first tile computes. The third load
// reuses tile 0's buffer: it waits (WAR) only until the matmul that read it
// signalled (semaphore 3, mxu -> dma_load). Semaphores are numbered per
// engine pair in order of first use: 0 dma_load -> mxu, 1 mxu -> vpu,
// 2 vpu -> dma_store, 3 mxu -> dma_load, 4 vpu -> mxu (the accumulator
// buffer is free again), 5 dma_store -> vpu (the output buffer is free).

// CHECK-LABEL: npuisa.program @main
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load dram[0x10000] -> sram[0x0] {{.*}} f32 -> f32 signal [0] source 0
// CHECK-NEXT:    npuisa.dma_load dram[0x10200] -> sram[0x1000] {{.*}} f32 -> f32 signal [0] source 0
// CHECK-NEXT:    npuisa.dma_load dram[0x10400] -> sram[0x0] {{.*}} f32 -> f32 wait [3] signal [0] source 0
// CHECK-NEXT:    npuisa.dma_load dram[0x10600] -> sram[0x1000] {{.*}} f32 -> f32 wait [3] signal [0] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 dma_store {
// CHECK-NEXT:    npuisa.dma_store {{.*}} wait [2] signal [5] source 0
// CHECK-NEXT:    npuisa.dma_store {{.*}} wait [2] signal [5] source 0
// CHECK-NEXT:    npuisa.dma_store {{.*}} wait [2] source 0
// CHECK-NEXT:    npuisa.dma_store {{.*}} wait [2] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 mxu {
// CHECK-NEXT:    npuisa.mxu_load_weights
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x0] -> acc[0x0] {{.*}} f32 wait [0] signal [1, 3] source 0
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x1000] -> acc[0x200] {{.*}} f32 wait [0] signal [1, 3] source 0
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x0] -> acc[0x0] {{.*}} f32 wait [0, 4] signal [1] source 0
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x1000] -> acc[0x200] {{.*}} f32 wait [0, 4] signal [1] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 vpu {
// CHECK-NEXT:    npuisa.vpu_epilogue {{.*}} wait [1] signal [2, 4] source 0
// CHECK-NEXT:    npuisa.vpu_epilogue {{.*}} wait [1] signal [2, 4] source 0
// CHECK-NEXT:    npuisa.vpu_epilogue {{.*}} wait [5, 1] signal [2] source 0
// CHECK-NEXT:    npuisa.vpu_epilogue {{.*}} wait [5, 1] signal [2] source 0
// CHECK-NEXT:    npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %x = npu.io "x" input f32 [16, 32] at 0x10000
    %y = npu.io "y" output f32 [16, 32] at 0x20000
    %w = npu.constant "w" at 0x30000 dense<0.5> : tensor<32x32xf32>
    npu.layer "fc" kind "nn.matmul" macs 16384 vector_ops 512 min_dram_bytes 8192 {
      %a0 = npu.alloc sram 512 at 0x0
      %a1 = npu.alloc sram 512 at 0x1000
      %ws = npu.alloc sram 4096 at 0x2000
      %o0 = npu.alloc sram 512 at 0x3000
      %o1 = npu.alloc sram 512 at 0x4000
      %c0 = npu.alloc acc 512 at 0x0
      %c1 = npu.alloc acc 512 at 0x200
      npu.mxu_load_weights %ws[0x0] k 32 n 32 row_stride 32 f32
      npu.dma_load %x[0x0] f32 -> %a0[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a0[0x0] -> %c0[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.vpu_epilogue none rows 4 cols 32 dst %o0[0x0] f32 stride 32 src0 %c0[0x0] f32 stride 32
      npu.dma_store %o0[0x0] f32 -> %y[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
      npu.dma_load %x[0x200] f32 -> %a1[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a1[0x0] -> %c1[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.vpu_epilogue none rows 4 cols 32 dst %o1[0x0] f32 stride 32 src0 %c1[0x0] f32 stride 32
      npu.dma_store %o1[0x0] f32 -> %y[0x200] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
      npu.dma_load %x[0x400] f32 -> %a0[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a0[0x0] -> %c0[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.vpu_epilogue none rows 4 cols 32 dst %o0[0x0] f32 stride 32 src0 %c0[0x0] f32 stride 32
      npu.dma_store %o0[0x0] f32 -> %y[0x400] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
      npu.dma_load %x[0x600] f32 -> %a1[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a1[0x0] -> %c1[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.vpu_epilogue none rows 4 cols 32 dst %o1[0x0] f32 stride 32 src0 %c1[0x0] f32 stride 32
      npu.dma_store %o1[0x0] f32 -> %y[0x600] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
    }
  }
}

// -----

// The same with one input buffer: the second load must wait (WAR) until the
// first matmul has read the buffer.

// CHECK-LABEL: npuisa.program @single
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load dram[0x10000] -> sram[0x0] {{.*}} signal [0] source 0
// CHECK-NEXT:    npuisa.dma_load dram[0x10200] -> sram[0x0] {{.*}} wait [1] signal [0] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 mxu {
// CHECK-NEXT:    npuisa.mxu_load_weights
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x0] -> acc[0x0] {{.*}} wait [0] signal [1] source 0
// CHECK-NEXT:    npuisa.mxu_matmul sram[0x0] -> acc[0x200] {{.*}} wait [0] source 0
// CHECK-NEXT:    npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @single {
    %x = npu.io "x" input f32 [8, 32] at 0x10000
    npu.layer "fc" kind "nn.matmul" macs 8192 vector_ops 0 min_dram_bytes 4096 {
      %a0 = npu.alloc sram 512 at 0x0
      %ws = npu.alloc sram 4096 at 0x2000
      %c = npu.alloc acc 1024 at 0x0
      npu.mxu_load_weights %ws[0x0] k 32 n 32 row_stride 32 f32
      npu.dma_load %x[0x0] f32 -> %a0[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a0[0x0] -> %c[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.dma_load %x[0x200] f32 -> %a0[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_matmul %a0[0x0] -> %c[0x200] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
    }
  }
}
