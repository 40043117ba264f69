//===- NNDecompose.cpp - decompose composite nn ops -----------------------===//
//
// The `nn-decompose` pass: rewrites gelu, softmax, log_softmax, layer_norm
// and batch_norm (inference and training) into nn elementwise ops and
// reductions with the same ONNX semantics and element type, a conv with more
// than two spatial dimensions into a sum of convs with one fewer, a gather
// with run-time indices along an inner axis into one along axis 0 between
// transposes, a 3-D max or average pool into two 2-D pools, and a max or
// average pool with a large window over several axes into a pool along one
// axis and one along the rest. Later lowerings then only need the
// simple ops, and the reductions are explicit (max-subtraction for a stable
// softmax included).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "ConstantData.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

namespace mlir::nn {
#define GEN_PASS_DEF_NNDECOMPOSE
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
/// A rank-0 constant of `elementType`: numpy broadcasting makes it apply to
/// every element of the other operand.
Value scalar(PatternRewriter &rewriter, Location loc, Type elementType,
             double value) {
  auto type = RankedTensorType::get({}, elementType);
  auto attr = DenseElementsAttr::get(type, FloatAttr::get(elementType, value));
  return ConstantOp::create(rewriter, loc, type, attr);
}

Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// `reduce(input)` over `axes`, keeping the reduced dimensions.
template <typename ReduceOpTy>
Value reduceKeepDims(PatternRewriter &rewriter, Location loc, Value input,
                     ArrayRef<int64_t> axes) {
  return ReduceOpTy::create(rewriter, loc, input,
                            rewriter.getDenseI64ArrayAttr(axes),
                            rewriter.getBoolAttr(true));
}

/// gelu(x) = 0.5 * x * (1 + erf(x / sqrt(2)))            (approximate=none)
///         = 0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) (tanh)
struct DecomposeGelu : OpRewritePattern<GeluOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GeluOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    Type elementType = elementTypeOf(x);
    Value inner;
    if (op.getApproximate() == "none") {
      Value scaled = DivOp::create(
          rewriter, loc, x, scalar(rewriter, loc, elementType, std::sqrt(2.0)));
      inner = ErfOp::create(rewriter, loc, scaled);
    } else if (op.getApproximate() == "tanh") {
      Value cube =
          MulOp::create(rewriter, loc, MulOp::create(rewriter, loc, x, x), x);
      Value cubic = AddOp::create(
          rewriter, loc, x,
          MulOp::create(rewriter, loc,
                        scalar(rewriter, loc, elementType, 0.044715), cube));
      Value scaled = MulOp::create(
          rewriter, loc,
          scalar(rewriter, loc, elementType, std::sqrt(2.0 / M_PI)), cubic);
      inner = TanhOp::create(rewriter, loc, scaled);
    } else {
      return rewriter.notifyMatchFailure(op, "unknown approximate mode");
    }
    Value onePlus = AddOp::create(
        rewriter, loc, scalar(rewriter, loc, elementType, 1.0), inner);
    Value half = MulOp::create(rewriter, loc,
                               scalar(rewriter, loc, elementType, 0.5), x);
    rewriter.replaceOpWithNewOp<MulOp>(op, half, onePlus);
    return success();
  }
};

/// softmax(x) = e / reduce_sum(e), e = exp(x - reduce_max(x)) over `axis`.
struct DecomposeSoftmax : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t axis = op.getAxis(); // Verified to be in [0, rank).
    Value max = reduceKeepDims<ReduceMaxOp>(rewriter, loc, x, {axis});
    Value exp =
        ExpOp::create(rewriter, loc, SubOp::create(rewriter, loc, x, max));
    Value sum = reduceKeepDims<ReduceSumOp>(rewriter, loc, exp, {axis});
    rewriter.replaceOpWithNewOp<DivOp>(op, exp, sum);
    return success();
  }
};

/// log_softmax(x) = (x - m) - log(reduce_sum(exp(x - m))), m = reduce_max(x).
struct DecomposeLogSoftmax : OpRewritePattern<LogSoftmaxOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LogSoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t axis = op.getAxis(); // Verified to be in [0, rank).
    Value max = reduceKeepDims<ReduceMaxOp>(rewriter, loc, x, {axis});
    Value shifted = SubOp::create(rewriter, loc, x, max);
    Value sum = reduceKeepDims<ReduceSumOp>(
        rewriter, loc, ExpOp::create(rewriter, loc, shifted), {axis});
    rewriter.replaceOpWithNewOp<SubOp>(op, shifted,
                                       LogOp::create(rewriter, loc, sum));
    return success();
  }
};

