//===- fuzz_nn_pipeline.cpp - libFuzzer: nn-level npu-opt pipeline --------===//
//
// Parses text as fuzz_mlir_parse does; on verifier-valid IR runs the nn-level
// pipeline of npu-opt (nn-fold-batch-norm, nn-decompose, canonicalize, with
// the pass manager's verifier after every pass) and the npuisa deadlock check.
// A pass that crashes, or turns valid IR into invalid IR, is a bug: the
// latter is reported by aborting.
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "npu/Dialect/NN/Transforms/Passes.h"
#include "npu/Dialect/NPUISA/Transforms/Passes.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

/// The nn part of the compile pipeline (docs/passes.md), as npu-opt spells it.
static constexpr const char *kPipeline =
    "builtin.module(nn-fold-batch-norm,nn-decompose,canonicalize,"
    "npuisa-verify-sync)";

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  mlir::registerCanonicalizerPass();
  mlir::nn::registerNNPasses();
  mlir::npuisa::registerNPUISAPasses();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npu::fuzz::QuietContext context(npu::fuzz::allDialects());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      npu::fuzz::parseModule(context, data, size);
  if (!module)
    return 0; // Only verifier-valid IR reaches the passes.

  mlir::PassManager pm(context.get());
  if (mlir::failed(mlir::parsePassPipeline(kPipeline, pm))) {
    std::fprintf(stderr, "cannot build the pass pipeline\n");
    std::abort();
  }
  // A pass may fail with a diagnostic (e.g. the deadlock check); what it may
  // not do is crash. The verifier runs after each pass; a failure there is a
  // pass bug and the pass manager reports it as a failure too, so check the
  // module once more to tell the two apart.
  if (mlir::failed(pm.run(*module)) && mlir::failed(mlir::verify(*module))) {
    std::fprintf(stderr, "the pipeline produced invalid IR\n");
    std::abort();
  }
  return 0;
}
