// The structure of the nn.conv_transpose kernel (numbers:
// mxu-conv-transpose-e2e.test).
// RUN: npu-opt %s -split-input-file --npu-set-target=target=npu-base --npu-tile | FileCheck %s

// Stride 2: four phases (output rows and columns even/odd), each a stride-1
// im2col matmul over the taps that reach it: 1x1, 1x2, 2x1 and 2x2 taps of
// the 3x3 kernel (k = taps x 3 channels). Runtime weights are gathered per
// tap. Each phase's tiles are scattered back with stride 2 from its first
// output (rows 0/1, columns 0/1: byte offsets 0x0, 0x4, 0x20, 0x24). The
// work counts the 11 x 11 in-bounds (input, tap) pairs per channel pair.
// CHECK-LABEL: npu.layer "nn.conv_transpose" kind "nn.conv_transpose" macs 1815 vector_ops 0
// CHECK:       npu.dma_load %{{.*}}[0x10] f32 -> %{{.*}}[0x0] f32 extents [1, 1, 3, 5] dram_strides [0, 0, 45, 9]
// CHECK:       npu.mxu_load_weights %{{.*}} k 3 n 5
// CHECK:       npu.dma_store %{{.*}} -> %{{.*}}[0x0] f32 extents [1, 5, 2, 4] sram_strides [0, 1, 20, 5] dram_strides [0, 64, 16, 2]
// CHECK:       npu.mxu_load_weights %{{.*}} k 6 n 5
// CHECK:       npu.dma_store %{{.*}} -> %{{.*}}[0x4] f32 extents [1, 5, 2, 4] sram_strides [0, 1, 20, 5] dram_strides [0, 64, 16, 2]
// CHECK:       npu.mxu_load_weights %{{.*}} k 6 n 5
// CHECK:       npu.dma_store %{{.*}} -> %{{.*}}[0x20] f32 extents [1, 5, 2, 4] sram_strides [0, 1, 20, 5] dram_strides [0, 64, 16, 2]
// CHECK:       npu.mxu_load_weights %{{.*}} k 12 n 5
// CHECK:       npu.dma_store %{{.*}} -> %{{.*}}[0x24] f32 extents [1, 5, 2, 4] sram_strides [0, 1, 20, 5] dram_strides [0, 64, 16, 2]
// CHECK:       npu.dma_store %{{.*}} -> %{{.*}}[0xA4] f32
// CHECK-NEXT:  }
func.func @main(%x: tensor<1x3x4x4xf32>, %w: tensor<3x5x3x3xf32>) -> tensor<1x5x8x8xf32> {
  %c = nn.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<1x3x4x4xf32>, tensor<3x5x3x3xf32>) -> tensor<1x5x8x8xf32>
  return %c : tensor<1x5x8x8xf32>
}

// -----

// The max-pool gradient's spread (depthwise, all-ones 2x2 kernel, stride 2):
// every output copies one input, so it is DMA only: one gather, stored to
// each of the four phases. No work for the roofline but the bytes.
// CHECK-LABEL: npu.layer "nn.conv_transpose" kind "nn.conv_transpose" macs 0 vector_ops 0 min_dram_bytes 360
// CHECK-NEXT:  npu.alloc sram 128 name "window0"
// CHECK-NEXT:  npu.dma_load %{{.*}}[0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 3, 3, 2] dram_strides [0, 3, 1, 9] sram_strides [0, 6, 2, 1]
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 2, 3, 3] sram_strides [0, 1, 6, 2] dram_strides [0, 36, 12, 2]
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x4] f32
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x18] f32
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x1C] f32
// CHECK-NEXT:  }
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<1.0> : tensor<2x1x2x2xf32>
  %c = nn.conv_transpose %x, %w {group = 2 : i64, strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x1x2x2xf32>) -> tensor<1x2x6x6xf32>
  return %c : tensor<1x2x6x6xf32>
}

// -----

// Depthwise with weights and a bias on the VPU, channels across the lanes:
// per tap one multiply by the tap's weight row. Stride 3 with a 2x2 kernel
// leaves output rows and columns 2 and 5 without a tap: those phases get
// the bias row alone.
// CHECK-LABEL: npu.layer "nn.conv_transpose" kind "nn.conv_transpose" macs 32 vector_ops 136
// CHECK:       npu.vpu_binary mul rows 4 cols 2 dst %[[ACC:[0-9]+]][0x0] f32 stride 2 src0 %{{.*}}[0x0] f32 stride 2 src1 %[[W:[0-9]+]][0x0] f32 stride 2 broadcast row
// CHECK-NEXT:  npu.vpu_epilogue none rows 4 cols 2 dst %{{.*}} src0 %[[ACC]][0x0] f32 stride 2 src1
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 2, 2, 2] sram_strides [0, 1, 4, 2] dram_strides [0, 36, 18, 3]
// CHECK:       npu.vpu_binary mul rows 4 cols 2 {{.*}} src1 %[[W]][0x40] f32 stride 2 broadcast row
// CHECK:       npu.vpu_broadcast row rows 4 cols 2
// CHECK-NEXT:  npu.dma_store %{{.*}}[0x0] f32 -> %{{.*}}[0x8] f32 extents [1, 2, 2, 2] sram_strides [0, 1, 4, 2] dram_strides [0, 36, 18, 3]
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x6x6xf32> {
  %w = nn.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]], [[[5.0, 6.0], [7.0, 8.0]]]]> : tensor<2x1x2x2xf32>
  %b = nn.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %c = nn.conv_transpose %x, %w, %b {group = 2 : i64, strides = array<i64: 3, 3>, output_padding = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<2x1x2x2xf32>, tensor<2xf32>) -> tensor<1x2x6x6xf32>
  return %c : tensor<1x2x6x6xf32>
}
