// npu-tile and persistent state: nn.state arguments become `npu.io ...
// state` tensors (initial value in the chip dtype), results marked
// nn.state = "<name>" are computed into a temporary in the state's dtype
// and copied over the state by a `state_update` layer at the end; the
// lowering to npuisa puts the initial value as a constant at the state's
// own address.
// RUN: npu-opt %s --split-input-file --npu-set-target=target=npu-tiny --npu-tile=precision=bf16 | FileCheck %s
// RUN: npu-opt %s --split-input-file --npu-set-target=target=npu-tiny --npu-tile=precision=bf16 --npu-place-memory --npu-lower-to-isa | FileCheck %s --check-prefix=ISA

// CHECK-LABEL: npu.program @main
// CHECK:         %[[X:.*]] = npu.io "x" input f32 [2, 4]
// CHECK:         %[[W:.*]] = npu.io "w" state f32 [4, 4] init dense<2.500000e-01> : tensor<4x4xf32>
// CHECK:         %[[STEP:.*]] = npu.io "step" state i32 [1] init dense_resource<step> : tensor<1xi32>
// CHECK:         %[[M:.*]] = npu.io "m" state f32 [4, 4]{{$}}
// CHECK:         %[[Y:.*]] = npu.io "y" output f32 [2, 4]
// The new value is f32 even at bf16 precision (4x4 f32 = 64 bytes).
// CHECK:         %[[T:.*]] = npu.alloc dram 64
// CHECK:         npu.layer "w.update" kind "state_update"
// CHECK:           npu.dma_load %[[T]][0x0] f32
// CHECK:           npu.dma_store %{{.*}} f32 -> %[[W]][0x0] f32
// The i64 initial value narrowed to i32: 7.
// CHECK:         step: "0x{{[0-9A-F]+}}07000000"
// ISA-LABEL:   npuisa.program @main
// ISA:           npuisa.state "w" f32 [4, 4] at [[WADDR:0x[0-9A-F]+]]
// ISA-NEXT:      npuisa.constant at [[WADDR]] dense<2.500000e-01> : tensor<4x4xf32>
// ISA-NEXT:      npuisa.state "step" i32 [1] at [[SADDR:0x[0-9A-F]+]]
// ISA-NEXT:      npuisa.constant at [[SADDR]] dense_resource<step> : tensor<1xi32>
// ISA-NEXT:      npuisa.state "m" f32 [4, 4] at
// ISA-NOT:       npuisa.constant at
// ISA:           npuisa.io "y" output
func.func @main(%x: tensor<2x4xf32> {nn.name = "x"},
                %w: tensor<4x4xf32> {nn.name = "w", nn.state, nn.initial_value = dense<0.25> : tensor<4x4xf32>},
                %step: tensor<1xi64> {nn.name = "step", nn.state, nn.initial_value = dense<7> : tensor<1xi64>},
                %m: tensor<4x4xf32> {nn.name = "m", nn.state})
    -> (tensor<2x4xf32> {nn.name = "y"}, tensor<4x4xf32> {nn.state = "w"}) {
  %y = nn.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %nw = nn.add %w, %m : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %nw : tensor<2x4xf32>, tensor<4x4xf32>
}
