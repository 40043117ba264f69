//===- InitAll.h - register npu-mlir dialects, passes, translations -*- C++ -*-===//
//
// The one place the tools learn what the project provides. Each tool calls
// only what it needs.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_INITALL_H
#define NPU_INITALL_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"

#include "npu/Dialect/NN/IR/NN.h"
#include "npu/Dialect/NPU/IR/NPU.h"
#include "npu/Dialect/NPUISA/IR/NPUISA.h"

namespace mlir::npu {

/// Every dialect our IR may contain, plus the upstream ones it uses.
inline void registerAllDialects(DialectRegistry &registry) {
  registry.insert<func::FuncDialect, arith::ArithDialect, tensor::TensorDialect,
                  nn::NNDialect, npu::NPUDialect, npuisa::NPUISADialect>();
}

} // namespace mlir::npu

#endif // NPU_INITALL_H
