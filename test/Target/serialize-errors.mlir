// The serializer proves the program deadlock-free first; the translation
// fails with the check's message.
// RUN: not npu-translate --serialize-npu %s -split-input-file -o /dev/null 2>&1 | FileCheck %s

// CHECK: error: deadlock: engine vpu (core 0) blocks at instruction 0 (npuisa.vpu_unary) waiting on semaphore 0, which no remaining instruction signals
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 vpu {
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x200] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0]
      npuisa.halt
    }
  }
}

// -----

// CHECK: error: no npuisa.program to serialize
module attributes {npu.target = #npu.target<"npu-tiny">} {
}

// -----

// CHECK: error: more than one npuisa.program; a binary holds one
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @a {
  }
  npuisa.program @b {
  }
}

// -----

// Verifier errors stop serialization as well.
// CHECK: error: 'npuisa.mxu_matmul' op k (64) of mxu_matmul must be in [1, mxu_rows = 32]
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @p {
    npuisa.engine core 0 mxu {
      npuisa.mxu_matmul sram[0x0] -> acc[0x0] m 4 k 64 n 32 row_stride 64 acc_row_stride 32 bf16
      npuisa.halt
    }
  }
}
