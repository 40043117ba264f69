// RUN: npu-opt %s -split-input-file -verify-diagnostics

// One case per nn verifier diagnostic.

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<2x4xf32>' but the inferred type is 'tensor<2x3xf32>'}}
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{has 3 results but 2 were inferred}}
  %0:3 = nn.split %x {sizes = array<i64: 2, 2>} : tensor<4xf32> -> tensor<2xf32>, tensor<2xf32>, tensor<0xf32>
  return
}

// -----

func.func @f(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor}}
  %0 = nn.relu %a : tensor<?x3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = nn.exp %a : tensor<3xi32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) {
  // expected-error @+1 {{'a' and 'b' have different element types ('f32' vs 'f16')}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%a: tensor<f32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{operands must have rank >= 1}}
  %0 = nn.matmul %a, %b : (tensor<f32>, tensor<3x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{contracting dimensions differ: 'a' has 3, 'b' has 4}}
  %0 = nn.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @f(%a: tensor<2x2x3xf32>, %b: tensor<5x3x4xf32>) {
  // expected-error @+1 {{batch dimensions [2] and [5] are not broadcastable}}
  %0 = nn.matmul %a, %b : (tensor<2x2x3xf32>, tensor<5x3x4xf32>) -> tensor<2x2x4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{expects 2-D 'a' and 'b', got ranks 3 and 2}}
  %0 = nn.gemm %a, %b : (tensor<2x3x4xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{contracting dimensions differ: 'a' has 3, 'b' has 4}}
  %0 = nn.gemm %a, %b {trans_a = true} : (tensor<3x4xf32>, tensor<4x5xf32>) -> tensor<4x5xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<2x5xf32>) {
  // expected-error @+1 {{'c' of shape [2, 5] is not unidirectionally broadcastable to [3, 5]}}
  %0 = nn.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<2x5xf32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @f(%a: tensor<3x4xf32>, %b: tensor<4x5xf32>, %c: tensor<5xi32>) {
  // expected-error @+1 {{'a' and 'c' have different element types ('f32' vs 'i32')}}
  %0 = nn.gemm %a, %b, %c : (tensor<3x4xf32>, tensor<4x5xf32>, tensor<5xi32>) -> tensor<3x5xf32>
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>, %w: tensor<8x4xf32>) {
  // expected-error @+1 {{expects input of rank >= 3 [N, C, D1..Dn], got 2}}
  %0 = nn.conv %x, %w : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+1 {{weight rank 3 does not match input rank 4}}
  %0 = nn.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf16>) {
  // expected-error @+1 {{'input' and 'weight' have different element types ('f32' vs 'f16')}}
  %0 = nn.conv %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf16>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{kernel_shape [5, 5] does not match the weight's spatial dimensions [3, 3]}}
  %0 = nn.conv %x, %w {kernel_shape = array<i64: 5, 5>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{group must be positive, got 0}}
  %0 = nn.conv %x, %w {group = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{input channels 4 are not divisible by group 3}}
  %0 = nn.conv %x, %w {group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+1 {{output channels 6 are not divisible by group 4}}
  %0 = nn.conv %x, %w {group = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{weight has 4 input channels per group, expected 2}}
  %0 = nn.conv %x, %w {group = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'bias' must have shape [8], got [4]}}
  %0 = nn.conv %x, %w, %b : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{expects 2 strides, got 1}}
  %0 = nn.conv %x, %w {strides = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{expects 2 dilations, got 3}}
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{expects 4 pads, got 2}}
  %0 = nn.conv %x, %w {pads = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{strides must be positive, got [1, 0]}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{dilations must be positive, got [-1, 1]}}
  %0 = nn.conv %x, %w {dilations = array<i64: -1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{pads must be non-negative, got [0, -1, 0, 0]}}
  %0 = nn.conv %x, %w {pads = array<i64: 0, -1, 0, 0>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{window attribute value exceeds 2^31}}
  %0 = nn.conv %x, %w {strides = array<i64: 1, 4294967296>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{dilated kernel size 9 exceeds padded input size 8 along spatial axis 1}}
  %0 = nn.conv %x, %w {dilations = array<i64: 1, 4>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<2x3x3x3xf32>) {
  // expected-error @+1 {{weight has 2 input channels, expected 4}}
  %0 = nn.conv_transpose %x, %w : (tensor<1x4x8x8xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x10x10xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input channels 4 are not divisible by group 3}}
  %0 = nn.conv_transpose %x, %w {group = 3 : i64} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x9x10x10xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8xf32>, %w: tensor<4x4611686018427387904x3xf32>) {
  // expected-error @+1 {{output channel count overflows}}
  %0 = nn.conv_transpose %x, %w {group = 4 : i64} : (tensor<1x4x8xf32>, tensor<4x4611686018427387904x3xf32>) -> tensor<1x4x10xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{expects 2 output_padding values, got 1}}
  %0 = nn.conv_transpose %x, %w {output_padding = array<i64: 1>} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x10x10xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_padding 1 along spatial axis 1 must be in [0, max(stride, dilation))}}
  %0 = nn.conv_transpose %x, %w {output_padding = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x3x10x11xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x1x1xf32>, %w: tensor<4x3x1x1xf32>) {
  // expected-error @+1 {{output size along spatial axis 0 is not positive (0)}}
  %0 = nn.conv_transpose %x, %w {pads = array<i64: 1, 0, 0, 0>} : (tensor<1x4x1x1xf32>, tensor<4x3x1x1xf32>) -> tensor<1x3x1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+1 {{expects input of rank >= 3 [N, C, D1..Dn], got 2}}
  %0 = nn.conv_transpose %x, %w : (tensor<1x4xf32>, tensor<4x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{expects input of rank >= 2 [N, C, ...], got 1}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>, %m: tensor<3xf32>) {
  // expected-error @+1 {{'mean' must have shape [4], got [3]}}
  %0 = nn.batch_norm %x, %c, %c, %m, %c : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>, %h: tensor<4xf16>) {
  // expected-error @+1 {{'scale' has element type 'f16', expected 'f32'}}
  %0 = nn.batch_norm %x, %h, %c, %c, %c : (tensor<2x4x3xf32>, tensor<4xf16>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = -1.0 : f32} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{expects input of rank >= 2 [N, C, ...], got 1}}
  %0:3 = nn.batch_norm_train %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{'var' must have shape [4], got [3]}}
  %0:3 = nn.batch_norm_train %x, %c, %c, %c, %v : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0:3 = nn.batch_norm_train %x, %c, %c, %c, %c {epsilon = -1.0 : f32} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{momentum 1.500000e+00 must be in [0, 1]}}
  %0:3 = nn.batch_norm_train %x, %c, %c, %c, %c {momentum = 1.5 : f32} : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x4x3xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{result #1 has type 'tensor<3xf32>' but the inferred type is 'tensor<4xf32>'}}
  %0:3 = nn.batch_norm_train %x, %c, %c, %c, %c : (tensor<2x4x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<2x4x3xf32>, tensor<3xf32>, tensor<4xf32>)
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{seed must be a rank-0 float or integer tensor, got 'tensor<1xi64>'}}
  %0 = nn.dropout %x, %s : (tensor<2x4xf32>, tensor<1xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<i1>) {
  // expected-error @+1 {{seed must be a rank-0 float or integer tensor, got 'tensor<i1>'}}
  %0 = nn.dropout %x, %s : (tensor<2x4xf32>, tensor<i1>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{ratio 1.000000e+00 must be in [0, 1)}}
  %0 = nn.dropout %x, %s {ratio = 1.0 : f32} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{key -1 must be in [0, 2^31)}}
  %0 = nn.dropout %x, %s {key = -1} : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = nn.layer_norm %x, %s {axis = 2 : i64} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %s: tensor<2x8xf32>) {
  // expected-error @+1 {{'scale' of shape [2, 8] is not broadcastable to the normalized shape [8]}}
  %0 = nn.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %s: tensor<8xf32>, %b: tensor<8xf16>) {
  // expected-error @+1 {{'input' and 'bias' have different element types ('f32' vs 'f16')}}
  %0 = nn.layer_norm %x, %s, %b {axis = 1 : i64} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf16>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<2x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{epsilon must be non-negative}}
  %0 = nn.layer_norm %x, %s {axis = 1 : i64, epsilon = -1.0 : f32} : (tensor<2x8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{kernel_shape has 1 dimensions, expected 2 for an input of rank 4}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{kernel_shape must be positive, got [2, 0]}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{pads along spatial axis 0 must be smaller than the kernel size 2}}
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x7xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{dilated kernel size 9 exceeds padded input size 8 along spatial axis 0}}
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 9, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x7xf32>
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects input of rank >= 3 [N, C, D1..Dn], got 2}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2>} : (tensor<4x8xf32>) -> tensor<4x7xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{strides must be positive, got [0, 1]}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @f(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{expects input of rank >= 3 [N, C, D1..Dn], got 2}}
  %0 = nn.global_avg_pool %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{operand shapes [2, 3] and [2] are not broadcastable}}
  %0 = nn.sub %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'lhs' and 'rhs' have different element types ('f32' vs 'i32')}}
  %0 = nn.mul %a, %b : (tensor<2x3xf32>, tensor<3xi32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%c: tensor<4xi1>, %x: tensor<3xf32>, %y: tensor<3xf32>) {
  // expected-error @+1 {{shapes [4], [3] and [3] are not broadcastable}}
  %0 = nn.where %c, %x, %y : (tensor<4xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%c: tensor<3xi1>, %x: tensor<3xf32>, %y: tensor<3xf16>) {
  // expected-error @+1 {{'x' and 'y' have different element types ('f32' vs 'f16')}}
  %0 = nn.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf16>) -> tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @+1 {{min 2.000000e+00 is greater than max 1.000000e+00}}
  %0 = nn.clip %a {min = 2.0 : f32, max = 1.0 : f32} : tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @+1 {{approximate must be "none" or "tanh", got "fast"}}
  %0 = nn.gelu %a {approximate = "fast"} : tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @+1 {{axis 1 is out of range [0, 1)}}
  %0 = nn.softmax %a {axis = 1 : i64} : tensor<3xf32>
  return
}

