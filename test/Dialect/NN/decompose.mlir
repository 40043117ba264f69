// RUN: npu-opt %s -nn-decompose | FileCheck %s
// RUN: npu-opt %s -nn-decompose='ops=softmax' | FileCheck %s --check-prefix=ONLY
// RUN: not npu-opt %s -nn-decompose='ops=gelu,relu' 2>&1 | FileCheck %s --check-prefix=BADOP

// BADOP: error: nn-decompose: unknown op 'relu' in ops (expected gelu, softmax, log_softmax, layer_norm, batch_norm, batch_norm_train, conv, gather or pool)

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

// A batch_norm with run-time parameters: the per-channel factor
// scale / sqrt(var + eps) on the [C] tensors, then one chain over x with the
// [C] tensors broadcast as [1, C, 1, 1]. (The compile pipeline folds the
// ones with constant parameters into the conv first, nn-fold-batch-norm.)
// CHECK-LABEL: func.func @batch_norm_runtime(
// CHECK:      %[[EPS:.*]] = nn.constant dense<{{.*}}> : tensor<f32>
// CHECK-NEXT: %[[VE:.*]] = nn.add %arg4, %[[EPS]]
// CHECK-NEXT: %[[STD:.*]] = nn.sqrt %[[VE]]
// CHECK-NEXT: %[[F:.*]] = nn.div %arg1, %[[STD]]
// CHECK-NEXT: %[[M:.*]] = nn.reshape %arg3 {shape = array<i64: 1, 3, 1, 1>}
// CHECK-NEXT: %[[FC:.*]] = nn.reshape %[[F]] {shape = array<i64: 1, 3, 1, 1>}
// CHECK-NEXT: %[[B:.*]] = nn.reshape %arg2 {shape = array<i64: 1, 3, 1, 1>}
// CHECK-NEXT: %[[C:.*]] = nn.sub %arg0, %[[M]]
// CHECK-NEXT: %[[X:.*]] = nn.mul %[[C]], %[[FC]]
// CHECK-NEXT: %[[Y:.*]] = nn.add %[[X]], %[[B]]
// CHECK-NEXT: return %[[Y]]
func.func @batch_norm_runtime(%x: tensor<2x3x4x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x5xf32> {
  %0 = nn.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x5xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return %0 : tensor<2x3x4x5xf32>
}

// A 3-D conv is the sum over the kernel depth of 2-D convs: the input
// padded in depth, the planes k + 2 * o sliced out and folded into the
// batch, each convolved with its constant weight slice; the bias is added
// once. 2-D convs with a constant weight are left alone.
// CHECK-LABEL: func.func @conv3d(
// CHECK-COUNT-3: nn.constant dense_resource<{{.*}}> : tensor<4x2x3x3xf32>
// CHECK:      %[[P:.*]] = nn.pad %arg0 {pads = array<i64: 0, 0, 1, 0, 0, 0, 0, 1, 0, 0>} : (tensor<1x2x5x6x6xf32>) -> tensor<1x2x7x6x6xf32>
// CHECK-NEXT: %[[S0:.*]] = nn.slice %[[P]] {axes = array<i64: 2>, ends = array<i64: 5>, starts = array<i64: 0>, steps = array<i64: 2>} : (tensor<1x2x7x6x6xf32>) -> tensor<1x2x3x6x6xf32>
// CHECK-NEXT: %[[T0:.*]] = nn.transpose %[[S0]] {perm = array<i64: 0, 2, 1, 3, 4>}
// CHECK-NEXT: %[[B0:.*]] = nn.reshape %[[T0]] {shape = array<i64: 3, 2, 6, 6>}
// CHECK-NEXT: %[[C0:.*]] = nn.conv %[[B0]], %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>} : (tensor<3x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<3x4x6x6xf32>
// CHECK:      nn.slice %[[P]] {axes = array<i64: 2>, ends = array<i64: 6>, starts = array<i64: 1>, steps = array<i64: 2>}
// CHECK:      %[[C1:.*]] = nn.conv
// CHECK-NEXT: %[[A1:.*]] = nn.add %[[C0]], %[[C1]]
// CHECK:      %[[C2:.*]] = nn.conv
// CHECK-NEXT: %[[A2:.*]] = nn.add %[[A1]], %[[C2]]
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[A2]] {shape = array<i64: 1, 3, 4, 6, 6>}
// CHECK-NEXT: %[[O:.*]] = nn.transpose %[[R]] {perm = array<i64: 0, 2, 1, 3, 4>} : (tensor<1x3x4x6x6xf32>) -> tensor<1x4x3x6x6xf32>
// CHECK-NEXT: %[[BIAS:.*]] = nn.reshape %arg1 {shape = array<i64: 1, 4, 1, 1, 1>}
// CHECK-NEXT: %[[Y:.*]] = nn.add %[[O]], %[[BIAS]]
// CHECK-NEXT: return %[[Y]]
// CHECK-LABEL: func.func @conv2d(
// CHECK-NEXT: nn.constant
// CHECK-NEXT: nn.conv
func.func @conv3d(%x: tensor<1x2x5x6x6xf32>, %b: tensor<4xf32>) -> tensor<1x4x3x6x6xf32> {
  %w = nn.constant dense<0.5> : tensor<4x2x3x3x3xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 1, 1>, pads = array<i64: 1, 1, 1, 1, 1, 1>} : (tensor<1x2x5x6x6xf32>, tensor<4x2x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x3x6x6xf32>
  return %0 : tensor<1x4x3x6x6xf32>
}
func.func @conv2d(%x: tensor<1x2x6x6xf32>) -> tensor<1x4x4x4xf32> {
  %w = nn.constant dense<0.5> : tensor<4x2x3x3xf32>
  %0 = nn.conv %x, %w : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// A run-time gather along axis 1: transposed to axis 0 and back.
// CHECK-LABEL: func.func @gather_axis(
// CHECK-NEXT: %[[T:.*]] = nn.transpose %arg0 {perm = array<i64: 1, 0, 2>} : (tensor<3x4x5xf32>) -> tensor<4x3x5xf32>
// CHECK-NEXT: %[[G:.*]] = nn.gather %[[T]], %arg1 : (tensor<4x3x5xf32>, tensor<2x6xi64>) -> tensor<2x6x3x5xf32>
// CHECK-NEXT: %[[B:.*]] = nn.transpose %[[G]] {perm = array<i64: 2, 0, 1, 3>} : (tensor<2x6x3x5xf32>) -> tensor<3x2x6x5xf32>
// CHECK-NEXT: return %[[B]]
func.func @gather_axis(%x: tensor<3x4x5xf32>, %i: tensor<2x6xi64>) -> tensor<3x2x6x5xf32> {
  %0 = nn.gather %x, %i {axis = 1 : i64} : (tensor<3x4x5xf32>, tensor<2x6xi64>) -> tensor<3x2x6x5xf32>
  return %0 : tensor<3x2x6x5xf32>
}

// A pool whose window has more than 32 positions over two axes: a pool
// along the innermost axis (its stride, dilation and pads), then one along
// the others; small windows stay.
// CHECK-LABEL: func.func @large_max_pool(
// CHECK:      %[[W:.*]] = nn.max_pool %arg0 {ceil_mode = true, dilations = array<i64: 1, 3>, kernel_shape = array<i64: 1, 8>, pads = array<i64: 0, 2, 0, 1>, strides = array<i64: 1, 4>} : (tensor<1x2x30x40xf32>) -> tensor<1x2x30x7xf32>
// CHECK-NEXT: %[[H:.*]] = nn.max_pool %[[W]] {ceil_mode = true, dilations = array<i64: 2, 1>, kernel_shape = array<i64: 6, 1>, pads = array<i64: 1, 0, 3, 0>, strides = array<i64: 3, 1>} : (tensor<1x2x30x7xf32>) -> tensor<1x2x9x7xf32>
// CHECK-NEXT: return %[[H]]
func.func @large_max_pool(%x: tensor<1x2x30x40xf32>) -> tensor<1x2x9x7xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 6, 8>, strides = array<i64: 3, 4>, dilations = array<i64: 2, 3>, pads = array<i64: 1, 2, 3, 1>, ceil_mode = true} : (tensor<1x2x30x40xf32>) -> tensor<1x2x9x7xf32>
  return %0 : tensor<1x2x9x7xf32>
}

