//===- NNOps.cpp - nn op verifiers, type inference and folders -------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::nn;

#define GET_OP_CLASSES
#include "npu/Dialect/NN/IR/NNOps.cpp.inc"
