// Numerical check of nn-decompose: every function is evaluated in numpy
// before and after the pass on the same random inputs (standard normal
// times 3, so softmax's max shift and gelu's tails matter); the composite
// ops use independent reference formulas (see nn_eval_check.py). The nn
// constant folder cannot do this: it does not fold erf/exp/tanh/sqrt or
// reductions.
// RUN: npu-opt %s -nn-decompose -o %t.mlir
// RUN: %python %test_helpers/nn_eval_check.py %s %t.mlir | FileCheck %s
// The checker notices a wrong constant.
// RUN: sed 's/dense<5.000000e-01>/dense<5.100000e-01>/' %t.mlir > %t.bad.mlir
// RUN: not %python %test_helpers/nn_eval_check.py %s %t.bad.mlir | FileCheck %s --check-prefix=BAD

// BAD: gelu: MISMATCH

// CHECK: gelu: match
func.func @gelu(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.gelu %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
// CHECK: gelu_tanh: match
func.func @gelu_tanh(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.gelu %x {approximate = "tanh"} : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}
// CHECK: gelu_tanh_f16: match
func.func @gelu_tanh_f16(%x: tensor<16xf16>) -> tensor<16xf16> {
  %0 = nn.gelu %x {approximate = "tanh"} : tensor<16xf16>
  return %0 : tensor<16xf16>
}
// CHECK: softmax_last: match
func.func @softmax_last(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.softmax %x {axis = 2 : i64} : tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
// CHECK: softmax_middle: match
func.func @softmax_middle(%x: tensor<2x3x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.softmax %x {axis = 1 : i64} : tensor<2x3x5xf32>
  return %0 : tensor<2x3x5xf32>
}
// CHECK: log_softmax: match
func.func @log_softmax(%x: tensor<4x6xf32>) -> tensor<4x6xf32> {
  %0 = nn.log_softmax %x {axis = 1 : i64} : tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}
// CHECK: layer_norm: match
func.func @layer_norm(%x: tensor<2x3x8xf32>, %s: tensor<3x8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %0 = nn.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (tensor<2x3x8xf32>, tensor<3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}
// CHECK: layer_norm_last: match
func.func @layer_norm_last(%x: tensor<4x16xf32>, %s: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = nn.layer_norm %x, %s {axis = 1 : i64} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}
// Inference batch norm with runtime parameters (var = exp(v) > 0).
// CHECK: batch_norm: match
func.func @batch_norm(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %var = nn.exp %v : tensor<3xf32>
  %0 = nn.batch_norm %x, %s, %b, %m, %var {epsilon = 1.0e-3 : f32} : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}
// Training batch norm: the output and both running statistics.
// CHECK: batch_norm_train: match
func.func @batch_norm_train(%x: tensor<4x3x5x2xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> (tensor<4x3x5x2xf32>, tensor<3xf32>, tensor<3xf32>) {
  %var = nn.exp %v : tensor<3xf32>
  %r:3 = nn.batch_norm_train %x, %s, %b, %m, %var {momentum = 0.99 : f32} : (tensor<4x3x5x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x5x2xf32>, tensor<3xf32>, tensor<3xf32>)
  return %r#0, %r#1, %r#2 : tensor<4x3x5x2xf32>, tensor<3xf32>, tensor<3xf32>
}
// Rank 2 ([N, C], after a dense layer).
// CHECK: batch_norm_train_2d: match
func.func @batch_norm_train_2d(%x: tensor<8x5xf32>, %s: tensor<5xf32>, %b: tensor<5xf32>, %m: tensor<5xf32>, %v: tensor<5xf32>) -> (tensor<8x5xf32>, tensor<5xf32>, tensor<5xf32>) {
  %r:3 = nn.batch_norm_train %x, %s, %b, %m, %v : (tensor<8x5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) -> (tensor<8x5xf32>, tensor<5xf32>, tensor<5xf32>)
  return %r#0, %r#1, %r#2 : tensor<8x5xf32>, tensor<5xf32>, tensor<5xf32>
}
