// RUN: npu-opt %s --npu-place-memory | FileCheck %s
// RUN: npu-opt %s --npu-place-memory | npu-opt --npu-verify-placement -o /dev/null

// DRAM tables in the order inputs, outputs, state, constants, whatever the
// order of definition; then the intermediates by first use, not by
// definition: "early" is defined after "late" but used first (and both are
// live together), so it gets the first free address.
// CHECK-LABEL: npu.program @main
// CHECK-NEXT:    npu.constant "c" at 0x200
// CHECK-NEXT:    npu.io "w" state f32 [4, 16] at 0x100
// CHECK-NEXT:    npu.io "x" input f32 [4, 16] at 0x0
// CHECK-NEXT:    npu.alloc dram 256 name "late" at 0x400
// CHECK-NEXT:    npu.alloc dram 256 name "early" at 0x300
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %c = npu.constant "c" dense<1.0> : tensor<4x16xf32>
    %w = npu.io "w" state f32 [4, 16]
    %x = npu.io "x" input f32 [4, 16]
    %late = npu.alloc dram 256 name "late"
    %early = npu.alloc dram 256 name "early"
    npu.layer "first" kind "copy" macs 0 vector_ops 0 min_dram_bytes 512 {
      %a = npu.alloc sram 256 name "a"
      npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_store %a[0x0] f32 -> %early[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
      npu.dma_load %early[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_store %a[0x0] f32 -> %late[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
      npu.dma_load %late[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_load %early[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_load %c[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 16, 1]
      npu.dma_store %a[0x0] f32 -> %w[0x0] f32 extents [1, 1, 4, 16] sram_strides [0, 0, 16, 1] dram_strides [0, 0, 16, 1]
    }
  }
}
