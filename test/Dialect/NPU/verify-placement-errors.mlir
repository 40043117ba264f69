// RUN: npu-opt %s --npu-verify-placement -split-input-file -verify-diagnostics

// npu-verify-placement proves hand-made placements wrong.

// Two SRAM buffers read by the same instruction share bytes [0x40, 0x100).
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.add" macs 0 vector_ops 64 min_dram_bytes 0 {
      // expected-note @below {{the other buffer}}
      %a = npu.alloc sram 256 name "a" at 0x0
      // expected-error @below {{overlaps 'a' (npu.alloc sram) in sram while both are live: [0x40, 0x140) and [0x0, 0x100) during instructions 0..0}}
      %b = npu.alloc sram 256 name "b" at 0x40
      npu.vpu_binary add rows 4 cols 16 dst %a[0x0] f32 stride 16 src0 %a[0x0] f32 stride 16 src1 %b[0x0] f32 stride 16 broadcast none
    }
  }
}

// -----

// The same addresses are fine when the live ranges do not meet.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 0 {
      %a = npu.alloc sram 256 name "a" at 0x0
      %b = npu.alloc sram 256 name "b" at 0x0
      npu.vpu_unary relu rows 4 cols 16 dst %a[0x0] f32 stride 16 src0 %a[0x0] f32 stride 16
      npu.vpu_unary relu rows 4 cols 16 dst %b[0x0] f32 stride 16 src0 %b[0x0] f32 stride 16
    }
  }
}

// -----

// An output overlapping an input: I/O lives for the whole program.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    // expected-note @below {{the other buffer}}
    %x = npu.io "x" input f32 [4, 16] at 0x0
    // expected-error @below {{overlaps 'x' (npu.io dram) in dram while both are live}}
    %y = npu.io "y" output f32 [4, 16] at 0xC0
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    // expected-error @below {{has no address; run npu-place-memory}}
    %x = npu.io "x" input f32 [4, 16]
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 0 {
      // expected-error @below {{address 0x10 is not aligned to 64 bytes as sram buffers must be}}
      %a = npu.alloc sram 256 at 0x10
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 64 min_dram_bytes 0 {
      // expected-error @below {{range [0x3FF00, +4096) exceeds the chip's sram (sram_bytes = 262144)}}
      %a = npu.alloc sram 4096 at 0x3FF00
    }
  }
}

// -----

// expected-error @below {{npu-verify-placement needs the chip: the module has no 'npu.target' attribute}}
module {
  npu.program @main {
  }
}
