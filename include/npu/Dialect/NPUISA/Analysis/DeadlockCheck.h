//===- DeadlockCheck.h - prove a chip program cannot deadlock -----*- C++ -*-===//
//
// The static synchronization check run by `npuisa-verify-sync` and by
// `--serialize-npu`. See DeadlockCheck.cpp for the argument why it is exact.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPUISA_ANALYSIS_DEADLOCKCHECK_H
#define NPU_DIALECT_NPUISA_ANALYSIS_DEADLOCKCHECK_H

#include "mlir/Support/LLVM.h"

namespace mlir::npuisa {

class ProgramOp;

/// Proves that every engine of `program` runs to its halt under every
/// interleaving of the engines. On failure emits one error per blocked engine
/// naming the engine, the instruction and the semaphore it waits on, and
/// returns failure. Semaphores left with a positive count at the end (signalled
/// more often than waited on) get a warning: harmless for progress, but they
/// mean a signal nobody consumes, usually a missing wait (a race) or a
/// redundant signal.
LogicalResult verifyNoDeadlock(ProgramOp program);

} // namespace mlir::npuisa

#endif // NPU_DIALECT_NPUISA_ANALYSIS_DEADLOCKCHECK_H
