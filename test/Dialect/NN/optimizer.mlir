// RUN: npu-opt '--nn-optimizer=optimizer=sgd momentum=0.9' %s | FileCheck %s --check-prefix=SGD
// RUN: npu-opt '--nn-optimizer=optimizer=sgd momentum=0.5 nesterov=true' %s | FileCheck %s --check-prefix=NESTEROV
// RUN: npu-opt '--nn-optimizer=optimizer=sgd' %s | FileCheck %s --check-prefix=PLAIN
// RUN: npu-opt '--nn-optimizer=optimizer=adam beta1=0.8 beta2=0.99 epsilon=1e-6' %s | FileCheck %s --check-prefix=ADAM
// (End to end against PyTorch: test/e2e/train/. Diagnostics:
// optimizer-errors.mlir.)

// The gradient function of a one-parameter model (nn-autodiff's output
// shape: loss, grad_w, then the model output). The gradient comes first, so
// the checks show the update placed right after it, before the ops that
// follow it; the step counter (and Adam's bias correction) open the body.
func.func @main(%x: tensor<2x3xf32> {nn.name = "x"}, %w: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}, %labels: tensor<2xi32> {nn.name = "labels"}) -> (tensor<1xf32> {nn.name = "loss"}, tensor<2x2xf32> {nn.name = "y"}) {
  %y = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %l = nn.reduce_sum %y {keepdims = false} : (tensor<2x2xf32>) -> tensor<f32>
  %loss = nn.reshape %l {shape = array<i64: 1>} : (tensor<f32>) -> tensor<1xf32>
  return %loss, %y : tensor<1xf32>, tensor<2x2xf32>
}
func.func @main_grad(%x: tensor<2x3xf32> {nn.name = "x"}, %w: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}, %labels: tensor<2xi32> {nn.name = "labels"}) -> (tensor<1xf32> {nn.name = "loss"}, tensor<3x2xf32> {nn.name = "grad_w"}, tensor<2x2xf32> {nn.name = "y"}) {
  %g = nn.constant dense<1.0> : tensor<3x2xf32>
  %y = nn.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
  %l = nn.reduce_sum %y {keepdims = false} : (tensor<2x2xf32>) -> tensor<f32>
  %loss = nn.reshape %l {shape = array<i64: 1>} : (tensor<f32>) -> tensor<1xf32>
  return %loss, %g, %y : tensor<1xf32>, tensor<3x2xf32>, tensor<2x2xf32>
}

// SGD with momentum (PyTorch): b' = 0.9 b + g, w' = w - b' * lr; the train
// step replaces @main and @main_grad.
// SGD-NOT:     func.func @main_grad
// SGD-LABEL:   func.func @main(
// SGD-SAME:      %[[X:[^:]*]]: tensor<2x3xf32> {nn.name = "x"}, %[[W:[^:]*]]: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}, %[[LABELS:[^:]*]]: tensor<2xi32> {nn.name = "labels"},
// SGD-SAME:      %[[LR:[^:]*]]: tensor<1xf32> {nn.name = "learning_rate"},
// SGD-SAME:      %[[B:[^:]*]]: tensor<3x2xf32> {nn.name = "w.momentum", nn.state},
// SGD-SAME:      %[[STEP:[^:]*]]: tensor<1xf32> {nn.name = "optimizer.step", nn.state})
// SGD-SAME:    -> (tensor<1xf32> {nn.name = "loss"}, tensor<2x2xf32> {nn.name = "y"}, tensor<3x2xf32> {nn.state = "w"}, tensor<3x2xf32> {nn.state = "w.momentum"}, tensor<1xf32> {nn.state = "optimizer.step"})
// SGD-NEXT:      %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// SGD-NEXT:      %[[NEWSTEP:.*]] = nn.add %[[STEP]], %[[ONE]]
// SGD-NEXT:      %[[G:.*]] = nn.constant dense<1.000000e+00> : tensor<3x2xf32>
// SGD-NEXT:      %[[MU:.*]] = nn.constant dense<0.899999976> : tensor<f32>
// SGD-NEXT:      %[[DECAYED:.*]] = nn.mul %[[B]], %[[MU]]
// SGD-NEXT:      %[[NEWB:.*]] = nn.add %[[DECAYED]], %[[G]]
// SGD-NEXT:      %[[DELTA:.*]] = nn.mul %[[NEWB]], %[[LR]]
// SGD-NEXT:      %[[NEWW:.*]] = nn.sub %[[W]], %[[DELTA]]
// SGD-NEXT:      nn.matmul %[[X]], %[[W]]
// SGD:           return %{{.*}}, %{{.*}}, %[[NEWW]], %[[NEWB]], %[[NEWSTEP]]
// SGD-NOT:     func.func

