//===- fuzz_onnx_import.cpp - libFuzzer: ONNX bytes -> importer -----------===//
//
// Feeds arbitrary bytes to importONNXModel exactly as `npu-translate
// --import-onnx` does and verifies whatever module comes out: the importer
// must either reject the bytes with a diagnostic or build IR that passes the
// nn verifiers. The model path points into an empty directory, so external
// data references resolve to nothing (or are rejected as escaping it).
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "npu/Import/ONNXImporter.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npu::fuzz::QuietContext context(npu::fuzz::allDialects());
  mlir::npu::ONNXImportOptions options;
  // Smaller than the tool's defaults so one input cannot take seconds: the
  // limits themselves are what is being exercised.
  options.foldElementLimit = int64_t(1) << 16;
  options.foldByteBudget = int64_t(1) << 24;
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::npu::importONNXModel(
      bytes, "/nonexistent-npu-fuzz-dir/model.onnx", options, context.get());
  if (module && mlir::failed(mlir::verify(*module))) {
    // The importer promised valid IR: that is a bug, make it a crash.
    std::fprintf(stderr, "imported module fails verification\n");
    std::abort();
  }
  return 0;
}
