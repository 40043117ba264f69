// A load -> relu -> store program on npu-tiny, used by the npu-run tests.
// Cycles: dma_load 200 + 512/64 = 208, vpu_unary 8 + 4 rows x 1 group = 12,
// dma_store 208: total 428.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @relu {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "y" output f32 [4, 32] at 0x200
    npuisa.state "step" f32 [1] at 0x400
    npuisa.source_op 0 "relu" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 1024
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x200] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x200] -> dram[0x200] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [1] source 0
      npuisa.halt
    }
  }
}
