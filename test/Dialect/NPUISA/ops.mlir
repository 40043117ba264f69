// RUN: npu-opt %s | FileCheck %s
// RUN: npu-opt %s | npu-opt | FileCheck %s
// RUN: npu-opt %s --mlir-print-op-generic | npu-opt | FileCheck %s
// Instructions have effects: the generic cleanups keep every one of them.
// RUN: npu-opt %s --canonicalize --cse --symbol-dce | FileCheck %s
// Bytecode and generic-form round trips give the same IR.
// RUN: npu-opt %s --verify-roundtrip -o /dev/null

// Every instruction op and every table op, printed back as written.

// CHECK: module attributes {npu.target = #npu.target<"npu-tiny">}
module attributes {npu.target = #npu.target<"npu-tiny">} {
  // CHECK-LABEL: npuisa.program @all_ops
  npuisa.program @all_ops {
    // CHECK: npuisa.io "x" input f32 [4, 32] at 0x0
    npuisa.io "x" input f32 [4, 32] at 0x0
    // CHECK: npuisa.io "y" output bf16 [4, 32] at 0x1000
    npuisa.io "y" output bf16 [4, 32] at 0x1000
    // CHECK: npuisa.state "w" f32 [32, 32] at 0x2000
    npuisa.state "w" f32 [32, 32] at 0x2000
    // CHECK: npuisa.constant at 0x2000 dense<1.000000e+00> : tensor<32x32xf32>
    npuisa.constant at 0x2000 dense<1.0> : tensor<32x32xf32>
    // CHECK: npuisa.constant at 0x4000 dense<[1, 2, 3, 4]> : tensor<4xi8>
    npuisa.constant at 0x4000 dense<[1, 2, 3, 4]> : tensor<4xi8>
    // CHECK: npuisa.source_op 0 "fc" kind "nn.matmul" macs 4096 vector_ops 0 min_dram_bytes 4608
    npuisa.source_op 0 "fc" kind "nn.matmul" macs 4096 vector_ops 0 min_dram_bytes 4608
    // CHECK: npuisa.source_op 1 "act" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 0
    npuisa.source_op 1 "act" kind "nn.relu" macs 0 vector_ops 128 min_dram_bytes 0

    // CHECK: npuisa.engine core 0 dma_load {
    npuisa.engine core 0 dma_load {
      // CHECK-NEXT: npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [0] source 0
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [0] source 0
      // CHECK-NEXT: npuisa.dma_load dram[0x2000] -> sram[0x1000] extents [1, 1, 32, 32] dram_strides [0, 0, 1, 32] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [1, 2]
      npuisa.dma_load dram[0x2000] -> sram[0x1000] extents [1, 1, 32, 32] dram_strides [0, 0, 1, 32] sram_strides [0, 0, 32, 1] f32 -> bf16 signal [1, 2]
      // CHECK-NEXT: npuisa.nop wait [3]
      npuisa.nop wait [3]
      // CHECK-NEXT: npuisa.halt
      npuisa.halt
    }
    // CHECK: npuisa.engine core 0 mxu {
    npuisa.engine core 0 mxu {
      // CHECK-NEXT: npuisa.mxu_load_weights sram[0x1000] k 32 n 32 row_stride 32 bf16 wait [1] source 0
      npuisa.mxu_load_weights sram[0x1000] k 32 n 32 row_stride 32 bf16 wait [1] source 0
      // CHECK-NEXT: npuisa.mxu_load_weights sram[0x1000] k 32 n 32 row_stride 32 bf16 transpose
      npuisa.mxu_load_weights sram[0x1000] k 32 n 32 row_stride 32 bf16 transpose
      // CHECK-NEXT: npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 wait [0] source 0
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 wait [0] source 0
      // CHECK-NEXT: npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 accumulate signal [4]
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16 accumulate signal [4]
      npuisa.halt
    }
    // CHECK: npuisa.engine core 0 vpu {
    npuisa.engine core 0 vpu {
      // CHECK-NEXT: npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 acc[0x0] f32 stride 32 bias sram[0x3000] f32 stride 0 wait [4, 2] source 1
      npuisa.vpu_epilogue relu rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 acc[0x0] f32 stride 32 bias sram[0x3000] f32 stride 0 wait [4, 2] source 1
      // CHECK-NEXT: npuisa.vpu_epilogue none rows 4 cols 32 dst sram[0x2000] i8 stride 32 src0 acc[0x0] i32 stride 32 scale 5.000000e-01 zero_point -3
      npuisa.vpu_epilogue none rows 4 cols 32 dst sram[0x2000] i8 stride 32 src0 acc[0x0] i32 stride 32 scale 0.5 zero_point -3
      // CHECK-NEXT: npuisa.vpu_binary add rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 src1 sram[0x3000] f32 stride 0 broadcast row
      npuisa.vpu_binary add rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 src1 sram[0x3000] f32 stride 0 broadcast row
      // CHECK-NEXT: npuisa.vpu_binary mul rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 broadcast scalar imm0 2.500000e-01
      npuisa.vpu_binary mul rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 broadcast scalar imm0 0.25
      // CHECK-NEXT: npuisa.vpu_unary clip rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 imm0 -1.000000e+00 imm1 1.000000e+00
      npuisa.vpu_unary clip rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 imm0 -1.0 imm1 1.0
      // CHECK-NEXT: npuisa.vpu_unary exp rows 4 cols 32 dst sram[0x2000] bf16 stride 32 src0 sram[0x2000] f32 stride 32
      npuisa.vpu_unary exp rows 4 cols 32 dst sram[0x2000] bf16 stride 32 src0 sram[0x2000] f32 stride 32
      // CHECK-NEXT: npuisa.vpu_reduce max over cols rows 4 cols 32 dst sram[0x3040] f32 stride 1 src0 sram[0x2000] f32 stride 32
      npuisa.vpu_reduce max over cols rows 4 cols 32 dst sram[0x3040] f32 stride 1 src0 sram[0x2000] f32 stride 32
      // CHECK-NEXT: npuisa.vpu_reduce add over rows rows 4 cols 32 dst sram[0x3080] f32 stride 32 src0 sram[0x2000] f32 stride 32 accumulate
      npuisa.vpu_reduce add over rows rows 4 cols 32 dst sram[0x3080] f32 stride 32 src0 sram[0x2000] f32 stride 32 accumulate
      // CHECK-NEXT: npuisa.vpu_broadcast col rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x3040] f32 stride 1
      npuisa.vpu_broadcast col rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x3040] f32 stride 1
      // CHECK-NEXT: npuisa.vpu_broadcast scalar rows 4 cols 32 dst sram[0x2000] f32 stride 32 imm0 3.000000e+00
      npuisa.vpu_broadcast scalar rows 4 cols 32 dst sram[0x2000] f32 stride 32 imm0 3.0
      // CHECK-NEXT: npuisa.vpu_cast rows 4 cols 32 dst sram[0x4000] bf16 stride 32 src0 sram[0x2000] f32 stride 32
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x4000] bf16 stride 32 src0 sram[0x2000] f32 stride 32
      // CHECK-NEXT: npuisa.vpu_cast rows 4 cols 32 dst sram[0x4000] i8 stride 32 src0 sram[0x2000] f32 stride 32 scale 1.250000e-01 zero_point 4
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x4000] i8 stride 32 src0 sram[0x2000] f32 stride 32 scale 0.125 zero_point 4
      // CHECK-NEXT: npuisa.vpu_cast rows 4 cols 32 dst sram[0x5000] i32 stride 32 src0 sram[0x2000] f32 stride 32 rounding round_even
      npuisa.vpu_cast rows 4 cols 32 dst sram[0x5000] i32 stride 32 src0 sram[0x2000] f32 stride 32 rounding round_even
      // Integer mode: i32 sources, an i32 or float result.
      // CHECK-NEXT: npuisa.vpu_binary mod rows 4 cols 32 dst sram[0x5000] i32 stride 32 src0 sram[0x5000] i32 stride 32 broadcast scalar imm0 7.000000e+00
      npuisa.vpu_binary mod rows 4 cols 32 dst sram[0x5000] i32 stride 32 src0 sram[0x5000] i32 stride 32 broadcast scalar imm0 7.0
      // CHECK-NEXT: npuisa.vpu_binary cmp_lt rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x5000] i32 stride 32 src1 sram[0x5000] i32 stride 32 broadcast none
      npuisa.vpu_binary cmp_lt rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x5000] i32 stride 32 src1 sram[0x5000] i32 stride 32 broadcast none
      // CHECK-NEXT: npuisa.vpu_reduce mul over cols rows 4 cols 32 dst sram[0x3040] f32 stride 1 src0 sram[0x2000] f32 stride 32
      npuisa.vpu_reduce mul over cols rows 4 cols 32 dst sram[0x3040] f32 stride 1 src0 sram[0x2000] f32 stride 32
      // CHECK-NEXT: npuisa.vpu_unary sign rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32
      npuisa.vpu_unary sign rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32
      // CHECK-NEXT: npuisa.vpu_select rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 src1 sram[0x2000] f32 stride 32 src2 sram[0x2000] f32 stride 32 signal [5]
      npuisa.vpu_select rows 4 cols 32 dst sram[0x2000] f32 stride 32 src0 sram[0x2000] f32 stride 32 src1 sram[0x2000] f32 stride 32 src2 sram[0x2000] f32 stride 32 signal [5]
      npuisa.halt
    }
    // CHECK: npuisa.engine core 0 dma_store {
    npuisa.engine core 0 dma_store {
      // CHECK-NEXT: npuisa.dma_store sram[0x4000] -> dram[0x1000] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] bf16 -> bf16 wait [5] signal [3]
      npuisa.dma_store sram[0x4000] -> dram[0x1000] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] bf16 -> bf16 wait [5] signal [3]
      // CHECK-NEXT: npuisa.halt
      npuisa.halt
    }
  }
}
