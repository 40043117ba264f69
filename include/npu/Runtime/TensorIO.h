//===- TensorIO.h - host tensors and their .npy / ONNX .pb files -*- C++ -*-===//
//
// npu-run and the Python runtime exchange tensors with the user as NumPy .npy
// files or ONNX TensorProto .pb files (the format of the ONNX test suites),
// and checkpoints of persistent state as NumPy .npz archives.
// This header declares the in-memory host tensor and the readers/writers.
// Every reader validates the whole file (header, shape, sizes, overflow)
// before it allocates the data, and reports problems as llvm::Error.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_TENSORIO_H
#define NPU_RUNTIME_TENSORIO_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace npurt {

/// Element types a host tensor file can hold.
enum class HostDType : uint8_t { F32, F16, BF16, I8, I32, I64, Bool, U8 };

/// Highest rank accepted in a tensor file (the chip binary's limit too).
constexpr unsigned kMaxHostTensorRank = 8;

/// Size in bytes of one element of \p dtype.
unsigned hostDTypeSize(HostDType dtype);

/// Short lowercase name: "f32", "f16", "bf16", "i8", "i32", "i64", "bool", "u8".
llvm::StringRef hostDTypeName(HostDType dtype);

/// Parses a name produced by hostDTypeName.
std::optional<HostDType> parseHostDType(llvm::StringRef name);

/// A dense, C-order (row-major), little-endian tensor in host memory.
struct HostTensor {
  HostDType dtype = HostDType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;

  /// Number of elements (1 for rank 0). The shape is validated when the
  /// tensor is built by a reader, so this cannot overflow for those.
  uint64_t numElements() const;
  /// Shape as "2x3x4" ("scalar" for rank 0), for messages.
  std::string shapeString() const;
};

/// Computes the element count and byte size of a tensor with \p shape and
/// \p dtype, rejecting negative dims, rank > kMaxHostTensorRank and any
/// overflow of uint64 (byte sizes are also capped at 2^48 so later pointer
/// arithmetic cannot wrap). \p what names the tensor in messages.
llvm::Expected<uint64_t> checkedTensorBytes(llvm::ArrayRef<int64_t> shape,
                                            HostDType dtype,
                                            llvm::StringRef what);

/// Parses a .npy image (format versions 1.0, 2.0, 3.0; dtypes <f4 <f2 |i1
/// <i4 <i8 |b1 |u1, C order). \p what names the source in messages.
llvm::Expected<HostTensor> parseNpy(llvm::ArrayRef<uint8_t> bytes,
                                    llvm::StringRef what);
/// Serializes \p tensor as .npy (version 1.0, or 2.0 if the header needs it).
/// BF16 has no NumPy dtype and is rejected.
llvm::Expected<std::vector<uint8_t>> serializeNpy(const HostTensor &tensor);

/// Parses a serialized onnx.TensorProto (raw_data or the typed repeated
/// fields; external data is rejected).
llvm::Expected<HostTensor> parseTensorProto(llvm::ArrayRef<uint8_t> bytes,
                                            llvm::StringRef what);
/// Serializes \p tensor as an onnx.TensorProto with raw_data and \p name.
llvm::Expected<std::vector<uint8_t>>
serializeTensorProto(const HostTensor &tensor, llvm::StringRef name);

/// Reads a tensor file, choosing the format by extension (.npy or .pb).
llvm::Expected<HostTensor> readTensorFile(llvm::StringRef path);
/// Writes a tensor file, choosing the format by extension (.npy or .pb);
/// \p name is stored in a .pb's name field.
llvm::Error writeTensorFile(const HostTensor &tensor, llvm::StringRef path,
                            llvm::StringRef name);

/// One array of a NumPy .npz archive: its name (the member name without
/// `.npy`) and its value.
struct NamedTensor {
  std::string name;
  HostTensor tensor;
};

/// Reads the arrays of a NumPy .npz archive (a zip of .npy members, stored
/// or deflated, as np.savez / np.savez_compressed write) with libzip.
/// Members must be `<name>.npy` with distinct names; only those \p wanted
/// accepts are read, each only if its uncompressed size is at most
/// \p maxMemberBytes (so a small archive cannot inflate into a huge
/// allocation), then parsed as .npy.
llvm::Expected<std::vector<NamedTensor>>
readNpzFile(llvm::StringRef path, uint64_t maxMemberBytes,
            llvm::function_ref<bool(llvm::StringRef)> wanted);
/// Writes \p tensors as a NumPy .npz archive (members `<name>.npy`,
/// stored, in the given order), replacing \p path.
llvm::Error writeNpzFile(llvm::StringRef path,
                         llvm::ArrayRef<NamedTensor> tensors);

} // namespace npurt

#endif // NPU_RUNTIME_TENSORIO_H
