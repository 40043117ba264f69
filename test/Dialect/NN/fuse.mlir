// RUN: npu-opt %s -nn-fuse | FileCheck %s
// Numerical check: every function evaluated in numpy before and after the
// pass on the same random inputs.
// RUN: npu-opt %s -nn-fuse -o %t.mlir
// RUN: %python %test_helpers/mxu_e2e_check.py fuse %s %t.mlir | FileCheck %s --check-prefix=NUMERIC
// The checker notices a wrong fold.
// RUN: sed 's/alpha = 5.000000e-01/alpha = 5.100000e-01/' %t.mlir > %t.bad.mlir
// RUN: not %python %test_helpers/mxu_e2e_check.py fuse %s %t.bad.mlir | FileCheck %s --check-prefix=BAD

// BAD: matmul_scale_bias: MISMATCH

// A 2-D matmul plus a constant row vector is a gemm with c.
// NUMERIC: matmul_bias: match
// CHECK-LABEL: func.func @matmul_bias(
// CHECK:      %[[C:.*]] = nn.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[G:.*]] = nn.gemm %arg0, %arg1, %[[C]] : (tensor<4x8xf32>, tensor<8x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: return %[[G]]
func.func @matmul_bias(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %c = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %m = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %y = nn.add %c, %m : (tensor<3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// A scalar multiple becomes alpha, then the [1, N] row becomes c.
// NUMERIC: matmul_scale_bias: match
// CHECK-LABEL: func.func @matmul_scale_bias(
// CHECK:      nn.gemm %arg0, %arg1, %{{.*}} {alpha = 5.000000e-01 : f32}
// CHECK-NOT:  nn.mul
// CHECK-NOT:  nn.add
func.func @matmul_scale_bias(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %s = nn.constant dense<0.5> : tensor<f32>
  %c = nn.constant dense<[[1.0, 2.0, 3.0]]> : tensor<1x3xf32>
  %m = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %x = nn.mul %s, %m : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %y = nn.add %x, %c : (tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}

// gemm with a constant c and beta 2, plus a row: c' = 2 * c + row, beta 1;
// a column c stays a column-shaped [M, N] constant.
// NUMERIC: gemm_merge_c: match
// CHECK-LABEL: func.func @gemm_merge_c(
// CHECK:      %[[C:.*]] = nn.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: nn.gemm %arg0, %arg1, %[[C]] {trans_b = true} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
// NUMERIC: gemm_column_c: match
// CHECK-LABEL: func.func @gemm_column_c(
// CHECK:      %[[C:.*]] = nn.constant dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00], [5.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: nn.gemm %arg0, %arg1, %[[C]] : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
func.func @gemm_merge_c(%a: tensor<3x4xf32>, %b: tensor<2x4xf32>) -> tensor<3x2xf32> {
  %c = nn.constant dense<[1.0, 1.5]> : tensor<2xf32>
  %r = nn.constant dense<1.0> : tensor<2xf32>
  %g = nn.gemm %a, %b, %c {beta = 2.0 : f32, trans_b = true} : (tensor<3x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  %y = nn.add %g, %r : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
func.func @gemm_column_c(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>) -> tensor<3x2xf32> {
  %c = nn.constant dense<[[0.0], [1.0], [2.0]]> : tensor<3x1xf32>
  %r = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %g = nn.gemm %a, %b, %c {beta = 2.0 : f32} : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<3x1xf32>) -> tensor<3x2xf32>
  %y = nn.add %r, %g : (tensor<2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// Dividing a gemm by 4 scales alpha and beta.
// NUMERIC: gemm_div: match
// CHECK-LABEL: func.func @gemm_div(
// CHECK:      nn.gemm %arg0, %arg1, %arg2 {alpha = 2.500000e-01 : f32, beta = 5.000000e-01 : f32}
// CHECK-NOT:  nn.div
func.func @gemm_div(%a: tensor<3x4xf32>, %b: tensor<4x2xf32>, %c: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %s = nn.constant dense<4.0> : tensor<1xf32>
  %g = nn.gemm %a, %b, %c {beta = 2.0 : f32} : (tensor<3x4xf32>, tensor<4x2xf32>, tensor<3x2xf32>) -> tensor<3x2xf32>
  %y = nn.div %g, %s : (tensor<3x2xf32>, tensor<1xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

// An N-d matmul with a constant b absorbs a scalar into b.
// NUMERIC: batched_scale: match
// CHECK-LABEL: func.func @batched_scale(
// CHECK:      %[[B:.*]] = nn.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [6.000000e+00, 8.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: nn.matmul %arg0, %[[B]] : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
// CHECK-NOT:  nn.mul
func.func @batched_scale(%a: tensor<2x3x2xf32>) -> tensor<2x3x2xf32> {
  %b = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %s = nn.constant dense<2.0> : tensor<f32>
  %m = nn.matmul %a, %b : (tensor<2x3x2xf32>, tensor<2x2xf32>) -> tensor<2x3x2xf32>
  %y = nn.mul %m, %s : (tensor<2x3x2xf32>, tensor<f32>) -> tensor<2x3x2xf32>
  return %y : tensor<2x3x2xf32>
}

// conv * per-channel scale then + per-channel shift: weights and bias
// scaled, the shift added to the bias.
// NUMERIC: conv_affine: match
// CHECK-LABEL: func.func @conv_affine(
// CHECK:      %[[W:.*]] = nn.constant dense<{{\[\[\[\[}}2.500000e-01]], {{\[\[}}2.500000e-01]]], {{\[\[\[}}-5.000000e-01]], {{\[\[}}-5.000000e-01]]]]> : tensor<2x2x1x1xf32>
// CHECK:      %[[B:.*]] = nn.constant dense<[2.000000e+00, -6.000000e+00]> : tensor<2xf32>
// CHECK:      nn.conv %arg0, %[[W]], %[[B]] {pads = array<i64: 1, 1, 1, 1>}
// CHECK-NOT:  nn.mul
// CHECK-NOT:  nn.add
func.func @conv_affine(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %w = nn.constant dense<0.25> : tensor<2x2x1x1xf32>
  %b = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %k = nn.constant dense<[[[1.0]], [[-2.0]]]> : tensor<2x1x1xf32>
  %c = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x5x5xf32>
  %m = nn.mul %c, %k : (tensor<1x2x5x5xf32>, tensor<2x1x1xf32>) -> tensor<1x2x5x5xf32>
  %y = nn.add %k, %m : (tensor<2x1x1xf32>, tensor<1x2x5x5xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}

// A conv without bias gets one from a [1, M, 1, 1] add.
// NUMERIC: conv_add_no_bias: match
// CHECK-LABEL: func.func @conv_add_no_bias(
// CHECK:      %[[B:.*]] = nn.constant dense<[5.000000e-01, -1.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: nn.conv %arg0, %{{.*}}, %[[B]]
func.func @conv_add_no_bias(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.constant dense<0.5> : tensor<2x2x1x1xf32>
  %k = nn.constant dense<[[[[0.5]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %c = nn.conv %x, %w : (tensor<1x2x3x3xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = nn.add %c, %k : (tensor<1x2x3x3xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// Left alone: a matmul with a second user, a full [M, N] addend, an N-d
// matmul plus a row (the kernel fuses that one itself), a constant divided
// by the product, a conv plus a spatially varying constant.
// NUMERIC: unchanged: match
// CHECK-LABEL: func.func @unchanged(
// CHECK-COUNT-2: nn.matmul
// CHECK:      nn.add
// CHECK:      nn.add
// CHECK:      nn.matmul
// CHECK-NEXT: nn.add
// CHECK:      nn.div
// CHECK:      nn.conv
// CHECK-NEXT: nn.add
// CHECK-NOT:  nn.gemm
func.func @unchanged(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %a3: tensor<2x4x8xf32>, %x: tensor<1x1x2x2xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<2x4x3xf32>, tensor<4x3xf32>, tensor<1x1x2x2xf32>) {
  %row = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %full = nn.constant dense<1.0> : tensor<4x3xf32>
  %m = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %m2 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %y = nn.add %m, %row : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
  %z = nn.add %m2, %full : (tensor<4x3xf32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %m3 = nn.matmul %a3, %b : (tensor<2x4x8xf32>, tensor<8x3xf32>) -> tensor<2x4x3xf32>
  %y3 = nn.add %m3, %row : (tensor<2x4x3xf32>, tensor<3xf32>) -> tensor<2x4x3xf32>
  %s = nn.constant dense<2.0> : tensor<f32>
  %m4 = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %d = nn.div %s, %m4 : (tensor<f32>, tensor<4x3xf32>) -> tensor<4x3xf32>
  %w = nn.constant dense<1.0> : tensor<1x1x1x1xf32>
  %sp = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = nn.conv %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %e = nn.add %c, %sp : (tensor<1x1x2x2xf32>, tensor<2x2xf32>) -> tensor<1x1x2x2xf32>
  return %m, %y, %z, %y3, %d, %e : tensor<4x3xf32>, tensor<4x3xf32>, tensor<4x3xf32>, tensor<2x4x3xf32>, tensor<4x3xf32>, tensor<1x1x2x2xf32>
}
