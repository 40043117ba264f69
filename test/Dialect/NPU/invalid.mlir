// RUN: npu-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect

// Every verifier error of the npu buffer-level ops.

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    // expected-error @below {{cannot be at the top level of 'npu.program' (expected npu.io, npu.constant, npu.alloc or npu.layer)}}
    %c = nn.constant dense<1.0> : tensor<2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
      // expected-error @below {{needs 524288 bytes of sram, more than the chip has (sram_bytes = 262144)}}
      %a = npu.alloc sram 524288
    }
  }
}

// -----

// The chip's own checks run on every instruction (offsets for addresses).
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.matmul" macs 0 vector_ops 0 min_dram_bytes 0 {
      %w = npu.alloc sram 65536
      // expected-error @below {{k (64) of mxu_load_weights must be in [1, mxu_rows = 32] (addresses are offsets inside the buffers)}}
      npu.mxu_load_weights %w[0x0] k 64 n 32 row_stride 32 f32
    }
  }
}

// -----

npu.program @main {
  // expected-error @below {{must allocate at least one byte}}
  %a = npu.alloc dram 0
}

// -----

npu.program @main {
  // expected-error @below {{has negative dimension -1}}
  %x = npu.io "x" input f32 [4, -1]
}

// -----

npu.program @main {
  // expected-error @below {{needs a non-empty name}}
  %x = npu.io "" input f32 [4]
}

// -----

npu.program @main {
  // expected-error @below {{only a state tensor has an initial value}}
  %x = npu.io "x" input f32 [2] init dense<1.0> : tensor<2xf32>
}

// -----

npu.program @main {
  // expected-error @below {{initial value of type 'tensor<2xbf16>' does not match the tensor ('f32' [2])}}
  %w = npu.io "w" state f32 [2] init dense<1.0> : tensor<2xbf16>
}

// -----

npu.program @main {
  // expected-error @below {{initial value blob holds 4 bytes but the tensor needs 8}}
  %w = npu.io "w" state f32 [2] init dense_resource<short> : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      short: "0x040000000000803F"
    }
  }
#-}

// -----

npu.program @main {
  // expected-error @below {{attribute 'dtype' failed to satisfy constraint: type attribute of a chip dtype (f32, bf16, i8, i32)}}
  %x = npu.io "x" input f16 [4]
}

// -----

npu.program @main {
  // expected-error @below {{element type 'f16' is not a chip dtype (f32, bf16, i8, i32)}}
  %w = npu.constant "w" dense<1.0> : tensor<4xf16>
}

// -----

npu.program @main {
  // expected-error @below {{blob holds 4 bytes but the type needs 8}}
  %w = npu.constant "w" dense_resource<short> : tensor<2xi32>
}
{-#
  dialect_resources: {
    builtin: {
      short: "0x0400000001000000"
    }
  }
#-}

// -----

npu.program @main {
  // expected-error @below {{data must be a dense or dense_resource elements attribute}}
  %w = npu.constant "w" sparse<[[0]], [1.0]> : tensor<4xf32>
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %u = "test.buffer"() : () -> !npu.buffer
    %a = npu.alloc sram 64
    // expected-error @below {{dram buffer must be defined by npu.alloc, npu.io or npu.constant}}
    npu.dma_load %u[0x0] f32 -> %a[0x0] f32 extents [1, 1, 1, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    %b = npu.alloc sram 64
    // expected-error @below {{dram buffer must be in dram, not sram}}
    npu.dma_load %b[0x0] f32 -> %a[0x0] f32 extents [1, 1, 1, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc dram 64
    %b = npu.alloc acc 64
    // expected-error @below {{src0 buffer must be in sram or acc, not dram}}
    npu.vpu_unary relu rows 1 cols 16 dst %b[0x0] f32 stride 16 src0 %a[0x0] f32 stride 16
  }
}

// -----

npu.program @main {
  %x = npu.io "x" input f32 [4, 16]
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 256
    // expected-error @below {{dram range [64, 320) is outside its 256-byte buffer}}
    npu.dma_load %x[0x40] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

// A negative stride reaching below the buffer's start.
npu.program @main {
  %x = npu.io "x" input f32 [4, 16]
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 256
    // expected-error @below {{dram range [-4, 64) is outside its 256-byte buffer}}
    npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 2, 16] dram_strides [0, 0, -1, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  %w = npu.constant "w" dense<1.0> : tensor<16xf32>
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{writes the read-only constant 'w'}}
    npu.dma_store %a[0x0] f32 -> %w[0x0] f32 extents [1, 1, 1, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  %x = npu.io "x" input f32 [16]
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{extents needs 4 entries (dim 0 outermost), got 3}}
    npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  %x = npu.io "x" input f32 [16]
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{extents entry 0 is outside [1, 65535]}}
    npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [0, 1, 1, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  %x = npu.io "x" input f32 [16]
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{dram_strides entry 4294967296 is outside [-2147483648, 2147483647]}}
    npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 1, 16] dram_strides [0, 0, 4294967296, 1] sram_strides [0, 0, 16, 1]
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.add" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{takes src1 exactly when broadcast is not scalar}}
    npu.vpu_binary add rows 1 cols 16 dst %a[0x0] f32 stride 16 src0 %a[0x0] f32 stride 16 broadcast none
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.add" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{src1 needs its buffer, src1_offset, src1_dtype and src1_stride together}}
    "npu.vpu_binary"(%a, %a) <{func = 1 : i32, rows = 1 : i64, cols = 16 : i64, dst_offset = 0 : i64, dst_dtype = f32, dst_stride = 16 : i64, src0_offset = 0 : i64, src0_dtype = f32, src0_stride = 16 : i64, src1_offset = 0 : i64, broadcast = 3 : i32}> : (!npu.buffer, !npu.buffer) -> ()
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.expand" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    // expected-error @below {{takes src0 exactly when broadcast is not scalar}}
    npu.vpu_broadcast row rows 1 cols 16 dst %a[0x0] f32 stride 16
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.cast" macs 0 vector_ops 0 min_dram_bytes 0 {
    %a = npu.alloc sram 64
    %b = npu.alloc sram 64
    // expected-error @below {{zero_point 300 is outside the int8 range [-128, 127]}}
    npu.vpu_cast rows 1 cols 16 dst %a[0x0] i8 stride 16 src0 %b[0x0] f32 stride 16 scale 1.0 zero_point 300
  }
}

// -----

npu.program @main {
  npu.layer "l" kind "nn.relu" macs 0 vector_ops 0 min_dram_bytes 0 {
    // expected-error @below {{offset does not fit in 63 bits}}
    %a = npu.alloc sram 64 at 0xFFFFFFFFFFFFFFFF
  }
}
