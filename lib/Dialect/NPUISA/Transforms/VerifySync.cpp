//===- VerifySync.cpp - the npuisa-verify-sync pass ------------------------===//
//
// Runs the deadlock check (Analysis/DeadlockCheck.cpp) on every program of
// the module, so it can be part of any npu-opt pipeline.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPUISA/Transforms/Passes.h"

#include "npu/Dialect/NPUISA/Analysis/DeadlockCheck.h"

namespace mlir::npuisa {
#define GEN_PASS_DEF_NPUISAVERIFYSYNCPASS
#include "npu/Dialect/NPUISA/Transforms/Passes.h.inc"
} // namespace mlir::npuisa

using namespace mlir;
using namespace mlir::npuisa;

namespace {
struct NPUISAVerifySyncPass
    : npuisa::impl::NPUISAVerifySyncPassBase<NPUISAVerifySyncPass> {
  using Base::Base;

  void runOnOperation() override {
    bool failed = false;
    for (ProgramOp program : getOperation().getOps<ProgramOp>())
      failed |= mlir::failed(verifyNoDeadlock(program));
    if (failed)
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
