//===- TensorProtoFormat.cpp - ONNX TensorProto .pb reader and writer -----===//
//
// Reads and writes serialized onnx.TensorProto messages (the input_N.pb /
// output_N.pb files of the ONNX backend test data) through Debian's ONNX
// protobuf library. Data may be in raw_data (little-endian bytes) or in the
// typed repeated fields; both are validated against the dims.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/TensorIO.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include "onnx/onnx_pb.h"

#include <climits>
#include <cstring>

using namespace llvm;

namespace npurt {
namespace {

std::optional<HostDType> dtypeFromOnnx(int32_t dataType) {
  switch (dataType) {
  case onnx::TensorProto_DataType_FLOAT:
    return HostDType::F32;
  case onnx::TensorProto_DataType_FLOAT16:
    return HostDType::F16;
  case onnx::TensorProto_DataType_BFLOAT16:
    return HostDType::BF16;
  case onnx::TensorProto_DataType_INT8:
    return HostDType::I8;
  case onnx::TensorProto_DataType_INT32:
    return HostDType::I32;
  case onnx::TensorProto_DataType_INT64:
    return HostDType::I64;
  case onnx::TensorProto_DataType_BOOL:
    return HostDType::Bool;
  case onnx::TensorProto_DataType_UINT8:
    return HostDType::U8;
  default:
    return std::nullopt;
  }
}

onnx::TensorProto_DataType onnxFromDtype(HostDType dtype) {
  switch (dtype) {
  case HostDType::F32:
    return onnx::TensorProto_DataType_FLOAT;
  case HostDType::F16:
    return onnx::TensorProto_DataType_FLOAT16;
  case HostDType::BF16:
    return onnx::TensorProto_DataType_BFLOAT16;
  case HostDType::I8:
    return onnx::TensorProto_DataType_INT8;
  case HostDType::I32:
    return onnx::TensorProto_DataType_INT32;
  case HostDType::I64:
    return onnx::TensorProto_DataType_INT64;
  case HostDType::Bool:
    return onnx::TensorProto_DataType_BOOL;
  case HostDType::U8:
    return onnx::TensorProto_DataType_UINT8;
  }
  return onnx::TensorProto_DataType_UNDEFINED;
}

/// Stores the low hostDTypeSize(dtype) bytes of each int32_data entry, which
/// is how ONNX keeps int8/uint8/bool/float16/bfloat16 in the typed field.
void packInt32Field(const google::protobuf::RepeatedField<int32_t> &values,
                    unsigned elementSize, uint8_t *out) {
  for (int i = 0; i < values.size(); ++i) {
    uint32_t value = static_cast<uint32_t>(values.Get(i));
    for (unsigned b = 0; b < elementSize; ++b)
      out[i * elementSize + b] = static_cast<uint8_t>(value >> (8 * b));
  }
}

} // namespace

Expected<HostTensor> parseTensorProto(ArrayRef<uint8_t> bytes,
                                      StringRef what) {
  auto fail = [&](const Twine &message) -> Error {
    return createStringError((what + ": " + message).str());
  };
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    return fail("TensorProto file is larger than 2 GiB");
  onnx::TensorProto proto;
  if (!proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return fail("not a valid ONNX TensorProto (protobuf parse failed)");
  if (proto.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    return fail("TensorProto with external data is not supported");
  if (proto.has_segment())
    return fail("segmented TensorProto is not supported");
  std::optional<HostDType> dtype = dtypeFromOnnx(proto.data_type());
  if (!dtype)
    return fail(formatv("unsupported TensorProto data_type {0} (supported: "
                        "FLOAT, FLOAT16, BFLOAT16, INT8, INT32, INT64, BOOL, "
                        "UINT8)",
                        proto.data_type()));

  HostTensor tensor;
  tensor.dtype = *dtype;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  Expected<uint64_t> dataBytes = checkedTensorBytes(tensor.shape, *dtype, what);
  if (!dataBytes)
    return dataBytes.takeError();
  uint64_t count = tensor.numElements();
  unsigned elementSize = hostDTypeSize(*dtype);

  if (proto.has_raw_data()) {
    const std::string &raw = proto.raw_data();
    if (raw.size() != *dataBytes)
      return fail(formatv("raw_data holds {0} bytes but dims {1} of {2} need "
                          "{3}",
                          raw.size(), tensor.shapeString(),
                          hostDTypeName(*dtype), *dataBytes));
    tensor.data.assign(raw.begin(), raw.end());
    return tensor;
  }

  // The typed field must hold exactly one value per element. Check that
  // before allocating: the dims alone may claim terabytes.
  int64_t fieldCount = 0;
  StringRef field;
  switch (*dtype) {
  case HostDType::F32:
    fieldCount = proto.float_data_size();
    field = "float_data";
    break;
  case HostDType::I64:
    fieldCount = proto.int64_data_size();
    field = "int64_data";
    break;
  default:
    fieldCount = proto.int32_data_size();
    field = "int32_data";
    break;
  }
  if (static_cast<uint64_t>(fieldCount) != count)
    return fail(formatv("{0} holds {1} values but dims {2} need {3}", field,
                        fieldCount, tensor.shapeString(), count));
  tensor.data.resize(*dataBytes);
  if (count == 0)
    return tensor;
  switch (*dtype) {
  case HostDType::F32:
    std::memcpy(tensor.data.data(), proto.float_data().data(), *dataBytes);
    break;
  case HostDType::I64:
    std::memcpy(tensor.data.data(), proto.int64_data().data(), *dataBytes);
    break;
  default:
    packInt32Field(proto.int32_data(), elementSize, tensor.data.data());
    break;
  }
  return tensor;
}

Expected<std::vector<uint8_t>> serializeTensorProto(const HostTensor &tensor,
                                                    StringRef name) {
  Expected<uint64_t> dataBytes =
      checkedTensorBytes(tensor.shape, tensor.dtype, "tensor");
  if (!dataBytes)
    return dataBytes.takeError();
  if (*dataBytes != tensor.data.size())
    return createStringError(
        formatv("tensor data holds {0} bytes but shape {1} needs {2}",
                tensor.data.size(), tensor.shapeString(), *dataBytes)
            .str());
  if (*dataBytes > static_cast<uint64_t>(INT_MAX) - 4096)
    return createStringError("tensor too large for a TensorProto (2 GiB "
                             "protobuf limit)");
  onnx::TensorProto proto;
  proto.set_name(name.str());
  proto.set_data_type(onnxFromDtype(tensor.dtype));
  for (int64_t dim : tensor.shape)
    proto.add_dims(dim);
  proto.set_raw_data(tensor.data.data(), tensor.data.size());
  std::string serialized;
  if (!proto.SerializeToString(&serialized))
    return createStringError("failed to serialize the TensorProto");
  return std::vector<uint8_t>(serialized.begin(), serialized.end());
}

} // namespace npurt
