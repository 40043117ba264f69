//===- NNCanonicalize.cpp - nn canonicalization patterns ------------------===//
//
// Rewrites that change which op represents a computation (folders in
// NNFolds.cpp only simplify an op in place). The canonical form of any pure
// reshaping is a single `nn.reshape`, so flatten and unit-dimension
// transposes become reshapes, whose chains the reshape folder then collapses.
// Window attributes of convolutions and pools that spell out their default
// are emptied, so equal windows print (and CSE) the same. An nn.expand that
// only feeds a broadcasting binary op is redundant: the op broadcasts itself.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "NNShapeUtils.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace mlir::nn;

namespace {
/// flatten(x) -> reshape(x): flatten is a reshape with a computed shape.
struct FlattenToReshape : public OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput(),
                                           op.getType().getShape());
    return success();
  }
};

/// A transpose that keeps the relative order of all non-unit dimensions does
/// not move any data: it is a reshape.
struct UnitDimTransposeToReshape : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> inputShape = op.getInput().getType().getShape();
    int64_t previous = -1;
    for (int64_t dim : op.getPerm()) {
      if (inputShape[dim] == 1)
        continue;
      if (dim < previous)
        return rewriter.notifyMatchFailure(op, "moves a non-unit dimension");
      previous = dim;
    }
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput(),
                                           op.getType().getShape());
    return success();
  }
};

/// True when `values` is non-empty and every entry is `value`.
bool isAll(ArrayRef<int64_t> values, int64_t value) {
  return !values.empty() &&
         llvm::all_of(values, [&](int64_t v) { return v == value; });
}

/// Empties strides/dilations of all ones, pads/output_padding of all zeros
/// and a kernel_shape that repeats the weight's, on conv, conv_transpose,
/// max_pool and avg_pool.
template <typename OpTy>
struct DropDefaultWindowAttrs : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool hasWeight =
        std::is_same_v<OpTy, ConvOp> || std::is_same_v<OpTy, ConvTransposeOp>;
    bool dropStrides = isAll(op.getStrides(), 1);
    bool dropDilations = isAll(op.getDilations(), 1);
    bool dropPads = isAll(op.getPads(), 0);
    bool dropOutputPadding = false;
    bool dropKernelShape = false;
    if constexpr (std::is_same_v<OpTy, ConvTransposeOp>)
      dropOutputPadding = isAll(op.getOutputPadding(), 0);
    if constexpr (hasWeight)
      dropKernelShape = !op.getKernelShape().empty() &&
                        op.getKernelShape() ==
                            op.getWeight().getType().getShape().drop_front(2);
    if (!dropStrides && !dropDilations && !dropPads && !dropOutputPadding &&
        !dropKernelShape)
      return rewriter.notifyMatchFailure(op, "no default-valued window attr");
    DenseI64ArrayAttr empty = rewriter.getDenseI64ArrayAttr({});
    rewriter.modifyOpInPlace(op, [&] {
      if (dropStrides)
        op.setStridesAttr(empty);
      if (dropDilations)
        op.setDilationsAttr(empty);
      if (dropPads)
        op.setPadsAttr(empty);
      if constexpr (std::is_same_v<OpTy, ConvTransposeOp>)
        if (dropOutputPadding)
          op.setOutputPaddingAttr(empty);
      if constexpr (hasWeight)
        if (dropKernelShape)
          op.setKernelShapeAttr(empty);
    });
    return success();
  }
};

/// binary(expand(x), y) -> binary(x, y) (either side) when broadcasting `x`
/// against the other operand already yields the op's result shape.
template <typename OpTy>
struct DropExpandIntoBroadcast : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> resultShape = op.getType().getShape();
    for (OpOperand *operand : {&op.getLhsMutable(), &op.getRhsMutable()}) {
      auto expand = operand->get().template getDefiningOp<ExpandOp>();
      if (!expand)
        continue;
      Value other = operand == &op.getLhsMutable() ? op.getRhs() : op.getLhs();
      SmallVector<int64_t> shape;
      if (!nn::detail::broadcastShapes(
              expand.getInput().getType().getShape(),
              cast<RankedTensorType>(other.getType()).getShape(), shape) ||
          ArrayRef<int64_t>(shape) != resultShape)
        continue;
      rewriter.modifyOpInPlace(op, [&] { operand->set(expand.getInput()); });
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no redundant expand operand");
  }
};
} // namespace

#define NN_BINARY_CANONICALIZER(OP)                                            \
  void OP::getCanonicalizationPatterns(RewritePatternSet &patterns,            \
                                       MLIRContext *context) {                 \
    patterns.add<DropExpandIntoBroadcast<OP>>(context);                        \
  }
NN_BINARY_CANONICALIZER(AddOp)
NN_BINARY_CANONICALIZER(SubOp)
NN_BINARY_CANONICALIZER(MulOp)
NN_BINARY_CANONICALIZER(DivOp)
NN_BINARY_CANONICALIZER(PowOp)
NN_BINARY_CANONICALIZER(ModOp)
NN_BINARY_CANONICALIZER(MaxOp)
NN_BINARY_CANONICALIZER(MinOp)
NN_BINARY_CANONICALIZER(AndOp)
NN_BINARY_CANONICALIZER(OrOp)
NN_BINARY_CANONICALIZER(XorOp)
#undef NN_BINARY_CANONICALIZER

void ConvOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<DropDefaultWindowAttrs<ConvOp>>(context);
}

void ConvTransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                  MLIRContext *context) {
  patterns.add<DropDefaultWindowAttrs<ConvTransposeOp>>(context);
}

void MaxPoolOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<DropDefaultWindowAttrs<MaxPoolOp>>(context);
}

void AvgPoolOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<DropDefaultWindowAttrs<AvgPoolOp>>(context);
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FlattenToReshape>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<UnitDimTransposeToReshape>(context);
}
