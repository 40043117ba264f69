//===- ParamsToState.cpp - weights become persistent state arguments ------===//
//
// The `nn-params-to-state` pass: every float `nn.constant` of `@main` that
// holds a graph initializer (a weight, marked `nn.initializer` by the ONNX
// importer) becomes an argument of `@main` marked `nn.state`, named after
// the initializer and carrying the constant as its `nn.initial_value`. The
// chip then keeps it in DRAM across runs and the host can read and replace
// it (a train step updates it; an inference binary takes trained weights).
// Batch-norm running statistics become state too, but are not marked
// `nn.trainable`: nothing differentiates them (nn-training-state stores a
// training batch norm's updated statistics back).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/StringSet.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNPARAMSTOSTATE
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {

/// The name a location gives an op (the ONNX value name), or "".
StringRef locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().getValue();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef name = locationName(inner); !name.empty())
        return name;
  return "";
}

/// True if every use of `value` is a running statistic (mean or variance)
/// of a batch norm (inference or training mode): such a tensor is state,
/// not a parameter.
bool onlyRunningStatistic(Value value) {
  return llvm::all_of(value.getUses(), [](OpOperand &use) {
    Operation *user = use.getOwner();
    if (auto norm = dyn_cast<BatchNormOp>(user))
      return use.get() == norm.getMean() || use.get() == norm.getVar();
    if (auto norm = dyn_cast<BatchNormTrainOp>(user))
      return use.get() == norm.getMean() || use.get() == norm.getVar();
    return false;
  });
}

struct NNParamsToStatePass
    : nn::impl::NNParamsToStateBase<NNParamsToStatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(funcName);
    if (!func || func.isExternal()) {
      module.emitError("nn-params-to-state: no func.func @")
          << funcName << " with a body";
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    llvm::StringSet<> names;
    for (unsigned index = 0; index < func.getNumArguments(); ++index)
      if (auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name"))
        names.insert(name.getValue());

    SmallVector<ConstantOp> params;
    for (auto constant : body.getOps<ConstantOp>())
      if (constant->hasAttr(kInitializerAttrName) &&
          isa<FloatType>(constant.getType().getElementType()))
        params.push_back(constant);

    for (ConstantOp constant : params) {
      std::string name;
      if (auto initializer =
              constant->getAttrOfType<StringAttr>(kInitializerAttrName))
        name = initializer.getValue().str();
      if (name.empty())
        name = locationName(constant.getLoc()).str();
      if (name.empty())
        name = "param" + std::to_string(func.getNumArguments());
      if (!names.insert(name).second) {
        constant.emitError("nn-params-to-state: parameter '")
            << name << "' has the name of another argument of @" << funcName;
        return signalPassFailure();
      }
      Builder b(&getContext());
      SmallVector<NamedAttribute> attrs = {
          b.getNamedAttr("nn.name", b.getStringAttr(name)),
          b.getNamedAttr(kStateAttrName, b.getUnitAttr()),
          b.getNamedAttr(kInitialValueAttrName, constant.getValue())};
      if (!onlyRunningStatistic(constant.getResult()))
        attrs.push_back(b.getNamedAttr(kTrainableAttrName, b.getUnitAttr()));
      unsigned index = func.getNumArguments();
      if (failed(func.insertArgument(index, constant.getType(),
                                     b.getDictionaryAttr(attrs),
                                     constant.getLoc())))
        return signalPassFailure();
      constant.getResult().replaceAllUsesWith(func.getArgument(index));
      constant.erase();
      ++numParams;
    }
  }
};

} // namespace
