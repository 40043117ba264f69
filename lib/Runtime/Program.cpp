//===- Program.cpp - program tables: sizes and equality -------------------===//
//
// Small helpers on the in-memory program: the overflow-checked size of a
// tensor, decoding an instruction of an encoded stream, and structural
// equality (used by round-trip checks).
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Program.h"

#include "llvm/Support/MathExtras.h"

#include <tuple>

using namespace llvm;
using namespace npurt;

Expected<uint64_t> npurt::tensorBytes(const TensorEntry &tensor,
                                      StringRef what) {
  if (tensor.shape.size() > kMaxRank)
    return createStringError(inconvertibleErrorCode(),
                             what + ": rank " + Twine(tensor.shape.size()) +
                                 " exceeds " + Twine(kMaxRank));
  uint64_t bytes = dtypeSize(tensor.dtype);
  for (uint64_t dim : tensor.shape) {
    bool overflow = false;
    bytes = SaturatingMultiply(bytes, dim, &overflow);
    if (overflow)
      return createStringError(inconvertibleErrorCode(),
                               what + ": size overflows 64 bits");
  }
  return bytes;
}

bool npurt::operator==(const ConstantSegment &a, const ConstantSegment &b) {
  return a.dram_addr == b.dram_addr && a.bytes == b.bytes;
}

bool npurt::operator==(const TensorEntry &a, const TensorEntry &b) {
  return std::tie(a.name, a.kind, a.dtype, a.shape, a.dram_addr) ==
         std::tie(b.name, b.kind, b.dtype, b.shape, b.dram_addr);
}

bool npurt::operator==(const SourceOp &a, const SourceOp &b) {
  return std::tie(a.name, a.kind, a.macs, a.vector_ops, a.min_dram_bytes) ==
         std::tie(b.name, b.kind, b.macs, b.vector_ops, b.min_dram_bytes);
}

Expected<Instruction> Stream::instruction(size_t index) const {
  if (!isEncoded())
    return instructions[index];
  return decode(words(index));
}

bool npurt::operator==(const Stream &a, const Stream &b) {
  if (a.source != b.source || a.size() != b.size())
    return false;
  if (!a.isEncoded() && !b.isEncoded())
    return a.instructions == b.instructions;
  for (size_t i = 0; i < a.size(); ++i) {
    Expected<Instruction> x = a.instruction(i), y = b.instruction(i);
    if (!x || !y || *x != *y) {
      consumeError(x.takeError());
      consumeError(y.takeError());
      return false;
    }
  }
  return true;
}

bool npurt::operator==(const Program &a, const Program &b) {
  return a.target == b.target && a.cores == b.cores &&
         a.constants == b.constants && a.io == b.io && a.state == b.state &&
         a.source_ops == b.source_ops;
}
