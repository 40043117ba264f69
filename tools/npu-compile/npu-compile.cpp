//===- npu-compile.cpp - model in, chip binary out ------------------------===//
//
// npu-compile model.onnx -o model.npu [--target npu-base|npu-tiny|chip.json]
//             [--precision fp32|bf16] [--input-shape NAME=1x3x224x224]
//             [--input-value NAME=value.pb]
//             [--no-double-buffer] [--emit=nn|npu|npuisa|binary]
//             [--weights-as-state] [--train --loss=... --optimizer=... ...]
//             [--mlir-print-ir-after-all] [--mlir-timing] ...
//
// One process: imports the ONNX model (or parses nn IR from a .mlir file),
// runs the compile pipeline `npu-opt --npu-compile-pipeline` runs (or, with
// --train, the train pipeline of `--npu-train-pipeline`; lib/Pipelines),
// and writes the chip binary with the runtime's writer, or
// the IR of an earlier stage. Every error is a diagnostic or an
// "npu-compile: error:" line on stderr and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"
#include "npu/Dialect/NPUISA/IR/NPUISA.h"
#include "npu/Dialect/NPUISA/IR/ProgramConversion.h"
#include "npu/Import/ONNXImporter.h"
#include "npu/InitAll.h"
#include "npu/Pipelines/Pipelines.h"
#include "npu/Runtime/Binary.h"
#include "npu/Support/InputLimits.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace mlir;
using namespace llvm;

namespace {

/// What `--emit` writes.
enum class EmitKind { NN, NPU, NPUISA, Binary };

cl::OptionCategory compileCategory("npu-compile options");

cl::opt<std::string> inputFilename(cl::Positional,
                                   cl::desc("<model.onnx | model.mlir>"),
                                   cl::cat(compileCategory));
cl::opt<std::string> outputFilename("o", cl::desc("output file ('-': stdout)"),
                                    cl::value_desc("file"),
                                    cl::cat(compileCategory));
cl::opt<std::string>
    targetName("target",
               cl::desc("chip: a preset (npu-base, npu-tiny) or a .json file"),
               cl::value_desc("name|file.json"), cl::init("npu-base"),
               cl::cat(compileCategory));
cl::opt<npu::Precision> precision(
    "precision", cl::desc("dtype of MXU operands and float activations"),
    cl::values(clEnumValN(npu::Precision::FP32, "fp32",
                          "fp32 everywhere (default)"),
               clEnumValN(npu::Precision::BF16, "bf16",
                          "bf16 storage, f32 accumulation")),
    cl::init(npu::Precision::FP32), cl::cat(compileCategory));
cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("static shape for a graph input with dynamic dims: "
                         "NAME=D0xD1x... (repeatable)"),
                cl::value_desc("name=1x3x224x224"), cl::cat(compileCategory));
cl::list<std::string> inputValues(
    "input-value",
    cl::desc("make a graph input a constant with the value in an ONNX "
             "TensorProto file: NAME=FILE.pb (repeatable; for inputs that "
             "decide shapes, e.g. a Reshape target or Resize sizes)"),
    cl::value_desc("name=file.pb"), cl::cat(compileCategory));
cl::opt<bool> noDoubleBuffer(
    "no-double-buffer",
    cl::desc("one buffer per streamed operand: DMA and compute serialize"),
    cl::cat(compileCategory));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("what to write"),
    cl::values(clEnumValN(EmitKind::NN, "nn", "nn IR after graph passes"),
               clEnumValN(EmitKind::NPU, "npu",
                          "npu IR, tiled and placed in memory"),
               clEnumValN(EmitKind::NPUISA, "npuisa",
                          "npuisa IR, synchronized"),
               clEnumValN(EmitKind::Binary, "binary",
                          "the chip binary (default)")),
    cl::init(EmitKind::Binary), cl::cat(compileCategory));
cl::opt<bool> weightsAsState(
    "weights-as-state",
    cl::desc("make the weights persistent state named after the ONNX "
             "initializers, so the host can replace them (e.g. with a train "
             "binary's state)"),
    cl::cat(compileCategory));

cl::OptionCategory trainCategory("npu-compile training options "
                                 "(docs/training.md)");
