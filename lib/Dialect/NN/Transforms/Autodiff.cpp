//===- Autodiff.cpp - reverse-mode differentiation of nn functions --------===//
//
// The `nn-autodiff` pass: from `func.func @forward(params..., x, labels) ->
// (loss, aux...)` it builds `@forward_grad` returning the loss, the gradient
// of the loss with respect to each parameter and the auxiliary results
// unchanged (e.g. the model's outputs), computed by nn ops only (so the
// train step compiles through the same pipeline as inference). The per-op rules
// live with the dialect (NNGradients.cpp); this pass finds the ops between
// the parameters and the loss, chains their rules in reverse program order
// and sums the gradients of values used more than once.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"
#include "npu/Dialect/NN/IR/NNGradients.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNAUTODIFF
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

/// A splat constant of `type` (for parameters the loss does not depend on).
Value zerosOf(OpBuilder &b, Location loc, Type type) {
  auto tensor = cast<RankedTensorType>(type);
  auto zero = FloatAttr::get(tensor.getElementType(), 0.0);
  return ConstantOp::create(b, loc, tensor, DenseElementsAttr::get(tensor, zero));
}

/// Marks the values that depend on a parameter (`active`) and collects, in
/// reverse program order, the ops on a path from a parameter to the loss.
void collectPath(func::FuncOp func, ArrayRef<unsigned> paramIndices,
                 llvm::DenseSet<Value> &active,
                 SmallVectorImpl<Operation *> &onPath) {
  Block &body = func.getBody().front();
  Value loss = body.getTerminator()->getOperand(0);
  for (unsigned index : paramIndices)
    active.insert(func.getArgument(index));
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(), [&](Value v) { return active.contains(v); }))
      active.insert(op.getResults().begin(), op.getResults().end());
  llvm::DenseSet<Value> reachesLoss{loss};
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    if (llvm::none_of(op.getResults(),
                      [&](Value v) { return reachesLoss.contains(v); }))
      continue;
    reachesLoss.insert(op.getOperands().begin(), op.getOperands().end());
    if (llvm::any_of(op.getResults(), [&](Value v) { return active.contains(v); }))
      onPath.push_back(&op);
  }
}

/// One diagnostic naming every op kind on the path without a VJP rule, with
/// a note at each such op; failure if there is any.
LogicalResult checkRules(func::FuncOp func, ArrayRef<Operation *> onPath) {
  SmallVector<StringRef> missing;
  for (Operation *op : onPath)
    if (!lookupVJPRule(op))
      missing.push_back(op->getName().getStringRef());
  if (missing.empty())
    return success();
  llvm::sort(missing);
  missing.erase(llvm::unique(missing), missing.end());
  InFlightDiagnostic diag = func.emitError()
                            << "nn-autodiff: no gradient rule for ";
  llvm::interleaveComma(missing, diag);
  diag << " (used between the parameters and the loss of @"
       << func.getSymName() << ")";
  for (Operation *op : llvm::reverse(onPath))
    if (!lookupVJPRule(op))
      diag.attachNote(op->getLoc()) << "used here: " << op->getName();
  return failure();
}

struct NNAutodiffPass : nn::impl::NNAutodiffBase<NNAutodiffPass> {
  using Base::Base;

