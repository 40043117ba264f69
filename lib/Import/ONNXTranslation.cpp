//===- ONNXTranslation.cpp - the --import-onnx translation ----------------===//
//
// Registers `npu-translate --import-onnx` and its options. The translation
// reads the whole file through mlir-translate's SourceMgr; the buffer's
// identifier is the model path, which anchors external data.
//
//===----------------------------------------------------------------------===//
#include "npu/Import/ONNXImporter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "npu/Dialect/NN/IR/NN.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

void mlir::npu::registerONNXImportTranslation() {
  static llvm::cl::list<std::string> inputShapes(
      "input-shape",
      llvm::cl::desc("(--import-onnx) static shape for a graph input with "
                     "dynamic dims: NAME=D0xD1x... (repeatable)"),
      llvm::cl::value_desc("name=1x3x224x224"));
  static llvm::cl::list<std::string> inputValues(
      "input-value",
      llvm::cl::desc("(--import-onnx) make a graph input a constant with the "
                     "value in an ONNX TensorProto file: NAME=FILE.pb "
                     "(repeatable; for inputs that decide shapes)"),
      llvm::cl::value_desc("name=file.pb"));
  static llvm::cl::opt<bool> f64AsF32(
      "onnx-f64-as-f32",
      llvm::cl::desc("(--import-onnx) compute DOUBLE tensors in f32 (the "
                     "chip has no f64): DOUBLE inputs, outputs and constants "
                     "become f32"));
  static llvm::cl::opt<int64_t> inlineConstantLimit(
      "onnx-inline-constant-limit",
      llvm::cl::desc("(--import-onnx) constants with at most this many "
                     "elements are printed inline; larger ones become "
                     "dense_resource blobs"),
      llvm::cl::init(16));
  static llvm::cl::opt<int64_t> foldByteBudget(
      "onnx-fold-byte-budget",
      llvm::cl::desc("(--import-onnx) maximum total bytes of tensors "
                     "computed at import time (shape subgraphs)"),
      llvm::cl::init(int64_t(1) << 30));
  static llvm::cl::opt<bool> training(
      "onnx-training",
      llvm::cl::desc("(--import-onnx) import the model in training mode: "
                     "BatchNormalization with batch statistics "
                     "(nn.batch_norm_train), Dropout active (nn.dropout, "
                     "seeded by a new last input 'dropout_seed')"),
      llvm::cl::init(false));

  static TranslateToMLIRRegistration registration(
      "import-onnx", "import an ONNX model (.onnx) into the nn dialect",
      [](llvm::SourceMgr &sourceMgr,
         MLIRContext *context) -> OwningOpRef<Operation *> {
        const llvm::MemoryBuffer *buffer =
            sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
        llvm::StringRef path = buffer->getBufferIdentifier();
        ONNXImportOptions options;
        options.inlineConstantLimit = inlineConstantLimit;
        options.foldByteBudget = foldByteBudget;
        options.training = training;
        options.f64AsF32 = f64AsF32;
        for (const std::string &spec : inputShapes) {
          auto binding = parseInputShapeBinding(spec);
          if (!binding) {
            emitError(FileLineColLoc::get(context, path, 0, 0))
                << llvm::toString(binding.takeError());
            return nullptr;
          }
          options.inputShapes.push_back(std::move(*binding));
        }
        for (const std::string &spec : inputValues) {
          auto binding = parseInputValueBinding(spec);
          if (!binding) {
            emitError(FileLineColLoc::get(context, path, 0, 0))
                << llvm::toString(binding.takeError());
            return nullptr;
          }
          options.inputValues.push_back(std::move(*binding));
        }
        OwningOpRef<ModuleOp> module =
            importONNXModel(buffer->getBuffer(), path, options, context);
        return OwningOpRef<Operation *>(module.release());
      },
      [](DialectRegistry &registry) {
        registry.insert<nn::NNDialect, func::FuncDialect>();
      });
  (void)registration;
}
