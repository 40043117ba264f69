//===- AppendLoss.cpp - a training loss as the model's first result -------===//
//
// The `nn-append-loss` pass: turns the model `@main(inputs...) -> outputs`
// into the loss function nn-autodiff differentiates,
// `@main(inputs..., labels) -> (loss, outputs...)`, with the Keras losses
// and their Keras semantics (docs/training.md): the mean over the batch, the
// logits before a final softmax/sigmoid when there is one, and clipped
// probabilities otherwise. The loss is built from nn ops that have gradient
// rules and chip kernels only, so it needs nothing new downstream.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringSwitch.h"

#include <numeric>

namespace mlir::nn {
#define GEN_PASS_DEF_NNAPPENDLOSS
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {

/// Keras' `epsilon()`: probabilities are clipped to [eps, 1 - eps].
constexpr double kProbabilityEpsilon = 1e-7;

enum class LossKind { SparseCategorical, Categorical, MeanSquared, Binary };

std::optional<LossKind> parseLoss(StringRef name) {
  return llvm::StringSwitch<std::optional<LossKind>>(name)
      .Case("sparse-categorical-crossentropy", LossKind::SparseCategorical)
      .Case("categorical-crossentropy", LossKind::Categorical)
      .Case("mse", LossKind::MeanSquared)
      .Case("binary-crossentropy", LossKind::Binary)
      .Default(std::nullopt);
}

/// Builds the loss ops at one insertion point, f32 throughout. Callers
/// never pass two op-creating calls as arguments of one call: C++ leaves
/// their order to the compiler, and the IR must not depend on it.
class LossBuilder {
public:
  LossBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Location location() const { return loc; }

  Value scalar(double value) {
    auto type = RankedTensorType::get({}, b.getF32Type());
    return ConstantOp::create(
        b, loc, type, DenseElementsAttr::get(type, static_cast<float>(value)));
  }
  Value add(Value l, Value r) { return AddOp::create(b, loc, l, r); }
  Value sub(Value l, Value r) { return SubOp::create(b, loc, l, r); }
  Value mul(Value l, Value r) { return MulOp::create(b, loc, l, r); }
  Value div(Value l, Value r) { return DivOp::create(b, loc, l, r); }
  Value log(Value v) { return LogOp::create(b, loc, v); }
  Value relu(Value v) { return ReluOp::create(b, loc, v); }
  Value reshape(Value v, ArrayRef<int64_t> shape) {
    return ReshapeOp::create(b, loc, v, b.getDenseI64ArrayAttr(shape));
  }
  Value sumLastAxis(Value v) {
    int64_t last = cast<ShapedType>(v.getType()).getRank() - 1;
    return ReduceSumOp::create(b, loc, v, b.getDenseI64ArrayAttr({last}),
                               b.getBoolAttr(true));
  }
  Value logSoftmaxLastAxis(Value v) {
    int64_t last = cast<ShapedType>(v.getType()).getRank() - 1;
    return LogSoftmaxOp::create(b, loc, v, b.getI64IntegerAttr(last));
  }
  /// The mean of every element, as the `tensor<1xf32>` loss.
  Value meanAll(Value v) {
    Value mean = ReduceMeanOp::create(b, loc, v, b.getDenseI64ArrayAttr({}),
                                      b.getBoolAttr(false));
    return reshape(mean, {1});
  }
  /// The sum of every element, as a `tensor<1xf32>`.
  Value sumAll(Value v) {
    Value sum = ReduceSumOp::create(b, loc, v, b.getDenseI64ArrayAttr({}),
                                    b.getBoolAttr(false));
    return reshape(sum, {1});
  }
  /// `clip(p, eps, 1 - eps)` as `eps + relu(p - eps) - relu(p - (1 - eps))`:
  /// the same values and the same gradient as a clip (1 inside, 0 outside)
  /// from ops that have gradient rules.
  Value clipProbability(Value p) {
    double eps = kProbabilityEpsilon;
    Value above = relu(sub(p, scalar(eps)));
    Value clippedBelow = add(scalar(eps), above);
    Value beyondTop = relu(sub(p, scalar(1.0 - eps)));
    return sub(clippedBelow, beyondTop);
  }
  /// log of probabilities `p`: normalized over the last axis when
  /// `normalize` (Keras' categorical cross-entropies), then clipped.
  Value logProbability(Value p, bool normalize) {
    if (normalize)
      p = div(p, sumLastAxis(p));
    return log(clipProbability(p));
  }
  /// `(log sigmoid(-z), log sigmoid(z))` for logits `z`: log_softmax over
  /// the pair (0, z), stable for every z and exact at z = 0.
  std::pair<Value, Value> logSigmoidPair(Value z) {
    auto type = cast<RankedTensorType>(z.getType());
    SmallVector<int64_t> column(type.getShape());
    column.push_back(1);
    auto columnType = RankedTensorType::get(column, type.getElementType());
    Value zeros = ConstantOp::create(
        b, loc, columnType, DenseElementsAttr::get(columnType, 0.0f));
    int64_t last = static_cast<int64_t>(column.size()) - 1;
    Value pair = ConcatOp::create(b, loc, ValueRange{zeros, reshape(z, column)},
                                  b.getI64IntegerAttr(last));
    Value logs = logSoftmaxLastAxis(pair);
    auto half = [&](int64_t index) {
      return reshape(SliceOp::create(b, loc, logs,
                                     b.getDenseI64ArrayAttr({index}),
                                     b.getDenseI64ArrayAttr({index + 1}),
                                     b.getDenseI64ArrayAttr({last}),
                                     b.getDenseI64ArrayAttr({1})),
                     type.getShape());
    };
    return {half(0), half(1)};
  }

private:
  OpBuilder &b;
  Location loc;
};

struct NNAppendLossPass : nn::impl::NNAppendLossBase<NNAppendLossPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::optional<LossKind> kind = parseLoss(loss);
    if (!kind) {
      module.emitError("nn-append-loss: unknown loss '")
          << loss
          << "' (expected sparse-categorical-crossentropy, "
             "categorical-crossentropy, mse or binary-crossentropy)";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>(funcName);
    if (!func || func.isExternal()) {
      module.emitError("nn-append-loss: no func.func @")
          << funcName << " with a body";
      return signalPassFailure();
    }
    for (unsigned index = 0; index < func.getNumArguments(); ++index)
      if (auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name");
          name && name.getValue() == "labels") {
        func.emitError("nn-append-loss: @")
            << funcName << " already has an argument named 'labels'";
        return signalPassFailure();
      }

    // The prediction: the first result that is not a state update.
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    std::optional<unsigned> predictionIndex;
    for (unsigned index = 0; index < ret.getNumOperands(); ++index)
      if (!func.getResultAttr(index, kStateAttrName)) {
        predictionIndex = index;
        break;
      }
    if (!predictionIndex) {
      func.emitError("nn-append-loss: @")
          << funcName << " has no output to compute a loss from";
      return signalPassFailure();
    }
    Value y = ret.getOperand(*predictionIndex);
    auto yType = cast<RankedTensorType>(y.getType());
    if (!yType.getElementType().isF32() || yType.getRank() < 1 ||
        !yType.hasStaticShape() || yType.getNumElements() == 0 ||
        (*kind == LossKind::SparseCategorical && yType.getRank() != 2)) {
      func.emitError("nn-append-loss: the output ")
          << yType << " cannot take the " << loss << " loss: it needs "
          << (*kind == LossKind::SparseCategorical
                  ? "f32 [batch, classes]"
                  : "a non-empty f32 tensor of rank >= 1");
      return signalPassFailure();
    }

    OpBuilder b(ret);
    Location loc = ret.getLoc();
    Builder attrs(&getContext());
    Type labelsType =
        *kind == LossKind::SparseCategorical
            ? RankedTensorType::get({yType.getDimSize(0)}, b.getI32Type())
            : Type(yType);
    unsigned labelsIndex = func.getNumArguments();
    if (failed(func.insertArgument(
            labelsIndex, labelsType,
            attrs.getDictionaryAttr(attrs.getNamedAttr(
                "nn.name", attrs.getStringAttr("labels"))),
            loc)))
      return signalPassFailure();
    Value labels = func.getArgument(labelsIndex);

    LossBuilder lb(b, loc);
    Value lossValue = buildLoss(lb, b, *kind, y, labels);

    SmallVector<Value> results{lossValue};
    results.append(ret.getOperands().begin(), ret.getOperands().end());
    SmallVector<DictionaryAttr> resultAttrs{attrs.getDictionaryAttr(
        attrs.getNamedAttr("nn.name", attrs.getStringAttr("loss")))};
    for (unsigned index = 0; index < ret.getNumOperands(); ++index)
      resultAttrs.push_back(func.getResultAttrDict(index));
    func::ReturnOp::create(b, loc, results);
    ret.erase();
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    func.setAllResultAttrs(resultAttrs);
  }

  /// The `tensor<1xf32>` loss of prediction `y` against `labels`.
  Value buildLoss(LossBuilder &lb, OpBuilder &b, LossKind kind, Value y,
                  Value labels) {
    auto yType = cast<RankedTensorType>(y.getType());
    int64_t last = yType.getRank() - 1;
    Operation *producer = y.getDefiningOp();

    switch (kind) {
    case LossKind::MeanSquared: {
      Value diff = lb.sub(y, labels);
      return lb.meanAll(lb.mul(diff, diff));
    }
    case LossKind::Binary: {
      Value logP, logNotP;
      auto sigmoid = dyn_cast_or_null<SigmoidOp>(producer);
      if (fromLogits || sigmoid) {
        Value z = fromLogits ? y : sigmoid.getInput();
        std::tie(logNotP, logP) = lb.logSigmoidPair(z);
      } else {
        Value p = lb.clipProbability(y);
        logP = lb.log(p);
        logNotP = lb.log(lb.sub(lb.scalar(1.0), p));
      }
      Value notLabels = lb.sub(lb.scalar(1.0), labels);
      Value positive = lb.mul(labels, logP);
      Value negative = lb.mul(notLabels, logNotP);
      Value meanLikelihood = lb.meanAll(lb.add(positive, negative));
      return lb.mul(meanLikelihood, lb.scalar(-1.0));
    }
    case LossKind::Categorical:
    case LossKind::SparseCategorical:
      break;
    }

    // Cross-entropies: log-probabilities over the last axis.
    Value logP;
    auto softmax = dyn_cast_or_null<SoftmaxOp>(producer);
    if (fromLogits)
      logP = lb.logSoftmaxLastAxis(y);
    else if (softmax && static_cast<int64_t>(softmax.getAxis()) == last)
      logP = lb.logSoftmaxLastAxis(softmax.getInput());
    else
      logP = lb.logProbability(y, /*normalize=*/true);

    Value targets = labels;
    if (kind == LossKind::SparseCategorical) {
      // One-hot mask: labels [N] against the class indices [1, C]. Off the
      // gradient path (labels are not parameters), so equal/cast need no
      // gradient rule. Built first in the function: it depends on the labels
      // only, so the chip computes it while the model runs and the kernels
      // of the loss (and of its gradient) find it ready.
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(labels.getParentBlock());
      int64_t batch = yType.getDimSize(0), classes = yType.getDimSize(1);
      std::vector<int32_t> indices(classes);
      std::iota(indices.begin(), indices.end(), 0);
      auto classType = RankedTensorType::get({1, classes}, b.getI32Type());
      Value classIds = ConstantOp::create(
          b, lb.location(), classType,
          DenseElementsAttr::get(classType, ArrayRef<int32_t>(indices)));
      Value hit = EqualOp::create(b, lb.location(),
                                  lb.reshape(labels, {batch, 1}), classIds);
      targets = CastOp::create(b, lb.location(), yType.clone(b.getF32Type()),
                               hit);
    }
    // -sum(targets * log p) over the classes, averaged over the samples.
    int64_t samples = yType.getNumElements() / yType.getDimSize(last);
    Value total = lb.sumAll(lb.mul(targets, logP));
    return lb.mul(total, lb.scalar(-1.0 / static_cast<double>(samples)));
  }
};

} // namespace
