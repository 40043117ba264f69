//===- NNOps.cpp - nn op definitions and simple verifiers -----------------===//
//
// Instantiates the ODS-generated op classes and holds the verifiers of ops
// whose result type is their operand's (attribute checks only). Shape
// functions live in NNShapes.cpp and folders in NNFolds.cpp, which keeps this
// translation unit (dominated by generated code) from growing further.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::nn;

#define GET_OP_CLASSES
#include "npu/Dialect/NN/IR/NNOps.cpp.inc"

LogicalResult ClipOp::verify() {
  std::optional<APFloat> min = getMin(), max = getMax();
  if (min && max && max->compare(*min) == APFloat::cmpLessThan)
    return emitOpError("min ")
           << min->convertToFloat() << " is greater than max "
           << max->convertToFloat();
  return success();
}

LogicalResult GeluOp::verify() {
  if (getApproximate() != "none" && getApproximate() != "tanh")
    return emitOpError("approximate must be \"none\" or \"tanh\", got \"")
           << getApproximate() << "\"";
  return success();
}

/// Softmax-style ops take one normalized axis.
static LogicalResult verifySoftmaxAxis(Operation *op, int64_t axis,
                                       RankedTensorType type) {
  if (axis < 0 || axis >= type.getRank())
    return op->emitOpError("axis ")
           << axis << " is out of range [0, " << type.getRank() << ")";
  return success();
}

LogicalResult SoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getAxis(), getInput().getType());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getAxis(), getInput().getType());
}
