// RUN: npu-opt %s -split-input-file -npuisa-verify-sync -verify-diagnostics | FileCheck %s

// A load -> compute -> store pipeline: every wait has its signal. The pass
// leaves the IR unchanged.
// CHECK-LABEL: npuisa.program @pipeline
// CHECK: npuisa.dma_load {{.*}} signal [0]
// CHECK: npuisa.vpu_unary {{.*}} wait [0] signal [1]
// CHECK: npuisa.dma_store {{.*}} wait [1]
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @pipeline {
    npuisa.engine core 0 dma_load {
      npuisa.dma_load dram[0x0] -> sram[0x0] extents [1, 1, 4, 32] dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32 signal [0]
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      npuisa.vpu_unary relu rows 4 cols 32 dst sram[0x200] f32 stride 32 src0 sram[0x0] f32 stride 32 wait [0] signal [1]
      npuisa.halt
    }
    npuisa.engine core 0 dma_store {
      npuisa.dma_store sram[0x200] -> dram[0x200] extents [1, 1, 4, 32] sram_strides [0, 0, 32, 1] dram_strides [0, 0, 32, 1] f32 -> f32 wait [1]
      npuisa.halt
    }
  }
}

// -----

// Double buffering: the loader runs two tiles ahead, the consumer hands each
// buffer back. Needs the engines to interleave; the check finds the order.
// CHECK-LABEL: npuisa.program @double_buffer
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @double_buffer {
    npuisa.engine core 0 dma_load {
      npuisa.nop signal [2, 3]
      npuisa.nop wait [2] signal [0]
      npuisa.nop wait [3] signal [1]
      npuisa.nop wait [2] signal [0]
      npuisa.nop wait [3] signal [1]
      npuisa.halt wait [2, 3]
    }
    npuisa.engine core 0 vpu {
      npuisa.nop wait [0] signal [2]
      npuisa.nop wait [1] signal [3]
      npuisa.nop wait [0] signal [2]
      npuisa.nop wait [1] signal [3]
      npuisa.halt
    }
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @never_signalled {
    npuisa.engine core 0 mxu {
      npuisa.nop
      // expected-error @below {{deadlock: engine mxu (core 0) blocks at instruction 1 (npuisa.nop) waiting on semaphore 2, which no remaining instruction signals}}
      npuisa.nop wait [2]
      npuisa.halt
    }
  }
}

// -----

// Each engine waits for a signal the other sends only after its own wait.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @cycle {
    npuisa.engine core 0 mxu {
      // expected-error @below {{deadlock: engine mxu (core 0) blocks at instruction 0 (npuisa.nop) waiting on semaphore 0, which only blocked instructions would signal later (instruction 0 of engine vpu (core 0))}}
      npuisa.nop wait [0] signal [1]
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      // expected-error @below {{deadlock: engine vpu (core 0) blocks at instruction 0 (npuisa.nop) waiting on semaphore 1, which only blocked instructions would signal later (instruction 0 of engine mxu (core 0))}}
      npuisa.nop wait [1] signal [0]
      npuisa.halt
    }
  }
}

// -----

// Two acquisitions of one semaphore need two signals.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @double_wait {
    npuisa.engine core 0 dma_load {
      npuisa.nop signal [3]
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      // expected-error @below {{deadlock: engine vpu (core 0) blocks at instruction 0 (npuisa.nop) waiting on semaphore 3, which no remaining instruction signals}}
      npuisa.nop wait [3, 3]
      npuisa.halt
    }
  }
}

// -----

// Semaphores belong to a core: core 1 signalling its semaphore 0 does not
// release core 0.
module attributes {npu.target = #npu.target<"npu-tiny", {cores = 2}>} {
  // expected-warning @below {{semaphore 0 (core 1) is signalled 1 more time(s) than it is waited on}}
  npuisa.program @per_core {
    npuisa.engine core 0 vpu {
      // expected-error @below {{deadlock: engine vpu (core 0) blocks at instruction 0 (npuisa.nop) waiting on semaphore 0, which no remaining instruction signals}}
      npuisa.nop wait [0]
      npuisa.halt
    }
    npuisa.engine core 1 vpu {
      npuisa.nop signal [0]
      npuisa.halt
    }
  }
}

// -----

// Two engines competing for one semaphore: which one wins depends on timing,
// so the check refuses the program.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  npuisa.program @two_consumers {
    npuisa.engine core 0 dma_load {
      npuisa.nop signal [4]
      npuisa.halt
    }
    npuisa.engine core 0 mxu {
      npuisa.nop wait [4] signal [4]
      npuisa.halt
    }
    npuisa.engine core 0 vpu {
      // expected-error @below {{semaphore 4 is waited on by both engine mxu (core 0) and engine vpu (core 0); each semaphore needs a single waiting engine, otherwise which engine acquires it depends on timing}}
      npuisa.nop wait [4]
      npuisa.halt
    }
  }
}

// -----

// A signal nobody waits for is legal but suspicious (a missing wait is a race).
module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-warning @below {{semaphore 7 (core 0) is signalled 2 more time(s) than it is waited on}}
  npuisa.program @leftover {
    npuisa.engine core 0 vpu {
      npuisa.nop signal [7]
      npuisa.nop signal [7]
      npuisa.halt
    }
  }
}