// -----

func.func @f(%a: tensor<3xf32>) {
  // expected-error @+1 {{axis -1 is out of range [0, 1)}}
  %0 = nn.log_softmax %a {axis = -1 : i64} : tensor<3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = nn.reduce_sum %x {axes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 1 appears more than once in axes}}
  %0 = nn.reduce_mean %x {axes = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<2xf32>' but the inferred type is 'tensor<2x1xf32>'}}
  %0 = nn.reduce_max %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm has 1 entries, expected the input rank 2}}
  %0 = nn.transpose %x {perm = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{perm [1, 1] is not a permutation of [0, 2)}}
  %0 = nn.transpose %x {perm = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{shape [-1, 3] has a negative size (placeholders must be resolved)}}
  %0 = nn.reshape %x {shape = array<i64: -1, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{shape [4, 2] has 8 elements but the input has 6}}
  %0 = nn.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{shape [4294967296, 4294967296] overflows the element count}}
  %0 = nn.reshape %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 3 is out of range [0, 3)}}
  %0 = nn.flatten %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{expects at least one input}}
  %0 = nn.concat {axis = 0 : i64} : () -> tensor<1xf32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{axis 1 is out of range [0, 1)}}
  %0 = nn.concat %a, %b {axis = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>, %b: tensor<2xf16>) {
  // expected-error @+1 {{input #1 has element type 'f16', expected 'f32'}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<2xf32>, %b: tensor<2x1xf32>) {
  // expected-error @+1 {{input #1 has rank 2, expected 1}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2xf32>, tensor<2x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{input #1 has size 4 along non-concatenated axis 1, expected 3}}
  %0 = nn.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @f(%a: tensor<4611686018427387904xi8>) {
  // expected-error @+1 {{concatenated size overflows}}
  %0 = nn.concat %a, %a {axis = 0 : i64} : (tensor<4611686018427387904xi8>, tensor<4611686018427387904xi8>) -> tensor<1xi8>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects at least one size}}
  %0 = nn.split %x {sizes = array<i64>} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{sizes must be non-negative, got [5, -1]}}
  %0:2 = nn.split %x {sizes = array<i64: 5, -1>} : tensor<4xf32> -> tensor<5xf32>, tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{sizes [1, 2] sum to 3 but the input has size 4 along axis 0}}
  %0:2 = nn.split %x {sizes = array<i64: 1, 2>} : tensor<4xf32> -> tensor<1xf32>, tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{sizes overflow}}
  %0:2 = nn.split %x {sizes = array<i64: 4611686018427387904, 4611686018427387904>} : tensor<4xf32> -> tensor<1xf32>, tensor<2xf32>
  return
}

