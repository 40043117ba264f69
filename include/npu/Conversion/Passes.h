//===- Passes.h - conversions between npu-mlir's levels ---------*- C++ -*-===//
#ifndef NPU_CONVERSION_PASSES_H
#define NPU_CONVERSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "npu/Dialect/NPU/IR/NPU.h"

namespace mlir::npu {

#define GEN_PASS_DECL
#include "npu/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "npu/Conversion/Passes.h.inc"

} // namespace mlir::npu

#endif // NPU_CONVERSION_PASSES_H
