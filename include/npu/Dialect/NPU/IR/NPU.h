//===- NPU.h - the npu dialect: target, buffers, instructions ---*- C++ -*-===//
//
// The chip-aware tiling dialect: `#npu.target<...>`, the chip every pass
// compiles for (backed by the runtime's `Target`), and the buffer-level IR
// the tiling pass produces: `npu.program` of buffers and layers of chip
// instructions addressing (buffer, byte offset). See docs/npu-dialect.md.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPU_H
#define NPU_DIALECT_NPU_IR_NPU_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"

#include "npu/Dialect/NPU/IR/NPUEnums.h"
#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Target.h"

#include "npu/Dialect/NPU/IR/NPUDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUTypes.h.inc"

#include "npu/Dialect/NPU/IR/NPUInterfaces.h.inc"

#define GET_OP_CLASSES
#include "npu/Dialect/NPU/IR/NPUOps.h.inc"

namespace mlir::npu {

/// `npu.layer` kind of the copy npu-tile emits to write a state tensor's new
/// value over its old one; npu-state-in-place removes it when it can.
constexpr llvm::StringLiteral kStateUpdateKind = "state_update";
/// Suffix of such a layer's name after the state tensor's name.
constexpr llvm::StringLiteral kStateUpdateSuffix = ".update";

/// The op defining `buffer` (an `!npu.buffer` value), or null when it is not
/// defined by a buffer op (e.g. a block argument).
BufferOpInterface getBufferOp(Value buffer);

/// The runtime dtype of a chip element type (f32, bf16, i8, i32); nullopt
/// otherwise.
std::optional<npurt::DType> toChipDType(Type type);
/// The element type of a runtime dtype.
Type fromChipDType(MLIRContext *context, npurt::DType dtype);

} // namespace mlir::npu

#endif // NPU_DIALECT_NPU_IR_NPU_H
