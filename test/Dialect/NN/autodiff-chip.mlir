// The gradient function of a 2-layer MLP with sparse softmax cross-entropy
// compiles through the chip pipeline (fp32) and runs on the simulator; its
// loss and gradients match the float64 evaluation of the same IR.
// RUN: npu-opt --nn-autodiff --mlir-print-op-generic %s -o %t.mlir
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.dir | FileCheck %s
// CHECK: loss: ok
// CHECK: grad_arg0: ok
// CHECK: grad_arg1: ok
// CHECK: grad_arg2: ok
// CHECK: grad_arg3: ok

func.func @forward(%w1: tensor<6x5xf32>, %b1: tensor<5xf32>, %w2: tensor<5x4xf32>, %b2: tensor<4xf32>, %x: tensor<3x6xf32>, %labels: tensor<3xi64>) -> tensor<f32> {
  %h = nn.gemm %x, %w1, %b1 : (tensor<3x6xf32>, tensor<6x5xf32>, tensor<5xf32>) -> tensor<3x5xf32>
  %a = nn.relu %h : tensor<3x5xf32>
  %logits = nn.gemm %a, %w2, %b2 : (tensor<3x5xf32>, tensor<5x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %lsm = nn.log_softmax %logits {axis = 1 : i64} : tensor<3x4xf32>
  %column = nn.reshape %labels {shape = array<i64: 3, 1>} : (tensor<3xi64>) -> tensor<3x1xi64>
  %classes = nn.constant dense<[[0, 1, 2, 3]]> : tensor<1x4xi64>
  %hit = nn.equal %column, %classes : (tensor<3x1xi64>, tensor<1x4xi64>) -> tensor<3x4xi1>
  %onehot = nn.cast %hit : tensor<3x4xi1> to tensor<3x4xf32>
  %picked = nn.mul %lsm, %onehot : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %sum = nn.reduce_sum %picked {keepdims = false} : (tensor<3x4xf32>) -> tensor<f32>
  %scale = nn.constant dense<-0.333333343> : tensor<f32>
  %loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}
