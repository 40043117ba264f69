// A hand-written dense layer, y = relu(x @ w + bias), in fp32 on npu-tiny:
// DMA x, w and the bias in, load the weights into the MXU, matmul into the
// accumulator, bias + relu epilogue back to SRAM, DMA y out. Serialized, run
// with npu-run, compared with numpy and timed against docs/isa.md.
// RUN: rm -rf %t && mkdir -p %t
// RUN: npu-translate --serialize-npu %s -o %t/layer.npu
// RUN: %python %test_helpers/npuisa_cases.py matmul_bias_relu %t
// RUN: npu-run %t/layer.npu --input x=%t/x.npy --input w=%t/w.npy --output y=%t/y.npy --stats-json %t/stats.json --quiet
// RUN: %python %test_helpers/npy_compare.py %t/y.npy %t/y.ref.npy --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// OUT: match: [4, 32] float32

// Cycle count by the formulas of docs/isa.md (npu-tiny: DMA latency 200,
// 64 B/cycle; MXU latency 16; VPU latency 8, 32 lanes). The dma_load queue
// streams its three transfers back to back, each completing 200 cycles
// (the latency) after its transfer:
//   x    (512 B)   0 -> 8 -> 208      (512/64, + 200)
//   w    (4096 B)  8 -> 72 -> 272     (4096/64, + 200)
//   bias (128 B)   72 -> 74 -> 274    (128/64, + 200)
// mxu_load_weights waits for w:   272 -> 320   (16 + k=32)
// mxu_matmul (fp32, rate 1/4):    320 -> 416   (16 + ceil(4/0.25) + 32 + 32)
// vpu_epilogue waits for the matmul and the bias: 416 -> 428 (8 + 4 rows * 1)
// dma_store (512 B):              428 -> 636   (8 + 200)
// Lower bound: max(4096 MACs / (32*32*0.25), 256 / 32, 5248 B / 64) = 82.
// STATS: "total_cycles": 636,
// STATS: "lower_bound_cycles": 82,
// STATS-NEXT: "bound": "dram",
// STATS: "dram_bytes": 5248,

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @dense_relu {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "w" input f32 [32, 32] at 0x1000
    npuisa.io "y" output f32 [4, 32] at 0x3000
    // bias[i] = (i - 16) / 16
    npuisa.constant at 0x2000 dense<[-1.0, -0.9375, -0.875, -0.8125, -0.75, -0.6875, -0.625, -0.5625, -0.5, -0.4375, -0.375, -0.3125, -0.25, -0.1875, -0.125, -0.0625, 0.0, 0.0625, 0.125, 0.1875, 0.25, 0.3125, 0.375, 0.4375, 0.5, 0.5625, 0.625, 0.6875, 0.75, 0.8125, 0.875, 0.9375]> : tensor<32xf32>
    npuisa.source_op 0 "fc1" kind "nn.gemm" macs 4096 vector_ops 256 min_dram_bytes 5248
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
      npuisa.dma_load dram[0x1000] -> sram[0x200] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [1] source 0
      npuisa.dma_load dram[0x2000] -> sram[0x1200] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32 signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights sram[0x200] k 32 n 32 row_stride 32 f32 wait [1] source 0
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32 wait [0] signal [3] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x1400] f32 stride 32 src0 acc[0x0] f32 stride 32 bias sram[0x1200] f32 stride 0 wait [3, 2] signal [4] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x1400] -> dram[0x3000] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [4] source 0
      npuisa.halt
    }
  }
}
