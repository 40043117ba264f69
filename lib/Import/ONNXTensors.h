//===- ONNXTensors.h - constant tensors of the ONNX importer ----*- C++ -*-===//
//
// Private to lib/Import. A ConstTensor is a tensor whose value is known at
// import time: an initializer, a Constant node, or the result of folding a
// shape subgraph. Its bytes are kept in the host layout of its element type
// (little endian, bool as one byte) so that large weights reach their resource
// blob with a single copy.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_IMPORT_ONNXTENSORS_H
#define NPU_LIB_IMPORT_ONNXTENSORS_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class TensorProto;
} // namespace onnx

namespace mlir::npu::onnx_import {

/// Largest tensor rank the importer accepts.
constexpr int64_t kMaxRank = 8;

/// Element types of known tensors: the ones the nn dialect supports, plus
/// F64, which exporters use in shape computations (opset < 9 PyTorch) and
/// which may only appear at import time.
enum class DType { F32, F16, BF16, I8, I32, I64, Bool, F64 };

/// Maps an ONNX TensorProto::DataType value; nullopt if unsupported.
std::optional<DType> dtypeFromONNX(int onnxType);
/// Whether nn tensors (run-time values) may have this element type.
bool isRuntimeDType(DType type);
/// The ONNX name of a TensorProto::DataType value ("FLOAT", "DOUBLE", ...).
std::string onnxDTypeName(int onnxType);
/// Bytes per element in the host layout.
int64_t dtypeByteSize(DType type);
bool isFloatDType(DType type);
/// The MLIR element type (signless integers, i1 for bool).
Type dtypeToMLIR(DType type, MLIRContext *context);
/// Inverse of dtypeToMLIR; nullopt for any other type.
std::optional<DType> dtypeFromMLIR(Type type);

/// Multiplies the dims; nullopt on a negative dim or int64 overflow.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> dims);

/// A tensor with a known value.
class ConstTensor {
public:
  /// A zero-filled tensor owning its storage. The caller has checked that
  /// the element count is within its limits.
  static ConstTensor zeros(DType type, llvm::ArrayRef<int64_t> shape);
  /// A tensor viewing `bytes`, which `keepAlive` (may be null) keeps valid.
  static ConstTensor view(DType type, llvm::ArrayRef<int64_t> shape,
                          llvm::ArrayRef<char> bytes,
                          std::shared_ptr<const void> keepAlive);

  DType getDType() const { return dtype; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getRank() const { return shape.size(); }
  int64_t getNumElements() const { return numElements; }
  llvm::ArrayRef<char> getBytes() const { return bytes; }

  /// Element `index` (row-major) as an integer (floats truncate toward 0).
  int64_t getInt(int64_t index) const;
  /// Element `index` as a double.
  double getDouble(int64_t index) const;
  /// Stores `value` into element `index` converting to the element type.
  void setInt(int64_t index, int64_t value);
  void setDouble(int64_t index, double value);

  /// All elements as integers.
  llvm::SmallVector<int64_t> toInts() const;

  /// The tensor type of this constant.
  RankedTensorType getType(MLIRContext *context) const;

private:
  DType dtype = DType::F32;
  llvm::SmallVector<int64_t> shape;
  int64_t numElements = 0;
  llvm::ArrayRef<char> bytes;
  /// Mutable alias of `bytes` when this tensor owns its storage.
  char *mutableBytes = nullptr;
  std::shared_ptr<const void> storage;
};

/// Where external tensor data may be read from.
struct ExternalDataContext {
  /// Folder of the model file; external data must resolve inside it.
  std::string modelDir;
  /// Buffers of files read so far, kept alive for the whole import.
  std::vector<std::shared_ptr<const void>> *buffers = nullptr;
};

/// Decodes and validates `proto`: dtype (must map to DType), rank, dims,
/// element-count and byte-size overflow, raw_data / typed-field lengths and
/// external data (confined to the model folder). `what` names the tensor in
/// messages (e.g. "initializer 'w'"). `keepAlive` owns `proto`.
llvm::Expected<ConstTensor>
decodeTensorProto(const onnx::TensorProto &proto, llvm::StringRef what,
                  const ExternalDataContext &external,
                  std::shared_ptr<const void> keepAlive);

} // namespace mlir::npu::onnx_import

#endif // NPU_LIB_IMPORT_ONNXTENSORS_H
