// A bf16 matmul: the DMA converts the fp32 inputs to bf16 (round to nearest
// even) on the way into SRAM, the MXU multiplies bf16 x bf16 with fp32
// accumulation, the epilogue copies the fp32 result out. The reference
// rounds the inputs to bf16 the same way and multiplies in float64.
// RUN: rm -rf %t && mkdir -p %t
// RUN: npu-translate --serialize-npu %s -o %t/mm.npu
// RUN: %python %test_helpers/npuisa_cases.py bf16_matmul %t
// RUN: npu-run %t/mm.npu --input x=%t/x.npy --input w=%t/w.npy --output y=%t/y.npy --stats-json %t/stats.json --quiet
// RUN: %python %test_helpers/npy_compare.py %t/y.npy %t/y.ref.npy --rtol 1e-5 --atol 1e-5 | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// OUT: match: [16, 32] float32

// The dma_load queue streams: x's transfer (2048 DRAM bytes, 32 cycles)
// then w's (4096 B, 64 cycles), each completing 200 cycles after it.
// dma_load x  0 -> 32 -> 232;  w 32 -> 96 -> 296
// mxu_load_weights (bf16)       296 -> 344   16 + 32
// mxu_matmul (bf16, rate 1)     344 -> 440   16 + 16 + 32 + 32
// vpu_epilogue                  440 -> 464   8 + 16 rows
// dma_store (2048 B)            464 -> 696   32 + 200
// Lower bound: max(16384 MACs / (32*32), 8192 B / 64) = 128 (dram).
// STATS: "total_cycles": 696,
// STATS: "lower_bound_cycles": 128,
// STATS: "macs": 16384,
// STATS: "c0.mxu": {
// STATS-NEXT: "instructions": 3,
// STATS-NEXT: "busy_cycles": 144,

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @bf16_matmul {
    npuisa.io "x" input f32 [16, 32] at 0x0
    npuisa.io "w" input f32 [32, 32] at 0x800
    npuisa.io "y" output f32 [16, 32] at 0x2000
    npuisa.source_op 0 "mm" kind "nn.matmul" macs 16384 vector_ops 0 min_dram_bytes 8192
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 16, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [0] source 0
      npuisa.dma_load dram[0x800] -> sram[0x400] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights sram[0x400] k 32 n 32 row_stride 32 bf16 wait [1] source 0
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 16 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 wait [0] signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_epilogue none rows 16 cols 32 dst sram[0xC00] f32 stride 32 src0 acc[0x0] f32 stride 32 wait [2] signal [3] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0xC00] -> dram[0x2000] extents [1, 1, 16, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [3] source 0
      npuisa.halt
    }
  }
}
