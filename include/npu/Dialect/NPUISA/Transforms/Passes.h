//===- Passes.h - npuisa passes -----------------------------------*- C++ -*-===//
#ifndef NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_H
#define NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include "npu/Dialect/NPUISA/IR/NPUISA.h"

namespace mlir::npuisa {

#define GEN_PASS_DECL
#include "npu/Dialect/NPUISA/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "npu/Dialect/NPUISA/Transforms/Passes.h.inc"

} // namespace mlir::npuisa

#endif // NPU_DIALECT_NPUISA_TRANSFORMS_PASSES_H
