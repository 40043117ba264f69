//===- GemmF32AVX2.cpp - fp32 GEMM built for the AVX2 ISA level -------===//
//
// See GemmF32.inc. CMake compiles this file with the matching -march flag;
// Kernels.cpp calls it only when the host CPU supports that level.
//
//===----------------------------------------------------------------------===//
#define Eigen NpuEigenAVX2
#define NPU_GEMM_FUNCTION gemmF32AVX2
#include "GemmF32.inc"
