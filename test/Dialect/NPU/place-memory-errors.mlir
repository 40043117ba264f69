// RUN: npu-opt %s --npu-place-memory -split-input-file -verify-diagnostics

// Placement failures name what does not fit.

// Two 160 KiB buffers used by the same instruction cannot share npu-tiny's
// 256 KiB of SRAM: the message names the layer and the bytes.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    // expected-error @below {{layer 'big' needs 327680 bytes of sram live at once but the chip has 262144 (sram_bytes): cannot place 'dst' (npu.alloc sram) of 163840 bytes}}
    npu.layer "big" kind "nn.relu" macs 0 vector_ops 40960 min_dram_bytes 0 {
      %a = npu.alloc sram 163840 name "src"
      // expected-note @below {{the buffer that does not fit}}
      %b = npu.alloc sram 163840 name "dst"
      npu.vpu_unary relu rows 40 cols 1024 dst %b[0x0] f32 stride 1024 src0 %a[0x0] f32 stride 1024
    }
  }
}

// -----

// expected-error @below {{npu-place-memory needs the chip: the module has no 'npu.target' attribute; run npu-set-target first}}
module {
  npu.program @main {
  }
}