// -----

func.func @f(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range [0, 1)}}
  %0 = nn.split %x {axis = 1 : i64, sizes = array<i64: 4>} : tensor<4xf32> -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{starts and ends have different lengths (1 vs 2)}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 1, 2>} : (tensor<4x6xf32>) -> tensor<1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{axes has 2 entries, expected 1}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, axes = array<i64: 0, 1>} : (tensor<4x6xf32>) -> tensor<1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{steps has 2 entries, expected 1}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{slices 3 axes of a rank-2 input}}
  %0 = nn.slice %x {starts = array<i64: 0, 0, 0>, ends = array<i64: 1, 1, 1>} : (tensor<4x6xf32>) -> tensor<1x1xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, axes = array<i64: 2>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{axis 1 appears more than once in axes}}
  %0 = nn.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, axes = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<4x1xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{steps must be non-zero}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 1>, steps = array<i64: 0>} : (tensor<4x6xf32>) -> tensor<1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{slice [0, 5) is out of range for axis 0 of size 4}}
  %0 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 5>} : (tensor<4x6xf32>) -> tensor<5x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{reverse slice [4, -1) is out of range for axis 0 of size 4}}
  %0 = nn.slice %x {starts = array<i64: 4>, ends = array<i64: -1>, steps = array<i64: -1>} : (tensor<4x6xf32>) -> tensor<5x6xf32>
  return
}

