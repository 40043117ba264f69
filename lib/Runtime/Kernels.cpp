//===- Kernels.cpp - host GEMMs for the functional model -------------------===//
//
// fp32 runs on Eigen's GEMM, compiled three times (generic x86-64 / SSE2,
// x86-64-v3 = AVX2+FMA, x86-64-v4 = AVX-512) and chosen once by CPUID, so one
// binary is both portable and fast. (Debian's OpenBLAS was measured first: its
// 0.3.21 CPU detection does not know recent Xeons, falls back to the Prescott
// kernels and reaches ~14 GMAC/s; Eigen's AVX-512 path reaches ~60.)
//
// int8 also uses the fp32 GEMM, which is exact: every int8 product has
// magnitude <= 2^14, so any partial sum of at most 1024 products is an integer
// of magnitude <= 2^24, and every such integer is representable in fp32.
// Whatever order the GEMM sums in, every intermediate result is therefore
// exact; K is split into chunks of 1024 and the chunk results are added in
// int32. That makes the int8 path as fast as the fp32 one.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Kernels.h"

#include <algorithm>
#include <vector>

namespace npurt {
namespace detail {
void gemmF32Generic(int64_t m, int64_t n, int64_t k, const float *a,
                    int64_t lda, const float *b, int64_t ldb, float *c,
                    int64_t ldc, bool accumulate);
#if NPU_GEMM_HAS_X86_VARIANTS
void gemmF32AVX2(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
                 const float *b, int64_t ldb, float *c, int64_t ldc,
                 bool accumulate);
void gemmF32AVX512(int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float *c,
                   int64_t ldc, bool accumulate);
#endif
} // namespace detail

namespace {

using GemmF32Function = void (*)(int64_t, int64_t, int64_t, const float *,
                                 int64_t, const float *, int64_t, float *,
                                 int64_t, bool);

/// The fastest variant the host CPU can run, chosen on first use.
GemmF32Function selectGemmF32() {
#if NPU_GEMM_HAS_X86_VARIANTS
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return detail::gemmF32AVX512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return detail::gemmF32AVX2;
#endif
  return detail::gemmF32Generic;
}

/// Largest K chunk whose fp32 partial sums of int8 products stay exact.
constexpr int64_t kExactInt8Chunk = 1024;
/// Rows of A widened to fp32 at a time (bounds the scratch memory).
constexpr int64_t kInt8RowBlock = 512;

} // namespace

void gemmF32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
             const float *b, int64_t ldb, float *c, int64_t ldc,
             bool accumulate) {
  if (m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i)
        std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  static const GemmF32Function gemm = selectGemmF32();
  gemm(m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}

void gemmI8(int64_t m, int64_t n, int64_t k, const int8_t *a, int64_t lda,
            const int8_t *b, int64_t ldb, int32_t *c, int64_t ldc,
            bool accumulate) {
  if (m <= 0 || n <= 0)
    return;
  if (!accumulate)
    for (int64_t i = 0; i < m; ++i)
      std::fill(c + i * ldc, c + i * ldc + n, 0);
  std::vector<float> wideB, wideA, partial;
  for (int64_t k0 = 0; k0 < k; k0 += kExactInt8Chunk) {
    int64_t kc = std::min(kExactInt8Chunk, k - k0);
    wideB.resize(static_cast<size_t>(kc * n));
    for (int64_t p = 0; p < kc; ++p)
      for (int64_t j = 0; j < n; ++j)
        wideB[p * n + j] = b[(k0 + p) * ldb + j];
    for (int64_t i0 = 0; i0 < m; i0 += kInt8RowBlock) {
      int64_t mc = std::min(kInt8RowBlock, m - i0);
      wideA.resize(static_cast<size_t>(mc * kc));
      for (int64_t i = 0; i < mc; ++i)
        for (int64_t p = 0; p < kc; ++p)
          wideA[i * kc + p] = a[(i0 + i) * lda + k0 + p];
      partial.resize(static_cast<size_t>(mc * n));
      gemmF32(mc, n, kc, wideA.data(), kc, wideB.data(), n, partial.data(), n,
              /*accumulate=*/false);
      for (int64_t i = 0; i < mc; ++i) {
        int32_t *row = c + (i0 + i) * ldc;
        for (int64_t j = 0; j < n; ++j)
          row[j] = static_cast<int32_t>(
              static_cast<uint32_t>(row[j]) +
              static_cast<uint32_t>(static_cast<int32_t>(partial[i * n + j])));
      }
    }
  }
}

} // namespace npurt
