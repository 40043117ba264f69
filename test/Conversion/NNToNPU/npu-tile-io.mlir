// RUN: npu-opt %s --npu-tile=precision=bf16 -split-input-file | FileCheck %s
// RUN: npu-opt %s --npu-tile -split-input-file | FileCheck %s --check-prefix=FP32

// Driver behaviour of npu-tile without kernels: I/O tensors (named by
// nn.name, else arg<i>/out<i>; floats are f32 at the I/O), constants in the
// chip dtype (floats in the compute precision, i64 narrowed to i32, i1 as
// f32 0/1), reshape/flatten as views of their input, and outputs that are
// inputs, constants or views filled by a copy layer.

module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main(%x: tensor<2x3x4xf32> {nn.name = "input"}, %y: tensor<4xi64>)
      -> (tensor<6x4xf32> {nn.name = "flat"}, tensor<2x2xf32>, tensor<4xi64>,
          tensor<2x2xf32>) {
    %r = nn.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
    %c = nn.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32> loc("w")
    %i = nn.constant dense<[1, 2, 3, 4]> : tensor<4xi64>
    %b = nn.constant dense<[true, false, true]> : tensor<3xi1> loc("mask")
    %f = nn.flatten %b {axis = 0 : i64} : (tensor<3xi1>) -> tensor<1x3xi1>
    return %r, %c, %i, %c : tensor<6x4xf32>, tensor<2x2xf32>, tensor<4xi64>, tensor<2x2xf32>
  }
}

// CHECK-LABEL: npu.program @main {
// CHECK-NEXT:    %[[X:.*]] = npu.io "input" input f32 [2, 3, 4]
// CHECK-NEXT:    %[[Y:.*]] = npu.io "arg1" input i32 [4]
// CHECK-NEXT:    %[[FLAT:.*]] = npu.io "flat" output f32 [6, 4]
// CHECK-NEXT:    %[[OUT1:.*]] = npu.io "out1" output f32 [2, 2]
// CHECK-NEXT:    %[[OUT2:.*]] = npu.io "out2" output i32 [4]
// CHECK-NEXT:    %[[OUT3:.*]] = npu.io "out3" output f32 [2, 2]
// Constants are materialized at their first use: the flatten's first, as
// f32 0/1. The bf16 weight holds 1, 2, 3, 4 (0x3F80, 0x4000, 0x4040, 0x4080).
// CHECK-NEXT:    npu.constant "mask" dense_resource<mask> : tensor<3xf32>
// CHECK-NEXT:    %[[W:.*]] = npu.constant "w" dense_resource<w> : tensor<2x2xbf16>
// CHECK-NEXT:    %[[I:.*]] = npu.constant "const0" dense_resource<const0> : tensor<4xi32>
// The view reads the input's buffer directly.
// CHECK-NEXT:    npu.layer "flat.copy" kind "copy" macs 0 vector_ops 0 min_dram_bytes 192 {
// CHECK-NEXT:      %[[A:.*]] = npu.alloc sram 96 name "flat.copy"
// CHECK-NEXT:      npu.dma_load %[[X]][0x0] f32 -> %[[A]][0x0] f32 extents [1, 1, 1, 24] dram_strides [0, 0, 24, 1] sram_strides [0, 0, 24, 1]
// CHECK-NEXT:      npu.dma_store %[[A]][0x0] f32 -> %[[FLAT]][0x0] f32 extents [1, 1, 1, 24] sram_strides [0, 0, 24, 1] dram_strides [0, 0, 24, 1]
// CHECK-NEXT:    }
// The bf16 constant widens to the f32 output in the store.
// CHECK:         npu.layer "out1.copy"
// CHECK:           npu.dma_load %[[W]][0x0] bf16 -> %{{.*}}[0x0] bf16
// CHECK:           npu.dma_store %{{.*}}[0x0] bf16 -> %[[OUT1]][0x0] f32
// CHECK:         npu.layer "out2.copy"
// CHECK:           npu.dma_load %[[I]][0x0] i32
// CHECK:           npu.dma_store %{{.*}}[0x0] i32 -> %[[OUT2]][0x0] i32
// The same constant feeds a second output: materialized once.
// CHECK:         npu.layer "out3.copy"
// CHECK:           npu.dma_load %[[W]][0x0] bf16
// CHECK:           npu.dma_store %{{.*}}[0x0] bf16 -> %[[OUT3]][0x0] f32
// CHECK:       w: "0x08000000803F004040408040",
// CHECK:       const0: "0x0800000001000000020000000300000004000000"

// FP32-LABEL: npu.program @main {
// FP32:         npu.constant "w" dense<{{\[}}[1.000000e+00, 2.000000e+00], [3.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>

// -----

// A returned boolean constant is f32 0/1 at the output too; copies of large tensors are split into
// chunks of rows that alternate between two SRAM buffers (double buffering).
module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main(%x: tensor<512x1024xf32>) -> (tensor<3xi1>, tensor<512x1024xf32>) {
    %b = nn.constant dense<[true, false, true]> : tensor<3xi1> loc("mask")
    return %b, %x : tensor<3xi1>, tensor<512x1024xf32>
  }
}

// CHECK-LABEL: npu.program @main {
// CHECK:         %[[IN:.*]] = npu.io "arg0" input f32 [512, 1024]
// CHECK:         %[[OUT:.*]] = npu.io "out1" output f32 [512, 1024]
// CHECK:         npu.constant "mask" dense_resource<mask> : tensor<3xf32>
// CHECK:         npu.layer "out1.copy" kind "copy" macs 0 vector_ops 0 min_dram_bytes 4194304 {
// CHECK-NEXT:      %[[B0:.*]] = npu.alloc sram 65536
// CHECK-NEXT:      %[[B1:.*]] = npu.alloc sram 65536
// CHECK-NEXT:      npu.dma_load %[[IN]][0x0] f32 -> %[[B0]][0x0] f32 extents [1, 1, 16, 1024]
// CHECK-NEXT:      npu.dma_store %[[B0]][0x0] f32 -> %[[OUT]][0x0] f32 extents [1, 1, 16, 1024]
// CHECK-NEXT:      npu.dma_load %[[IN]][0x10000] f32 -> %[[B1]][0x0] f32
// CHECK-NEXT:      npu.dma_store %[[B1]][0x0] f32 -> %[[OUT]][0x10000] f32
// CHECK-NEXT:      npu.dma_load %[[IN]][0x20000] f32 -> %[[B0]][0x0] f32
// CHECK:           npu.dma_store %[[B1]][0x0] f32 -> %[[OUT]][0x1F0000] f32
// CHECK-NEXT:    }
// CHECK:       mask: "0x080000000000803F000000000000803F"
