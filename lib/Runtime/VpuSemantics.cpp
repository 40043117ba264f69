//===- VpuSemantics.cpp - functional model of the VPU instructions --------===//
//
// Every VPU instruction iterates over a [rows x cols] space. A row of each
// source is read completely (widened to fp32, or to double where integers
// are involved) before the destination row is written, so an in-place
// operation (dst == src) behaves as expected. Arithmetic is IEEE fp32 on the
// host; transcendental functions use the host libm's float functions. A bf16
// destination is rounded to nearest even. Instructions whose sources are
// i32 run in integer mode: two's-complement int32 arithmetic that wraps.
// docs/isa.md "Numerics" is the prose version of this file.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Executor.h"

#include "npu/Runtime/Numerics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

static_assert(-1 >> 1 == -1 && static_cast<int32_t>(0xFFFFFFFFu) == -1,
              "integer mode assumes two's-complement int32");

using namespace npurt;

namespace {

/// Reads element `index` of an operand as double (exact for every dtype).
double readElement(const uint8_t *base, DType dtype, uint64_t index) {
  switch (dtype) {
  case DType::F32: {
    float value;
    std::memcpy(&value, base + index * 4, 4);
    return value;
  }
  case DType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, base + index * 2, 2);
    return bf16BitsToFloat(bits);
  }
  case DType::I8:
    return static_cast<int8_t>(base[index]);
  case DType::I32: {
    int32_t value;
    std::memcpy(&value, base + index * 4, 4);
    return value;
  }
  }
  return 0;
}

/// Writes a float element of a float operand (bf16: round to nearest even).
void writeFloat(uint8_t *base, DType dtype, uint64_t index, float value) {
  if (dtype == DType::BF16) {
    uint16_t bits = floatToBF16Bits(value);
    std::memcpy(base + index * 2, &bits, 2);
  } else {
    std::memcpy(base + index * 4, &value, 4);
  }
}

/// IEEE maximum/minimum: NaN if either operand is NaN.
float nanMax(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return a > b ? a : b;
}
float nanMin(float a, float b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<float>::quiet_NaN();
  return a < b ? a : b;
}

/// numpy.mod: the remainder with the sign of the divisor.
float flooredMod(float a, float b) {
  float r = std::fmod(a, b);
  if (r != 0.0f && ((r < 0.0f) != (b < 0.0f)))
    r += b;
  return r == 0.0f ? std::copysign(0.0f, b) : r;
}

inline float applyBinary(VpuFunc func, float a, float b) {
  switch (func) {
  case VpuFunc::Add:
    return a + b;
  case VpuFunc::Sub:
    return a - b;
  case VpuFunc::Mul:
    return a * b;
  case VpuFunc::Div:
    return a / b;
  case VpuFunc::Max:
    return nanMax(a, b);
  case VpuFunc::Min:
    return nanMin(a, b);
  case VpuFunc::Pow:
    return std::pow(a, b);
  case VpuFunc::CmpLt:
    return a < b ? 1.0f : 0.0f;
  case VpuFunc::CmpLe:
    return a <= b ? 1.0f : 0.0f;
  case VpuFunc::CmpEq:
    return a == b ? 1.0f : 0.0f;
  case VpuFunc::CmpNe:
    return a != b ? 1.0f : 0.0f;
  case VpuFunc::Mod:
    return flooredMod(a, b);
  case VpuFunc::FMod:
    return std::fmod(a, b);
  default:
    return 0.0f;
  }
}

/// `x` rounded to an integral value by the rounding function `func` (Floor,
/// Ceil, RoundEven, Trunc), independent of the host's rounding mode.
double roundBy(VpuFunc func, double x) {
  if (!std::isfinite(x))
    return x;
  switch (func) {
  case VpuFunc::Floor:
    return std::floor(x);
  case VpuFunc::Ceil:
    return std::ceil(x);
  case VpuFunc::RoundEven:
    return roundHalfToEven(x);
  default:
    return std::trunc(x);
  }
}

