// Structure of the reduction kernels: the DMA gathers the view whose rows
// waste the fewest VPU lanes, vpu_reduce combines over cols or rows, a mean
// divides the partial vector once, and a reduction longer than a tile
// accumulates into the same partial.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile -split-input-file | FileCheck %s

// 30 rows of 257: [257 x 30] over rows needs 257 VPU groups, [30 x 257] over
// cols 30 * 9, so the DMA transposes the tile.
// CHECK-LABEL: npu.layer "nn.reduce_max" kind "nn.reduce_max" macs 0 vector_ops 7710 min_dram_bytes 30960
// CHECK:       npu.dma_load %{{.*}}[0x0] f32 -> %[[IN:[0-9]+]][0x0] f32 extents [1, 1, 257, 30] dram_strides [0, 0, 1, 257] sram_strides [0, 0, 30, 1]
// CHECK:       npu.vpu_reduce max over rows rows 257 cols 30 dst %[[OUT:[0-9]+]][0x0] f32 stride 30 src0 %[[IN]][0x0] f32 stride 30
// CHECK-NEXT:  npu.dma_store %[[OUT]][0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 1, 1, 30]
func.func @main(%x: tensor<30x257xf32> {nn.name = "x"}) -> (tensor<30x1xf32> {nn.name = "y"}) {
  %0 = nn.reduce_max %x {axes = array<i64: 1>} : (tensor<30x257xf32>) -> tensor<30x1xf32>
  return %0 : tensor<30x1xf32>
}

// -----

// CHECK-LABEL: npu.layer "nn.reduce_mean" kind "nn.reduce_mean" macs 0 vector_ops 7740
// CHECK:       npu.vpu_reduce add over rows rows 257 cols 30 dst %[[OUT:[0-9]+]][0x0] f32 stride 30
// CHECK-NEXT:  npu.vpu_binary div rows 1 cols 30 dst %[[OUT]][0x0] f32 stride 30 src0 %[[OUT]][0x0] f32 stride 30 broadcast scalar imm0 2.570000e+02
// CHECK-NEXT:  npu.dma_store %[[OUT]]
func.func @main(%x: tensor<257x30xf32> {nn.name = "x"}) -> (tensor<1x30xf32> {nn.name = "y"}) {
  %0 = nn.reduce_mean %x {axes = array<i64: 0>} : (tensor<257x30xf32>) -> tensor<1x30xf32>
  return %0 : tensor<1x30xf32>
}

// -----

// 20000 elements per row do not fit one npu-tiny tile: three tiles per row,
// the second and third accumulate; tiles alternate between two buffers.
// CHECK-LABEL: npu.layer "nn.reduce_sum"
// CHECK:       npu.dma_load %[[X:[0-9]+]][0x0] f32 -> %[[IN0:[0-9]+]][0x0] f32 extents [1, 1, 1, 6667]
// CHECK:       npu.vpu_reduce add over cols rows 1 cols 6667 dst %[[P:[0-9]+]][0x0] f32 stride 1 src0 %[[IN0]][0x0] f32 stride 6667{{$}}
// CHECK:       npu.dma_load %[[X]][0x682C] f32 -> %[[IN1:[0-9]+]][0x0] f32
// CHECK-NEXT:  npu.vpu_reduce add over cols rows 1 cols 6667 dst %[[P]][0x0] f32 stride 1 src0 %[[IN1]][0x0] f32 stride 6667 accumulate
// CHECK-NEXT:  npu.dma_load %[[X]][0xD058] f32 -> %[[IN0]][0x0] f32 extents [1, 1, 1, 6666]
// CHECK-NEXT:  npu.vpu_reduce add over cols rows 1 cols 6666 dst %[[P]]{{.*}} accumulate
// CHECK-NEXT:  npu.dma_store %[[P]][0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 1, 1, 1]
// CHECK-COUNT-2: npu.dma_store
func.func @main(%x: tensor<3x20000xf32> {nn.name = "x"}) -> (tensor<3xf32> {nn.name = "y"}) {
  %0 = nn.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : (tensor<3x20000xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// global_avg_pool: a mean over H*W per (n, c) row.
// CHECK-LABEL: npu.layer "nn.global_avg_pool"
// CHECK:       npu.vpu_reduce add over cols rows 38 cols 63
// CHECK-NEXT:  npu.vpu_binary div rows 38 cols 1 {{.*}} broadcast scalar imm0 6.300000e+01
func.func @main(%x: tensor<2x19x7x9xf32> {nn.name = "x"}) -> (tensor<2x19x1x1xf32> {nn.name = "y"}) {
  %0 = nn.global_avg_pool %x : (tensor<2x19x7x9xf32>) -> tensor<2x19x1x1xf32>
  return %0 : tensor<2x19x1x1xf32>
}
