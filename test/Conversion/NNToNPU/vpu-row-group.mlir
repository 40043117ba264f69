// Row groups: a reduction over the last axis and the ops after it that only
// combine whole rows, per-row values, broadcast rows and scalars run as one
// layer over [rows x C] tiles; nothing in between reaches DRAM.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --nn-decompose --npu-tile -split-input-file | FileCheck %s

// layer_norm after nn-decompose: mean, centre, variance, rsqrt-by-recip,
// scale and bias in one layer (scale and bias are row vectors).
// CHECK-LABEL: npu.layer "nn.reduce_mean"
// CHECK:       npu.vpu_reduce add over cols rows 16 cols 64 dst %[[MEAN:[0-9]+]][0x0] f32 stride 1 src0 %[[X:[0-9]+]][0x0] f32 stride 64
// CHECK:       npu.vpu_binary div rows 16 cols 1 dst %[[MEAN]]{{.*}} imm0 6.400000e+01
// CHECK:       npu.vpu_binary sub rows 16 cols 64 dst %[[D:[0-9]+]][0x0] f32 stride 64 src0 %[[X]][0x0] f32 stride 64 src1 %[[MEAN]][0x0] f32 stride 1 broadcast col
// CHECK:       npu.vpu_binary mul rows 16 cols 64 {{.*}} src0 %[[D]][0x0] f32 stride 64 src1 %[[D]][0x0] f32 stride 64 broadcast none
// CHECK:       npu.vpu_reduce add over cols rows 16 cols 64
// CHECK:       npu.vpu_binary div rows 16 cols 1
// CHECK:       npu.vpu_binary add rows 16 cols 1 {{.*}} broadcast scalar imm0 9.99999974E-6
// CHECK:       npu.vpu_unary sqrt rows 16 cols 1
// CHECK:       npu.vpu_unary recip rows 16 cols 1
// CHECK:       npu.vpu_binary mul rows 16 cols 64 {{.*}} broadcast col
// CHECK:       npu.vpu_binary mul rows 16 cols 64 {{.*}} broadcast row
// CHECK:       npu.vpu_binary add rows 16 cols 64 {{.*}} broadcast row
// CHECK:       npu.dma_store
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<1x16x64xf32> {nn.name = "x"}, %g: tensor<64xf32> {nn.name = "g"}, %b: tensor<64xf32> {nn.name = "b"}) -> (tensor<1x16x64xf32> {nn.name = "y"}) {
  %0 = nn.layer_norm %x, %g, %b {axis = 2 : i64} : (tensor<1x16x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x16x64xf32>
  return %0 : tensor<1x16x64xf32>
}

// -----

// softmax over rows of 16 (half of npu-tiny's 32 lanes): the tile is laid
// out transposed, [16 x 64], so reductions run over VPU rows and per-row
// values broadcast as row vectors: max, shift, exp, sum and a multiply by
// the reciprocal.
// CHECK-LABEL: npu.layer "nn.reduce_max"
// CHECK:       npu.dma_load %{{[0-9]+}}[0x0] f32 -> %[[X:[0-9]+]][0x0] f32 extents [1, 1, 16, 64] dram_strides [0, 0, 1, 16] sram_strides [0, 0, 64, 1]
// CHECK:       npu.vpu_reduce max over rows rows 16 cols 64 dst %[[M:[0-9]+]][0x0] f32 stride 64 src0 %[[X]][0x0] f32 stride 64
// CHECK:       npu.vpu_binary sub rows 16 cols 64 {{.*}} src1 %[[M]][0x0] f32 stride 64 broadcast row
// CHECK:       npu.vpu_unary exp rows 16 cols 64
// CHECK:       npu.vpu_reduce add over rows rows 16 cols 64
// CHECK:       npu.vpu_unary recip rows 1 cols 64
// CHECK:       npu.vpu_binary mul rows 16 cols 64 {{.*}} broadcast row
// CHECK:       npu.dma_store %{{[0-9]+}}[0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 16, 64] sram_strides [0, 0, 64, 1] dram_strides [0, 0, 1, 16]
// CHECK-NOT:   npu.layer
func.func @main(%s: tensor<1x4x16x16xf32> {nn.name = "s"}) -> (tensor<1x4x16x16xf32> {nn.name = "y"}) {
  %0 = nn.softmax %s {axis = 3 : i64} : tensor<1x4x16x16xf32>
  return %0 : tensor<1x4x16x16xf32>
}

// -----

// A group result used outside the group is stored and the group goes on:
// the sum, needed by the second output, and the division are one layer
// with two stores (the per-row sums, then the full rows).
// CHECK-LABEL: npu.layer "nn.reduce_sum"
// CHECK:       npu.vpu_reduce add over cols rows 5 cols 30 dst %[[SUM:[0-9]+]]
// CHECK:       npu.vpu_binary mul rows 5 cols 30
// CHECK-NEXT:  npu.dma_store %[[SUM]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 5]
// CHECK-NEXT:  npu.dma_store %{{[0-9]+}}[0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 150]
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<5x30xf32> {nn.name = "x"}) -> (tensor<5x30xf32> {nn.name = "y"}, tensor<5x1xf32> {nn.name = "s"}) {
  %0 = nn.reduce_sum %x {axes = array<i64: 1>} : (tensor<5x30xf32>) -> tensor<5x1xf32>
  %1 = nn.div %x, %0 : (tensor<5x30xf32>, tensor<5x1xf32>) -> tensor<5x30xf32>
  return %1, %0 : tensor<5x30xf32>, tensor<5x1xf32>
}

// -----

// A group may start at an elementwise op that feeds a last-axis reduction:
// exp, its row sums and the normalization are one layer.
// CHECK-LABEL: npu.layer "nn.exp"
// CHECK:       npu.vpu_unary exp rows 5 cols 40
// CHECK:       npu.vpu_reduce add over cols rows 5 cols 40
// CHECK:       npu.vpu_binary mul rows 5 cols 40 {{.*}} broadcast col
// CHECK-NEXT:  npu.dma_store
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<5x40xf32> {nn.name = "x"}) -> (tensor<5x40xf32> {nn.name = "y"}) {
  %0 = nn.exp %x : tensor<5x40xf32>
  %1 = nn.reduce_sum %0 {axes = array<i64: 1>} : (tensor<5x40xf32>) -> tensor<5x1xf32>
  %2 = nn.div %0, %1 : (tensor<5x40xf32>, tensor<5x1xf32>) -> tensor<5x40xf32>
  return %2 : tensor<5x40xf32>
}
