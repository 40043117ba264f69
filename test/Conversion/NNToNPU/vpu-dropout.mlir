// The structure of the nn.dropout kernel (numbers and statistics:
// vpu-dropout-e2e.test).
// RUN: npu-opt %s --npu-set-target=target=npu-base --npu-tile | FileCheck %s

// The integer seed becomes the step factor c = 1 + hash_uniform(seed)
// (stream-0 key of layer key 9), spread along a row; the counter grid (row
// starts + column indices) and a zero tile are built once; then per tile:
// counters times c, hash_uniform with the block's key, compare with the
// ratio, scale by 1 / (1 - ratio), select. Six element ops per element.
// CHECK-LABEL: npu.layer "nn.dropout" kind "nn.dropout" macs 0 vector_ops 1800 min_dram_bytes 2404
// CHECK:       npu.vpu_cast rows 1 cols 1 dst %[[SEED:[0-9]+]][0x0] f32 stride 1 src0 %{{.*}}[0x0] i32
// CHECK-NEXT:  npu.vpu_unary hash_uniform rows 1 cols 1 dst %[[SEED]][0x0] f32 stride 1 src0 %[[SEED]][0x0] f32 stride 1 imm0 1.3976419
// CHECK-NEXT:  npu.vpu_binary add rows 1 cols 1 {{.*}} broadcast scalar imm0 1.000000e+00
// CHECK:       npu.vpu_broadcast col rows 1 cols 512 dst %[[C:[0-9]+]][0x0] f32 stride 512 src0 %[[SEED]][0x0]
// CHECK:       npu.vpu_broadcast col rows 1 cols 512 dst %[[GRID:[0-9]+]][0x0]
// CHECK-NEXT:  npu.vpu_binary add rows 1 cols 512 dst %[[GRID]][0x0] {{.*}} broadcast row
// CHECK:       npu.vpu_broadcast scalar rows 1 cols 512 dst %[[ZERO:[0-9]+]][0x0] f32 stride 512 imm0 0.000000e+00
// CHECK:       npu.dma_load %{{.*}}[0x0] f32 -> %[[X:[0-9]+]][0x0] f32 extents [1, 1, 1, 300]
// CHECK-NEXT:  npu.vpu_binary mul rows 1 cols 512 dst %[[U:[0-9]+]][0x0] f32 stride 512 src0 %[[GRID]][0x0] f32 stride 512 src1 %[[C]][0x0] f32 stride 512 broadcast row
// CHECK-NEXT:  npu.vpu_unary hash_uniform rows 1 cols 512 dst %[[U]][0x0] f32 stride 512 src0 %[[U]][0x0] f32 stride 512 imm0 1.10603368
// CHECK-NEXT:  npu.vpu_binary cmp_lt rows 1 cols 512 dst %[[U]][0x0] {{.*}} broadcast scalar imm0 2.500000e-01
// CHECK-NEXT:  npu.vpu_binary mul rows 1 cols 512 dst %[[Y:[0-9]+]][0x0] f32 stride 512 src0 %[[X]][0x0] f32 stride 512 broadcast scalar imm0 1.33333337
// CHECK-NEXT:  npu.vpu_select rows 1 cols 512 dst %[[Y]][0x0] f32 stride 512 src0 %[[U]][0x0] f32 stride 512 src1 %[[ZERO]][0x0] f32 stride 512 src2 %[[Y]][0x0]
// CHECK-NEXT:  npu.dma_store %[[Y]][0x0] f32 -> %{{.*}}[0x0] f32 extents [1, 1, 1, 300]
func.func @main(%x: tensor<3x100xf32>, %s: tensor<i64>) -> tensor<3x100xf32> {
  %y = nn.dropout %x, %s {ratio = 0.25 : f32, key = 9} : (tensor<3x100xf32>, tensor<i64>) -> tensor<3x100xf32>
  return %y : tensor<3x100xf32>
}
