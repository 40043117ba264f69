//===- GemmF32AVX512.cpp - fp32 GEMM built for the AVX512 ISA level -------===//
//
// See GemmF32.inc. CMake compiles this file with the matching -march flag;
// Kernels.cpp calls it only when the host CPU supports that level.
//
//===----------------------------------------------------------------------===//
#define Eigen NpuEigenAVX512
#define NPU_GEMM_FUNCTION gemmF32AVX512
#include "GemmF32.inc"
