//===- Passes.td - npuisa passes ---------------------------*- tablegen -*-===//
#ifndef NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_TD
#define NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NPUISAVerifySyncPass : Pass<"npuisa-verify-sync", "ModuleOp"> {
  let summary = "prove every npuisa program is free of deadlock";
  let description = [{
    Simulates the semaphore counts of every `npuisa.program` abstractly
    (engines are in-order queues, semaphores count) and fails when some
    engine can never reach its halt, naming the engine, the instruction and
    the semaphore it waits on. Requires each semaphore to have one waiting
    engine, which makes the check exact (see DeadlockCheck.cpp). Warns about
    semaphores signalled more often than waited on. The IR is unchanged.
  }];
  let dependentDialects = ["::mlir::npuisa::NPUISADialect"];
}

#endif // NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_TD
