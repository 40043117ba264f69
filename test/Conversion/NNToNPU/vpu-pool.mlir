// Structure of the pooling kernels: one strided DMA window per kernel
// position, combined by one VPU op each; the first window initializes the
// accumulator, the other windows are all in flight before the VPU combines
// them. Average: partial windows are pre-filled with zero. Max (undilated):
// where a window reaches into the padding the clamped input row / column is
// read instead (it is in the same output's window), so nothing is
// pre-filled.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile -split-input-file | FileCheck %s

// CHECK-LABEL: npu.layer "nn.max_pool" kind "nn.max_pool" macs 0 vector_ops 162 min_dram_bytes 360
// Position (0, 0) reads x[2i-1, 2j-1]: output row 0 and column 0 read the
// clamped input row 0 / column 0 (zero DRAM stride), the rest the strided
// window, straight into the accumulator.
// CHECK:       npu.dma_load %[[X:[0-9]+]][0x0] f32 -> %[[ACC:[0-9]+]][0x0] f32 extents [1, 1, 1, 2] dram_strides [0, 0, 0, 36] sram_strides [0, 0, 0, 9]
// CHECK-NEXT:  npu.dma_load %[[X]][0x4] f32 -> %[[ACC]][0x4] f32 extents [1, 1, 2, 2] dram_strides [0, 0, 36, 2] sram_strides [0, 0, 9, 1]
// CHECK-NEXT:  npu.dma_load %[[X]][0x18] f32 -> %[[ACC]][0xC] f32 extents [1, 1, 2, 2] dram_strides [0, 0, 36, 12] sram_strides [0, 0, 9, 3]
// CHECK-NEXT:  npu.dma_load %[[X]][0x1C] f32 -> %[[ACC]][0x10] f32 extents [1, 2, 2, 2] dram_strides [0, 36, 12, 2] sram_strides [0, 9, 3, 1]
// The other eight windows, each into its own buffer; no VPU work before
// the combines.
// CHECK-NOT:   npu.vpu
// CHECK:       npu.dma_load %[[X]][0x1C] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 6, 3] dram_strides [0, 0, 12, 2] sram_strides [0, 0, 3, 1]
// CHECK-NEXT:  npu.vpu_binary max rows 2 cols 9 dst %[[ACC]][0x0] f32 stride 9 src0 %[[ACC]][0x0] f32 stride 9 src1
// CHECK-COUNT-7: npu.vpu_binary max rows 2 cols 9 dst %[[ACC]][0x0] f32 stride 9 src0 %[[ACC]][0x0] f32 stride 9 src1
// CHECK-NEXT:  npu.dma_store %[[ACC]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 18]
func.func @main(%x: tensor<1x2x6x6xf32> {nn.name = "x"}) -> (tensor<1x2x3x3xf32> {nn.name = "y"}) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Without count_include_pad the window sizes differ at the border: the sum
// is scaled by a row vector of reciprocal counts (a compile-time constant).
// CHECK:       npu.constant "pool.recip_count" dense_resource<{{.*}}> : tensor<3x3xf32>
// CHECK-LABEL: npu.layer "nn.avg_pool"
// CHECK:       npu.vpu_broadcast scalar rows 2 cols 9 dst %[[W:[0-9]+]][0x0] f32 stride 9 imm0 0.000000e+00
// CHECK:       npu.dma_load {{.*}} -> %[[W]][0x10] f32
// CHECK-COUNT-8: npu.vpu_binary add
// CHECK:       npu.dma_load %{{[0-9]+}}[0x0] f32 -> %[[R:[0-9]+]][0x0] f32 extents [1, 1, 1, 9]
// CHECK-NEXT:  npu.vpu_binary mul rows 2 cols 9 {{.*}} src1 %[[R]][0x0] f32 stride 9 broadcast row
// CHECK-NEXT:  npu.dma_store
func.func @main(%x: tensor<1x2x6x6xf32> {nn.name = "x"}) -> (tensor<1x2x3x3xf32> {nn.name = "y"}) {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// With count_include_pad every window counts 9: a multiply by an immediate.
// CHECK-LABEL: npu.layer "nn.avg_pool"
// CHECK:       npu.vpu_binary mul rows 2 cols 9 {{.*}} broadcast scalar imm0 0.111111112
func.func @main(%x: tensor<1x2x6x6xf32> {nn.name = "x"}) -> (tensor<1x2x3x3xf32> {nn.name = "y"}) {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}