/// The activation / unary function `func` with immediates imm0, imm1
/// (shared by VPU_UNARY and VPU_EPILOGUE).
inline float applyUnary(VpuFunc func, float x, float imm0, float imm1) {
  switch (func) {
  case VpuFunc::None:
  case VpuFunc::Copy:
    return x;
  case VpuFunc::Relu:
    return x < 0.0f ? 0.0f : x;
  case VpuFunc::LeakyRelu:
    return x < 0.0f ? imm0 * x : x;
  case VpuFunc::Exp:
    return std::exp(x);
  case VpuFunc::Log:
    return std::log(x);
  case VpuFunc::Tanh:
    return std::tanh(x);
  case VpuFunc::Sigmoid:
    return 1.0f / (1.0f + std::exp(-x));
  case VpuFunc::Erf:
    return std::erf(x);
  case VpuFunc::Sqrt:
    return std::sqrt(x);
  case VpuFunc::Rsqrt:
    return 1.0f / std::sqrt(x);
  case VpuFunc::Recip:
    return 1.0f / x;
  case VpuFunc::Neg:
    return -x;
  case VpuFunc::Abs:
    return std::fabs(x);
  case VpuFunc::Gelu:
    return 0.5f * x * (1.0f + std::erf(x * 0.70710678118654752f));
  case VpuFunc::GeluTanh: {
    float inner = 0.79788456080286536f * (x + 0.044715f * x * x * x);
    return 0.5f * x * (1.0f + std::tanh(inner));
  }
  case VpuFunc::Clip:
    // NaN stays NaN (both comparisons are false).
    return x < imm0 ? imm0 : (x > imm1 ? imm1 : x);
  case VpuFunc::Square:
    return x * x;
  case VpuFunc::Floor:
  case VpuFunc::Ceil:
  case VpuFunc::RoundEven:
  case VpuFunc::Trunc:
    // Exact: every integral double this produces from a float is a float.
    return static_cast<float>(roundBy(func, x));
  case VpuFunc::Sign:
    return x > 0.0f ? 1.0f : (x < 0.0f ? -1.0f : x);
  case VpuFunc::Sin:
    return std::sin(x);
  case VpuFunc::Cos:
    return std::cos(x);
  case VpuFunc::Tan:
    return std::tan(x);
  case VpuFunc::Asin:
    return std::asin(x);
  case VpuFunc::Acos:
    return std::acos(x);
  case VpuFunc::Atan:
    return std::atan(x);
  case VpuFunc::HashUniform: {
    uint32_t bits, key;
    std::memcpy(&bits, &x, 4);
    std::memcpy(&key, &imm0, 4);
    return hashUniform(bits, key);
  }
  default:
    return x;
  }
}

//===----------------------------------------------------------------------===//
// Integer mode
//===----------------------------------------------------------------------===//

/// The low 32 bits of `value` as int32 (two's-complement wrap-around).
int32_t wrapI32(int64_t value) {
  return static_cast<int32_t>(static_cast<uint32_t>(value));
}

/// a^b in int32 with wrap-around; a negative exponent gives the truncated
/// 1 / a^|b| (0 unless a is 1 or -1; 0 for a = 0 like a division by zero).
int32_t intPow(int32_t a, int32_t b) {
  if (b < 0) {
    if (a == 1)
      return 1;
    if (a == -1)
      return (b & 1) ? -1 : 1;
    return 0;
  }
  uint32_t result = 1, base = static_cast<uint32_t>(a);
  for (uint32_t e = static_cast<uint32_t>(b); e; e >>= 1) {
    if (e & 1)
      result *= base;
    base *= base;
  }
  return static_cast<int32_t>(result);
}

int32_t applyIntBinary(VpuFunc func, int32_t a, int32_t b) {
  switch (func) {
  case VpuFunc::Add:
    return wrapI32(int64_t(a) + b);
  case VpuFunc::Sub:
    return wrapI32(int64_t(a) - b);
  case VpuFunc::Mul:
    return wrapI32(int64_t(a) * b);
  case VpuFunc::Div:
    // Truncates toward zero; x / 0 = 0 and INT32_MIN / -1 wraps.
    if (b == 0)
      return 0;
    return b == -1 ? wrapI32(-int64_t(a)) : a / b;
  case VpuFunc::Max:
    return a > b ? a : b;
  case VpuFunc::Min:
    return a < b ? a : b;
  case VpuFunc::Pow:
    return intPow(a, b);
  case VpuFunc::CmpLt:
    return a < b;
  case VpuFunc::CmpLe:
    return a <= b;
  case VpuFunc::CmpEq:
    return a == b;
  case VpuFunc::CmpNe:
    return a != b;
  case VpuFunc::Mod: {
    // Sign of the divisor (numpy.mod); x mod 0 = 0.
    if (b == 0 || b == -1)
      return 0;
    int32_t r = a % b;
    return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
  }
  case VpuFunc::FMod:
    // Sign of the dividend (C's %); x fmod 0 = 0.
    if (b == 0 || b == -1)
      return 0;
    return a % b;
  default:
    return 0;
  }
}

