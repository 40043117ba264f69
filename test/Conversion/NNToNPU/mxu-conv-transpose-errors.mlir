// Diagnostics of the nn.conv_transpose kernel.
// RUN: npu-opt %s -split-input-file -verify-diagnostics --npu-set-target=target=npu-base --npu-tile
// A chip whose SRAM cannot hold even a one-element tile of each operand.
// RUN: echo '{"preset": "npu-tiny", "name": "npu-speck", "mxu_rows": 4, "mxu_cols": 4, "sram_bytes": 64, "sram_banks": 1, "acc_bytes": 64}' > %t.json
// RUN: not npu-opt %s -split-input-file --npu-set-target=target=%t.json --npu-tile 2>&1 | FileCheck %s --check-prefix=NOFIT

// NOFIT: error: cannot tile the 9x2x4 im2col matmul of nn.conv_transpose for target 'npu-speck': the smallest tiling
// NOFIT: error: cannot tile the depthwise nn.conv_transpose for target 'npu-speck': one position and one channel per tile need
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<2x4x3x3xf32>
  %c = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %c : tensor<1x4x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<2x1x2x2xf32>
  %c = nn.conv_transpose %x, %w {group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x6x6xf32>
  return %c : tensor<1x2x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x2x4x4x4xf32>) -> tensor<1x2x4x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<2x2x1x1x1xf32>
  // expected-error @+1 {{nn.conv_transpose with 3 spatial dimensions is not supported by the MXU kernels (1-D and 2-D only)}}
  %c = nn.conv_transpose %x, %w : (tensor<1x2x4x4x4xf32>, tensor<2x2x1x1x1xf32>) -> tensor<1x2x4x4x4xf32>
  return %c : tensor<1x2x4x4x4xf32>
}
