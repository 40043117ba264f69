// nn-autodiff on a train-step loss function: the parameters are the
// nn.trainable arguments by default (not the last-two-arguments rule), and
// results after the loss are auxiliary: passed through after the gradients
// with their attributes (the model's outputs, state updates). The loss is
// linear in w, so its gradient depends on no parameter: it moves up before
// the forward ops.
// RUN: npu-opt --nn-autodiff=func=main %s | FileCheck %s

// CHECK-LABEL: func.func @main_grad(
// CHECK-SAME:    %[[X:[^:]*]]: tensor<2x3xf32> {nn.name = "x"}, %[[W:[^:]*]]: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}, %[[S:[^:]*]]: tensor<2xf32> {nn.name = "s", nn.state}, %[[L:[^:]*]]: tensor<2x2xf32> {nn.name = "labels"})
// CHECK-SAME:    -> (tensor<1xf32> {nn.name = "loss"}, tensor<3x2xf32> {nn.name = "grad_w"}, tensor<2x2xf32> {nn.name = "y"}, tensor<2xf32> {nn.state = "s"})
// CHECK:         %[[XT:.*]] = nn.transpose %[[X]]
// CHECK:         %[[GW:.*]] = nn.matmul %[[XT]], %{{.*}}
// CHECK:         %[[Y:.*]] = nn.matmul %[[X]], %[[W]]
// CHECK:         return %{{.*}}, %[[GW]], %[[Y]], %[[S]]
func.func @main(%x: tensor<2x3xf32> {nn.name = "x"}, %w: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}, %s: tensor<2xf32> {nn.name = "s", nn.state}, %labels: tensor<2x2xf32> {nn.name = "labels"}) -> (tensor<1xf32> {nn.name = "loss"}, tensor<2x2xf32> {nn.name = "y"}, tensor<2xf32> {nn.state = "s"}) {
  %y = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %d = nn.sub %y, %labels : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %l = nn.reduce_sum %d {keepdims = false} : (tensor<2x2xf32>) -> tensor<f32>
  %loss = nn.reshape %l {shape = array<i64: 1>} : (tensor<f32>) -> tensor<1xf32>
  return %loss, %y, %s : tensor<1xf32>, tensor<2x2xf32>, tensor<2xf32>
}
