// RUN: npu-opt %s --split-input-file --npu-lower-to-isa --npuisa-verify-sync | FileCheck %s

// Hazards are tracked on the bytes a strided access really touches (split
// along its widest strides), not on its bounding range. Two tiles of an
// NCHW tensor, rows 0-1 and rows 2-3 of both channels, interleave in DRAM:
// their bounding ranges overlap, their bytes do not. Reading rows 0-1 back
// waits for the store that wrote them (the first: it signals), not for the
// later one (it does not).

// CHECK-LABEL: npuisa.program @main
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load {{.*}} wait [0]
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 dma_store {
// CHECK-NEXT:    npuisa.dma_store {{.*}} signal [0] source 0
// CHECK-NEXT:    npuisa.dma_store {{.*}} source 0
// CHECK-NOT:     signal
// CHECK:         npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %y = npu.io "y" output f32 [1, 2, 4, 8] at 0x10000
    npu.layer "tiles" kind "nn.conv" macs 0 vector_ops 0 min_dram_bytes 0 {
      %t = npu.alloc sram 512 at 0x0
      %r = npu.alloc sram 256 at 0x1000
      npu.dma_store %t[0x0] f32 -> %y[0x0] f32 extents [1, 2, 2, 8] sram_strides [0, 16, 8, 1] dram_strides [0, 32, 8, 1]
      npu.dma_store %t[0x0] f32 -> %y[0x40] f32 extents [1, 2, 2, 8] sram_strides [0, 16, 8, 1] dram_strides [0, 32, 8, 1]
      npu.dma_load %y[0x0] f32 -> %r[0x0] f32 extents [1, 2, 2, 8] dram_strides [0, 32, 8, 1] sram_strides [0, 16, 8, 1]
    }
  }
}

// -----

// A padded im2col tile: the VPU zero-fills rows 0 and 2 and the DMA gathers
// rows 1 and 3 of the same SRAM tile. The DMA does not wait for the fill
// (disjoint rows); the matmul reading the whole tile waits for both.

// CHECK-LABEL: npuisa.program @main
// CHECK:       npuisa.engine core 0 dma_load {
// CHECK-NEXT:    npuisa.dma_load {{.*}} signal [0] source 0
// CHECK-NEXT:    npuisa.halt
// CHECK:       npuisa.engine core 0 mxu {
// CHECK-NEXT:    npuisa.mxu_load_weights
// CHECK-NEXT:    npuisa.mxu_matmul {{.*}} wait [0, 1]
// CHECK:       npuisa.engine core 0 vpu {
// CHECK-NEXT:    npuisa.vpu_broadcast {{.*}} signal [1] source 0
// CHECK-NEXT:    npuisa.halt

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npu.program @main {
    %x = npu.io "x" input f32 [2, 16] at 0x10000
    npu.layer "gather" kind "nn.conv" macs 0 vector_ops 0 min_dram_bytes 0 {
      %a = npu.alloc sram 256 at 0x0
      %w = npu.alloc sram 1024 at 0x1000
      %c = npu.alloc acc 256 at 0x0
      npu.vpu_broadcast scalar rows 2 cols 16 dst %a[0x0] f32 stride 32 imm0 0.000000e+00
      npu.dma_load %x[0x0] f32 -> %a[0x40] f32 extents [1, 1, 2, 16] dram_strides [0, 0, 16, 1] sram_strides [0, 0, 32, 1]
      npu.mxu_load_weights %w[0x0] k 16 n 16 row_stride 16 f32
      npu.mxu_matmul %a[0x0] -> %c[0x0] m 4 k 16 n 16 row_stride 16 acc_row_stride 16 f32
    }
  }
}
