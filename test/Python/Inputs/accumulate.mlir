// A program with persistent state for the Python runtime tests: every run
// adds input x to state "acc" and writes the new sum to output y and back to
// acc, so the state carries over from one run to the next.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @accumulate {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "y" output f32 [4, 32] at 0x200
    npuisa.state "acc" f32 [4, 32] at 0x400
    npuisa.source_op 0 "add" kind "nn.add" macs 0 vector_ops 128 min_dram_bytes 2048
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0] source 0
      npuisa.dma_load dram[0x400] -> sram[0x200] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_binary add rows 4 cols 32 dst sram[0x400] f32 stride 32 src0 sram[0x0] f32 stride 32 src1 sram[0x200] f32 stride 32 broadcast none wait [0, 1] signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x400] -> dram[0x200] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [2] source 0
      npuisa.dma_store sram[0x400] -> dram[0x400] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 source 0
      npuisa.halt
    }
  }
}
