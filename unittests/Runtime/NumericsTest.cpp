//===- NumericsTest.cpp - bf16/f16/int8 numerics and host GEMM kernels ----===//
//
// Pins down the chip's number formats: bf16 round-to-nearest-even, binary16,
// int8 requantization, and the exactness of the host matmul kernels.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Kernels.h"
#include "npu/Runtime/Numerics.h"

#include "gtest/gtest.h"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace npurt;

namespace {

TEST(BF16, RoundsToNearestEven) {
  // 1 + 2^-8 is exactly halfway between bf16 1.0 and 1 + 2^-7: ties to even
  // (1.0, mantissa ...0).
  EXPECT_EQ(floatToBF16Bits(1.0f + 0x1p-8f), 0x3F80);
  // 1 + 3*2^-8 is halfway between 1+2^-7 (odd) and 1+2^-6 (even): rounds up.
  EXPECT_EQ(floatToBF16Bits(1.0f + 3 * 0x1p-8f), 0x3F82);
  // Just above the halfway point rounds up.
  EXPECT_EQ(floatToBF16Bits(1.0f + 0x1p-8f + 0x1p-20f), 0x3F81);
  // Just below rounds down.
  EXPECT_EQ(floatToBF16Bits(1.0f + 0x1p-8f - 0x1p-20f), 0x3F80);
  EXPECT_EQ(floatToBF16Bits(-2.0f), 0xC000);
  EXPECT_EQ(roundToBF16(3.140625f), 3.140625f);
}

TEST(BF16, SpecialValues) {
  float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(floatToBF16Bits(inf), 0x7F80);
  EXPECT_EQ(floatToBF16Bits(-inf), 0xFF80);
  EXPECT_EQ(floatToBF16Bits(-0.0f), 0x8000);
  // The largest finite fp32 rounds past the largest bf16: infinity.
  EXPECT_EQ(floatToBF16Bits(std::numeric_limits<float>::max()), 0x7F80);
  // A NaN whose payload is only in the low bits must stay a NaN.
  float lowPayloadNaN = floatFromBits(0x7F800001u);
  EXPECT_TRUE(std::isnan(roundToBF16(lowPayloadNaN)));
  EXPECT_TRUE(std::isnan(roundToBF16(std::nanf(""))));
  EXPECT_EQ(floatToBF16Bits(floatFromBits(0xFFC00000u)), 0xFFC0);
}

TEST(BF16, MatchesExhaustiveReference) {
  // Compare with a direct nearest-even search over a sweep of inputs.
  std::mt19937 rng(7);
  for (int i = 0; i < 100000; ++i) {
    uint32_t bits = rng();
    float value = floatFromBits(bits);
    // Overflow to infinity is covered by SpecialValues; the search below
    // has no finite upper neighbour for the largest bf16.
    if (std::isnan(value) || (bits & 0x7FFF0000u) == 0x7F7F0000u)
      continue;
    uint16_t low = static_cast<uint16_t>(bits >> 16);
    float down = bf16BitsToFloat(low);
    float up = bf16BitsToFloat(static_cast<uint16_t>(low + 1));
    double dDown = std::fabs(static_cast<double>(value) - down);
    double dUp = std::fabs(static_cast<double>(up) - value);
    uint16_t expected =
        dDown < dUp ? low : dUp < dDown ? low + 1 : (low & 1 ? low + 1 : low);
    if ((bits & 0xFFFF) == 0)
      expected = low;
    ASSERT_EQ(floatToBF16Bits(value), expected) << std::hex << bits;
  }
}

TEST(Half, RoundTripAndRounding) {
  EXPECT_EQ(floatToHalfBits(1.0f), 0x3C00);
  EXPECT_EQ(floatToHalfBits(-2.5f), 0xC100);
  EXPECT_EQ(floatToHalfBits(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToHalfBits(65520.0f), 0x7C00); // ties to even -> inf
  EXPECT_EQ(floatToHalfBits(0x1p-24f), 0x0001);  // smallest subnormal
  EXPECT_EQ(floatToHalfBits(0x1p-25f), 0x0000);  // tie to even (zero)
  EXPECT_EQ(floatToHalfBits(0x1.8p-24f), 0x0002); // tie to even (2)
  EXPECT_TRUE(std::isnan(halfBitsToFloat(floatToHalfBits(std::nanf("")))));
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    if ((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF))
      continue; // NaNs
    float value = halfBitsToFloat(static_cast<uint16_t>(bits));
    ASSERT_EQ(floatToHalfBits(value), bits) << bits;
  }
}

TEST(Int8, RequantizeRoundsHalfToEvenAndSaturates) {
  EXPECT_EQ(requantizeInt32ToInt8(5, 0.5f, 0), 2);   // 2.5 -> 2
  EXPECT_EQ(requantizeInt32ToInt8(7, 0.5f, 0), 4);   // 3.5 -> 4
  EXPECT_EQ(requantizeInt32ToInt8(-5, 0.5f, 0), -2); // -2.5 -> -2
  EXPECT_EQ(requantizeInt32ToInt8(-7, 0.5f, 0), -4); // -3.5 -> -4
  EXPECT_EQ(requantizeInt32ToInt8(10, 1.0f, 3), 13);
  EXPECT_EQ(requantizeInt32ToInt8(1000, 1.0f, 0), 127);
  EXPECT_EQ(requantizeInt32ToInt8(-1000, 1.0f, 0), -128);
  EXPECT_EQ(requantizeInt32ToInt8(120, 1.0f, 10), 127);
  EXPECT_EQ(requantizeInt32ToInt8(INT32_MAX, 1.0f, 0), 127);
  EXPECT_EQ(requantizeInt32ToInt8(INT32_MIN, 1.0f, 0), -128);
  EXPECT_EQ(quantizeToInt8(std::nan(""), 1.0f, 5), 5);
  EXPECT_EQ(quantizeToInt8(INFINITY, 1.0f, 0), 127);
  EXPECT_EQ(quantizeToInt8(-INFINITY, 1.0f, 0), -128);
  EXPECT_FLOAT_EQ(dequantizeInt8(-3, 0.25f, 1), -1.0f);
}

TEST(Int8, RoundHalfToEvenIgnoresHostRoundingMode) {
  EXPECT_EQ(roundHalfToEven(0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(1.5), 2.0);
  EXPECT_EQ(roundHalfToEven(-0.5), 0.0);
  EXPECT_EQ(roundHalfToEven(-1.5), -2.0);
  EXPECT_EQ(roundHalfToEven(2.4999), 2.0);
}

TEST(Kernels, GemmF32MatchesExactReference) {
  // Small integers: every partial sum is exact, so the comparison is exact.
  const int64_t m = 37, n = 29, k = 41, lda = 45, ldb = 33, ldc = 31;
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> dist(-8, 8);
  std::vector<float> a(m * lda), b(k * ldb), c(m * ldc, 5.0f);
  for (float &x : a)
    x = dist(rng);
  for (float &x : b)
    x = dist(rng);
  std::vector<float> init = c;
  gemmF32(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, true);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      float expected = init[i * ldc + j];
      if (j < n)
        for (int64_t p = 0; p < k; ++p)
          expected += a[i * lda + p] * b[p * ldb + j];
      ASSERT_EQ(c[i * ldc + j], expected) << i << "," << j;
    }
  gemmF32(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, false);
  float first = 0;
  for (int64_t p = 0; p < k; ++p)
    first += a[p] * b[p * ldb];
  EXPECT_EQ(c[0], first);
}

TEST(Kernels, GemmI8IsExactAtTheExtremes) {
  // -128 * -128 summed 1500 times exceeds 2^24: exercises the K chunking.
  const int64_t m = 3, n = 5, k = 1500;
  std::vector<int8_t> a(m * k, -128), b(k * n, -128);
  std::vector<int32_t> c(m * n, 7);
  gemmI8(m, n, k, a.data(), k, b.data(), n, c.data(), n, true);
  for (int32_t value : c)
    EXPECT_EQ(value, 7 + 1500 * 16384);
  gemmI8(m, n, k, a.data(), k, b.data(), n, c.data(), n, false);
  EXPECT_EQ(c[0], 1500 * 16384);
}

TEST(Kernels, GemmI8MatchesIntegerReference) {
  const int64_t m = 600, n = 17, k = 129, lda = 130, ldb = 20, ldc = 19;
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int8_t> a(m * lda), b(k * ldb);
  for (int8_t &x : a)
    x = static_cast<int8_t>(dist(rng));
  for (int8_t &x : b)
    x = static_cast<int8_t>(dist(rng));
  std::vector<int32_t> c(m * ldc, -3);
  gemmI8(m, n, k, a.data(), lda, b.data(), ldb, c.data(), ldc, true);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t expected = -3;
      for (int64_t p = 0; p < k; ++p)
        expected += int32_t(a[i * lda + p]) * int32_t(b[p * ldb + j]);
      ASSERT_EQ(c[i * ldc + j], expected);
    }
  EXPECT_EQ(c[n], -3); // padding column untouched
}

} // namespace
