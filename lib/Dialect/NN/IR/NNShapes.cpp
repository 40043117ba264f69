//===- NNShapes.cpp - nn shape functions and verifiers --------------------===//
//
// One shape function per nn op with a non-trivial result type. Each checks
// the ONNX rules for its op (ranks, broadcasting, channel/group counts,
// attribute ranges) and computes the result types. The same function serves
// every caller: builders (through `inferReturnTypes`) call it silently,
// `verify()` calls it with an error emitter so violations read as
// `'nn.x' op ...` and then compares the written result types, and the ONNX
// importer calls it to name the offending node. Keeping a single function
// means inference and verification cannot disagree.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "NNShapeUtils.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/CheckedArithmetic.h"

using namespace mlir;
using namespace mlir::nn;
using namespace mlir::nn::detail;

namespace {
/// Reports a diagnostic when the caller asked for one.
using EmitFn = llvm::function_ref<InFlightDiagnostic()>;

template <typename... Args>
LogicalResult fail(EmitFn emitError, Args &&...args) {
  if (emitError) {
    InFlightDiagnostic diag = emitError();
    (diag << ... << std::forward<Args>(args));
  }
  return failure();
}

/// The operand's statically shaped tensor type, or null when a builder passed
/// something else (or nothing). Parsed IR never gets here with a bad type:
/// the ODS type constraints are checked before the shape functions run, so
/// this needs no diagnostic of its own.
RankedTensorType getTensorType(Value value) {
  auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
  if (!type || !type.hasStaticShape())
    return nullptr;
  return type;
}

LogicalResult checkSameElementType(RankedTensorType lhs, StringRef lhsName,
                                   RankedTensorType rhs, StringRef rhsName,
                                   EmitFn emitError) {
  if (lhs.getElementType() != rhs.getElementType())
    return fail(emitError, "'", lhsName, "' and '", rhsName,
                "' have different element types (", lhs.getElementType(),
                " vs ", rhs.getElementType(), ")");
  return success();
}

/// Builds the result tensor type after checking the element count fits int64.
LogicalResult pushTensor(ArrayRef<int64_t> shape, Type elementType,
                         SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {
  if (!checkedProduct(shape))
    return fail(emitError, "result shape ", formatShape(shape),
                " has a negative size or overflows the element count");
  resultTypes.push_back(RankedTensorType::get(shape, elementType));
  return success();
}

/// Strides, pads and dilations of a convolution or pooling window, with the
/// ONNX defaults filled in for empty attributes.
struct WindowParams {
  SmallVector<int64_t> strides, padsBegin, padsEnd, dilations;
};

FailureOr<WindowParams> getWindowParams(size_t spatialRank,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> pads,
                                        ArrayRef<int64_t> dilations,
                                        EmitFn emitError) {
  WindowParams params;
  if (!strides.empty() && strides.size() != spatialRank)
    return fail(emitError, "expects ", spatialRank, " strides, got ",
                strides.size());
  if (!dilations.empty() && dilations.size() != spatialRank)
    return fail(emitError, "expects ", spatialRank, " dilations, got ",
                dilations.size());
  if (!pads.empty() && pads.size() != 2 * spatialRank)
    return fail(emitError, "expects ", 2 * spatialRank, " pads, got ",
                pads.size());
  params.strides.assign(spatialRank, 1);
  params.dilations.assign(spatialRank, 1);
  params.padsBegin.assign(spatialRank, 0);
  params.padsEnd.assign(spatialRank, 0);
  if (!strides.empty())
    params.strides.assign(strides.begin(), strides.end());
  if (!dilations.empty())
    params.dilations.assign(dilations.begin(), dilations.end());
  if (!pads.empty()) {
    params.padsBegin.assign(pads.begin(), pads.begin() + spatialRank);
    params.padsEnd.assign(pads.begin() + spatialRank, pads.end());
  }
  if (llvm::any_of(params.strides, [](int64_t s) { return s <= 0; }))
    return fail(emitError, "strides must be positive, got ",
                formatShape(params.strides));
  if (llvm::any_of(params.dilations, [](int64_t d) { return d <= 0; }))
    return fail(emitError, "dilations must be positive, got ",
                formatShape(params.dilations));
  if (llvm::any_of(pads, [](int64_t p) { return p < 0; }))
    return fail(emitError, "pads must be non-negative, got ",
                formatShape(pads));
  // Bound attribute values so the window arithmetic below cannot overflow.
  constexpr int64_t kMaxWindowValue = int64_t(1) << 31;
  for (ArrayRef<int64_t> values : {ArrayRef<int64_t>(params.strides),
                                   ArrayRef<int64_t>(params.dilations), pads})
    if (llvm::any_of(values, [](int64_t v) { return v > kMaxWindowValue; }))
      return fail(emitError, "window attribute value exceeds 2^31");
  return params;
}

/// Reports overflow in the window arithmetic along spatial axis `axis`.
LogicalResult failWindowOverflow(EmitFn emitError, size_t axis) {
  return fail(emitError, "window size arithmetic overflows along spatial axis ",
              axis);
}

/// `dilation * (kernel - 1) + 1`, or std::nullopt on overflow (kernel sizes
/// come from weight shapes, which may be huge).
std::optional<int64_t> dilatedKernelSize(int64_t dilation, int64_t kernel) {
  return llvm::checkedMulAdd<int64_t>(dilation, kernel - 1, 1);
}

/// Output size of a sliding window along one axis (conv and pooling).
FailureOr<int64_t> windowOutputSize(int64_t inputSize, int64_t kernel,
                                    int64_t stride, int64_t padBegin,
                                    int64_t padEnd, int64_t dilation,
                                    bool ceilMode, size_t axis,
                                    EmitFn emitError) {
  std::optional<int64_t> dilated = dilatedKernelSize(dilation, kernel);
  std::optional<int64_t> padded =
      llvm::checkedAdd<int64_t>(inputSize, padBegin);
  if (padded)
    padded = llvm::checkedAdd<int64_t>(*padded, padEnd);
  if (!dilated || !padded ||
      !llvm::checkedAdd<int64_t>(*padded, stride)) // room for ceil rounding
    return failWindowOverflow(emitError, axis);
  int64_t effectiveKernel = *dilated;
  if (*padded < effectiveKernel)
    return fail(emitError, "dilated kernel size ", effectiveKernel,
                " exceeds padded input size ", *padded, " along spatial axis ",
                axis);
  int64_t span = *padded - effectiveKernel;
  int64_t outSize =
      (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // ONNX/PyTorch: in ceil mode the last window must start inside the input
  // or the begin padding.
  if (ceilMode && (outSize - 1) * stride >= inputSize + padBegin)
    --outSize;
  return outSize;
}

/// Checks that a conv/pool input is [N, C, D1..Dn].
LogicalResult checkSpatialInputRank(RankedTensorType inputType,
                                    EmitFn emitError) {
  if (inputType.getRank() < 3)
    return fail(emitError, "expects input of rank >= 3 [N, C, D1..Dn], got ",
                inputType.getRank());
  return success();
}

/// Checks a kernel_shape attribute against the expected spatial rank and, for
/// convolutions, the weight's spatial dims.
LogicalResult checkKernelShape(ArrayRef<int64_t> kernelShape,
                               ArrayRef<int64_t> weightSpatial,
                               EmitFn emitError) {
  if (kernelShape.empty() || ArrayRef<int64_t>(kernelShape) == weightSpatial)
    return success();
  return fail(emitError, "kernel_shape ", formatShape(kernelShape),
              " does not match the weight's spatial dimensions ",
              formatShape(weightSpatial));
}

/// Checks the per-channel [C] operand of a normalization.
LogicalResult checkChannelOperand(RankedTensorType type, StringRef name,
                                  int64_t channels, Type elementType,
                                  EmitFn emitError) {
  if (type.getRank() != 1 || type.getDimSize(0) != channels)
    return fail(emitError, "'", name, "' must have shape [", channels,
                "], got ", formatShape(type.getShape()));
  if (type.getElementType() != elementType)
    return fail(emitError, "'", name, "' has element type ",
                type.getElementType(), ", expected ", elementType);
  return success();
}

/// Checks that an axis attribute is normalized and in range.
LogicalResult checkAxis(int64_t axis, int64_t rank, EmitFn emitError,
                        bool allowRank = false) {
  int64_t limit = allowRank ? rank + 1 : rank;
  if (axis < 0 || axis >= limit)
    return fail(emitError, "axis ", axis, " is out of range [0, ", limit, ")");
  return success();
}

/// Reports a written result type that differs from the inferred one.
LogicalResult checkResultTypes(Operation *op, TypeRange inferred) {
  TypeRange written = op->getResultTypes();
  if (inferred.size() != written.size())
    return op->emitOpError("has ") << written.size() << " results but "
                                   << inferred.size() << " were inferred";
  for (auto [index, pair] : llvm::enumerate(llvm::zip(inferred, written))) {
    auto [want, got] = pair;
    if (want != got)
      return op->emitOpError("result #")
             << index << " has type " << got << " but the inferred type is "
             << want;
  }
  return success();
}
} // namespace

/// The three hooks every NN_ShapeOp shares, all forwarding to the op's
/// `inferResultTypes`. `verify()` does all the checking, including the
/// comparison with the written result types, so that each problem is
/// reported once with a specific message; `refineReturnTypes` (which the
/// interface's own verifier calls first) therefore accepts everything.
#define NN_SHAPE_OP_HOOKS(OP)                                                  \
  LogicalResult OP::inferReturnTypes(                                          \
      MLIRContext *context, std::optional<Location>, ValueRange operands,      \
      DictionaryAttr attributes, OpaqueProperties properties,                  \
      RegionRange regions, SmallVectorImpl<Type> &inferredReturnTypes) {       \
    OP::Adaptor adaptor(operands, attributes, properties, regions);            \
    return inferResultTypes(context, adaptor, inferredReturnTypes, nullptr);   \
  }                                                                            \
  LogicalResult OP::refineReturnTypes(                                         \
      MLIRContext *, std::optional<Location>, ValueRange, DictionaryAttr,      \
      OpaqueProperties, RegionRange, SmallVectorImpl<Type> &) {                \
    return success();                                                          \
  }                                                                            \
  LogicalResult OP::verify() {                                                 \
    SmallVector<Type> inferred;                                                \
    if (failed(inferResultTypes(getContext(), Adaptor(*this), inferred,        \
                                [&] { return emitOpError(); })))               \
      return failure();                                                        \
    return checkResultTypes(*this, inferred);                                  \
  }

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

LogicalResult MatMulOp::inferResultTypes(MLIRContext *,
                                         MatMulOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &resultTypes,
                                         EmitFn emitError) {
  RankedTensorType aType = getTensorType(adaptor.getA());
  RankedTensorType bType = getTensorType(adaptor.getB());
  if (!aType || !bType)
    return failure();
  if (failed(checkSameElementType(aType, "a", bType, "b", emitError)))
    return failure();
  if (aType.getRank() < 1 || bType.getRank() < 1)
    return fail(emitError, "operands must have rank >= 1");
  SmallVector<int64_t> aShape(aType.getShape()), bShape(bType.getShape());
  bool aIsVector = aShape.size() == 1, bIsVector = bShape.size() == 1;
  if (aIsVector)
    aShape.insert(aShape.begin(), 1);
  if (bIsVector)
    bShape.push_back(1);
  int64_t aK = aShape.back(), bK = bShape[bShape.size() - 2];
  if (aK != bK)
    return fail(emitError, "contracting dimensions differ: 'a' has ", aK,
                ", 'b' has ", bK);
  SmallVector<int64_t> shape;
  if (!broadcastShapes(ArrayRef(aShape).drop_back(2),
                       ArrayRef(bShape).drop_back(2), shape))
    return fail(emitError, "batch dimensions ",
                formatShape(ArrayRef(aShape).drop_back(2)), " and ",
                formatShape(ArrayRef(bShape).drop_back(2)),
                " are not broadcastable");
  if (!aIsVector)
    shape.push_back(aShape[aShape.size() - 2]);
  if (!bIsVector)
    shape.push_back(bShape.back());
  return pushTensor(shape, aType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(MatMulOp)

LogicalResult GemmOp::inferResultTypes(MLIRContext *, GemmOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &resultTypes,
                                       EmitFn emitError) {
  RankedTensorType aType = getTensorType(adaptor.getA());
  RankedTensorType bType = getTensorType(adaptor.getB());
  if (!aType || !bType)
    return failure();
  if (aType.getRank() != 2 || bType.getRank() != 2)
    return fail(emitError, "expects 2-D 'a' and 'b', got ranks ",
                aType.getRank(), " and ", bType.getRank());
  if (failed(checkSameElementType(aType, "a", bType, "b", emitError)))
    return failure();
  bool transA = adaptor.getTransA(), transB = adaptor.getTransB();
  int64_t m = aType.getDimSize(transA ? 1 : 0);
  int64_t aK = aType.getDimSize(transA ? 0 : 1);
  int64_t bK = bType.getDimSize(transB ? 1 : 0);
  int64_t n = bType.getDimSize(transB ? 0 : 1);
  if (aK != bK)
    return fail(emitError, "contracting dimensions differ: 'a' has ", aK,
                ", 'b' has ", bK);
  if (Value c = adaptor.getC()) {
    RankedTensorType cType = getTensorType(c);
    if (!cType ||
        failed(checkSameElementType(aType, "a", cType, "c", emitError)))
      return failure();
    SmallVector<int64_t> broadcast;
    if (cType.getRank() > 2 ||
        !broadcastShapes(cType.getShape(), {m, n}, broadcast) ||
        ArrayRef<int64_t>(broadcast) != ArrayRef<int64_t>({m, n}))
      return fail(emitError, "'c' of shape ", formatShape(cType.getShape()),
                  " is not unidirectionally broadcastable to [", m, ", ", n,
                  "]");
  }
  return pushTensor({m, n}, aType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(GemmOp)

namespace {
/// What conv and conv_transpose share once their input, weight, kernel_shape
/// and group are checked.
struct ConvOperands {
  RankedTensorType inputType;
  ArrayRef<int64_t> inShape, wShape;
  size_t spatialRank;
  int64_t group;
};
} // namespace

/// The checks conv and conv_transpose run before their own channel rules.
static FailureOr<ConvOperands> checkConvOperands(Value input, Value weight,
                                                 ArrayRef<int64_t> kernelShape,
                                                 int64_t group,
                                                 EmitFn emitError) {
  RankedTensorType inputType = getTensorType(input);
  RankedTensorType weightType = getTensorType(weight);
  if (!inputType || !weightType)
    return failure();
  if (failed(checkSpatialInputRank(inputType, emitError)))
    return failure();
  int64_t rank = inputType.getRank();
  if (weightType.getRank() != rank)
    return fail(emitError, "weight rank ", weightType.getRank(),
                " does not match input rank ", rank);
  if (failed(checkSameElementType(inputType, "input", weightType, "weight",
                                  emitError)))
    return failure();
  ArrayRef<int64_t> wShape = weightType.getShape();
  if (failed(checkKernelShape(kernelShape, wShape.drop_front(2), emitError)))
    return failure();
  if (group <= 0)
    return fail(emitError, "group must be positive, got ", group);
  return ConvOperands{inputType, inputType.getShape(), wShape,
                      static_cast<size_t>(rank - 2), group};
}

/// Checks the optional [M] bias of conv / conv_transpose, then their window
/// attributes.
template <typename ConvAdaptor>
static FailureOr<WindowParams>
checkConvBiasAndWindow(ConvAdaptor adaptor, const ConvOperands &conv,
                       int64_t outChannels, EmitFn emitError) {
  if (Value bias = adaptor.getBias()) {
    RankedTensorType biasType = getTensorType(bias);
    if (!biasType ||
        failed(checkChannelOperand(biasType, "bias", outChannels,
                                   conv.inputType.getElementType(), emitError)))
      return failure();
  }
  return getWindowParams(conv.spatialRank, adaptor.getStrides(),
                         adaptor.getPads(), adaptor.getDilations(), emitError);
}

LogicalResult ConvOp::inferResultTypes(MLIRContext *, ConvOp::Adaptor adaptor,
                                       SmallVectorImpl<Type> &resultTypes,
                                       EmitFn emitError) {
  FailureOr<ConvOperands> conv = checkConvOperands(
      adaptor.getInput(), adaptor.getWeight(), adaptor.getKernelShape(),
      adaptor.getGroup(), emitError);
  if (failed(conv))
    return failure();
  auto [inputType, inShape, wShape, spatialRank, group] = *conv;
  int64_t channels = inShape[1], outChannels = wShape[0];
  if (channels % group != 0)
    return fail(emitError, "input channels ", channels,
                " are not divisible by group ", group);
  if (outChannels % group != 0)
    return fail(emitError, "output channels ", outChannels,
                " are not divisible by group ", group);
  if (wShape[1] * group != channels)
    return fail(emitError, "weight has ", wShape[1],
                " input channels per group, expected ", channels / group);
  FailureOr<WindowParams> params =
      checkConvBiasAndWindow(adaptor, *conv, outChannels, emitError);
  if (failed(params))
    return failure();
  SmallVector<int64_t> shape = {inShape[0], outChannels};
  for (size_t i = 0; i < spatialRank; ++i) {
    FailureOr<int64_t> size = windowOutputSize(
        inShape[i + 2], wShape[i + 2], params->strides[i], params->padsBegin[i],
        params->padsEnd[i], params->dilations[i],
        /*ceilMode=*/false, i, emitError);
    if (failed(size))
      return failure();
    shape.push_back(*size);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(ConvOp)

LogicalResult ConvTransposeOp::inferResultTypes(
    MLIRContext *, ConvTransposeOp::Adaptor adaptor,
    SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {
  FailureOr<ConvOperands> conv = checkConvOperands(
      adaptor.getInput(), adaptor.getWeight(), adaptor.getKernelShape(),
      adaptor.getGroup(), emitError);
  if (failed(conv))
    return failure();
  auto [inputType, inShape, wShape, spatialRank, group] = *conv;
  int64_t channels = inShape[1];
  if (wShape[0] != channels)
    return fail(emitError, "weight has ", wShape[0],
                " input channels, expected ", channels);
  if (channels % group != 0)
    return fail(emitError, "input channels ", channels,
                " are not divisible by group ", group);
  int64_t outChannels;
  if (llvm::MulOverflow(wShape[1], group, outChannels))
    return fail(emitError, "output channel count overflows");
  FailureOr<WindowParams> params =
      checkConvBiasAndWindow(adaptor, *conv, outChannels, emitError);
  if (failed(params))
    return failure();
  ArrayRef<int64_t> outputPadding = adaptor.getOutputPadding();
  if (!outputPadding.empty() && outputPadding.size() != spatialRank)
    return fail(emitError, "expects ", spatialRank,
                " output_padding values, got ", outputPadding.size());
  SmallVector<int64_t> shape = {inShape[0], outChannels};
  for (size_t i = 0; i < spatialRank; ++i) {
    int64_t extra = outputPadding.empty() ? 0 : outputPadding[i];
    if (extra < 0 ||
        extra >= std::max(params->strides[i], params->dilations[i]))
      return fail(emitError, "output_padding ", extra, " along spatial axis ",
                  i, " must be in [0, max(stride, dilation))");
    std::optional<int64_t> dilated =
        dilatedKernelSize(params->dilations[i], wShape[i + 2]);
    std::optional<int64_t> size = llvm::checkedMulAdd<int64_t>(
        params->strides[i], inShape[i + 2] - 1, extra);
    if (size && dilated)
      size = llvm::checkedAdd<int64_t>(*size, *dilated);
    if (size)
      size = llvm::checkedSub<int64_t>(*size, params->padsBegin[i]);
    if (size)
      size = llvm::checkedSub<int64_t>(*size, params->padsEnd[i]);
    if (!dilated || !size)
      return failWindowOverflow(emitError, i);
    if (*size <= 0)
      return fail(emitError, "output size along spatial axis ", i,
                  " is not positive (", *size, ")");
    shape.push_back(*size);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(ConvTransposeOp)

//===----------------------------------------------------------------------===//
// Normalization and pooling
//===----------------------------------------------------------------------===//

/// The checks batch_norm and batch_norm_train share: an [N, C, ...] input,
/// per-channel scale, bias, mean and var, a non-negative epsilon.
template <typename Adaptor>
static LogicalResult checkBatchNormOperands(Adaptor adaptor,
                                            RankedTensorType inputType,
                                            EmitFn emitError) {
  if (inputType.getRank() < 2)
    return fail(emitError, "expects input of rank >= 2 [N, C, ...], got ",
                inputType.getRank());
  int64_t channels = inputType.getDimSize(1);
  std::pair<Value, StringRef> perChannel[] = {{adaptor.getScale(), "scale"},
                                              {adaptor.getBias(), "bias"},
                                              {adaptor.getMean(), "mean"},
                                              {adaptor.getVar(), "var"}};
  for (auto [value, name] : perChannel) {
    RankedTensorType type = getTensorType(value);
    if (!type ||
        failed(checkChannelOperand(type, name, channels,
                                   inputType.getElementType(), emitError)))
      return failure();
  }
  if (adaptor.getEpsilon().isNegative())
    return fail(emitError, "epsilon must be non-negative");
  return success();
}

LogicalResult BatchNormOp::inferResultTypes(MLIRContext *,
                                            BatchNormOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &resultTypes,
                                            EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || failed(checkBatchNormOperands(adaptor, inputType,
                                                  emitError)))
    return failure();
  resultTypes.push_back(inputType);
  return success();
}
NN_SHAPE_OP_HOOKS(BatchNormOp)

LogicalResult BatchNormTrainOp::inferResultTypes(
    MLIRContext *, BatchNormTrainOp::Adaptor adaptor,
    SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || failed(checkBatchNormOperands(adaptor, inputType,
                                                  emitError)))
    return failure();
  float momentum = adaptor.getMomentum().convertToFloat();
  if (!(momentum >= 0.0f && momentum <= 1.0f))
    return fail(emitError, "momentum ", momentum, " must be in [0, 1]");
  auto statsType = RankedTensorType::get({inputType.getDimSize(1)},
                                         inputType.getElementType());
  resultTypes.append({inputType, statsType, statsType});
  return success();
}
NN_SHAPE_OP_HOOKS(BatchNormTrainOp)

LogicalResult DropoutOp::inferResultTypes(MLIRContext *,
                                          DropoutOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &resultTypes,
                                          EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  RankedTensorType seedType = getTensorType(adaptor.getSeed());
  if (!inputType || !seedType)
    return failure();
  if (seedType.getRank() != 0 || seedType.getElementType().isInteger(1))
    return fail(emitError,
                "seed must be a rank-0 float or integer tensor, got ",
                seedType);
  float ratio = adaptor.getRatio().convertToFloat();
  if (!(ratio >= 0.0f && ratio < 1.0f))
    return fail(emitError, "ratio ", ratio, " must be in [0, 1)");
  int64_t key = adaptor.getKey();
  if (key < 0 || key >= (int64_t(1) << 31))
    return fail(emitError, "key ", key, " must be in [0, 2^31)");
  resultTypes.push_back(inputType);
  return success();
}
NN_SHAPE_OP_HOOKS(DropoutOp)

LogicalResult LayerNormOp::inferResultTypes(MLIRContext *,
                                            LayerNormOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &resultTypes,
                                            EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getAxisAttr())
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, inputType.getRank(), emitError)))
    return failure();
  ArrayRef<int64_t> normalized = inputType.getShape().drop_front(axis);
  std::pair<Value, StringRef> affine[] = {{adaptor.getScale(), "scale"},
                                          {adaptor.getBias(), "bias"}};
  for (auto [value, name] : affine) {
    if (!value)
      continue;
    RankedTensorType type = getTensorType(value);
    if (!type)
      return failure();
    if (failed(checkSameElementType(inputType, "input", type, name, emitError)))
      return failure();
    SmallVector<int64_t> broadcast;
    if (type.getRank() > static_cast<int64_t>(normalized.size()) ||
        !broadcastShapes(type.getShape(), normalized, broadcast) ||
        ArrayRef<int64_t>(broadcast) != normalized)
      return fail(emitError, "'", name, "' of shape ",
                  formatShape(type.getShape()),
                  " is not broadcastable to the normalized shape ",
                  formatShape(normalized));
  }
  if (adaptor.getEpsilon().isNegative())
    return fail(emitError, "epsilon must be non-negative");
  resultTypes.push_back(inputType);
  return success();
}
NN_SHAPE_OP_HOOKS(LayerNormOp)

/// Shared shape function of max_pool and avg_pool.
static LogicalResult inferPoolType(Value input, ArrayRef<int64_t> kernelShape,
                                   ArrayRef<int64_t> strides,
                                   ArrayRef<int64_t> pads,
                                   ArrayRef<int64_t> dilations, bool ceilMode,
                                   SmallVectorImpl<Type> &resultTypes,
                                   EmitFn emitError) {
  RankedTensorType inputType = getTensorType(input);
  if (!inputType || failed(checkSpatialInputRank(inputType, emitError)))
    return failure();
  int64_t rank = inputType.getRank();
  size_t spatialRank = rank - 2;
  if (kernelShape.size() != spatialRank)
    return fail(emitError, "kernel_shape has ", kernelShape.size(),
                " dimensions, expected ", spatialRank, " for an input of rank ",
                rank);
  if (llvm::any_of(kernelShape, [](int64_t k) { return k <= 0; }))
    return fail(emitError, "kernel_shape must be positive, got ",
                formatShape(kernelShape));
  FailureOr<WindowParams> params =
      getWindowParams(spatialRank, strides, pads, dilations, emitError);
  if (failed(params))
    return failure();
  ArrayRef<int64_t> inShape = inputType.getShape();
  SmallVector<int64_t> shape = {inShape[0], inShape[1]};
  for (size_t i = 0; i < spatialRank; ++i) {
    std::optional<int64_t> dilated =
        dilatedKernelSize(params->dilations[i], kernelShape[i]);
    if (!dilated)
      return failWindowOverflow(emitError, i);
    int64_t effectiveKernel = *dilated;
    if (params->padsBegin[i] >= effectiveKernel ||
        params->padsEnd[i] >= effectiveKernel)
      return fail(emitError, "pads along spatial axis ", i,
                  " must be smaller than the kernel size ", effectiveKernel);
    FailureOr<int64_t> size =
        windowOutputSize(inShape[i + 2], kernelShape[i], params->strides[i],
                         params->padsBegin[i], params->padsEnd[i],
                         params->dilations[i], ceilMode, i, emitError);
    if (failed(size))
      return failure();
    shape.push_back(*size);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}

#define NN_POOL_SHAPE_FN(OP)                                                   \
  LogicalResult OP::inferResultTypes(MLIRContext *, OP::Adaptor adaptor,       \
                                     SmallVectorImpl<Type> &resultTypes,       \
                                     EmitFn emitError) {                       \
    if (!adaptor.getKernelShapeAttr())                                         \
      return failure();                                                        \
    return inferPoolType(adaptor.getInput(), adaptor.getKernelShape(),         \
                         adaptor.getStrides(), adaptor.getPads(),              \
                         adaptor.getDilations(), adaptor.getCeilMode(),        \
                         resultTypes, emitError);                              \
  }                                                                            \
  NN_SHAPE_OP_HOOKS(OP)

NN_POOL_SHAPE_FN(MaxPoolOp)
NN_POOL_SHAPE_FN(AvgPoolOp)

LogicalResult GlobalAvgPoolOp::inferResultTypes(
    MLIRContext *, GlobalAvgPoolOp::Adaptor adaptor,
    SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || failed(checkSpatialInputRank(inputType, emitError)))
    return failure();
  SmallVector<int64_t> shape(inputType.getRank(), 1);
  shape[0] = inputType.getDimSize(0);
  shape[1] = inputType.getDimSize(1);
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(GlobalAvgPoolOp)

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

/// Shared shape function of the broadcasting binary ops.
static LogicalResult inferBroadcastType(Value lhs, Value rhs,
                                        SmallVectorImpl<Type> &resultTypes,
                                        EmitFn emitError) {
  RankedTensorType lhsType = getTensorType(lhs);
  RankedTensorType rhsType = getTensorType(rhs);
  if (!lhsType || !rhsType ||
      failed(checkSameElementType(lhsType, "lhs", rhsType, "rhs", emitError)))
    return failure();
  SmallVector<int64_t> shape;
  if (!broadcastShapes(lhsType.getShape(), rhsType.getShape(), shape))
    return fail(emitError, "operand shapes ", formatShape(lhsType.getShape()),
                " and ", formatShape(rhsType.getShape()),
                " are not broadcastable");
  return pushTensor(shape, lhsType.getElementType(), resultTypes, emitError);
}

#define NN_BINARY_SHAPE_FN(OP)                                                 \
  LogicalResult OP::inferResultTypes(MLIRContext *, OP::Adaptor adaptor,       \
                                     SmallVectorImpl<Type> &resultTypes,       \
                                     EmitFn emitError) {                       \
    return inferBroadcastType(adaptor.getLhs(), adaptor.getRhs(), resultTypes, \
                              emitError);                                      \
  }                                                                            \
  NN_SHAPE_OP_HOOKS(OP)

NN_BINARY_SHAPE_FN(AddOp)
NN_BINARY_SHAPE_FN(SubOp)
NN_BINARY_SHAPE_FN(MulOp)
NN_BINARY_SHAPE_FN(DivOp)
NN_BINARY_SHAPE_FN(PowOp)
NN_BINARY_SHAPE_FN(ModOp)
NN_BINARY_SHAPE_FN(MaxOp)
NN_BINARY_SHAPE_FN(MinOp)

/// Shared shape function of the comparisons: broadcasting, then i1.
static LogicalResult inferCompareType(MLIRContext *context, Value lhs,
                                      Value rhs,
                                      SmallVectorImpl<Type> &resultTypes,
                                      EmitFn emitError) {
  if (failed(inferBroadcastType(lhs, rhs, resultTypes, emitError)))
    return failure();
  resultTypes.back() = cast<RankedTensorType>(resultTypes.back())
                           .clone(IntegerType::get(context, 1));
  return success();
}

#define NN_COMPARE_SHAPE_FN(OP)                                                \
  LogicalResult OP::inferResultTypes(                                          \
      MLIRContext *context, OP::Adaptor adaptor,                               \
      SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {                  \
    return inferCompareType(context, adaptor.getLhs(), adaptor.getRhs(),       \
                            resultTypes, emitError);                           \
  }                                                                            \
  NN_SHAPE_OP_HOOKS(OP)

NN_COMPARE_SHAPE_FN(EqualOp)
NN_COMPARE_SHAPE_FN(LessOp)
NN_COMPARE_SHAPE_FN(LessOrEqualOp)
NN_COMPARE_SHAPE_FN(GreaterOp)
NN_COMPARE_SHAPE_FN(GreaterOrEqualOp)
NN_BINARY_SHAPE_FN(AndOp)
NN_BINARY_SHAPE_FN(OrOp)
NN_BINARY_SHAPE_FN(XorOp)

LogicalResult WhereOp::inferResultTypes(MLIRContext *, WhereOp::Adaptor adaptor,
                                        SmallVectorImpl<Type> &resultTypes,
                                        EmitFn emitError) {
  RankedTensorType condType = getTensorType(adaptor.getCond());
  RankedTensorType xType = getTensorType(adaptor.getX());
  RankedTensorType yType = getTensorType(adaptor.getY());
  if (!condType || !xType || !yType ||
      failed(checkSameElementType(xType, "x", yType, "y", emitError)))
    return failure();
  SmallVector<int64_t> xy, shape;
  if (!broadcastShapes(xType.getShape(), yType.getShape(), xy) ||
      !broadcastShapes(condType.getShape(), xy, shape))
    return fail(emitError, "shapes ", formatShape(condType.getShape()), ", ",
                formatShape(xType.getShape()), " and ",
                formatShape(yType.getShape()), " are not broadcastable");
  return pushTensor(shape, xType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(WhereOp)

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Shared shape function of the reductions.
static LogicalResult inferReduceType(Value input, ArrayRef<int64_t> axes,
                                     bool keepDims,
                                     SmallVectorImpl<Type> &resultTypes,
                                     EmitFn emitError) {
  RankedTensorType inputType = getTensorType(input);
  if (!inputType)
    return failure();
  int64_t rank = inputType.getRank();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t axis : axes) {
    if (failed(checkAxis(axis, rank, emitError)))
      return failure();
    if (reduced[axis])
      return fail(emitError, "axis ", axis, " appears more than once in axes");
    reduced[axis] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(inputType.getDimSize(i));
    else if (keepDims)
      shape.push_back(1);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}

#define NN_REDUCE_SHAPE_FN(OP)                                                 \
  LogicalResult OP::inferResultTypes(MLIRContext *, OP::Adaptor adaptor,       \
                                     SmallVectorImpl<Type> &resultTypes,       \
                                     EmitFn emitError) {                       \
    return inferReduceType(adaptor.getInput(), adaptor.getAxes(),              \
                           adaptor.getKeepdims(), resultTypes, emitError);     \
  }                                                                            \
  NN_SHAPE_OP_HOOKS(OP)

NN_REDUCE_SHAPE_FN(ReduceSumOp)
NN_REDUCE_SHAPE_FN(ReduceMeanOp)
NN_REDUCE_SHAPE_FN(ReduceMaxOp)
NN_REDUCE_SHAPE_FN(ReduceMinOp)
NN_REDUCE_SHAPE_FN(ReduceProdOp)

/// Shared shape function of arg_max / arg_min: a one-axis reduction whose
/// result holds i64 indices.
static LogicalResult inferArgReduceType(MLIRContext *context, Value input,
                                        int64_t axis, bool keepDims,
                                        SmallVectorImpl<Type> &resultTypes,
                                        EmitFn emitError) {
  if (failed(inferReduceType(input, {axis}, keepDims, resultTypes, emitError)))
    return failure();
  resultTypes.back() = cast<RankedTensorType>(resultTypes.back())
                           .clone(IntegerType::get(context, 64));
  return success();
}

#define NN_ARG_REDUCE_SHAPE_FN(OP)                                             \
  LogicalResult OP::inferResultTypes(                                          \
      MLIRContext *context, OP::Adaptor adaptor,                               \
      SmallVectorImpl<Type> &resultTypes, EmitFn emitError) {                  \
    return inferArgReduceType(context, adaptor.getInput(), adaptor.getAxis(),  \
                              adaptor.getKeepdims(), resultTypes, emitError);  \
  }                                                                            \
  NN_SHAPE_OP_HOOKS(OP)

NN_ARG_REDUCE_SHAPE_FN(ArgMaxOp)
NN_ARG_REDUCE_SHAPE_FN(ArgMinOp)

//===----------------------------------------------------------------------===//
// Data movement and shape ops
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferResultTypes(MLIRContext *,
                                            TransposeOp::Adaptor adaptor,
                                            SmallVectorImpl<Type> &resultTypes,
                                            EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getPermAttr())
    return failure();
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(perm.size()) != rank)
    return fail(emitError, "perm has ", perm.size(),
                " entries, expected the input rank ", rank);
  SmallVector<bool> seen(rank, false);
  SmallVector<int64_t> shape;
  for (int64_t dim : perm) {
    if (dim < 0 || dim >= rank || seen[dim])
      return fail(emitError, "perm ", formatShape(perm),
                  " is not a permutation of [0, ", rank, ")");
    seen[dim] = true;
    shape.push_back(inputType.getDimSize(dim));
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(TransposeOp)

LogicalResult ReshapeOp::inferResultTypes(MLIRContext *,
                                          ReshapeOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &resultTypes,
                                          EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getShapeAttr())
    return failure();
  ArrayRef<int64_t> shape = adaptor.getShape();
  if (llvm::any_of(shape, [](int64_t d) { return d < 0; }))
    return fail(emitError, "shape ", formatShape(shape),
                " has a negative size (placeholders must be resolved)");
  std::optional<int64_t> count = checkedProduct(shape);
  if (!count)
    return fail(emitError, "shape ", formatShape(shape),
                " overflows the element count");
  std::optional<int64_t> inputCount = checkedProduct(inputType.getShape());
  if (!inputCount || *count != *inputCount)
    return fail(emitError, "shape ", formatShape(shape), " has ", *count,
                " elements but the input has ",
                inputCount ? std::to_string(*inputCount) : "more than 2^63");
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(ReshapeOp)

LogicalResult FlattenOp::inferResultTypes(MLIRContext *,
                                          FlattenOp::Adaptor adaptor,
                                          SmallVectorImpl<Type> &resultTypes,
                                          EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, inputType.getRank(), emitError,
                       /*allowRank=*/true)))
    return failure();
  ArrayRef<int64_t> inShape = inputType.getShape();
  std::optional<int64_t> outer = checkedProduct(inShape.take_front(axis));
  std::optional<int64_t> inner = checkedProduct(inShape.drop_front(axis));
  if (!outer || !inner)
    return fail(emitError, "flattened dimensions overflow int64");
  return pushTensor({*outer, *inner}, inputType.getElementType(), resultTypes,
                    emitError);
}
NN_SHAPE_OP_HOOKS(FlattenOp)

LogicalResult ConcatOp::inferResultTypes(MLIRContext *,
                                         ConcatOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &resultTypes,
                                         EmitFn emitError) {
  if (!adaptor.getAxisAttr())
    return failure();
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return fail(emitError, "expects at least one input");
  RankedTensorType firstType = getTensorType(inputs[0]);
  if (!firstType)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, firstType.getRank(), emitError)))
    return failure();
  SmallVector<int64_t> shape(firstType.getShape());
  for (auto [index, input] : llvm::enumerate(inputs.drop_front())) {
    RankedTensorType type = getTensorType(input);
    if (!type)
      return failure();
    if (type.getElementType() != firstType.getElementType())
      return fail(emitError, "input #", index + 1, " has element type ",
                  type.getElementType(), ", expected ",
                  firstType.getElementType());
    if (type.getRank() != firstType.getRank())
      return fail(emitError, "input #", index + 1, " has rank ", type.getRank(),
                  ", expected ", firstType.getRank());
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (d == axis)
        continue;
      if (type.getDimSize(d) != shape[d])
        return fail(emitError, "input #", index + 1, " has size ",
                    type.getDimSize(d), " along non-concatenated axis ", d,
                    ", expected ", shape[d]);
    }
    if (llvm::AddOverflow(shape[axis], type.getDimSize(axis), shape[axis]))
      return fail(emitError, "concatenated size overflows");
  }
  return pushTensor(shape, firstType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(ConcatOp)

LogicalResult SplitOp::inferResultTypes(MLIRContext *, SplitOp::Adaptor adaptor,
                                        SmallVectorImpl<Type> &resultTypes,
                                        EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getSizesAttr())
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, inputType.getRank(), emitError)))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return fail(emitError, "expects at least one size");
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return fail(emitError, "sizes must be non-negative, got ",
                  formatShape(sizes));
    if (llvm::AddOverflow(total, size, total))
      return fail(emitError, "sizes overflow");
  }
  if (total != inputType.getDimSize(axis))
    return fail(emitError, "sizes ", formatShape(sizes), " sum to ", total,
                " but the input has size ", inputType.getDimSize(axis),
                " along axis ", axis);
  SmallVector<int64_t> shape(inputType.getShape());
  for (int64_t size : sizes) {
    shape[axis] = size;
    resultTypes.push_back(
        RankedTensorType::get(shape, inputType.getElementType()));
  }
  return success();
}
NN_SHAPE_OP_HOOKS(SplitOp)

