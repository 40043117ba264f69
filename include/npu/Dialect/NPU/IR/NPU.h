//===- NPU.h - the npu dialect and the chip target attribute ------*- C++ -*-===//
//
// The chip-aware tiling dialect. For now: `#npu.target<...>`, the chip every
// pass compiles for, backed by the runtime's `Target` (one source of truth for
// parameters, presets, JSON and validation).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPU_H
#define NPU_DIALECT_NPU_IR_NPU_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"

#include "npu/Runtime/Target.h"

#include "npu/Dialect/NPU/IR/NPUDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUAttrs.h.inc"

#endif // NPU_DIALECT_NPU_IR_NPU_H
