//===- Fuse.cpp - fold producer/consumer chains into matmul/gemm/conv -----===//
//
// The `nn-fuse` pass: folds the cheap elementwise consumers of nn.matmul,
// nn.gemm and nn.conv into the op itself when their other operand is a
// compile-time constant, so the MXU kernels do the work in their epilogue
// (or at compile time) instead of a separate pass over DRAM:
//   - matmul (2-D) + constant row vector       -> gemm with c
//   - gemm + constant row vector               -> gemm with c (merged)
//   - matmul (2-D) * / scalar constant         -> gemm alpha
//   - gemm * / scalar constant                 -> alpha and beta scaled
//   - matmul (N-d, constant b) * / scalar      -> matmul with b scaled
//   - conv + per-channel constant              -> conv bias
//   - conv (constant weight) * per-channel     -> weight and bias scaled
// Every fold requires the producer's result to have no other user and the
// consumer to keep the producer's result type (no broadcast growth).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "ConstantData.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNFUSE
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
/// An f32 nn.constant of `shape` holding `values`: inline when small (so
/// tests can read it), a dense_resource blob named after `name` otherwise.
Value createConstant(PatternRewriter &rewriter, Location loc,
                     ArrayRef<int64_t> shape, ArrayRef<float> values,
                     StringRef name) {
  auto type = RankedTensorType::get(shape, rewriter.getF32Type());
  if (values.size() <= 256)
    return ConstantOp::create(rewriter, loc, type,
                              DenseElementsAttr::get(type, values));
  return createF32BlobConstant(rewriter, loc, type, values, name);
}

/// For a binary consumer `op` of `producer`'s single-use result: the other
/// operand, when the consumer keeps the producer's type.
Value otherOperand(Operation *op, Operation *producer) {
  if (!producer || producer->getNumResults() != 1 ||
      !producer->getResult(0).hasOneUse() ||
      op->getResult(0).getType() != producer->getResult(0).getType())
    return nullptr;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (lhs == rhs)
    return nullptr;
  return lhs.getDefiningOp() == producer ? rhs : lhs;
}

/// The constant `value`'s elements, one per index of `axis` of a result of
/// rank `rank` and extent `extent` along it, when every other dimension of
/// the constant is 1 (numpy right alignment); a single value is repeated.
std::optional<SmallVector<float>> axisVector(Value value, int64_t rank,
                                             int64_t axis, int64_t extent) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || type.getRank() > rank)
    return std::nullopt;
  int64_t shift = rank - type.getRank();
  for (int64_t d = 0; d < type.getRank(); ++d) {
    int64_t size = type.getDimSize(d);
    if (size != 1 && (d + shift != axis || size != extent))
      return std::nullopt;
  }
  std::optional<SmallVector<float>> values = readF32Constant(value);
  if (!values || values->empty())
    return std::nullopt;
  if (values->size() == 1)
    return SmallVector<float>(extent, values->front());
  return values;
}

/// The value of a constant whose elements are all equal, for `mul` (and,
/// inverted, for `div` by it).
std::optional<float> scalarConstant(Value value) {
  std::optional<SmallVector<float>> values = readF32Constant(value);
  if (!values || values->empty())
    return std::nullopt;
  for (float v : *values)
    if (v != values->front())
      return std::nullopt;
  return values->front();
}

bool isTwoD(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type && type.getRank() == 2;
}

/// matmul / gemm + constant row vector -> gemm with c = beta * c + vector.
struct FoldAddIntoGemm : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (Value operand : {op.getLhs(), op.getRhs()}) {
      Operation *producer = operand.getDefiningOp();
      if (!isa_and_nonnull<MatMulOp, GemmOp>(producer))
        continue;
      Value other = otherOperand(op, producer);
      auto type = cast<RankedTensorType>(op.getType());
      if (!other || type.getRank() != 2 || !type.getElementType().isF32())
        continue;
      int64_t m = type.getDimSize(0), n = type.getDimSize(1);
      std::optional<SmallVector<float>> row = axisVector(other, 2, 1, n);
      if (!row)
        continue;