int32_t applyIntUnary(VpuFunc func, int32_t x, int32_t imm0, int32_t imm1) {
  switch (func) {
  case VpuFunc::Relu:
    return x < 0 ? 0 : x;
  case VpuFunc::Neg:
    return wrapI32(-int64_t(x));
  case VpuFunc::Abs:
    return x < 0 ? wrapI32(-int64_t(x)) : x;
  case VpuFunc::Clip:
    return x < imm0 ? imm0 : (x > imm1 ? imm1 : x);
  case VpuFunc::Square:
    return wrapI32(int64_t(x) * x);
  case VpuFunc::Sign:
    return (x > 0) - (x < 0);
  default: // Copy.
    return x;
  }
}

int32_t readI32(const uint8_t *base, uint64_t index) {
  int32_t value;
  std::memcpy(&value, base + index * 4, 4);
  return value;
}

/// Writes an integer-mode result: as i32, or rounded to a float dst.
void writeIntResult(uint8_t *base, DType dtype, uint64_t index, int32_t value) {
  if (dtype == DType::I32)
    std::memcpy(base + index * 4, &value, 4);
  else
    writeFloat(base, dtype, index, static_cast<float>(value));
}

/// A float converted to i32 by `rounding`: saturated, NaN -> 0.
int32_t floatToI32(double value, VpuFunc rounding) {
  if (std::isnan(value))
    return 0;
  double rounded = roundBy(rounding, value);
  if (rounded >= 2147483648.0)
    return std::numeric_limits<int32_t>::max();
  if (rounded < -2147483648.0)
    return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(rounded);
}

/// Reads `count` consecutive elements of any dtype as fp32 (exact except
/// i32, which is rounded to nearest like the double -> float of
/// readElement).
void loadFloats(const uint8_t *from, DType dtype, uint64_t count, float *to) {
  switch (dtype) {
  case DType::F32:
    std::memcpy(to, from, count * 4);
    return;
  case DType::BF16:
    for (uint64_t j = 0; j < count; ++j) {
      uint16_t bits;
      std::memcpy(&bits, from + 2 * j, 2);
      to[j] = bf16BitsToFloat(bits);
    }
    return;
  case DType::I8:
    for (uint64_t j = 0; j < count; ++j)
      to[j] = static_cast<int8_t>(from[j]);
    return;
  case DType::I32:
    for (uint64_t j = 0; j < count; ++j) {
      int32_t value;
      std::memcpy(&value, from + 4 * j, 4);
      to[j] = static_cast<float>(value);
    }
    return;
  }
}

/// Writes `count` consecutive float results (bf16: round to nearest even).
void storeFloats(const float *from, uint8_t *to, DType dtype, uint64_t count) {
  if (dtype != DType::BF16) {
    std::memcpy(to, from, count * 4);
    return;
  }
  for (uint64_t j = 0; j < count; ++j) {
    uint16_t bits = floatToBF16Bits(from[j]);
    std::memcpy(to + 2 * j, &bits, 2);
  }
}

/// out[j] = applyUnary(Func, in[j]) with the function fixed at compile time,
/// so the loop has no switch and vectorizes where the function allows.
template <VpuFunc Func>
void mapUnary(const float *in, float *out, uint64_t count, float imm0,
              float imm1) {
  for (uint64_t j = 0; j < count; ++j)
    out[j] = applyUnary(Func, in[j], imm0, imm1);
}

