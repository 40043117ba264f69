// A VPU elementwise chain, y = tanh(x * s + b) with b broadcast over rows,
// plus a row-wise max reduction, on npu-tiny (32 lanes). Serialized, run with
// npu-run, compared with numpy and timed against docs/isa.md.
// RUN: rm -rf %t && mkdir -p %t
// RUN: npu-translate --serialize-npu %s -o %t/chain.npu
// RUN: %python %test_helpers/npuisa_cases.py vpu_chain %t
// RUN: npu-run %t/chain.npu --input x=%t/x.npy --input s=%t/s.npy --input b=%t/b.npy --output y=%t/y.npy --output rowmax=%t/rowmax.npy --stats-json %t/stats.json --quiet
// RUN: %python %test_helpers/npy_compare.py %t/y.npy %t/y.ref.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=Y
// RUN: %python %test_helpers/npy_compare.py %t/rowmax.npy %t/rowmax.ref.npy --rtol 1e-5 --atol 1e-6 | FileCheck %s --check-prefix=ROWMAX
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// Y: match: [8, 64] float32
// ROWMAX: match: [8, 1] float32

// DMA queues stream: a descriptor holds its queue for its transfer and
// completes 200 cycles (the latency) later.
// dma_load x (2048 B)  0 -> 32 -> 232, s 32 -> 64 -> 264, b (256 B) 64 -> 68 -> 268
// vpu_binary mul  (waits x, s)  264 -> 288   8 + 8 rows * ceil(64/32)
// vpu_binary add  (waits b)     288 -> 312   8 + 16
// vpu_unary tanh                312 -> 384   8 + 16 * 4 (transcendental)
// vpu_reduce max                384 -> 408   8 + 16
// dma_store y (2048 B)          384 -> 416 -> 616
// dma_store rowmax (32 B)       416 -> 416.5 -> 616.5, reported as 617
// STATS: "total_cycles": 617,
// STATS: "vector_ops": 2048,
// STATS: "c0.vpu": {
// STATS-NEXT: "instructions": 5,
// STATS-NEXT: "busy_cycles": 144,

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @chain {
    npuisa.io "x" input f32 [8, 64] at 0x0
    npuisa.io "s" input f32 [8, 64] at 0x800
    npuisa.io "b" input f32 [1, 64] at 0x1000
    npuisa.io "y" output f32 [8, 64] at 0x2000
    npuisa.io "rowmax" output f32 [8, 1] at 0x3000
    npuisa.source_op 0 "chain" kind "nn.tanh" macs 0 vector_ops 2048 min_dram_bytes 6432
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 8, 64] dram_strides [0, 0, 64, 1] sram_strides [0, 0, 64, 1] f32 -> f32 signal [0] source 0
      npuisa.dma_load dram[0x800] -> sram[0x800] extents [1, 1, 8, 64] dram_strides [0, 0, 64, 1] sram_strides [0, 0, 64, 1] f32 -> f32 signal [1] source 0
      npuisa.dma_load dram[0x1000] -> sram[0x1000] extents [1, 1, 1, 64] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32 signal [2] source 0
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_binary mul rows 8 cols 64 dst sram[0x1400] f32 stride 64 src0 sram[0x0] f32 stride 64 src1 sram[0x800] f32 stride 64 broadcast none wait [0, 1] source 0
      npuisa.vpu_binary add rows 8 cols 64 dst sram[0x1400] f32 stride 64 src0 sram[0x1400] f32 stride 64 src1 sram[0x1000] f32 stride 0 broadcast row wait [2] source 0
      npuisa.vpu_unary tanh rows 8 cols 64 dst sram[0x1400] f32 stride 64 src0 sram[0x1400] f32 stride 64 signal [3] source 0
      npuisa.vpu_reduce max over cols rows 8 cols 64 dst sram[0x1C00] f32 stride 1 src0 sram[0x1400] f32 stride 64 signal [4] source 0
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x1400] -> dram[0x2000] extents [1, 1, 8, 64] sram_strides [0, 0, 64, 1] dram_strides [0, 0, 64, 1] f32 -> f32 wait [3] source 0
      npuisa.dma_store sram[0x1C00] -> dram[0x3000] extents [1, 1, 8, 1] sram_strides [0, 0, 1, 1] dram_strides [0, 0, 1, 1] f32 -> f32 wait [4] source 0
      npuisa.halt
    }
  }
}
