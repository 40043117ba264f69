//===- NN.h - the nn dialect and its ops ------------------------*- C++ -*-===//
//
// Include this to use the nn dialect: the dialect class and every op class.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_IR_NN_H
#define NPU_DIALECT_NN_IR_NN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "npu/Dialect/NN/IR/NNDialect.h.inc"

#define GET_OP_CLASSES
#include "npu/Dialect/NN/IR/NNOps.h.inc"

#endif // NPU_DIALECT_NN_IR_NN_H
