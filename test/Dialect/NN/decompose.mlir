// RUN: npu-opt %s -nn-decompose | FileCheck %s
// RUN: npu-opt %s -nn-decompose='ops=softmax' | FileCheck %s --check-prefix=ONLY
// RUN: not npu-opt %s -nn-decompose='ops=gelu,relu' 2>&1 | FileCheck %s --check-prefix=BADOP

// BADOP: error: nn-decompose: unknown op 'relu' in ops (expected gelu, softmax, log_softmax or layer_norm)

// ONLY-LABEL: func.func @gelu
// ONLY: nn.gelu
// ONLY-LABEL: func.func @softmax
// ONLY-NOT: nn.softmax
// ONLY-LABEL: func.func @log_softmax
// ONLY: nn.log_softmax
// ONLY-LABEL: func.func @layer_norm
// ONLY: nn.layer_norm

// gelu(x) = 0.5 * x * (1 + erf(x / sqrt(2)))
// CHECK-LABEL: func.func @gelu(
// CHECK-DAG:  %[[HALF:.*]] = nn.constant dense<5.000000e-01> : tensor<f32>
// CHECK-DAG:  %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f32>
// CHECK-DAG:  %[[SQRT2:.*]] = nn.constant dense<1.41421354> : tensor<f32>
// CHECK:      %[[SCALED:.*]] = nn.div %arg0, %[[SQRT2]] : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[ERF:.*]] = nn.erf %[[SCALED]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = nn.add %[[ERF]], %[[ONE]]
// CHECK-NEXT: %[[HALFX:.*]] = nn.mul %arg0, %[[HALF]]
// CHECK-NEXT: %[[RES:.*]] = nn.mul %[[HALFX]], %[[SUM]]
// CHECK-NEXT: return %[[RES]]
func.func @gelu(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.gelu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// tanh form; the scalars take the op's element type (f16 here).
// CHECK-LABEL: func.func @gelu_tanh(
// CHECK-DAG:  %[[HALF:.*]] = nn.constant dense<5.000000e-01> : tensor<f16>
// CHECK-DAG:  %[[ONE:.*]] = nn.constant dense<1.000000e+00> : tensor<f16>
// CHECK-DAG:  %[[K:.*]] = nn.constant dense<7.978520e-01> : tensor<f16>
// CHECK-DAG:  %[[C:.*]] = nn.constant dense<4.470830e-02> : tensor<f16>
// CHECK:      %[[SQ:.*]] = nn.mul %arg0, %arg0
// CHECK-NEXT: %[[CUBE:.*]] = nn.mul %[[SQ]], %arg0
// CHECK-NEXT: %[[CCUBE:.*]] = nn.mul %[[CUBE]], %[[C]]
// CHECK-NEXT: %[[INNER:.*]] = nn.add %arg0, %[[CCUBE]]
// CHECK-NEXT: %[[ARG:.*]] = nn.mul %[[INNER]], %[[K]]
// CHECK-NEXT: %[[TANH:.*]] = nn.tanh %[[ARG]] : tensor<2x3xf16>
// CHECK-NEXT: %[[SUM:.*]] = nn.add %[[TANH]], %[[ONE]]
// CHECK-NEXT: %[[HALFX:.*]] = nn.mul %arg0, %[[HALF]]
// CHECK-NEXT: nn.mul %[[HALFX]], %[[SUM]] : (tensor<2x3xf16>, tensor<2x3xf16>) -> tensor<2x3xf16>
func.func @gelu_tanh(%x: tensor<2x3xf16>) -> tensor<2x3xf16> {
  %0 = nn.gelu %x {approximate = "tanh"} : tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// CHECK-LABEL: func.func @softmax(
// CHECK-NEXT: %[[MAX:.*]] = nn.reduce_max %arg0 {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
// CHECK-NEXT: %[[SHIFT:.*]] = nn.sub %arg0, %[[MAX]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %[[EXP:.*]] = nn.exp %[[SHIFT]] : tensor<2x3xf32>
// CHECK-NEXT: %[[SUM:.*]] = nn.reduce_sum %[[EXP]] {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x1xf32>
// CHECK-NEXT: %[[RES:.*]] = nn.div %[[EXP]], %[[SUM]] : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[RES]]
func.func @softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @log_softmax(
// CHECK-NEXT: %[[MAX:.*]] = nn.reduce_max %arg0 {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
// CHECK-NEXT: %[[SHIFT:.*]] = nn.sub %arg0, %[[MAX]]
// CHECK-NEXT: %[[EXP:.*]] = nn.exp %[[SHIFT]]
// CHECK-NEXT: %[[SUM:.*]] = nn.reduce_sum %[[EXP]] {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
// CHECK-NEXT: %[[LOG:.*]] = nn.log %[[SUM]] : tensor<1x3xf32>
// CHECK-NEXT: %[[RES:.*]] = nn.sub %[[SHIFT]], %[[LOG]] : (tensor<2x3xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return %[[RES]]
func.func @log_softmax(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.log_softmax %x {axis = 0 : i64} : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// Normalizes over [axis, rank) = [1, 2]; scale [3,4] and bias [4] broadcast.
// CHECK-LABEL: func.func @layer_norm(
// CHECK-NEXT: %[[EPS:.*]] = nn.constant dense<1.000000e-03> : tensor<f32>
// CHECK-NEXT: %[[MEAN:.*]] = nn.reduce_mean %arg0 {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
// CHECK-NEXT: %[[D:.*]] = nn.sub %arg0, %[[MEAN]]
// CHECK-NEXT: %[[SQ:.*]] = nn.mul %[[D]], %[[D]]
// CHECK-NEXT: %[[VAR:.*]] = nn.reduce_mean %[[SQ]] {axes = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x1x1xf32>
// CHECK-NEXT: %[[VEPS:.*]] = nn.add %[[VAR]], %[[EPS]] : (tensor<2x1x1xf32>, tensor<f32>) -> tensor<2x1x1xf32>
// CHECK-NEXT: %[[STD:.*]] = nn.sqrt %[[VEPS]]
// CHECK-NEXT: %[[N:.*]] = nn.div %[[D]], %[[STD]]
// CHECK-NEXT: %[[S:.*]] = nn.mul %[[N]], %arg1 : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: %[[B:.*]] = nn.add %[[S]], %arg2 : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NEXT: return %[[B]]
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.layer_norm %x, %s, %b {axis = 1 : i64, epsilon = 1.0e-3 : f32} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// Without bias the result is the scale multiply; epsilon defaults to 1e-5.
// CHECK-LABEL: func.func @layer_norm_nobias(
// CHECK:      nn.constant dense<9.99999974E-6> : tensor<f32>
// CHECK:      %[[S:.*]] = nn.mul %{{.*}}, %arg1 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: return %[[S]]
func.func @layer_norm_nobias(%x: tensor<2x4xf32>, %s: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = nn.layer_norm %x, %s {axis = 1 : i64} : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
