// y = relu(bf16(x) @ bf16(w) + bias) on npu-tiny: DMAs convert f32 -> bf16 on
// the way in, the MXU multiplies in bf16 with fp32 accumulation, the epilogue
// adds the bias and applies relu on the way out of the accumulator.
// Cycles: the dma_load queue streams x (512/64 = 8 cycles of transfer), w
// (4096/64 = 64) and bias (128/64 = 2) back to back, each completing 200
// cycles (the latency) after its transfer: bias done at 274 (w at 272);
// load_weights 16 + 32 = 48 (322); matmul 16 + 4/1 + 32 + 32 = 84 (406);
// epilogue 8 + 4 = 12 (418); dma y 8 + 200: total 626.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @matmul {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "w" input f32 [32, 32] at 0x1000
    npuisa.io "bias" input f32 [32] at 0x2000
    npuisa.io "y" output f32 [4, 32] at 0x3000
    npuisa.source_op 0 "fc" kind "nn.gemm" macs 4096 vector_ops 128 min_dram_bytes 5248
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 source 0
      npuisa.dma_load dram[0x1000] -> sram[0x1000] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 source 0
      npuisa.dma_load dram[0x2000] -> sram[0x2000] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32 signal [0] source 0
      npuisa.halt
    }
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights sram[0x1000] k 32 n 32 row_stride 32 bf16 wait [0] source 0
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x3000] f32 stride 32 src0 acc[0x0] f32 stride 32 bias sram[0x2000] f32 stride 0 wait [1] signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x3000] -> dram[0x3000] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [2] source 0
      npuisa.halt
    }
  }
}
