// The matmul's n differs from the loaded weights': a run-time fault.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @mismatch {
    npuisa.engine core 0 mxu {
      npuisa.mxu_load_weights sram[0x1000] k 32 n 16 row_stride 32 bf16
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 32 n 32 row_stride 32 acc_row_stride 32 bf16
      npuisa.halt
    }
  }
}
