// RUN: npu-opt --nn-params-to-state --split-input-file --verify-diagnostics %s | FileCheck %s

// Initializer constants become state arguments named after the initializer,
// with their value as the initial value; float weights are trainable, the
// running statistics of a batch_norm are not; a non-float initializer and
// constants the importer computed (no nn.initializer) stay constants.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<1x2x2x2xf32> {nn.name = "x"},
// CHECK-SAME:    %[[W:.*]]: tensor<2x2xf32> {nn.initial_value = dense<{{\[\[}}1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>, nn.name = "fc.weight", nn.state, nn.trainable},
// CHECK-SAME:    %[[SCALE:.*]]: tensor<2xf32> {nn.initial_value = dense<1.000000e+00> : tensor<2xf32>, nn.name = "bn.weight", nn.state, nn.trainable},
// CHECK-SAME:    %[[BIAS:.*]]: tensor<2xf32> {nn.initial_value = dense<0.000000e+00> : tensor<2xf32>, nn.name = "bn.bias", nn.state, nn.trainable},
// CHECK-SAME:    %[[MEAN:.*]]: tensor<2xf32> {nn.initial_value = dense<5.000000e-01> : tensor<2xf32>, nn.name = "bn.running_mean", nn.state},
// CHECK-SAME:    %[[VAR:.*]]: tensor<2xf32> {nn.initial_value = dense<2.000000e+00> : tensor<2xf32>, nn.name = "bn.running_var", nn.state})
// CHECK:         %[[IDX:.*]] = nn.constant {nn.initializer = "idx"} dense<[1, 0]> : tensor<2xi64>
// CHECK:         %[[HALF:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK:         nn.batch_norm %[[X]], %[[SCALE]], %[[BIAS]], %[[MEAN]], %[[VAR]]
// CHECK:         nn.matmul %{{.*}}, %[[W]]
// CHECK:         nn.gather %{{.*}}, %[[IDX]]
// CHECK:         nn.mul %{{.*}}, %[[HALF]]
func.func @main(%x: tensor<1x2x2x2xf32> {nn.name = "x"}) -> tensor<1x2x2x2xf32> {
  %w = nn.constant {nn.initializer = "fc.weight"} dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %scale = nn.constant {nn.initializer = "bn.weight"} dense<1.0> : tensor<2xf32>
  %bias = nn.constant {nn.initializer = "bn.bias"} dense<0.0> : tensor<2xf32>
  %mean = nn.constant {nn.initializer = "bn.running_mean"} dense<0.5> : tensor<2xf32>
  %var = nn.constant {nn.initializer = "bn.running_var"} dense<2.0> : tensor<2xf32>
  %idx = nn.constant {nn.initializer = "idx"} dense<[1, 0]> : tensor<2xi64>
  %half = nn.constant dense<0.5> : tensor<f32>
  %n = nn.batch_norm %x, %scale, %bias, %mean, %var : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %m = nn.matmul %n, %w : (tensor<1x2x2x2xf32>, tensor<2x2xf32>) -> tensor<1x2x2x2xf32>
  %g = nn.gather %m, %idx {axis = 3 : i64} : (tensor<1x2x2x2xf32>, tensor<2xi64>) -> tensor<1x2x2x2xf32>
  %y = nn.mul %g, %half : (tensor<1x2x2x2xf32>, tensor<f32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// The running statistics of a training batch norm are state, not trainable
// (nn-training-state stores its new statistics back).
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    {nn.initial_value = dense<1.000000e+00> : tensor<2xf32>, nn.name = "bn.weight", nn.state, nn.trainable},
// CHECK-SAME:    {nn.initial_value = dense<0.000000e+00> : tensor<2xf32>, nn.name = "bn.bias", nn.state, nn.trainable},
// CHECK-SAME:    {nn.initial_value = dense<5.000000e-01> : tensor<2xf32>, nn.name = "bn.running_mean", nn.state},
// CHECK-SAME:    {nn.initial_value = dense<2.000000e+00> : tensor<2xf32>, nn.name = "bn.running_var", nn.state})
func.func @main(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %scale = nn.constant {nn.initializer = "bn.weight"} dense<1.0> : tensor<2xf32>
  %bias = nn.constant {nn.initializer = "bn.bias"} dense<0.0> : tensor<2xf32>
  %mean = nn.constant {nn.initializer = "bn.running_mean"} dense<0.5> : tensor<2xf32>
  %var = nn.constant {nn.initializer = "bn.running_var"} dense<2.0> : tensor<2xf32>
  %y, %m, %v = nn.batch_norm_train %x, %scale, %bias, %mean, %var : (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> (tensor<3x2xf32>, tensor<2xf32>, tensor<2xf32>)
  return %y : tensor<3x2xf32>
}

// -----

// A dense_resource weight keeps its blob (not copied) as the initial value.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    {nn.initial_value = dense_resource<w_blob> : tensor<2xf32>, nn.name = "w", nn.state, nn.trainable}
func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
  %w = nn.constant {nn.initializer = "w"} dense_resource<w_blob> : tensor<2xf32>
  %y = nn.add %x, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w_blob: "0x040000000000803F00000040"
    }
  }
#-}

// -----

func.func @main(%x: tensor<2xf32> {nn.name = "w"}) -> tensor<2xf32> {
  // expected-error @below {{nn-params-to-state: parameter 'w' has the name of another argument of @main}}
  %w = nn.constant {nn.initializer = "w"} dense<1.0> : tensor<2xf32>
  %y = nn.add %x, %w : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// expected-error @below {{nn-params-to-state: no func.func @main with a body}}
module {
  func.func @forward(%x: tensor<2xf32>) -> tensor<2xf32> {
    return %x : tensor<2xf32>
  }
}
