//===- fuzz_mlir_parse.cpp - libFuzzer: MLIR text -> parse + verify -------===//
//
// Parses arbitrary text with every dialect of the project registered (nn,
// npu, npuisa and the upstream ones they use) and runs the verifiers: our
// custom parsers, printers of attributes/types and verifiers see any input.
// A module that parses and verifies is also printed, since the printers of
// our attributes (e.g. #npu.target) must handle whatever the parser accepted.
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  npu::fuzz::QuietContext context(npu::fuzz::allDialects());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      npu::fuzz::parseModule(context, data, size);
  if (!module)
    return 0;
  std::string printed;
  llvm::raw_string_ostream os(printed);
  module->print(os, mlir::OpPrintingFlags().assumeVerified());
  return 0;
}
