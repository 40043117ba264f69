//===- GemmF32Generic.cpp - fp32 GEMM built for the Generic ISA level -------===//
//
// See GemmF32.inc. CMake compiles this file with the matching -march flag;
// Kernels.cpp calls it only when the host CPU supports that level.
//
//===----------------------------------------------------------------------===//
#define Eigen NpuEigenGeneric
#define NPU_GEMM_FUNCTION gemmF32Generic
#include "GemmF32.inc"