cl::opt<bool> train("train",
                    cl::desc("compile a train step: inputs + labels + "
                             "learning_rate in, loss + outputs out, weights "
                             "and optimizer slots as state"),
                    cl::cat(trainCategory));
cl::opt<std::string>
    lossName("loss",
             cl::desc("sparse-categorical-crossentropy (default), "
                      "categorical-crossentropy, mse, binary-crossentropy"),
             cl::init("sparse-categorical-crossentropy"),
             cl::cat(trainCategory));
cl::opt<bool> fromLogits("from-logits",
                         cl::desc("the model's output holds logits"),
                         cl::cat(trainCategory));
cl::opt<std::string> optimizerName("optimizer",
                                   cl::desc("sgd (default) or adam"),
                                   cl::init("sgd"), cl::cat(trainCategory));
cl::opt<double> momentum("momentum", cl::desc("SGD momentum (default 0)"),
                         cl::init(0.0), cl::cat(trainCategory));
cl::opt<bool> nesterov("nesterov", cl::desc("SGD with Nesterov momentum"),
                       cl::cat(trainCategory));
cl::opt<double> beta1("beta1", cl::desc("Adam beta_1 (default 0.9)"),
                      cl::init(0.9), cl::cat(trainCategory));
cl::opt<double> beta2("beta2", cl::desc("Adam beta_2 (default 0.999)"),
                      cl::init(0.999), cl::cat(trainCategory));
cl::opt<double> epsilon("epsilon", cl::desc("Adam epsilon (default 1e-7)"),
                        cl::init(1e-7), cl::cat(trainCategory));

cl::opt<int64_t> inlineConstantLimit(
    "onnx-inline-constant-limit",
    cl::desc("constants with at most this many elements are printed inline; "
             "larger ones become dense_resource blobs"),
    cl::init(16), cl::cat(compileCategory));
cl::opt<int64_t> foldElementLimit(
    "onnx-fold-element-limit",
    cl::desc("maximum elements of one tensor computed at import time"),
    cl::init(int64_t(1) << 24), cl::cat(compileCategory));
cl::opt<int64_t> foldByteBudget(
    "onnx-fold-byte-budget",
    cl::desc("maximum total bytes of tensors computed at import time"),
    cl::init(int64_t(1) << 30), cl::cat(compileCategory));
cl::opt<bool> f64AsF32(
    "onnx-f64-as-f32",
    cl::desc("compute DOUBLE tensors in f32 (the chip has no f64): DOUBLE "
             "inputs, outputs and constants become f32"),
    cl::cat(compileCategory));

/// Prints "npu-compile: error: <message>" and returns failure.
LogicalResult toolError(const Twine &message) {
  WithColor::error(errs(), "npu-compile") << message << "\n";
  return failure();
}

