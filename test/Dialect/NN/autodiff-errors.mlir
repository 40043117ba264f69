// Every nn-autodiff diagnostic; each RUN line selects one function.
// RUN: not npu-opt --nn-autodiff=func=missing %s 2>&1 | FileCheck %s --check-prefix=NOFUNC
// RUN: not npu-opt --nn-autodiff=func=dup %s 2>&1 | FileCheck %s --check-prefix=EXISTS
// RUN: not npu-opt --nn-autodiff=func=vector_loss %s 2>&1 | FileCheck %s --check-prefix=NOTSCALAR
// RUN: not npu-opt --nn-autodiff=func=two_args %s 2>&1 | FileCheck %s --check-prefix=NOPARAMS
// RUN: not npu-opt '--nn-autodiff=func=good params=0,7' %s 2>&1 | FileCheck %s --check-prefix=BADINDEX
// RUN: not npu-opt '--nn-autodiff=func=good params=nosuch' %s 2>&1 | FileCheck %s --check-prefix=BADNAME
// RUN: not npu-opt '--nn-autodiff=func=good params=2' %s 2>&1 | FileCheck %s --check-prefix=INTPARAM
// RUN: not npu-opt --nn-autodiff=func=norule %s 2>&1 | FileCheck %s --check-prefix=NORULE
// RUN: not npu-opt --nn-autodiff=func=matvec %s 2>&1 | FileCheck %s --check-prefix=MATVEC
// RUN: not npu-opt --nn-autodiff=func=strided %s 2>&1 | FileCheck %s --check-prefix=STRIDED
// RUN: not npu-opt --nn-autodiff=func=avg_ceil %s 2>&1 | FileCheck %s --check-prefix=AVGCEIL
// RUN: not npu-opt --nn-autodiff=func=max_ceil %s 2>&1 | FileCheck %s --check-prefix=MAXCEIL

// NOFUNC: error: nn-autodiff: no func.func @missing

// EXISTS: error: nn-autodiff: @dup_grad already exists
func.func @dup(%w: tensor<2xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %s = nn.reduce_sum %w {keepdims = false} : (tensor<2xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
func.func @dup_grad() {
  return
}

// NOTSCALAR: error: nn-autodiff: @vector_loss must have one block and return a scalar float loss (one element) first, got '(tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>'
func.func @vector_loss(%w: tensor<2xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}

// NOPARAMS: error: nn-autodiff: @two_args has no parameters (by default every float argument except the last two, the input and the labels)
func.func @two_args(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %s = nn.reduce_sum %x {keepdims = false} : (tensor<2xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// BADINDEX: error: nn-autodiff: parameter '7' is neither an argument index below 3 nor the nn.name of an argument of @good
// BADNAME: error: nn-autodiff: parameter 'nosuch' is neither an argument index below 3 nor the nn.name of an argument of @good
// INTPARAM: error: nn-autodiff: parameter '2' (argument 2) is not a float tensor: 'tensor<2xi64>'
func.func @good(%w: tensor<2xf32> {nn.name = "w"}, %x: tensor<2xf32>, %labels: tensor<2xi64>) -> tensor<f32> {
  %p = nn.mul %w, %x : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %s = nn.reduce_sum %p {keepdims = false} : (tensor<2xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// One diagnostic for all the op kinds without a rule, a note per use; ops
// off the parameter-to-loss path (the abs of %x) need none.
// NORULE: error: nn-autodiff: no gradient rule for nn.abs, nn.reduce_max (used between the parameters and the loss of @norule)
// NORULE: note: used here: nn.abs
// NORULE: note: used here: nn.reduce_max
// NORULE: note: used here: nn.abs
func.func @norule(%w: tensor<2xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %ax = nn.abs %x : tensor<2xf32>
  %a = nn.abs %w : tensor<2xf32>
  %m = nn.reduce_max %a {keepdims = false} : (tensor<2xf32>) -> tensor<f32>
  %b = nn.abs %m : tensor<f32>
  %s = nn.reduce_sum %ax {keepdims = false} : (tensor<2xf32>) -> tensor<f32>
  %l = nn.add %b, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  return %l : tensor<f32>
}

// MATVEC: error: nn-autodiff: no gradient for nn.matmul with a 1-D operand (reshape it to a matrix first)
func.func @matvec(%w: tensor<3x2xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %v = nn.matmul %w, %x : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3xf32>
  %s = nn.reduce_sum %v {keepdims = false} : (tensor<3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// STRIDED: error: nn-autodiff: no gradient for nn.slice with a step other than 1
func.func @strided(%w: tensor<6xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %v = nn.slice %w {starts = array<i64: 0>, ends = array<i64: 6>, steps = array<i64: 2>} : (tensor<6xf32>) -> tensor<3xf32>
  %s = nn.reduce_sum %v {keepdims = false} : (tensor<3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// AVGCEIL: error: nn-autodiff: no gradient for nn.avg_pool whose ceil_mode adds a window
func.func @avg_ceil(%w: tensor<1x1x5x5xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %v = nn.avg_pool %w {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %s = nn.reduce_sum %v {keepdims = false} : (tensor<1x1x3x3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}

// MAXCEIL: error: nn-autodiff: no gradient for nn.max_pool whose ceil_mode adds a window
func.func @max_ceil(%w: tensor<1x1x5x5xf32>, %x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<f32> {
  %v = nn.max_pool %w {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32>
  %s = nn.reduce_sum %v {keepdims = false} : (tensor<1x1x3x3xf32>) -> tensor<f32>
  return %s : tensor<f32>
}
