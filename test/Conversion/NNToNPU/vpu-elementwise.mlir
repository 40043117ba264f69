// Structure of the elementwise kernels: one layer per fused group, operands
// in the VPU's broadcast modes, scalars as immediates, double buffering.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile -split-input-file | FileCheck %s
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile=double-buffer=false -split-input-file | FileCheck %s --check-prefix=SINGLE

// sub (column vector) -> div by a constant (a multiply by its reciprocal)
// -> add (row vector) -> tanh: one pass over each [33 x 70] tile. The bias
// row is loaded once for both tiles, the column vector per tile.
// CHECK-LABEL: npu.layer "nn.sub" kind "nn.sub" macs 0 vector_ops 18480 min_dram_bytes 37504
// CHECK:       npu.dma_load %[[X:[0-9]+]][0x0] f32 -> %[[IN:[0-9]+]][0x0] f32 extents [1, 1, 1, 2310]
// CHECK:       npu.dma_load %[[M:[0-9]+]][0x0] f32 -> %[[COL:[0-9]+]][0x0] f32 extents [1, 1, 1, 33]
// CHECK:       npu.dma_load %[[B:[0-9]+]][0x0] f32 -> %[[ROW:[0-9]+]][0x0] f32 extents [1, 1, 1, 70]
// CHECK:       npu.vpu_binary sub rows 33 cols 70 dst %[[OUT:[0-9]+]][0x0] f32 stride 70 src0 %[[IN]][0x0] f32 stride 70 src1 %[[COL]][0x0] f32 stride 1 broadcast col
// CHECK-NEXT:  npu.vpu_binary mul rows 33 cols 70 dst %[[OUT]][0x0] f32 stride 70 src0 %[[OUT]][0x0] f32 stride 70 broadcast scalar imm0 5.000000e-01
// CHECK-NEXT:  npu.vpu_binary add rows 33 cols 70 dst %[[OUT]][0x0] f32 stride 70 src0 %[[OUT]][0x0] f32 stride 70 src1 %[[ROW]][0x0] f32 stride 70 broadcast row
// CHECK-NEXT:  npu.vpu_unary tanh rows 33 cols 70 dst %[[OUT]]
// CHECK-NEXT:  npu.dma_store %[[OUT]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 2310]
// CHECK-NOT:   npu.dma_load %[[B]]
// CHECK:       npu.vpu_binary add {{.*}} src1 %[[ROW]][0x0] f32 stride 70 broadcast row
// CHECK-NOT:   npu.layer
func.func @main(%x: tensor<2x33x70xf32> {nn.name = "x"}, %m: tensor<2x33x1xf32> {nn.name = "m"}, %b: tensor<70xf32> {nn.name = "b"}) -> (tensor<2x33x70xf32> {nn.name = "y"}) {
  %0 = nn.sub %x, %m : (tensor<2x33x70xf32>, tensor<2x33x1xf32>) -> tensor<2x33x70xf32>
  %c = nn.constant dense<2.0> : tensor<f32>
  %1 = nn.div %0, %c : (tensor<2x33x70xf32>, tensor<f32>) -> tensor<2x33x70xf32>
  %2 = nn.add %1, %b : (tensor<2x33x70xf32>, tensor<70xf32>) -> tensor<2x33x70xf32>
  %3 = nn.tanh %2 : tensor<2x33x70xf32>
  return %3 : tensor<2x33x70xf32>
}

// -----

