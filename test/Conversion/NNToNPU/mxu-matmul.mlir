// Structure of the MXU kernels for nn.matmul and nn.gemm: tiles, weight
// re-layout, epilogue fusion (numbers: mxu-e2e.test).
// RUN: npu-opt %s -split-input-file --npu-set-target=target=npu-base --npu-tile | FileCheck %s
// On npu-tiny (32x32 array) a 100x100x100 matmul needs 4 k-tiles
// (32, 32, 32, 4) and 4 n-tiles per row tile: 16 matmuls per row tile.
// RUN: npu-opt %s -split-input-file --npu-set-target=target=npu-tiny --npu-tile | FileCheck %s --check-prefix=TINY

// A 100x100x100 matmul by a constant: the weights are re-laid-out at compile
// time into one contiguous 100x100 tile, loaded by a single DMA; rows are
// split into balanced tiles so loads overlap compute (two: the second
// tile's load hides behind the first tile's 200 cycles of fp32 rows).
// CHECK-LABEL: npu.layer "square" kind "nn.matmul" macs 1000000 vector_ops 0 min_dram_bytes 120000
// CHECK:       npu.dma_load %{{.*}}[0x0] f32 -> %[[W:.*]][0x0] f32 extents [1, 1, 1, 10000]
// CHECK:       npu.mxu_load_weights %[[W]][0x0] k 100 n 100 row_stride 100 f32
// CHECK:       npu.mxu_matmul {{.*}} m 50 k 100 n 100
// CHECK:       npu.vpu_epilogue none rows 50 cols 100
// CHECK:       npu.dma_store {{.*}} extents [1, 1, 50, 100] sram_strides [0, 0, 100, 1] dram_strides [0, 0, 100, 1]
// CHECK:       npu.mxu_matmul {{.*}} m 50 k 100 n 100
// CHECK-NOT:   npu.mxu_matmul
// CHECK:       }
// TINY-LABEL:  npu.layer "square"
// TINY:        npu.dma_load {{.*}} extents [1, 1, 1, 1024]
// TINY-COUNT-3: npu.mxu_matmul {{.*}} m 20 k 32 n 32
// TINY:        npu.mxu_matmul {{.*}} m 20 k 4 n 32 row_stride 4 acc_row_stride 32 f32 accumulate
// TINY-COUNT-76: npu.mxu_matmul
// TINY-NOT:    npu.mxu_matmul
func.func @main(%a: tensor<100x100xf32>) -> tensor<100x100xf32> {
  %w = nn.constant dense<0.5> : tensor<100x100xf32>
  %m = nn.matmul %a, %w : (tensor<100x100xf32>, tensor<100x100xf32>) -> tensor<100x100xf32> loc("square")
  return %m : tensor<100x100xf32>
}

// -----

// A batched matmul by a 2-D constant folds the batch into the rows; the
// bias add (a constant row vector) and the relu after it run in the
// epilogue: one layer, no nn.add / nn.relu layers.
// CHECK-LABEL: npu.layer "mm" kind "nn.matmul" macs 240 vector_ops 30
// CHECK:       npu.mxu_matmul {{.*}} m 6 k 8 n 5
// CHECK:       npu.vpu_epilogue relu rows 6 cols 5 dst {{.*}} src1 %{{.*}}[0x0] f32 stride 5
// CHECK-NOT:   npu.layer
// TINY-LABEL:  npu.layer "mm"
func.func @main(%a: tensor<2x3x8xf32>) -> tensor<2x3x5xf32> {
  %w = nn.constant dense<0.5> : tensor<8x5xf32>
  %b = nn.constant dense<[1.0, 2.0, 3.0, 4.0, 5.0]> : tensor<5xf32>
  %m = nn.matmul %a, %w : (tensor<2x3x8xf32>, tensor<8x5xf32>) -> tensor<2x3x5xf32> loc("mm")
  %s = nn.add %m, %b : (tensor<2x3x5xf32>, tensor<5xf32>) -> tensor<2x3x5xf32> loc("bias")
  %r = nn.relu %s : tensor<2x3x5xf32> loc("relu")
  return %r : tensor<2x3x5xf32>
}

// -----

// Batch dimensions broadcast (a [2, 3, ...], b [3, ...]) with a runtime b:
// six independent problems, each b gathered by strided DMA.
// CHECK-LABEL: npu.layer "batched" kind "nn.matmul" macs 1440
// CHECK-COUNT-6: npu.mxu_matmul {{.*}} m 4 k 6 n 10
// CHECK-NOT:   npu.mxu_matmul
// TINY-LABEL:  npu.layer "batched"
func.func @main(%a: tensor<2x3x4x6xf32>, %b: tensor<3x6x10xf32>) -> tensor<2x3x4x10xf32> {
  %m = nn.matmul %a, %b : (tensor<2x3x4x6xf32>, tensor<3x6x10xf32>) -> tensor<2x3x4x10xf32> loc("batched")
  return %m : tensor<2x3x4x10xf32>
}

// -----

// gemm with a runtime transposed b: the weights are copied as stored and
// transposed by the weight load; alpha (not foldable into runtime weights)
// scales the accumulator on the VPU; the sigmoid after it is fused.
// CHECK-LABEL: npu.layer "g" kind "nn.gemm" macs 120000 vector_ops 4800
// CHECK:       npu.dma_load %1[0x0] f32 -> {{.*}} extents [1, 1, 60, 50] dram_strides [0, 0, 50, 1]
// CHECK:       npu.mxu_load_weights {{.*}} k 50 n 60 row_stride 50 f32 transpose
// CHECK:       npu.vpu_binary mul {{.*}} broadcast scalar imm0 2.000000e+00
// CHECK:       npu.vpu_epilogue sigmoid
// CHECK-NOT:   kind "nn.sigmoid"
// TINY-LABEL:  npu.layer "g"
func.func @main(%a: tensor<40x50xf32>, %b: tensor<60x50xf32>) -> tensor<40x60xf32> {
  %g = nn.gemm %a, %b {alpha = 2.0 : f32, trans_b = true} : (tensor<40x50xf32>, tensor<60x50xf32>) -> tensor<40x60xf32> loc("g")
  %s = nn.sigmoid %g : tensor<40x60xf32> loc("s")
  return %s : tensor<40x60xf32>
}

// -----

// gemm with a constant b and c: alpha folds into the re-laid-out weights,
// beta * c becomes the epilogue's bias row: no VPU pass besides the
// epilogue.
// CHECK-LABEL: npu.layer "gc" kind "nn.gemm" macs 48 vector_ops 12
// CHECK-NOT:   npu.vpu_binary
// CHECK:       npu.vpu_epilogue none rows 3 cols 4 {{.*}} src1
// CHECK-NOT:   npu.vpu_binary
// TINY-LABEL:  npu.layer "gc"
func.func @main(%a: tensor<3x4xf32>) -> tensor<3x4xf32> {
  %b = nn.constant dense<1.0> : tensor<4x4xf32>
  %c = nn.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %g = nn.gemm %a, %b, %c {alpha = 3.0 : f32, beta = 0.5 : f32} : (tensor<3x4xf32>, tensor<4x4xf32>, tensor<4xf32>) -> tensor<3x4xf32> loc("gc")
  return %g : tensor<3x4xf32>
}
