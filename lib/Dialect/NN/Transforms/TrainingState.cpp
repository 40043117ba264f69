//===- TrainingState.cpp - training-mode updates become persistent state --===//
//
// The `nn-training-state` pass. A model imported in training mode computes
// new batch-norm running statistics and draws dropout masks from a seed
// input; as a train step on the chip both must carry over from one run to
// the next without the host: the new statistics are stored back into their
// state arguments, and the dropout seed becomes a state counter the step
// increments. Runs after nn-params-to-state (which made the running
// statistics state) and before nn-append-loss / nn-autodiff, which pass the
// state results through.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNTRAININGSTATE
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {

/// The state counter that seeds the dropout masks of a step.
constexpr StringLiteral kDropoutStepName = "dropout.step";

struct NNTrainingStatePass
    : nn::impl::NNTrainingStateBase<NNTrainingStatePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto func = module.lookupSymbol<func::FuncOp>(funcName);
    if (!func || func.isExternal()) {
      module.emitError("nn-training-state: no func.func @")
          << funcName << " with a body";
      return signalPassFailure();
    }
    Block &body = func.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    // States that already get a new value from a result.
    llvm::StringSet<> updated;
    for (unsigned index = 0; index < func.getNumResults(); ++index)
      if (auto name =
              func.getResultAttrOfType<StringAttr>(index, kStateAttrName))
        updated.insert(name.getValue());
    SmallVector<std::pair<Value, StringAttr>> newState;
    auto storeBack = [&](Value value, BlockArgument state,
                         Operation *updater) -> LogicalResult {
      auto name =
          func.getArgAttrOfType<StringAttr>(state.getArgNumber(), "nn.name");
      if (!name)
        return updater->emitError("nn-training-state: the state argument ")
               << state.getArgNumber() << " has no nn.name";
      if (!updated.insert(name.getValue()).second)
        return updater->emitError("nn-training-state: state '")
               << name.getValue()
               << "' already gets a new value (two batch norms share "
                  "running statistics, or @"
               << funcName << " returns one)";
      newState.push_back({value, name});
      return success();
    };
    auto stateArgument = [&](Value value) -> BlockArgument {
      auto arg = dyn_cast<BlockArgument>(value);
      if (!arg || arg.getOwner() != &body ||
          !func.getArgAttr(arg.getArgNumber(), kStateAttrName))
        return nullptr;
      return arg;
    };

    for (auto norm : body.getOps<BatchNormTrainOp>()) {
      if (BlockArgument mean = stateArgument(norm.getMean()))
        if (failed(storeBack(norm.getNewMean(), mean, norm)))
          return signalPassFailure();
      if (BlockArgument var = stateArgument(norm.getVar()))
        if (failed(storeBack(norm.getNewVar(), var, norm)))
          return signalPassFailure();
    }

    // The dropout seeds that are inputs: the host would have to feed a new
    // one every step.
    llvm::SetVector<BlockArgument> seeds;
    for (auto dropout : body.getOps<DropoutOp>()) {
      auto arg = dyn_cast<BlockArgument>(dropout.getSeed());
      if (arg && arg.getOwner() == &body &&
          !func.getArgAttr(arg.getArgNumber(), kStateAttrName))
        seeds.insert(arg);
    }
    if (!seeds.empty() &&
        failed(seedFromCounter(func, seeds.getArrayRef(), newState)))
      return signalPassFailure();

    if (newState.empty())
      return;
    SmallVector<Value> results(ret.getOperands());
    SmallVector<DictionaryAttr> resultAttrs;
    func.getAllResultAttrs(resultAttrs);
    Builder b(&getContext());
    for (auto &[value, name] : newState) {
      results.push_back(value);
      resultAttrs.push_back(
          b.getDictionaryAttr(b.getNamedAttr(kStateAttrName, name)));
    }
    ret->setOperands(results);
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    func.setAllResultAttrs(resultAttrs);
    numUpdates += newState.size();
  }

  /// Replaces the seed arguments by the state counter `dropout.step` and
  /// appends its increment to `newState`.
  LogicalResult
  seedFromCounter(func::FuncOp func, ArrayRef<BlockArgument> seeds,
                  SmallVectorImpl<std::pair<Value, StringAttr>> &newState) {
    for (BlockArgument seed : seeds)
      for (Operation *user : seed.getUsers())
        if (auto dropout = dyn_cast<DropoutOp>(user);
            !dropout || dropout.getInput() == seed)
          return user->emitError("nn-training-state: the dropout seed ")
                 << "argument " << seed.getArgNumber() << " is also used by "
                 << user->getName()
                 << " (it can only become the dropout step counter if "
                    "nothing else reads it)";
    for (unsigned index = 0; index < func.getNumArguments(); ++index)
      if (auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name"))
        if (name.getValue() == kDropoutStepName)
          return func.emitError("nn-training-state: @")
                 << funcName << " already has an argument named '"
                 << kDropoutStepName << "'";

    Builder b(&getContext());
    auto counterType = RankedTensorType::get({1}, b.getF32Type());
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr("nn.name", b.getStringAttr(kDropoutStepName)),
        b.getNamedAttr(kStateAttrName, b.getUnitAttr()),
        b.getNamedAttr(kInitialValueAttrName,
                       DenseElementsAttr::get(counterType, 0.0f))};
    unsigned counterIndex = func.getNumArguments();
    Location loc = NameLoc::get(b.getStringAttr(kDropoutStepName));
    if (failed(func.insertArgument(counterIndex, counterType,
                                   b.getDictionaryAttr(attrs), loc)))
      return failure();
    Value counter = func.getArgument(counterIndex);

    Block &body = func.getBody().front();
    OpBuilder builder = OpBuilder::atBlockBegin(&body);
    Value seed = ReshapeOp::create(builder, loc, counter,
                                   builder.getDenseI64ArrayAttr({}));
    llvm::BitVector erased(func.getNumArguments());
    for (BlockArgument arg : seeds) {
      arg.replaceAllUsesWith(seed);
      erased.set(arg.getArgNumber());
    }
    if (failed(func.eraseArguments(erased)))
      return failure();

    builder.setInsertionPoint(body.getTerminator());
    auto scalarType = RankedTensorType::get({}, b.getF32Type());
    Value one = ConstantOp::create(builder, loc, scalarType,
                                   DenseElementsAttr::get(scalarType, 1.0f));
    newState.push_back({AddOp::create(builder, loc, counter, one),
                        b.getStringAttr(kDropoutStepName)});
    return success();
  }
};

} // namespace