      if (auto matmul = dyn_cast<MatMulOp>(producer)) {
        if (!isTwoD(matmul.getA()) || !isTwoD(matmul.getB()))
          continue;
        Value c = createConstant(rewriter, op.getLoc(), {n}, *row, "gemm_c");
        rewriter.replaceOpWithNewOp<GemmOp>(op, type, matmul.getA(),
                                            matmul.getB(), c, APFloat(1.0f),
                                            APFloat(1.0f), false, false);
        rewriter.eraseOp(matmul);
        return success();
      }
      auto gemm = cast<GemmOp>(producer);
      float beta = gemm.getBeta().convertToFloat();
      // c' = beta * c + row, as a [rows x n] constant (rows = 1 unless c
      // varies along m).
      int64_t rows = 1;
      SmallVector<float> merged;
      if (Value c = gemm.getC()) {
        std::optional<SmallVector<float>> cValues = readF32Constant(c);
        auto cType = cast<RankedTensorType>(c.getType());
        if (!cValues)
          continue;
        int64_t cm = cType.getRank() == 2 ? cType.getDimSize(0) : 1;
        int64_t cn =
            cType.getRank() >= 1 ? cType.getDimSize(cType.getRank() - 1) : 1;
        rows = cm;
        merged.resize(rows * n);
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < n; ++j)
            merged[i * n + j] =
                beta * (*cValues)[i * cn + (cn == 1 ? 0 : j)] + (*row)[j];
      } else {
        merged.assign(row->begin(), row->end());
      }
      SmallVector<int64_t> shape =
          rows == 1 ? SmallVector<int64_t>{n} : SmallVector<int64_t>{m, n};
      Value c = createConstant(rewriter, op.getLoc(), shape, merged, "gemm_c");
      rewriter.replaceOpWithNewOp<GemmOp>(op, type, gemm.getA(), gemm.getB(), c,
                                          gemm.getAlpha(), APFloat(1.0f),
                                          gemm.getTransA(), gemm.getTransB());
      rewriter.eraseOp(gemm);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a matmul/gemm + row vector");
  }
};

/// matmul / gemm * s (or / s) with a scalar constant s -> the scale moves
/// into gemm's alpha (and beta), or into a constant matmul operand.
template <typename OpTy> struct FoldScaleIntoMatmul : OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isDiv = std::is_same_v<OpTy, DivOp>;
    SmallVector<Value, 2> candidates = {op.getLhs()};
    if (!isDiv)
      candidates.push_back(op.getRhs());
    for (Value operand : candidates) {
      Operation *producer = operand.getDefiningOp();
      if (!isa_and_nonnull<MatMulOp, GemmOp>(producer))
        continue;
      Value other = otherOperand(op, producer);
      if (!other || (isDiv && other != op.getRhs()))
        continue;
      auto type = cast<RankedTensorType>(op.getType());
      if (!type.getElementType().isF32())
        continue;
      std::optional<float> scalar = scalarConstant(other);
      if (!scalar || (isDiv && *scalar == 0.0f))
        continue;
      float scale = isDiv ? 1.0f / *scalar : *scalar;

      if (auto gemm = dyn_cast<GemmOp>(producer)) {
        rewriter.replaceOpWithNewOp<GemmOp>(
            op, type, gemm.getA(), gemm.getB(), gemm.getC(),
            APFloat(gemm.getAlpha().convertToFloat() * scale),
            APFloat(gemm.getBeta().convertToFloat() * scale), gemm.getTransA(),
            gemm.getTransB());
        rewriter.eraseOp(gemm);
        return success();
      }
      auto matmul = cast<MatMulOp>(producer);
      if (isTwoD(matmul.getA()) && isTwoD(matmul.getB())) {
        rewriter.replaceOpWithNewOp<GemmOp>(
            op, type, matmul.getA(), matmul.getB(), Value(), APFloat(scale),
            APFloat(1.0f), false, false);
        rewriter.eraseOp(matmul);
        return success();
      }
      std::optional<SmallVector<float>> b = readF32Constant(matmul.getB());
      if (!b)
        continue;
      for (float &v : *b)
        v *= scale;
      auto bType = cast<RankedTensorType>(matmul.getB().getType());
      Value scaled = createConstant(rewriter, matmul.getLoc(), bType.getShape(),
                                    *b, "matmul_scaled");
      rewriter.replaceOpWithNewOp<MatMulOp>(op, type, matmul.getA(), scaled);
      rewriter.eraseOp(matmul);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a matmul/gemm scaled by a "
                                           "scalar constant");
  }
};

