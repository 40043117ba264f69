//===- Passes.h - npu passes --------------------------------------*- C++ -*-===//
#ifndef NPU_DIALECT_NPU_TRANSFORMS_PASSES_H
#define NPU_DIALECT_NPU_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "npu/Dialect/NPU/IR/NPU.h"

namespace mlir::npu {

#define GEN_PASS_DECL
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"

} // namespace mlir::npu

#endif // NPU_DIALECT_NPU_TRANSFORMS_PASSES_H
