//===- NpyFormat.cpp - NumPy .npy reader and writer ------------------------===//
//
// Implements the .npy format (numpy.lib.format): magic "\x93NUMPY", a version
// byte pair, a little-endian header length (u16 in 1.0, u32 in 2.0/3.0) and
// a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': ...},
// followed by the raw C-order data. The dict is parsed with a small strict
// parser rather than pattern matching so that any malformed header is an
// error naming what is wrong.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/TensorIO.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>

using namespace llvm;

namespace npurt {
namespace {

constexpr char kNpyMagic[] = "\x93NUMPY";
constexpr size_t kNpyMagicSize = 6;
/// numpy refuses headers above this size (it guards against attacks); so do we.
constexpr uint64_t kMaxNpyHeaderBytes = 1 << 20;

/// The three entries of a .npy header dict.
struct NpyHeader {
  std::optional<std::string> descr;
  std::optional<bool> fortranOrder;
  std::optional<std::vector<int64_t>> shape;
};

/// Strict parser for the Python literal subset numpy writes: a dict with
/// string keys whose values are strings, True/False or tuples of ints.
class NpyHeaderParser {
public:
  NpyHeaderParser(StringRef text, StringRef what) : text(text), what(what) {}

  Expected<NpyHeader> parse() {
    NpyHeader header;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{' at the start of the header dict");
    skipSpace();
    while (!consume('}')) {
      Expected<std::string> key = parseString();
      if (!key)
        return key.takeError();
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + *key + "'");
      skipSpace();
      if (*key == "descr") {
        Expected<std::string> value = parseString();
        if (!value)
          return value.takeError();
        header.descr = *value;
      } else if (*key == "fortran_order") {
        if (text.consume_front("True"))
          header.fortranOrder = true;
        else if (text.consume_front("False"))
          header.fortranOrder = false;
        else
          return fail("'fortran_order' must be True or False");
      } else if (*key == "shape") {
        Expected<std::vector<int64_t>> value = parseShape();
        if (!value)
          return value.takeError();
        header.shape = std::move(*value);
      } else {
        return fail("unexpected key '" + *key + "' in the header dict");
      }
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      skipSpace();
      if (!consume('}'))
        return fail("expected ',' or '}' in the header dict");
      break;
    }
    skipSpace();
    if (!text.empty())
      return fail("unexpected text after the header dict");
    if (!header.descr || !header.fortranOrder || !header.shape)
      return fail("header dict must have 'descr', 'fortran_order' and "
                  "'shape'");
    return header;
  }

private:
  Error fail(const Twine &message) {
    return createStringError((what + ": malformed .npy header: " + message)
                                 .str());
  }
  bool consume(char c) { return text.consume_front(StringRef(&c, 1)); }
  void skipSpace() { text = text.ltrim(" \t\n\r"); }

  Expected<std::string> parseString() {
    if (text.empty() || (text.front() != '\'' && text.front() != '"'))
      return fail("expected a quoted string");
    char quote = text.front();
    size_t end = text.find(quote, 1);
    if (end == StringRef::npos)
      return fail("unterminated string");
    std::string value = text.substr(1, end - 1).str();
    text = text.drop_front(end + 1);
    return value;
  }

  Expected<std::vector<int64_t>> parseShape() {
    std::vector<int64_t> shape;
    if (!consume('('))
      return fail("'shape' must be a tuple");
    skipSpace();
    while (!consume(')')) {
      size_t digits = 0;
      while (digits < text.size() && isDigit(text[digits]))
        ++digits;
      if (digits == 0)
        return fail("'shape' entries must be non-negative integers");
      uint64_t dim;
      if (text.substr(0, digits).getAsInteger(10, dim) ||
          dim > static_cast<uint64_t>(INT64_MAX))
        return fail("'shape' entry " + text.substr(0, digits) +
                    " is too large");
      shape.push_back(static_cast<int64_t>(dim));
      if (shape.size() > kMaxHostTensorRank)
        return fail("rank exceeds the maximum rank " +
                    Twine(kMaxHostTensorRank));
      text = text.drop_front(digits);
      skipSpace();
      if (consume(',')) {
        skipSpace();
        continue;
      }
      if (!consume(')'))
        return fail("expected ',' or ')' in 'shape'");
      break;
    }
    return shape;
  }

