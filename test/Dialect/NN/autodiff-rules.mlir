// One module per VJP rule or configuration; loss = sum(y * r) with r random,
// so the gradient reaching y is r (not all ones).
// RUN: npu-opt --split-input-file --nn-autodiff --mlir-print-op-generic %s \
// RUN:   | %python %test_helpers/grad_check.py | FileCheck %s

// relu
// CHECK: module 0: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.relu %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// leaky_relu
// CHECK: module 1: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.leaky_relu %p0 {alpha = 0.2 : f32} : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// sigmoid
// CHECK: module 2: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.sigmoid %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// tanh
// CHECK: module 3: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.tanh %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gelu (erf)
// CHECK: module 4: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.gelu %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gelu (tanh)
// CHECK: module 5: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.gelu %p0 {approximate = "tanh"} : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// exp
// CHECK: module 6: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.exp %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// neg
// CHECK: module 7: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.neg %p0 : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// softmax axis 1
// CHECK: module 8: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.softmax %p0 {axis = 1 : i64} : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// softmax axis 0
// CHECK: module 9: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.softmax %p0 {axis = 0 : i64} : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// log_softmax
// CHECK: module 10: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.log_softmax %p0 {axis = 1 : i64} : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// log (positive input via exp)
// CHECK: module 11: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %e = nn.exp %p0 : tensor<3x4xf32>
  %y = nn.log %e : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// sqrt (positive input via exp)
// CHECK: module 12: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %e = nn.exp %p0 : tensor<3x4xf32>
  %y = nn.sqrt %e : tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// add with broadcasting of both operands