// where(mask, -inf, s): vpu_select takes full tiles only, so the mask row
// and the scalar (read from DRAM: immediates must be finite) are spread with
// vpu_broadcast first. greater(v, s) is cmp_lt(s, v) with v a row vector;
// the cast of its 0/1 result to f32 costs nothing. (The two share no
// operand, so they are separate layers.)
// CHECK-LABEL: npu.layer "nn.where"
// CHECK:       npu.dma_load %{{[0-9]+}}[0x0] f32 -> %[[NINF:[0-9]+]][0x0] f32 extents [1, 1, 1, 4] dram_strides [0, 0, 0, 0]
// CHECK:       npu.vpu_broadcast row rows 4 cols 256 dst %[[MASK:[0-9]+]][0x0] f32 stride 256
// CHECK:       npu.vpu_broadcast col rows 4 cols 256 dst %[[FILL:[0-9]+]][0x0] f32 stride 256 src0 %[[NINF]][0x0] f32 stride 1
// CHECK-NEXT:  npu.vpu_select rows 4 cols 256 dst %{{[0-9]+}}[0x0] f32 stride 256 src0 %[[MASK]][0x0] f32 stride 256 src1 %[[FILL]][0x0] f32 stride 256 src2
// CHECK-LABEL: npu.layer "nn.greater" kind "nn.greater" macs 0 vector_ops 1024
// CHECK:       npu.vpu_binary cmp_lt rows 64 cols 16 {{.*}} broadcast row
// CHECK-NEXT:  npu.dma_store
func.func @main(%s: tensor<1x4x16x16xf32> {nn.name = "s"}, %t: tensor<1x4x16x16xf32> {nn.name = "t"}, %v: tensor<16xf32> {nn.name = "v"}) -> (tensor<1x4x16x16xf32> {nn.name = "y"}, tensor<1x4x16x16xf32> {nn.name = "z"}) {
  %m = nn.constant dense<true> : tensor<1x1x16x16xi1>
  %ninf = nn.constant dense<0xFF800000> : tensor<f32>
  %w = nn.where %m, %ninf, %s : (tensor<1x1x16x16xi1>, tensor<f32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xf32>
  %g = nn.greater %v, %t : (tensor<16xf32>, tensor<1x4x16x16xf32>) -> tensor<1x4x16x16xi1>
  %f = nn.cast %g : tensor<1x4x16x16xi1> to tensor<1x4x16x16xf32>
  return %w, %f : tensor<1x4x16x16xf32>, tensor<1x4x16x16xf32>
}

// -----

// 77100 elements stream through npu-tiny in [6 x 512] tiles of whole lane
// groups plus a [1 x 300] tail; with double buffering consecutive tiles use
// different buffers, without it one buffer per operand serves every tile.
// CHECK-LABEL: npu.layer "nn.relu"
// CHECK:       npu.vpu_unary relu rows 6 cols 512 dst %[[O0:[0-9]+]][0x0] f32 stride 512 src0 %[[I0:[0-9]+]][0x0]
// CHECK:       npu.vpu_unary relu rows 6 cols 512 dst %[[O1:[0-9]+]][0x0] f32 stride 512 src0 %[[I1:[0-9]+]][0x0]
// CHECK:       npu.vpu_unary relu rows 6 cols 512 dst %[[O0]][0x0] f32 stride 512 src0 %[[I0]][0x0]
// CHECK:       npu.vpu_unary relu rows 1 cols 300
// SINGLE-LABEL: npu.layer "nn.relu"
// SINGLE-COUNT-2: npu.alloc sram
// SINGLE-NOT:  npu.alloc
// SINGLE:      npu.vpu_unary relu rows 1 cols 300
func.func @main(%x: tensor<300x257xf32> {nn.name = "x"}) -> (tensor<300x257xf32> {nn.name = "y"}) {
  %0 = nn.relu %x : tensor<300x257xf32>
  return %0 : tensor<300x257xf32>
}

// -----

// An Adam update of w, m, v from g: one layer (a group: later ops computed
// from the first one's values and from tensors it reads). g is loaded once
// for its three readers; m' and v', read by later ops of the group and
// returned, are stored from their own buffers; the chain of single-use
// values after sqrt runs in a buffer of its own, and w' in the slot of the
// division it overwrites.
// CHECK-LABEL: npu.layer "nn.sub" kind "nn.sub" macs 0 vector_ops 1536 min_dram_bytes 3584
// CHECK-COUNT-4: npu.dma_load
// CHECK-NOT:   npu.dma_load
// CHECK:       npu.vpu_binary sub {{.*}} dst %[[M:[0-9]+]][0x0] f32 stride 128 src0 %[[G:[0-9]+]][0x0] f32 stride 128 src1 %[[MIN:[0-9]+]][0x0]
// CHECK-NEXT:  npu.vpu_binary mul {{.*}} dst %[[M]][0x0] {{.*}} imm0 1.000000e-01
// CHECK-NEXT:  npu.vpu_binary add {{.*}} dst %[[M]][0x0] f32 stride 128 src0 %[[MIN]][0x0] f32 stride 128 src1 %[[M]][0x0]
// CHECK:       npu.vpu_binary mul {{.*}} dst %[[V:[0-9]+]][0x0] f32 stride 128 src0 %[[G]][0x0] f32 stride 128 src1 %[[G]][0x0]
// CHECK:       npu.vpu_binary add {{.*}} dst %[[V]][0x0]
// CHECK:       npu.vpu_unary sqrt {{.*}} dst %[[D:[0-9]+]][0x0] f32 stride 128 src0 %[[V]][0x0]
// CHECK-NEXT:  npu.vpu_binary add {{.*}} dst %[[D]][0x0]
// CHECK:       npu.vpu_binary mul {{.*}} dst %[[W:[0-9]+]][0x0] f32 stride 128 src0 %[[M]][0x0]
// CHECK-NEXT:  npu.vpu_binary div {{.*}} dst %[[W]][0x0] f32 stride 128 src0 %[[W]][0x0] f32 stride 128 src1 %[[D]][0x0]
// CHECK-NEXT:  npu.vpu_binary sub {{.*}} dst %[[W]][0x0]
// CHECK-NEXT:  npu.dma_store %[[M]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 128]
// CHECK-NEXT:  npu.dma_store %[[V]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 128]
// CHECK-NEXT:  npu.dma_store %[[W]][0x0] f32 -> %{{[0-9]+}}[0x0] f32 extents [1, 1, 1, 128]
// CHECK-NOT:   npu.layer
func.func @main(%w: tensor<2x64xf32> {nn.name = "w"}, %g: tensor<2x64xf32> {nn.name = "g"}, %m: tensor<2x64xf32> {nn.name = "m"}, %v: tensor<2x64xf32> {nn.name = "v"}) -> (tensor<2x64xf32> {nn.name = "w2"}, tensor<2x64xf32> {nn.name = "m2"}, tensor<2x64xf32> {nn.name = "v2"}) {
  %c1 = nn.constant dense<0.1> : tensor<f32>
  %c2 = nn.constant dense<0.001> : tensor<f32>
  %lr = nn.constant dense<0.01> : tensor<f32>
  %eps = nn.constant dense<1.0e-7> : tensor<f32>
  %0 = nn.sub %g, %m : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %1 = nn.mul %0, %c1 : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %m2 = nn.add %m, %1 : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %2 = nn.mul %g, %g : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %3 = nn.sub %2, %v : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %4 = nn.mul %3, %c2 : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %v2 = nn.add %v, %4 : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %5 = nn.sqrt %v2 : tensor<2x64xf32>
  %6 = nn.add %5, %eps : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %7 = nn.mul %m2, %lr : (tensor<2x64xf32>, tensor<f32>) -> tensor<2x64xf32>
  %8 = nn.div %7, %6 : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  %w2 = nn.sub %w, %8 : (tensor<2x64xf32>, tensor<2x64xf32>) -> tensor<2x64xf32>
  return %w2, %m2, %v2 : tensor<2x64xf32>, tensor<2x64xf32>, tensor<2x64xf32>
}
