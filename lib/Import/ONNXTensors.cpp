//===- ONNXTensors.cpp - TensorProto decoding and validation --------------===//
//
// Turns ONNX TensorProtos (initializers, Constant values) into ConstTensors.
// Everything read from the file is validated before it is trusted: dims,
// overflow of element and byte counts, the length of raw_data and of the
// typed fields, and external data locations, which must stay inside the
// model's folder.
//
//===----------------------------------------------------------------------===//
#include "ONNXTensors.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <cstring>

using namespace mlir;
using namespace mlir::npu::onnx_import;

std::optional<DType> mlir::npu::onnx_import::dtypeFromONNX(int onnxType) {
  switch (onnxType) {
  case onnx::TensorProto::FLOAT:
    return DType::F32;
  case onnx::TensorProto::FLOAT16:
    return DType::F16;
  case onnx::TensorProto::BFLOAT16:
    return DType::BF16;
  case onnx::TensorProto::INT8:
    return DType::I8;
  case onnx::TensorProto::INT32:
    return DType::I32;
  case onnx::TensorProto::INT64:
    return DType::I64;
  case onnx::TensorProto::BOOL:
    return DType::Bool;
  case onnx::TensorProto::DOUBLE:
    return DType::F64;
  default:
    return std::nullopt;
  }
}

bool mlir::npu::onnx_import::isRuntimeDType(DType type) {
  return type != DType::F64;
}

std::string mlir::npu::onnx_import::onnxDTypeName(int onnxType) {
  if (onnx::TensorProto::DataType_IsValid(onnxType))
    return onnx::TensorProto::DataType_Name(
        static_cast<onnx::TensorProto::DataType>(onnxType));
  return "<invalid dtype " + std::to_string(onnxType) + ">";
}

int64_t mlir::npu::onnx_import::dtypeByteSize(DType type) {
  switch (type) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::F16:
  case DType::BF16:
    return 2;
  case DType::I8:
  case DType::Bool:
    return 1;
  case DType::I64:
  case DType::F64:
    return 8;
  }
  return 1;
}

bool mlir::npu::onnx_import::isFloatDType(DType type) {
  return type == DType::F32 || type == DType::F16 || type == DType::BF16 ||
         type == DType::F64;
}

Type mlir::npu::onnx_import::dtypeToMLIR(DType type, MLIRContext *context) {
  switch (type) {
  case DType::F32:
    return Float32Type::get(context);
  case DType::F16:
    return Float16Type::get(context);
  case DType::BF16:
    return BFloat16Type::get(context);
  case DType::I8:
    return IntegerType::get(context, 8);
  case DType::I32:
    return IntegerType::get(context, 32);
  case DType::I64:
    return IntegerType::get(context, 64);
  case DType::Bool:
    return IntegerType::get(context, 1);
  case DType::F64:
    return Float64Type::get(context);
  }
  return Float32Type::get(context);
}

std::optional<DType> mlir::npu::onnx_import::dtypeFromMLIR(Type type) {
  if (type.isF32())
    return DType::F32;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isSignlessInteger(8))
    return DType::I8;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  if (type.isSignlessInteger(1))
    return DType::Bool;
  return std::nullopt;
}

std::optional<int64_t>
mlir::npu::onnx_import::checkedNumElements(llvm::ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0 || llvm::MulOverflow(count, dim, count))
      return std::nullopt;
  }
  return count;
}

//===----------------------------------------------------------------------===//
// ConstTensor
//===----------------------------------------------------------------------===//

ConstTensor ConstTensor::zeros(DType type, llvm::ArrayRef<int64_t> shape) {
  ConstTensor tensor;
  tensor.dtype = type;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.numElements = checkedNumElements(shape).value_or(0);
  auto data = std::make_shared<std::vector<char>>(
      size_t(tensor.numElements * dtypeByteSize(type)), 0);
  tensor.mutableBytes = data->data();
  tensor.bytes = llvm::ArrayRef<char>(data->data(), data->size());
  tensor.storage = std::move(data);
  return tensor;
}

