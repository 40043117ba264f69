//===- NNCanonicalize.cpp - nn canonicalization patterns -------------------===//
//
// Rewrites that change which op represents a computation (folders in
// NNFolds.cpp only simplify an op in place). The canonical form of any pure
// reshaping is a single `nn.reshape`, so flatten and unit-dimension
// transposes become reshapes, whose chains the reshape folder then collapses.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

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
} // namespace

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<FlattenToReshape>(context);
}

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<UnitDimTransposeToReshape>(context);
}
