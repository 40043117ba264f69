// Every nn-optimizer diagnostic.
// RUN: not npu-opt '--nn-optimizer=optimizer=rmsprop' %s 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not npu-opt '--nn-optimizer=momentum=1.0' %s 2>&1 | FileCheck %s --check-prefix=MOMENTUM
// RUN: not npu-opt '--nn-optimizer=nesterov=true' %s 2>&1 | FileCheck %s --check-prefix=NESTEROV
// RUN: not npu-opt '--nn-optimizer=optimizer=adam beta1=1.5' %s 2>&1 | FileCheck %s --check-prefix=BETA
// RUN: not npu-opt '--nn-optimizer=optimizer=adam epsilon=0' %s 2>&1 | FileCheck %s --check-prefix=EPSILON
// RUN: not npu-opt '--nn-optimizer=func=nograd' %s 2>&1 | FileCheck %s --check-prefix=NOGRAD
// RUN: not npu-opt '--nn-optimizer=func=notstate' %s 2>&1 | FileCheck %s --check-prefix=NOTSTATE
// RUN: not npu-opt '--nn-optimizer=func=nograds' %s 2>&1 | FileCheck %s --check-prefix=NOGRADS
// RUN: not npu-opt '--nn-optimizer=func=taken' %s 2>&1 | FileCheck %s --check-prefix=TAKEN

// UNKNOWN: error: nn-optimizer: unknown optimizer 'rmsprop' (expected sgd or adam)
// MOMENTUM: error: nn-optimizer: momentum must be in [0, 1), got 1.000000e+00
// NESTEROV: error: nn-optimizer: nesterov needs sgd with a momentum > 0
// BETA: error: nn-optimizer: beta1 and beta2 must be in [0, 1), got 1.500000e+00 and 9.990000e-01
// EPSILON: error: nn-optimizer: epsilon must be positive, got 0.000000e+00
// NOGRAD: error: nn-optimizer: no func.func @nograd_grad (run nn-autodiff on @nograd first)

// NOTSTATE: error: nn-optimizer: gradient 'grad_w' is not the gradient of a state argument of @notstate_grad (parameters must be nn.state; run nn-params-to-state)
func.func @notstate_grad(%w: tensor<2xf32> {nn.name = "w"}) -> (tensor<1xf32> {nn.name = "loss"}, tensor<2xf32> {nn.name = "grad_w"}) {
  %l = nn.reduce_sum %w {keepdims = true} : (tensor<2xf32>) -> tensor<1xf32>
  return %l, %w : tensor<1xf32>, tensor<2xf32>
}

// NOGRADS: error: nn-optimizer: @nograds_grad returns no gradient of a state argument
func.func @nograds_grad(%w: tensor<2xf32> {nn.name = "w", nn.state}) -> (tensor<1xf32> {nn.name = "loss"}) {
  %l = nn.reduce_sum %w {keepdims = true} : (tensor<2xf32>) -> tensor<1xf32>
  return %l : tensor<1xf32>
}

// TAKEN: error: nn-optimizer: @taken_grad already has an argument named 'learning_rate'
func.func @taken_grad(%w: tensor<2xf32> {nn.name = "w", nn.state}, %lr: tensor<1xf32> {nn.name = "learning_rate"}) -> (tensor<1xf32> {nn.name = "loss"}, tensor<2xf32> {nn.name = "grad_w"}) {
  %l = nn.reduce_sum %w {keepdims = true} : (tensor<2xf32>) -> tensor<1xf32>
  return %l, %w : tensor<1xf32>, tensor<2xf32>
}
