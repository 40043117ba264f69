// RUN: npu-opt %s | FileCheck %s
// RUN: npu-opt %s --verify-roundtrip -o /dev/null
// Every npu op and optional field round-trips; the program verifier also runs
// the chip checks of every instruction (npu-base).

module attributes {npu.target = #npu.target<"npu-base">} {
npu.program @main {
  %x = npu.io "x" input f32 [4, 32]
  %y = npu.io "y" output f32 [4, 32]
  %w = npu.constant "w" dense<1.0> : tensor<32x32xf32>
  %t = npu.alloc dram 512 name "t" at 0x1000
  %v = npu.constant "v" at 0x2000 dense_resource<blob> : tensor<2xi32>
  npu.layer "fc" kind "nn.matmul" macs 4096 vector_ops 0 min_dram_bytes 5120 {
    %a = npu.alloc sram 512
    %b = npu.alloc sram 4096 name "w"
    %acc = npu.alloc acc 512
    %o = npu.alloc sram 512
    npu.dma_load %x[0x0] f32 -> %a[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
    npu.dma_load %w[0x0] f32 -> %b[0x0] f32 extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
    npu.mxu_load_weights %b[0x0] k 32 n 32 row_stride 32 f32
    npu.mxu_load_weights %b[0x0] k 32 n 32 row_stride 32 f32 transpose
    npu.mxu_matmul %a[0x0] -> %acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32 accumulate
    npu.vpu_epilogue none rows 4 cols 32 dst %o[0x0] bf16 stride 32 src0 %acc[0x0] f32 stride 32 src1 %a[0x40] f32 stride 0
    npu.mxu_matmul %a[0x0] -> %acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
    npu.vpu_epilogue relu rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %acc[0x0] f32 stride 32
    npu.vpu_binary add rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %o[0x0] f32 stride 32 broadcast scalar imm0 1.0
    npu.vpu_binary mul rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %o[0x0] f32 stride 32 src1 %a[0x0] f32 stride 0 broadcast row
    npu.vpu_reduce max over cols rows 4 cols 32 dst %a[0x0] f32 stride 1 src0 %o[0x0] f32 stride 32
    npu.vpu_broadcast col rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %a[0x0] f32 stride 1
    npu.vpu_cast rows 4 cols 32 dst %o[0x0] bf16 stride 32 src0 %acc[0x0] f32 stride 32
    npu.vpu_cast rows 4 cols 32 dst %o[0x0] i32 stride 32 src0 %acc[0x0] f32 stride 32 rounding floor
    npu.vpu_select rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %o[0x0] f32 stride 32 src1 %a[0x0] f32 stride 32 src2 %a[0x0] f32 stride 32
    npu.vpu_unary clip rows 4 cols 32 dst %o[0x0] f32 stride 32 src0 %o[0x0] f32 stride 32 imm0 -1.0 imm1 1.0
    npu.dma_store %o[0x0] f32 -> %t[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
    npu.dma_store %o[0x0] f32 -> %y[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
  }
}
}
{-#
  dialect_resources: {
    builtin: {
      blob: "0x040000000100000002000000"
    }
  }
#-}

// CHECK-LABEL: npu.program @main {
// CHECK-NEXT: %0 = npu.io "x" input f32 [4, 32]
// CHECK-NEXT: %1 = npu.io "y" output f32 [4, 32]
// CHECK-NEXT: %2 = npu.constant "w" dense<1.000000e+00> : tensor<32x32xf32>
// CHECK-NEXT: %3 = npu.alloc dram 512 name "t" at 0x1000
// CHECK-NEXT: %4 = npu.constant "v" at 0x2000 dense_resource<blob> : tensor<2xi32>
// CHECK-NEXT: npu.layer "fc" kind "nn.matmul" macs 4096 vector_ops 0 min_dram_bytes 5120 {
// CHECK-NEXT: %5 = npu.alloc sram 512
// CHECK-NEXT: %6 = npu.alloc sram 4096 name "w"
// CHECK-NEXT: %7 = npu.alloc acc 512
// CHECK-NEXT: %8 = npu.alloc sram 512
// CHECK-NEXT: npu.dma_load %0[0x0] f32 -> %5[0x0] f32 extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
// CHECK-NEXT: npu.dma_load %2[0x0] f32 -> %6[0x0] f32 extents [1, 1, 32, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1]
// CHECK-NEXT: npu.mxu_load_weights %6[0x0] k 32 n 32 row_stride 32 f32
// CHECK-NEXT: npu.mxu_load_weights %6[0x0] k 32 n 32 row_stride 32 f32 transpose
// CHECK-NEXT: npu.mxu_matmul %5[0x0] -> %7[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32 accumulate
// CHECK-NEXT: npu.vpu_epilogue none rows 4 cols 32 dst %8[0x0] bf16 stride 32 src0 %7[0x0] f32 stride 32 src1 %5[0x40] f32 stride 0
// CHECK-NEXT: npu.mxu_matmul %5[0x0] -> %7[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 f32
// CHECK-NEXT: npu.vpu_epilogue relu rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %7[0x0] f32 stride 32
// CHECK-NEXT: npu.vpu_binary add rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %8[0x0] f32 stride 32 broadcast scalar imm0 1.000000e+00
// CHECK-NEXT: npu.vpu_binary mul rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %8[0x0] f32 stride 32 src1 %5[0x0] f32 stride 0 broadcast row
// CHECK-NEXT: npu.vpu_reduce max over cols rows 4 cols 32 dst %5[0x0] f32 stride 1 src0 %8[0x0] f32 stride 32
// CHECK-NEXT: npu.vpu_broadcast col rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %5[0x0] f32 stride 1
// CHECK-NEXT: npu.vpu_cast rows 4 cols 32 dst %8[0x0] bf16 stride 32 src0 %7[0x0] f32 stride 32
// CHECK-NEXT: npu.vpu_cast rows 4 cols 32 dst %8[0x0] i32 stride 32 src0 %7[0x0] f32 stride 32 rounding floor
// CHECK-NEXT: npu.vpu_select rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %8[0x0] f32 stride 32 src1 %5[0x0] f32 stride 32 src2 %5[0x0] f32 stride 32
// CHECK-NEXT: npu.vpu_unary clip rows 4 cols 32 dst %8[0x0] f32 stride 32 src0 %8[0x0] f32 stride 32 imm0 -1.000000e+00 imm1 1.000000e+00
// CHECK-NEXT: npu.dma_store %8[0x0] f32 -> %3[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
// CHECK-NEXT: npu.dma_store %8[0x0] f32 -> %1[0x0] f32 extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1]
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK: {-#
// CHECK-NEXT: dialect_resources: {
// CHECK-NEXT: builtin: {
// CHECK-NEXT: blob: "0x040000000100000002000000"
// CHECK-NEXT: }
// CHECK-NEXT: }
// CHECK-NEXT: #-}