// CHECK-LABEL: func.func @large_avg_pool(
// CHECK:      nn.avg_pool %arg0 {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 8>
// CHECK-NEXT: nn.avg_pool {{.*}} {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 5, 1>
// CHECK-LABEL: func.func @small_pool(
// CHECK-NEXT: nn.avg_pool %arg0 {kernel_shape = array<i64: 5, 5>}
func.func @large_avg_pool(%x: tensor<1x1x7x9xf32>) -> tensor<1x1x3x2xf32> {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 5, 8>, count_include_pad = true} : (tensor<1x1x7x9xf32>) -> tensor<1x1x3x2xf32>
  return %0 : tensor<1x1x3x2xf32>
}
func.func @small_pool(%x: tensor<1x1x6x7xf32>) -> tensor<1x1x2x3xf32> {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 5, 5>} : (tensor<1x1x6x7xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}

// A 3-D pool: a 2-D pool over (H, W) with the depth folded into the
// channels, then one along the depth with (H, W) flattened; a window of
// more than 32 positions in the first is split further.
// CHECK-LABEL: func.func @max_pool_3d(
// CHECK-NEXT: %[[P:.*]] = nn.reshape %arg0 {shape = array<i64: 1, 10, 6, 7>}
// CHECK-NEXT: %[[HW:.*]] = nn.max_pool %[[P]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 0, 1, 1>, strides = array<i64: 1, 2>} : (tensor<1x10x6x7xf32>) -> tensor<1x10x6x3xf32>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[HW]] {shape = array<i64: 1, 2, 5, 18>}
// CHECK-NEXT: %[[D:.*]] = nn.max_pool %[[R]] {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 1>, pads = array<i64: 1, 0, 0, 0>, strides = array<i64: 2, 1>} : (tensor<1x2x5x18xf32>) -> tensor<1x2x3x18xf32>
// CHECK-NEXT: %[[Y:.*]] = nn.reshape %[[D]] {shape = array<i64: 1, 2, 3, 6, 3>}
// CHECK-NEXT: return %[[Y]]
func.func @max_pool_3d(%x: tensor<1x2x5x6x7xf32>) -> tensor<1x2x3x6x3xf32> {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 3, 3>, strides = array<i64: 2, 1, 2>, pads = array<i64: 1, 1, 0, 0, 1, 1>} : (tensor<1x2x5x6x7xf32>) -> tensor<1x2x3x6x3xf32>
  return %0 : tensor<1x2x3x6x3xf32>
}
// CHECK-LABEL: func.func @avg_pool_3d(
// CHECK-NEXT: %[[P:.*]] = nn.reshape %arg0 {shape = array<i64: 2, 4, 9, 9>}
// CHECK-NEXT: %[[W:.*]] = nn.avg_pool %[[P]] {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 1, 6>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 3>} : (tensor<2x4x9x9xf32>) -> tensor<2x4x9x2xf32>
// CHECK-NEXT: %[[H:.*]] = nn.avg_pool %[[W]] {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 6, 1>, pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 3, 1>} : (tensor<2x4x9x2xf32>) -> tensor<2x4x2x2xf32>
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[H]] {shape = array<i64: 2, 1, 4, 4>}
// CHECK-NEXT: %[[D:.*]] = nn.avg_pool %[[R]] {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 1>, pads = array<i64: 1, 0, 1, 0>, strides = array<i64: 2, 1>} : (tensor<2x1x4x4xf32>) -> tensor<2x1x3x4xf32>
// CHECK-NEXT: %[[Y:.*]] = nn.reshape %[[D]] {shape = array<i64: 2, 1, 3, 2, 2>}
// CHECK-NEXT: return %[[Y]]
func.func @avg_pool_3d(%x: tensor<2x1x4x9x9xf32>) -> tensor<2x1x3x2x2xf32> {
  %0 = nn.avg_pool %x {kernel_shape = array<i64: 3, 6, 6>, strides = array<i64: 2, 3, 3>, dilations = array<i64: 1, 1, 1>, pads = array<i64: 1, 0, 0, 1, 0, 0>, ceil_mode = true} : (tensor<2x1x4x9x9xf32>) -> tensor<2x1x3x2x2xf32>
  return %0 : tensor<2x1x3x2x2xf32>
}