/// layer_norm(x) = d / sqrt(reduce_mean(d * d) + eps) * scale (+ bias),
/// d = x - reduce_mean(x), reducing over [axis, rank). scale and bias have
/// the normalized (trailing) shape, so numpy broadcasting applies them.
struct DecomposeLayerNorm : OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    int64_t rank = cast<RankedTensorType>(x.getType()).getRank();
    SmallVector<int64_t> axes;
    for (int64_t axis = op.getAxis(); axis < rank; ++axis)
      axes.push_back(axis);
    Value mean = reduceKeepDims<ReduceMeanOp>(rewriter, loc, x, axes);
    Value centered = SubOp::create(rewriter, loc, x, mean);
    Value variance = reduceKeepDims<ReduceMeanOp>(
        rewriter, loc, MulOp::create(rewriter, loc, centered, centered), axes);
    Value epsilon = scalar(rewriter, loc, elementTypeOf(x),
                           op.getEpsilon().convertToDouble());
    Value stdDev = SqrtOp::create(
        rewriter, loc, AddOp::create(rewriter, loc, variance, epsilon));
    Value normalized = DivOp::create(rewriter, loc, centered, stdDev);
    Value result = MulOp::create(rewriter, loc, normalized, op.getScale());
    if (Value bias = op.getBias())
      result = AddOp::create(rewriter, loc, result, bias);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// The per-channel operands of a batch norm as [1, C, 1, ...] so numpy
/// broadcasting applies them along dimension 1, and the axes (all but 1)
/// the batch statistics reduce over.
struct ChannelLayout {
  SmallVector<int64_t> shape, axes;
};
ChannelLayout channelLayout(Value x) {
  auto type = cast<RankedTensorType>(x.getType());
  ChannelLayout layout;
  layout.shape.assign(type.getRank(), 1);
  layout.shape[1] = type.getDimSize(1);
  for (int64_t axis = 0; axis < type.getRank(); ++axis)
    if (axis != 1)
      layout.axes.push_back(axis);
  return layout;
}
Value reshapeTo(PatternRewriter &rewriter, Location loc, Value v,
                ArrayRef<int64_t> shape) {
  return ReshapeOp::create(rewriter, loc, v,
                           rewriter.getDenseI64ArrayAttr(shape));
}

/// (x - mean) * (scale / sqrt(var + eps)) + bias per channel: the factor
/// is computed on the [C] operands, then one chain over x.
Value normalize(PatternRewriter &rewriter, Location loc, Value x, Value mean,
                Value var, Value scale, Value bias, APFloat epsilon,
                const ChannelLayout &layout) {
  Value eps =
      scalar(rewriter, loc, elementTypeOf(x), epsilon.convertToDouble());
  Value factor = DivOp::create(
      rewriter, loc, scale,
      SqrtOp::create(rewriter, loc, AddOp::create(rewriter, loc, var, eps)));
  // Every operand of the chain over x exists before its first op, so the
  // chip fuses the subtraction, the scaling and the bias into one pass.
  Value meanColumn = reshapeTo(rewriter, loc, mean, layout.shape);
  Value factorColumn = reshapeTo(rewriter, loc, factor, layout.shape);
  Value biasColumn = reshapeTo(rewriter, loc, bias, layout.shape);
  Value centered = SubOp::create(rewriter, loc, x, meanColumn);
  Value scaled = MulOp::create(rewriter, loc, centered, factorColumn);
  return AddOp::create(rewriter, loc, scaled, biasColumn);
}

/// Inference batch norm whose parameters are not constants (those
/// nn-fold-batch-norm folds first): the per-channel affine map.
struct DecomposeBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    ChannelLayout layout = channelLayout(op.getInput());
    rewriter.replaceOp(op, normalize(rewriter, op.getLoc(), op.getInput(),
                                     op.getMean(), op.getVar(), op.getScale(),
                                     op.getBias(), op.getEpsilon(), layout));
    return success();
  }
};

