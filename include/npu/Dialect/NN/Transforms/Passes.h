//===- Passes.h - nn dialect passes -----------------------------*- C++ -*-===//
//
// Declarations and registration of the passes over the nn dialect.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_TRANSFORMS_PASSES_H
#define NPU_DIALECT_NN_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "npu/Dialect/NN/IR/NN.h"

namespace mlir::nn {

#define GEN_PASS_DECL
#include "npu/Dialect/NN/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "npu/Dialect/NN/Transforms/Passes.h.inc"

} // namespace mlir::nn

#endif // NPU_DIALECT_NN_TRANSFORMS_PASSES_H
