//===- LimitedOptMain.h - MlirOptMain behind the input limits ---*- C++ -*-===//
//
// npu-opt's main: mlir-opt's command line and behaviour, except that the
// input is checked against InputLimits.h (nesting depth) before MLIR's
// recursive parser sees it, so hostile text gets a diagnostic instead of a
// stack overflow.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_SUPPORT_LIMITEDOPTMAIN_H
#define NPU_SUPPORT_LIMITEDOPTMAIN_H

#include "npu/Support/InputLimits.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::npu {

/// MlirOptMain(argc, argv, toolName, registry) with the input checked by
/// findExcessiveNesting first.
inline LogicalResult mlirOptMainWithInputLimits(int argc, char **argv,
                                                llvm::StringRef toolName,
                                                DialectRegistry &registry) {
  auto [inputFilename, outputFilename] =
      registerAndParseCLIOptions(argc, argv, toolName, registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return MlirOptMain(argc, argv, inputFilename, outputFilename, registry);

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << error << "\n";
    return failure();
  }
  if (std::optional<std::string> tooDeep =
          findExcessiveNesting(input->getBuffer())) {
    llvm::errs() << inputFilename << ": error: " << *tooDeep << "\n";
    return failure();
  }
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return failure();
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return failure();
  output->keep();
  return success();
}

} // namespace mlir::npu

#endif // NPU_SUPPORT_LIMITEDOPTMAIN_H
