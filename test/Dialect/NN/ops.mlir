// RUN: npu-opt %s | npu-opt | FileCheck %s
// RUN: npu-opt --verify-roundtrip %s
// RUN: npu-opt -mlir-print-op-generic %s | npu-opt | FileCheck %s

// Every nn op, printed and re-parsed. Default-valued attributes are elided.

// CHECK-LABEL: func @linear
func.func @linear(%a: tensor<8x1x4x16xf32>, %b: tensor<3x16x32xf32>,
                  %v: tensor<16xf32>, %m: tensor<16x32xf32>,
                  %g: tensor<4x16xf32>, %gb: tensor<32x16xf32>,
                  %c: tensor<32xf32>) -> tensor<8x3x4x32xf32> {
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : (tensor<8x1x4x16xf32>, tensor<3x16x32xf32>) -> tensor<8x3x4x32xf32>
  %0 = nn.matmul %a, %b : (tensor<8x1x4x16xf32>, tensor<3x16x32xf32>) -> tensor<8x3x4x32xf32>
  // CHECK: nn.matmul {{.*}} -> tensor<32xf32>
  %1 = nn.matmul %v, %m : (tensor<16xf32>, tensor<16x32xf32>) -> tensor<32xf32>
  // CHECK: nn.matmul {{.*}} -> tensor<f32>
  %2 = nn.matmul %v, %v : (tensor<16xf32>, tensor<16xf32>) -> tensor<f32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f32, trans_b = true} : (tensor<4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  %3 = nn.gemm %g, %gb, %c {alpha = 0.5 : f32, trans_b = true} : (tensor<4x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<4x32xf32>
  // CHECK: nn.gemm %{{.*}}, %{{.*}} : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
  %4 = nn.gemm %g, %m : (tensor<4x16xf32>, tensor<16x32xf32>) -> tensor<4x32xf32>
  return %0 : tensor<8x3x4x32xf32>
}

// CHECK-LABEL: func @conv
func.func @conv(%x: tensor<1x32x56x56xf32>, %w: tensor<64x32x3x3xf32>,
                %b: tensor<64xf32>, %dw: tensor<32x1x3x3xf32>,
                %t: tensor<32x16x4x4xf32>, %x1: tensor<2x8x100xbf16>,
                %w1: tensor<8x4x5xbf16>) {
  // CHECK: nn.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x32x56x56xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
  %0 = nn.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x56x56xf32>, tensor<64x32x3x3xf32>, tensor<64xf32>) -> tensor<1x64x28x28xf32>
  // Depthwise, dilated, explicit kernel_shape.
  // CHECK: nn.conv %{{.*}}, %{{.*}} {dilations = array<i64: 2, 2>, group = 32 : i64, kernel_shape = array<i64: 3, 3>} : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x52x52xf32>
  %1 = nn.conv %x, %dw {group = 32 : i64, dilations = array<i64: 2, 2>, kernel_shape = array<i64: 3, 3>} : (tensor<1x32x56x56xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x52x52xf32>
  // 1-D grouped bf16 convolution.
  // CHECK: nn.conv {{.*}} -> tensor<2x8x96xbf16>
  %2 = nn.conv %x1, %w1 {group = 2 : i64} : (tensor<2x8x100xbf16>, tensor<8x4x5xbf16>) -> tensor<2x8x96xbf16>
  // CHECK: nn.conv_transpose %{{.*}}, %{{.*}} {output_padding = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x32x56x56xf32>, tensor<32x16x4x4xf32>) -> tensor<1x16x113x113xf32>
  %3 = nn.conv_transpose %x, %t {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x32x56x56xf32>, tensor<32x16x4x4xf32>) -> tensor<1x16x113x113xf32>
  // CHECK: nn.conv_transpose {{.*}} -> tensor<1x16x59x59xf32>
  %4 = nn.conv_transpose %x, %t : (tensor<1x32x56x56xf32>, tensor<32x16x4x4xf32>) -> tensor<1x16x59x59xf32>
  return
}

// CHECK-LABEL: func @norm_pool
func.func @norm_pool(%x: tensor<2x16x9x9xf32>, %c: tensor<16xf32>,
                     %s: tensor<4x10x32xf16>, %g: tensor<32xf16>,
                     %c0: tensor<f32>) {
  // CHECK: nn.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f32} : (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x9x9xf32>
  %0 = nn.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-3 : f32} : (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<2x16x9x9xf32>
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<4x10x32xf16>, tensor<32xf16>, tensor<32xf16>) -> tensor<4x10x32xf16>
  %1 = nn.layer_norm %s, %g, %g {axis = 2 : i64} : (tensor<4x10x32xf16>, tensor<32xf16>, tensor<32xf16>) -> tensor<4x10x32xf16>
  // CHECK: nn.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {momentum = 9.900000e-01 : f32} : (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>)
  %t:3 = nn.batch_norm_train %x, %c, %c, %c, %c {momentum = 0.99 : f32} : (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<2x16x9x9xf32>, tensor<16xf32>, tensor<16xf32>)
  // CHECK: nn.dropout %{{.*}}, %{{.*}} {key = 7 : i64, ratio = 2.500000e-01 : f32} : (tensor<2x16x9x9xf32>, tensor<f32>) -> tensor<2x16x9x9xf32>
  %d = nn.dropout %x, %c0 {ratio = 0.25 : f32, key = 7} : (tensor<2x16x9x9xf32>, tensor<f32>) -> tensor<2x16x9x9xf32>
  // CHECK: nn.layer_norm %{{.*}}, %{{.*}} {axis = 2 : i64} : (tensor<4x10x32xf16>, tensor<32xf16>) -> tensor<4x10x32xf16>
  %2 = nn.layer_norm %s, %g {axis = 2 : i64, epsilon = 1.0e-5 : f32} : (tensor<4x10x32xf16>, tensor<32xf16>) -> tensor<4x10x32xf16>
  // CHECK: nn.max_pool %{{.*}} {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<2x16x9x9xf32>) -> tensor<2x16x5x5xf32>
  %3 = nn.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x16x9x9xf32>) -> tensor<2x16x5x5xf32>
  // ceil_mode rounds up: floor((9-2)/2)+1 = 4, ceil gives 5.
  // CHECK: nn.max_pool %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x16x9x9xf32>) -> tensor<2x16x5x5xf32>
  %4 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : (tensor<2x16x9x9xf32>) -> tensor<2x16x5x5xf32>
  // CHECK: nn.avg_pool %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : (tensor<2x16x9x9xf32>) -> tensor<2x16x9x9xf32>
  %5 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : (tensor<2x16x9x9xf32>) -> tensor<2x16x9x9xf32>
  // CHECK: nn.global_avg_pool %{{.*}} : (tensor<2x16x9x9xf32>) -> tensor<2x16x1x1xf32>
  %6 = nn.global_avg_pool %x : (tensor<2x16x9x9xf32>) -> tensor<2x16x1x1xf32>
  return
}

