//===- ONNXImporter.h - ONNX model -> nn dialect ----------------*- C++ -*-===//
//
// The public entry points of the ONNX importer: turn a serialized ONNX
// ModelProto into a module holding one `func.func @main` of `nn` ops with
// static shapes, weights as dense resource blobs and ONNX node names as
// locations. Everything the importer cannot represent is reported at once.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_IMPORT_ONNXIMPORTER_H
#define NPU_IMPORT_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace mlir::npu {

/// A concrete shape given on the command line for one graph input, binding
/// its symbolic or unknown dimensions.
struct InputShapeBinding {
  std::string inputName;
  llvm::SmallVector<int64_t> dims;
};

/// Options of one import.
struct ONNXImportOptions {
  /// Shapes for graph inputs whose declared shape is not fully static.
  std::vector<InputShapeBinding> inputShapes;
  /// Constants with at most this many elements are printed inline as
  /// DenseElementsAttr; larger ones become dense resource blobs.
  int64_t inlineConstantLimit = 16;
  /// Upper bound on the elements of a tensor computed at import time (shape
  /// subgraph folding). Protects against adversarial ConstantOfShape/Range.
  int64_t foldElementLimit = int64_t(1) << 24;
  /// Upper bound on the bytes of all tensors computed at import time; with
  /// the per-result limit it bounds the importer's memory on any input.
  int64_t foldByteBudget = int64_t(1) << 30;
};

/// Parses `spec` of the form `NAME=D0xD1x...` (`NAME=` binds a scalar).
/// Returns an error message on malformed input.
llvm::Expected<InputShapeBinding> parseInputShapeBinding(llvm::StringRef spec);

/// Imports the serialized ONNX model `modelBytes`. `modelPath` is used for
/// diagnostics and to resolve external tensor data (which must stay inside
/// the model's folder). Returns null after emitting diagnostics on `context`.
OwningOpRef<ModuleOp> importONNXModel(llvm::StringRef modelBytes,
                                      llvm::StringRef modelPath,
                                      const ONNXImportOptions &options,
                                      MLIRContext *context);

/// Registers the `--import-onnx` translation and its command-line options
/// (`--input-shape`) with mlir-translate.
void registerONNXImportTranslation();

} // namespace mlir::npu

#endif // NPU_IMPORT_ONNXIMPORTER_H
