// int8 x int8 -> int32 matmul, requantized to int8 by the epilogue
// (scale 1/64, zero point 3, saturating) and dequantized back to f32 by
// vpu_cast. Checked bit-exactly against numpy.
// RUN: rm -rf %t && mkdir -p %t
// RUN: npu-translate --serialize-npu %s -o %t/q.npu
// RUN: %python %test_helpers/npuisa_cases.py int8_matmul %t
// RUN: npu-run %t/q.npu --input x=%t/x.npy --input w=%t/w.npy --output y=%t/y.npy --output z=%t/z.npy --stats-json %t/stats.json --quiet
// RUN: %python %test_helpers/npy_compare.py %t/y.npy %t/y.ref.npy | FileCheck %s --check-prefix=Y
// RUN: %python %test_helpers/npy_compare.py %t/z.npy %t/z.ref.npy | FileCheck %s --check-prefix=Z
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// Y: match: [8, 32] int8 max_abs_err=0
// Z: match: [8, 32] float32 max_abs_err=0

// A DMA queue streams its descriptors: each holds the queue for its
// transfer and completes 200 cycles (the latency) after it.
// dma_load x (256 B) 0 -> 4 -> 204, w (1024 B) 4 -> 20 -> 220
// mxu_load_weights   220 -> 268   16 + 32
// mxu_matmul (int8, rate 2) 268 -> 352   16 + ceil(8/2) + 32 + 32
// vpu_epilogue       352 -> 368   8 + 8 rows
// vpu_cast           368 -> 384   8 + 8 rows
// dma_store y (256 B) 368 -> 372 -> 572, z (1024 B) 384 -> 400 -> 600
// STATS: "total_cycles": 600,
// STATS: "macs": 8192,

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @int8_matmul {
    npuisa.io "x" input i8 [8, 32] at 0x0
    npuisa.io "w" input i8 [32, 32] at 0x100
    npuisa.io "y" output i8 [8, 32] at 0x1000
    npuisa.io "z" output f32 [8, 32] at 0x2000
    npuisa.source_op 0 "qmm" kind "nn.qlinear_matmul" macs 8192 vector_ops 512 min_dram_bytes 2560
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 8, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] i8 -> i8 signal [0] source 0
      npuisa.dma_load dram[0x100] -> sram[0x400] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] i8 -> i8 signal [1] source 0
      npuisa.halt
    }
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights sram[0x400] k 32 n 32 row_stride 32 i8 wait [1] source 0
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 8 k 32 n 32 row_stride 32 acc_row_stride 32 i8 wait [0] signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_epilogue none rows 8 cols 32 dst sram[0x800] i8 stride 32 src0 acc[0x0] i32 stride 32 scale 0.015625 zero_point 3 wait [2] signal [3] source 0
      npuisa.vpu_cast rows 8 cols 32 dst sram[0xC00] f32 stride 32 src0 sram[0x800] i8 stride 32 scale 0.015625 zero_point 3 signal [4] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x800] -> dram[0x1000] extents [1, 1, 8, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] i8 -> i8 wait [3] source 0
      npuisa.dma_store sram[0xC00] -> dram[0x2000] extents [1, 1, 8, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [4] source 0
      npuisa.halt
    }
  }
}