/// out[j] = applyUnary(func, in[j]): the frequent functions through
/// mapUnary, the others (transcendental: libm dominates) generically.
void unaryRow(VpuFunc func, const float *in, float *out, uint64_t count,
              float imm0, float imm1) {
  switch (func) {
  case VpuFunc::None:
  case VpuFunc::Copy:
    return mapUnary<VpuFunc::Copy>(in, out, count, imm0, imm1);
  case VpuFunc::Relu:
    return mapUnary<VpuFunc::Relu>(in, out, count, imm0, imm1);
  case VpuFunc::LeakyRelu:
    return mapUnary<VpuFunc::LeakyRelu>(in, out, count, imm0, imm1);
  case VpuFunc::Clip:
    return mapUnary<VpuFunc::Clip>(in, out, count, imm0, imm1);
  case VpuFunc::Neg:
    return mapUnary<VpuFunc::Neg>(in, out, count, imm0, imm1);
  case VpuFunc::Square:
    return mapUnary<VpuFunc::Square>(in, out, count, imm0, imm1);
  default:
    for (uint64_t j = 0; j < count; ++j)
      out[j] = applyUnary(func, in[j], imm0, imm1);
  }
}

/// out[j] = applyBinary(Func, a[j], b[j]) with the function fixed.
template <VpuFunc Func>
void mapBinary(const float *a, const float *b, float *out, uint64_t count) {
  for (uint64_t j = 0; j < count; ++j)
    out[j] = applyBinary(Func, a[j], b[j]);
}

void binaryRow(VpuFunc func, const float *a, const float *b, float *out,
               uint64_t count) {
  switch (func) {
  case VpuFunc::Add:
    return mapBinary<VpuFunc::Add>(a, b, out, count);
  case VpuFunc::Sub:
    return mapBinary<VpuFunc::Sub>(a, b, out, count);
  case VpuFunc::Mul:
    return mapBinary<VpuFunc::Mul>(a, b, out, count);
  case VpuFunc::Div:
    return mapBinary<VpuFunc::Div>(a, b, out, count);
  case VpuFunc::Max:
    return mapBinary<VpuFunc::Max>(a, b, out, count);
  case VpuFunc::Min:
    return mapBinary<VpuFunc::Min>(a, b, out, count);
  default:
    for (uint64_t j = 0; j < count; ++j)
      out[j] = applyBinary(func, a[j], b[j]);
  }
}

/// The reduction's combining function (add, mul, max, min).
template <VpuFunc Func> float combine(float x, float y) {
  return Func == VpuFunc::Add   ? x + y
         : Func == VpuFunc::Mul ? x * y
         : Func == VpuFunc::Max ? nanMax(x, y)
                                : nanMin(x, y);
}

/// Combines source row `i` (`a`, `cols` values) into the reduction's
/// results: one per row (`overCols`) or one per column. `first`: the
/// results do not hold a value yet (no accumulation, and for columns the
/// first row).
template <VpuFunc Func>
void reduceRowInto(const float *a, uint64_t cols, bool overCols, bool first,
                   uint64_t i, float *result) {
  if (overCols) {
    float value = first ? a[0] : combine<Func>(result[i], a[0]);
    for (uint64_t j = 1; j < cols; ++j)
      value = combine<Func>(value, a[j]);
    result[i] = value;
  } else if (first) {
    std::memcpy(result, a, cols * 4);
  } else {
    for (uint64_t j = 0; j < cols; ++j)
      result[j] = combine<Func>(result[j], a[j]);
  }
}

void reduceRowInto(VpuFunc func, const float *a, uint64_t cols, bool overCols,
                   bool first, uint64_t i, float *result) {
  switch (func) {
  case VpuFunc::Add:
    return reduceRowInto<VpuFunc::Add>(a, cols, overCols, first, i, result);
  case VpuFunc::Mul:
    return reduceRowInto<VpuFunc::Mul>(a, cols, overCols, first, i, result);
  case VpuFunc::Max:
    return reduceRowInto<VpuFunc::Max>(a, cols, overCols, first, i, result);
  default:
    return reduceRowInto<VpuFunc::Min>(a, cols, overCols, first, i, result);
  }
}

} // namespace

