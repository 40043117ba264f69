//===- NPUDialect.cpp - npu dialect registration ---------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"



using namespace mlir;
using namespace mlir::npu;

#include "npu/Dialect/NPU/IR/NPUDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUAttrs.cpp.inc"

void NPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "npu/Dialect/NPU/IR/NPUAttrs.cpp.inc"
      >();
}
