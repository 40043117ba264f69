//===- NPUISA.h - the npuisa dialect and its ops ------------------*- C++ -*-===//
//
// The machine-level dialect: one op per chip instruction. See NPUISAOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPUISA_IR_NPUISA_H
#define NPU_DIALECT_NPUISA_IR_NPUISA_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "npu/Dialect/NPU/IR/NPU.h"

#include "npu/Dialect/NPUISA/IR/NPUISADialect.h.inc"
#include "npu/Dialect/NPUISA/IR/NPUISAEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPUISA/IR/NPUISAAttrs.h.inc"

#include "npu/Dialect/NPUISA/IR/NPUISAInterfaces.h.inc"

#define GET_OP_CLASSES
#include "npu/Dialect/NPUISA/IR/NPUISAOps.h.inc"

#endif // NPU_DIALECT_NPUISA_IR_NPUISA_H