LogicalResult SliceOp::inferResultTypes(MLIRContext *, SliceOp::Adaptor adaptor,
                                        SmallVectorImpl<Type> &resultTypes,
                                        EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getStartsAttr() || !adaptor.getEndsAttr())
    return failure();
  ArrayRef<int64_t> starts = adaptor.getStarts(), ends = adaptor.getEnds();
  ArrayRef<int64_t> axes = adaptor.getAxes(), steps = adaptor.getSteps();
  int64_t rank = inputType.getRank();
  if (starts.size() != ends.size())
    return fail(emitError, "starts and ends have different lengths (",
                starts.size(), " vs ", ends.size(), ")");
  if (!axes.empty() && axes.size() != starts.size())
    return fail(emitError, "axes has ", axes.size(), " entries, expected ",
                starts.size());
  if (!steps.empty() && steps.size() != starts.size())
    return fail(emitError, "steps has ", steps.size(), " entries, expected ",
                starts.size());
  if (axes.empty() && static_cast<int64_t>(starts.size()) > rank)
    return fail(emitError, "slices ", starts.size(), " axes of a rank-", rank,
                " input");
  SmallVector<int64_t> shape(inputType.getShape());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t axis = axes.empty() ? static_cast<int64_t>(i) : axes[i];
    if (failed(checkAxis(axis, rank, emitError)))
      return failure();
    if (seen[axis])
      return fail(emitError, "axis ", axis, " appears more than once in axes");
    seen[axis] = true;
    int64_t step = steps.empty() ? 1 : steps[i];
    int64_t dim = inputType.getDimSize(axis);
    int64_t start = starts[i], end = ends[i];
    if (step == 0)
      return fail(emitError, "steps must be non-zero");
    if (step > 0 && !(0 <= start && start <= end && end <= dim))
      return fail(emitError, "slice [", start, ", ", end,
                  ") is out of range for axis ", axis, " of size ", dim);
    if (step < 0 && !(-1 <= end && end <= start && start <= dim - 1))
      return fail(emitError, "reverse slice [", start, ", ", end,
                  ") is out of range for axis ", axis, " of size ", dim);
    // Bounds are within [-1, dim], so the span cannot overflow; the step may
    // be any int64, so divide by its magnitude as unsigned.
    uint64_t span = step > 0 ? end - start : start - end;
    uint64_t stride = step > 0 ? uint64_t(step) : uint64_t(0) - uint64_t(step);
    shape[axis] = span == 0 ? 0 : static_cast<int64_t>((span - 1) / stride + 1);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(SliceOp)