// CHECK: module 13: ok
func.func @forward(%p0: tensor<2x1x4xf32>, %p1: tensor<3x1xf32>, %x: tensor<1xf32>, %r: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.add %p0, %p1 : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// sub with broadcasting of both operands
// CHECK: module 14: ok
func.func @forward(%p0: tensor<2x1x4xf32>, %p1: tensor<3x1xf32>, %x: tensor<1xf32>, %r: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.sub %p0, %p1 : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// mul with broadcasting of both operands
// CHECK: module 15: ok
func.func @forward(%p0: tensor<2x1x4xf32>, %p1: tensor<3x1xf32>, %x: tensor<1xf32>, %r: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.mul %p0, %p1 : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// div with broadcasting of both operands
// CHECK: module 16: ok
func.func @forward(%p0: tensor<2x1x4xf32>, %p1: tensor<3x1xf32>, %x: tensor<1xf32>, %r: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.div %p0, %p1 : (tensor<2x1x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// mul of a value by itself (gradient accumulation)
// CHECK: module 17: ok
func.func @forward(%p0: tensor<3x4xf32>, %x: tensor<1xf32>, %r: tensor<3x4xf32>) -> tensor<f32> {
  %y = nn.mul %p0, %p0 : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// reduce_sum axes 1 no keepdims
// CHECK: module 18: ok
func.func @forward(%p0: tensor<2x3x4xf32>, %x: tensor<1xf32>, %r: tensor<2x4xf32>) -> tensor<f32> {
  %y = nn.reduce_sum %p0 {axes = array<i64: 1>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<2x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// reduce_mean all axes keepdims
// CHECK: module 19: ok
func.func @forward(%p0: tensor<2x3x4xf32>, %x: tensor<1xf32>, %r: tensor<1x1x1xf32>) -> tensor<f32> {
  %y = nn.reduce_mean %p0 : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %prod = nn.mul %y, %r : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x1x1xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// matmul 2-D
// CHECK: module 20: ok
func.func @forward(%p0: tensor<3x4xf32>, %p1: tensor<4x5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.matmul %p0, %p1 : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// matmul batched with broadcast batch
// CHECK: module 21: ok
func.func @forward(%p0: tensor<2x1x3x4xf32>, %p1: tensor<3x4x5xf32>, %x: tensor<1xf32>, %r: tensor<2x3x3x5xf32>) -> tensor<f32> {
  %y = nn.matmul %p0, %p1 : (tensor<2x1x3x4xf32>, tensor<3x4x5xf32>) -> tensor<2x3x3x5xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x3x5xf32>, tensor<2x3x3x5xf32>) -> tensor<2x3x3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm trans_a=False trans_b=False alpha=0.5 beta=2 c=[5]
// CHECK: module 22: ok
func.func @forward(%p0: tensor<3x4xf32>, %p1: tensor<4x5xf32>, %p2: tensor<5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1, %p2 {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = false, trans_b = false} : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm trans_a=False trans_b=True alpha=0.5 beta=2 c=[5]
// CHECK: module 23: ok
func.func @forward(%p0: tensor<3x4xf32>, %p1: tensor<5x4xf32>, %p2: tensor<5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1, %p2 {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = false, trans_b = true} : (tensor<3x4xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm trans_a=True trans_b=False alpha=0.5 beta=2 c=[5]
// CHECK: module 24: ok
func.func @forward(%p0: tensor<4x3xf32>, %p1: tensor<4x5xf32>, %p2: tensor<5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1, %p2 {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = true, trans_b = false} : (tensor<4x3xf32>, tensor<4x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm trans_a=True trans_b=True alpha=0.5 beta=2 c=[5]
// CHECK: module 25: ok
func.func @forward(%p0: tensor<4x3xf32>, %p1: tensor<5x4xf32>, %p2: tensor<5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1, %p2 {alpha = 0.5 : f32, beta = 2.0 : f32, trans_a = true, trans_b = true} : (tensor<4x3xf32>, tensor<5x4xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm with c [3x1] and no attributes
// CHECK: module 26: ok
func.func @forward(%p0: tensor<3x4xf32>, %p1: tensor<4x5xf32>, %p2: tensor<3x1xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1, %p2 : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<3x1xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// gemm without c
// CHECK: module 27: ok
func.func @forward(%p0: tensor<3x4xf32>, %p1: tensor<4x5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.gemm %p0, %p1 : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// reshape + flatten + transpose
// CHECK: module 28: ok
func.func @forward(%p0: tensor<2x3x4xf32>, %x: tensor<1xf32>, %r: tensor<4x6xf32>) -> tensor<f32> {
  %a = nn.transpose %p0 {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %b = nn.reshape %a {shape = array<i64: 8, 3>} : (tensor<4x2x3xf32>) -> tensor<8x3xf32>
  %c = nn.reshape %b {shape = array<i64: 2, 2, 6>} : (tensor<8x3xf32>) -> tensor<2x2x6xf32>
  %y = nn.flatten %c {axis = 2 : i64} : (tensor<2x2x6xf32>) -> tensor<4x6xf32>
  %prod = nn.mul %y, %r : (tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<4x6xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<4x6xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// concat of two parameters and a slice
// CHECK: module 29: ok
func.func @forward(%p0: tensor<2x3xf32>, %p1: tensor<2x2xf32>, %x: tensor<1xf32>, %r: tensor<1x6xf32>) -> tensor<f32> {
  %c = nn.concat %p0, %p1, %p0 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x2xf32>, tensor<2x3xf32>) -> tensor<2x8xf32>
  %y = nn.slice %c {starts = array<i64: 1, 0>, ends = array<i64: 7, 1>, axes = array<i64: 1, 0>} : (tensor<2x8xf32>) -> tensor<1x6xf32>
  %prod = nn.mul %y, %r : (tensor<1x6xf32>, tensor<1x6xf32>) -> tensor<1x6xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x6xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// layer_norm axis 1 with scale and bias
// CHECK: module 30: ok
func.func @forward(%p0: tensor<2x3x4xf32>, %p1: tensor<3x4xf32>, %p2: tensor<4xf32>, %x: tensor<1xf32>, %r: tensor<2x3x4xf32>) -> tensor<f32> {
  %y = nn.layer_norm %p0, %p1, %p2 {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// layer_norm last axis, no bias
// CHECK: module 31: ok
func.func @forward(%p0: tensor<3x5xf32>, %p1: tensor<5xf32>, %x: tensor<1xf32>, %r: tensor<3x5xf32>) -> tensor<f32> {
  %y = nn.layer_norm %p0, %p1 {axis = 1 : i64, epsilon = 0.001 : f32} : (tensor<3x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %prod = nn.mul %y, %r : (tensor<3x5xf32>, tensor<3x5xf32>) -> tensor<3x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// batch_norm (inference semantics) w.r.t. all five operands (var = exp(p4) > 0)
// CHECK: module 32: ok
func.func @forward(%p0: tensor<2x3x2x2xf32>, %p1: tensor<3xf32>, %p2: tensor<3xf32>, %p3: tensor<3xf32>, %p4: tensor<3xf32>, %x: tensor<1xf32>, %r: tensor<2x3x2x2xf32>) -> tensor<f32> {
  %v = nn.exp %p4 : tensor<3xf32>
  %y = nn.batch_norm %p0, %p1, %p2, %p3, %v {epsilon = 0.01 : f32} : (tensor<2x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x2x2xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x2x2xf32>, tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// global_avg_pool
// CHECK: module 33: ok
func.func @forward(%p0: tensor<2x3x2x4xf32>, %x: tensor<1xf32>, %r: tensor<2x3x1x1xf32>) -> tensor<f32> {
  %y = nn.global_avg_pool %p0 : (tensor<2x3x2x4xf32>) -> tensor<2x3x1x1xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x1x1xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv 2-D stride 2, pads 1, bias
// CHECK: module 34: ok
func.func @forward(%p0: tensor<2x3x5x5xf32>, %p1: tensor<4x3x3x3xf32>, %p2: tensor<4xf32>, %x: tensor<1xf32>, %r: tensor<2x4x3x3xf32>) -> tensor<f32> {
  %y = nn.conv %p0, %p1, %p2 {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x3x5x5xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  %prod = nn.mul %y, %r : (tensor<2x4x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<2x4x3x3xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x4x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv 2-D stride 2 dropping the last input row/column (output_padding 1)
// CHECK: module 35: ok
func.func @forward(%p0: tensor<1x2x6x6xf32>, %p1: tensor<3x2x3x3xf32>, %x: tensor<1xf32>, %r: tensor<1x3x2x2xf32>) -> tensor<f32> {
  %y = nn.conv %p0, %p1 {strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x2x2xf32>
  %prod = nn.mul %y, %r : (tensor<1x3x2x2xf32>, tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x3x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv 2-D group 2, dilation 2, pads 2
// CHECK: module 36: ok
func.func @forward(%p0: tensor<2x4x6x6xf32>, %p1: tensor<6x2x2x3xf32>, %x: tensor<1xf32>, %r: tensor<2x6x8x6xf32>) -> tensor<f32> {
  %y = nn.conv %p0, %p1 {group = 2 : i64, dilations = array<i64: 2, 2>, pads = array<i64: 2, 2, 2, 2>} : (tensor<2x4x6x6xf32>, tensor<6x2x2x3xf32>) -> tensor<2x6x8x6xf32>
  %prod = nn.mul %y, %r : (tensor<2x6x8x6xf32>, tensor<2x6x8x6xf32>) -> tensor<2x6x8x6xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x6x8x6xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv 2-D depthwise (group = C = 3), stride 2, pads 1
// CHECK: module 37: ok
func.func @forward(%p0: tensor<1x3x5x5xf32>, %p1: tensor<3x1x3x3xf32>, %p2: tensor<3xf32>, %x: tensor<1xf32>, %r: tensor<1x3x3x3xf32>) -> tensor<f32> {
  %y = nn.conv %p0, %p1, %p2 {group = 3 : i64, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x5x5xf32>, tensor<3x1x3x3xf32>, tensor<3xf32>) -> tensor<1x3x3x3xf32>
  %prod = nn.mul %y, %r : (tensor<1x3x3x3xf32>, tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x3x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// conv 1-D stride 3
// CHECK: module 38: ok
func.func @forward(%p0: tensor<2x2x10xf32>, %p1: tensor<3x2x4xf32>, %x: tensor<1xf32>, %r: tensor<2x3x3xf32>) -> tensor<f32> {
  %y = nn.conv %p0, %p1 {strides = array<i64: 3>} : (tensor<2x2x10xf32>, tensor<3x2x4xf32>) -> tensor<2x3x3xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x3xf32>, tensor<2x3x3xf32>) -> tensor<2x3x3xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// avg_pool 2x2 stride 2
// CHECK: module 39: ok
func.func @forward(%p0: tensor<2x3x4x4xf32>, %x: tensor<1xf32>, %r: tensor<2x3x2x2xf32>) -> tensor<f32> {
  %y = nn.avg_pool %p0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x2x2xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x2x2xf32>, tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// avg_pool 3x3 stride 1 pads 1 (divisor = in-bounds taps)
// CHECK: module 40: ok
func.func @forward(%p0: tensor<1x2x4x5xf32>, %x: tensor<1xf32>, %r: tensor<1x2x4x5xf32>) -> tensor<f32> {
  %y = nn.avg_pool %p0 {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x5xf32>) -> tensor<1x2x4x5xf32>
  %prod = nn.mul %y, %r : (tensor<1x2x4x5xf32>, tensor<1x2x4x5xf32>) -> tensor<1x2x4x5xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x2x4x5xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// avg_pool 3x3 stride 2 pads 1 count_include_pad, odd size (output_padding)
// CHECK: module 41: ok
func.func @forward(%p0: tensor<1x2x6x6xf32>, %x: tensor<1xf32>, %r: tensor<1x2x3x3xf32>) -> tensor<f32> {
  %y = nn.avg_pool %p0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  %prod = nn.mul %y, %r : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x2x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool 2x2 stride 2
// CHECK: module 42: ok
func.func @forward(%p0: tensor<2x3x4x4xf32>, %x: tensor<1xf32>, %r: tensor<2x3x2x2xf32>) -> tensor<f32> {
  %y = nn.max_pool %p0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x3x4x4xf32>) -> tensor<2x3x2x2xf32>
  %prod = nn.mul %y, %r : (tensor<2x3x2x2xf32>, tensor<2x3x2x2xf32>) -> tensor<2x3x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x3x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool 2x2 stride 2 on 5x5 (last row/column dropped)
// CHECK: module 43: ok
func.func @forward(%p0: tensor<1x2x5x5xf32>, %x: tensor<1xf32>, %r: tensor<1x2x2x2xf32>) -> tensor<f32> {
  %y = nn.max_pool %p0 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x5x5xf32>) -> tensor<1x2x2x2xf32>
  %prod = nn.mul %y, %r : (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x2x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool 3x3 stride 2 pad 1 (overlapping windows: a sum over the kernel
// positions of one-hot spreads)
// CHECK: module 44: ok
func.func @forward(%p0: tensor<1x2x6x6xf32>, %x: tensor<1xf32>, %r: tensor<1x2x3x3xf32>) -> tensor<f32> {
  %y = nn.max_pool %p0 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  %prod = nn.mul %y, %r : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<1x2x3x3xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// max_pool 2x2 stride 1 (overlapping, no padding)
// CHECK: module 45: ok
func.func @forward(%p0: tensor<2x1x4x5xf32>, %x: tensor<1xf32>, %r: tensor<2x1x3x4xf32>) -> tensor<f32> {
  %y = nn.max_pool %p0 {kernel_shape = array<i64: 2, 2>} : (tensor<2x1x4x5xf32>) -> tensor<2x1x3x4xf32>
  %prod = nn.mul %y, %r : (tensor<2x1x3x4xf32>, tensor<2x1x3x4xf32>) -> tensor<2x1x3x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<2x1x3x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// batch_norm_train: the output (batch statistics) w.r.t. x, scale, bias
// CHECK: module 46: ok
func.func @forward(%p0: tensor<4x3x2x2xf32>, %p1: tensor<3xf32>, %p2: tensor<3xf32>, %x: tensor<1xf32>, %r: tensor<4x3x2x2xf32>) -> tensor<f32> {
  %mean = nn.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
  %var = nn.constant dense<[1.0, 2.0, 0.5]> : tensor<3xf32>
  %y:3 = nn.batch_norm_train %p0, %p1, %p2, %mean, %var {epsilon = 0.01 : f32} : (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>)
  %prod = nn.mul %y#0, %r : (tensor<4x3x2x2xf32>, tensor<4x3x2x2xf32>) -> tensor<4x3x2x2xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<4x3x2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// batch_norm_train: a loss that also reads the updated running statistics
// (every operand gets a gradient: x through the batch statistics, the old
// statistics through momentum), rank 2
// CHECK: module 47: ok
func.func @forward(%p0: tensor<6x3xf32>, %p1: tensor<3xf32>, %p2: tensor<3xf32>, %p3: tensor<3xf32>, %p4: tensor<3xf32>, %r1: tensor<3xf32>, %r2: tensor<3xf32>, %x: tensor<1xf32>, %r: tensor<6x3xf32>) -> tensor<f32> {
  %var = nn.exp %p4 : tensor<3xf32>
  %y:3 = nn.batch_norm_train %p0, %p1, %p2, %p3, %var {momentum = 0.8 : f32} : (tensor<6x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<6x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %prod = nn.mul %y#0, %r : (tensor<6x3xf32>, tensor<6x3xf32>) -> tensor<6x3xf32>
  %l0 = nn.reduce_sum %prod {keepdims = false} : (tensor<6x3xf32>) -> tensor<f32>
  %m = nn.mul %y#1, %r1 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %l1 = nn.reduce_sum %m {keepdims = false} : (tensor<3xf32>) -> tensor<f32>
  %v = nn.mul %y#2, %r2 : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %l2 = nn.reduce_sum %v {keepdims = false} : (tensor<3xf32>) -> tensor<f32>
  %l01 = nn.add %l0, %l1 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %loss = nn.add %l01, %l2 : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}

// -----

// dropout (ratio 0.4, integer seed): the gradient is the same dropout of g
// CHECK: module 48: ok
func.func @forward(%p0: tensor<3x5x4xf32>, %seed: tensor<i64>, %r: tensor<3x5x4xf32>) -> tensor<f32> {
  %y = nn.dropout %p0, %seed {ratio = 0.4 : f32, key = 3} : (tensor<3x5x4xf32>, tensor<i64>) -> tensor<3x5x4xf32>
  %prod = nn.mul %y, %r : (tensor<3x5x4xf32>, tensor<3x5x4xf32>) -> tensor<3x5x4xf32>
  %loss = nn.reduce_sum %prod {keepdims = false} : (tensor<3x5x4xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
