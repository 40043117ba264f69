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

/// Largest model file the importer accepts: protobuf's CodedInputStream
/// addresses at most INT_MAX bytes, so larger models must keep their weights
/// in external data files. npu-translate checks it on the file's size before
/// reading the file.
constexpr uint64_t kMaxONNXModelBytes = 2147483647;

/// A concrete shape given on the command line for one graph input, binding
/// its symbolic or unknown dimensions.
struct InputShapeBinding {
  std::string inputName;
  llvm::SmallVector<int64_t> dims;
};

/// A value given on the command line for one graph input, which then is a
/// constant of the model: a compile-time specialization for inputs that
/// decide shapes (a Reshape target, Resize sizes, Slice bounds...), which
/// the chip needs at compile time (TensorRT's "shape tensors" likewise).
struct InputValueBinding {
  std::string inputName;
  /// An ONNX TensorProto file (.pb), as in the ONNX test data.
  std::string path;
};

/// Options of one import.
struct ONNXImportOptions {
  /// Shapes for graph inputs whose declared shape is not fully static.
  std::vector<InputShapeBinding> inputShapes;
  /// Graph inputs replaced by constants (no longer inputs of the program).
  std::vector<InputValueBinding> inputValues;
  /// DOUBLE tensors compute in f32 (the chip has no f64): DOUBLE graph
  /// inputs and outputs become f32, DOUBLE constants are rounded to f32 and
  /// casts to DOUBLE cast to f32. Off, DOUBLE is only allowed in import-time
  /// computations.
  bool f64AsF32 = false;
  /// Constants with at most this many elements are printed inline as
  /// DenseElementsAttr; larger ones become dense resource blobs.
  int64_t inlineConstantLimit = 16;
  /// Upper bound on the elements of a tensor computed at import time (shape
  /// subgraph folding). Protects against adversarial ConstantOfShape/Range.
  int64_t foldElementLimit = int64_t(1) << 24;
  /// Upper bound on the bytes of all tensors computed at import time; with
  /// the per-result limit it bounds the importer's memory on any input.
  int64_t foldByteBudget = int64_t(1) << 30;
  /// Import the model in training mode, as PyTorch's `model.train()` runs
  /// it (npu-compile --train sets it): every BatchNormalization normalizes
  /// with the batch statistics and computes the updated running statistics
  /// (nn.batch_norm_train, ONNX's `momentum`), every Dropout is active
  /// (nn.dropout), whatever the nodes' own `training_mode` says. The
  /// function then gets a last argument `dropout_seed` (a rank-0 i64, a new
  /// value per training step) if there is a Dropout, and each Dropout node a
  /// key: its `seed` attribute, else its position among the Dropout nodes.
  /// Without it the nodes mean what ONNX says (the default, so inference
  /// models are unchanged): Dropout is the identity, and a Dropout whose
  /// `training_mode` is not a constant false is an error.
  bool training = false;
};

/// Parses `spec` of the form `NAME=D0xD1x...` (`NAME=` binds a scalar).
/// Returns an error message on malformed input.
llvm::Expected<InputShapeBinding> parseInputShapeBinding(llvm::StringRef spec);
/// Parses `spec` of the form `NAME=FILE.pb`.
llvm::Expected<InputValueBinding> parseInputValueBinding(llvm::StringRef spec);

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
