//===- VpuSemantics.cpp - functional model of the VPU instructions --------===//
//
// Every VPU instruction iterates over a [rows x cols] space. A row of each
// source is read completely (widened to fp32, or to double where integers
// are involved) before the destination row is written, so an in-place
// operation (dst == src) behaves as expected. Arithmetic is IEEE fp32 on the
// host; transcendental functions use the host libm's float functions. A bf16
// destination is rounded to nearest even. docs/isa.md "Numerics" is the
// prose version of this file.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Executor.h"

#include "npu/Runtime/Numerics.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

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

float applyBinary(VpuFunc func, float a, float b) {
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
  default:
    return 0.0f;
  }
}

/// The activation / unary function `func` with immediates imm0, imm1
/// (shared by VPU_UNARY and VPU_EPILOGUE).
float applyUnary(VpuFunc func, float x, float imm0, float imm1) {
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
  default:
    return x;
  }
}

} // namespace

void Executor::executeVpu(CoreState &core, const Instruction &inst) {
  uint64_t rows = inst.rows, cols = inst.cols;
  uint8_t *dst = operandBase(core, inst.dst);
  const uint8_t *src0 = operandBase(core, inst.src0);
  const uint8_t *src1 = operandBase(core, inst.src1);
  const uint8_t *src2 = operandBase(core, inst.src2);
  DType dstType = inst.dst.dtype;
  uint64_t dstStride = inst.dst.row_stride;
  std::vector<float> a(cols), b(cols), c(cols), out(cols);
  auto loadRow = [&](const uint8_t *base, const VpuOperand &operand,
                     uint64_t row, std::vector<float> &into) {
    for (uint64_t j = 0; j < cols; ++j)
      into[j] = static_cast<float>(
          readElement(base, operand.dtype, row * operand.row_stride + j));
  };
  auto storeRow = [&](uint64_t row, const std::vector<float> &from) {
    for (uint64_t j = 0; j < cols; ++j)
      writeFloat(dst, dstType, row * dstStride + j, from[j]);
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
      case Broadcast::Col: {
        float value = static_cast<float>(
            readElement(src1, inst.src1.dtype, i * inst.src1.row_stride));
        std::fill(b.begin(), b.end(), value);
        break;
      }
      case Broadcast::Scalar:
        std::fill(b.begin(), b.end(), inst.imm0);
        break;
      }
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = applyBinary(inst.func, a[j], b[j]);
      storeRow(i, out);
    }
    return;
  case Opcode::VpuUnary:
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      for (uint64_t j = 0; j < cols; ++j)
        out[j] = applyUnary(inst.func, a[j], inst.imm0, inst.imm1);
      storeRow(i, out);
    }
    return;
  case Opcode::VpuReduce: {
    bool overCols = inst.reduce_dim == ReduceDim::Cols;
    bool accumulate = inst.flags & kFlagAccumulate;
    auto combine = [&](float x, float y) {
      return inst.func == VpuFunc::Add   ? x + y
             : inst.func == VpuFunc::Max ? nanMax(x, y)
                                         : nanMin(x, y);
    };
    // Results are accumulated in fp32 in index order, starting from the
    // current dst value when accumulating.
    uint64_t outputs = overCols ? rows : cols;
    std::vector<float> result(outputs);
    std::vector<bool> started(outputs, false);
    for (uint64_t o = 0; o < outputs; ++o) {
      uint64_t index = overCols ? o * dstStride : o;
      if (accumulate) {
        result[o] = static_cast<float>(readElement(dst, dstType, index));
        started[o] = true;
      }
    }
    for (uint64_t i = 0; i < rows; ++i) {
      loadRow(src0, inst.src0, i, a);
      for (uint64_t j = 0; j < cols; ++j) {
        uint64_t o = overCols ? i : j;
        result[o] = started[o] ? combine(result[o], a[j]) : a[j];
        started[o] = true;
      }
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
        std::fill(out.begin(), out.end(),
                  static_cast<float>(readElement(
                      src0, inst.src0.dtype, i * inst.src0.row_stride)));
        break;
      default:
        std::fill(out.begin(), out.end(), inst.imm0);
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
