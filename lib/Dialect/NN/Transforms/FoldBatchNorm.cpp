//===- FoldBatchNorm.cpp - fold inference batch_norm into constants -------===//
//
// The `nn-fold-batch-norm` pass: an inference batch_norm is a per-channel
// affine map with constant coefficients. After a conv it folds into the conv's
// weight and bias (the batch_norm disappears); elsewhere it becomes one mul
// and one add with precomputed per-channel constants. Weights are read from
// either inline dense constants or the importer's dense_resource blobs, and
// folded weights are written back as new blobs.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "ConstantData.h"

#include <cmath>

namespace mlir::nn {
#define GEN_PASS_DEF_NNFOLDBATCHNORM
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
/// Per-channel batch_norm coefficients: output = input * multiplier + offset.
struct ChannelAffine {
  SmallVector<float> multiplier;
  SmallVector<float> offset;
};

/// Reads the four constant [C] parameters of `op` and computes, per channel,
/// multiplier = scale / sqrt(var + eps) and offset = bias - mean * multiplier.
FailureOr<ChannelAffine> channelAffine(BatchNormOp op) {
  std::optional<SmallVector<float>> scale = readF32Constant(op.getScale());
  std::optional<SmallVector<float>> bias = readF32Constant(op.getBias());
  std::optional<SmallVector<float>> mean = readF32Constant(op.getMean());
  std::optional<SmallVector<float>> var = readF32Constant(op.getVar());
  if (!scale || !bias || !mean || !var)
    return failure();
  size_t channels = scale->size();
  if (bias->size() != channels || mean->size() != channels ||
      var->size() != channels)
    return failure();
  double epsilon = op.getEpsilon().convertToDouble();
  ChannelAffine affine;
  for (size_t c = 0; c < channels; ++c) {
    double multiplier = (*scale)[c] / std::sqrt((*var)[c] + epsilon);
    affine.multiplier.push_back(static_cast<float>(multiplier));
    affine.offset.push_back(
        static_cast<float>((*bias)[c] - (*mean)[c] * multiplier));
  }
  return affine;
}

/// conv -> batch_norm with constant f32 weights becomes one conv:
/// w'[m] = w[m] * s[m], b'[m] = (b[m] - mean[m]) * s[m] + bias[m].
struct FoldBatchNormIntoConv : OpRewritePattern<BatchNormOp> {
  FoldBatchNormIntoConv(MLIRContext *context)
      : OpRewritePattern(context, /*benefit=*/2) {}

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto conv = op.getInput().getDefiningOp<ConvOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(op, "input is not a single-use conv");
    std::optional<SmallVector<float>> weight =
        readF32Constant(conv.getWeight());
    if (!weight)
      return rewriter.notifyMatchFailure(op, "conv weight is not f32 data");
    FailureOr<ChannelAffine> affine = channelAffine(op);
    if (failed(affine))
      return rewriter.notifyMatchFailure(op, "parameters are not f32 data");
    size_t channels = affine->multiplier.size();
    auto weightType = cast<RankedTensorType>(conv.getWeight().getType());
    if (weightType.getDimSize(0) != static_cast<int64_t>(channels) ||
        weight->size() % channels != 0)
      return rewriter.notifyMatchFailure(op, "channel counts differ");

    SmallVector<float> convBias(channels, 0.0f);
    if (Value bias = conv.getBias()) {
      std::optional<SmallVector<float>> values = readF32Constant(bias);
      if (!values || values->size() != channels)
        return rewriter.notifyMatchFailure(op, "conv bias is not f32 data");
      convBias = std::move(*values);
    }

    // Weight layout is [M, C/group, k...]: output channel m is one
    // contiguous run of `perChannel` elements.
    size_t perChannel = weight->size() / channels;
    for (size_t m = 0; m < channels; ++m)
      for (size_t i = 0; i < perChannel; ++i)
        (*weight)[m * perChannel + i] *= affine->multiplier[m];
    SmallVector<float> foldedBias(channels);
    for (size_t m = 0; m < channels; ++m)
      foldedBias[m] = convBias[m] * affine->multiplier[m] + affine->offset[m];

    Location loc = conv.getLoc();
    Value newWeight = createF32BlobConstant(rewriter, loc, weightType, *weight,
                                         "bn_folded_weight");
    auto biasType = RankedTensorType::get({static_cast<int64_t>(channels)},
                                          rewriter.getF32Type());
    Value newBias = createF32BlobConstant(rewriter, loc, biasType, foldedBias,
                                       "bn_folded_bias");
    rewriter.replaceOpWithNewOp<ConvOp>(
        op, op.getType(), conv.getInput(), newWeight, newBias,
        conv.getKernelShapeAttr(), conv.getStridesAttr(), conv.getPadsAttr(),
        conv.getDilationsAttr(), conv.getGroupAttr());
    rewriter.eraseOp(conv);
    return success();
  }
};

/// Any other batch_norm with constant f32 parameters becomes
/// input * s' + b', with s' and b' shaped [C, 1, ..., 1] to broadcast over
/// the dimensions after the channel.
struct DecomposeBatchNorm : OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    auto inputType = cast<RankedTensorType>(op.getInput().getType());
    if (!inputType.getElementType().isF32())
      return rewriter.notifyMatchFailure(op, "not f32");
    FailureOr<ChannelAffine> affine = channelAffine(op);
    if (failed(affine))
      return rewriter.notifyMatchFailure(op, "parameters are not f32 data");
    SmallVector<int64_t> shape(inputType.getRank() - 1, 1);
    shape[0] = static_cast<int64_t>(affine->multiplier.size());
    auto type = RankedTensorType::get(shape, rewriter.getF32Type());
    Location loc = op.getLoc();
    Value multiplier = ConstantOp::create(
        rewriter, loc, type,
        DenseElementsAttr::get(type, ArrayRef<float>(affine->multiplier)));
    Value offset = ConstantOp::create(
        rewriter, loc, type,
        DenseElementsAttr::get(type, ArrayRef<float>(affine->offset)));
    Value scaled = MulOp::create(rewriter, loc, op.getInput(), multiplier);
    rewriter.replaceOpWithNewOp<AddOp>(op, scaled, offset);
    return success();
  }
};

struct NNFoldBatchNormPass
    : nn::impl::NNFoldBatchNormBase<NNFoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBatchNormIntoConv, DecomposeBatchNorm>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
