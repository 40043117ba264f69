// The shape of nn-autodiff's output: @forward kept, @forward_grad with the
// same arguments returning (loss, gradients in `params` order), result names,
// a zero gradient for a parameter the loss does not use, parameters selected
// by nn.name, unused rule outputs removed (no gradient for %x or %labels).
// Gradient ops that do not depend on a parameter (the zero gradient, the
// loss's seed) move up to their operands: the chip has them ready.
// RUN: npu-opt '--nn-autodiff=params=w2,0,unused' %s | FileCheck %s
// RUN: npu-opt --nn-autodiff %s | FileCheck %s --check-prefix=DEFAULT

// CHECK-LABEL: func.func @forward(
// CHECK:         nn.gemm
// CHECK-NOT:     nn.transpose
// CHECK:         return %{{.*}} : tensor<f32>
// CHECK-LABEL: func.func @forward_grad(
// CHECK-SAME:    %[[W1:.*]]: tensor<4x3xf32> {nn.name = "w1"}, %[[W2:.*]]: tensor<3x2xf32> {nn.name = "w2"}, %[[U:.*]]: tensor<5xf32> {nn.name = "unused"}, %[[X:.*]]: tensor<2x4xf32>, %[[T:.*]]: tensor<2x2xf32>)
// CHECK-SAME:    -> (tensor<f32> {nn.name = "loss"}, tensor<3x2xf32> {nn.name = "grad_w2"}, tensor<4x3xf32> {nn.name = "grad_w1"}, tensor<5xf32> {nn.name = "grad_unused"})
// CHECK-NEXT:    %[[ZERO:.*]] = nn.constant dense<0.000000e+00> : tensor<5xf32>
// CHECK:         %[[SEED:.*]] = nn.expand %{{.*}} {shape = array<i64: 2, 2>}
// CHECK-NEXT:    %[[H:.*]] = nn.gemm %[[X]], %[[W1]]
// CHECK:         %[[A:.*]] = nn.relu %[[H]]
// CHECK:         %[[LOSS:.*]] = nn.reduce_mean
// CHECK:         %[[AT:.*]] = nn.transpose %[[A]] {perm = array<i64: 1, 0>}
// CHECK:         %[[GW2:.*]] = nn.matmul %[[AT]], %{{.*}} : (tensor<3x2xf32>, tensor<2x2xf32>) -> tensor<3x2xf32>
// CHECK:         %[[GW1:.*]] = nn.gemm %[[X]], %{{.*}} {beta = 0.000000e+00 : f32, trans_a = true} : (tensor<2x4xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK:         return %[[LOSS]], %[[GW2]], %[[GW1]], %[[ZERO]]

// By default the parameters are every float argument but the last two.
// DEFAULT-LABEL: func.func @forward_grad(
// DEFAULT-SAME:    -> (tensor<f32> {nn.name = "loss"}, tensor<4x3xf32> {nn.name = "grad_w1"}, tensor<3x2xf32> {nn.name = "grad_w2"}, tensor<5xf32> {nn.name = "grad_unused"})
func.func @forward(%w1: tensor<4x3xf32> {nn.name = "w1"}, %w2: tensor<3x2xf32> {nn.name = "w2"},
                   %unused: tensor<5xf32> {nn.name = "unused"},
                   %x: tensor<2x4xf32>, %t: tensor<2x2xf32>) -> tensor<f32> {
  %h = nn.gemm %x, %w1 : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %a = nn.relu %h : tensor<2x3xf32>
  %y = nn.matmul %a, %w2 : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %d = nn.sub %y, %t : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %sq = nn.mul %d, %d : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %loss = nn.reduce_mean %sq {keepdims = false} : (tensor<2x2xf32>) -> tensor<f32>
  return %loss : tensor<f32>
}
