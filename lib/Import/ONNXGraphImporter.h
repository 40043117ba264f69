//===- ONNXGraphImporter.h - the ONNX graph importer's state ----*- C++ -*-===//
//
// Private to lib/Import: the importer of one ONNX model (the parsed proto,
// the value map, the collected problems) and its per-op lowerings. The
// stages and most ops are in ONNXImporter.cpp; ops imported as several
// primitive nn ops with more than a few lines of arithmetic (losses,
// Resize, Trilu, GatherElements, ...) are in ONNXDecompositions.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_IMPORT_ONNXGRAPHIMPORTER_H
#define NPU_LIB_IMPORT_ONNXGRAPHIMPORTER_H

#include "ONNXNodeUtils.h"
#include "ONNXTensors.h"

#include "npu/Dialect/NN/IR/NN.h"
#include "npu/Import/ONNXImporter.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include "onnx/onnx_pb.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace mlir::npu::onnx_import {

/// What the importer knows about one ONNX value name.
struct ValueInfo {
  /// The SSA value once emitted (or materialized from `constant`).
  Value value;
  /// The value when known at import time.
  std::optional<ConstTensor> constant;
  /// Set when the producer failed; consumers are skipped silently.
  bool poisoned = false;
  /// Set for graph initializers (the model's weights): their constants are
  /// marked so nn-params-to-state can make them parameters.
  bool initializer = false;
};

/// Ops whose version-1 definition is what opset 6 means too (see
/// ONNXImporter.cpp).
bool isStableSinceOpset1(llvm::StringRef op);
/// Ops imported by importDecomposed (ONNXDecompositions.cpp).
bool isDecomposedOp(llvm::StringRef op);
/// The domain of ONNX's training operators.
constexpr llvm::StringLiteral kTrainingDomain = "ai.onnx.preview.training";
/// The optimizers of kTrainingDomain importTrainingOptimizer handles
/// (Adagrad, Momentum, Adam).
bool isTrainingOptimizerOp(llvm::StringRef domain, llvm::StringRef op);

/// Imports one model; holds the parsed proto, the value map and the
/// collected problems.
class ONNXGraphImporter {
public:
  ONNXGraphImporter(MLIRContext *context, const ONNXImportOptions &options,
                    llvm::StringRef modelPath)
      : context(context), options(options), modelPath(modelPath.str()),
        builder(context),
        fileLoc(FileLineColLoc::get(context, modelPath, 0, 0)) {}

  OwningOpRef<ModuleOp> run(llvm::StringRef bytes);

private:
  //===--- stages --------------------------------------------------------===//
  LogicalResult parseModel(llvm::StringRef bytes);
  LogicalResult indexGraph();
  void checkSupport();
  void checkNodeAttributes(const onnx::NodeProto &node, size_t index);
  void resolveInputTypes();
  /// Reads the --input-value files of the graph inputs they name.
  void bindInputValues();
  OwningOpRef<ModuleOp> buildModule();
  void importNode(const onnx::NodeProto &node, size_t index);
  LogicalResult emitReport();
  bool hasProblems() const {
    return !problems.empty() || !unsupportedOps.empty();
  }

  //===--- helpers -------------------------------------------------------===//
  std::string nodeLabel(const onnx::NodeProto &node, size_t index) const;
  Location nodeLoc(const onnx::NodeProto &node, size_t index);
  void addProblem(const llvm::Twine &text) { problems.push_back(text.str()); }
  /// Records a problem of the node being imported and fails.
  LogicalResult nodeError(const llvm::Twine &text) {
    nodeProblem(text);
    return failure();
  }
  void nodeProblem(const llvm::Twine &text) {
    addProblem(currentLabel + ": " + text);
  }
  /// Fails unless a constant table of `shape` that a decomposition builds
  /// on the host (a mask, an iota, a resize matrix) stays within the
  /// import-time limits (options.foldElementLimit elements, the fold byte
  /// budget), which it is charged to. Called before the table is allocated:
  /// its size follows the model's shapes.
  LogicalResult reserveTable(llvm::ArrayRef<int64_t> shape);
  /// Fails once import-time computations (folded results, decomposition
  /// tables) hold more than options.foldByteBudget bytes.
  LogicalResult checkFoldBudget() {
    if (foldedBytes <= options.foldByteBudget)
      return success();
    return nodeError("import-time computations exceed the budget of " +
                     llvm::Twine(options.foldByteBudget) + " bytes");
  }