ConstTensor ConstTensor::view(DType type, llvm::ArrayRef<int64_t> shape,
                              llvm::ArrayRef<char> bytes,
                              std::shared_ptr<const void> keepAlive) {
  ConstTensor tensor;
  tensor.dtype = type;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.numElements = checkedNumElements(shape).value_or(0);
  tensor.bytes = bytes;
  tensor.storage = std::move(keepAlive);
  return tensor;
}

template <typename T>
static T loadElement(llvm::ArrayRef<char> bytes, int64_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

template <typename T>
static void storeElement(char *bytes, int64_t index, T value) {
  std::memcpy(bytes + index * sizeof(T), &value, sizeof(T));
}

static double halfToDouble(uint16_t bits, bool isBF16) {
  if (isBF16) {
    uint32_t wide = uint32_t(bits) << 16;
    float value;
    std::memcpy(&value, &wide, sizeof(value));
    return value;
  }
  llvm::APFloat value(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
  return value.convertToFloat();
}

static uint16_t doubleToHalf(double value, bool isBF16) {
  llvm::APFloat converted(value);
  bool losesInfo;
  converted.convert(isBF16 ? llvm::APFloat::BFloat() : llvm::APFloat::IEEEhalf(),
                    llvm::APFloat::rmNearestTiesToEven, &losesInfo);
  return uint16_t(converted.bitcastToAPInt().getZExtValue());
}

double ConstTensor::getDouble(int64_t index) const {
  switch (dtype) {
  case DType::F32:
    return loadElement<float>(bytes, index);
  case DType::F64:
    return loadElement<double>(bytes, index);
  case DType::F16:
  case DType::BF16:
    return halfToDouble(loadElement<uint16_t>(bytes, index),
                        dtype == DType::BF16);
  default:
    return double(getInt(index));
  }
}

int64_t ConstTensor::getInt(int64_t index) const {
  switch (dtype) {
  case DType::I8:
    return loadElement<int8_t>(bytes, index);
  case DType::I32:
    return loadElement<int32_t>(bytes, index);
  case DType::I64:
    return loadElement<int64_t>(bytes, index);
  case DType::Bool:
    return loadElement<uint8_t>(bytes, index) != 0;
  default: {
    double value = getDouble(index);
    // Saturate rather than invoke undefined behaviour on out-of-range floats.
    if (!(value > -9.2e18))
      return value != value ? 0 : INT64_MIN;
    if (value > 9.2e18)
      return INT64_MAX;
    return int64_t(value);
  }
  }
}

void ConstTensor::setInt(int64_t index, int64_t value) {
  switch (dtype) {
  case DType::I8:
    return storeElement<int8_t>(mutableBytes, index, int8_t(value));
  case DType::I32:
    return storeElement<int32_t>(mutableBytes, index, int32_t(value));
  case DType::I64:
    return storeElement<int64_t>(mutableBytes, index, value);
  case DType::Bool:
    return storeElement<uint8_t>(mutableBytes, index, value != 0);
  default:
    return setDouble(index, double(value));
  }
}

void ConstTensor::setDouble(int64_t index, double value) {
  switch (dtype) {
  case DType::F32:
    return storeElement<float>(mutableBytes, index, float(value));
  case DType::F64:
    return storeElement<double>(mutableBytes, index, value);
  case DType::F16:
  case DType::BF16:
    return storeElement<uint16_t>(mutableBytes, index,
                                  doubleToHalf(value, dtype == DType::BF16));
  case DType::Bool:
    return setInt(index, value != 0.0);
  default: {
    int64_t asInt = 0;
    if (value > 9.2e18)
      asInt = INT64_MAX;
    else if (value < -9.2e18)
      asInt = INT64_MIN;
    else if (value == value)
      asInt = int64_t(value);
    return setInt(index, asInt);
  }
  }
}

llvm::SmallVector<int64_t> ConstTensor::toInts() const {
  llvm::SmallVector<int64_t> values;
  values.reserve(numElements);
  for (int64_t i = 0; i < numElements; ++i)
    values.push_back(getInt(i));
  return values;
}

RankedTensorType ConstTensor::getType(MLIRContext *context) const {
  return RankedTensorType::get(shape, dtypeToMLIR(dtype, context));
}

//===----------------------------------------------------------------------===//
// TensorProto decoding
//===----------------------------------------------------------------------===//

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static std::string formatDims(llvm::ArrayRef<int64_t> dims) {
  return "[" +
         llvm::join(llvm::map_range(dims,
                                    [](int64_t d) { return std::to_string(d); }),
                    ", ") +
         "]";
}

/// Resolves `location` against `modelDir` and checks that the result (after
/// following symlinks) stays inside it.
static llvm::Expected<std::string>
resolveExternalPath(llvm::StringRef location, llvm::StringRef modelDir,
                    llvm::StringRef what) {
  if (location.empty())
    return makeError(what + ": external data has an empty 'location'");
  if (llvm::sys::path::is_absolute(location))
    return makeError(what + ": external data location '" + location +
                     "' is an absolute path; it must be relative to the "
                     "model's folder");
  for (llvm::StringRef component : llvm::make_range(
           llvm::sys::path::begin(location), llvm::sys::path::end(location)))
    if (component == "..")
      return makeError(what + ": external data location '" + location +
                       "' leaves the model's folder");
  llvm::SmallString<256> joined(modelDir.empty() ? "." : modelDir);
  llvm::sys::path::append(joined, location);
  llvm::SmallString<256> realDir, realFile;
  if (llvm::sys::fs::real_path(modelDir.empty() ? "." : modelDir, realDir) ||
      llvm::sys::fs::real_path(joined, realFile))
    return makeError(what + ": cannot open external data file '" + joined +
                     "'");
  llvm::StringRef fileRef = realFile;
  if (!fileRef.starts_with(realDir) ||
      fileRef.size() <= realDir.size() ||
      !llvm::sys::path::is_separator(fileRef[realDir.size()]))
    return makeError(what + ": external data location '" + location +
                     "' resolves outside the model's folder");
  return std::string(realFile);
}

/// Reads the bytes of an EXTERNAL tensor.
static llvm::Expected<llvm::ArrayRef<char>>
readExternalData(const onnx::TensorProto &proto, llvm::StringRef what,
                 int64_t expectedBytes, const ExternalDataContext &external) {
  std::string location;
  int64_t offset = 0;
  std::optional<int64_t> length;
  for (const auto &entry : proto.external_data()) {
    const std::string &key = entry.key();
    if (key == "location") {
      location = entry.value();
    } else if (key == "offset" || key == "length") {
      int64_t parsed;
      if (llvm::StringRef(entry.value()).getAsInteger(10, parsed) ||
          parsed < 0)
        return makeError(what + ": external data '" + key + "' is '" +
                         entry.value() + "', not a non-negative integer");
      if (key == "offset")
        offset = parsed;
      else
        length = parsed;
    }
  }
  auto path = resolveExternalPath(location, external.modelDir, what);
  if (!path)
    return path.takeError();
  if (length && *length != expectedBytes)
    return makeError(what + ": external data 'length' is " +
                     llvm::Twine(*length) + " but the dims need " +
                     llvm::Twine(expectedBytes) + " bytes");
  uint64_t fileSize;
  if (llvm::sys::fs::file_size(*path, fileSize))
    return makeError(what + ": cannot stat external data file '" + *path +
                     "'");
  int64_t end;
  if (llvm::AddOverflow(offset, expectedBytes, end) || uint64_t(end) > fileSize)
    return makeError(what + ": external data file '" + location + "' has " +
                     llvm::Twine(fileSize) + " bytes; reading " +
                     llvm::Twine(expectedBytes) + " bytes at offset " +
                     llvm::Twine(offset) + " runs past its end");
  if (expectedBytes == 0)
    return llvm::ArrayRef<char>();
  auto buffer = llvm::MemoryBuffer::getFileSlice(*path, expectedBytes, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return makeError(what + ": cannot read external data file '" + location +
                     "': " + buffer.getError().message());
  std::shared_ptr<llvm::MemoryBuffer> shared = std::move(*buffer);
  llvm::ArrayRef<char> bytes(shared->getBufferStart(), shared->getBufferSize());
  external.buffers->push_back(std::move(shared));
  return bytes;
}

/// Copies a typed repeated field into a freshly owned tensor, checking its
/// length against the dims.
template <typename Field>
static llvm::Expected<ConstTensor>
decodeTypedField(const Field &field, llvm::StringRef fieldName, DType type,
                 llvm::ArrayRef<int64_t> dims, int64_t numElements,
                 llvm::StringRef what) {
  if (int64_t(field.size()) != numElements)
    return makeError(what + ": " + fieldName + " has " +
                     llvm::Twine(int64_t(field.size())) +
                     " values but dims " + formatDims(dims) + " need " +
                     llvm::Twine(numElements));
  ConstTensor tensor = ConstTensor::zeros(type, dims);
  for (int64_t i = 0; i < numElements; ++i) {
    if (type == DType::F16 || type == DType::BF16) {
      // ONNX keeps 16-bit floats as their bit pattern in int32_data.
      auto bits = uint16_t(field.Get(i));
      tensor.setDouble(i, halfToDouble(bits, type == DType::BF16));
    } else if (isFloatDType(type)) {
      tensor.setDouble(i, double(field.Get(i)));
    } else {
      tensor.setInt(i, int64_t(field.Get(i)));
    }
  }
  return tensor;
}

llvm::Expected<ConstTensor> mlir::npu::onnx_import::decodeTensorProto(
    const onnx::TensorProto &proto, llvm::StringRef what,
    const ExternalDataContext &external,
    std::shared_ptr<const void> keepAlive) {
  std::optional<DType> type = dtypeFromONNX(proto.data_type());
  if (!type)
    return makeError(what + ": dtype " + onnxDTypeName(proto.data_type()) +
                     " is not supported");
  if (proto.dims_size() > kMaxRank)
    return makeError(what + ": rank " + llvm::Twine(proto.dims_size()) +
                     " exceeds the maximum of " + llvm::Twine(kMaxRank));
  llvm::SmallVector<int64_t> dims(proto.dims().begin(), proto.dims().end());
  for (auto [index, dim] : llvm::enumerate(dims))
    if (dim < 0)
      return makeError(what + ": dimension " + llvm::Twine(index) + " is " +
                       llvm::Twine(dim) + "; dims must be non-negative");
  std::optional<int64_t> numElements = checkedNumElements(dims);
  int64_t numBytes;
  if (!numElements ||
      llvm::MulOverflow(*numElements, dtypeByteSize(*type), numBytes))
    return makeError(what + ": the size of dims " + formatDims(dims) +
                     " overflows 64 bits");
  if (proto.has_segment())
    return makeError(what + ": segmented tensors are not supported");

  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    if (!external.buffers)
      return makeError(what + ": external data needs the model's path");
    auto bytes = readExternalData(proto, what, numBytes, external);
    if (!bytes)
      return bytes.takeError();
    return ConstTensor::view(*type, dims, *bytes, external.buffers->back());
  }

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (int64_t(raw.size()) != numBytes)
      return makeError(what + ": raw_data has " + llvm::Twine(raw.size()) +
                       " bytes but dims " + formatDims(dims) + " of " +
                       onnxDTypeName(proto.data_type()) + " need " +
                       llvm::Twine(numBytes));
    return ConstTensor::view(*type, dims,
                             llvm::ArrayRef<char>(raw.data(), raw.size()),
                             std::move(keepAlive));
  }

  switch (*type) {
  case DType::F32:
    return decodeTypedField(proto.float_data(), "float_data", *type, dims,
                            *numElements, what);
  case DType::I64:
    return decodeTypedField(proto.int64_data(), "int64_data", *type, dims,
                            *numElements, what);
  case DType::F64:
    return decodeTypedField(proto.double_data(), "double_data", *type, dims,
                            *numElements, what);
  default:
    return decodeTypedField(proto.int32_data(), "int32_data", *type, dims,
                            *numElements, what);
  }
}
