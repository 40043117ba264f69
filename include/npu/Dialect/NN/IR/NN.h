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

namespace mlir::nn {

/// The ONNX importer marks an `nn.constant` holding a graph initializer (a
/// weight) with `nn.initializer = "<initializer name>"`; nn-params-to-state
/// turns such constants into state named after them.
constexpr llvm::StringLiteral kInitializerAttrName = "nn.initializer";

/// Function argument and result attributes of persistent state
/// (docs/training.md). On an argument of `@main`, the unit attribute
/// `nn.state` makes it a state tensor named by its `nn.name`; on a result,
/// `nn.state = "<name>"` makes it that tensor's value after the run.
constexpr llvm::StringLiteral kStateAttrName = "nn.state";
/// The value a state argument has when the binary is loaded (an
/// ElementsAttr of the argument's type; zeros when absent).
constexpr llvm::StringLiteral kInitialValueAttrName = "nn.initial_value";
/// Marks a state argument that is a trainable parameter: the optimizer
/// updates it from its gradient. Other state (e.g. running statistics) is
/// carried along but not differentiated.
constexpr llvm::StringLiteral kTrainableAttrName = "nn.trainable";

} // namespace mlir::nn

#endif // NPU_DIALECT_NN_IR_NN_H