  bool hasInput(const onnx::NodeProto &node, int index) const {
    return index < node.input_size() && !node.input(index).empty();
  }
  ValueInfo *lookup(const onnx::NodeProto &node, int index);
  std::optional<llvm::SmallVector<int64_t>> shapeOf(const onnx::NodeProto &node,
                                                    int index);
  const ConstTensor *constantOf(const onnx::NodeProto &node, int index) {
    ValueInfo *info = lookup(node, index);
    return info && info->constant ? &*info->constant : nullptr;
  }
  /// The SSA value of input `index`, materializing a constant if needed.
  FailureOr<Value> operand(const onnx::NodeProto &node, int index);
  /// operand() of inputs 0 .. count-1.
  FailureOr<llvm::SmallVector<Value>> operands(const onnx::NodeProto &node,
                                               int count) {
    llvm::SmallVector<Value> values;
    for (int i = 0; i < count; ++i) {
      FailureOr<Value> value = operand(node, i);
      if (failed(value))
        return failure();
      values.push_back(*value);
    }
    return values;
  }
  /// Like operand() but null for an absent optional input.
  FailureOr<Value> optionalOperand(const onnx::NodeProto &node, int index);
  /// The integer contents of a constant input, for shape-like operands.
  FailureOr<llvm::SmallVector<int64_t>>
  constantInts(const onnx::NodeProto &node, int index, llvm::StringRef what);
  /// The node's "axis" attribute (or `defaultAxis`) normalized for `rank`.
  FailureOr<int64_t> axisAttr(const onnx::NodeProto &node, int64_t defaultAxis,
                              int64_t rank, bool inclusive = false) {
    int64_t rawAxis = getIntAttr(node, "axis", defaultAxis);
    std::optional<int64_t> axis = normalizeAxis(rawAxis, rank, inclusive);
    if (!axis)
      return nodeError("axis " + llvm::Twine(rawAxis) + " is out of range");
    return *axis;
  }
  /// Reads the optional "axes" of a reduction or squeeze, from input 1 when
  /// `fromInput` (newer opsets) or else from the attribute.
  LogicalResult optionalAxes(const onnx::NodeProto &node, bool fromInput,
                             std::optional<llvm::SmallVector<int64_t>> &axes);
  /// Reads an optional constant scalar input into `value`.
  LogicalResult optionalConstantScalar(const onnx::NodeProto &node, int index,
                                       llvm::StringRef what,
                                       std::optional<float> &value);
  Value materialize(const ConstTensor &tensor, llvm::StringRef name,
                    Location loc);
  /// A Dropout node as nn.dropout (ONNXImportOptions::training).
  FailureOr<Value> importTrainingDropout(const onnx::NodeProto &node);

  void setOutput(const onnx::NodeProto &node, int index, Value value) {
    if (index < node.output_size() && !node.output(index).empty())
      values[node.output(index)].value = value;
  }
  /// Sets output 0 of `node` to `result`, or passes on its failure.
  LogicalResult setResult(const onnx::NodeProto &node,
                          FailureOr<Value> result) {
    if (failed(result))
      return failure();
    setOutput(node, 0, *result);
    return success();
  }
  void setOutputConstant(const onnx::NodeProto &node, int index,
                         ConstTensor tensor) {
    if (index < node.output_size() && !node.output(index).empty())
      values[node.output(index)].constant = std::move(tensor);
  }
  bool outputIsUsed(const onnx::NodeProto &node, int index) const {
    return index < node.output_size() && !node.output(index).empty() &&
           consumedNames.contains(node.output(index));
  }

  /// Creates an op whose builder takes explicit result types, then infers
  /// them with the op's own shape function. Inference failures become
  /// problems of the current node instead of report_fatal_error.
  template <typename OpTy, typename... Args>
  FailureOr<OpTy> createInferred(unsigned numResults, Args &&...args);
  template <typename OpTy, typename... Args>
  FailureOr<Value> createInferredValue(Args &&...args) {
    auto op = createInferred<OpTy>(1, std::forward<Args>(args)...);
    if (failed(op))
      return failure();
    return op->getOperation()->getResult(0);
  }