/// Training batch norm: the batch mean and biased variance by two
/// reductions (the variance of the centered values, not E[x^2] - mean^2,
/// which cancels catastrophically), the normalization as above, and the
/// running statistics old * momentum + batch * (1 - momentum).
struct DecomposeBatchNormTrain : OpRewritePattern<BatchNormTrainOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormTrainOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getInput();
    ChannelLayout layout = channelLayout(x);
    int64_t channels = layout.shape[1];
    Value mean = reduceKeepDims<ReduceMeanOp>(rewriter, loc, x, layout.axes);
    Value centered = SubOp::create(rewriter, loc, x, mean);
    Value variance = reduceKeepDims<ReduceMeanOp>(
        rewriter, loc, MulOp::create(rewriter, loc, centered, centered),
        layout.axes);
    Value batchMean = reshapeTo(rewriter, loc, mean, {channels});
    Value batchVar = reshapeTo(rewriter, loc, variance, {channels});
    Value y = normalize(rewriter, loc, x, batchMean, batchVar, op.getScale(),
                        op.getBias(), op.getEpsilon(), layout);
    Type elementType = elementTypeOf(x);
    double momentum = op.getMomentum().convertToDouble();
    // One statement per op: the IR must not depend on the compiler's
    // argument-evaluation order.
    auto update = [&](Value running, Value batch) -> Value {
      Value kept = MulOp::create(rewriter, loc, running,
                                 scalar(rewriter, loc, elementType, momentum));
      Value added = MulOp::create(
          rewriter, loc, batch,
          scalar(rewriter, loc, elementType, 1.0 - momentum));
      return AddOp::create(rewriter, loc, kept, added);
    };
    rewriter.replaceOp(op, {y, update(op.getMean(), batchMean),
                            update(op.getVar(), batchVar)});
    return success();
  }
};

/// A conv with n > 2 spatial dims as the sum, over the first kernel axis k,
/// of convs with n - 1: the input padded along the first spatial axis, the
/// planes k*dilation + o*stride (o an output index) sliced out and folded
/// into the batch, convolved with the weight's k-th slice. Repeated until
/// the chip's 2-D convs remain.
static constexpr int64_t kMaxUnrolledKernelDepth = 1024;

