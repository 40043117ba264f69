// RUN: npu-opt --nn-append-loss --split-input-file %s | FileCheck %s
// RUN: npu-opt '--nn-append-loss=loss=mse' %s --split-input-file 2>&1 | FileCheck %s --check-prefix=MSE
// RUN: npu-opt '--nn-append-loss=loss=binary-crossentropy' %s --split-input-file 2>&1 | FileCheck %s --check-prefix=BCE
// RUN: npu-opt '--nn-append-loss=loss=categorical-crossentropy from-logits=true' %s --split-input-file 2>&1 | FileCheck %s --check-prefix=CCE
// (The numbers are checked in append-loss-numeric.test, the diagnostics in
// append-loss-errors.mlir.)

// Sparse categorical cross-entropy of a softmax output: from the logits
// before it; labels i32 [N] become a one-hot mask, built first (it needs
// the labels only, so the chip has it ready for the loss); sum / -N. The
// state result stays where it is, after the outputs.
// CHECK-LABEL: func.func @main(
// CHECK-SAME:    %[[X:.*]]: tensor<3x4xf32> {nn.name = "x"}, %[[S:.*]]: tensor<4xf32> {nn.name = "s", nn.state}, %[[LABELS:.*]]: tensor<3xi32> {nn.name = "labels"})
// CHECK-SAME:    -> (tensor<1xf32> {nn.name = "loss"}, tensor<3x4xf32> {nn.name = "probs"}, tensor<4xf32> {nn.state = "s"})
// CHECK-NEXT:    %[[CLASSES:.*]] = nn.constant dense<{{\[\[}}0, 1, 2, 3]]> : tensor<1x4xi32>
// CHECK-NEXT:    %[[COLUMN:.*]] = nn.reshape %[[LABELS]] {shape = array<i64: 3, 1>}
// CHECK-NEXT:    %[[HIT:.*]] = nn.equal %[[COLUMN]], %[[CLASSES]]
// CHECK-NEXT:    %[[ONEHOT:.*]] = nn.cast %[[HIT]] : tensor<3x4xi1> to tensor<3x4xf32>
// CHECK-NEXT:    %[[LOGITS:.*]] = nn.add %[[X]], %[[S]]
// CHECK:         %[[PROBS:.*]] = nn.softmax %[[LOGITS]] {axis = 1 : i64}
// CHECK:         %[[LSM:.*]] = nn.log_softmax %[[LOGITS]] {axis = 1 : i64}
// CHECK:         %[[PICKED:.*]] = nn.mul %[[ONEHOT]], %[[LSM]]
// CHECK:         %[[SUM:.*]] = nn.reduce_sum %[[PICKED]] {keepdims = false}
// CHECK:         %[[SUM1:.*]] = nn.reshape %[[SUM]] {shape = array<i64: 1>}
// CHECK:         %[[SCALE:.*]] = nn.constant dense<-0.333333343> : tensor<f32>
// CHECK:         %[[LOSS:.*]] = nn.mul %[[SUM1]], %[[SCALE]]
// CHECK:         return %[[LOSS]], %[[PROBS]], %[[S]]
// MSE-LABEL: func.func @main(
// MSE-SAME:    %{{.*}}: tensor<3x4xf32> {nn.name = "labels"})
// MSE:         %[[D:.*]] = nn.sub %{{.*}}, %{{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>)
// MSE:         %[[SQ:.*]] = nn.mul %[[D]], %[[D]]
// MSE:         nn.reduce_mean %[[SQ]] {keepdims = false}
// CCE-LABEL: func.func @main(
// CCE-SAME:    %{{.*}}: tensor<3x4xf32> {nn.name = "labels"})
// CCE:         %[[PROBS:.*]] = nn.softmax
// CCE:         nn.log_softmax %[[PROBS]] {axis = 1 : i64}
func.func @main(%x: tensor<3x4xf32> {nn.name = "x"}, %s: tensor<4xf32> {nn.name = "s", nn.state}) -> (tensor<3x4xf32> {nn.name = "probs"}, tensor<4xf32> {nn.state = "s"}) {
  %logits = nn.add %x, %s : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %probs = nn.softmax %logits {axis = 1 : i64} : tensor<3x4xf32>
  return %probs, %s : tensor<3x4xf32>, tensor<4xf32>
}

// -----

// Binary cross-entropy of a sigmoid output: log sigmoid(+-z) from a
// log_softmax over (0, z); labels like the output.
// BCE:       func.func @main(%[[Z:[^:]*]]: tensor<3x2xf32>,
// BCE-SAME:    %[[T:.*]]: tensor<3x2xf32> {nn.name = "labels"})
// BCE:         %[[ZEROS:.*]] = nn.constant dense<0.000000e+00> : tensor<3x2x1xf32>
// BCE:         %[[COL:.*]] = nn.reshape %[[Z]] {shape = array<i64: 3, 2, 1>}
// BCE:         %[[PAIR:.*]] = nn.concat %[[ZEROS]], %[[COL]] {axis = 2 : i64}
// BCE:         %[[LOGS:.*]] = nn.log_softmax %[[PAIR]] {axis = 2 : i64}
// BCE:         nn.slice %[[LOGS]] {axes = array<i64: 2>, ends = array<i64: 1>, starts = array<i64: 0>, steps = array<i64: 1>}
// BCE:         nn.slice %[[LOGS]] {axes = array<i64: 2>, ends = array<i64: 2>, starts = array<i64: 1>, steps = array<i64: 1>}
// BCE:         nn.reduce_mean
func.func @main(%z: tensor<3x2xf32>) -> tensor<3x2xf32> {
  %p = nn.sigmoid %z : tensor<3x2xf32>
  return %p : tensor<3x2xf32>
}

// -----

// Probabilities that come from no softmax are normalized, then clipped to
// [1e-7, 1 - 1e-7] as eps + relu(p - eps) - relu(p - (1 - eps)).
// CHECK-LABEL: func.func @main(
// CHECK:         %[[SUM:.*]] = nn.reduce_sum %[[P:.*]] {axes = array<i64: 1>}
// CHECK:         %[[NORM:.*]] = nn.div %[[P]], %[[SUM]]
// CHECK-DAG:     nn.constant dense<1.000000e-07> : tensor<f32>
// CHECK-DAG:     nn.constant dense<0.99999988> : tensor<f32>
// CHECK:         nn.relu
// CHECK:         nn.relu
// CHECK:         nn.log
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %p = nn.relu %x : tensor<2x3xf32>
  return %p : tensor<2x3xf32>
}

