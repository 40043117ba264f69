// Two cores split a relu over rows; they share the DRAM port, so their
// simultaneous transfers each get half the bandwidth (docs/isa.md).
// RUN: rm -rf %t && mkdir -p %t
// RUN: npu-translate --serialize-npu %s -o %t/relu2.npu
// RUN: %python -c "import numpy as np; x = np.random.default_rng(5).standard_normal((64, 32)).astype(np.float32); np.save('%t/x.npy', x); np.save('%t/y.ref.npy', np.maximum(x, 0))"
// RUN: npu-run %t/relu2.npu --input x=%t/x.npy --output y=%t/y.npy --stats-json %t/stats.json --quiet
// RUN: %python %test_helpers/npy_compare.py %t/y.npy %t/y.ref.npy | FileCheck %s --check-prefix=OUT
// RUN: FileCheck %s --check-prefix=STATS < %t/stats.json

// OUT: match: [64, 32] float32 max_abs_err=0

// Each core: dma_load 4096 B while the other core's load is in flight:
// 200 + 2 * 4096 / 64 = 328; relu 8 + 32 rows * 1 = 40 -> 368; dma_store
// 4096 B, again concurrent: 368 + 328 = 696.
// STATS: "cores": 2,
// STATS: "total_cycles": 696,
// STATS: "dram_bytes": 16384,

module attributes {npu.target = #npu.target<"npu-tiny", {cores = 2}>} {
  npuisa.program @relu2 {
    npuisa.io "x" input f32 [64, 32] at 0x0
    npuisa.io "y" output f32 [64, 32] at 0x2000
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0]
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_unary relu rows 32 cols 32 dst sram[0x1000] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1]
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x1000] -> dram[0x2000] extents [1, 1, 32, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [1]
      npuisa.halt
    }
    npuisa.engine core 1 dma_load {
      npuisa.dma_load dram[0x1000] -> sram[0x0] extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0]
      npuisa.halt
    }
    npuisa.engine core 1 vpu {
      npuisa.vpu_unary relu rows 32 cols 32 dst sram[0x1000] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1]
      npuisa.halt
    }
    npuisa.engine core 1 dma_store {
      npuisa.dma_store sram[0x1000] -> dram[0x3000] extents [1, 1, 32, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [1]
      npuisa.halt
    }
  }
}