struct DecomposeConvND : OpRewritePattern<ConvOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    auto xType = cast<RankedTensorType>(op.getInput().getType());
    auto wType = cast<RankedTensorType>(op.getWeight().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    int64_t rank = xType.getRank(), n = rank - 2;
    if (n <= 2)
      return rewriter.notifyMatchFailure(op, "the chip convolves 1-D and 2-D");
    // One (N-1)-d conv per kernel position along the first spatial axis.
    if (wType.getDimSize(2) > kMaxUnrolledKernelDepth)
      return rewriter.notifyMatchFailure(op, "a kernel too deep to unroll");
    Location loc = op.getLoc();
    auto attr = [&](ArrayRef<int64_t> values, int64_t i, int64_t fallback) {
      return values.empty() ? fallback : values[i];
    };
    ArrayRef<int64_t> strides = op.getStrides(), pads = op.getPads(),
                      dilations = op.getDilations();
    int64_t stride = attr(strides, 0, 1), dilation = attr(dilations, 0, 1);
    int64_t padBegin = attr(pads, 0, 0), padEnd = attr(pads, n, 0);
    int64_t batch = xType.getDimSize(0), depth = outType.getDimSize(2);
    auto dropFirst = [&](ArrayRef<int64_t> values) {
      SmallVector<int64_t> rest;
      if (values.empty())
        return rest;
      for (int64_t i = 1; i < n; ++i)
        rest.push_back(values[i]);
      if (values.size() == size_t(2 * n))
        for (int64_t i = n + 1; i < 2 * n; ++i)
          rest.push_back(values[i]);
      return rest;
    };
    auto array = [&](ArrayRef<int64_t> values) {
      return rewriter.getDenseI64ArrayAttr(values);
    };
    Value x = op.getInput();
    if (padBegin || padEnd) {
      SmallVector<int64_t> padding(2 * rank, 0);
      padding[2] = padBegin;
      padding[rank + 2] = padEnd;
      x = PadOp::create(rewriter, loc, x, array(padding),
                        rewriter.getStringAttr("constant"),
                        rewriter.getF32FloatAttr(0.0f));
    }
    // [N, C, D, ...] planes -> [N * OD, C, ...] per kernel position.
    SmallVector<int64_t> toBatch = {0, 2, 1};
    for (int64_t d = 3; d < rank; ++d)
      toBatch.push_back(d);
    std::optional<SmallVector<float>> weights;
    if (wType.getElementType().isF32())
      weights = readF32Constant(op.getWeight());
    int64_t outer = wType.getDimSize(0) * wType.getDimSize(1);
    Value sum;
    for (int64_t k = 0; k < wType.getDimSize(2); ++k) {
      int64_t start = k * dilation;
      Value planes = SliceOp::create(
          rewriter, loc, x, array({start}),
          array({start + stride * (depth - 1) + 1}), array({2}),
          array({stride}));
      Value batched = TransposeOp::create(rewriter, loc, planes,
                                          array(toBatch));
      SmallVector<int64_t> batchedShape(
          cast<RankedTensorType>(batched.getType()).getShape().drop_front(3));
      batchedShape.insert(batchedShape.begin(),
                          {batch * depth, xType.getDimSize(1)});
      Value input =
          ReshapeOp::create(rewriter, loc, batched, array(batchedShape));
      SmallVector<int64_t> weightShape(wType.getShape());
      weightShape.erase(weightShape.begin() + 2);
      Value weight;
      if (weights) {
        // A constant weight is sliced now: the MXU kernels lay out constant
        // weights at compile time.
        int64_t inner = wType.getNumElements() / (outer * wType.getDimSize(2));
        SmallVector<float> slice;
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i)
            slice.push_back(
                (*weights)[(o * wType.getDimSize(2) + k) * inner + i]);
        weight = createF32BlobConstant(
            rewriter, loc,
            RankedTensorType::get(weightShape, wType.getElementType()), slice,
            "conv_weight_slice");
      } else {
        Value weightSlice = SliceOp::create(rewriter, loc, op.getWeight(),
                                            array({k}), array({k + 1}),
                                            array({2}), array({1}));
        weight =
            ReshapeOp::create(rewriter, loc, weightSlice, array(weightShape));
      }
      Value partial = ConvOp::create(
          rewriter, loc, input, weight, Value(), array({}),
          array(dropFirst(strides)), array(dropFirst(pads)),
          array(dropFirst(dilations)), op.getGroupAttr());
      sum = sum ? AddOp::create(rewriter, loc, sum, partial).getResult()
                : partial;
    }
    // [N * OD, M, ...] -> [N, M, OD, ...].
    SmallVector<int64_t> unbatched(
        cast<RankedTensorType>(sum.getType()).getShape().drop_front(1));
    unbatched.insert(unbatched.begin(), {batch, depth});
    Value result = TransposeOp::create(
        rewriter, loc, ReshapeOp::create(rewriter, loc, sum, array(unbatched)),
        array(toBatch));
    if (Value bias = op.getBias()) {
      SmallVector<int64_t> channelShape(rank, 1);
      channelShape[1] = outType.getDimSize(1);
      result = AddOp::create(
          rewriter, loc, result,
          ReshapeOp::create(rewriter, loc, bias, array(channelShape)));
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A gather along axis k > 0 with run-time indices (the chip gathers rows
/// by a one-hot matmul): the axis moved first, gathered, and the gathered
/// dims moved back to position k.
struct DecomposeGatherAxis : OpRewritePattern<GatherOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherOp op,
                                PatternRewriter &rewriter) const override {
    int64_t axis = op.getAxis();
    if (axis == 0 || op.getIndices().getDefiningOp<ConstantOp>())
      return rewriter.notifyMatchFailure(op, "the kernels gather this one");
    Location loc = op.getLoc();
    int64_t rank = cast<RankedTensorType>(op.getData().getType()).getRank();
    int64_t indexRank =
        cast<RankedTensorType>(op.getIndices().getType()).getRank();
    SmallVector<int64_t> toFront = {axis};
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        toFront.push_back(d);
    Value front = TransposeOp::create(rewriter, loc, op.getData(),
                                      rewriter.getDenseI64ArrayAttr(toFront));
    Value gathered = GatherOp::create(rewriter, loc, front, op.getIndices(),
                                      rewriter.getI64IntegerAttr(0));
    // [indices..., d0..d(k-1), d(k+1)...] -> [d0..d(k-1), indices..., ...].
    SmallVector<int64_t> back;
    for (int64_t d = 0; d < axis; ++d)
      back.push_back(indexRank + d);
    for (int64_t d = 0; d < indexRank; ++d)
      back.push_back(d);
    for (int64_t d = indexRank + axis; d < indexRank + rank - 1; ++d)
      back.push_back(d);
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, gathered, rewriter.getDenseI64ArrayAttr(back));
    return success();
  }
};

