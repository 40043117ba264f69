// A max_pool that reads only a conv's output is emitted by the conv kernel
// in an eighth of the SRAM (mxu-conv.mlir has the structure on npu-base),
// but only where that eighth holds the pool's smallest tiles: every buffer
// of a tile (accumulator, 8 windows, counts; two slots) on its own 64-byte
// line, 1280 bytes here. With 16 KiB of SRAM (2 KiB for the pool) the pool
// is part of the conv's layer; with 8 KiB (1 KiB) it is a layer of its own,
// and both compile and place (numbers: spill-e2e.test).
// RUN: echo '{"preset": "npu-tiny", "name": "npu-8k", "sram_bytes": 8192, "sram_banks": 1, "acc_bytes": 4096}' > %t.8k.json
// RUN: echo '{"preset": "npu-tiny", "name": "npu-16k", "sram_bytes": 16384, "sram_banks": 1, "acc_bytes": 4096}' > %t.16k.json
// RUN: npu-opt %s --npu-set-target=target=%t.16k.json --npu-tile --npu-place-memory | FileCheck %s --check-prefix=FUSED
// RUN: npu-opt %s --npu-set-target=target=%t.8k.json --npu-tile --npu-place-memory | FileCheck %s --check-prefix=SPLIT

// FUSED:     npu.layer "stem" kind "nn.conv"
// FUSED:     npu.vpu_binary max
// FUSED-NOT: npu.layer

// SPLIT:     npu.layer "stem" kind "nn.conv"
// SPLIT-NOT: npu.vpu_binary max
// SPLIT:     npu.layer "pool" kind "nn.max_pool"
// SPLIT:     npu.vpu_binary max
func.func @main(%x: tensor<1x3x36x34xf32>) -> tensor<1x72x9x9xf32> {
  %w = nn.constant dense<0.1> : tensor<72x3x5x5xf32>
  %c = nn.conv %x, %w {pads = array<i64: 2, 2, 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x36x34xf32>, tensor<72x3x5x5xf32>) -> tensor<1x72x18x17xf32> loc("stem")
  %r = nn.relu %c : tensor<1x72x18x17xf32> loc("relu")
  %p = nn.max_pool %r {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x72x18x17xf32>) -> tensor<1x72x9x9xf32> loc("pool")
  return %p : tensor<1x72x9x9xf32>
}