  //===--- per-op lowering (ONNXImporter.cpp) ----------------------------===//
  LogicalResult importConvLike(const onnx::NodeProto &node, bool transposed);
  LogicalResult importPool(const onnx::NodeProto &node);
  LogicalResult importGemm(const onnx::NodeProto &node);
  LogicalResult importBinary(const onnx::NodeProto &node);
  LogicalResult importUnary(const onnx::NodeProto &node);
  /// Comparisons (i1 results) and binary logic ops; all opsets (7+) share
  /// numpy broadcasting.
  LogicalResult importCompareOrLogic(const onnx::NodeProto &node);
  /// True when every node of the main graph is a default-domain op whose
  /// semantics have not changed between opset 1 and opset 6.
  bool allOpsStableSinceOpset1() const {
    for (const auto &node : model->graph().node())
      if ((!node.domain().empty() && node.domain() != "ai.onnx") ||
          !isStableSinceOpset1(node.op_type()))
        return false;
    return true;
  }
  /// Opset 6 and older binary ops broadcast only with `broadcast=1`, and
  /// then align `rhs` with `lhs` at `axis` (default: the trailing dims, as
  /// numpy). Returns `rhs` reshaped so that numpy broadcasting gives the
  /// legacy meaning, or fails when the operands do not fit.
  FailureOr<Value> legacyBroadcast(const onnx::NodeProto &node, Value lhs,
                                   Value rhs);
  LogicalResult importClip(const onnx::NodeProto &node);
  /// Activations and reductions ONNX defines as functions of primitive ops
  /// (Elu, Selu, HardSigmoid, Softplus, PRelu, ReduceL2, ReduceLogSumExp,
  /// ...): imported as those primitive nn ops, so they run on the chip
  /// wherever the primitives do.
  LogicalResult importComposite(const onnx::NodeProto &node);
  /// A rank-1, one-element constant of `elementType` (broadcasts anywhere).
  Value scalarConstant(Type elementType, double value);
  LogicalResult importSoftmax(const onnx::NodeProto &node);
  LogicalResult importReduce(const onnx::NodeProto &node);
  LogicalResult importReshapeLike(const onnx::NodeProto &node);
  LogicalResult importSplit(const onnx::NodeProto &node);
  LogicalResult importSlice(const onnx::NodeProto &node);
  LogicalResult importPad(const onnx::NodeProto &node);
  LogicalResult importRuntimeNode(const onnx::NodeProto &node);

  //===--- decompositions (ONNXDecompositions.cpp) -----------------------===//
  class Emitter;
  /// The ops of isDecomposedOp: hyperbolic functions, IsNaN, IsInf, and the
  /// ones below.
  LogicalResult importDecomposed(const onnx::NodeProto &node);
  /// A mask (constant, or compared with a run-time k) and a where.
  LogicalResult importTrilu(const onnx::NodeProto &node);
  /// A one-hot selection along a trailing axis, summed away.
  LogicalResult importGatherElements(const onnx::NodeProto &node);
  /// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (ONNX functions).
  LogicalResult importLoss(const onnx::NodeProto &node);
  /// Resize and Upsample: a constant interpolation matrix per resized axis
  /// (nearest, linear, cubic; every coordinate transformation).
  LogicalResult importResize(const onnx::NodeProto &node);
  /// InstanceNormalization, MeanVarianceNormalization, LRN, CumSum, Tile,
  /// EyeLike, OneHot, Hardmax.
  LogicalResult importDecomposedRest(const onnx::NodeProto &node);
  /// HannWindow, HammingWindow, BlackmanWindow: constants of their size.
  LogicalResult importWindow(const onnx::NodeProto &node);
  /// Einsum: diagonals of repeated labels, a broadcast product of the
  /// operands over all labels, a sum over the labels the output drops.
  LogicalResult importEinsum(const onnx::NodeProto &node);
  /// TopK: k passes of arg_max (arg_min), each masking the taken position.
  LogicalResult importTopK(const onnx::NodeProto &node);
  /// GatherND, ScatterElements (Scatter), ScatterND: one-hot selections.
  LogicalResult importScatterGather(const onnx::NodeProto &node);
  /// RNN, GRU, LSTM unrolled over the sequence: matmuls and gate math.
  LogicalResult importRecurrent(const onnx::NodeProto &node);
  /// ReverseSequence (a one-hot selection), Compress (a constant gather)
  /// and Det (the Leibniz sum of a constant gather's products).
  LogicalResult importReverseSequence(const onnx::NodeProto &node);
  LogicalResult importCompress(const onnx::NodeProto &node);
  LogicalResult importDet(const onnx::NodeProto &node);
  /// Pad (constant mode) with a run-time constant_value: a where with a
  /// constant mask of the padding.
  LogicalResult importPadRuntimeValue(const onnx::NodeProto &node, Value input,
                                      llvm::ArrayRef<int64_t> pads);
  /// MaxUnpool: the values scattered to their indices by a one-hot
  /// selection per output position.
  LogicalResult importMaxUnpool(const onnx::NodeProto &node);
  /// Adagrad, Momentum (standard, nesterov) and Adam of kTrainingDomain:
  /// one elementwise update per optimized tensor.
  LogicalResult importTrainingOptimizer(const onnx::NodeProto &node);
  /// MaxPool's Indices output: an arg_max over the stacked window slices
  /// mapped to flat input positions by a constant table.
  LogicalResult importMaxPoolIndices(const onnx::NodeProto &node, Value input,
                                     llvm::ArrayRef<int64_t> kernel,
                                     llvm::ArrayRef<int64_t> strides,
                                     llvm::ArrayRef<int64_t> pads,
                                     llvm::ArrayRef<int64_t> dilations);
  /// Resolves kernel/stride/pad/dilation attributes of Conv and pooling,
  /// including auto_pad, for the spatial dims of `inputShape`.
  struct WindowAttrs {
    llvm::SmallVector<int64_t> kernel, strides, pads, dilations,
        outputPadding;
  };
  FailureOr<WindowAttrs> resolveWindow(const onnx::NodeProto &node,
                                       llvm::ArrayRef<int64_t> inputShape,
                                       std::optional<llvm::SmallVector<int64_t>>
                                           kernelFromWeight,
                                       bool transposed);

