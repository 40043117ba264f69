// RUN: npu-opt %s --split-input-file --npu-lower-to-isa --verify-diagnostics

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %x = npu.io "x" input f32 [4, 32] at 0x0
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 512 {
      // expected-note @below {{buffer defined here}}
      %a = npu.alloc sram 512 name "x.tile"
      // expected-error @below {{uses sram buffer 'x.tile', which has no address: run npu-place-memory before npu-lower-to-isa}}
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    // expected-error @below {{dram buffer 'y' has no address: run npu-place-memory before npu-lower-to-isa}}
    %y = npu.io "y" output f32 [4, 32]
  }
}

// -----

// Two semaphores cannot order three engine pairs.
module attributes {npu.target = #npu.target<"npu-tiny", {semaphores = 2}>} {
  npu.program @main {
    %x = npu.io "x" input f32 [4, 32] at 0x0
    %y = npu.io "y" output f32 [4, 32] at 0x1000
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 1024 {
      %a = npu.alloc sram 512 at 0x0
      %b = npu.alloc sram 512 at 0x1000
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
      npu.vpu_unary relu rows 4 cols 32 dst %b[0x0] f32 stride 32 src0 %a[0x0] f32 stride 32
      npu.dma_store %b[0x0] f32 -> %y[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
      // expected-error @below {{needs a semaphore for engine pair vpu -> dma_load but all 2 semaphores of target 'npu-tiny' are in use (one per ordered pair of engines that synchronize, up to 12)}}
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
    }
  }
}

// -----

// A placement beyond what the instruction's 32-bit SRAM address can hold.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %x = npu.io "x" input f32 [4, 32] at 0x0
    npu.layer "l" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 512 {
      %a = npu.alloc sram 1024 name "far" at 0xFFFFFFC0
      // expected-error @below {{field sram (sram buffer 'far' at 0xFFFFFFC0 + offset 0x100) does not fit its 32-bit address field}}
      npu.dma_load %x[0x0] f32 -> %a[0x100] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
    }
  }
}
