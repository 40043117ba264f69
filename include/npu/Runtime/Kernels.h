//===- Kernels.h - host kernels behind the MXU instructions -----*- C++ -*-===//
//
// The functional model runs MXU_MATMUL on these host kernels so a simulated
// model runs at close to host speed. They are plain row-major GEMMs on
// strided operands; the executor does the address arithmetic and dtype
// widening (bf16 -> fp32 is exact) before calling them.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_KERNELS_H
#define NPU_RUNTIME_KERNELS_H

#include <cstdint>

namespace npurt {

/// C[m x n] = (accumulate ? C : 0) + A[m x k] * B[k x n] in fp32, all
/// row-major with leading dimensions (row strides, in elements) lda/ldb/ldc.
/// Runs Eigen's GEMM (best ISA level of the host CPU) on the calling thread.
/// The summation order is the kernel's; every product of bf16 values is exact
/// in fp32, so bf16 matmuls differ from any other fp32-accumulating order
/// only by accumulation rounding.
void gemmF32(int64_t m, int64_t n, int64_t k, const float *a, int64_t lda,
             const float *b, int64_t ldb, float *c, int64_t ldc,
             bool accumulate);

/// C[m x n] = (accumulate ? C : 0) + A[m x k] * B[k x n] with int8 operands
/// and int32 accumulation, bit-exact (the int32 addition into C wraps modulo
/// 2^32, like the hardware's adders).
void gemmI8(int64_t m, int64_t n, int64_t k, const int8_t *a, int64_t lda,
            const int8_t *b, int64_t ldb, int32_t *c, int64_t ldc,
            bool accumulate);

} // namespace npurt

#endif // NPU_RUNTIME_KERNELS_H
