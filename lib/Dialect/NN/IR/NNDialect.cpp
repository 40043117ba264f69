//===- NNDialect.cpp - nn dialect registration -----------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::nn;

#include "npu/Dialect/NN/IR/NNDialect.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "npu/Dialect/NN/IR/NNOps.cpp.inc"
      >();
}
