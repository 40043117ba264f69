//===- Pipelines.cpp - the nn -> chip binary compile pipeline -------------===//
//
// Orders the passes from an imported nn model to a synchronized npuisa
// program. nn-level passes run on `func.func @main` (nested), the rest on the
// module, because tiling replaces the function by an `npu.program`.
//
//===----------------------------------------------------------------------===//
#include "npu/Pipelines/Pipelines.h"

#include "npu/Conversion/Passes.h"
#include "npu/Dialect/NN/Transforms/Passes.h"
#include "npu/Dialect/NPU/Transforms/Passes.h"
#include "npu/Dialect/NPUISA/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::npu;

std::optional<Precision> mlir::npu::parsePrecision(StringRef text) {
  if (text == "fp32")
    return Precision::FP32;
  if (text == "bf16")
    return Precision::BF16;
  return std::nullopt;
}

StringRef mlir::npu::stringifyPrecision(Precision precision) {
  return precision == Precision::FP32 ? "fp32" : "bf16";
}

void mlir::npu::buildCompilePipeline(OpPassManager &pm,
                                     const CompileOptions &options) {
  NPUSetTargetPassOptions targetOptions;
  targetOptions.target = options.target;
  pm.addPass(createNPUSetTargetPass(targetOptions));
  // Before anything folds or merges the weight constants.
  if (options.weightsAsState)
    pm.addPass(nn::createNNParamsToState());

  // Graph level: fold what the importer left foldable, fold batch norms with
  // constant parameters into convs, expand composite ops (the other batch
  // norms included) into the primitives the kernels implement, then fold
  // constant biases and scales into the matrix ops so the MXU kernels apply
  // them in their epilogues. Canonicalizing after the rewrites removes the
  // constants and reshapes they orphan; CSE then merges what the
  // decompositions compute twice (a softmax output and the log_softmax of
  // its loss share their max, exp and sum; a train step's forward and
  // gradient halves share subexpressions), each a pass over DRAM on the chip.
  OpPassManager &graph = pm.nest<func::FuncOp>();
  graph.addPass(createCanonicalizerPass());
  graph.addPass(nn::createNNFoldBatchNorm());
  graph.addPass(nn::createNNDecompose());
  graph.addPass(nn::createNNFuse());
  graph.addPass(createCanonicalizerPass());
  graph.addPass(createCSEPass());
  if (options.stopAfter == CompileStage::NN)
    return;

  // Chip level: tile every op into instructions on unplaced buffers, give
  // every buffer an address (proving no two live ones overlap), then order
  // the engines with semaphores and prove the result free of deadlock.
  NPUTilePassOptions tileOptions;
  tileOptions.precision = stringifyPrecision(options.precision).str();
  tileOptions.doubleBuffer = options.doubleBuffer;
  pm.addPass(createNPUTilePass(tileOptions));
  pm.addPass(createNPUStateInPlacePass());
  pm.addPass(createNPUPlaceMemoryPass());
  if (options.stopAfter == CompileStage::NPU)
    return;
  pm.addPass(createNPULowerToISAPass());
  pm.addPass(npuisa::createNPUISAVerifySyncPass());
}

void mlir::npu::buildTrainPipeline(OpPassManager &pm,
                                   const CompileOptions &compile,
                                   const TrainOptions &train) {
  // The weights become trainable state (the running statistics of training
  // batch norms and the dropout step counter state that the model itself
  // updates), the model a loss function returning (loss, outputs), its
  // gradient function the train step that updates the state; then it
  // compiles like any model. Nothing here may fold the weights first, so
  // this precedes the graph passes.
  pm.addPass(nn::createNNParamsToState());
  pm.addPass(nn::createNNTrainingState());
  nn::NNAppendLossOptions lossOptions;
  lossOptions.loss = train.loss;
  lossOptions.fromLogits = train.fromLogits;
  pm.addPass(nn::createNNAppendLoss(lossOptions));
  nn::NNAutodiffOptions autodiffOptions;
  autodiffOptions.funcName = "main";
  pm.addPass(nn::createNNAutodiff(autodiffOptions));
  nn::NNOptimizerOptions optimizerOptions;
  optimizerOptions.optimizer = train.optimizer;
  optimizerOptions.momentum = train.momentum;
  optimizerOptions.nesterov = train.nesterov;
  optimizerOptions.beta1 = train.beta1;
  optimizerOptions.beta2 = train.beta2;
  optimizerOptions.epsilon = train.epsilon;
  pm.addPass(nn::createNNOptimizer(optimizerOptions));
  CompileOptions rest = compile;
  rest.weightsAsState = false; // Already state.
  buildCompilePipeline(pm, rest);
}

CompileOptions CompilePipelineOptions::toCompileOptions() const {
  CompileOptions options;
  options.target = target;
  options.precision = precision;
  options.doubleBuffer = doubleBuffer;
  options.weightsAsState = weightsAsState;
  return options;
}

CompileOptions TrainPipelineOptions::toCompileOptions() const {
  CompileOptions options;
  options.target = target;
  options.precision = precision;
  options.doubleBuffer = doubleBuffer;
  return options;
}

TrainOptions TrainPipelineOptions::toTrainOptions() const {
  TrainOptions options;
  options.loss = loss;
  options.fromLogits = fromLogits;
  options.optimizer = optimizer;
  options.momentum = momentum;
  options.nesterov = nesterov;
  options.beta1 = beta1;
  options.beta2 = beta2;
  options.epsilon = epsilon;
  return options;
}

void mlir::npu::registerCompilePipeline() {
  PassPipelineRegistration<CompilePipelineOptions>(
      "npu-compile-pipeline",
      "compile a module holding func.func @main of nn ops into a "
      "synchronized npuisa.program for the chip",
      [](OpPassManager &pm, const CompilePipelineOptions &options) {
        buildCompilePipeline(pm, options.toCompileOptions());
      });
  PassPipelineRegistration<TrainPipelineOptions>(
      "npu-train-pipeline",
      "turn a module holding the model func.func @main of nn ops into a "
      "train step (loss, gradients, optimizer; weights and optimizer slots "
      "as state) and compile it into a synchronized npuisa.program",
      [](OpPassManager &pm, const TrainPipelineOptions &options) {
        buildTrainPipeline(pm, options.toCompileOptions(),
                           options.toTrainOptions());
      });
}