// -----

func.func @f(%d: tensor<4x6xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = nn.gather %d, %i {axis = 2 : i64} : (tensor<4x6xf32>, tensor<2xi64>) -> tensor<4x6xf32>
  return
}

// -----

func.func @f(%d: tensor<4x6xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = nn.gather %d, %i : (tensor<4x6xf32>, tensor<2xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @f(%x: tensor<3x1xf32>) {
  // expected-error @+1 {{shape [-2, 4] has a negative size}}
  %0 = nn.expand %x {shape = array<i64: -2, 4>} : (tensor<3x1xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @f(%x: tensor<3x1xf32>) {
  // expected-error @+1 {{input shape [3, 1] is not broadcastable to [2, 4]}}
  %0 = nn.expand %x {shape = array<i64: 2, 4>} : (tensor<3x1xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @f(%x: tensor<1x1xi8>) {
  // expected-error @+1 {{result shape [4294967296, 4294967296] has a negative size or overflows the element count}}
  %0 = nn.expand %x {shape = array<i64: 4294967296, 4294967296>} : (tensor<1x1xi8>) -> tensor<1x1xi8>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{expects 4 pads, got 2}}
  %0 = nn.pad %x {pads = array<i64: 1, 1>} : (tensor<4x6xf32>) -> tensor<6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{mode must be "constant", "reflect" or "edge", got "wrap"}}
  %0 = nn.pad %x {pads = array<i64: 1, 0, 1, 0>, mode = "wrap"} : (tensor<4x6xf32>) -> tensor<6x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{pads along axis 0 exceed 2^40}}
  %0 = nn.pad %x {pads = array<i64: 2199023255552, 0, 0, 0>} : (tensor<4x6xf32>) -> tensor<6x6xf32>
  return
}

// -----

// The most negative pad (its absolute value does not exist in int64).
func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{pads along axis 1 exceed 2^40}}
  %0 = nn.pad %x {pads = array<i64: 0, -9223372036854775808, 0, 0>} : (tensor<4x6xf32>) -> tensor<4x6xf32>
  return
}

// -----

// A dim near the int64 limit padded past it.
func.func @f(%x: tensor<9223372036854775807xf32>) {
  // expected-error @+1 {{pads make axis 0 overflow 64 bits}}
  %0 = nn.pad %x {pads = array<i64: 1, 0>} : (tensor<9223372036854775807xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{reflect pads along axis 0 must be smaller than its size 4}}
  %0 = nn.pad %x {pads = array<i64: 4, 0, 0, 0>, mode = "reflect"} : (tensor<4x6xf32>) -> tensor<8x6xf32>
  return
}

// -----

func.func @f(%x: tensor<0x6xf32>) {
  // expected-error @+1 {{edge mode cannot pad empty axis 0}}
  %0 = nn.pad %x {pads = array<i64: 1, 0, 0, 0>, mode = "edge"} : (tensor<0x6xf32>) -> tensor<1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{pads make axis 0 negative (-1)}}
  %0 = nn.pad %x {pads = array<i64: -3, 0, -2, 0>} : (tensor<4x6xf32>) -> tensor<0x6xf32>
  return
}

