//===- Numerics.cpp - binary16 conversion and int8 quantization ------------===//
//
// The out-of-line half of Numerics.h: IEEE binary16 <-> fp32 (needed for .npy
// '<f2' and ONNX FLOAT16 tensors) and the int8 quantization rule.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Numerics.h"

#include <cmath>
#include <limits>

namespace npurt {

float halfBitsToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1Fu;
  uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0x1F)
    return floatFromBits(sign | 0x7F800000u | (mantissa << 13));
  if (exponent != 0)
    return floatFromBits(sign | ((exponent + 112) << 23) | (mantissa << 13));
  // Subnormal (or zero): mantissa * 2^-24, exact in fp32.
  float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  return sign ? -magnitude : magnitude;
}

uint16_t floatToHalfBits(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t magnitudeBits = bits & 0x7FFFFFFFu;
  if (magnitudeBits > 0x7F800000u) // NaN: keep it a quiet NaN.
    return sign | 0x7E00u | static_cast<uint16_t>((magnitudeBits >> 13) & 0x1FFu);
  if (magnitudeBits >= 0x477FF000u) // Rounds to >= 65520: infinity.
    return sign | 0x7C00u;
  if (magnitudeBits < 0x38800000u) {
    // Result is subnormal in binary16: quantize to multiples of 2^-24. The
    // scaling by 2^24 is exact and rint rounds ties to even.
    float scaled = floatFromBits(magnitudeBits) * 16777216.0f;
    return sign | static_cast<uint16_t>(roundHalfToEven(scaled));
  }
  // Normal: rebias the exponent and round the 13 dropped mantissa bits.
  uint32_t rebased = magnitudeBits - (112u << 23);
  uint32_t lsb = (rebased >> 13) & 1u;
  rebased += 0xFFFu + lsb;
  return sign | static_cast<uint16_t>(rebased >> 13);
}

double roundHalfToEven(double value) {
  double floorValue = std::floor(value);
  double fraction = value - floorValue;
  if (fraction > 0.5)
    return floorValue + 1.0;
  if (fraction < 0.5)
    return floorValue;
  return std::fmod(floorValue, 2.0) == 0.0 ? floorValue : floorValue + 1.0;
}

int8_t quantizeToInt8(double value, float scale, int32_t zeroPoint) {
  double scaled = value * static_cast<double>(scale);
  double shifted;
  if (std::isnan(scaled))
    shifted = static_cast<double>(zeroPoint);
  else
    shifted = roundHalfToEven(scaled) + static_cast<double>(zeroPoint);
  if (shifted >= 127.0)
    return 127;
  if (shifted <= -128.0)
    return -128;
  return static_cast<int8_t>(shifted);
}

} // namespace npurt
