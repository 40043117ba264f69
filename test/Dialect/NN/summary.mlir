// RUN: npu-opt %s --nn-model-summary -o %t.mlir | FileCheck %s
// The summary leaves the IR unchanged.
// RUN: npu-opt %s > %t.orig.mlir
// RUN: diff %t.orig.mlir %t.mlir

// CHECK-LABEL: model summary: @cnn
// CHECK-NEXT:   inputs: 1
// CHECK-NEXT:     #0 image: tensor<1x3x32x32xf32>
// CHECK-NEXT:   outputs: 1
// CHECK-NEXT:     #0 logits: tensor<1x10xf32>
// CHECK-NEXT:   ops: 10
// CHECK-NEXT:     nn.constant              5
// CHECK-NEXT:     nn.conv                  1
// CHECK-NEXT:     nn.flatten               1
// CHECK-NEXT:     nn.gemm                  1
// CHECK-NEXT:     nn.global_avg_pool       1
// CHECK-NEXT:     nn.relu                  1
// 16x3x3x3 + 16 + 10x16 + 10 = 432 + 16 + 160 + 10 = 618 parameters; the
// scalar constant is not a parameter.
// CHECK-NEXT:   parameters: 618 (618) in 4 tensors, 2472 bytes (2.41 KiB)
// conv: 1*16*32*32 outputs * 3*3*3 = 442368; gemm: 1*10*16 = 160.
// CHECK-NEXT:   MACs: 442528 (442.53 K)
// CHECK-NEXT:     nn.conv                  442368
// CHECK-NEXT:     nn.gemm                  160
func.func @cnn(%x: tensor<1x3x32x32xf32> {nn.name = "image"}) -> (tensor<1x10xf32> {nn.name = "logits"}) {
  %w = nn.constant dense_resource<conv_w> : tensor<16x3x3x3xf32>
  %b = nn.constant dense<0.0> : tensor<16xf32>
  %fw = nn.constant dense<0.5> : tensor<10x16xf32>
  %fb = nn.constant dense<0.0> : tensor<10xf32>
  %scalar = nn.constant dense<1.0> : tensor<f32>
  %0 = nn.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32> loc("/conv1/Conv")
  %1 = nn.relu %0 : tensor<1x16x32x32xf32>
  %2 = nn.global_avg_pool %1 : (tensor<1x16x32x32xf32>) -> tensor<1x16x1x1xf32>
  %3 = nn.flatten %2 : (tensor<1x16x1x1xf32>) -> tensor<1x16xf32>
  %4 = nn.gemm %3, %fw, %fb {trans_b = true} : (tensor<1x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  return %4 : tensor<1x10xf32>
}

// Batched matmul and transposed convolution MACs, i8/bf16 parameter bytes.
// CHECK-LABEL: model summary: @mixed
// CHECK-NEXT:   inputs: 2
// CHECK-NEXT:     #0: tensor<4x8x16xbf16>
// CHECK-NEXT:     #1: tensor<1x8x5x5xf32>
// CHECK-NEXT:   outputs: 2
// 16x32 bf16 (1024 bytes) + 8x2x3x3 f32 (576 bytes).
// CHECK:   parameters: 656 (656) in 2 tensors, 1600 bytes (1.56 KiB)
// matmul: 4*8*32 outputs * 16 = 16384; conv_transpose: 1*8*5*5 inputs * 2*3*3 = 3600.
// CHECK-NEXT:   MACs: 19984 (19.98 K)
// CHECK-NEXT:     nn.matmul                16384
// CHECK-NEXT:     nn.conv_transpose        3600
func.func @mixed(%a: tensor<4x8x16xbf16>, %x: tensor<1x8x5x5xf32>) -> (tensor<4x8x32xbf16>, tensor<1x2x7x7xf32>) {
  %b = nn.constant dense<1.0> : tensor<16x32xbf16>
  %t = nn.constant dense<1.0> : tensor<8x2x3x3xf32>
  %0 = nn.matmul %a, %b : (tensor<4x8x16xbf16>, tensor<16x32xbf16>) -> tensor<4x8x32xbf16> loc(fused["/attn/MatMul", "model.onnx":3:1])
  %1 = nn.conv_transpose %x, %t : (tensor<1x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<1x2x7x7xf32> loc("/up/ConvTranspose")
  return %0, %1 : tensor<4x8x32xbf16>, tensor<1x2x7x7xf32>
}

{-#
  dialect_resources: {
    builtin: {
      conv_w: "0x04000000"
    }
  }
#-}

// RUN: npu-opt %s --nn-model-summary=per-layer -o /dev/null | FileCheck %s --check-prefix=LAYERS
// LAYERS-LABEL: model summary: @cnn
// LAYERS:      layers: 2
// LAYERS-NEXT:   nn.conv                    442368  /conv1/Conv -> tensor<1x16x32x32xf32>
// LAYERS-NEXT:   nn.gemm                       160  - -> tensor<1x10xf32>
// LAYERS-LABEL: model summary: @mixed
// LAYERS:      layers: 2
// LAYERS-NEXT:   nn.matmul                   16384  /attn/MatMul -> tensor<4x8x32xbf16>
// LAYERS-NEXT:   nn.conv_transpose            3600  /up/ConvTranspose -> tensor<1x2x7x7xf32>

// The JSON form carries the same figures and parses.
// RUN: npu-opt %s --nn-model-summary="json per-layer" -o /dev/null | %python -c "import json, sys; f = json.load(sys.stdin)['functions']; print(f[0]['name'], f[0]['macs'], f[0]['parameters'], f[0]['ops']['nn.conv'], f[0]['inputs'][0]['name'], f[0]['layers'][0]['name'], f[1]['parameter_bytes'], f[1]['macs_by_op']['nn.conv_transpose'])" | FileCheck %s --check-prefix=JSON
// JSON: cnn 442528 618 1 image /conv1/Conv 1600 3600