/// A max_pool or avg_pool whose window has more than kMaxPoolTaps
/// positions over two or more spatial axes, as a pool along the innermost
/// such axis followed by a pool along the others. Max and mean are
/// separable over a box (the averages' divisors are products of per-axis
/// counts), and the VPU kernel's work and buffers grow with the window's
/// positions: a 60 x 80 window takes 140 combines, not 4800.
static constexpr int64_t kMaxPoolTaps = 32;

/// A pool like `op` (its ceil_mode, count_include_pad) with other windows.
template <typename PoolOpTy>
Value createPoolLike(PatternRewriter &rewriter, PoolOpTy op, Value input,
                     ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
                     ArrayRef<int64_t> pads, ArrayRef<int64_t> dilations) {
  auto array = [&](ArrayRef<int64_t> v) {
    return rewriter.getDenseI64ArrayAttr(v);
  };
  if constexpr (std::is_same_v<PoolOpTy, AvgPoolOp>)
    return AvgPoolOp::create(rewriter, op.getLoc(), input, array(kernel),
                             array(strides), array(pads), array(dilations),
                             op.getCeilModeAttr(), op.getCountIncludePadAttr());
  else
    return MaxPoolOp::create(rewriter, op.getLoc(), input, array(kernel),
                             array(strides), array(pads), array(dilations),
                             op.getCeilModeAttr());
}

/// A pool attribute with its default (all `fallback`) spelled out.
SmallVector<int64_t> poolAttr(ArrayRef<int64_t> attr, int64_t size,
                              int64_t fallback) {
  SmallVector<int64_t> values(attr);
  if (values.empty())
    values.assign(size, fallback);
  return values;
}

template <typename PoolOpTy>
struct DecomposeSeparablePool : OpRewritePattern<PoolOpTy> {
  using OpRewritePattern<PoolOpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(PoolOpTy op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> kernel = op.getKernelShape();
    int64_t n = kernel.size(), taps = 1, axes = 0, last = -1;
    bool manyTaps = false; // more than int64 counts
    for (int64_t i = 0; i < n; ++i) {
      manyTaps |= llvm::MulOverflow(taps, kernel[i], taps);
      if (kernel[i] > 1) {
        ++axes;
        last = i;
      }
    }
    if (axes < 2 || (!manyTaps && taps <= kMaxPoolTaps))
      return rewriter.notifyMatchFailure(op, "a small window");
    SmallVector<int64_t> strides = poolAttr(op.getStrides(), n, 1);
    SmallVector<int64_t> dilations = poolAttr(op.getDilations(), n, 1);
    SmallVector<int64_t> pads = poolAttr(op.getPads(), 2 * n, 0);
    // `inner` pools along axis `last` only, `outer` along the others.
    SmallVector<int64_t> innerKernel(n, 1), innerStrides(n, 1),
        innerDilations(n, 1), innerPads(2 * n, 0);
    innerKernel[last] = kernel[last];
    innerStrides[last] = strides[last];
    innerDilations[last] = dilations[last];
    innerPads[last] = pads[last];
    innerPads[n + last] = pads[n + last];
    SmallVector<int64_t> outerKernel(kernel), outerStrides(strides),
        outerDilations(dilations), outerPads(pads);
    outerKernel[last] = outerStrides[last] = outerDilations[last] = 1;
    outerPads[last] = outerPads[n + last] = 0;
    Value inner = createPoolLike(rewriter, op, op.getInput(), innerKernel,
                                 innerStrides, innerPads, innerDilations);
    Value outer = createPoolLike(rewriter, op, inner, outerKernel, outerStrides,
                                 outerPads, outerDilations);
    rewriter.replaceOp(op, outer);
    return success();
  }
};