  StringRef text;
  StringRef what;
};

/// Maps a numpy descr to a dtype. '<' is little-endian, '|' "not
/// applicable" (1-byte types) and '=' native, which is little-endian on every
/// host this runs on.
Expected<HostDType> dtypeFromDescr(StringRef descr, StringRef what) {
  if (descr.size() >= 2 && descr[0] == '>' && descr.substr(1) != "i1" &&
      descr.substr(1) != "u1" && descr.substr(1) != "b1")
    return createStringError(
        formatv("{0}: big-endian dtype '{1}' is not supported (save the "
                "array little-endian)",
                what, descr)
            .str());
  if (descr.size() >= 2 && (descr[0] == '<' || descr[0] == '|' ||
                            descr[0] == '=' || descr[0] == '>')) {
    StringRef code = descr.substr(1);
    if (code == "f4")
      return HostDType::F32;
    if (code == "f2")
      return HostDType::F16;
    if (code == "i1")
      return HostDType::I8;
    if (code == "i4")
      return HostDType::I32;
    if (code == "i8")
      return HostDType::I64;
    if (code == "b1")
      return HostDType::Bool;
    if (code == "u1")
      return HostDType::U8;
  }
  return createStringError(
      formatv("{0}: unsupported .npy dtype '{1}' (supported: <f4 <f2 |i1 <i4 "
              "<i8 |b1 |u1)",
              what, descr)
          .str());
}

StringRef descrFor(HostDType dtype) {
  switch (dtype) {
  case HostDType::F32:
    return "<f4";
  case HostDType::F16:
    return "<f2";
  case HostDType::I8:
    return "|i1";
  case HostDType::I32:
    return "<i4";
  case HostDType::I64:
    return "<i8";
  case HostDType::Bool:
    return "|b1";
  case HostDType::U8:
    return "|u1";
  case HostDType::BF16:
    return "";
  }
  return "";
}

} // namespace

Expected<HostTensor> parseNpy(ArrayRef<uint8_t> bytes, StringRef what) {
  auto fail = [&](const Twine &message) -> Error {
    return createStringError((what + ": " + message).str());
  };
  if (bytes.size() < kNpyMagicSize + 2 ||
      std::memcmp(bytes.data(), kNpyMagic, kNpyMagicSize) != 0)
    return fail("not a .npy file (missing the \\x93NUMPY magic)");
  uint8_t major = bytes[6], minor = bytes[7];
  if (major < 1 || major > 3 || minor != 0)
    return fail(formatv("unsupported .npy format version {0}.{1}", major,
                        minor));
  size_t lengthSize = major == 1 ? 2 : 4;
  size_t prefixSize = kNpyMagicSize + 2 + lengthSize;
  if (bytes.size() < prefixSize)
    return fail("truncated .npy header length");
  uint64_t headerLength =
      major == 1 ? support::endian::read16le(bytes.data() + 8)
                 : support::endian::read32le(bytes.data() + 8);
  if (headerLength > kMaxNpyHeaderBytes)
    return fail(formatv(".npy header length {0} exceeds the limit of {1} "
                        "bytes",
                        headerLength, kMaxNpyHeaderBytes));
  if (headerLength > bytes.size() - prefixSize)
    return fail(formatv(".npy header length {0} runs past the end of the "
                        "file ({1} bytes)",
                        headerLength, bytes.size()));
  StringRef headerText(reinterpret_cast<const char *>(bytes.data()) +
                           prefixSize,
                       headerLength);
  if (major < 3 && !all_of(headerText, [](char c) {
        return static_cast<unsigned char>(c) < 0x80;
      }))
    return fail(".npy header of a version 1/2 file must be ASCII");

  Expected<NpyHeader> header = NpyHeaderParser(headerText, what).parse();
  if (!header)
    return header.takeError();
  if (*header->fortranOrder)
    return fail("fortran_order=True arrays are not supported (save a "
                "C-contiguous array)");
  Expected<HostDType> dtype = dtypeFromDescr(*header->descr, what);
  if (!dtype)
    return dtype.takeError();

  HostTensor tensor;
  tensor.dtype = *dtype;
  tensor.shape = std::move(*header->shape);
  Expected<uint64_t> dataBytes =
      checkedTensorBytes(tensor.shape, tensor.dtype, what);
  if (!dataBytes)
    return dataBytes.takeError();
  uint64_t available = bytes.size() - prefixSize - headerLength;
  if (available != *dataBytes)
    return fail(formatv("data size mismatch: shape {0} of {1} needs {2} "
                        "bytes but the file holds {3}",
                        tensor.shapeString(), hostDTypeName(tensor.dtype),
                        *dataBytes, available));
  const uint8_t *data = bytes.data() + prefixSize + headerLength;
  tensor.data.assign(data, data + *dataBytes);
  return tensor;
}

Expected<std::vector<uint8_t>> serializeNpy(const HostTensor &tensor) {
  if (tensor.dtype == HostDType::BF16)
    return createStringError("bf16 tensors have no .npy dtype; convert them "
                             "to f32 first");
  Expected<uint64_t> dataBytes =
      checkedTensorBytes(tensor.shape, tensor.dtype, "tensor");
  if (!dataBytes)
    return dataBytes.takeError();
  if (*dataBytes != tensor.data.size())
    return createStringError(
        formatv("tensor data holds {0} bytes but shape {1} needs {2}",
                tensor.data.size(), tensor.shapeString(), *dataBytes)
            .str());

  std::string dict = "{'descr': '" + descrFor(tensor.dtype).str() +
                     "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    if (i)
      dict += ", ";
    dict += std::to_string(tensor.shape[i]);
  }
  if (tensor.shape.size() == 1)
    dict += ',';
  dict += "), }";
  // Like numpy: pad with spaces and a final newline so the data starts on a
  // 64-byte boundary; fall back to version 2.0 for huge headers.
  size_t lengthSize = 2;
  uint8_t major = 1;
  auto paddedLength = [&](size_t prefix) {
    size_t unpadded = prefix + dict.size() + 1;
    return dict.size() + 1 + (64 - unpadded % 64) % 64;
  };
  size_t headerLength = paddedLength(kNpyMagicSize + 2 + lengthSize);
  if (headerLength > 0xFFFF) {
    lengthSize = 4;
    major = 2;
    headerLength = paddedLength(kNpyMagicSize + 2 + lengthSize);
  }
  dict.append(headerLength - dict.size() - 1, ' ');
  dict += '\n';

  std::vector<uint8_t> bytes;
  bytes.reserve(kNpyMagicSize + 2 + lengthSize + headerLength + *dataBytes);
  bytes.insert(bytes.end(), kNpyMagic, kNpyMagic + kNpyMagicSize);
  bytes.push_back(major);
  bytes.push_back(0);
  for (size_t i = 0; i < lengthSize; ++i)
    bytes.push_back(static_cast<uint8_t>(headerLength >> (8 * i)));
  bytes.insert(bytes.end(), dict.begin(), dict.end());
  bytes.insert(bytes.end(), tensor.data.begin(), tensor.data.end());
  return bytes;
}

} // namespace npurt
