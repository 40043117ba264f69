//===- npu-opt.cpp - mlir-opt for npu-mlir --------------------------------===//
//
// Parses, verifies and transforms IR of our dialects with the mlir-opt
// command-line conventions (pass flags, --pass-pipeline, --verify-roundtrip).
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "npu/Conversion/Passes.h"
#include "npu/Dialect/NN/Transforms/Passes.h"
#include "npu/Dialect/NPU/Transforms/Passes.h"
#include "npu/Dialect/NPUISA/Transforms/Passes.h"
#include "npu/InitAll.h"
#include "npu/Support/LimitedOptMain.h"
#include "npu/Pipelines/Pipelines.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::npu::registerAllDialects(registry);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  mlir::nn::registerNNPasses();
  mlir::npu::registerNPUPasses();
  mlir::npu::registerNPUConversionPasses();
  mlir::npuisa::registerNPUISAPasses();
  mlir::npu::registerCompilePipeline();
  return mlir::asMainReturnCode(mlir::npu::mlirOptMainWithInputLimits(
      argc, argv, "npu-mlir optimizer driver\n", registry));
}
