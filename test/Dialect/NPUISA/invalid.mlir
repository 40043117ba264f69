// RUN: npu-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{needs the chip: an 'npu.target' attribute on the program or an enclosing module}}
npuisa.program @no_target {
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{must end with 'npuisa.halt'}}
    npuisa.engine core 0 mxu {
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{must be the last instruction of its engine}}
      npuisa.halt
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{is not an instruction; engine blocks hold only npuisa instructions}}
      %c = arith.constant 0 : i32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{runs on engine dma_load, not in the mxu block}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{has 3 wait semaphores; an instruction has 2 wait slots}}
      npuisa.nop wait [0, 1, 2]
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{signal semaphore 255 does not fit its 8-bit field (0..254)}}
      npuisa.nop signal [255]
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{signal0 semaphore 16 of nop is out of range (semaphores = 16)}}
      npuisa.nop signal [16]
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{extents 70000 does not fit its 16-bit field}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 70000] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{extents needs 4 entries (dim 0 outermost), got 2}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{sram_strides -3000000000 does not fit its 32-bit field}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, -3000000000, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{sram_dtype 'f16' is not a chip dtype (f32, bf16, i8, i32)}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f16
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{dram range [0x10000000, 0x10000080) of dma_load exceeds dram_bytes (268435456)}}
      npuisa.dma_load dram[0x10000000] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{dma_load cannot convert f32 to i8 (only equal dtypes or f32<->bf16)}}
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> i8
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{k (64) of mxu_load_weights must be in [1, mxu_rows = 32]}}
      npuisa.mxu_load_weights sram[0x0] k 64 n 32 row_stride 32 bf16
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{mxu_dtype i32 of mxu_matmul is not supported by the MXU (bf16, f32, i8)}}
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 i32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{input sram address 0x20 of mxu_matmul is not aligned to 64}}
      npuisa.mxu_matmul sram[0x20] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      // expected-error @below {{output acc range [0xff00, 0x10100) of mxu_matmul exceeds acc_bytes (65536)}}
      npuisa.mxu_matmul sram[0x0] -> acc[0xff00] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 accumulate
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{func exp of vpu_binary is not a binary function}}
      npuisa.vpu_binary exp rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32 src1 sram[0x0] f32 stride 32 broadcast none
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{src0 row_stride (16) of vpu_unary is smaller than its columns (32)}}
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 16
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{clip bounds of vpu_unary must satisfy imm0 <= imm1}}
      npuisa.vpu_unary clip rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32 imm0 1.0 imm1 -1.0
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{zero_point 300 does not fit its 8-bit field}}
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x0] i8 stride 32 src0 sram[0x1000] f32 stride 32 scale 1.0 zero_point 300
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{src0 of vpu_epilogue must not be in sram}}
      npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x1000] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{scale of vpu_cast must be finite and non-zero}}
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x0] i8 stride 32 src0 sram[0x1000] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{vpu_cast from f32 to i32 needs a rounding func (trunc, floor, ceil or round_even), not none}}
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x0] i32 stride 32 src0 sram[0x1000] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{func log of vpu_unary has no integer form (its sources are i32)}}
      npuisa.vpu_unary log rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x1000] i32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{rows and cols of vpu_select must be >= 1}}
      npuisa.vpu_select rows 0 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32 src1 sram[0x0] f32 stride 32 src2 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{broadcast of vpu_broadcast must be row, col or scalar}}
      npuisa.vpu_broadcast none rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{func sub of vpu_reduce is not a reduction (add, mul, max, min)}}
      npuisa.vpu_reduce sub over rows rows 4 cols 32 dst sram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{is for core 1 but the target has 1 core(s)}}
    npuisa.engine core 1 mxu {
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-note @below {{first defined here}}
    npuisa.engine core 0 mxu {
      npuisa.halt
    }
    // expected-error @below {{duplicates the mxu queue of core 0}}
    npuisa.engine core 0 mxu {
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.source_op 0 "a" kind "k" macs 0 vector_ops 0 min_dram_bytes 0
    // expected-error @below {{reuses source index 0}}
    npuisa.source_op 0 "b" kind "k" macs 0 vector_ops 0 min_dram_bytes 0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.source_op 0 "a" kind "k" macs 0 vector_ops 0 min_dram_bytes 0
    // expected-error @below {{has index 2 but index 1 is missing; source indices must be 0, 1, 2, ...}}
    npuisa.source_op 2 "b" kind "k" macs 0 vector_ops 0 min_dram_bytes 0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{does not belong in an npuisa.program}}
    %c = arith.constant 0 : i32
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{stream c0.mxu instruction 0: source index 3 is out of range (0 source ops)}}
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      npuisa.nop source 3
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{io tensor 0 'x': [0x0, +4294967296) exceeds dram_bytes (268435456)}}
  npuisa.program @p {
    npuisa.io "x" input f32 [1024, 1024, 1024] at 0x0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{io tensor 1 'y' [0x100, 0x300) overlaps io tensor 0 'x' [0x0, 0x200) in DRAM}}
  npuisa.program @p {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "y" output f32 [4, 32] at 0x100
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{state tensor 0 'x': duplicate name}}
  npuisa.program @p {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.state "x" f32 [4, 32] at 0x1000
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{dtype 'f64' is not a chip dtype (f32, bf16, i8, i32)}}
    npuisa.io "x" input f64 [4, 32] at 0x0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{has rank 9; at most 8 dimensions are supported}}
    npuisa.state "x" f32 [1, 1, 1, 1, 1, 1, 1, 1, 1] at 0x0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{has negative dimension -4}}
    npuisa.state "x" f32 [-4, 32] at 0x0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{element type 'i1' has no byte layout; use whole-byte elements}}
    npuisa.constant at 0x0 dense<true> : tensor<8xi1>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{has no data}}
    npuisa.constant at 0x0 dense<> : tensor<0xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{data must be a dense or dense_resource elements attribute}}
    npuisa.constant at 0x0 sparse<[[0]], [1.0]> : tensor<4xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    // expected-error @below {{has no data: the dense_resource blob is missing}}
    npuisa.constant at 0x0 dense_resource<missing> : tensor<4xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{expected 'sram' or 'acc', got 'dram'}}
      npuisa.vpu_unary relu rows 4 cols 32 dst dram[0x0] f32 stride 32 src0 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{operand address does not fit in 32 bits}}
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x100000000] f32 stride 32 src0 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      // expected-error @below {{row stride does not fit in 32 bits}}
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x0] f32 stride 4294967296 src0 sram[0x0] f32 stride 32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 dma_load {
      // expected-error @below {{address does not fit in 63 bits}}
      npuisa.dma_load dram[0xFFFFFFFFFFFFFFFF] -> sram[0x0] extents [1, 1, 1, 32] dram_strides [0, 0, 0, 1] sram_strides [0, 0, 0, 1] f32 -> f32
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{constant segment 0 [0xffffff0, +32) exceeds dram_bytes (268435456)}}
  npuisa.program @p {
    npuisa.constant at 0xFFFFFF0 dense<1.0> : tensor<8xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{constant segment 0 [0x100, 0x120) overlaps io tensor 0 'x' [0x0, 0x200) in DRAM}}
  npuisa.program @p {
    npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.constant at 0x100 dense<1.0> : tensor<8xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{constant segment 1 [0x110, 0x130) overlaps constant segment 0 [0x100, 0x120) in DRAM}}
  npuisa.program @p {
    npuisa.constant at 0x100 dense<1.0> : tensor<8xf32>
    npuisa.constant at 0x110 dense<1.0> : tensor<8xf32>
  }
}
