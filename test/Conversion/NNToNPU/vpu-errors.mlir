// Every user-facing error of the VPU and data-movement kernels.
// RUN: npu-opt %s --npu-set-target=target=npu-tiny --npu-tile -split-input-file -verify-diagnostics

func.func @main(%x: tensor<4x8xi32> {nn.name = "x"}) -> (tensor<4x12xi32> {nn.name = "y"}) {
  // expected-error @below {{'nn.pad' op cannot be lowered to the chip: padding a i32 tensor with 2.500000e+00 needs a fill the VPU cannot write (an integer up to 2^24 in an i32 tensor)}}
  %0 = nn.pad %x {pads = array<i64: 0, 2, 0, 2>, value = 2.5 : f32} : (tensor<4x8xi32>) -> tensor<4x12xi32>
  return %0 : tensor<4x12xi32>
}

// -----

func.func @main(%t: tensor<4x8xf32> {nn.name = "t"}, %i: tensor<3xi32> {nn.name = "i"}) -> (tensor<4x3xf32> {nn.name = "y"}) {
  // expected-error @below {{'nn.gather' op cannot be lowered to the chip: a gather with run-time indices is only implemented along axis 0 (an embedding)}}
  %0 = nn.gather %t, %i {axis = 1 : i64} : (tensor<4x8xf32>, tensor<3xi32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

func.func @main(%x: tensor<4x8xf32> {nn.name = "x"}) -> (tensor<4x8xf32> {nn.name = "y"}) {
  %i = nn.constant dense<[0, 9]> : tensor<2xi64>
  // expected-error @below {{'nn.gather' op cannot be lowered to the chip: index 9 is out of range for a dimension of 8}}
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  %1 = nn.concat %0, %0, %0, %0 {axis = 1 : i64} : (tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>, tensor<4x2xf32>) -> tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// -----

func.func @main(%x: tensor<1x2x4x4x4x4xf32> {nn.name = "x"}) -> (tensor<1x2x2x2x2x2xf32> {nn.name = "y"}) {
  // expected-error @below {{'nn.max_pool' op cannot be lowered to the chip: only 1-D and 2-D pooling is implemented (got 4 spatial dims)}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2, 2, 2>} : (tensor<1x2x4x4x4x4xf32>) -> tensor<1x2x2x2x2x2xf32>
  return %0 : tensor<1x2x2x2x2x2xf32>
}

// -----

func.func @main(%x: tensor<4x8xf32> {nn.name = "x"}) -> (tensor<4x12xf32> {nn.name = "y"}) {
  // expected-error @below {{'nn.pad' op cannot be lowered to the chip: the fill value INF is not finite (VPU immediates are)}}
  %0 = nn.pad %x {pads = array<i64: 0, 2, 0, 2>, value = 0x7F800000 : f32} : (tensor<4x8xf32>) -> tensor<4x12xf32>
  return %0 : tensor<4x12xf32>
}

// -----

func.func @main(%x: tensor<4x8xi32> {nn.name = "x"}) -> (tensor<4x8xi32> {nn.name = "y"}) {
  // expected-error @below {{'nn.clip' op cannot be lowered to the chip: a bound of an integer clip is beyond 2^24 (the VPU's exact integer immediates)}}
  %0 = nn.clip %x {min = 0.0 : f32, max = 3.0e7 : f32} : tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

func.func @main(%x: tensor<4x8xi32> {nn.name = "x"}) -> (tensor<4x1xi32> {nn.name = "y"}) {
  // expected-error @below {{'nn.reduce_mean' op cannot be lowered to the chip: a mean of integers is not implemented}}
  %0 = nn.reduce_mean %x {axes = array<i64: 1>} : (tensor<4x8xi32>) -> tensor<4x1xi32>
  return %0 : tensor<4x1xi32>
}

// -----

func.func @main(%x: tensor<4x8xi8> {nn.name = "x"}) -> (tensor<4x1xi8> {nn.name = "y"}) {
  // expected-error @below {{'nn.reduce_sum' op cannot be lowered to the chip: an int8 reduction result is not implemented (reduce to a wider integer type)}}
  %0 = nn.reduce_sum %x {axes = array<i64: 1>} : (tensor<4x8xi8>) -> tensor<4x1xi8>
  return %0 : tensor<4x1xi8>
}

// -----

func.func @main(%x: tensor<2x70000xf32> {nn.name = "x"}) -> (tensor<2x1xi64> {nn.name = "y"}) {
  // expected-error @below {{'nn.arg_max' op cannot be lowered to the chip: its axis of 70000 elements exceeds the VPU's 65535 columns}}
  %0 = nn.arg_max %x {axis = 1 : i64} : (tensor<2x70000xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @main(%x: tensor<2x40000xf32> {nn.name = "x"}) -> (tensor<2x1xi64> {nn.name = "y"}) {
  // expected-error @below {{'nn.arg_min' op cannot be lowered to the chip: one row of its 40000-element axis does not fit SRAM}}
  %0 = nn.arg_min %x {axis = 1 : i64} : (tensor<2x40000xf32>) -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}
