// RUN: npu-opt %s -canonicalize -split-input-file | FileCheck %s

// CHECK-LABEL: func @reshape_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] {shape = array<i64: 4, 6>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_chain(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = nn.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = nn.flatten %0 {axis = 0 : i64} : (tensor<6x4xf32>) -> tensor<1x24xf32>
  %2 = nn.reshape %1 {shape = array<i64: 4, 6>} : (tensor<1x24xf32>) -> tensor<4x6xf32>
  return %2 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func @reshape_roundtrip
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_roundtrip(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = nn.reshape %x {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = nn.reshape %0 {shape = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func @transpose_chain
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[T:.*]] = nn.transpose %[[X]] {perm = array<i64: 2, 1, 0>} : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_chain(%x: tensor<2x3x4xf32>) -> tensor<4x3x2xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = nn.transpose %0 {perm = array<i64: 1, 0, 2>} : (tensor<3x4x2xf32>) -> tensor<4x3x2xf32>
  return %1 : tensor<4x3x2xf32>
}

// -----

// CHECK-LABEL: func @transpose_inverse
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @transpose_inverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 2, 0>} : (tensor<2x3x4xf32>) -> tensor<3x4x2xf32>
  %1 = nn.transpose %0 {perm = array<i64: 2, 0, 1>} : (tensor<3x4x2xf32>) -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// Identity ops fold to their input.
