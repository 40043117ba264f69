//===- npu-translate.cpp - translations in and out of npu-mlir ------------===//
//
// --import-onnx (ONNX model -> nn), --serialize-npu / --deserialize-npu
// (npuisa <-> chip binary).
//
// The driver follows mlir-translate's command line (input file or stdin, -o,
// chained translations, --split-input-file, --verify-diagnostics) but opens
// the input itself: a translation with a size limit (an ONNX model is at most
// 2 GiB - 1 bytes, protobuf's limit) is refused by the file's size BEFORE
// anything is read, and standard input is read only up to that limit. The
// upstream mlirTranslateMain reads the whole input first, so a multi-GiB file
// passed to --import-onnx used to be copied into memory before being refused.
//
//===----------------------------------------------------------------------===//
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-translate/Translation.h"

#include "npu/Import/ONNXImporter.h"
#include "npu/InitAll.h"
#include "npu/Support/InputLimits.h"
#include "npu/Target/NPUISA/Registration.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

using namespace mlir;

static llvm::cl::opt<std::string> inputFilename(llvm::cl::Positional,
                                                llvm::cl::desc("<input file>"),
                                                llvm::cl::init("-"));
static llvm::cl::opt<std::string>
    outputFilename("o", llvm::cl::desc("Output filename"),
                   llvm::cl::value_desc("filename"), llvm::cl::init("-"));
static llvm::cl::opt<bool> allowUnregisteredDialects(
    "allow-unregistered-dialect",
    llvm::cl::desc("Allow operations of unregistered dialects (testing only)"),
    llvm::cl::init(false));
static llvm::cl::opt<std::string> inputSplitMarker(
    "split-input-file", llvm::cl::ValueOptional,
    llvm::cl::callback([](const std::string &marker) {
      if (marker.empty())
        inputSplitMarker.setValue(kDefaultSplitMarker);
    }),
    llvm::cl::desc("Split the input file into chunks at the given or default "
                   "marker and process each chunk independently"),
    llvm::cl::init(""));
static llvm::cl::opt<std::string> outputSplitMarker(
    "output-split-marker",
    llvm::cl::desc("Split marker written between the outputs of chunks"),
    llvm::cl::init(""));
static llvm::cl::opt<bool> verifyDiagnostics(
    "verify-diagnostics",
    llvm::cl::desc("Check that emitted diagnostics match expected-* lines on "
                   "the corresponding line"),
    llvm::cl::init(false));

/// Input size limits of the translations that have one, by flag name.
static std::optional<uint64_t> inputLimitOf(llvm::StringRef translation) {
  if (translation == "import-onnx")
    return mlir::npu::kMaxONNXModelBytes;
  return std::nullopt;
}

/// Whether the input of `translation` is MLIR text (checked for nesting depth
/// before MLIR's recursive parser sees it). Only the importers of other
/// formats are exempt, so a new MLIR-to-X translation is covered by default.
static bool readsMLIRText(llvm::StringRef translation) {
  return translation != "import-onnx" && translation != "deserialize-npu";
}

/// The flag name under which `translation` was registered.
static llvm::StringRef
nameOf(const Translation *translation,
       llvm::cl::list<const Translation *, bool, TranslationParser>
           &translations) {
  using Value = llvm::cl::OptionValue<const Translation *>;
  TranslationParser &parser = translations.getParser();
  for (unsigned i = 0, e = parser.getNumOptions(); i < e; ++i)
    if (static_cast<const Value &>(parser.getOptionValue(i)).getValue() ==
        translation)
      return parser.getOption(i);
  return "";
}

/// Reads standard input, failing once more than `limit` bytes arrive (a pipe
/// has no size to check up front).
static std::unique_ptr<llvm::MemoryBuffer> readStdinUpTo(uint64_t limit,
                                                         std::string &error) {
  std::string data;
  char chunk[1 << 16];
  while (true) {
    llvm::Expected<size_t> count = llvm::sys::fs::readNativeFile(
        llvm::sys::fs::getStdinHandle(), llvm::MutableArrayRef(chunk));
    if (!count) {
      error = "cannot read standard input: " + toString(count.takeError());
      return nullptr;
    }
    if (*count == 0)
      break;
    data.append(chunk, *count);
    if (data.size() > limit) {
      error = ("standard input exceeds the input size limit of this "
               "translation (" +
               llvm::Twine(limit) + " bytes)")
                  .str();
      return nullptr;
    }
  }
  return llvm::MemoryBuffer::getMemBufferCopy(data, "<stdin>");
}