LogicalResult GatherOp::inferResultTypes(MLIRContext *,
                                         GatherOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &resultTypes,
                                         EmitFn emitError) {
  RankedTensorType dataType = getTensorType(adaptor.getData());
  RankedTensorType indicesType = getTensorType(adaptor.getIndices());
  if (!dataType || !indicesType)
    return failure();
  int64_t axis = adaptor.getAxis();
  if (failed(checkAxis(axis, dataType.getRank(), emitError)))
    return failure();
  ArrayRef<int64_t> dataShape = dataType.getShape();
  SmallVector<int64_t> shape(dataShape.take_front(axis));
  llvm::append_range(shape, indicesType.getShape());
  llvm::append_range(shape, dataShape.drop_front(axis + 1));
  return pushTensor(shape, dataType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(GatherOp)

LogicalResult ExpandOp::inferResultTypes(MLIRContext *,
                                         ExpandOp::Adaptor adaptor,
                                         SmallVectorImpl<Type> &resultTypes,
                                         EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getShapeAttr())
    return failure();
  ArrayRef<int64_t> target = adaptor.getShape();
  if (llvm::any_of(target, [](int64_t d) { return d < 0; }))
    return fail(emitError, "shape ", formatShape(target),
                " has a negative size");
  SmallVector<int64_t> shape;
  if (!broadcastShapes(inputType.getShape(), target, shape))
    return fail(emitError, "input shape ", formatShape(inputType.getShape()),
                " is not broadcastable to ", formatShape(target));
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(ExpandOp)

LogicalResult PadOp::inferResultTypes(MLIRContext *, PadOp::Adaptor adaptor,
                                      SmallVectorImpl<Type> &resultTypes,
                                      EmitFn emitError) {
  RankedTensorType inputType = getTensorType(adaptor.getInput());
  if (!inputType || !adaptor.getPadsAttr())
    return failure();
  ArrayRef<int64_t> pads = adaptor.getPads();
  int64_t rank = inputType.getRank();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return fail(emitError, "expects ", 2 * rank, " pads, got ", pads.size());
  StringRef mode = adaptor.getMode();
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return fail(emitError,
                "mode must be \"constant\", \"reflect\" or "
                "\"edge\", got \"",
                mode, "\"");
  constexpr int64_t kMaxPad = int64_t(1) << 40;
  SmallVector<int64_t> shape;
  for (int64_t axis = 0; axis < rank; ++axis) {
    int64_t dim = inputType.getDimSize(axis);
    int64_t before = pads[axis], after = pads[axis + rank];
    auto tooLarge = [&](int64_t pad) { return pad < -kMaxPad || pad > kMaxPad; };
    if (tooLarge(before) || tooLarge(after))
      return fail(emitError, "pads along axis ", axis, " exceed 2^40");
    if (mode == "reflect" && (before >= dim || after >= dim))
      return fail(emitError, "reflect pads along axis ", axis,
                  " must be smaller than its size ", dim);
    if (mode == "edge" && dim == 0 && (before > 0 || after > 0))
      return fail(emitError, "edge mode cannot pad empty axis ", axis);
    std::optional<int64_t> padded = llvm::checkedAdd(dim, before + after);
    if (!padded)
      return fail(emitError, "pads make axis ", axis, " overflow 64 bits");
    int64_t size = *padded;
    if (size < 0)
      return fail(emitError, "pads make axis ", axis, " negative (", size, ")");
    shape.push_back(size);
  }
  return pushTensor(shape, inputType.getElementType(), resultTypes, emitError);
}
NN_SHAPE_OP_HOOKS(PadOp)