// CHECK-LABEL: func @elementwise
func.func @elementwise(%a: tensor<2x3xf32>, %b: tensor<3xf32>,
                       %i: tensor<4x1xi32>, %j: tensor<1x5xi32>,
                       %cond: tensor<2x1xi1>) {
  // CHECK: nn.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = nn.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.sub {{.*}} -> tensor<4x5xi32>
  %1 = nn.sub %i, %j : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
  // CHECK: nn.mul {{.*}} -> tensor<2x3xf32>
  %2 = nn.mul %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.div {{.*}} -> tensor<2x3xf32>
  %3 = nn.div %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.pow {{.*}} -> tensor<2x3xf32>
  %4 = nn.pow %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.max {{.*}} -> tensor<4x5xi32>
  %5 = nn.max %i, %j : (tensor<4x1xi32>, tensor<1x5xi32>) -> tensor<4x5xi32>
  // CHECK: nn.min {{.*}} -> tensor<2x3xf32>
  %6 = nn.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.where %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = nn.where %cond, %a, %b : (tensor<2x1xi1>, tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.relu %{{.*}} : tensor<2x3xf32>
  %8 = nn.relu %a : tensor<2x3xf32>
  // CHECK: nn.leaky_relu %{{.*}} {alpha = 2.000000e-01 : f32} : tensor<2x3xf32>
  %9 = nn.leaky_relu %a {alpha = 0.2 : f32} : tensor<2x3xf32>
  // CHECK: nn.leaky_relu %{{.*}} : tensor<2x3xf32>
  %10 = nn.leaky_relu %a : tensor<2x3xf32>
  // CHECK: nn.clip %{{.*}} {max = 6.000000e+00 : f32, min = 0.000000e+00 : f32} : tensor<2x3xf32>
  %11 = nn.clip %a {min = 0.0 : f32, max = 6.0 : f32} : tensor<2x3xf32>
  // CHECK: nn.clip %{{.*}} {min = -1.000000e+00 : f32} : tensor<4x1xi32>
  %12 = nn.clip %i {min = -1.0 : f32} : tensor<4x1xi32>
  // CHECK: nn.sigmoid %{{.*}} : tensor<2x3xf32>
  %13 = nn.sigmoid %a : tensor<2x3xf32>
  // CHECK: nn.tanh
  %14 = nn.tanh %a : tensor<2x3xf32>
  // CHECK: nn.gelu %{{.*}} : tensor<2x3xf32>
  %15 = nn.gelu %a : tensor<2x3xf32>
  // CHECK: nn.gelu %{{.*}} {approximate = "tanh"} : tensor<2x3xf32>
  %16 = nn.gelu %a {approximate = "tanh"} : tensor<2x3xf32>
  // CHECK: nn.erf
  %17 = nn.erf %a : tensor<2x3xf32>
  // CHECK: nn.exp
  %18 = nn.exp %a : tensor<2x3xf32>
  // CHECK: nn.log
  %19 = nn.log %a : tensor<2x3xf32>
  // CHECK: nn.sqrt
  %20 = nn.sqrt %a : tensor<2x3xf32>
  // CHECK: nn.neg %{{.*}} : tensor<4x1xi32>
  %21 = nn.neg %i : tensor<4x1xi32>
  // CHECK: nn.abs
  %22 = nn.abs %a : tensor<2x3xf32>
  // CHECK: nn.softmax %{{.*}} {axis = 1 : i64} : tensor<2x3xf32>
  %23 = nn.softmax %a {axis = 1 : i64} : tensor<2x3xf32>
  // CHECK: nn.log_softmax %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>
  %24 = nn.log_softmax %a {axis = 0 : i64} : tensor<2x3xf32>
  // CHECK: nn.reciprocal %{{.*}} : tensor<2x3xf32>
  %25 = nn.reciprocal %a : tensor<2x3xf32>
  // CHECK: nn.floor %{{.*}} : tensor<2x3xf32>
  %26 = nn.floor %a : tensor<2x3xf32>
  // CHECK: nn.ceil %{{.*}} : tensor<2x3xf32>
  %27 = nn.ceil %a : tensor<2x3xf32>
  // CHECK: nn.sign %{{.*}} : tensor<4x1xi32>
  %28 = nn.sign %i : tensor<4x1xi32>
  // CHECK: nn.round %{{.*}} : tensor<2x3xf32>
  %29 = nn.round %a : tensor<2x3xf32>
  // CHECK: nn.sin
  %30 = nn.sin %a : tensor<2x3xf32>
  // CHECK: nn.cos
  %31 = nn.cos %a : tensor<2x3xf32>
  // CHECK: nn.tan
  %32 = nn.tan %a : tensor<2x3xf32>
  // CHECK: nn.asin
  %33 = nn.asin %a : tensor<2x3xf32>
  // CHECK: nn.acos
  %34 = nn.acos %a : tensor<2x3xf32>
  // CHECK: nn.atan
  %35 = nn.atan %a : tensor<2x3xf32>
  // CHECK: nn.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %36 = nn.mod %a, %a {fmod = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: nn.mod %{{.*}}, %{{.*}} : (tensor<4x1xi32>, tensor<4x1xi32>) -> tensor<4x1xi32>
  %37 = nn.mod %i, %i : (tensor<4x1xi32>, tensor<4x1xi32>) -> tensor<4x1xi32>
  return
}

// CHECK-LABEL: func @reductions
func.func @reductions(%x: tensor<2x3x4xf32>, %i: tensor<5x6xi64>) {
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  %0 = nn.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3x4xf32>) -> tensor<2x1x4xf32>
  // CHECK: nn.reduce_mean %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %1 = nn.reduce_mean %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // Empty axes reduce everything.
  // CHECK: nn.reduce_max %{{.*}} {keepdims = false} : (tensor<5x6xi64>) -> tensor<i64>
  %2 = nn.reduce_max %i {keepdims = false} : (tensor<5x6xi64>) -> tensor<i64>
  // CHECK: nn.reduce_max %{{.*}} : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  %3 = nn.reduce_max %x : (tensor<2x3x4xf32>) -> tensor<1x1x1xf32>
  // CHECK: nn.reduce_min %{{.*}} {axes = array<i64: 1>} : (tensor<5x6xi64>) -> tensor<5x1xi64>
  %4 = nn.reduce_min %i {axes = array<i64: 1>} : (tensor<5x6xi64>) -> tensor<5x1xi64>
  // CHECK: nn.reduce_prod %{{.*}} {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %5 = nn.reduce_prod %x {axes = array<i64: 0, 2>, keepdims = false} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  // CHECK: nn.arg_max %{{.*}} {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
  %6 = nn.arg_max %x {axis = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xi64>
  // CHECK: nn.arg_min %{{.*}} {keepdims = false, select_last_index = true} : (tensor<5x6xi64>) -> tensor<6xi64>
  %7 = nn.arg_min %i {keepdims = false, select_last_index = true} : (tensor<5x6xi64>) -> tensor<6xi64>
  return
}

// CHECK-LABEL: func @data_movement
func.func @data_movement(%x: tensor<2x3x4xf32>, %y: tensor<2x5x4xf32>,
                         %table: tensor<100x16xbf16>, %ids: tensor<4x7xi64>,
                         %b: tensor<3x1xi8>) {
  // CHECK: nn.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %0 = nn.transpose %x {perm = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  // CHECK: nn.reshape %{{.*}} {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = nn.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  // CHECK: nn.flatten %{{.*}} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %2 = nn.flatten %x : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  // CHECK: nn.flatten %{{.*}} {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  %3 = nn.flatten %x {axis = 0 : i64} : (tensor<2x3x4xf32>) -> tensor<1x24xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
  %4 = nn.concat %x, %y {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<2x5x4xf32>) -> tensor<2x8x4xf32>
  // CHECK: nn.split %{{.*}} {axis = 1 : i64, sizes = array<i64: 1, 4>} : tensor<2x5x4xf32> -> tensor<2x1x4xf32>, tensor<2x4x4xf32>
  %5:2 = nn.split %y {axis = 1 : i64, sizes = array<i64: 1, 4>} : tensor<2x5x4xf32> -> tensor<2x1x4xf32>, tensor<2x4x4xf32>
  // CHECK: nn.slice %{{.*}} {axes = array<i64: 2>, ends = array<i64: 4>, starts = array<i64: 1>, steps = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  %6 = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 4>, axes = array<i64: 2>, steps = array<i64: 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  // Reverse the whole axis 1.
  // CHECK: nn.slice {{.*}} -> tensor<2x3x4xf32>
  %7 = nn.slice %x {starts = array<i64: 2>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: -1>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: nn.slice %{{.*}} {ends = array<i64: 1, 2>, starts = array<i64: 0, 1>} : (tensor<2x3x4xf32>) -> tensor<1x1x4xf32>
  %8 = nn.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 1, 2>} : (tensor<2x3x4xf32>) -> tensor<1x1x4xf32>
  // Steps of any magnitude: one element.
  // CHECK: nn.slice {{.*}} -> tensor<1x3x4xf32>
  %sl = nn.slice %x {starts = array<i64: 1>, ends = array<i64: 2>, steps = array<i64: 9223372036854775807>} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
  // CHECK: nn.slice {{.*}} -> tensor<1x3x4xf32>
  %sr = nn.slice %x {starts = array<i64: 1>, ends = array<i64: -1>, steps = array<i64: -9223372036854775808>} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
  // CHECK: nn.gather %{{.*}}, %{{.*}} : (tensor<100x16xbf16>, tensor<4x7xi64>) -> tensor<4x7x16xbf16>
  %9 = nn.gather %table, %ids : (tensor<100x16xbf16>, tensor<4x7xi64>) -> tensor<4x7x16xbf16>
  // CHECK: nn.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4x7xi64>) -> tensor<2x4x7x4xf32>
  %10 = nn.gather %x, %ids {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<4x7xi64>) -> tensor<2x4x7x4xf32>
  // CHECK: nn.expand %{{.*}} {shape = array<i64: 2, 1, 6>} : (tensor<3x1xi8>) -> tensor<2x3x6xi8>
  %11 = nn.expand %b {shape = array<i64: 2, 1, 6>} : (tensor<3x1xi8>) -> tensor<2x3x6xi8>
  // CHECK: nn.pad %{{.*}} {pads = array<i64: 0, 1, 0, 0, 2, 0>, value = 1.000000e+00 : f32} : (tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  %12 = nn.pad %x {pads = array<i64: 0, 1, 0, 0, 2, 0>, value = 1.0 : f32} : (tensor<2x3x4xf32>) -> tensor<2x6x4xf32>
  // CHECK: nn.pad %{{.*}} {mode = "reflect", pads = array<i64: 0, 0, 2, 0, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  %13 = nn.pad %x {pads = array<i64: 0, 0, 2, 0, 0, 2>, mode = "reflect"} : (tensor<2x3x4xf32>) -> tensor<2x3x8xf32>
  // Negative pads crop.
  // CHECK: nn.pad %{{.*}} {mode = "edge", pads = array<i64: 0, -1, 0, 0, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<2x2x5xf32>
  %14 = nn.pad %x {pads = array<i64: 0, -1, 0, 0, 0, 1>, mode = "edge"} : (tensor<2x3x4xf32>) -> tensor<2x2x5xf32>
  // CHECK: nn.cast %{{.*}} : tensor<2x3x4xf32> to tensor<2x3x4xbf16>
  %15 = nn.cast %x : tensor<2x3x4xf32> to tensor<2x3x4xbf16>
  // CHECK: nn.cast %{{.*}} : tensor<3x1xi8> to tensor<3x1xi1>
  %16 = nn.cast %b : tensor<3x1xi8> to tensor<3x1xi1>
  return
}

// CHECK-LABEL: func @constants
func.func @constants() -> (tensor<2xi64>, tensor<4x4xf32>, tensor<3xbf16>) {
  // CHECK: nn.constant dense<[1, 2]> : tensor<2xi64>
  %0 = nn.constant dense<[1, 2]> : tensor<2xi64>
  // CHECK: nn.constant dense_resource<weights> : tensor<4x4xf32>
  %1 = nn.constant dense_resource<weights> : tensor<4x4xf32>
  // CHECK: nn.constant dense<1.000000e+00> : tensor<3xbf16>
  %2 = nn.constant dense<1.0> : tensor<3xbf16>
  return %0, %1, %2 : tensor<2xi64>, tensor<4x4xf32>, tensor<3xbf16>
}

{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}

// CHECK-LABEL: func @compare_logic
func.func @compare_logic(%a: tensor<2x3xf32>, %b: tensor<3xf32>,
                         %i: tensor<4x1xi64>, %j: tensor<1x5xi64>,
                         %p: tensor<2x1xi1>, %q: tensor<3xi1>) {
  // CHECK: nn.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = nn.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.equal {{.*}} : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %1 = nn.equal %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.less {{.*}} -> tensor<4x5xi1>
  %2 = nn.less %i, %j : (tensor<4x1xi64>, tensor<1x5xi64>) -> tensor<4x5xi1>
  // CHECK: nn.less_or_equal {{.*}} -> tensor<2x3xi1>
  %3 = nn.less_or_equal %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.greater {{.*}} -> tensor<4x5xi1>
  %4 = nn.greater %i, %j : (tensor<4x1xi64>, tensor<1x5xi64>) -> tensor<4x5xi1>
  // CHECK: nn.greater_or_equal {{.*}} -> tensor<2x3xi1>
  %5 = nn.greater_or_equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: nn.and {{.*}} : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %6 = nn.and %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.or {{.*}} -> tensor<2x3xi1>
  %7 = nn.or %6, %0 : (tensor<2x3xi1>, tensor<2x3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.xor {{.*}} -> tensor<2x3xi1>
  %8 = nn.xor %7, %q : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: nn.not %{{.*}} : tensor<2x3xi1>
  %9 = nn.not %8 : tensor<2x3xi1>
  return
}
