//===- SetTarget.cpp - the npu-set-target pass -----------------------------===//
//
// Attaches `#npu.target<...>` to the module, from a preset name or a JSON chip
// file, so that every later pass (and any npu-opt run on the output) reads the
// chip from the IR alone.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPU/Transforms/Passes.h"

#include "llvm/Support/MemoryBuffer.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPUSETTARGETPASS
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {
struct NPUSetTargetPass : npu::impl::NPUSetTargetPassBase<NPUSetTargetPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    FailureOr<TargetAttr> attr = failure();
    if (StringRef(target).ends_with(".json")) {
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
          llvm::MemoryBuffer::getFile(target, /*IsText=*/true);
      if (!file) {
        module.emitError() << "cannot read target file '" << target
                           << "': " << file.getError().message();
        return signalPassFailure();
      }
      attr = TargetAttr::parseJSON(&getContext(), (*file)->getBuffer(), [&] {
        return module.emitError() << "in '" << target << "': ";
      });
    } else {
      llvm::Expected<npurt::Target> preset = npurt::Target::preset(target);
      if (!preset) {
        module.emitError() << "invalid target: "
                           << llvm::toString(preset.takeError());
        return signalPassFailure();
      }
      attr = TargetAttr::get(&getContext(), *preset);
    }
    if (failed(attr))
      return signalPassFailure();
    module->setAttr(TargetAttr::kAttrName, *attr);
  }
};
} // namespace
