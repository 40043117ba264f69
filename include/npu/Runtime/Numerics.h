//===- Numerics.h - bf16, f16 and int8 conversions of the chip --*- C++ -*-===//
//
// The number formats the chip computes in and the exact rounding rules the
// simulator applies when it converts between them (docs/isa.md "Numerics").
// Every conversion the functional model performs goes through these
// functions, so the unit tests pin down the chip's numerics in one place.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_NUMERICS_H
#define NPU_RUNTIME_NUMERICS_H

#include <cstdint>
#include <cstring>

namespace npurt {

/// Returns the bit pattern of \p value.
inline uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

/// Returns the float whose bit pattern is \p bits.
inline float floatFromBits(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// Rounds an fp32 value to bf16, round-to-nearest, ties to even. A NaN stays a
/// NaN (its sign and top payload bits are kept and the quiet bit is set, so a
/// payload that lives only in the low 16 bits cannot turn it into infinity);
/// infinities and signed zeros are preserved; values that round past the
/// largest bf16 become infinity, as IEEE rounding requires.
inline uint16_t floatToBF16Bits(float value) {
  uint32_t bits = floatBits(value);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  uint32_t lsb = (bits >> 16) & 1u;
  bits += 0x7FFFu + lsb;
  return static_cast<uint16_t>(bits >> 16);
}

/// Widens a bf16 bit pattern to fp32 (exact).
inline float bf16BitsToFloat(uint16_t bits) {
  return floatFromBits(static_cast<uint32_t>(bits) << 16);
}

/// Rounds \p value to the nearest bf16 and returns it as fp32.
inline float roundToBF16(float value) {
  return bf16BitsToFloat(floatToBF16Bits(value));
}

/// Converts an IEEE binary16 bit pattern to fp32 (exact, subnormals included).
float halfBitsToFloat(uint16_t bits);

/// Rounds fp32 to IEEE binary16, round-to-nearest-even; overflow gives
/// infinity, NaN stays NaN.
uint16_t floatToHalfBits(float value);

/// Rounds \p value to the nearest integer, ties to even, independent of the
/// host's current floating-point rounding mode.
double roundHalfToEven(double value);

/// Quantizes a real value to int8: saturate(roundHalfToEven(value * scale) +
/// zeroPoint) into [-128, 127]. The product is formed in double, so it is
/// exact for every int32 and float input. NaN quantizes to \p zeroPoint
/// (saturated), +inf to 127 and -inf to -128.
int8_t quantizeToInt8(double value, float scale, int32_t zeroPoint);

/// Requantizes an int32 accumulator value to int8 (see quantizeToInt8).
inline int8_t requantizeInt32ToInt8(int32_t acc, float scale,
                                    int32_t zeroPoint) {
  return quantizeToInt8(static_cast<double>(acc), scale, zeroPoint);
}

/// Dequantizes int8 to fp32: (q - zeroPoint) * scale, rounded once to fp32.
inline float dequantizeInt8(int8_t q, float scale, int32_t zeroPoint) {
  return static_cast<float>(
      (static_cast<double>(q) - static_cast<double>(zeroPoint)) *
      static_cast<double>(scale));
}

} // namespace npurt

#endif // NPU_RUNTIME_NUMERICS_H
