//===- TensorIOTest.cpp - .npy and ONNX TensorProto readers/writers -------===//
//
// Round trips and every rejection path of the tensor file readers.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/TensorIO.h"

#include "gtest/gtest.h"

#include "onnx/onnx_pb.h"

#include <cstring>
#include <string>

using namespace npurt;
using namespace llvm;

namespace {

/// Fails the test with the error text when an Expected holds an error.
#define ASSERT_OK(expected)                                                    \
  ASSERT_TRUE(static_cast<bool>(expected))                                     \
      << llvm::toString((expected).takeError())

std::vector<uint8_t> npyBytes(StringRef header, uint8_t major = 1,
                              size_t dataBytes = 0) {
  std::vector<uint8_t> bytes = {0x93, 'N', 'U', 'M', 'P', 'Y', major, 0};
  size_t length = header.size();
  bytes.push_back(length & 0xFF);
  bytes.push_back((length >> 8) & 0xFF);
  if (major > 1) {
    bytes.push_back((length >> 16) & 0xFF);
    bytes.push_back((length >> 24) & 0xFF);
  }
  bytes.insert(bytes.end(), header.begin(), header.end());
  bytes.resize(bytes.size() + dataBytes, 0);
  return bytes;
}

std::string errorText(Expected<HostTensor> result) {
  if (result)
    return "<no error>";
  return toString(result.takeError());
}

TEST(Npy, RoundTripsEveryDtype) {
  for (HostDType dtype : {HostDType::F32, HostDType::F16, HostDType::I8,
                          HostDType::I32, HostDType::I64, HostDType::Bool,
                          HostDType::U8}) {
    HostTensor tensor;
    tensor.dtype = dtype;
    tensor.shape = {2, 3};
    tensor.data.resize(6 * hostDTypeSize(dtype));
    for (size_t i = 0; i < tensor.data.size(); ++i)
      tensor.data[i] = static_cast<uint8_t>(i * 7 + 1);
    Expected<std::vector<uint8_t>> bytes = serializeNpy(tensor);
    ASSERT_OK(bytes);
    // numpy aligns the data to 64 bytes.
    EXPECT_EQ((bytes->size() - tensor.data.size()) % 64, 0u);
    Expected<HostTensor> back = parseNpy(*bytes, "t.npy");
    ASSERT_OK(back);
    EXPECT_EQ(back->dtype, dtype);
    EXPECT_EQ(back->shape, tensor.shape);
    EXPECT_EQ(back->data, tensor.data);
  }
}

TEST(Npy, ScalarAndOneDimensionalShapes) {
  HostTensor scalar;
  scalar.shape = {};
  scalar.data.resize(4);
  Expected<std::vector<uint8_t>> bytes = serializeNpy(scalar);
  ASSERT_OK(bytes);
  std::string text(bytes->begin(), bytes->end());
  EXPECT_NE(text.find("'shape': ()"), std::string::npos);
  HostTensor vector;
  vector.shape = {5};
  vector.data.resize(20);
  bytes = serializeNpy(vector);
  ASSERT_OK(bytes);
  text.assign(bytes->begin(), bytes->end());
  EXPECT_NE(text.find("'shape': (5,)"), std::string::npos);
}

TEST(Npy, ReadsVersion2And3Headers) {
  std::string header =
      "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }\n";
  for (uint8_t major : {2, 3}) {
    Expected<HostTensor> tensor =
        parseNpy(npyBytes(header, major, 8), "v.npy");
    ASSERT_OK(tensor);
    EXPECT_EQ(tensor->dtype, HostDType::I32);
    EXPECT_EQ(tensor->shape, std::vector<int64_t>{2});
  }
}

TEST(Npy, AcceptsKeysInAnyOrderAndDoubleQuotes) {
  std::string header =
      "{\"shape\": (1, 2), \"fortran_order\": False, \"descr\": \"|u1\"}";
  Expected<HostTensor> tensor = parseNpy(npyBytes(header, 1, 2), "q.npy");
  ASSERT_OK(tensor);
  EXPECT_EQ(tensor->dtype, HostDType::U8);
}

TEST(Npy, RejectsMalformedFiles) {
  std::string good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, "
                     "3), }\n";
  EXPECT_NE(errorText(parseNpy(ArrayRef<uint8_t>(), "e.npy")).find(
                "missing the \\x93NUMPY magic"),
            std::string::npos);
  std::vector<uint8_t> wrongVersion = npyBytes(good, 1, 24);
  wrongVersion[6] = 4;
  EXPECT_NE(errorText(parseNpy(wrongVersion, "x.npy"))
                .find("unsupported .npy format version 4.0"),
            std::string::npos);
  std::vector<uint8_t> longHeader = npyBytes(good, 1, 0);
  longHeader[8] = 0xFF;
  longHeader[9] = 0xFF;
  EXPECT_NE(errorText(parseNpy(longHeader, "x.npy"))
                .find("runs past the end of the file"),
            std::string::npos);
  EXPECT_NE(errorText(parseNpy(npyBytes(good, 1, 23), "x.npy"))
                .find("needs 24 bytes but the file holds 23"),
            std::string::npos);
  EXPECT_NE(errorText(parseNpy(npyBytes(good, 1, 25), "x.npy"))
                .find("needs 24 bytes but the file holds 25"),
            std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': True, "
                                  "'shape': (2,), }",
                                  1, 8),
                         "x.npy"))
          .find("fortran_order=True arrays are not supported"),
      std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, "
                                  "'shape': (2,), }",
                                  1, 16),
                         "x.npy"))
          .find("unsupported .npy dtype '<f8'"),
      std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '>f4', 'fortran_order': False, "
                                  "'shape': (2,), }",
                                  1, 8),
                         "x.npy"))
          .find("big-endian dtype '>f4'"),
      std::string::npos);
  EXPECT_NE(errorText(parseNpy(npyBytes("{'descr': '<f4', 'shape': (2,), }",
                                        1, 8),
                               "x.npy"))
                .find("must have 'descr', 'fortran_order' and 'shape'"),
            std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (-2,), }",
                                  1, 8),
                         "x.npy"))
          .find("'shape' entries must be non-negative integers"),
      std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (4294967296, 4294967296, 16), }",
                                  1, 0),
                         "x.npy"))
          .find("tensor size overflows"),
      std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (1,1,1,1,1,1,1,1,1), }",
                                  1, 4),
                         "x.npy"))
          .find("rank exceeds the maximum rank 8"),
      std::string::npos);
  EXPECT_NE(
      errorText(parseNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, "
                                  "'shape': (2,), 'extra': 1}",
                                  1, 8),
                         "x.npy"))
          .find("unexpected key 'extra'"),
      std::string::npos);
  EXPECT_NE(errorText(parseNpy(npyBytes("{'descr': '<f4'", 1, 0), "x.npy"))
                .find("expected ',' or '}'"),
            std::string::npos);
}

