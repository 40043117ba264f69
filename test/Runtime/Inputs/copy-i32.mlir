// Copies an i32 input to an i32 output on npu-tiny (npu-run's integer I/O).
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @copy {
    npuisa.io "i" input i32 [4] at 0x0
    npuisa.io "y" output i32 [4] at 0x40
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 4] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] i32 -> i32 signal [0]
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x0] -> dram[0x40] extents [1, 1, 1, 4] sram_strides [0, 0, 0, 1] dram_strides [0, 0, 0, 1] i32 -> i32 wait [0]
      npuisa.halt
    }
  }
}
