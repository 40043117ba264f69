//===- NNGradients.h - vector-Jacobian product rules of nn ops --*- C++ -*-===//
//
// The reverse-mode derivative rule (VJP) of each nn op, kept with the dialect
// so that every op's gradient is defined next to its semantics. A rule takes
// the gradient of the loss with respect to each result of the op and builds
// nn ops computing the gradient with respect to each operand. The
// `nn-autodiff` pass (lib/Dialect/NN/Transforms/Autodiff.cpp) chains them.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_IR_NNGRADIENTS_H
#define NPU_DIALECT_NN_IR_NNGRADIENTS_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::nn {

/// Builds, at the builder's insertion point, the gradients of `op`'s operands
/// from `resultGrads` (one per result, never null). `operandGrads` comes in
/// with one null entry per operand; the rule fills the entries of the
/// differentiable operands (a null entry means "no gradient flows", e.g. an
/// integer index operand). A rule that cannot handle an attribute
/// combination of `op` emits an error on `op` and returns failure, building
/// nothing that is used.
using VJPRule = LogicalResult (*)(OpBuilder &builder, Operation *op,
                                  ArrayRef<Value> resultGrads,
                                  SmallVectorImpl<Value> &operandGrads);

/// The VJP rule of `op`, or nullptr when its op kind has none.
VJPRule lookupVJPRule(Operation *op);

/// The names of the op kinds that have a VJP rule (e.g. "nn.matmul"), for
/// documentation and diagnostics.
SmallVector<StringRef> getOpsWithVJPRule();

/// `grad` (whose shape is `shape` broadcast with something) summed over the
/// broadcast dimensions back to `shape`: the adjoint of numpy broadcasting.
Value sumToShape(OpBuilder &builder, Location loc, Value grad,
                 ArrayRef<int64_t> shape);

} // namespace mlir::nn

#endif // NPU_DIALECT_NN_IR_NNGRADIENTS_H