/// Opens the input, refusing it by size before reading when the translation
/// has a limit. Errors name the file, its size and the limit.
static std::unique_ptr<llvm::MemoryBuffer>
openLimitedInput(llvm::StringRef path, std::optional<uint64_t> limit,
                 std::optional<llvm::Align> alignment, std::string &error) {
  if (limit)
    if (std::optional<std::string> tooLarge = mlir::npu::checkFileSizeLimit(
            path, *limit,
            "this translation (an ONNX model over 2 GiB must keep its "
            "weights in external data)")) {
      error = std::move(*tooLarge);
      return nullptr;
    }
  if (limit && path == "-")
    return readStdinUpTo(*limit, error);
  return alignment ? openInputFile(path, *alignment, &error)
                   : openInputFile(path, &error);
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::npu::registerONNXImportTranslation();
  mlir::npuisa::registerNPUBinaryTranslations();

  // Built after the registrations: the parser lists the translations.
  llvm::cl::list<const Translation *, bool, TranslationParser> translations(
      "", llvm::cl::desc("Translations to perform"), llvm::cl::Required);
  registerAsmPrinterCLOptions();
  registerMLIRContextCLOptions();
  registerTranslationCLOptions();
  registerDefaultTimingManagerCLOptions();
  llvm::cl::ParseCommandLineOptions(argc, argv, "npu-mlir translation driver\n");

  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  TimingScope timing = timingManager.getRootScope();

  std::string error;
  llvm::StringRef firstName = nameOf(translations[0], translations);
  std::unique_ptr<llvm::MemoryBuffer> input =
      openLimitedInput(inputFilename, inputLimitOf(firstName),
                       translations[0]->getInputAlignment(), error);
  if (!input) {
    llvm::errs() << "npu-translate: error: " << error << "\n";
    return 1;
  }
  if (readsMLIRText(firstName))
    if (std::optional<std::string> tooDeep =
            mlir::npu::findExcessiveNesting(input->getBuffer())) {
      llvm::errs() << inputFilename << ": error: " << *tooDeep << "\n";
      return 1;
    }
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << "npu-translate: error: " << error << "\n";
    return 1;
  }

  // Runs the chain of translations on one chunk, each in a fresh context.
  auto processChunk = [&](std::unique_ptr<llvm::MemoryBuffer> chunk,
                          llvm::raw_ostream &os) -> LogicalResult {
    std::string intermediate;
    for (size_t i = 0, e = translations.size(); i < e; ++i) {
      const Translation &translation = *translations[i];
      TimingScope translationTiming = timing.nest(translation.getDescription());
      bool last = i + 1 == e;
      std::string produced;
      llvm::raw_string_ostream producedStream(produced);
      llvm::raw_ostream &out = last ? os : producedStream;

      MLIRContext context;
      context.allowUnregisteredDialects(allowUnregisteredDialects);
      context.printOpOnDiagnostic(!verifyDiagnostics);
      auto sourceMgr = std::make_shared<llvm::SourceMgr>();
      sourceMgr->AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
      LogicalResult result = success();
      if (verifyDiagnostics) {
        SourceMgrDiagnosticVerifierHandler handler(*sourceMgr, &context);
        (void)translation(sourceMgr, out, &context);
        result = handler.verify();
      } else {
        SourceMgrDiagnosticHandler handler(*sourceMgr, &context);
        result = translation(sourceMgr, out, &context);
      }
      if (failed(result))
        return failure();
      if (!last) {
        intermediate = std::move(produced);
        // A copy: parsers of the next translation need a NUL terminator.
        chunk = llvm::MemoryBuffer::getMemBufferCopy(intermediate,
                                                     "<translated>");
      }
    }
    return success();
  };

  if (failed(splitAndProcessBuffer(std::move(input), processChunk,
                                   output->os(), inputSplitMarker,
                                   outputSplitMarker)))
    return 1;
  output->keep();
  return 0;
}