/// A 3-D max_pool or avg_pool (the VPU pool kernels are 1-D and 2-D):
/// [N, C, D, H, W] viewed as [N, C * D, H, W] and pooled over (H, W), then
/// viewed as [N, C, D, OH * OW] and pooled along D alone. Max and mean are
/// separable over a box (the mean's divisor is the product of the per-axis
/// counts; ceil_mode and count_include_pad apply per axis). Runs before
/// DecomposeSeparablePool, which may then split the 2-D pools.
template <typename PoolOpTy>
struct DecomposePool3D : OpRewritePattern<PoolOpTy> {
  explicit DecomposePool3D(MLIRContext *context)
      : OpRewritePattern<PoolOpTy>(context, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(PoolOpTy op,
                                PatternRewriter &rewriter) const override {
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto outType = cast<RankedTensorType>(op.getOutput().getType());
    if (inType.getRank() != 5 || !inType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static 3-D pool");
    ArrayRef<int64_t> kernel = op.getKernelShape();
    SmallVector<int64_t> strides = poolAttr(op.getStrides(), 3, 1);
    SmallVector<int64_t> dilations = poolAttr(op.getDilations(), 3, 1);
    SmallVector<int64_t> pads = poolAttr(op.getPads(), 6, 0);
    ArrayRef<int64_t> in = inType.getShape();
    int64_t n = in[0], c = in[1], d = in[2];
    Location loc = op.getLoc();
    auto array = [&](ArrayRef<int64_t> v) {
      return rewriter.getDenseI64ArrayAttr(v);
    };
    Value planes = ReshapeOp::create(rewriter, loc, op.getInput(),
                                     array({n, c * d, in[3], in[4]}));
    Value pooled = createPoolLike(
        rewriter, op, planes, {kernel[1], kernel[2]}, {strides[1], strides[2]},
        {pads[1], pads[2], pads[4], pads[5]}, {dilations[1], dilations[2]});
    ArrayRef<int64_t> plane =
        cast<RankedTensorType>(pooled.getType()).getShape();
    Value rows = ReshapeOp::create(rewriter, loc, pooled,
                                   array({n, c, d, plane[2] * plane[3]}));
    Value depth =
        createPoolLike(rewriter, op, rows, {kernel[0], 1}, {strides[0], 1},
                       {pads[0], 0, pads[3], 0}, {dilations[0], 1});
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, depth,
                                           array(outType.getShape()));
    return success();
  }
};

struct NNDecomposePass : nn::impl::NNDecomposeBase<NNDecomposePass> {
  using Base::Base;

  void runOnOperation() override {
    static constexpr StringLiteral kKnownOps[] = {
        "gelu",       "softmax",          "log_softmax", "layer_norm",
        "batch_norm", "batch_norm_train", "conv",        "gather",
        "pool"};
    llvm::StringSet<> selected;
    for (const std::string &name : ops) {
      if (!llvm::is_contained(kKnownOps, name)) {
        getOperation()->emitError()
            << "nn-decompose: unknown op '" << name
            << "' in ops (expected gelu, softmax, log_softmax, layer_norm, "
               "batch_norm, batch_norm_train, conv, gather or pool)";
        return signalPassFailure();
      }
      selected.insert(name);
    }
    auto wanted = [&](StringRef name) {
      return selected.empty() || selected.contains(name);
    };

    RewritePatternSet patterns(&getContext());
    if (wanted("gelu"))
      patterns.add<DecomposeGelu>(&getContext());
    if (wanted("softmax"))
      patterns.add<DecomposeSoftmax>(&getContext());
    if (wanted("log_softmax"))
      patterns.add<DecomposeLogSoftmax>(&getContext());
    if (wanted("layer_norm"))
      patterns.add<DecomposeLayerNorm>(&getContext());
    if (wanted("batch_norm"))
      patterns.add<DecomposeBatchNorm>(&getContext());
    if (wanted("batch_norm_train"))
      patterns.add<DecomposeBatchNormTrain>(&getContext());
    if (wanted("conv"))
      patterns.add<DecomposeConvND>(&getContext());
    if (wanted("gather"))
      patterns.add<DecomposeGatherAxis>(&getContext());
    if (wanted("pool"))
      patterns.add<DecomposePool3D<MaxPoolOp>, DecomposePool3D<AvgPoolOp>,
                   DecomposeSeparablePool<MaxPoolOp>,
                   DecomposeSeparablePool<AvgPoolOp>>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