  /// Resolves the `params` option (argument indices or `nn.name` values) to
  /// argument indices, or the default: the arguments marked `nn.trainable`
  /// if any, else every float argument but the last two (the input and the
  /// labels).
  FailureOr<SmallVector<unsigned>> resolveParams(func::FuncOp func) {
    SmallVector<unsigned> indices;
    unsigned numArgs = func.getNumArguments();
    if (params.empty()) {
      for (unsigned index = 0; index < numArgs; ++index)
        if (func.getArgAttr(index, kTrainableAttrName))
          indices.push_back(index);
      if (!indices.empty())
        return indices;
      for (unsigned index = 0; index + 2 < numArgs; ++index)
        if (isFloatTensor(func.getArgument(index).getType()))
          indices.push_back(index);
      if (indices.empty())
        return func.emitError("nn-autodiff: @")
               << func.getSymName()
               << " has no parameters (by default every float argument "
                  "except the last two, the input and the labels)";
      return indices;
    }
    for (const std::string &param : params) {
      std::optional<unsigned> found;
      unsigned number;
      if (!StringRef(param).getAsInteger(10, number)) {
        if (number < numArgs)
          found = number;
      } else {
        for (unsigned index = 0; index < numArgs; ++index)
          if (auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name"))
            if (name.getValue() == param)
              found = index;
      }
      if (!found)
        return func.emitError("nn-autodiff: parameter '")
               << param << "' is neither an argument index below " << numArgs
               << " nor the nn.name of an argument of @" << func.getSymName();
      if (!isFloatTensor(func.getArgument(*found).getType()))
        return func.emitError("nn-autodiff: parameter '")
               << param << "' (argument " << *found
               << ") is not a float tensor: "
               << func.getArgument(*found).getType();
      if (!llvm::is_contained(indices, *found))
        indices.push_back(*found);
    }
    return indices;
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<func::FuncOp>(funcName);
    if (!forward) {
      module.emitError("nn-autodiff: no func.func @") << funcName;
      return signalPassFailure();
    }
    std::string gradName = funcName + "_grad";
    if (module.lookupSymbol(gradName)) {
      forward.emitError("nn-autodiff: @") << gradName << " already exists";
      return signalPassFailure();
    }
    if (!forward.getBody().hasOneBlock() || forward.getNumResults() == 0 ||
        !isFloatTensor(forward.getResultTypes()[0]) ||
        cast<RankedTensorType>(forward.getResultTypes()[0]).getNumElements() != 1) {
      forward.emitError("nn-autodiff: @")
          << funcName << " must have one block and return a scalar float "
          << "loss (one element) first, got " << forward.getFunctionType();
      return signalPassFailure();
    }
    FailureOr<SmallVector<unsigned>> paramIndices = resolveParams(forward);
    if (failed(paramIndices))
      return signalPassFailure();

    // Check the rules on @forward itself, before building anything.
    {
      llvm::DenseSet<Value> active;
      SmallVector<Operation *> onPath;
      collectPath(forward, *paramIndices, active, onPath);
      if (failed(checkRules(forward, onPath)))
        return signalPassFailure();
    }

    // Work on a copy: @forward stays as it is, for inference.
    OpBuilder moduleBuilder(forward);
    moduleBuilder.setInsertionPointAfter(forward);
    auto grad = cast<func::FuncOp>(moduleBuilder.clone(*forward));
    grad.setSymName(gradName);
    if (failed(differentiate(grad, *paramIndices))) {
      grad.erase();
      return signalPassFailure();
    }
  }

  LogicalResult differentiate(func::FuncOp func, ArrayRef<unsigned> paramIndices) {
    Block &body = func.getBody().front();
    auto returnOp = cast<func::ReturnOp>(body.getTerminator());
    Value loss = returnOp.getOperand(0);
    Operation *lastForwardOp = returnOp->getPrevNode();

    llvm::DenseSet<Value> active;
    SmallVector<Operation *> onPath;
    collectPath(func, paramIndices, active, onPath);

    // Reverse sweep. Gradients of a value used several times are summed.
    OpBuilder b(returnOp);
    Location loc = returnOp.getLoc();
    DenseMap<Value, Value> grads;
    auto accumulate = [&](Value value, Value grad) {
      auto [it, inserted] = grads.try_emplace(value, grad);
      if (!inserted)
        it->second = AddOp::create(b, loc, it->second, grad);
    };
    auto lossType = cast<RankedTensorType>(loss.getType());
    accumulate(loss, ConstantOp::create(
                         b, loc, lossType,
                         DenseElementsAttr::get(
                             lossType, FloatAttr::get(lossType.getElementType(), 1.0))));
    for (Operation *op : onPath) { // Already in reverse program order.
      SmallVector<Value> resultGrads;
      for (Value result : op->getResults()) {
        Value g = grads.lookup(result);
        resultGrads.push_back(g ? g : zerosOf(b, op->getLoc(), result.getType()));
      }
      SmallVector<Value> operandGrads(op->getNumOperands());
      b.setInsertionPoint(returnOp);
      if (failed(lookupVJPRule(op)(b, op, resultGrads, operandGrads)))
        return failure();
      for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
        if (g && active.contains(operand))
          accumulate(operand, g);
    }

    SmallVector<Value> results{loss};
    for (unsigned index : paramIndices) {
      Value param = func.getArgument(index);
      Value g = grads.lookup(param);
      results.push_back(g ? g : zerosOf(b, loc, param.getType()));
    }
    // Auxiliary results follow the gradients, with their attributes.
    SmallVector<DictionaryAttr> auxAttrs;
    for (unsigned index = 1; index < returnOp.getNumOperands(); ++index) {
      results.push_back(returnOp.getOperand(index));
      auxAttrs.push_back(func.getResultAttrDict(index));
    }
    func::ReturnOp::create(b, loc, results);
    returnOp.erase();
    func.setType(FunctionType::get(&getContext(), func.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    SmallVector<DictionaryAttr> resultAttrs(paramIndices.size() + 1,
                                            DictionaryAttr::get(&getContext()));
    resultAttrs.append(auxAttrs.begin(), auxAttrs.end());
    func.setAllResultAttrs(resultAttrs);
    // Name the results for the runtime: loss, then grad_<param name>.
    func.setResultAttr(0, "nn.name", b.getStringAttr("loss"));
    for (auto [position, index] : llvm::enumerate(paramIndices)) {
      auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name");
      std::string label = name ? "grad_" + name.getValue().str()
                               : "grad_arg" + std::to_string(index);
      func.setResultAttr(position + 1, "nn.name", b.getStringAttr(label));
    }

    hoistInactiveGradients(body, lastForwardOp, active);
    // Rules build every operand's gradient; drop those nobody needs.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (isOpTriviallyDead(&op))
        op.erase();
    return success();
  }

  /// Moves the ops of the reverse sweep (those after `lastForwardOp`) that
  /// do not depend on the parameters (`active`), such as the loss's seed
  /// times a one-hot mask of the labels, up to just after their operands:
  /// the chip then computes them while the forward pass runs, and the
  /// kernels of the first gradient ops find them ready.
  static void hoistInactiveGradients(Block &body, Operation *lastForwardOp,
                                     llvm::DenseSet<Value> active) {
    bool inSweep = false;
    for (Operation &op :
         llvm::make_early_inc_range(body.without_terminator())) {
      bool sweepOp = inSweep;
      inSweep |= &op == lastForwardOp;
      if (!sweepOp)
        continue;
      if (llvm::any_of(op.getOperands(),
                       [&](Value v) { return active.contains(v); })) {
        active.insert(op.getResults().begin(), op.getResults().end());
        continue;
      }
      Operation *latest = nullptr;
      for (Value operand : op.getOperands())
        if (Operation *def = operand.getDefiningOp())
          if (!latest || latest->isBeforeInBlock(def))
            latest = def;
      if (latest)
        op.moveAfter(latest);
      else
        op.moveBefore(&body.front());
    }
  }
};
} // namespace
