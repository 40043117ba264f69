//===- NNDecompose.cpp - decompose composite nn ops -----------------------===//
//
// The `nn-decompose` pass: rewrites gelu, softmax, log_softmax and layer_norm
// into nn elementwise ops and reductions with the same ONNX semantics and
// element type. Later lowerings then only need the simple ops, and the
// reductions are explicit (max-subtraction for a stable softmax included).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/StringSet.h"

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

struct NNDecomposePass : nn::impl::NNDecomposeBase<NNDecomposePass> {
  using Base::Base;

  void runOnOperation() override {
    static constexpr StringLiteral kKnownOps[] = {"gelu", "softmax",
                                                  "log_softmax", "layer_norm"};
    llvm::StringSet<> selected;
    for (const std::string &name : ops) {
      if (!llvm::is_contained(kKnownOps, name)) {
        getOperation()->emitError()
            << "nn-decompose: unknown op '" << name
            << "' in ops (expected gelu, softmax, log_softmax or layer_norm)";
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
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
