//===- Pipelines.h - the nn -> chip binary compile pipeline -----*- C++ -*-===//
//
// The one place that orders the passes compiling an imported model (a
// `func.func @main` of nn ops) into an `npuisa.program` the binary writer
// serializes. `npu-opt --npu-compile-pipeline=...` and `npu-compile` both
// build it from here, so the two cannot drift apart.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_PIPELINES_PIPELINES_H
#define NPU_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::npu {

/// The dtype of MXU operands and of float activations inside the model.
/// Accumulation is f32 either way, and model inputs and outputs stay f32.
enum class Precision { FP32, BF16 };

/// Parses "fp32" / "bf16".
std::optional<Precision> parsePrecision(llvm::StringRef text);
/// "fp32" / "bf16".
llvm::StringRef stringifyPrecision(Precision precision);

/// How far the pipeline goes. Each stage is a dialect boundary a user may
/// want to inspect (`npu-compile --emit=...`).
enum class CompileStage {
  NN,     ///< nn after canonicalization, decomposition and fusion.
  NPU,    ///< npu.program, tiled and with every buffer placed.
  NPUISA, ///< npuisa.program, synchronized and proven deadlock free.
};

/// Everything that changes what the pipeline produces.
struct CompileOptions {
  /// A chip preset name (npu-base, npu-tiny, ...) or a path to a .json chip.
  std::string target = "npu-base";
  /// fp32 by default: the model's own precision, no silent accuracy loss;
  /// bf16 runs the MXU at 4x the rate.
  Precision precision = Precision::FP32;
  /// Allocate two buffers per streamed operand so the DMA of tile i+1
  /// overlaps the compute of tile i; false serializes them (the baseline
  /// that shows the overlap is real).
  bool doubleBuffer = true;
  /// Turn the model's weights into persistent state (nn-params-to-state),
  /// so the host can read and replace them (`npu-compile --weights-as-state`).
  bool weightsAsState = false;
  /// The last stage to run.
  CompileStage stopAfter = CompileStage::NPUISA;
};

/// Appends the passes compiling a module holding `func.func @main` of nn ops
/// for the chip `options.target` to `pm` (which must be anchored on
/// `builtin.module`).
void buildCompilePipeline(OpPassManager &pm, const CompileOptions &options);

/// What turns a model into a train step (docs/training.md).
struct TrainOptions {
  /// sparse-categorical-crossentropy, categorical-crossentropy, mse or
  /// binary-crossentropy (nn-append-loss).
  std::string loss = "sparse-categorical-crossentropy";
  /// The model's output holds logits rather than probabilities.
  bool fromLogits = false;
  /// sgd or adam (nn-optimizer), with its hyperparameters.
  std::string optimizer = "sgd";
  double momentum = 0.0;
  bool nesterov = false;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-7;
};

/// Appends the passes turning a module holding the model `func.func @main`
/// (nn ops, weights as `nn.initializer` constants) into a train step and
/// compiling it for the chip: nn-params-to-state, nn-training-state,
/// nn-append-loss, nn-autodiff, nn-optimizer, then the compile pipeline.
/// A model with batch norms or dropout should be imported in training mode
/// (ONNXImportOptions::training), as npu-compile --train does.
void buildTrainPipeline(OpPassManager &pm, const CompileOptions &compile,
                        const TrainOptions &train);

/// The textual options of `--npu-compile-pipeline`.
struct CompilePipelineOptions
    : public PassPipelineOptions<CompilePipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("chip preset (npu-base, npu-tiny, ...) or .json file"),
      llvm::cl::init("npu-base")};
  Option<Precision> precision{
      *this, "precision",
      llvm::cl::desc("dtype of MXU operands and float activations"),
      llvm::cl::init(Precision::FP32),
      llvm::cl::values(clEnumValN(Precision::FP32, "fp32", "fp32 everywhere"),
                       clEnumValN(Precision::BF16, "bf16",
                                  "bf16 storage, f32 accumulation"))};
  Option<bool> doubleBuffer{
      *this, "double-buffer",
      llvm::cl::desc("overlap the DMA of the next tile with the current "
                     "tile's compute"),
      llvm::cl::init(true)};
  Option<bool> weightsAsState{
      *this, "weights-as-state",
      llvm::cl::desc("make the model's weights persistent state the host "
                     "can replace"),
      llvm::cl::init(false)};

  /// The CompileOptions these textual options stand for.
  CompileOptions toCompileOptions() const;
};

/// The textual options of `--npu-train-pipeline`: the compile options and
/// the loss and optimizer.
struct TrainPipelineOptions
    : public PassPipelineOptions<TrainPipelineOptions> {
  Option<std::string> target{
      *this, "target",
      llvm::cl::desc("chip preset (npu-base, npu-tiny, ...) or .json file"),
      llvm::cl::init("npu-base")};
  Option<Precision> precision{
      *this, "precision",
      llvm::cl::desc("dtype of MXU operands and float activations"),
      llvm::cl::init(Precision::FP32),
      llvm::cl::values(clEnumValN(Precision::FP32, "fp32", "fp32 everywhere"),
                       clEnumValN(Precision::BF16, "bf16",
                                  "bf16 storage, f32 accumulation"))};
  Option<bool> doubleBuffer{
      *this, "double-buffer",
      llvm::cl::desc("overlap the DMA of the next tile with the current "
                     "tile's compute"),
      llvm::cl::init(true)};
  Option<std::string> loss{
      *this, "loss",
      llvm::cl::desc("sparse-categorical-crossentropy, "
                     "categorical-crossentropy, mse or binary-crossentropy"),
      llvm::cl::init("sparse-categorical-crossentropy")};
  Option<bool> fromLogits{*this, "from-logits",
                          llvm::cl::desc("the model's output holds logits"),
                          llvm::cl::init(false)};
  Option<std::string> optimizer{*this, "optimizer",
                                llvm::cl::desc("sgd or adam"),
                                llvm::cl::init("sgd")};
  Option<double> momentum{*this, "momentum", llvm::cl::desc("SGD momentum"),
                          llvm::cl::init(0.0)};
  Option<bool> nesterov{*this, "nesterov",
                        llvm::cl::desc("SGD with Nesterov momentum"),
                        llvm::cl::init(false)};
  Option<double> beta1{*this, "beta1", llvm::cl::desc("Adam beta_1"),
                       llvm::cl::init(0.9)};
  Option<double> beta2{*this, "beta2", llvm::cl::desc("Adam beta_2"),
                       llvm::cl::init(0.999)};
  Option<double> epsilon{*this, "epsilon", llvm::cl::desc("Adam epsilon"),
                         llvm::cl::init(1e-7)};

  CompileOptions toCompileOptions() const;
  TrainOptions toTrainOptions() const;
};

/// Registers `--npu-compile-pipeline` and `--npu-train-pipeline` with the
/// pass registry.
void registerCompilePipeline();

} // namespace mlir::npu

#endif // NPU_PIPELINES_PIPELINES_H