  MLIRContext *context;
  const ONNXImportOptions &options;
  std::string modelPath;
  OpBuilder builder;
  Location fileLoc;

  std::shared_ptr<onnx::ModelProto> model;
  int64_t opset = 0;
  std::vector<std::shared_ptr<const void>> externalBuffers;
  /// Bytes of tensors computed at import time so far.
  int64_t foldedBytes = 0;

  /// Every value name known so far.
  llvm::StringMap<ValueInfo> values;
  /// Names read by some node or graph output.
  llvm::StringSet<> consumedNames;
  /// Node indices in a valid evaluation order.
  std::vector<size_t> topoOrder;
  /// Graph inputs that are not initializers, with their resolved types.
  std::vector<std::pair<std::string, RankedTensorType>> graphInputs;
  /// With ONNXImportOptions::training: the step seed argument and
  /// the key of the next Dropout node without a `seed` attribute.
  Value dropoutSeed;
  int64_t dropoutKeys = 0;
  /// Graph inputs bound to a value (--input-value): constants instead.
  llvm::StringMap<ConstTensor> boundInputs;

  std::vector<std::string> problems;
  /// Nodes the support check rejected; the walk skips them.
  std::vector<bool> rejectedNodes;
  /// Unsupported op types with the nodes that use them, for the report.
  std::map<std::string, std::vector<std::string>> unsupportedOps;

  /// True for the dtypes that may reach the chip: every runtime dtype, and
  /// DOUBLE with --onnx-f64-as-f32 (as f32).
  bool runsOnChip(DType type) const {
    return isRuntimeDType(type) || (type == DType::F64 && options.f64AsF32);
  }
  /// The dtype a tensor of `type` has on the chip.
  DType chipDType(DType type) const {
    return type == DType::F64 ? DType::F32 : type;
  }

  /// The node being imported (for messages and locations).
  std::string currentLabel;
  Location currentLoc = UnknownLoc::get(context);
};

/// Detects the nn ops that expose their shape function (every op but the
/// SameOperandsAndResultType unary ones).
template <typename OpTy, typename = void>
struct HasShapeFunction : std::false_type {};
template <typename OpTy>
struct HasShapeFunction<OpTy, std::void_t<decltype(&OpTy::inferResultTypes)>>
    : std::true_type {};

template <typename OpTy, typename... Args>
FailureOr<OpTy> ONNXGraphImporter::createInferred(unsigned numResults,
                                                  Args &&...args) {
  // ODS's type-inferring builders abort on operands the shape function
  // rejects, and operands here come from the file. So build with provisional
  // result types, run the shape function ourselves, and turn a rejection
  // into a problem of the node.
  llvm::SmallVector<Type> provisionalTypes(numResults, builder.getNoneType());
  OpTy op;
  if constexpr (std::is_same_v<OpTy, nn::SplitOp> ||
                std::is_same_v<OpTy, nn::BatchNormTrainOp>)
    op = OpTy::create(builder, currentLoc, TypeRange(provisionalTypes),
                      std::forward<Args>(args)...);
  else
    op = OpTy::create(builder, currentLoc, provisionalTypes.front(),
                      std::forward<Args>(args)...);
  std::string message;
  llvm::SmallVector<Type> inferred;
  LogicalResult status = success();
  Operation *operation = op.getOperation();
  {
    ScopedDiagnosticHandler capture(context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    if constexpr (HasShapeFunction<OpTy>::value)
      status = OpTy::inferResultTypes(context, typename OpTy::Adaptor(op),
                                      inferred,
                                      [&] { return op.emitOpError(); });
    else
      status = OpTy::inferReturnTypes(
          context, currentLoc, operation->getOperands(),
          operation->getRawDictionaryAttrs(),
          operation->getPropertiesStorage(), operation->getRegions(),
          inferred);
    if (succeeded(status) && inferred.size() == operation->getNumResults()) {
      for (auto [result, type] : llvm::zip(operation->getResults(), inferred))
        result.setType(type);
      if (failed(verify(operation)))
        status = failure();
    } else {
      status = failure();
    }
  }
  if (failed(status)) {
    op->erase();
    return nodeError(message.empty() ? "invalid operands or attributes"
                                     : message);
  }
  return op;
}


} // namespace mlir::npu::onnx_import

#endif // NPU_LIB_IMPORT_ONNXGRAPHIMPORTER_H