/// The constant bias of `conv` ([M] zeros when it has none), or nullopt
/// when it is not constant f32 data.
std::optional<SmallVector<float>> convBias(ConvOp conv, int64_t channels) {
  if (Value bias = conv.getBias())
    return readF32Constant(bias);
  return SmallVector<float>(channels, 0.0f);
}

/// conv + per-channel constant -> conv bias.
struct FoldAddIntoConv : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (Value operand : {op.getLhs(), op.getRhs()}) {
      auto conv = operand.getDefiningOp<ConvOp>();
      Value other = otherOperand(op, conv);
      if (!other)
        continue;
      auto type = cast<RankedTensorType>(op.getType());
      int64_t channels = type.getDimSize(1);
      std::optional<SmallVector<float>> add =
          axisVector(other, type.getRank(), 1, channels);
      std::optional<SmallVector<float>> bias = convBias(conv, channels);
      if (!add || !bias || bias->size() != size_t(channels))
        continue;
      for (int64_t i = 0; i < channels; ++i)
        (*bias)[i] += (*add)[i];
      Value newBias = createConstant(rewriter, conv.getLoc(), {channels}, *bias,
                                     "conv_bias");
      rewriter.replaceOpWithNewOp<ConvOp>(
          op, type, conv.getInput(), conv.getWeight(), newBias,
          conv.getKernelShapeAttr(), conv.getStridesAttr(), conv.getPadsAttr(),
          conv.getDilationsAttr(), conv.getGroupAttr());
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a conv + per-channel constant");
  }
};

/// conv (constant weight and bias) * per-channel constant -> weight and
/// bias scaled per output channel.
struct FoldScaleIntoConv : OpRewritePattern<MulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(MulOp op,
                                PatternRewriter &rewriter) const override {
    for (Value operand : {op.getLhs(), op.getRhs()}) {
      auto conv = operand.getDefiningOp<ConvOp>();
      Value other = otherOperand(op, conv);
      if (!other)
        continue;
      auto type = cast<RankedTensorType>(op.getType());
      int64_t channels = type.getDimSize(1);
      std::optional<SmallVector<float>> scale =
          axisVector(other, type.getRank(), 1, channels);
      std::optional<SmallVector<float>> weight =
          readF32Constant(conv.getWeight());
      std::optional<SmallVector<float>> bias;
      if (conv.getBias()) {
        bias = readF32Constant(conv.getBias());
        if (!bias || bias->size() != size_t(channels))
          continue;
      }
      if (!scale || !weight || weight->size() % channels)
        continue;
      size_t perChannel = weight->size() / channels;
      for (int64_t m = 0; m < channels; ++m)
        for (size_t i = 0; i < perChannel; ++i)
          (*weight)[m * perChannel + i] *= (*scale)[m];
      auto wType = cast<RankedTensorType>(conv.getWeight().getType());
      Value newWeight = createConstant(
          rewriter, conv.getLoc(), wType.getShape(), *weight, "conv_scaled");
      Value newBias;
      if (bias) {
        for (int64_t m = 0; m < channels; ++m)
          (*bias)[m] *= (*scale)[m];
        newBias = createConstant(rewriter, conv.getLoc(), {channels}, *bias,
                                 "conv_bias");
      }
      rewriter.replaceOpWithNewOp<ConvOp>(
          op, type, conv.getInput(), newWeight, newBias,
          conv.getKernelShapeAttr(), conv.getStridesAttr(), conv.getPadsAttr(),
          conv.getDilationsAttr(), conv.getGroupAttr());
      rewriter.eraseOp(conv);
      return success();
    }
    return rewriter.notifyMatchFailure(op, "not a conv * per-channel constant");
  }
};

struct NNFusePass : nn::impl::NNFuseBase<NNFusePass> {
  using Base::Base;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<FoldAddIntoGemm, FoldScaleIntoMatmul<MulOp>,
             FoldScaleIntoMatmul<DivOp>, FoldAddIntoConv, FoldScaleIntoConv>(
            &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace
