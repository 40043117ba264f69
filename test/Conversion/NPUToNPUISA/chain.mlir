// RUN: npu-opt %s --npu-lower-to-isa --npuisa-verify-sync | FileCheck %s
// RUN: npu-opt %s --npu-lower-to-isa=summary -o /dev/null 2>&1 | FileCheck %s --check-prefix=STATS

// A load -> matmul -> epilogue -> store chain. Each cross-engine dependency
// becomes one signal/wait pair on the semaphore of its engine pair, numbered
// in order of first use: dma_load -> mxu (0), mxu -> vpu (1),
// vpu -> dma_store (2). The matmul needs no wait of its own: it follows the
// weight load on its engine, which already waited for the later of the two
// loads (the dma_load queue completes in order).

// CHECK-LABEL: npuisa.program @main {
// CHECK-NEXT:    npuisa.io "x" input f32 [4, 32] at 0x10000
// CHECK-NEXT:    npuisa.io "y" output f32 [4, 32] at 0x20000
// CHECK-NEXT:    npuisa.constant at 0x30000 dense<
// CHECK-NEXT:    npuisa.source_op 0 "fc" kind "nn.matmul" macs 4096 vector_ops 128 min_dram_bytes 5120
// CHECK-NEXT:    npuisa.engine core 0 dma_load {
// CHECK-NEXT:      npuisa.dma_load dram[0x10000] -> sram[0x1000] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 source 0
// CHECK-NEXT:      npuisa.dma_load dram[0x30000] -> sram[0x2000] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
// CHECK-NEXT:      npuisa.halt
// CHECK-NEXT:    }
// CHECK-NEXT:    npuisa.engine core 0 dma_store {
// CHECK-NEXT:      npuisa.dma_store sram[0x4040] -> dram[0x20000] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [2] source 0
// CHECK-NEXT:      npuisa.halt
// CHECK-NEXT:    }
// CHECK-NEXT:    npuisa.engine core 0 mxu {
// CHECK-NEXT:      npuisa.mxu_load_weights sram[0x2000] k 32 n 32 row_stride 32 f32 wait [0] source 0
// CHECK-NEXT:      npuisa.mxu_matmul sram[0x1000] -> acc[0x100] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32 signal [1] source 0
// CHECK-NEXT:      npuisa.halt
// CHECK-NEXT:    }
// CHECK-NEXT:    npuisa.engine core 0 vpu {
// CHECK-NEXT:      npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x4040] f32 stride 32 src0 acc[0x100] f32 stride 32 wait [1] signal [2] source 0
// CHECK-NEXT:      npuisa.halt
// CHECK-NEXT:    }
// CHECK-NEXT:  }
// CHECK-NOT:   npu.

// STATS: remark: npu-lower-to-isa: instructions dma_load 3, dma_store 2, mxu 3, vpu 2; 3 semaphores, 3 waits, 0 NOPs

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %x = npu.io "x" input f32 [4, 32] at 0x10000
    %y = npu.io "y" output f32 [4, 32] at 0x20000
    %w = npu.constant "w" at 0x30000 dense<1.0> : tensor<32x32xf32>
    npu.layer "fc" kind "nn.matmul" macs 4096 vector_ops 128 min_dram_bytes 5120 {
      %xs = npu.alloc sram 512 name "x.tile" at 0x1000
      %ws = npu.alloc sram 4096 name "w.tile" at 0x2000
      %acc = npu.alloc acc 512 at 0x100
      %ys = npu.alloc sram 576 at 0x4000
      npu.dma_load %x[0x0] f32 -> %xs[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.dma_load %w[0x0] f32 -> %ws[0x0] f32 extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_load_weights %ws[0x0] k 32 n 32 row_stride 32 f32
      npu.mxu_matmul %xs[0x0] -> %acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
      npu.vpu_epilogue relu rows 4 cols 32 dst %ys[0x40] f32 stride 32 src0 %acc[0x0] f32 stride 32
      npu.dma_store %ys[0x40] f32 -> %y[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
    }
  }
}
