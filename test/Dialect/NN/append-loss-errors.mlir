// Every nn-append-loss diagnostic.
// RUN: npu-opt --nn-append-loss --split-input-file --verify-diagnostics %s
// RUN: not npu-opt '--nn-append-loss=loss=hinge' %s --split-input-file 2>&1 | FileCheck %s --check-prefix=BADLOSS
// BADLOSS: error: nn-append-loss: unknown loss 'hinge' (expected sparse-categorical-crossentropy, categorical-crossentropy, mse or binary-crossentropy)

// expected-error @below {{nn-append-loss: @main already has an argument named 'labels'}}
func.func @main(%labels: tensor<2x3xf32> {nn.name = "labels"}) -> tensor<2x3xf32> {
  return %labels : tensor<2x3xf32>
}

// -----

// expected-error @below {{nn-append-loss: @main has no output to compute a loss from}}
func.func @main(%s: tensor<2xf32> {nn.name = "s", nn.state}) -> (tensor<2xf32> {nn.state = "s"}) {
  return %s : tensor<2xf32>
}

// -----

// expected-error @below {{nn-append-loss: the output 'tensor<6xf32>' cannot take the sparse-categorical-crossentropy loss: it needs f32 [batch, classes]}}
func.func @main(%x: tensor<6xf32>) -> tensor<6xf32> {
  return %x : tensor<6xf32>
}

// -----

// expected-error @below {{nn-append-loss: the output 'tensor<2x3xi32>' cannot take the sparse-categorical-crossentropy loss: it needs f32 [batch, classes]}}
func.func @main(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
  return %x : tensor<2x3xi32>
}

// -----

// expected-error @below {{nn-append-loss: no func.func @main with a body}}
module {
}
