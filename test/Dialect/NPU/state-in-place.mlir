// npu-state-in-place: a state update is written in place only when no
// instruction can tell; otherwise the copy npu-tile emitted stays. (The
// values are checked on the simulator in test/e2e/train/state-update.test.)
// RUN: npu-opt %s --split-input-file --npu-set-target=target=npu-tiny --npu-tile --npu-state-in-place=report --mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=REMARK
// RUN: npu-opt %s --split-input-file --npu-set-target=target=npu-tiny --npu-tile --npu-state-in-place | FileCheck %s

// An elementwise update reads each tile of the old value before it stores
// that tile: in place. The temporary and the copy layer are gone and the
// kernel stores into the state tensor.
// REMARK:      remark: npu-state-in-place: 'w' is written in place
// CHECK-LABEL: npu.program @main
// CHECK:         %[[W:.*]] = npu.io "w" state f32 [8, 3] init dense<5.000000e-01> : tensor<8x3xf32>
// CHECK:         npu.layer "{{.*}}" kind "nn.sub"
// CHECK:           npu.dma_load %[[W]][0x0]
// CHECK:           npu.dma_store %{{.*}} -> %[[W]][0x0]
// CHECK-NOT:     state_update
// CHECK:       }
func.func @main(%g: tensor<8x3xf32> {nn.name = "g"}, %w: tensor<8x3xf32> {nn.name = "w", nn.state, nn.initial_value = dense<0.5> : tensor<8x3xf32>}) -> (tensor<8x3xf32> {nn.state = "w"}) {
  %nw = nn.sub %w, %g : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  return %nw : tensor<8x3xf32>
}

// -----

// The old value is read (by the matmul) after the update wrote the new one:
// the update stays in its temporary and is copied at the end.
// REMARK:      remark: npu-state-in-place: 'w.update' stays a copy: the old value is read after the new value's first write to the same bytes
// CHECK-LABEL: npu.program @main
// CHECK:         %[[W:.*]] = npu.io "w" state f32 [4, 4]
// CHECK:         %[[T:.*]] = npu.alloc dram 64
// CHECK:         npu.layer "{{.*}}" kind "nn.sub"
// CHECK:           npu.dma_store %{{.*}} -> %[[T]][0x0]
// CHECK:         npu.layer "{{.*}}" kind "nn.matmul"
// CHECK:           npu.dma_load %[[W]][0x0]
// CHECK:         npu.layer "w.update" kind "state_update"
// CHECK:           npu.dma_load %[[T]][0x0]
// CHECK:           npu.dma_store %{{.*}} -> %[[W]][0x0]
func.func @main(%x: tensor<4x4xf32> {nn.name = "x"}, %w: tensor<4x4xf32> {nn.name = "w", nn.state}) -> (tensor<4x4xf32> {nn.name = "y"}, tensor<4x4xf32> {nn.state = "w"}) {
  %nw = nn.sub %w, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %nw : tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// A tiled transpose of the state stores early tiles before it reads the
// late ones: copy.
// REMARK:      remark: npu-state-in-place: 'w.update' stays a copy: the old value is read after the new value's first write to the same bytes
// CHECK-LABEL: npu.program @main
// CHECK:         npu.layer "w.update" kind "state_update"
func.func @main(%w: tensor<256x256xf32> {nn.name = "w", nn.state}) -> (tensor<256x256xf32> {nn.state = "w"}) {
  %t = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<256x256xf32>) -> tensor<256x256xf32>
  return %t : tensor<256x256xf32>
}

// -----

// The new value is an input (a table tensor, not a temporary): copy.
// REMARK:      remark: npu-state-in-place: 'w.update' stays a copy: the new value is not a DRAM temporary (an input, constant or other table tensor)
// CHECK-LABEL: npu.program @main
// CHECK:         npu.layer "w.update" kind "state_update"
func.func @main(%x: tensor<4xf32> {nn.name = "x"}, %w: tensor<4xf32> {nn.name = "w", nn.state}) -> (tensor<4xf32> {nn.state = "w"}) {
  return %x : tensor<4xf32>
}

// -----

// Two state tensors swapped: npu-tile saves each old value to a temporary
// before any update writes a state (else b's update would read a's new
// value). a's update then stays a copy (b's snapshot reads a after a's
// temporary was written); b's snapshot goes straight into b.
// REMARK:      remark: npu-state-in-place: 'a.update' stays a copy: the old value is read after the new value's first write to the same bytes
// REMARK:      remark: npu-state-in-place: 'b' is written in place
// CHECK-LABEL: npu.program @main
// CHECK:         %[[A:.*]] = npu.io "a" state
// CHECK:         %[[B:.*]] = npu.io "b" state
// CHECK:         %[[SAVEDB:.*]] = npu.alloc dram 16 name "b.old"
// CHECK:         npu.layer "b.old.copy" kind "copy"
// CHECK:           npu.dma_load %[[B]]
// CHECK:           npu.dma_store %{{.*}} -> %[[SAVEDB]]
// CHECK:         npu.layer "a.old.copy" kind "copy"
// CHECK:           npu.dma_load %[[A]]
// CHECK:           npu.dma_store %{{.*}} -> %[[B]]
// CHECK:         npu.layer "a.update" kind "state_update"
// CHECK:           npu.dma_load %[[SAVEDB]]
// CHECK:           npu.dma_store %{{.*}} -> %[[A]]
func.func @main(%a: tensor<4xf32> {nn.name = "a", nn.state}, %b: tensor<4xf32> {nn.name = "b", nn.state}) -> (tensor<4xf32> {nn.state = "a"}, tensor<4xf32> {nn.state = "b"}) {
  return %b, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// The state is unchanged: no update at all.
// CHECK-LABEL: npu.program @main
// CHECK-NOT:     state_update
// CHECK:       }
func.func @main(%x: tensor<4xf32> {nn.name = "x"}, %w: tensor<4xf32> {nn.name = "w", nn.state}) -> (tensor<4xf32> {nn.name = "y"}, tensor<4xf32> {nn.state = "w"}) {
  %y = nn.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y, %w : tensor<4xf32>, tensor<4xf32>
}
