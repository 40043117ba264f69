//===- Optimizer.cpp - a gradient function becomes a train step -----------===//
//
// The `nn-optimizer` pass: from nn-autodiff's `@main_grad` (loss, the
// gradient of every trainable state argument, auxiliary results) it builds
// the train step `@main` that also applies an optimizer: SGD with momentum
// (PyTorch's formulation) or Adam (Keras' formulation, bias correction on the
// chip). The learning rate is an input; the optimizer's slots and step count
// are state next to the parameters, so the host only streams batches in.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringSet.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNOPTIMIZER
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {

/// Prefix nn-autodiff gives the name of a parameter's gradient result.
constexpr StringLiteral kGradPrefix = "grad_";

/// A parameter and its gradient in the gradient function.
struct Param {
  std::string name;
  BlockArgument value;
  Value grad;
};

struct NNOptimizerPass : nn::impl::NNOptimizerBase<NNOptimizerPass> {
  using Base::Base;

  LogicalResult checkOptions(ModuleOp module) {
    auto fail = [&]() { return module.emitError("nn-optimizer: "); };
    if (optimizer != "sgd" && optimizer != "adam")
      return fail() << "unknown optimizer '" << optimizer
                    << "' (expected sgd or adam)";
    if (!(momentum >= 0.0 && momentum < 1.0))
      return fail() << "momentum must be in [0, 1), got " << momentum;
    if (nesterov && (optimizer != "sgd" || momentum == 0.0))
      return fail() << "nesterov needs sgd with a momentum > 0";
    if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0))
      return fail() << "beta1 and beta2 must be in [0, 1), got " << beta1
                    << " and " << beta2;
    if (!(epsilon > 0.0))
      return fail() << "epsilon must be positive, got " << epsilon;
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions(module)))
      return signalPassFailure();
    std::string gradName = funcName + "_grad";
    auto grad = module.lookupSymbol<func::FuncOp>(gradName);
    if (!grad || grad.isExternal()) {
      module.emitError("nn-optimizer: no func.func @")
          << gradName << " (run nn-autodiff on @" << funcName << " first)";
      return signalPassFailure();
    }
    auto ret = cast<func::ReturnOp>(grad.getBody().front().getTerminator());

    // Match every gradient result `grad_<p>` with the state argument `p`.
    llvm::StringMap<unsigned> argByName;
    llvm::StringSet<> names;
    for (unsigned index = 0; index < grad.getNumArguments(); ++index)
      if (auto name = grad.getArgAttrOfType<StringAttr>(index, "nn.name")) {
        argByName[name.getValue()] = index;
        names.insert(name.getValue());
      }
    SmallVector<Param> params;
    SmallVector<unsigned> auxResults;
    for (unsigned index = 1; index < ret.getNumOperands(); ++index) {
      auto name = grad.getResultAttrOfType<StringAttr>(index, "nn.name");
      if (!name || !name.getValue().starts_with(kGradPrefix) ||
          grad.getResultAttr(index, kStateAttrName)) {
        auxResults.push_back(index);
        continue;
      }
      StringRef paramName = name.getValue().drop_front(kGradPrefix.size());
      auto it = argByName.find(paramName);
      if (it == argByName.end() ||
          !grad.getArgAttr(it->second, kStateAttrName)) {
        grad.emitError("nn-optimizer: gradient '")
            << name.getValue() << "' is not the gradient of a state argument "
            << "of @" << gradName << " (parameters must be nn.state; run "
            << "nn-params-to-state)";
        return signalPassFailure();
      }
      params.push_back({paramName.str(), grad.getArgument(it->second),
                        ret.getOperand(index)});
    }
    if (params.empty()) {
      grad.emitError("nn-optimizer: @")
          << gradName << " returns no gradient of a state argument";
      return signalPassFailure();
    }

    // The step counter and Adam's bias correction depend on state and the
    // learning rate only: computed first. Each parameter's update follows
    // its gradient, so the chip updates the last layer's weights while the
    // gradients of the earlier layers are still being computed.
    Block &body = grad.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&body);
    Location loc = ret.getLoc();
    auto vectorType = RankedTensorType::get({1}, b.getF32Type());
    auto addArg = [&](StringRef name, Type type,
                      bool isState) -> FailureOr<Value> {
      if (!names.insert(name).second) {
        grad.emitError("nn-optimizer: @")
            << gradName << " already has an argument named '" << name << "'";
        return failure();
      }
      SmallVector<NamedAttribute> attrs{
          b.getNamedAttr("nn.name", b.getStringAttr(name))};
      if (isState)
        attrs.push_back(b.getNamedAttr(kStateAttrName, b.getUnitAttr()));
      unsigned index = grad.getNumArguments();
      if (failed(grad.insertArgument(index, type, b.getDictionaryAttr(attrs),
                                     loc)))
        return failure();
      return Value(grad.getArgument(index));
    };
    // No call below takes two op-creating calls as arguments: C++ leaves
    // their order to the compiler, and the IR must not depend on it.
    auto scalar = [&](double value) -> Value {
      auto type = RankedTensorType::get({}, b.getF32Type());
      return ConstantOp::create(
          b, loc, type,
          DenseElementsAttr::get(type, static_cast<float>(value)));
    };
    auto add = [&](Value l, Value r) -> Value {
      return AddOp::create(b, loc, l, r);
    };
    auto sub = [&](Value l, Value r) -> Value {
      return SubOp::create(b, loc, l, r);
    };
    auto mul = [&](Value l, Value r) -> Value {
      return MulOp::create(b, loc, l, r);
    };
    auto div = [&](Value l, Value r) -> Value {
      return DivOp::create(b, loc, l, r);
    };

    FailureOr<Value> learningRate =
        addArg("learning_rate", vectorType, /*isState=*/false);
    if (failed(learningRate))
      return signalPassFailure();

    // New state values, in the order of the results they become.
    SmallVector<std::pair<std::string, Value>> updates;
    bool adam = optimizer == "adam";
    SmallVector<std::pair<std::string, Value>> slots;
    for (const Param &param : params) {
      SmallVector<StringRef, 2> suffixes;
      if (adam)
        suffixes = {".m", ".v"};
      else if (momentum != 0.0)
        suffixes = {".momentum"};
      for (StringRef suffix : suffixes) {
        std::string name = param.name + suffix.str();
        FailureOr<Value> slot =
            addArg(name, param.value.getType(), /*isState=*/true);
        if (failed(slot))
          return signalPassFailure();
        slots.push_back({name, *slot});
      }
    }
    FailureOr<Value> step =
        addArg("optimizer.step", vectorType, /*isState=*/true);
    if (failed(step))
      return signalPassFailure();
    Value newStep = add(*step, scalar(1.0));

    // Adam's bias correction, once per step on the chip:
    // alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t).
    Value alpha;
    if (adam) {
      Value beta1Power = PowOp::create(b, loc, scalar(beta1), newStep);
      Value beta2Power = PowOp::create(b, loc, scalar(beta2), newStep);
      Value root = SqrtOp::create(b, loc, sub(scalar(1.0), beta2Power));
      Value scaled = mul(*learningRate, root);
      alpha = div(scaled, sub(scalar(1.0), beta1Power));
    }

    Block::iterator prologueEnd = b.getInsertionPoint();
    for (auto [index, param] : llvm::enumerate(params)) {
      Value p = param.value, g = param.grad;
      // Every producer follows the prologue, which was put first.
      if (Operation *producer = g.getDefiningOp())
        b.setInsertionPointAfter(producer);
      else
        b.setInsertionPoint(&body, prologueEnd);
      if (adam) {
        Value m = slots[2 * index].second, v = slots[2 * index + 1].second;
        Value gradientStep = sub(g, m);
        Value newM = add(m, mul(gradientStep, scalar(1.0 - beta1)));
        Value squareStep = sub(mul(g, g), v);
        Value newV = add(v, mul(squareStep, scalar(1.0 - beta2)));
        Value root = SqrtOp::create(b, loc, newV);
        Value denominator = add(root, scalar(epsilon));
        Value newP = sub(p, div(mul(newM, alpha), denominator));
        updates.push_back({param.name, newP});
        updates.push_back({slots[2 * index].first, newM});
        updates.push_back({slots[2 * index + 1].first, newV});
        continue;
      }
      if (momentum == 0.0) {
        updates.push_back({param.name, sub(p, mul(g, *learningRate))});
        continue;
      }
      Value buffer = slots[index].second;
      Value newBuffer = add(mul(buffer, scalar(momentum)), g);
      Value direction =
          nesterov ? add(g, mul(newBuffer, scalar(momentum))) : newBuffer;
      updates.push_back({param.name, sub(p, mul(direction, *learningRate))});
      updates.push_back({slots[index].first, newBuffer});
    }
    updates.push_back({"optimizer.step", newStep});

    // Results: loss, auxiliary results, then the state updates.
    b.setInsertionPoint(ret);
    SmallVector<Value> results{ret.getOperand(0)};
    SmallVector<DictionaryAttr> resultAttrs{grad.getResultAttrDict(0)};
    for (unsigned index : auxResults) {
      results.push_back(ret.getOperand(index));
      resultAttrs.push_back(grad.getResultAttrDict(index));
    }
    for (auto &[name, value] : updates) {
      results.push_back(value);
      resultAttrs.push_back(b.getDictionaryAttr(
          b.getNamedAttr(kStateAttrName, b.getStringAttr(name))));
    }
    func::ReturnOp::create(b, loc, results);
    ret.erase();
    grad.setType(FunctionType::get(&getContext(), grad.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    grad.setAllResultAttrs(resultAttrs);

    // The train step replaces the model function.
    if (auto model = module.lookupSymbol<func::FuncOp>(funcName))
      model.erase();
    grad.setSymName(funcName);
  }
};

} // namespace