TEST(TensorProto, RoundTripsRawData) {
  HostTensor tensor;
  tensor.dtype = HostDType::BF16;
  tensor.shape = {3, 1};
  tensor.data = {1, 2, 3, 4, 5, 6};
  Expected<std::vector<uint8_t>> bytes = serializeTensorProto(tensor, "x");
  ASSERT_OK(bytes);
  Expected<HostTensor> back = parseTensorProto(*bytes, "x.pb");
  ASSERT_OK(back);
  EXPECT_EQ(back->dtype, HostDType::BF16);
  EXPECT_EQ(back->shape, tensor.shape);
  EXPECT_EQ(back->data, tensor.data);
}

TEST(TensorProto, ReadsTypedFields) {
  onnx::TensorProto proto;
  proto.set_data_type(onnx::TensorProto_DataType_FLOAT);
  proto.add_dims(2);
  proto.add_float_data(1.5f);
  proto.add_float_data(-2.0f);
  std::string text = proto.SerializeAsString();
  Expected<HostTensor> tensor = parseTensorProto(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()),
                        text.size()),
      "f.pb");
  ASSERT_OK(tensor);
  float values[2];
  std::memcpy(values, tensor->data.data(), 8);
  EXPECT_EQ(values[1], -2.0f);

  onnx::TensorProto int8Proto;
  int8Proto.set_data_type(onnx::TensorProto_DataType_INT8);
  int8Proto.add_dims(2);
  int8Proto.add_int32_data(-5);
  int8Proto.add_int32_data(100);
  text = int8Proto.SerializeAsString();
  tensor = parseTensorProto(
      ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()),
                        text.size()),
      "i.pb");
  ASSERT_OK(tensor);
  EXPECT_EQ(static_cast<int8_t>(tensor->data[0]), -5);
  EXPECT_EQ(tensor->data[1], 100);
}

TEST(TensorProto, RejectsBadMessages) {
  auto parseProto = [](const onnx::TensorProto &proto) {
    std::string text = proto.SerializeAsString();
    return errorText(parseTensorProto(
        ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(text.data()),
                          text.size()),
        "b.pb"));
  };
  onnx::TensorProto wrongCount;
  wrongCount.set_data_type(onnx::TensorProto_DataType_FLOAT);
  wrongCount.add_dims(3);
  wrongCount.add_float_data(1);
  EXPECT_NE(parseProto(wrongCount).find("float_data holds 1 values but dims "
                                        "3 need 3"),
            std::string::npos);
  onnx::TensorProto wrongRaw;
  wrongRaw.set_data_type(onnx::TensorProto_DataType_INT32);
  wrongRaw.add_dims(2);
  wrongRaw.set_raw_data(std::string(7, '\0'));
  EXPECT_NE(parseProto(wrongRaw).find("raw_data holds 7 bytes"),
            std::string::npos);
  onnx::TensorProto doubles;
  doubles.set_data_type(onnx::TensorProto_DataType_DOUBLE);
  EXPECT_NE(parseProto(doubles).find("unsupported TensorProto data_type 11"),
            std::string::npos);
  onnx::TensorProto external;
  external.set_data_type(onnx::TensorProto_DataType_FLOAT);
  external.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  EXPECT_NE(parseProto(external).find("external data"), std::string::npos);
  onnx::TensorProto negative;
  negative.set_data_type(onnx::TensorProto_DataType_FLOAT);
  negative.add_dims(-1);
  EXPECT_NE(parseProto(negative).find("negative dimension -1"),
            std::string::npos);
  std::vector<uint8_t> garbage = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_NE(errorText(parseTensorProto(garbage, "g.pb"))
                .find("not a valid ONNX TensorProto"),
            std::string::npos);
}

} // namespace
