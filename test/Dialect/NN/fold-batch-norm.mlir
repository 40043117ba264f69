// RUN: npu-opt %s -nn-fold-batch-norm | FileCheck %s
//
// Parameters below give, per channel, s = scale / sqrt(var + eps) = [2, 2]
// and offset = bias - mean * s = [0, 0.5]. Blobs print as a 4-byte alignment
// header (8) then little-endian f32: 2.0 = 00000040, 4.0 = 00008040,
// 0.5 = 0000003F, -1.5 = 0000C0BF.

// A conv without bias, weight from a dense_resource blob: w' = w * s,
// b' = offset, both new blobs; the batch_norm is gone.
// CHECK-LABEL: func.func @conv_bn(
// CHECK-NEXT: %[[W:.*]] = nn.constant dense_resource<[[WNAME:bn_folded_weight[_0-9]*]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = nn.constant dense_resource<[[BNAME:bn_folded_bias[_0-9]*]]> : tensor<2xf32>
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0, %[[W]], %[[B]] {kernel_shape = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[C]]
func.func @conv_bn(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.constant dense_resource<w> : tensor<2x1x1x1xf32>
  %scale = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = nn.constant dense<0.25> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = nn.conv %x, %w {kernel_shape = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// With an inline conv bias b = [1, -1]: b' = (b - mean) * s + bias = [2, -1.5].
// The conv attributes are kept.
// CHECK-LABEL: func.func @conv_bias_bn(
// CHECK-NEXT: %[[W:.*]] = nn.constant dense_resource<[[WNAME2:bn_folded_weight[_0-9]*]]> : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[B:.*]] = nn.constant dense_resource<[[BNAME2:bn_folded_bias[_0-9]*]]> : tensor<2xf32>
// CHECK-NEXT: nn.conv %arg0, %[[W]], %[[B]] {kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 2>}
// CHECK-NOT: nn.batch_norm
func.func @conv_bias_bn(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x2xf32> {
  %w = nn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %b = nn.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %scale = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = nn.constant dense<0.25> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = nn.conv %x, %w, %b {kernel_shape = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 2>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x3x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x2xf32>
  return %y : tensor<1x2x3x2xf32>
}

// Not after a conv: input * s' + offset' with [C, 1, 1] constants.
// CHECK-LABEL: func.func @standalone(
// CHECK-DAG:  %[[S:.*]] = nn.constant dense<2.000000e+00> : tensor<2x1x1xf32>
// CHECK-DAG:  %[[O:.*]] = nn.constant dense<{{\[\[\[}}0.000000e+00]], {{\[\[}}5.000000e-01]]]> : tensor<2x1x1xf32>
// CHECK:      %[[M:.*]] = nn.mul %arg0, %[[S]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: %[[A:.*]] = nn.add %[[M]], %[[O]] : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[A]]
func.func @standalone(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %scale = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = nn.constant dense<0.25> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = nn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// Rank-2 input [N, C]: the per-channel constants are [C].
// CHECK-LABEL: func.func @standalone_rank2(
// CHECK-DAG:  %[[S:.*]] = nn.constant dense<2.000000e+00> : tensor<2xf32>
// CHECK:      nn.mul %arg0, %[[S]] : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
func.func @standalone_rank2(%x: tensor<4x2xf32>) -> tensor<4x2xf32> {
  %scale = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = nn.constant dense<0.25> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %y = nn.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<4x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  return %y : tensor<4x2xf32>
}

// The conv result has another user: the conv stays, the batch_norm becomes
// mul/add.
// CHECK-LABEL: func.func @conv_two_users(
// CHECK:      %[[C:.*]] = nn.conv %arg0
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[C]]
// CHECK-NEXT: %[[A:.*]] = nn.add %[[M]]
// CHECK-NEXT: return %[[C]], %[[A]]
func.func @conv_two_users(%x: tensor<1x1x3x3xf32>) -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) {
  %w = nn.constant dense<[[[[1.0]]], [[[2.0]]]]> : tensor<2x1x1x1xf32>
  %scale = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %bias = nn.constant dense<[0.5, 1.0]> : tensor<2xf32>
  %mean = nn.constant dense<0.25> : tensor<2xf32>
  %var = nn.constant dense<[3.0, 8.0]> : tensor<2xf32>
  %c = nn.conv %x, %w {kernel_shape = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = nn.batch_norm %c, %scale, %bias, %mean, %var {epsilon = 1.0 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %c, %y : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>
}

// Non-constant parameters, or f16: left alone.
// CHECK-LABEL: func.func @not_constant(
// CHECK-NEXT: nn.batch_norm %arg0, %arg1, %arg1, %arg1, %arg1
func.func @not_constant(%x: tensor<1x2xf32>, %p: tensor<2xf32>) -> tensor<1x2xf32> {
  %y = nn.batch_norm %x, %p, %p, %p, %p : (tensor<1x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

// An elided weight blob (e.g. printed with
// --mlir-elide-resource-strings-if-larger) has no data to fold into: the conv
// keeps it and the batch_norm becomes mul/add.
// CHECK-LABEL: func.func @elided_weight(
// CHECK:      %[[W:.*]] = nn.constant dense_resource<__elided__> : tensor<2x1x1x1xf32>
// CHECK-NEXT: %[[C:.*]] = nn.conv %arg0, %[[W]] {
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[C]]
// CHECK-NEXT: nn.add %[[M]]
func.func @elided_weight(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = nn.constant dense_resource<__elided__> : tensor<2x1x1x1xf32>
  %p = nn.constant dense<[4.0, 6.0]> : tensor<2xf32>
  %c = nn.conv %x, %w {kernel_shape = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = nn.batch_norm %c, %p, %p, %p, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// CHECK-LABEL: func.func @f16(
// CHECK:      nn.batch_norm
func.func @f16(%x: tensor<1x2xf16>) -> tensor<1x2xf16> {
  %p = nn.constant dense<1.0> : tensor<2xf16>
  %y = nn.batch_norm %x, %p, %p, %p, %p : (tensor<1x2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>, tensor<2xf16>) -> tensor<1x2xf16>
  return %y : tensor<1x2xf16>
}

// CHECK:      dialect_resources
// CHECK-DAG:  [[WNAME]]: "0x080000000000004000008040"
// CHECK-DAG:  [[BNAME]]: "0x08000000000000000000003F"
// CHECK-DAG:  [[WNAME2]]: "0x080000000000004000008040"
// CHECK-DAG:  [[BNAME2]]: "0x08000000000000400000C0BF"
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000803F00000040"
    }
  }
#-}
