// RUN: npu-opt --nn-training-state --split-input-file --verify-diagnostics %s | FileCheck %s

// A training batch norm whose running statistics are state stores its new
// statistics back (results marked nn.state after the existing ones); the
// dropout seed argument becomes the state counter `dropout.step` (f32 [1],
// 0 initially), read as the seed of every dropout and incremented.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<4x3xf32> {nn.name = "x"},
// CHECK-SAME:    %[[SCALE:[^:]*]]: tensor<3xf32> {nn.name = "bn.gamma", nn.state, nn.trainable},
// CHECK-SAME:    %[[BIAS:[^:]*]]: tensor<3xf32> {nn.name = "bn.beta", nn.state, nn.trainable},
// CHECK-SAME:    %[[MEAN:[^:]*]]: tensor<3xf32> {nn.name = "bn.moving_mean", nn.state},
// CHECK-SAME:    %[[VAR:[^:]*]]: tensor<3xf32> {nn.name = "bn.moving_variance", nn.state},
// CHECK-SAME:    %[[STEP:[^:]*]]: tensor<1xf32> {nn.initial_value = dense<0.000000e+00> : tensor<1xf32>, nn.name = "dropout.step", nn.state})
// CHECK-SAME:    -> (tensor<4x3xf32> {nn.name = "y"}, tensor<3xf32> {nn.state = "bn.moving_mean"}, tensor<3xf32> {nn.state = "bn.moving_variance"}, tensor<1xf32> {nn.state = "dropout.step"})
// CHECK-NEXT:    %[[SEED:.*]] = nn.reshape %[[STEP]] {shape = array<i64>} : (tensor<1xf32>) -> tensor<f32>
// CHECK-NEXT:    %[[Y:.*]], %[[NEWMEAN:.*]], %[[NEWVAR:.*]] = nn.batch_norm_train %[[X]], %[[SCALE]], %[[BIAS]], %[[MEAN]], %[[VAR]]
// CHECK-NEXT:    %[[D1:.*]] = nn.dropout %[[Y]], %[[SEED]] {key = 3 : i64} : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
// CHECK-NEXT:    %[[D2:.*]] = nn.dropout %[[D1]], %[[SEED]] {key = 4 : i64} : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
// CHECK-NEXT:    %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK-NEXT:    %[[NEXT:.*]] = nn.add %[[STEP]], %[[ONE]] : (tensor<1xf32>, tensor<f32>) -> tensor<1xf32>
// CHECK-NEXT:    return %[[D2]], %[[NEWMEAN]], %[[NEWVAR]], %[[NEXT]]
func.func @main(%x: tensor<4x3xf32> {nn.name = "x"},
                %seed: tensor<i64> {nn.name = "dropout_seed"},
                %scale: tensor<3xf32> {nn.name = "bn.gamma", nn.state, nn.trainable},
                %bias: tensor<3xf32> {nn.name = "bn.beta", nn.state, nn.trainable},
                %mean: tensor<3xf32> {nn.name = "bn.moving_mean", nn.state},
                %var: tensor<3xf32> {nn.name = "bn.moving_variance", nn.state})
    -> (tensor<4x3xf32> {nn.name = "y"}) {
  %y, %m, %v = nn.batch_norm_train %x, %scale, %bias, %mean, %var {momentum = 0.99 : f32} : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %d1 = nn.dropout %y, %seed {key = 3 : i64} : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %d2 = nn.dropout %d1, %seed {key = 4 : i64} : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  return %d2 : tensor<4x3xf32>
}

// -----

// Statistics that are not state (constants) and a constant seed get no
// state: the function is unchanged.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %{{.*}}: tensor<4x3xf32>) -> tensor<4x3xf32> {
// CHECK:         %[[Y:.*]], %{{.*}}, %{{.*}} = nn.batch_norm_train
// CHECK:         %[[D:.*]] = nn.dropout %[[Y]], %{{.*}} : (tensor<4x3xf32>, tensor<i64>)
// CHECK-NEXT:    return %[[D]] : tensor<4x3xf32>
func.func @main(%x: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %c = nn.constant dense<1.0> : tensor<3xf32>
  %seed = nn.constant dense<5> : tensor<i64>
  %y, %m, %v = nn.batch_norm_train %x, %c, %c, %c, %c : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %d = nn.dropout %y, %seed : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  return %d : tensor<4x3xf32>
}

// -----

// expected-error @below {{nn-training-state: no func.func @main with a body}}
module {
  func.func private @main(tensor<2xf32>) -> tensor<2xf32>
}

// -----

func.func @main(%x: tensor<4x3xf32>, %mean: tensor<3xf32> {nn.name = "mean", nn.state}, %var: tensor<3xf32> {nn.name = "var", nn.state}) -> tensor<4x3xf32> {
  %c = nn.constant dense<1.0> : tensor<3xf32>
  %y, %m, %v = nn.batch_norm_train %x, %c, %c, %mean, %var : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  // expected-error @below {{nn-training-state: state 'mean' already gets a new value (two batch norms share running statistics, or @main returns one)}}
  %y2, %m2, %v2 = nn.batch_norm_train %y, %c, %c, %mean, %var : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y2 : tensor<4x3xf32>
}

// -----

func.func @main(%x: tensor<4x3xf32>, %mean: tensor<3xf32> {nn.name = "mean", nn.state}, %var: tensor<3xf32> {nn.name = "var", nn.state})
    -> (tensor<4x3xf32>, tensor<3xf32> {nn.state = "mean"}) {
  %c = nn.constant dense<1.0> : tensor<3xf32>
  // expected-error @below {{nn-training-state: state 'mean' already gets a new value}}
  %y, %m, %v = nn.batch_norm_train %x, %c, %c, %mean, %var : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %z = nn.add %mean, %c : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %y, %z : tensor<4x3xf32>, tensor<3xf32>
}

// -----

func.func @main(%x: tensor<4x3xf32>, %mean: tensor<3xf32> {nn.state}) -> tensor<4x3xf32> {
  %c = nn.constant dense<1.0> : tensor<3xf32>
  // expected-error @below {{nn-training-state: the state argument 1 has no nn.name}}
  %y, %m, %v = nn.batch_norm_train %x, %c, %c, %mean, %c : (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<4x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<4x3xf32>
}

// -----

func.func @main(%x: tensor<4x3xf32>, %seed: tensor<f32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %d = nn.dropout %x, %seed : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  // expected-error @below {{nn-training-state: the dropout seed argument 1 is also used by nn.mul (it can only become the dropout step counter if nothing else reads it)}}
  %m = nn.mul %x, %seed : (tensor<4x3xf32>, tensor<f32>) -> tensor<4x3xf32>
  return %d, %m : tensor<4x3xf32>, tensor<4x3xf32>
}

// -----

// expected-error @below {{nn-training-state: @main already has an argument named 'dropout.step'}}
func.func @main(%x: tensor<4x3xf32>, %seed: tensor<i64>, %step: tensor<1xf32> {nn.name = "dropout.step"}) -> tensor<4x3xf32> {
  %d = nn.dropout %x, %seed : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  return %d : tensor<4x3xf32>
}
