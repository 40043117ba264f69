// Diagnostics of the MXU kernels.
// RUN: npu-opt %s -split-input-file -verify-diagnostics --npu-set-target=target=npu-base --npu-tile
// A chip whose SRAM cannot hold even a one-element tile of each operand
// (every buffer starts on a 64-byte boundary): the kernel says what the
// smallest tiling needs and what the chip has.
// RUN: echo '{"preset": "npu-tiny", "name": "npu-speck", "mxu_rows": 4, "mxu_cols": 4, "sram_bytes": 64, "sram_banks": 1, "acc_bytes": 64}' > %t.json
// RUN: not npu-opt %s -split-input-file --npu-set-target=target=%t.json --npu-tile 2>&1 | FileCheck %s --check-prefix=NOFIT
// With single buffers the smallest tiling is smaller but still too big.
// RUN: not npu-opt %s -split-input-file --npu-set-target=target=%t.json "--npu-tile=double-buffer=false" 2>&1 | FileCheck %s --check-prefix=NOFIT1

// NOFIT: error: cannot tile the 4x8x5 matmul of nn.matmul for target 'npu-speck': the smallest tiling (double-buffered, one row, one k and one n column per tile) needs 384 bytes of SRAM and 32 bytes of accumulator, but the target has sram_bytes = 64 and acc_bytes = 64
// NOFIT1: error: cannot tile the 4x8x5 matmul of nn.matmul for target 'npu-speck': the smallest tiling (one row, one k and one n column per tile) needs 192 bytes of SRAM and 16 bytes of accumulator, but the target has sram_bytes = 64 and acc_bytes = 64
// NOFIT: error: cannot tile the 36x18x4 im2col matmul of nn.conv for target 'npu-speck'
// NOFIT: error: cannot tile the depthwise nn.conv for target 'npu-speck': one position, one channel and one kernel position per tile need 448 bytes of SRAM and 8 bytes of accumulator, but the target has sram_bytes = 64 and acc_bytes = 64
// NOFIT: error: 'nn.gather' op cannot be lowered to the chip: one table block and 4 columns of one index row do not fit SRAM and the accumulator
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x5xf32>) -> tensor<4x5xf32> {
  %m = nn.matmul %a, %b : (tensor<4x8xf32>, tensor<8x5xf32>) -> tensor<4x5xf32>
  return %m : tensor<4x5xf32>
}

// -----

func.func @main(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<4x2x3x3xf32>
  %c = nn.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %c : tensor<1x4x6x6xf32>
}

// -----

func.func @main(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<2x1x3x3xf32>
  %c = nn.conv %x, %w {group = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<2x1x3x3xf32>) -> tensor<1x2x6x6xf32>
  return %c : tensor<1x2x6x6xf32>
}

// -----

// An embedding gather (one-hot x table on the MXU) is split into chunks of
// table columns down to the array's width; on npu-base this one fits.
func.func @main(%t: tensor<3x40xf32>, %i: tensor<2xi32>) -> tensor<2x40xf32> {
  %g = nn.gather %t, %i : (tensor<3x40xf32>, tensor<2xi32>) -> tensor<2x40xf32>
  return %g : tensor<2x40xf32>
}

// -----

func.func @main(%a: tensor<4x8xi32>, %b: tensor<8x5xi32>) -> tensor<4x5xi32> {
  // expected-error @+1 {{nn.matmul on 'i32' is not supported by the MXU kernels (float element types only)}}
  %m = nn.matmul %a, %b : (tensor<4x8xi32>, tensor<8x5xi32>) -> tensor<4x5xi32>
  return %m : tensor<4x5xi32>
}

// -----

func.func @main(%a: tensor<4x8xi32>, %b: tensor<8x5xi32>) -> tensor<4x5xi32> {
  // expected-error @+1 {{nn.gemm on 'i32' is not supported by the MXU kernels (float element types only)}}
  %m = nn.gemm %a, %b : (tensor<4x8xi32>, tensor<8x5xi32>) -> tensor<4x5xi32>
  return %m : tensor<4x5xi32>
}

// -----

func.func @main(%x: tensor<1x2x4x4x4xf32>) -> tensor<1x2x4x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<2x2x1x1x1xf32>
  // expected-error @+1 {{nn.conv with 3 spatial dimensions is not supported by the MXU kernels (1-D and 2-D only)}}
  %c = nn.conv %x, %w : (tensor<1x2x4x4x4xf32>, tensor<2x2x1x1x1xf32>) -> tensor<1x2x4x4x4xf32>
  return %c : tensor<1x2x4x4x4xf32>
}