// -----

func.func @f(%x: tensor<4x6xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = nn.cast %x : tensor<4x6xf32> to tensor<4x5xi32>
  return
}

// -----

func.func @f() {
  // expected-error @+1 {{result #0 must be statically shaped tensor}}
  %0 = nn.constant dense<1.0> : tensor<2xf64>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x1099511627776x3xf32>) {
  // expected-error @+1 {{window size arithmetic overflows along spatial axis 0}}
  %0 = nn.conv %x, %w {dilations = array<i64: 2147483648, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x1099511627776x3xf32>) -> tensor<1x8x1x6xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x1099511627776x3xf32>) {
  // expected-error @+1 {{window size arithmetic overflows along spatial axis 0}}
  %0 = nn.conv_transpose %x, %w {dilations = array<i64: 2147483648, 1>} : (tensor<1x4x8x8xf32>, tensor<4x2x1099511627776x3xf32>) -> tensor<1x2x1x10xf32>
  return
}

// -----

func.func @f(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{window size arithmetic overflows along spatial axis 1}}
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 4611686018427387904>, dilations = array<i64: 1, 4>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @f(%x: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{shape [4] has 4 elements but the input has more than 2^63}}
  %0 = nn.reshape %x {shape = array<i64: 4>} : (tensor<4611686018427387904x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @f(%x: tensor<4611686018427387904x4xf32>) {
  // expected-error @+1 {{flattened dimensions overflow int64}}
  %0 = nn.flatten %x {axis = 0 : i64} : (tensor<4611686018427387904x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{operand shapes [2, 3] and [2] are not broadcastable}}
  %0 = nn.less %a, %b : (tensor<2x3xf32>, tensor<2xf32>) -> tensor<2x3xi1>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>, %b: tensor<3xi64>) {
  // expected-error @+1 {{'lhs' and 'rhs' have different element types ('f32' vs 'i64')}}
  %0 = nn.equal %a, %b : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<2x3xi1>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values, but got 'tensor<2x3xf32>'}}
  %0 = nn.greater %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%a: tensor<2x3xi1>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of}}
  %0 = nn.less %a, %a : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  return
}

// -----

func.func @f(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = nn.and %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range [0, 2)}}
  %0 = nn.arg_max %x {axis = 2 : i64} : (tensor<2x3xf32>) -> tensor<2x3xi64>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 64-bit signless integer values, but got 'tensor<1x3xf32>'}}
  %0 = nn.arg_min %x : (tensor<2x3xf32>) -> tensor<1x3xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{axis 1 appears more than once in axes}}
  %0 = nn.reduce_prod %x {axes = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  return
}

// -----

func.func @f(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type values}}
  %0 = nn.floor %x : tensor<2x3xi32>
  return
}
