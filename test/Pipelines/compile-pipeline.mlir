// The compile pipeline's order and options, and what it makes of a model.
// RUN: npu-opt %s --npu-compile-pipeline="target=npu-tiny precision=bf16 double-buffer=false" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: npu-opt %s --npu-compile-pipeline="target=npu-tiny precision=bf16" | FileCheck %s
// RUN: npu-opt %s --npu-compile-pipeline="target=npu-tiny" | FileCheck %s --check-prefix=FP32
// RUN: not npu-opt %s --npu-compile-pipeline="precision=fp16" 2>&1 | FileCheck %s --check-prefix=BADPRECISION
// RUN: not npu-opt %s --npu-compile-pipeline="target=npu-huge" 2>&1 | FileCheck %s --check-prefix=BADTARGET

// PIPELINE:      builtin.module(
// PIPELINE-NEXT:   npu-set-target{target=npu-tiny},
// PIPELINE-NEXT:   func.func(
// PIPELINE-NEXT:     canonicalize
// PIPELINE-NEXT:     nn-fold-batch-norm
// PIPELINE-NEXT:     nn-decompose
// PIPELINE-NEXT:     nn-fuse
// PIPELINE-NEXT:     canonicalize
// PIPELINE-NEXT:     cse
// PIPELINE-NEXT:   ),
// PIPELINE-NEXT:   npu-tile{double-buffer=false precision=bf16},
// PIPELINE-NEXT:   npu-state-in-place{report=false}
// PIPELINE-NEXT:   npu-place-memory
// PIPELINE-NEXT:   npu-lower-to-isa
// PIPELINE-NEXT:   npuisa-verify-sync
// PIPELINE-NEXT: )

// BADPRECISION: for the --precision option: Cannot find option named 'fp16'!
// BADTARGET: error: invalid target: unknown target preset 'npu-huge'

// Every nn op ends up as chip instructions attributed to its source op, the
// I/O stays f32 and, at bf16, the MXU reads bf16: the input is converted by
// its DMA and the constant weight at compile time.
// CHECK:      module attributes {npu.target = #npu.target<"npu-tiny">}
// CHECK:      npuisa.program @main
// CHECK-DAG:    npuisa.io "x" input f32 [4, 8]
// CHECK-DAG:    npuisa.io "y" output f32 [4, 16]
// CHECK-DAG:    npuisa.constant {{.*}} tensor<{{.*}}xbf16>
// CHECK-DAG:    npuisa.source_op 0 "proj" kind "nn.matmul"
// CHECK-DAG:    npuisa.source_op {{.*}} "probs" kind "nn.
// CHECK:        npuisa.engine core 0 dma_load
// CHECK:          npuisa.dma_load {{.*}} f32 -> bf16
// CHECK:        npuisa.engine core 0 mxu
// CHECK:          npuisa.mxu_matmul {{.*}} bf16
// FP32-NOT:     bf16
func.func @main(%x: tensor<4x8xf32> {nn.name = "x"}) -> (tensor<4x16xf32> {nn.name = "y"}) {
  %w = nn.constant dense<0.5> : tensor<8x16xf32> loc("w")
  %p = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32> loc("proj")
  %y = nn.softmax %p {axis = 1 : i64} : tensor<4x16xf32> loc("probs")
  return %y : tensor<4x16xf32>
}
