// The gradient function of the Keras-tutorial CNN (conv3x3 32 + relu +
// maxpool 2 + conv3x3 64 + relu + maxpool 2 + flatten + dense 128 + relu +
// dense 10, sparse softmax cross-entropy) on a batch of 4 28x28 images
// compiles through the chip pipeline and runs on the simulator: the conv
// input gradient and the max-pool spreads are nn.conv_transpose, the weight
// gradients runtime-weight convs whose kernel is the output gradient (26x26
// and 11x11). Loss and all 8 gradients match the float64 evaluation of the
// same IR: fp32 within 1e-6 of the largest magnitude on npu-tiny (many
// tiles) and npu-base; bf16 within 0.2 relative L2 (measured: loss 4e-3,
// dense gradients 3e-3, conv gradients ~0.1 -- activations rounded to bf16
// move max-pool arguments and relu signs, docs/training.md).
// RUN: npu-opt --nn-autodiff --mlir-print-op-generic %s -o %t.mlir
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.tiny --target npu-tiny --init fan-in --rtol 1e-6 | FileCheck %s
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.base --target npu-base --init fan-in --rtol 1e-6 | FileCheck %s
// RUN: %python %test_helpers/grad_chip_check.py %t.mlir %t.bf16 --target npu-base --precision bf16 --init fan-in --metric l2 --rtol 0.2 | FileCheck %s
// CHECK: loss: ok
// CHECK: grad_arg0: ok
// CHECK: grad_arg1: ok
// CHECK: grad_arg2: ok
// CHECK: grad_arg3: ok
// CHECK: grad_arg4: ok
// CHECK: grad_arg5: ok
// CHECK: grad_arg6: ok
// CHECK: grad_arg7: ok

func.func @forward(%w1: tensor<32x1x3x3xf32>, %b1: tensor<32xf32>,
                    %w2: tensor<64x32x3x3xf32>, %b2: tensor<64xf32>,
                    %w3: tensor<1600x128xf32>, %b3: tensor<128xf32>,
                    %w4: tensor<128x10xf32>, %b4: tensor<10xf32>,
                    %x: tensor<4x1x28x28xf32>, %labels: tensor<4xi64>) -> tensor<f32> {
  %c1 = nn.conv %x, %w1, %b1 : (tensor<4x1x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<4x32x26x26xf32>
  %r1 = nn.relu %c1 : tensor<4x32x26x26xf32>
  %p1 = nn.max_pool %r1 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<4x32x26x26xf32>) -> tensor<4x32x13x13xf32>
  %c2 = nn.conv %p1, %w2, %b2 : (tensor<4x32x13x13xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<4x64x11x11xf32>
  %r2 = nn.relu %c2 : tensor<4x64x11x11xf32>
  %p2 = nn.max_pool %r2 {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<4x64x11x11xf32>) -> tensor<4x64x5x5xf32>
  %f = nn.flatten %p2 {axis = 1 : i64} : (tensor<4x64x5x5xf32>) -> tensor<4x1600xf32>
  %h = nn.gemm %f, %w3, %b3 : (tensor<4x1600xf32>, tensor<1600x128xf32>, tensor<128xf32>) -> tensor<4x128xf32>
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
