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