/// True when `inst` runs in integer mode (the rule validateInstruction
/// checks): vpu_binary, vpu_unary and vpu_reduce with an i32 src0,
/// vpu_broadcast with an i32 dst, vpu_select with i32 values.
static bool isIntegerMode(const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::VpuBinary:
  case Opcode::VpuUnary:
  case Opcode::VpuReduce:
    return inst.src0.dtype == DType::I32;
  case Opcode::VpuBroadcast:
    return inst.dst.dtype == DType::I32;
  case Opcode::VpuSelect:
    return inst.src1.dtype == DType::I32;
  default:
    return false;
  }
}

void Executor::executeVpuInteger(CoreState &core, const Instruction &inst) {
  uint64_t rows = inst.rows, cols = inst.cols;
  uint8_t *dst = operandBase(core, inst.dst);
  const uint8_t *src0 = operandBase(core, inst.src0);
  const uint8_t *src1 = operandBase(core, inst.src1);
  const uint8_t *src2 = operandBase(core, inst.src2);
  DType dstType = inst.dst.dtype;
  uint64_t dstStride = inst.dst.row_stride;
  // Validation guarantees integral immediates in the i32 range.
  auto imm = [](float value) { return static_cast<int32_t>(value); };
  std::vector<int32_t> a(cols), b(cols), out(cols);
  auto loadRow = [&](const uint8_t *base, const VpuOperand &operand,
                     uint64_t row, std::vector<int32_t> &into) {
    for (uint64_t j = 0; j < cols; ++j)
      into[j] = readI32(base, row * operand.row_stride + j);
  };
  auto storeRow = [&](uint64_t row) {
    for (uint64_t j = 0; j < cols; ++j)
      writeIntResult(dst, dstType, row * dstStride + j, out[j]);
  };

  switch (inst.opcode) {
  case Opcode::VpuBinary:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      switch (inst.broadcast) {
      case Broadcast::None:
        loadRow(src1, inst.src1, i, b);
        break;
      case Broadcast::Row:
        loadRow(src1, inst.src1, 0, b);
        break;
      case Broadcast::Col:
        std::fill(b.begin(), b.end(), readI32(src1, i * inst.src1.row_stride));
        break;
      case Broadcast::Scalar:
        std::fill(b.begin(), b.end(), imm(inst.imm0));
        break;
      }
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = applyIntBinary(inst.func, a[j], b[j]);
      storeRow(i);
    }
    return;
  case Opcode::VpuUnary:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = applyIntUnary(inst.func, a[j], imm(inst.imm0), imm(inst.imm1));
      storeRow(i);
    }
    return;
  case Opcode::VpuReduce: {
    bool overCols = inst.reduce_dim == ReduceDim::Cols;
    bool accumulate = inst.flags & kFlagAccumulate;
    auto combine = [&](int32_t x, int32_t y) {
      switch (inst.func) {
      case VpuFunc::Add:
        return wrapI32(int64_t(x) + y);
      case VpuFunc::Mul:
        return wrapI32(int64_t(x) * y);
      case VpuFunc::Max:
        return x > y ? x : y;
      default:
        return x < y ? x : y;
      }
    };
    uint64_t outputs = overCols ? rows : cols;
    std::vector<int32_t> result(outputs);
    std::vector<bool> started(outputs, accumulate);
    if (accumulate)
      for (uint64_t o = 0; o < outputs; ++o)
        result[o] = readI32(dst, overCols ? o * dstStride : o);
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      for (uint64_t j = 0; j < cols; ++j) {
        uint64_t o = overCols ? i : j;
        result[o] = started[o] ? combine(result[o], a[j]) : a[j];
        started[o] = true;
      }
    }
    for (uint64_t o = 0; o < outputs; ++o)
      writeIntResult(dst, dstType, overCols ? o * dstStride : o, result[o]);
    return;
  }
  case Opcode::VpuBroadcast:
    for (uint64_t i = 0; i < rows; ++i) {
      switch (inst.broadcast) {
      case Broadcast::Row:
        loadRow(src0, inst.src0, 0, out);
        break;
      case Broadcast::Col:
        std::fill(out.begin(), out.end(),
                  readI32(src0, i * inst.src0.row_stride));
        break;
      default:
        std::fill(out.begin(), out.end(), imm(inst.imm0));
        break;
      }
      storeRow(i);
    }
    return;
  case Opcode::VpuSelect:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src1, inst.src1, i, a);
      loadRow(src2, inst.src2, i, b);
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = readElement(src0, inst.src0.dtype,
                             i * inst.src0.row_stride + j) != 0.0
                     ? a[j]
                     : b[j];
      storeRow(i);
    }
    return;
  default:
    return;
  }
}