// CHECK-LABEL: func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identities(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = nn.constant dense<0.0> : tensor<3xf32>
  %one = nn.constant dense<1.0> : tensor<2x3xf32>
  %0 = nn.transpose %x {perm = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.reshape %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = nn.flatten %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = nn.expand %x {shape = array<i64: 1, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = nn.slice %x {starts = array<i64: 0>, ends = array<i64: 3>, axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = nn.pad %x {pads = array<i64: 0, 0, 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = nn.cast %x : tensor<2x3xf32> to tensor<2x3xf32>
  %7 = nn.add %x, %zero : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %8 = nn.mul %x, %one : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %9 = nn.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %10 = nn.clip %x : tensor<2x3xf32>
  %11 = nn.neg %x : tensor<2x3xf32>
  %12 = nn.neg %11 : tensor<2x3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %12 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Not identities: a reversing slice keeps its shape, adding a zero that
// broadcasts x changes the shape.
// CHECK-LABEL: func @not_identities
// CHECK: nn.slice
// CHECK: nn.add
func.func @not_identities(%x: tensor<2x3xf32>, %y: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %zero = nn.constant dense<0.0> : tensor<2x3xf32>
  %0 = nn.slice %x {starts = array<i64: 2>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: -1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = nn.add %y, %zero : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// Shape arithmetic as the ONNX importer leaves it (Shape -> Gather -> Mul ->
// Concat -> Cast) folds to one constant.
// CHECK-LABEL: func @shape_arith
// CHECK-NEXT: %[[C:.*]] = nn.constant dense<[2, 12, 1]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_arith() -> tensor<3xi64> {
  %shape = nn.constant dense<[2, 3, 4]> : tensor<3xi64>
  %idx = nn.constant dense<[1]> : tensor<1xi32>
  %d0 = nn.slice %shape {starts = array<i64: 0>, ends = array<i64: 1>} : (tensor<3xi64>) -> tensor<1xi64>
  %d1 = nn.gather %shape, %idx : (tensor<3xi64>, tensor<1xi32>) -> tensor<1xi64>
  %last = nn.constant dense<-1> : tensor<1xi32>
  %d2 = nn.gather %shape, %last : (tensor<3xi64>, tensor<1xi32>) -> tensor<1xi64>
  %prod = nn.mul %d1, %d2 : (tensor<1xi64>, tensor<1xi64>) -> tensor<1xi64>
  %one = nn.constant dense<1.0> : tensor<1xf32>
  %onei = nn.cast %one : tensor<1xf32> to tensor<1xi64>
  %r = nn.concat %d0, %prod, %onei {axis = 0 : i64} : (tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<3xi64>
  return %r : tensor<3xi64>
}

// -----

// CHECK-LABEL: func @elementwise_consts
// CHECK-DAG: nn.constant dense<{{\[}}[11, 22, 33], [14, 25, 36]]> : tensor<2x3xi32>
// CHECK-DAG: nn.constant dense<{{\[}}[-9, -18, -27], [-6, -15, -24]]> : tensor<2x3xi32>
// CHECK-DAG: nn.constant dense<[2, -2]> : tensor<2xi32>
// CHECK-DAG: nn.constant dense<[2.500000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[0.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: nn.constant dense<[1, 3]> : tensor<2xi32>
// CHECK-DAG: nn.constant dense<[9.000000e+00, 1.600000e+01]> : tensor<2xf32>
// CHECK-NOT: nn.add
// CHECK-NOT: nn.sub
// CHECK-NOT: nn.div
// CHECK-NOT: nn.relu
// CHECK-NOT: nn.abs
// CHECK-NOT: nn.pow
func.func @elementwise_consts() -> (tensor<2x3xi32>, tensor<2x3xi32>, tensor<2xi32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xf32>) {
  %a = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %b = nn.constant dense<[10, 20, 30]> : tensor<3xi32>
  %0 = nn.add %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %1 = nn.sub %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  %n = nn.constant dense<[7, -7]> : tensor<2xi32>
  %d = nn.constant dense<3> : tensor<2xi32>
  %2 = nn.div %n, %d : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %f = nn.constant dense<[5.0, 8.0]> : tensor<2xf32>
  %g = nn.constant dense<2.0> : tensor<2xf32>
  %3 = nn.div %f, %g : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %h = nn.constant dense<[-1.0, 3.0]> : tensor<2xf32>
  %4 = nn.relu %h : tensor<2xf32>
  %i = nn.constant dense<[-1, 3]> : tensor<2xi32>
  %5 = nn.abs %i : tensor<2xi32>
  %k = nn.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %6 = nn.pow %k, %g : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xi32>, tensor<2x3xi32>, tensor<2xi32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func @data_movement_consts
// CHECK-DAG: nn.constant dense<{{\[}}[1, 4], [2, 5], [3, 6]]> : tensor<3x2xi64>
// CHECK-DAG: nn.constant dense<[6, 5, 4, 3, 2, 1]> : tensor<6xi64>
// CHECK-DAG: nn.constant dense<{{\[}}[3, 2, 1], [6, 5, 4]]> : tensor<2x3xi64>
// CHECK-DAG: nn.constant dense<{{\[}}[1, 2, 3], [1, 2, 3]]> : tensor<2x3xi64>
// CHECK-DAG: nn.constant dense<[true, false, true]> : tensor<3xi1>
func.func @data_movement_consts() -> (tensor<3x2xi64>, tensor<6xi64>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<3xi1>) {
  %a = nn.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0 = nn.transpose %a {perm = array<i64: 1, 0>} : (tensor<2x3xi64>) -> tensor<3x2xi64>
  %flat = nn.reshape %a {shape = array<i64: 6>} : (tensor<2x3xi64>) -> tensor<6xi64>
  %1 = nn.slice %flat {starts = array<i64: 5>, ends = array<i64: -1>, steps = array<i64: -1>} : (tensor<6xi64>) -> tensor<6xi64>
  %2 = nn.slice %a {starts = array<i64: 2>, ends = array<i64: -1>, axes = array<i64: 1>, steps = array<i64: -1>} : (tensor<2x3xi64>) -> tensor<2x3xi64>
  %row = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %3 = nn.expand %row {shape = array<i64: 2, 1>} : (tensor<3xi64>) -> tensor<2x3xi64>
  %f = nn.constant dense<[0.5, 0.0, -2.0]> : tensor<3xf32>
  %4 = nn.cast %f : tensor<3xf32> to tensor<3xi1>
  return %0, %1, %2, %3, %4 : tensor<3x2xi64>, tensor<6xi64>, tensor<2x3xi64>, tensor<2x3xi64>, tensor<3xi1>
}

// -----

// Folding never expands dense_resource blobs, refuses division by zero, and
// never creates a non-splat constant above 1024 elements; splats of any size
// fold (they store one value).
// CHECK-LABEL: func @no_fold
// CHECK-DAG: %[[SPLAT:.*]] = nn.constant dense<2.000000e+00> : tensor<4096xf32>
// CHECK-DAG: nn.transpose
// CHECK-DAG: nn.div
// CHECK-DAG: %[[BIG:.*]] = nn.expand
// CHECK: return {{.*}}, %[[BIG]], %[[SPLAT]]
func.func @no_fold() -> (tensor<2x2xf32>, tensor<1xi32>, tensor<1024x2xf32>, tensor<4096xf32>) {
  %w = nn.constant dense_resource<blob> : tensor<2x2xf32>
  %0 = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %n = nn.constant dense<1> : tensor<1xi32>
  %z = nn.constant dense<0> : tensor<1xi32>
  %1 = nn.div %n, %z : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  %v = nn.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = nn.expand %v {shape = array<i64: 1024, 1>} : (tensor<2xf32>) -> tensor<1024x2xf32>
  %one = nn.constant dense<1.0> : tensor<4096xf32>
  %3 = nn.add %one, %one : (tensor<4096xf32>, tensor<4096xf32>) -> tensor<4096xf32>
  return %0, %1, %2, %3 : tensor<2x2xf32>, tensor<1xi32>, tensor<1024x2xf32>, tensor<4096xf32>
}

{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000000803F0000803F0000803F0000803F"
    }
  }
#-}

// -----

// CHECK-LABEL: func @where_splat
// CHECK-SAME: (%[[X:.*]]: tensor<3xf32>, %[[Y:.*]]: tensor<3xf32>)
// CHECK-NEXT: return %[[Y]]
func.func @where_splat(%x: tensor<3xf32>, %y: tensor<3xf32>) -> tensor<3xf32> {
  %c = nn.constant dense<false> : tensor<3xi1>
  %0 = nn.where %c, %x, %y : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func @idempotent
// CHECK: %[[R:.*]] = nn.relu
// CHECK-NOT: nn.relu
// CHECK: return %[[R]]
func.func @idempotent(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nn.relu %x : tensor<3xf32>
  %1 = nn.relu %0 : tensor<3xf32>
  return %1 : tensor<3xf32>
}

// -----

// flatten and transposes of unit dimensions are reshapes, and reshape chains
// collapse.
// CHECK-LABEL: func @to_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<4x1x6xf32>)
// CHECK-NEXT: %[[R:.*]] = nn.reshape %[[X]] {shape = array<i64: 24>} : (tensor<4x1x6xf32>) -> tensor<24xf32>
// CHECK-NEXT: return %[[R]]
func.func @to_reshape(%x: tensor<4x1x6xf32>) -> tensor<24xf32> {
  %0 = nn.transpose %x {perm = array<i64: 1, 0, 2>} : (tensor<4x1x6xf32>) -> tensor<1x4x6xf32>
  %1 = nn.flatten %0 : (tensor<1x4x6xf32>) -> tensor<1x24xf32>
  %2 = nn.reshape %1 {shape = array<i64: 24>} : (tensor<1x24xf32>) -> tensor<24xf32>
  return %2 : tensor<24xf32>
}

// -----

// CHECK-LABEL: func @transpose_moves_data
// CHECK: nn.transpose
func.func @transpose_moves_data(%x: tensor<4x1x6xf32>) -> tensor<6x1x4xf32> {
  %0 = nn.transpose %x {perm = array<i64: 2, 1, 0>} : (tensor<4x1x6xf32>) -> tensor<6x1x4xf32>
  return %0 : tensor<6x1x4xf32>
}

// -----

// CHECK-LABEL: func @splat_unary_cast
// CHECK-DAG: nn.constant dense<3> : tensor<64x64xi32>
// CHECK-DAG: nn.constant dense<-2.500000e+00> : tensor<64x64xf32>
func.func @splat_unary_cast() -> (tensor<64x64xi32>, tensor<64x64xf32>) {
  %c = nn.constant dense<3.75> : tensor<64x64xf32>
  %0 = nn.cast %c : tensor<64x64xf32> to tensor<64x64xi32>
  %d = nn.constant dense<2.5> : tensor<64x64xf32>
  %1 = nn.neg %d : tensor<64x64xf32>
  return %0, %1 : tensor<64x64xi32>, tensor<64x64xf32>
}

// -----

// Window attributes that spell out the ONNX default are dropped.
// CHECK-LABEL: func @default_windows
// CHECK: nn.conv %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} :
// CHECK: nn.conv_transpose %{{.*}}, %{{.*}} {strides = array<i64: 2, 2>} :
// CHECK: nn.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>} :
// CHECK: nn.avg_pool %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>} :
func.func @default_windows(%x: tensor<1x4x8x8xf32>, %w: tensor<4x4x3x3xf32>) -> (tensor<1x4x8x8xf32>, tensor<1x4x17x17xf32>, tensor<1x4x7x7xf32>, tensor<1x4x4x4xf32>) {
  %0 = nn.conv %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  %1 = nn.conv_transpose %x, %w {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, output_padding = array<i64: 0, 0>} : (tensor<1x4x8x8xf32>, tensor<4x4x3x3xf32>) -> tensor<1x4x17x17xf32>
  %2 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  %3 = nn.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, ceil_mode = true} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  return %0, %1, %2, %3 : tensor<1x4x8x8xf32>, tensor<1x4x17x17xf32>, tensor<1x4x7x7xf32>, tensor<1x4x4x4xf32>
}

// -----

// Binary ops broadcast by themselves, so an expand feeding one is redundant
// unless it is what makes the result shape.
// CHECK-LABEL: func @expand_into_broadcast
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>, %[[Y:.*]]: tensor<3x4xf32>, %[[Z:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = nn.add %[[X]], %[[Y]] : (tensor<1x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
// CHECK-NEXT: %[[E:.*]] = nn.expand %[[Z]] {shape = array<i64: 2, 4>}
// CHECK-NEXT: %[[M:.*]] = nn.mul %[[Z]], %[[E]]
// CHECK-NEXT: return %[[A]], %[[M]]
func.func @expand_into_broadcast(%x: tensor<1x4xf32>, %y: tensor<3x4xf32>, %z: tensor<4xf32>) -> (tensor<3x4xf32>, tensor<2x4xf32>) {
  %0 = nn.expand %x {shape = array<i64: 3, 4>} : (tensor<1x4xf32>) -> tensor<3x4xf32>
  %1 = nn.add %0, %y : (tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  %2 = nn.expand %z {shape = array<i64: 2, 4>} : (tensor<4xf32>) -> tensor<2x4xf32>
  %3 = nn.mul %z, %2 : (tensor<4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %1, %3 : tensor<3x4xf32>, tensor<2x4xf32>
}

// -----

// Splats of huge shapes fold without touching per-element index arithmetic.
// CHECK-LABEL: func @huge_splats
// CHECK-DAG: nn.constant dense<1.000000e+00> : tensor<4x1152921504606846976xf32>
// CHECK-DAG: nn.constant dense<2.000000e+00> : tensor<1152921504606846976x4xf32>
// CHECK-DAG: nn.constant dense<1.000000e+00> : tensor<1152921504606846976x2xf32>
// CHECK-DAG: nn.constant dense<1.000000e+00> : tensor<1152921504606846975x4xf32>
// CHECK-NOT: nn.transpose
// CHECK-NOT: nn.gather
func.func @huge_splats() -> (tensor<4x1152921504606846976xf32>, tensor<1152921504606846976x4xf32>, tensor<1152921504606846976x2xf32>, tensor<1152921504606846975x4xf32>) {
  %c = nn.constant dense<1.0> : tensor<1152921504606846976x4xf32>
  %0 = nn.transpose %c {perm = array<i64: 1, 0>} : (tensor<1152921504606846976x4xf32>) -> tensor<4x1152921504606846976xf32>
  %1 = nn.add %c, %c : (tensor<1152921504606846976x4xf32>, tensor<1152921504606846976x4xf32>) -> tensor<1152921504606846976x4xf32>
  %i = nn.constant dense<[0, 1]> : tensor<2xi64>
  %2 = nn.gather %c, %i {axis = 1 : i64} : (tensor<1152921504606846976x4xf32>, tensor<2xi64>) -> tensor<1152921504606846976x2xf32>
  %3 = nn.slice %c {starts = array<i64: 1>, ends = array<i64: 1152921504606846976>} : (tensor<1152921504606846976x4xf32>) -> tensor<1152921504606846975x4xf32>
  return %0, %1, %2, %3 : tensor<4x1152921504606846976xf32>, tensor<1152921504606846976x4xf32>, tensor<1152921504606846976x2xf32>, tensor<1152921504606846975x4xf32>
}

// -----

// More identities: unit windows, reductions of size-1 axes, one-piece split,
// where with equal branches, empty concat inputs.
// CHECK-LABEL: func @more_identities
// CHECK-SAME: (%[[X:[^:]*]]: tensor<2x3x1x1xf32>, %[[C:[^:]*]]: tensor<2x3x1x1xi1>, %[[E:[^:]*]]: tensor<2x0x1x1xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @more_identities(%x: tensor<2x3x1x1xf32>, %c: tensor<2x3x1x1xi1>, %e: tensor<2x0x1x1xf32>) -> (tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 1, 1>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %1 = nn.avg_pool %x {kernel_shape = array<i64: 1, 1>, strides = array<i64: 1, 1>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %2 = nn.global_avg_pool %x : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %3 = nn.reduce_sum %x {axes = array<i64: 2, 3>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %4 = nn.reduce_mean %x {axes = array<i64: 3>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %5 = nn.reduce_max %x {axes = array<i64: 2>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %6 = nn.split %x {axis = 1 : i64, sizes = array<i64: 3>} : tensor<2x3x1x1xf32> -> tensor<2x3x1x1xf32>
  %7 = nn.where %c, %x, %x : (tensor<2x3x1x1xi1>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %8 = nn.concat %e, %x, %e {axis = 1 : i64} : (tensor<2x0x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x0x1x1xf32>) -> tensor<2x3x1x1xf32>
  %9 = nn.reduce_min %x {axes = array<i64: 3>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  %10 = nn.reduce_prod %x {axes = array<i64: 2>} : (tensor<2x3x1x1xf32>) -> tensor<2x3x1x1xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 : tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>, tensor<2x3x1x1xf32>
}

// -----

// A 2x2 window, a reduction over a real axis and a where picking between
// different values are not identities.
// CHECK-LABEL: func @not_more_identities
// CHECK: nn.max_pool
// CHECK: nn.reduce_sum
// CHECK: nn.where
func.func @not_more_identities(%x: tensor<1x1x2x2xf32>, %c: tensor<1x1x2x2xi1>, %y: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>) {
  %0 = nn.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %1 = nn.reduce_sum %x {axes = array<i64: 2>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x1x2xf32>
  %2 = nn.where %c, %x, %y : (tensor<1x1x2x2xi1>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %0, %1, %2 : tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>
}

// -----

// Comparisons and logic fold on small constants (broadcasting, NaN compares
// false); x & x and not(not(x)) are x.
// CHECK-LABEL: func @fold_compare_logic
// CHECK:      %[[EQ:.*]] = nn.constant dense<[false, true, false]> : tensor<3xi1>
// CHECK-NEXT: %[[LT:.*]] = nn.constant dense<{{\[}}[true, true, false], [true, true, false]]> : tensor<2x3xi1>
// CHECK-NEXT: %[[GE:.*]] = nn.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-NEXT: %[[LE:.*]] = nn.constant dense<[true, true, false]> : tensor<3xi1>
// CHECK-NEXT: %[[GT:.*]] = nn.constant dense<[false, false, true]> : tensor<3xi1>
// CHECK-NEXT: %[[XOR:.*]] = nn.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-NEXT: %[[NOT:.*]] = nn.constant dense<[true, false, true]> : tensor<3xi1>
// CHECK-NEXT: %[[NAN:.*]] = nn.constant dense<false> : tensor<2xi1>
// The or of eq and u equals GE's constant, which is reused.
// CHECK-NEXT: return %[[EQ]], %[[LT]], %[[GE]], %[[LE]], %[[GT]], %[[XOR]], %[[GE]], %[[NOT]], %[[NAN]], %arg0, %arg0
func.func @fold_compare_logic(%p: tensor<3xi1>) -> (tensor<3xi1>, tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<2xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = nn.constant dense<[1, 2, 3]> : tensor<3xi64>
  %b = nn.constant dense<2> : tensor<i64>
  %c = nn.constant dense<[[2, 3, 3], [5, 6, 3]]> : tensor<2x3xi64>
  %f = nn.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %g = nn.constant dense<2.0> : tensor<f32>
  %nan = nn.constant dense<0x7FC00000> : tensor<2xf32>
  %t = nn.constant dense<[true, false, true]> : tensor<3xi1>
  %u = nn.constant dense<[false, false, true]> : tensor<3xi1>
  %0 = nn.equal %a, %b : (tensor<3xi64>, tensor<i64>) -> tensor<3xi1>
  %1 = nn.less %a, %c : (tensor<3xi64>, tensor<2x3xi64>) -> tensor<2x3xi1>
  %2 = nn.greater_or_equal %f, %g : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %3 = nn.less_or_equal %f, %g : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %4 = nn.greater %f, %g : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %5 = nn.xor %t, %u : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %6 = nn.or %0, %u : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %7 = nn.not %0 : tensor<3xi1>
  %8 = nn.equal %nan, %nan : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xi1>
  %9 = nn.and %p, %p : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %10 = nn.not %p : tensor<3xi1>
  %11 = nn.not %10 : tensor<3xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %11 : tensor<3xi1>, tensor<2x3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<2xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// Rounding, sign and reciprocal fold on constants; floor and ceil are
// idempotent.
// CHECK-LABEL: func @fold_rounding
// CHECK:      %[[FLOOR:.*]] = nn.constant dense<[-2.000000e+00, 1.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[CEIL:.*]] = nn.constant dense<[-1.000000e+00, 2.000000e+00, 2.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[SIGNF:.*]] = nn.constant dense<[-1.000000e+00, 1.000000e+00, 1.000000e+00]> : tensor<3xf32>
// CHECK-NEXT: %[[SIGNI:.*]] = nn.constant dense<[-1, 0, 1]> : tensor<3xi64>
// CHECK-NEXT: %[[RECIP:.*]] = nn.constant dense<[-4.000000e+00, 6.250000e-01, 5.000000e-01]> : tensor<3xf32>
// CHECK-NEXT: %[[FX:.*]] = nn.floor %arg0
// CHECK-NEXT: %[[CX:.*]] = nn.ceil %arg0
// CHECK-NEXT: return %[[FLOOR]], %[[CEIL]], %[[SIGNF]], %[[SIGNI]], %[[RECIP]], %[[FX]], %[[CX]]
func.func @fold_rounding(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %f = nn.constant dense<[-1.25, 1.6, 2.0]> : tensor<3xf32>
  %r = nn.constant dense<[-0.25, 1.6, 2.0]> : tensor<3xf32>
  %i = nn.constant dense<[-7, 0, 3]> : tensor<3xi64>
  %0 = nn.floor %f : tensor<3xf32>
  %1 = nn.ceil %f : tensor<3xf32>
  %2 = nn.sign %f : tensor<3xf32>
  %3 = nn.sign %i : tensor<3xi64>
  %4 = nn.reciprocal %r : tensor<3xf32>
  %5 = nn.floor %x : tensor<3xf32>
  %6 = nn.floor %5 : tensor<3xf32>
  %7 = nn.ceil %x : tensor<3xf32>
  %8 = nn.ceil %7 : tensor<3xf32>
  return %0, %1, %2, %3, %4, %6, %8 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xi64>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// Round folds ties to even; mod folds with the divisor's sign (fmod: the
// dividend's) and leaves an integer remainder by zero to run time.
// CHECK-LABEL: func @fold_round_mod
// CHECK-DAG: nn.constant dense<[-2.000000e+00, 2.000000e+00, 4.000000e+00]> : tensor<3xf32>
// CHECK-DAG: nn.constant dense<[2, -2, 0]> : tensor<3xi32>
// CHECK-DAG: nn.constant dense<[-1, 1, 0]> : tensor<3xi32>
// CHECK-DAG: nn.constant dense<[1.750000e+00, -2.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK-DAG: nn.constant dense<[-2.500000e-01, 1.000000e+00, 0.000000e+00]> : tensor<3xf32>
// CHECK: %[[Z:.*]] = nn.mod
// CHECK: return {{.*}}, %[[Z]]
func.func @fold_round_mod() -> (tensor<3xf32>, tensor<3xi32>, tensor<3xi32>, tensor<3xf32>, tensor<3xf32>, tensor<1xi32>) {
  %h = nn.constant dense<[-2.5, 2.5, 3.5]> : tensor<3xf32>
  %0 = nn.round %h : tensor<3xf32>
  %a = nn.constant dense<[-7, 7, 6]> : tensor<3xi32>
  %b = nn.constant dense<[3, -3, 3]> : tensor<3xi32>
  %1 = nn.mod %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %2 = nn.mod %a, %b {fmod = true} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %f = nn.constant dense<[-4.25, 7.0, 5.0]> : tensor<3xf32>
  %g = nn.constant dense<[2.0, -3.0, 5.0]> : tensor<3xf32>
  %3 = nn.mod %f, %g : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %4 = nn.mod %f, %g {fmod = true} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %n = nn.constant dense<5> : tensor<1xi32>
  %z = nn.constant dense<0> : tensor<1xi32>
  %5 = nn.mod %n, %z : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  return %0, %1, %2, %3, %4, %5 : tensor<3xf32>, tensor<3xi32>, tensor<3xi32>, tensor<3xf32>, tensor<3xf32>, tensor<1xi32>
}

// -----

// A dropout of ratio 0 keeps every element unscaled; any other ratio stays.
// CHECK-LABEL: func @dropout_nothing
// CHECK-SAME: (%[[X:[^:]*]]: tensor<4x3xf32>, %[[S:[^:]*]]: tensor<i64>)
// CHECK-NEXT: %[[D:.*]] = nn.dropout %[[X]], %[[S]] {ratio = 1.000000e-01 : f32}
// CHECK-NEXT: return %[[X]], %[[D]]
func.func @dropout_nothing(%x: tensor<4x3xf32>, %s: tensor<i64>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = nn.dropout %x, %s {ratio = 0.0 : f32} : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  %1 = nn.dropout %x, %s {ratio = 0.1 : f32} : (tensor<4x3xf32>, tensor<i64>) -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}