// Nesterov: w' = w - (g + mu b') * lr.
// NESTEROV:      %[[NEWB:.*]] = nn.add %{{.*}}, %[[G:.*]] : (tensor<3x2xf32>, tensor<3x2xf32>)
// NESTEROV:      %[[MU:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// NESTEROV:      %[[LOOK:.*]] = nn.mul %[[NEWB]], %[[MU]]
// NESTEROV:      %[[DIR:.*]] = nn.add %[[G]], %[[LOOK]]
// NESTEROV:      %[[DELTA:.*]] = nn.mul %[[DIR]], %{{.*}}
// NESTEROV:      nn.sub %{{.*}}, %[[DELTA]]

// Without momentum: no slot; w' = w - g * lr.
// PLAIN-LABEL:   func.func @main(
// PLAIN-NOT:       momentum
// PLAIN-SAME:      -> (tensor<1xf32> {nn.name = "loss"}, tensor<2x2xf32> {nn.name = "y"}, tensor<3x2xf32> {nn.state = "w"}, tensor<1xf32> {nn.state = "optimizer.step"})
// PLAIN:           %[[DELTA:.*]] = nn.mul %{{.*}}, %{{.*}} : (tensor<3x2xf32>, tensor<1xf32>)
// PLAIN:           nn.sub %{{.*}}, %[[DELTA]]

// Adam (Keras): t = step + 1, alpha = lr sqrt(1 - b2^t) / (1 - b1^t) on the
// chip; m' = m + (g - m)(1 - b1), v' = v + (g^2 - v)(1 - b2),
// w' = w - m' alpha / (sqrt(v') + eps).
// ADAM-LABEL:    func.func @main(
// ADAM-SAME:       %[[W:[^:]*]]: tensor<3x2xf32> {nn.name = "w", nn.state, nn.trainable}
// ADAM-SAME:       %[[LR:[^:]*]]: tensor<1xf32> {nn.name = "learning_rate"},
// ADAM-SAME:       %[[M:[^:]*]]: tensor<3x2xf32> {nn.name = "w.m", nn.state},
// ADAM-SAME:       %[[V:[^:]*]]: tensor<3x2xf32> {nn.name = "w.v", nn.state},
// ADAM-SAME:       %[[STEP:[^:]*]]: tensor<1xf32> {nn.name = "optimizer.step", nn.state})
// ADAM-SAME:     tensor<3x2xf32> {nn.state = "w"}, tensor<3x2xf32> {nn.state = "w.m"}, tensor<3x2xf32> {nn.state = "w.v"}, tensor<1xf32> {nn.state = "optimizer.step"})
// ADAM-NEXT:       nn.constant dense<1.000000e+00> : tensor<f32>
// ADAM-NEXT:       %[[T:.*]] = nn.add %[[STEP]], %{{.*}}
// ADAM:            %[[B1:.*]] = nn.constant dense<8.000000e-01> : tensor<f32>
// ADAM:            %[[B1T:.*]] = nn.pow %[[B1]], %[[T]]
// ADAM:            %[[B2:.*]] = nn.constant dense<9.900000e-01> : tensor<f32>
// ADAM:            %[[B2T:.*]] = nn.pow %[[B2]], %[[T]]
// ADAM:            %[[ROOT:.*]] = nn.sqrt
// ADAM:            %[[NUM:.*]] = nn.mul %[[LR]], %[[ROOT]]
// ADAM:            %[[ALPHA:.*]] = nn.div %[[NUM]], %{{.*}}
// ADAM-NEXT:       %[[G:.*]] = nn.constant dense<1.000000e+00> : tensor<3x2xf32>
// ADAM:            %[[GM:.*]] = nn.sub %[[G]], %[[M]]
// ADAM:            %[[NEWM:.*]] = nn.add %[[M]], %{{.*}}
// ADAM:            %[[G2:.*]] = nn.mul %[[G]], %[[G]]
// ADAM:            %[[NEWV:.*]] = nn.add %[[V]], %{{.*}}
// ADAM:            %[[SQV:.*]] = nn.sqrt %[[NEWV]]
// ADAM:            %[[EPS:.*]] = nn.constant dense<9.99999997E-7> : tensor<f32>
// ADAM:            %[[DEN:.*]] = nn.add %[[SQV]], %[[EPS]]
// ADAM:            %[[STEPSIZE:.*]] = nn.mul %[[NEWM]], %[[ALPHA]]
// ADAM:            %[[DELTA:.*]] = nn.div %[[STEPSIZE]], %[[DEN]]
// ADAM-NEXT:       %[[NEWW:.*]] = nn.sub %[[W]], %[[DELTA]]
// ADAM-NEXT:       nn.matmul
// ADAM:            return %{{.*}}, %{{.*}}, %[[NEWW]], %[[NEWM]], %[[NEWV]], %[[T]]
