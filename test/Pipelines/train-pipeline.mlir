// The train pipeline's order and options: the weights become state, the
// model a loss function, its gradient the train step, then the compile
// pipeline (test/e2e/train runs what it makes).
// RUN: npu-opt %s --npu-train-pipeline="target=npu-tiny precision=bf16 loss=mse from-logits=true optimizer=adam beta1=0.8" --dump-pass-pipeline -o /dev/null 2>&1 | FileCheck %s --check-prefix=PIPELINE
// RUN: npu-opt %s --npu-train-pipeline="target=npu-tiny optimizer=sgd momentum=0.9" | FileCheck %s

// PIPELINE:      builtin.module(
// PIPELINE-NEXT:   nn-params-to-state{func=main},
// PIPELINE-NEXT:   nn-training-state{func=main},
// PIPELINE-NEXT:   nn-append-loss{from-logits=true func=main loss=mse},
// PIPELINE-NEXT:   nn-autodiff{func=main {{ *}}},
// PIPELINE-NEXT:   nn-optimizer{beta1=8.000000e-01 beta2=9.990000e-01 epsilon=1.000000e-07 func=main momentum=0.000000e+00 nesterov=false optimizer=adam},
// PIPELINE-NEXT:   npu-set-target{target=npu-tiny},
// PIPELINE:        npu-tile{double-buffer=true precision=bf16},
// PIPELINE-NEXT:   npu-state-in-place{report=false}
// PIPELINE-NEXT:   npu-place-memory
// PIPELINE-NEXT:   npu-lower-to-isa
// PIPELINE-NEXT:   npuisa-verify-sync

// CHECK:      npuisa.io "x" input f32 [4, 8]
// CHECK-NEXT: npuisa.state "proj.weight" f32 [8, 16]
// CHECK-NEXT: npuisa.constant
// CHECK-NEXT: npuisa.io "labels" input i32 [4]
// CHECK-NEXT: npuisa.io "learning_rate" input f32 [1]
// CHECK-NEXT: npuisa.state "proj.weight.momentum" f32 [8, 16]
// CHECK-NEXT: npuisa.state "optimizer.step" f32 [1]
// CHECK-NEXT: npuisa.io "loss" output f32 [1]
// CHECK-NEXT: npuisa.io "probs" output f32 [4, 16]
func.func @main(%x: tensor<4x8xf32> {nn.name = "x"}) -> (tensor<4x16xf32> {nn.name = "probs"}) {
  %w = nn.constant {nn.initializer = "proj.weight"} dense<0.5> : tensor<8x16xf32>
  %logits = nn.matmul %x, %w : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
  %probs = nn.softmax %logits {axis = 1 : i64} : tensor<4x16xf32>
  return %probs : tensor<4x16xf32>
}