void Executor::executeVpu(CoreState &core, const Instruction &inst) {
  if (isIntegerMode(inst))
    return executeVpuInteger(core, inst);
  uint64_t rows = inst.rows, cols = inst.cols;
  uint8_t *dst = operandBase(core, inst.dst);
  const uint8_t *src0 = operandBase(core, inst.src0);
  const uint8_t *src1 = operandBase(core, inst.src1);
  const uint8_t *src2 = operandBase(core, inst.src2);
  DType dstType = inst.dst.dtype;
  uint64_t dstStride = inst.dst.row_stride;
  unsigned dstSize = dtypeSize(dstType);
  {
    // The destination's shape: a reduction writes one value per row or
    // per column.
    bool reduce = inst.opcode == Opcode::VpuReduce;
    uint64_t dstRows = reduce && inst.reduce_dim == ReduceDim::Rows ? 1 : rows;
    uint64_t dstCols = reduce && inst.reduce_dim == ReduceDim::Cols ? 1 : cols;
    CoreMemory &memory = inst.dst.mem == Mem::Acc ? core.acc : core.sram;
    memory.markWritten(inst.dst.addr,
                       inst.dst.addr +
                           ((dstRows - 1) * dstStride + dstCols) * dstSize);
  }
  // Row buffers (a row of every source is read before the dst row is
  // written, so in-place operations are well defined).
  vpuRows.resize(4 * cols);
  float *a = vpuRows.data(), *b = a + cols, *c = b + cols, *out = c + cols;
  auto loadRow = [&](const uint8_t *base, const VpuOperand &operand,
                     uint64_t row, float *into) {
    unsigned size = dtypeSize(operand.dtype);
    loadFloats(base + row * operand.row_stride * size, operand.dtype, cols,
               into);
  };
  auto storeRow = [&](uint64_t row, const float *from) {
    storeFloats(from, dst + row * dstStride * dstSize, dstType, cols);
  };

  switch (inst.opcode) {
  case Opcode::VpuBinary:
    if (inst.broadcast == Broadcast::Scalar)
      std::fill(b, b + cols, inst.imm0);
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      switch (inst.broadcast) {
      case Broadcast::None:
        loadRow(src1, inst.src1, i, b);
        break;
      case Broadcast::Row:
        // Row 0 again for every row: an in-place dst may have changed it.
        loadRow(src1, inst.src1, 0, b);
        break;
      case Broadcast::Col: {
        float value = static_cast<float>(
            readElement(src1, inst.src1.dtype, i * inst.src1.row_stride));
        std::fill(b, b + cols, value);
        break;
      }
      case Broadcast::Scalar:
        break;
      }
      binaryRow(inst.func, a, b, out, cols);
      storeRow(i, out);
    }
    return;
  case Opcode::VpuUnary:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      unaryRow(inst.func, a, out, cols, inst.imm0, inst.imm1);
      storeRow(i, out);
    }
    return;
  case Opcode::VpuReduce: {
    bool overCols = inst.reduce_dim == ReduceDim::Cols;
    bool accumulate = inst.flags & kFlagAccumulate;
    // Results are accumulated in fp32 in index order, starting from the
    // current dst values when accumulating; dst is written at the end.
    uint64_t outputs = overCols ? rows : cols;
    std::vector<float> &result = vpuResult;
    result.resize(outputs);
    if (accumulate)
      for (uint64_t o = 0; o < outputs; ++o)
        result[o] = static_cast<float>(
            readElement(dst, dstType, overCols ? o * dstStride : o));
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      bool first = !accumulate && (overCols || i == 0);
      reduceRowInto(inst.func, a, cols, overCols, first, i, result.data());
    }
    for (uint64_t o = 0; o < outputs; ++o)
      writeFloat(dst, dstType, overCols ? o * dstStride : o, result[o]);
    return;
  }
  case Opcode::VpuBroadcast:
    for (uint64_t i = 0; i < rows; ++i) {
      switch (inst.broadcast) {
      case Broadcast::Row:
        loadRow(src0, inst.src0, 0, out);
        break;
      case Broadcast::Col:
        std::fill(out, out + cols,
                  static_cast<float>(readElement(src0, inst.src0.dtype,
                                                 i * inst.src0.row_stride)));
        break;
      default:
        std::fill(out, out + cols, inst.imm0);
        break;
      }
      storeRow(i, out);
    }
    return;
  case Opcode::VpuSelect:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      loadRow(src1, inst.src1, i, b);
      loadRow(src2, inst.src2, i, c);
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = a[j] != 0.0f ? b[j] : c[j];
      storeRow(i, out);
    }
    return;
  case Opcode::VpuCast: {
    DType from = inst.src0.dtype;
    bool fromFloat = from == DType::F32 || from == DType::BF16;
    std::vector<double> row(cols);
    for (uint64_t i = 0; i < rows; ++i) {
      for (uint64_t j = 0; j < cols; ++j)
        row[j] = readElement(src0, from, i * inst.src0.row_stride + j);
      for (uint64_t j = 0; j < cols; ++j) {
        uint64_t index = i * dstStride + j;
        if (dstType == DType::I8) {
          dst[index] = static_cast<uint8_t>(
              quantizeToInt8(row[j], inst.scale, inst.zero_point));
        } else if (dstType == DType::I32) {
          // From a float by the rounding func, or widened from i8 (exact).
          int32_t value = fromFloat ? floatToI32(row[j], inst.func)
                                    : static_cast<int32_t>(row[j]);
          std::memcpy(dst + index * 4, &value, 4);
        } else if (fromFloat) {
          writeFloat(dst, dstType, index, static_cast<float>(row[j]));
        } else {
          // Dequantize: (q - zero_point) * scale, exact in double, rounded
          // once to fp32.
          double real = (row[j] - inst.zero_point) * double(inst.scale);
          writeFloat(dst, dstType, index, static_cast<float>(real));
        }
      }
    }
    return;
  }
  case Opcode::VpuEpilogue: {
    // v = acc (+ bias) in double (exact for fp32 inputs, then rounded once),
    // activation in fp32, then the output conversion.
    bool bias = inst.flags & kFlagBias;
    if (inst.src0.dtype == DType::F32 && dstType != DType::I8) {
      // An fp32 accumulator and a float result: rounding the double sum of
      // two floats to float gives the fp32 sum (double has more than
      // 2 * 24 + 2 significand bits, so the double rounding is innocuous),
      // so the row is computed in fp32. Adding +0 without a bias keeps the
      // double path's -0 + 0 = +0.
      if (bias)
        loadRow(src1, inst.src1, 0, b);
      else
        std::fill(b, b + cols, 0.0f);
      for (uint64_t i = 0; i < rows; ++i) {
        loadRow(src0, inst.src0, i, a);
        binaryRow(VpuFunc::Add, a, b, out, cols);
        if (inst.func != VpuFunc::None)
          unaryRow(inst.func, out, out, cols, inst.imm0, inst.imm1);
        storeRow(i, out);
      }
      return;
    }
    std::vector<double> biasRow(cols, 0.0);
    if (bias)
      for (uint64_t j = 0; j < cols; ++j)
        biasRow[j] = readElement(src1, inst.src1.dtype, j);
    for (uint64_t i = 0; i < rows; ++i)
      for (uint64_t j = 0; j < cols; ++j) {
        double v = readElement(src0, inst.src0.dtype,
                               i * inst.src0.row_stride + j) +
                   biasRow[j];
        if (inst.func != VpuFunc::None)
          v = applyUnary(inst.func, static_cast<float>(v), inst.imm0,
                         inst.imm1);
        uint64_t index = i * dstStride + j;
        if (dstType == DType::I8)
          dst[index] = static_cast<uint8_t>(
              quantizeToInt8(v, inst.scale, inst.zero_point));
        else
          writeFloat(dst, dstType, index, static_cast<float>(v));
      }
    return;
  }
  default:
    return;
  }
}