/// The ONNX node a diagnostic is about: the importer names every op's
/// location after its node (NameLoc, possibly fused with others).
std::optional<StringRef> nodeNameOf(Location loc) {
  std::optional<StringRef> name;
  loc->walk([&](Location inner) {
    if (auto nameLoc = dyn_cast<NameLoc>(inner)) {
      name = nameLoc.getName().getValue();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// True for a location naming a line of a text file (a .mlir input).
bool hasSourcePosition(Location loc) {
  auto fileLoc = dyn_cast<FileLineColLoc>(loc);
  return fileLoc && fileLoc.getLine() > 0;
}

/// Prints `diag` as "<where>: <severity>: [node 'N': ]<message>", where is
/// the file of a file location (the model) or the input file.
void printDiagnostic(raw_ostream &os, Diagnostic &diag) {
  Location loc = diag.getLocation();
  if (auto fileLoc = dyn_cast<FileLineColLoc>(loc))
    os << fileLoc.getFilename().getValue();
  else
    os << inputFilename;
  switch (diag.getSeverity()) {
  case DiagnosticSeverity::Error:
    os << ": error: ";
    break;
  case DiagnosticSeverity::Warning:
    os << ": warning: ";
    break;
  case DiagnosticSeverity::Note:
    os << ": note: ";
    break;
  case DiagnosticSeverity::Remark:
    os << ": remark: ";
    break;
  }
  if (std::optional<StringRef> node = nodeNameOf(loc))
    os << "node '" << *node << "': ";
  os << diag << "\n";
}

/// The stage whose output `--emit` asks for.
npu::CompileStage stageFor(EmitKind kind) {
  switch (kind) {
  case EmitKind::NN:
    return npu::CompileStage::NN;
  case EmitKind::NPU:
    return npu::CompileStage::NPU;
  case EmitKind::NPUISA:
  case EmitKind::Binary:
    break;
  }
  return npu::CompileStage::NPUISA;
}

/// Imports `buffer` as an ONNX model, or parses it as MLIR when the file name
/// ends in .mlir.
OwningOpRef<ModuleOp> loadModel(SourceMgr &sourceMgr, MLIRContext &context) {
  const MemoryBuffer *buffer =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  StringRef path = buffer->getBufferIdentifier();
  if (sys::path::extension(path) == ".mlir")
    return parseSourceFile<ModuleOp>(sourceMgr, &context);

  npu::ONNXImportOptions options;
  options.inlineConstantLimit = inlineConstantLimit;
  options.foldElementLimit = foldElementLimit;
  options.foldByteBudget = foldByteBudget;
  options.f64AsF32 = f64AsF32;
  // A train step runs the model in training mode: batch statistics and
  // active dropout.
  options.training = train;
  for (const std::string &spec : inputShapes) {
    Expected<npu::InputShapeBinding> binding =
        npu::parseInputShapeBinding(spec);
    if (!binding) {
      (void)toolError(toString(binding.takeError()));
      return nullptr;
    }
    options.inputShapes.push_back(std::move(*binding));
  }
  for (const std::string &spec : inputValues) {
    Expected<npu::InputValueBinding> binding =
        npu::parseInputValueBinding(spec);
    if (!binding) {
      (void)toolError(toString(binding.takeError()));
      return nullptr;
    }
    options.inputValues.push_back(std::move(*binding));
  }
  return npu::importONNXModel(buffer->getBuffer(), path, options, &context);
}

/// Converts the module's npuisa.program to the runtime's form and writes it
/// with the runtime's binary writer.
LogicalResult writeChipBinary(ModuleOp module, raw_ostream &os) {
  auto programs = module.getOps<npuisa::ProgramOp>();
  if (programs.empty())
    return module.emitError("the pipeline produced no npuisa.program");
  if (std::next(programs.begin()) != programs.end())
    return module.emitError("more than one npuisa.program; a binary holds one");
  npuisa::ProgramOp program = *programs.begin();
  npu::TargetAttr target = npu::TargetAttr::lookup(program);
  if (!target)
    return program.emitOpError("has no 'npu.target'");
  FailureOr<npurt::Program> runtimeProgram =
      npuisa::toProgram(program, target.getTarget());
  if (failed(runtimeProgram))
    return failure();
  Expected<std::vector<uint8_t>> bytes = npurt::writeBinary(*runtimeProgram);
  if (!bytes)
    return program.emitError() << toString(bytes.takeError());
  os.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  return success();
}

LogicalResult compile(MLIRContext &context, TimingScope &timing) {
  if (inputFilename.empty())
    return toolError("no model given (usage: npu-compile model.onnx -o "
                     "model.npu; see --help)");
  if (emitKind == EmitKind::Binary && outputFilename.empty())
    return toolError("no output file: give -o model.npu (or -o - for stdout)");
  if (inlineConstantLimit < 0 || foldElementLimit < 0 || foldByteBudget < 0)
    return toolError("--onnx-* limits must not be negative");
  if (!train) {
    const cl::Option *trainOnly[] = {&lossName, &fromLogits, &optimizerName,
                                     &momentum, &nesterov, &beta1,
                                     &beta2,    &epsilon};
    for (const cl::Option *option : trainOnly)
      if (option->getNumOccurrences())
        return toolError("--" + option->ArgStr + " needs --train");
  } else if (weightsAsState) {
    return toolError("--weights-as-state is for inference binaries; a "
                     "--train binary always has its weights as state");
  }

  // Untrusted input gets the limits npu-translate and npu-opt apply
  // (docs/security.md): an ONNX file is refused by size before it is read,
  // MLIR text by nesting depth before the recursive parser sees it.
  bool isMLIR = sys::path::extension(inputFilename) == ".mlir";
  if (!isMLIR)
    if (std::optional<std::string> tooLarge = npu::checkFileSizeLimit(
            inputFilename, npu::kMaxONNXModelBytes,
            "the ONNX importer (an ONNX model over 2 GiB must keep its "
            "weights in external data)"))
      return toolError(*tooLarge);
  std::string errorMessage;
  std::unique_ptr<MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input)
    return toolError(errorMessage);
  if (isMLIR)
    if (std::optional<std::string> tooDeep =
            npu::findExcessiveNesting(input->getBuffer()))
      return toolError(inputFilename + ": " + *tooDeep);

  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  // Diagnostics on ops of an imported model carry no file position, only the
  // ONNX node: print "model.onnx: error: node 'name': ..." instead of
  // "<unknown>:0: error: loc(...)". Positions in a .mlir file go on to the
  // source manager's handler, which shows the line.
  ScopedDiagnosticHandler nodeDiagnostics(&context, [](Diagnostic &diag) {
    if (hasSourcePosition(diag.getLocation()))
      return failure();
    printDiagnostic(errs(), diag);
    for (Diagnostic &note : diag.getNotes())
      printDiagnostic(errs(), note);
    return success();
  });

  OwningOpRef<ModuleOp> module;
  {
    TimingScope importTiming = timing.nest("import");
    module = loadModel(sourceMgr, context);
  }
  if (!module)
    return failure();

  npu::CompileOptions options;
  options.target = targetName;
  options.precision = precision;
  options.doubleBuffer = !noDoubleBuffer;
  options.weightsAsState = weightsAsState;
  options.stopAfter = stageFor(emitKind);

  PassManager pm(&context, ModuleOp::getOperationName());
  if (failed(applyPassManagerCLOptions(pm)))
    return toolError("invalid pass manager options");
  TimingScope pipelineTiming = timing.nest("pipeline");
  pm.enableTiming(pipelineTiming);
  if (train) {
    npu::TrainOptions trainOptions;
    trainOptions.loss = lossName;
    trainOptions.fromLogits = fromLogits;
    trainOptions.optimizer = optimizerName;
    trainOptions.momentum = momentum;
    trainOptions.nesterov = nesterov;
    trainOptions.beta1 = beta1;
    trainOptions.beta2 = beta2;
    trainOptions.epsilon = epsilon;
    npu::buildTrainPipeline(pm, options, trainOptions);
  } else {
    npu::buildCompilePipeline(pm, options);
  }
  if (failed(pm.run(*module)))
    return failure();
  pipelineTiming.stop();

  std::unique_ptr<ToolOutputFile> output =
      openOutputFile(outputFilename.empty() ? "-" : outputFilename.getValue(),
                     &errorMessage);
  if (!output)
    return toolError(errorMessage);
  if (emitKind == EmitKind::Binary) {
    TimingScope writeTiming = timing.nest("serialize");
    if (failed(writeChipBinary(*module, output->os())))
      return failure();
  } else {
    module->print(output->os());
    output->os() << "\n";
  }
  output->os().flush();
  if (output->os().has_error())
    return toolError("cannot write '" + outputFilename + "': " +
                     output->os().error().message());
  output->keep();
  return success();
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM initLLVM(argc, argv);
  registerMLIRContextCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
  registerAsmPrinterCLOptions();
  // libLLVM registers hundreds of code-generation options; --help lists
  // ours and MLIR's (--mlir-*) only (--help-hidden still shows all).
  for (auto &[name, option] : cl::getRegisteredOptions()) {
    bool ours = llvm::is_contained(option->Categories, &compileCategory) ||
                llvm::is_contained(option->Categories, &trainCategory);
    if (!ours && !name.starts_with("mlir-") && name != "help" &&
        name != "version" && name != "o")
      option->setHiddenFlag(cl::Hidden);
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "npu-compile: compile an ONNX model (or nn IR in a .mlir file) into a "
      "chip binary\n");

  DialectRegistry registry;
  npu::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // A diagnostic names the op and its ONNX node; printing the op (with a
  // model's worth of operands) would bury the message.
  context.printOpOnDiagnostic(false);

  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();
  return succeeded(compile(context, timing)) ? 0 : 1;
}
