//===- TensorIO.cpp - host tensor helpers and file dispatch ---------------===//
//
// The format-independent half of TensorIO.h: dtype names and sizes, checked
// size arithmetic shared by both file formats, and read/write by extension.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/TensorIO.h"

#include "llvm/Support/FileOutputBuffer.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

using namespace llvm;

namespace npurt {

unsigned hostDTypeSize(HostDType dtype) {
  switch (dtype) {
  case HostDType::F32:
  case HostDType::I32:
    return 4;
  case HostDType::F16:
  case HostDType::BF16:
    return 2;
  case HostDType::I64:
    return 8;
  case HostDType::I8:
  case HostDType::Bool:
  case HostDType::U8:
    return 1;
  }
  return 1;
}

StringRef hostDTypeName(HostDType dtype) {
  switch (dtype) {
  case HostDType::F32:
    return "f32";
  case HostDType::F16:
    return "f16";
  case HostDType::BF16:
    return "bf16";
  case HostDType::I8:
    return "i8";
  case HostDType::I32:
    return "i32";
  case HostDType::I64:
    return "i64";
  case HostDType::Bool:
    return "bool";
  case HostDType::U8:
    return "u8";
  }
  return "?";
}

std::optional<HostDType> parseHostDType(StringRef name) {
  for (HostDType dtype :
       {HostDType::F32, HostDType::F16, HostDType::BF16, HostDType::I8,
        HostDType::I32, HostDType::I64, HostDType::Bool, HostDType::U8})
    if (hostDTypeName(dtype) == name)
      return dtype;
  return std::nullopt;
}

uint64_t HostTensor::numElements() const {
  uint64_t count = 1;
  for (int64_t dim : shape)
    count *= static_cast<uint64_t>(dim);
  return count;
}

std::string HostTensor::shapeString() const {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += 'x';
    text += std::to_string(shape[i]);
  }
  return text;
}

/// Byte sizes above this are rejected: no real tensor file is that large and
/// it keeps every later offset computation far away from wrapping.
static constexpr uint64_t kMaxTensorBytes = uint64_t(1) << 48;

Expected<uint64_t> checkedTensorBytes(ArrayRef<int64_t> shape,
                                      HostDType dtype, StringRef what) {
  if (shape.size() > kMaxHostTensorRank)
    return createStringError(
        formatv("{0}: rank {1} exceeds the maximum rank {2}", what,
                shape.size(), kMaxHostTensorRank)
            .str());
  uint64_t bytes = hostDTypeSize(dtype);
  for (int64_t dim : shape) {
    if (dim < 0)
      return createStringError(
          formatv("{0}: negative dimension {1}", what, dim).str());
    bool overflow = false;
    bytes = SaturatingMultiply(bytes, static_cast<uint64_t>(dim), &overflow);
    if (overflow || bytes > kMaxTensorBytes)
      return createStringError(
          formatv("{0}: tensor size overflows (more than 2^48 bytes)", what)
              .str());
  }
  return bytes;
}

enum class TensorFileFormat { Npy, TensorProto };

static Expected<TensorFileFormat> formatFromPath(StringRef path) {
  StringRef extension = sys::path::extension(path);
  if (extension.equals_insensitive(".npy"))
    return TensorFileFormat::Npy;
  if (extension.equals_insensitive(".pb"))
    return TensorFileFormat::TensorProto;
  return createStringError(
      formatv("{0}: unknown tensor file extension '{1}' (expected .npy or "
              ".pb)",
              path, extension)
          .str());
}

Expected<HostTensor> readTensorFile(StringRef path) {
  Expected<TensorFileFormat> format = formatFromPath(path);
  if (!format)
    return format.takeError();
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(formatv("{0}: cannot read: {1}", path,
                                     buffer.getError().message())
                                 .str());
  ArrayRef<uint8_t> bytes(
      reinterpret_cast<const uint8_t *>((*buffer)->getBufferStart()),
      (*buffer)->getBufferSize());
  if (*format == TensorFileFormat::Npy)
    return parseNpy(bytes, path);
  return parseTensorProto(bytes, path);
}

Error writeTensorFile(const HostTensor &tensor, StringRef path,
                      StringRef name) {
  Expected<TensorFileFormat> format = formatFromPath(path);
  if (!format)
    return format.takeError();
  Expected<std::vector<uint8_t>> bytes =
      *format == TensorFileFormat::Npy ? serializeNpy(tensor)
                                       : serializeTensorProto(tensor, name);
  if (!bytes)
    return createFileError(path, bytes.takeError());
  Expected<std::unique_ptr<FileOutputBuffer>> output =
      FileOutputBuffer::create(path, bytes->size());
  if (!output)
    return createFileError(path, output.takeError());
  if (!bytes->empty())
    std::memcpy((*output)->getBufferStart(), bytes->data(), bytes->size());
  if (Error error = (*output)->commit())
    return createFileError(path, std::move(error));
  return Error::success();
}

} // namespace npurt
