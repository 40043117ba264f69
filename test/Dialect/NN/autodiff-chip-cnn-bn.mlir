// The Keras-tutorial CNN with batch normalization (training mode, after
// each conv, Keras' momentum 0.99 and epsilon 1e-3) and dropout (0.5, after
// flatten): its gradient compiles through the chip pipeline and runs on the
// simulator. nn.batch_norm_train is decomposed into reductions and
// elementwise ops, nn.dropout draws its mask on the chip from the step seed
// (an i64 argument; the float64 evaluation uses the same generator). The
// parameters are the conv weights, the batch-norm scales and biases and the
// dense layers (not the running statistics, which the loss does not read).
// fp32: every output within 1e-5 of its largest magnitude (measured <=
// 2.3e-6: the batch-norm gradient subtracts means of products). bf16 is
// measured in docs/training.md.
// RUN: npu-opt '--nn-autodiff=params=0,1,2,5,6,7,10,11,12,13' --mlir-print-op-generic %s -o %t.mlir
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.tiny --target npu-tiny --init fan-in --rtol 1e-5 | FileCheck %s
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.base --target npu-base --init fan-in --rtol 1e-5 | FileCheck %s
// CHECK: loss: ok
// CHECK: grad_arg0: ok
// CHECK: grad_arg1: ok
// CHECK: grad_arg2: ok
// CHECK: grad_arg5: ok
// CHECK: grad_arg6: ok
// CHECK: grad_arg7: ok
// CHECK: grad_arg10: ok
// CHECK: grad_arg11: ok
// CHECK: grad_arg12: ok
// CHECK: grad_arg13: ok

func.func @forward(%w1: tensor<32x1x3x3xf32>, %g1: tensor<32xf32>, %be1: tensor<32xf32>, %rm1: tensor<32xf32>, %rv1: tensor<32xf32>,
                    %w2: tensor<64x32x3x3xf32>, %g2: tensor<64xf32>, %be2: tensor<64xf32>, %rm2: tensor<64xf32>, %rv2: tensor<64xf32>,
                    %w3: tensor<1600x128xf32>, %b3: tensor<128xf32>, %w4: tensor<128x10xf32>, %b4: tensor<10xf32>,
                    %seed: tensor<i64>, %x: tensor<4x1x28x28xf32>, %labels: tensor<4xi64>) -> tensor<f32> {
  %c1 = nn.conv %x, %w1 : (tensor<4x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<4x32x26x26xf32>
  %n1:3 = nn.batch_norm_train %c1, %g1, %be1, %rm1, %rv1 {momentum = 0.99 : f32, epsilon = 1.0e-3 : f32} : (tensor<4x32x26x26xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> (tensor<4x32x26x26xf32>, tensor<32xf32>, tensor<32xf32>)
  %r1 = nn.relu %n1#0 : tensor<4x32x26x26xf32>
  %p1 = nn.max_pool %r1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<4x32x26x26xf32>) -> tensor<4x32x13x13xf32>
  %c2 = nn.conv %p1, %w2 : (tensor<4x32x13x13xf32>, tensor<64x32x3x3xf32>) -> tensor<4x64x11x11xf32>
  %n2:3 = nn.batch_norm_train %c2, %g2, %be2, %rm2, %rv2 {momentum = 0.99 : f32, epsilon = 1.0e-3 : f32} : (tensor<4x64x11x11xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<4x64x11x11xf32>, tensor<64xf32>, tensor<64xf32>)
  %r2 = nn.relu %n2#0 : tensor<4x64x11x11xf32>
  %p2 = nn.max_pool %r2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<4x64x11x11xf32>) -> tensor<4x64x5x5xf32>
  %f = nn.flatten %p2 {axis = 1 : i64} : (tensor<4x64x5x5xf32>) -> tensor<4x1600xf32>
  %d = nn.dropout %f, %seed {ratio = 0.5 : f32, key = 1} : (tensor<4x1600xf32>, tensor<i64>) -> tensor<4x1600xf32>
  %h = nn.gemm %d, %w3, %b3 : (tensor<4x1600xf32>, tensor<1600x128xf32>, tensor<128xf32>) -> tensor<4x128xf32>
  %a = nn.relu %h : tensor<4x128xf32>
  %logits = nn.gemm %a, %w4, %b4 : (tensor<4x128xf32>, tensor<128x10xf32>, tensor<10xf32>) -> tensor<4x10xf32>
  %lsm = nn.log_softmax %logits {axis = 1 : i64} : tensor<4x10xf32>
  %column = nn.reshape %labels {shape = array<i64: 4, 1>} : (tensor<4xi64>) -> tensor<4x1xi64>
  %classes = nn.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]> : tensor<1x10xi64>
  %hit = nn.equal %column, %classes : (tensor<4x1xi64>, tensor<1x10xi64>) -> tensor<4x10xi1>
  %onehot = nn.cast %hit : tensor<4x10xi1> to tensor<4x10xf32>
  %picked = nn.mul %lsm, %onehot : (tensor<4x10xf32>, tensor<4x10xf32>) -> tensor<4x10xf32>
  %sum = nn.reduce_sum %picked {keepdims = false} : (tensor<4x10xf32>) -> tensor<f32>
  %scale = nn.constant dense<-0.25> : tensor<f32>
  %loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %loss : tensor<f32>
}
