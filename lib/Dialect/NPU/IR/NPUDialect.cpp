//===- NPUDialect.cpp - npu dialect registration --------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npu;

#include "npu/Dialect/NPU/IR/NPUDialect.cpp.inc"
#include "npu/Dialect/NPU/IR/NPUEnums.cpp.inc"
#include "npu/Dialect/NPU/IR/NPUInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "npu/Dialect/NPU/IR/NPUTypes.cpp.inc"

void NPUDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "npu/Dialect/NPU/IR/NPUAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "npu/Dialect/NPU/IR/NPUTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "npu/Dialect/NPU/IR/NPUOps.cpp.inc"
      >();
}
