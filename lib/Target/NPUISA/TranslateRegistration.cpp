//===- TranslateRegistration.cpp - --serialize-npu / --deserialize-npu -----===//
//
// Serialization verifies the IR (the driver already ran the op verifiers,
// which check every instruction against the chip), proves the program free
// of deadlock, converts it to the runtime's Program and writes the ELF with
// the runtime's writer. Deserialization uses the runtime's validating reader,
// so a malformed file is rejected with the reader's message before any IR is
// built.
//
//===----------------------------------------------------------------------===//
#include "npu/Target/NPUISA/Registration.h"

#include "npu/Dialect/NPUISA/Analysis/DeadlockCheck.h"
#include "npu/Dialect/NPUISA/IR/ProgramConversion.h"
#include "npu/Runtime/Binary.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"

#include "llvm/Support/SourceMgr.h"

using namespace mlir;
using namespace mlir::npuisa;

/// The module's single program, or an error.
static FailureOr<ProgramOp> findProgram(ModuleOp module) {
  auto programs = module.getOps<ProgramOp>();
  if (programs.empty())
    return module.emitError("no npuisa.program to serialize");
  if (std::next(programs.begin()) != programs.end())
    return module.emitError("more than one npuisa.program; a binary holds one");
  return *programs.begin();
}

static LogicalResult serialize(ModuleOp module, raw_ostream &output) {
  FailureOr<ProgramOp> program = findProgram(module);
  if (failed(program))
    return failure();
  npu::TargetAttr target = npu::TargetAttr::lookup(*program);
  if (!target)
    return program->emitOpError("needs the chip: an 'npu.target' attribute "
                                "on the program or an enclosing module");
  if (failed(verifyNoDeadlock(*program)))
    return failure();
  FailureOr<npurt::Program> runtimeProgram =
      toProgram(*program, target.getTarget());
  if (failed(runtimeProgram))
    return failure();
  llvm::Expected<std::vector<uint8_t>> bytes =
      npurt::writeBinary(*runtimeProgram);
  if (!bytes)
    return program->emitError() << llvm::toString(bytes.takeError());
  output.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  return success();
}

static OwningOpRef<Operation *>
deserialize(const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
            MLIRContext *context) {
  const llvm::MemoryBuffer *buffer =
      sourceMgr->getMemoryBuffer(sourceMgr->getMainFileID());
  Location loc = FileLineColLoc::get(context, buffer->getBufferIdentifier(),
                                     0, 0);
  llvm::Expected<npurt::Program> program =
      npurt::readBinary(buffer->getMemBufferRef());
  if (!program) {
    emitError(loc) << "invalid chip binary: "
                   << llvm::toString(program.takeError());
    return {};
  }
  context->loadDialect<npu::NPUDialect, NPUISADialect>();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  if (failed(fromProgram(*module, *program, "program")))
    return {};
  return OwningOpRef<Operation *>(module.release());
}

void mlir::npuisa::registerNPUBinaryTranslations() {
  static TranslateFromMLIRRegistration serializeRegistration(
      "serialize-npu", "npuisa program -> chip binary (ELF)",
      [](ModuleOp module, raw_ostream &output) {
        return serialize(module, output);
      },
      [](DialectRegistry &registry) {
        registry.insert<npu::NPUDialect, NPUISADialect>();
      });
  static TranslateToMLIRRegistration deserializeRegistration(
      "deserialize-npu", "chip binary (ELF) -> npuisa program",
      [](const std::shared_ptr<llvm::SourceMgr> &sourceMgr,
         MLIRContext *context) { return deserialize(sourceMgr, context); },
      [](DialectRegistry &registry) {
        registry.insert<npu::NPUDialect, NPUISADialect>();
      },
      /*inputAlignment=*/llvm::Align(8));
}
