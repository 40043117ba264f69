//===- VerifyPlacement.cpp - npu-verify-placement: the overlap proof ------===//
//
// The check npu-place-memory ends with, as a pass of its own so a placement
// from anywhere (hand-written, or edited after placement) can be proven.
//
//===----------------------------------------------------------------------===//
#include "BufferLiveness.h"

#include "npu/Dialect/NPU/Transforms/Passes.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPUVERIFYPLACEMENTPASS
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {
struct NPUVerifyPlacementPass
    : npu::impl::NPUVerifyPlacementPassBase<NPUVerifyPlacementPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr targetAttr = TargetAttr::lookup(module);
    if (!targetAttr) {
      module.emitError("npu-verify-placement needs the chip: the module has "
                       "no 'npu.target' attribute");
      return signalPassFailure();
    }
    npurt::Target target = targetAttr.getTarget();
    for (auto program : module.getOps<ProgramOp>())
      if (failed(verifyPlacement(program, target)))
        return signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
