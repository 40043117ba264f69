//===- FuzzSupport.h - shared pieces of the libFuzzer targets ---*- C++ -*-===//
//
// Every fuzz target runs the same code as the tools on attacker-controlled
// bytes. A target only checks that the code under test returns (success or a
// diagnostic); ASan/UBSan, libFuzzer's -rss_limit_mb/-timeout and the
// assertions here catch everything else.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_FUZZ_FUZZSUPPORT_H
#define NPU_FUZZ_FUZZSUPPORT_H

#include "npu/InitAll.h"
#include "npu/Support/InputLimits.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace npu::fuzz {

/// Prints diagnostics when NPU_FUZZ_VERBOSE is set: replaying one input with
/// the fuzzer binary then shows why it was rejected.
inline bool verbose() { return std::getenv("NPU_FUZZ_VERBOSE") != nullptr; }

/// An MLIRContext that swallows diagnostics (printing thousands of them per
/// second would dominate the fuzzer's time) and runs single-threaded, so a
/// report's stack is the one that failed.
class QuietContext {
public:
  explicit QuietContext(const mlir::DialectRegistry &registry)
      : context(registry, mlir::MLIRContext::Threading::DISABLED),
        handler(&context, [](mlir::Diagnostic &diag) {
          if (verbose())
            llvm::errs() << diag.getLocation() << ": " << diag << "\n";
          return mlir::success();
        }) {
    context.loadAllAvailableDialects();
  }
  mlir::MLIRContext *get() { return &context; }

private:
  mlir::MLIRContext context;
  mlir::ScopedDiagnosticHandler handler;
};

/// Every dialect of the project (nn, npu, npuisa and the upstream ones they
/// use), registered once per process.
inline const mlir::DialectRegistry &allDialects() {
  static const mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry();
    mlir::npu::registerAllDialects(*r);
    return r;
  }();
  return *registry;
}

/// Parses and verifies fuzz bytes as an MLIR module, as the tools do: text
/// nested deeper than the tools accept is refused before parsing (MLIR's
/// parser would overflow the stack). Null when rejected.
inline mlir::OwningOpRef<mlir::ModuleOp>
parseModule(QuietContext &context, const uint8_t *data, size_t size) {
  // The parser needs a NUL-terminated buffer.
  std::string text(reinterpret_cast<const char *>(data), size);
  if (mlir::npu::findExcessiveNesting(text))
    return nullptr;
  mlir::ParserConfig config(context.get(), /*verifyAfterParse=*/true);
  return mlir::parseSourceString<mlir::ModuleOp>(text, config);
}

} // namespace npu::fuzz

#endif // NPU_FUZZ_FUZZSUPPORT_H
