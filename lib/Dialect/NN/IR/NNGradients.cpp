//===- NNGradients.cpp - vector-Jacobian product rules of nn ops ----------===//
//
// One reverse-mode rule per differentiable nn op, expressed purely in nn ops
// so that the gradient graph compiles through the same pipeline as the
// forward graph. Rules recompute what they need from the forward values
// (operands and results stay live in the gradient function) rather than
// saving extra intermediates. No call gets two op-creating arguments: C++
// leaves their order to the compiler, and the IR must not depend on it
// (scripts/check_builder_order.py).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NNGradients.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cmath>
#include <numeric>

using namespace mlir;
using namespace mlir::nn;

namespace {

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<ShapedType>(value.getType()).getShape();
}
Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}
bool isFloat(Value value) { return isa<FloatType>(elementTypeOf(value)); }

/// A rank-0 constant: numpy broadcasting applies it to every element.
Value scalar(OpBuilder &b, Location loc, Type elementType, double value) {
  auto type = RankedTensorType::get({}, elementType);
  return ConstantOp::create(
      b, loc, type, DenseElementsAttr::get(type, FloatAttr::get(elementType, value)));
}
Value scalarLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalar(b, loc, elementTypeOf(like), value);
}

Value add(OpBuilder &b, Location loc, Value l, Value r) {
  return AddOp::create(b, loc, l, r);
}
Value sub(OpBuilder &b, Location loc, Value l, Value r) {
  return SubOp::create(b, loc, l, r);
}
Value mul(OpBuilder &b, Location loc, Value l, Value r) {
  return MulOp::create(b, loc, l, r);
}
Value div(OpBuilder &b, Location loc, Value l, Value r) {
  return DivOp::create(b, loc, l, r);
}
Value reshape(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> shape) {
  if (shapeOf(v) == shape)
    return v;
  return ReshapeOp::create(b, loc, v, b.getDenseI64ArrayAttr(shape));
}
Value reduceSumKeep(OpBuilder &b, Location loc, Value v,
                    ArrayRef<int64_t> axes) {
  return ReduceSumOp::create(b, loc, v, b.getDenseI64ArrayAttr(axes),
                             b.getBoolAttr(true));
}
/// Swaps the last two dimensions (the matrix transpose of a stack).
Value transposeLastTwo(OpBuilder &b, Location loc, Value v) {
  int64_t rank = shapeOf(v).size();
  SmallVector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[rank - 1], perm[rank - 2]);
  return TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(perm));
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops
//===----------------------------------------------------------------------===//

LogicalResult addVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  grads[0] = sumToShape(b, loc, g[0], shapeOf(op->getOperand(0)));
  grads[1] = sumToShape(b, loc, g[0], shapeOf(op->getOperand(1)));
  return success();
}

LogicalResult subVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  grads[0] = sumToShape(b, loc, g[0], shapeOf(op->getOperand(0)));
  grads[1] = sumToShape(b, loc, NegOp::create(b, loc, g[0]),
                        shapeOf(op->getOperand(1)));
  return success();
}

LogicalResult mulVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value l = op->getOperand(0), r = op->getOperand(1);
  grads[0] = sumToShape(b, loc, mul(b, loc, g[0], r), shapeOf(l));
  grads[1] = sumToShape(b, loc, mul(b, loc, g[0], l), shapeOf(r));
  return success();
}

/// d(l/r)/dl = 1/r, d(l/r)/dr = -(l/r)/r.
LogicalResult divVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value l = op->getOperand(0), r = op->getOperand(1), y = op->getResult(0);
  grads[0] = sumToShape(b, loc, div(b, loc, g[0], r), shapeOf(l));
  Value dr = NegOp::create(b, loc, div(b, loc, mul(b, loc, g[0], y), r));
  grads[1] = sumToShape(b, loc, dr, shapeOf(r));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

LogicalResult negVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  grads[0] = NegOp::create(b, op->getLoc(), g[0]);
  return success();
}

/// Subgradient 0 at x == 0, as PyTorch.
LogicalResult reluVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  // relu(x) > 0 exactly where x > 0. Reading the output leaves the input
  // with one user, so the chip fuses the relu into the op producing x (a
  // gemm's or conv's epilogue) instead of storing x for the backward pass.
  Value y = op->getResult(0);
  Value positive = GreaterOp::create(b, loc, y, scalarLike(b, loc, y, 0.0));
  grads[0] =
      WhereOp::create(b, loc, positive, g[0], scalarLike(b, loc, y, 0.0));
  return success();
}

/// Slope 1 where the forward op took x itself (x >= 0), alpha elsewhere.
LogicalResult leakyReluVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                           SmallVectorImpl<Value> &grads) {
  auto leaky = cast<LeakyReluOp>(op);
  Location loc = op->getLoc();
  Value x = leaky.getInput();
  Value nonNegative =
      GreaterOrEqualOp::create(b, loc, x, scalarLike(b, loc, x, 0.0));
  Value scaled = mul(b, loc, g[0],
                     scalarLike(b, loc, x, leaky.getAlpha().convertToDouble()));
  grads[0] = WhereOp::create(b, loc, nonNegative, g[0], scaled);
  return success();
}

LogicalResult sigmoidVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value y = op->getResult(0);
  Value slope = mul(b, loc, y, sub(b, loc, scalarLike(b, loc, y, 1.0), y));
  grads[0] = mul(b, loc, g[0], slope);
  return success();
}

LogicalResult tanhVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value y = op->getResult(0);
  Value one = scalarLike(b, loc, y, 1.0);
  Value slope = sub(b, loc, one, mul(b, loc, y, y));
  grads[0] = mul(b, loc, g[0], slope);
  return success();
}

LogicalResult expVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  grads[0] = mul(b, op->getLoc(), g[0], op->getResult(0));
  return success();
}

LogicalResult logVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                     SmallVectorImpl<Value> &grads) {
  grads[0] = div(b, op->getLoc(), g[0], op->getOperand(0));
  return success();
}

/// d sqrt(x) = 1 / (2 sqrt(x)).
LogicalResult sqrtVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value y = op->getResult(0);
  grads[0] = div(b, loc, mul(b, loc, g[0], scalarLike(b, loc, y, 0.5)), y);
  return success();
}

/// exact:  d = Phi(x) + x phi(x), Phi(x) = (1 + erf(x/sqrt2))/2,
///         phi(x) = exp(-x^2/2) / sqrt(2 pi).
/// tanh:   t = tanh(k (x + c x^3)), d = (1 + t)/2 + x (1 - t^2) k (1 + 3c x^2)/2.
LogicalResult geluVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  auto gelu = cast<GeluOp>(op);
  Location loc = op->getLoc();
  Value x = gelu.getInput();
  auto c = [&](double value) { return scalarLike(b, loc, x, value); };
  Value x2 = mul(b, loc, x, x);
  Value slope;
  if (gelu.getApproximate() == "tanh") {
    double k = std::sqrt(2.0 / M_PI), cubic = 0.044715;
    Value inner =
        mul(b, loc, c(k), add(b, loc, x, mul(b, loc, c(cubic), mul(b, loc, x2, x))));
    Value t = TanhOp::create(b, loc, inner);
    Value first = mul(b, loc, c(0.5), add(b, loc, c(1.0), t));
    Value dInner = mul(b, loc, c(k), add(b, loc, c(1.0), mul(b, loc, c(3 * cubic), x2)));
    Value one = c(1.0);
    Value dTanh = sub(b, loc, one, mul(b, loc, t, t));
    Value halfX = mul(b, loc, c(0.5), x);
    Value second = mul(b, loc, halfX, mul(b, loc, dTanh, dInner));
    slope = add(b, loc, first, second);
  } else {
    Value cdf = mul(b, loc, c(0.5),
                    add(b, loc, c(1.0),
                        ErfOp::create(b, loc, div(b, loc, x, c(std::sqrt(2.0))))));
    Value pdf = mul(b, loc, c(1.0 / std::sqrt(2.0 * M_PI)),
                    ExpOp::create(b, loc, mul(b, loc, c(-0.5), x2)));
    slope = add(b, loc, cdf, mul(b, loc, x, pdf));
  }
  grads[0] = mul(b, loc, g[0], slope);
  return success();
}

/// dx = y * (g - sum(g * y)) over the axis.
LogicalResult softmaxVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value y = op->getResult(0);
  int64_t axis = cast<SoftmaxOp>(op).getAxis();
  Value dot = reduceSumKeep(b, loc, mul(b, loc, g[0], y), {axis});
  grads[0] = mul(b, loc, y, sub(b, loc, g[0], dot));
  return success();
}

/// dx = g - exp(y) * sum(g) over the axis (exp(y) is the softmax).
LogicalResult logSoftmaxVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                            SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value y = op->getResult(0);
  int64_t axis = cast<LogSoftmaxOp>(op).getAxis();
  Value total = reduceSumKeep(b, loc, g[0], {axis});
  grads[0] = sub(b, loc, g[0], mul(b, loc, ExpOp::create(b, loc, y), total));
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// The gradient of a sum is the result gradient broadcast back over the
/// reduced axes; a mean also divides by the number of reduced elements.
template <typename ReduceOpTy, bool kMean>
LogicalResult reduceVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                        SmallVectorImpl<Value> &grads) {
  auto reduce = cast<ReduceOpTy>(op);
  Location loc = op->getLoc();
  Value x = reduce.getInput();
  ArrayRef<int64_t> inShape = shapeOf(x);
  SmallVector<int64_t> axes(reduce.getAxes());
  if (axes.empty())
    for (int64_t axis = 0; axis < (int64_t)inShape.size(); ++axis)
      axes.push_back(axis);
  SmallVector<int64_t> keptShape(inShape);
  int64_t count = 1;
  for (int64_t axis : axes) {
    keptShape[axis] = 1;
    count *= inShape[axis];
  }
  Value grad = reshape(b, loc, g[0], keptShape);
  if (kMean)
    grad = mul(b, loc, grad, scalarLike(b, loc, x, 1.0 / double(count)));
  if (keptShape != inShape)
    grad = ExpandOp::create(b, loc, grad, b.getDenseI64ArrayAttr(inShape));
  grads[0] = grad;
  return success();
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

/// For stacks of matrices: dA = g B^T, dB = A^T g, each summed over the
/// batch dimensions the operand was broadcast along.
LogicalResult matmulVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                        SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value a = op->getOperand(0), bm = op->getOperand(1);
  if (shapeOf(a).size() < 2 || shapeOf(bm).size() < 2)
    return op->emitError("nn-autodiff: no gradient for nn.matmul with a 1-D "
                         "operand (reshape it to a matrix first)");
  grads[0] = sumToShape(b, loc, MatMulOp::create(b, loc, g[0], transposeLastTwo(b, loc, bm)),
                        shapeOf(a));
  grads[1] = sumToShape(b, loc, MatMulOp::create(b, loc, transposeLastTwo(b, loc, a), g[0]),
                        shapeOf(bm));
  return success();
}

/// y = alpha op(A) op(B) + beta C. Each gradient is one nn.gemm whose
/// transpose flags absorb op():
///   dA = alpha g op(B)^T          (A not transposed)
///      = alpha op(B) g^T          (A transposed)
///   dB = alpha op(A)^T g          (B not transposed)
///      = alpha g^T op(A)          (B transposed)
///   dC = beta g summed to C's shape.
LogicalResult gemmVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  auto gemm = cast<GemmOp>(op);
  Location loc = op->getLoc();
  Value a = gemm.getA(), bm = gemm.getB(), grad = g[0];
  bool transA = gemm.getTransA(), transB = gemm.getTransB();
  FloatAttr alpha = b.getF32FloatAttr(gemm.getAlpha().convertToFloat());
  FloatAttr zeroBeta = b.getF32FloatAttr(0.0f);
  auto make = [&](Value l, Value r, bool tl, bool tr) -> Value {
    return GemmOp::create(b, loc, l, r, Value(), alpha, zeroBeta,
                          b.getBoolAttr(tl), b.getBoolAttr(tr));
  };
  grads[0] = transA ? make(bm, grad, transB, true) : make(grad, bm, false, !transB);
  grads[1] = transB ? make(grad, a, true, transA) : make(a, grad, !transA, false);
  if (Value c = gemm.getC()) {
    double beta = gemm.getBeta().convertToDouble();
    Value scaled = beta == 1.0 ? grad : mul(b, loc, grad, scalarLike(b, loc, grad, beta));
    grads[2] = sumToShape(b, loc, scaled, shapeOf(c));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization and pooling
//===----------------------------------------------------------------------===//

/// With xhat = (x - mean) * rstd over the normalized axes and
/// dxhat = g * scale:
///   dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)),
///   dscale = sum(g * xhat), dbias = sum(g), both summed to their shapes.
LogicalResult layerNormVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                           SmallVectorImpl<Value> &grads) {
  auto norm = cast<LayerNormOp>(op);
  Location loc = op->getLoc();
  Value x = norm.getInput(), scale = norm.getScale();
  int64_t rank = shapeOf(x).size();
  SmallVector<int64_t> axes;
  for (int64_t axis = norm.getAxis(); axis < rank; ++axis)
    axes.push_back(axis);
  auto mean = [&](Value v) -> Value {
    return ReduceMeanOp::create(b, loc, v, b.getDenseI64ArrayAttr(axes),
                                b.getBoolAttr(true));
  };
  Value centered = sub(b, loc, x, mean(x));
  Value variance = mean(mul(b, loc, centered, centered));
  Value eps = scalarLike(b, loc, x, norm.getEpsilon().convertToDouble());
  Value one = scalarLike(b, loc, x, 1.0);
  Value rstd =
      div(b, loc, one, SqrtOp::create(b, loc, add(b, loc, variance, eps)));
  Value xhat = mul(b, loc, centered, rstd);
  Value dxhat = mul(b, loc, g[0], scale);
  Value dxhatCentered = sub(b, loc, dxhat, mean(dxhat));
  Value inner = sub(b, loc, dxhatCentered,
                    mul(b, loc, xhat, mean(mul(b, loc, dxhat, xhat))));
  grads[0] = mul(b, loc, rstd, inner);
  grads[1] = sumToShape(b, loc, mul(b, loc, g[0], xhat), shapeOf(scale));
  if (Value bias = norm.getBias())
    grads[2] = sumToShape(b, loc, g[0], shapeOf(bias));
  return success();
}

/// nn.batch_norm is inference-mode (it normalizes with the given mean and
/// var), so this is the exact derivative of that function of all five
/// operands; s = scale / sqrt(var + eps), per channel:
///   dx = g s, dscale = sum(g (x - mean)) / sqrt(var + eps), dbias = sum(g), dmean = -s sum(g),
///   dvar = -0.5 scale (var + eps)^-1.5 sum(g (x - mean)).
LogicalResult batchNormVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                           SmallVectorImpl<Value> &grads) {
  auto norm = cast<BatchNormOp>(op);
  Location loc = op->getLoc();
  Value x = norm.getInput();
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t channels = shape[1];
  SmallVector<int64_t> channelShape(shape.size(), 1);
  channelShape[1] = channels;
  SmallVector<int64_t> otherAxes;
  for (int64_t axis = 0; axis < (int64_t)shape.size(); ++axis)
    if (axis != 1)
      otherAxes.push_back(axis);
  auto perChannel = [&](Value v) { return reshape(b, loc, v, channelShape); };
  auto sumOthers = [&](Value v) {
    return reshape(b, loc, reduceSumKeep(b, loc, v, otherAxes), {channels});
  };
  Value eps = scalarLike(b, loc, x, norm.getEpsilon().convertToDouble());
  Value varEps = add(b, loc, norm.getVar(), eps);
  Value one = scalarLike(b, loc, x, 1.0);
  Value rstd = div(b, loc, one, SqrtOp::create(b, loc, varEps));
  Value s = mul(b, loc, norm.getScale(), rstd);
  Value centered = sub(b, loc, x, perChannel(norm.getMean()));
  Value gSum = sumOthers(g[0]);
  Value gCentered = sumOthers(mul(b, loc, g[0], centered));
  grads[0] = mul(b, loc, g[0], perChannel(s));
  grads[1] = mul(b, loc, gCentered, rstd);
  grads[2] = gSum;
  grads[3] = NegOp::create(b, loc, mul(b, loc, gSum, s));
  Value rstd3 = div(b, loc, rstd, varEps); // (var + eps)^-1.5
  Value gScaled = mul(b, loc, gCentered, norm.getScale());
  Value minusHalf = scalarLike(b, loc, x, -0.5);
  grads[4] = mul(b, loc, gScaled, mul(b, loc, minusHalf, rstd3));
  return success();
}

/// True when `value` is a constant of zeros (the gradient autodiff passes
/// for a result the loss does not depend on).
bool isZeros(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  auto dense = constant ? dyn_cast<DenseElementsAttr>(constant.getValue())
                        : DenseElementsAttr();
  return dense && dense.isSplat() && dense.getSplatValue<APFloat>().isZero();
}

/// Training-mode batch norm normalizes with the batch statistics over every
/// dimension but 1 (M elements per channel; d = x - mean, rstd =
/// 1 / sqrt(var + eps)). layer_norm's rule over those axes, with the
/// per-channel factors pulled out of the full-size expressions:
///   dx = scale * rstd * (g - sum(g) / M - d * rstd^2 * sum(g * d) / M),
///   dscale = rstd * sum(g * d), dbias = sum(g).
/// Besides the statistics only g * d is reduced, and dx is one elementwise
/// chain over x and g (d is rebuilt by a fresh subtraction per use, so each
/// use fuses into its own chain on the chip instead of a stored copy).
/// The updated running statistics new = old * m + batch * (1 - m) pass
/// their gradients g1, g2 on: m * g to the old statistics, and to x
/// (1 - m) * (g1 / M + g2 * 2 d / M). Usually the loss does not depend on
/// them and those terms are left out.
LogicalResult batchNormTrainVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                                SmallVectorImpl<Value> &grads) {
  auto norm = cast<BatchNormTrainOp>(op);
  Location loc = op->getLoc();
  Value x = norm.getInput();
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t channels = shape[1], count = 1;
  SmallVector<int64_t> channelShape(shape.size(), 1);
  channelShape[1] = channels;
  SmallVector<int64_t> axes;
  for (int64_t axis = 0; axis < (int64_t)shape.size(); ++axis)
    if (axis != 1) {
      axes.push_back(axis);
      count *= shape[axis];
    }
  auto c = [&](double value) { return scalarLike(b, loc, x, value); };
  auto sum = [&](Value v) { return reduceSumKeep(b, loc, v, axes); };
  auto toChannels = [&](Value v) { return reshape(b, loc, v, {channels}); };
  Value batchMean = mul(b, loc, sum(x), c(1.0 / double(count)));
  auto centered = [&]() { return sub(b, loc, x, batchMean); };
  Value d = centered();
  Value variance = mul(b, loc, sum(mul(b, loc, d, d)), c(1.0 / double(count)));
  Value eps = c(norm.getEpsilon().convertToDouble());
  Value rstd =
      div(b, loc, c(1.0), SqrtOp::create(b, loc, add(b, loc, variance, eps)));
  Value gSum = sum(g[0]);
  Value gdSum = sum(mul(b, loc, centered(), g[0]));
  // The per-channel factors first: the dx chain's operands then all exist
  // before its first op.
  Value coef = mul(b, loc, mul(b, loc, gdSum, mul(b, loc, rstd, rstd)),
                   c(1.0 / double(count)));
  Value gMean = mul(b, loc, gSum, c(1.0 / double(count)));
  Value factor =
      mul(b, loc, reshape(b, loc, norm.getScale(), channelShape), rstd);
  Value inner = sub(b, loc, g[0], mul(b, loc, centered(), coef));
  Value dx = mul(b, loc, sub(b, loc, inner, gMean), factor);
  double momentum = norm.getMomentum().convertToDouble();
  if (!isZeros(g[1])) {
    Value perElement = mul(b, loc, reshape(b, loc, g[1], channelShape),
                           c((1.0 - momentum) / double(count)));
    dx = add(b, loc, dx, perElement);
    grads[3] = mul(b, loc, g[1], c(momentum));
  }
  if (!isZeros(g[2])) {
    Value perElement = mul(b, loc, reshape(b, loc, g[2], channelShape),
                           c(2.0 * (1.0 - momentum) / double(count)));
    dx = add(b, loc, dx, mul(b, loc, perElement, centered()));
    grads[4] = mul(b, loc, g[2], c(momentum));
  }
  grads[0] = dx;
  grads[1] = toChannels(mul(b, loc, gdSum, rstd));
  grads[2] = toChannels(gSum);
  return success();
}

/// The mask depends only on the seed, the key, the ratio and the shape, so
/// the same op applied to g multiplies it by the same mask and scale.
LogicalResult dropoutVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  auto dropout = cast<DropoutOp>(op);
  grads[0] = DropoutOp::create(b, op->getLoc(), g[0], dropout.getSeed(),
                               dropout.getRatioAttr(), dropout.getKeyAttr());
  return success();
}

LogicalResult globalAvgPoolVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                               SmallVectorImpl<Value> &grads) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0);
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t count = 1;
  for (int64_t dim : shape.drop_front(2))
    count *= dim;
  Value scaled = mul(b, loc, g[0], scalarLike(b, loc, x, 1.0 / double(count)));
  grads[0] = ExpandOp::create(b, loc, scaled, b.getDenseI64ArrayAttr(shape));
  return success();
}

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

/// Strides, dilations and pads of a conv with ONNX defaults filled in.
struct ConvGeometry {
  SmallVector<int64_t> strides, dilations, pads, kernel;
};
ConvGeometry convGeometry(ConvOp conv) {
  int64_t spatial = shapeOf(conv.getInput()).size() - 2;
  ConvGeometry geometry;
  geometry.kernel.assign(shapeOf(conv.getWeight()).drop_front(2).begin(),
                         shapeOf(conv.getWeight()).drop_front(2).end());
  auto orDefault = [&](ArrayRef<int64_t> values, int64_t count, int64_t fill) {
    return values.empty() ? SmallVector<int64_t>(count, fill)
                          : SmallVector<int64_t>(values);
  };
  geometry.strides = orDefault(conv.getStrides(), spatial, 1);
  geometry.dilations = orDefault(conv.getDilations(), spatial, 1);
  geometry.pads = orDefault(conv.getPads(), 2 * spatial, 0);
  return geometry;
}

/// Moves dimension 1 to the front: [A, B, ...] -> [B, A, ...].
Value swapFirstTwo(OpBuilder &b, Location loc, Value v) {
  int64_t rank = shapeOf(v).size();
  SmallVector<int64_t> perm(rank);
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[0], perm[1]);
  return TransposeOp::create(b, loc, v, b.getDenseI64ArrayAttr(perm));
}

Value sliceAxis(OpBuilder &b, Location loc, Value v, int64_t axis,
                int64_t begin, int64_t end) {
  if (begin == 0 && end == shapeOf(v)[axis])
    return v;
  return SliceOp::create(b, loc, v, b.getDenseI64ArrayAttr({begin}),
                         b.getDenseI64ArrayAttr({end}),
                         b.getDenseI64ArrayAttr({axis}),
                         b.getDenseI64ArrayAttr({1}));
}

/// Input gradient: the transposed convolution of g with the same weight,
/// strides, pads, dilations and groups; output_padding restores the input
/// rows the forward floor() dropped (they get zero gradient).
/// Weight gradient, per group: the convolution of x^T ([C, N, D]) with g^T
/// ([M, N, O]) as its kernel, with stride and dilation swapped, gives
/// [C, M, K'] (K' >= k), sliced to k and transposed to [M, C, k].
/// Bias gradient: g summed over all but the channel dimension.
LogicalResult convVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                      SmallVectorImpl<Value> &grads) {
  auto conv = cast<ConvOp>(op);
  Location loc = op->getLoc();
  Value x = conv.getInput(), w = conv.getWeight(), grad = g[0];
  ArrayRef<int64_t> xShape = shapeOf(x), gShape = shapeOf(grad);
  int64_t spatial = xShape.size() - 2, group = conv.getGroup();
  ConvGeometry geo = convGeometry(conv);

  SmallVector<int64_t> outputPadding(spatial);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t covered = geo.strides[i] * (gShape[2 + i] - 1) +
                      geo.dilations[i] * (geo.kernel[i] - 1) + 1 -
                      geo.pads[i] - geo.pads[spatial + i];
    // The forward output size is floor((D + pads - dilated k) / s) + 1,
    // so 0 <= D - covered < stride: always a valid output_padding.
    outputPadding[i] = xShape[2 + i] - covered;
  }
  grads[0] = ConvTransposeOp::create(
      b, loc, grad, w, Value(), b.getDenseI64ArrayAttr({}),
      b.getDenseI64ArrayAttr(geo.strides), b.getDenseI64ArrayAttr(geo.pads),
      b.getDenseI64ArrayAttr(geo.dilations),
      b.getDenseI64ArrayAttr(outputPadding), b.getI64IntegerAttr(group));

  int64_t channelsPerGroup = xShape[1] / group, mapsPerGroup = gShape[1] / group;
  SmallVector<Value> groupGrads;
  for (int64_t gi = 0; gi < group; ++gi) {
    Value xg = swapFirstTwo(
        b, loc, sliceAxis(b, loc, x, 1, gi * channelsPerGroup, (gi + 1) * channelsPerGroup));
    Value gg = swapFirstTwo(
        b, loc, sliceAxis(b, loc, grad, 1, gi * mapsPerGroup, (gi + 1) * mapsPerGroup));
    Value full = ConvOp::create(
        b, loc, xg, gg, Value(), b.getDenseI64ArrayAttr({}),
        b.getDenseI64ArrayAttr(geo.dilations), b.getDenseI64ArrayAttr(geo.pads),
        b.getDenseI64ArrayAttr(geo.strides), b.getI64IntegerAttr(1));
    SmallVector<int64_t> starts(spatial, 0), axes(spatial), steps(spatial, 1);
    std::iota(axes.begin(), axes.end(), 2);
    Value cropped = full;
    if (shapeOf(full).drop_front(2) != ArrayRef<int64_t>(geo.kernel))
      cropped = SliceOp::create(b, loc, full, b.getDenseI64ArrayAttr(starts),
                                b.getDenseI64ArrayAttr(geo.kernel),
                                b.getDenseI64ArrayAttr(axes),
                                b.getDenseI64ArrayAttr(steps));
    groupGrads.push_back(swapFirstTwo(b, loc, cropped));
  }
  grads[1] = groupGrads.size() == 1
                 ? groupGrads.front()
                 : Value(ConcatOp::create(b, loc, groupGrads, b.getI64IntegerAttr(0)));
  if (Value bias = conv.getBias()) {
    SmallVector<int64_t> axes{0};
    for (int64_t i = 0; i < spatial; ++i)
      axes.push_back(2 + i);
    grads[2] = ReduceSumOp::create(b, loc, grad, b.getDenseI64ArrayAttr(axes),
                                   b.getBoolAttr(false));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Pooling (as depthwise transposed convolutions with an all-ones kernel)
//===----------------------------------------------------------------------===//

/// Pooling attributes with the ONNX defaults filled in.
struct PoolGeometry {
  SmallVector<int64_t> kernel, strides, dilations, pads, outputPadding;
};

/// The geometry of a pool op, and the output_padding that makes a
/// transposed convolution of its result shape give back its input shape;
/// failure when a ceil_mode window makes that impossible.
template <typename PoolOpTy>
FailureOr<PoolGeometry> poolGeometry(PoolOpTy pool) {
  ArrayRef<int64_t> in = shapeOf(pool.getInput()), out = shapeOf(pool.getOutput());
  int64_t spatial = in.size() - 2;
  PoolGeometry geo;
  geo.kernel.assign(pool.getKernelShape().begin(), pool.getKernelShape().end());
  auto orDefault = [&](ArrayRef<int64_t> values, int64_t count, int64_t fill) {
    return values.empty() ? SmallVector<int64_t>(count, fill)
                          : SmallVector<int64_t>(values);
  };
  geo.strides = orDefault(pool.getStrides(), spatial, 1);
  geo.dilations = orDefault(pool.getDilations(), spatial, 1);
  geo.pads = orDefault(pool.getPads(), 2 * spatial, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t covered = geo.strides[i] * (out[2 + i] - 1) +
                      geo.dilations[i] * (geo.kernel[i] - 1) + 1 -
                      geo.pads[i] - geo.pads[spatial + i];
    int64_t extra = in[2 + i] - covered;
    if (extra < 0 || extra >= std::max(geo.strides[i], geo.dilations[i]))
      return failure();
    geo.outputPadding.push_back(extra);
  }
  return geo;
}

/// Sums `g` ([N, C, O...]) back over every pooling window onto [N, C, D...]:
/// a depthwise nn.conv_transpose with an all-ones kernel, or, with `tap`
/// (a flat kernel position), a kernel that is one at that position only
/// (each input gets the value of the window in which it sits at `tap`).
Value scatterWindows(OpBuilder &b, Location loc, Value g,
                     const PoolGeometry &geo,
                     std::optional<int64_t> tap = std::nullopt) {
  int64_t channels = shapeOf(g)[1];
  SmallVector<int64_t> weightShape{channels, 1};
  weightShape.append(geo.kernel.begin(), geo.kernel.end());
  auto weightType = RankedTensorType::get(weightShape, elementTypeOf(g));
  Type element = elementTypeOf(g);
  DenseElementsAttr kernel =
      DenseElementsAttr::get(weightType, FloatAttr::get(element, 1.0));
  if (tap) {
    int64_t taps = weightType.getNumElements() / channels;
    SmallVector<Attribute> values(weightType.getNumElements(),
                                  FloatAttr::get(element, 0.0));
    for (int64_t c = 0; c < channels; ++c)
      values[c * taps + *tap] = FloatAttr::get(element, 1.0);
    kernel = DenseElementsAttr::get(weightType, values);
  }
  Value ones = ConstantOp::create(b, loc, weightType, kernel);
  return ConvTransposeOp::create(
      b, loc, g, ones, Value(), b.getDenseI64ArrayAttr({}),
      b.getDenseI64ArrayAttr(geo.strides), b.getDenseI64ArrayAttr(geo.pads),
      b.getDenseI64ArrayAttr(geo.dilations),
      b.getDenseI64ArrayAttr(geo.outputPadding), b.getI64IntegerAttr(channels));
}

/// Each window's gradient divided by its divisor, summed back onto the
/// input. The divisor is the kernel size, or, without count_include_pad,
/// the number of in-bounds elements of each window (a constant map).
LogicalResult avgPoolVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  auto pool = cast<AvgPoolOp>(op);
  Location loc = op->getLoc();
  FailureOr<PoolGeometry> geo = poolGeometry(pool);
  if (failed(geo))
    return op->emitError("nn-autodiff: no gradient for nn.avg_pool whose "
                         "ceil_mode adds a window");
  ArrayRef<int64_t> in = shapeOf(pool.getInput()), out = shapeOf(pool.getOutput());
  int64_t spatial = in.size() - 2;
  // Divisor per output position: in-bounds taps (or all taps).
  SmallVector<int64_t> outSpatial(out.drop_front(2));
  int64_t positions = 1;
  for (int64_t dim : outSpatial)
    positions *= dim;
  SmallVector<float> divisors(positions);
  for (int64_t flat = 0; flat < positions; ++flat) {
    int64_t rest = flat, count = 1;
    for (int64_t i = spatial - 1; i >= 0; --i) {
      int64_t o = rest % outSpatial[i];
      rest /= outSpatial[i];
      int64_t taps = 0;
      for (int64_t k = 0; k < geo->kernel[i]; ++k) {
        int64_t pos = o * geo->strides[i] + k * geo->dilations[i] - geo->pads[i];
        if (pool.getCountIncludePad() || (pos >= 0 && pos < in[2 + i]))
          ++taps;
      }
      count *= taps;
    }
    divisors[flat] = 1.0f / float(count);
  }
  SmallVector<int64_t> mapShape{1, 1};
  mapShape.append(outSpatial.begin(), outSpatial.end());
  auto mapType = RankedTensorType::get(mapShape, b.getF32Type());
  Value scale = ConstantOp::create(b, loc, mapType,
                                   DenseElementsAttr::get(mapType, ArrayRef<float>(divisors)));
  if (elementTypeOf(g[0]) != b.getF32Type())
    scale = CastOp::create(b, loc, RankedTensorType::get(mapShape, elementTypeOf(g[0])), scale);
  grads[0] = scatterWindows(b, loc, mul(b, loc, g[0], scale), *geo);
  return success();
}

/// The gradient of a window goes to the elements of the window that equal
/// its maximum (to every tied element, unlike PyTorch's first-index
/// choice). Non-overlapping windows (each input in at most one): the
/// maximum and g are spread over the windows and
/// dx = where(x == spread max, spread g, 0). Overlapping windows: the same
/// per kernel position t, summed over t: each input gets the max and g of
/// the window in which it sits at position t (a one-hot spread kernel).
LogicalResult maxPoolVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  auto pool = cast<MaxPoolOp>(op);
  Location loc = op->getLoc();
  FailureOr<PoolGeometry> geo = poolGeometry(pool);
  if (failed(geo))
    return op->emitError("nn-autodiff: no gradient for nn.max_pool whose "
                         "ceil_mode adds a window");
  bool overlapping = false;
  int64_t taps = 1;
  for (auto [k, s, d] : llvm::zip(geo->kernel, geo->strides, geo->dilations)) {
    overlapping |= d * (k - 1) + 1 > s;
    taps *= k;
  }
  Value x = pool.getInput(), zero = scalarLike(b, loc, x, 0.0);
  // g is spread before the comparison is built: the compare and the select
  // then run as one fused chain on the chip (its operands exist first).
  auto routed = [&](std::optional<int64_t> tap) -> Value {
    Value spreadGrad = scatterWindows(b, loc, g[0], *geo, tap);
    Value isMax = EqualOp::create(
        b, loc, x, scatterWindows(b, loc, pool.getOutput(), *geo, tap));
    return WhereOp::create(b, loc, isMax, spreadGrad, zero);
  };
  if (!overlapping) {
    grads[0] = routed(std::nullopt);
    return success();
  }
  Value sum = routed(0);
  for (int64_t tap = 1; tap < taps; ++tap)
    sum = add(b, loc, sum, routed(tap));
  grads[0] = sum;
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult reshapeVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                         SmallVectorImpl<Value> &grads) {
  grads[0] = reshape(b, op->getLoc(), g[0], shapeOf(op->getOperand(0)));
  return success();
}

LogicalResult transposeVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                           SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> perm = cast<TransposeOp>(op).getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [index, axis] : llvm::enumerate(perm))
    inverse[axis] = index;
  grads[0] = TransposeOp::create(b, op->getLoc(), g[0],
                                 b.getDenseI64ArrayAttr(inverse));
  return success();
}

/// Each input gets its slab of the result gradient along the axis.
LogicalResult concatVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                        SmallVectorImpl<Value> &grads) {
  int64_t axis = cast<ConcatOp>(op).getAxis();
  int64_t offset = 0;
  for (auto [index, input] : llvm::enumerate(op->getOperands())) {
    int64_t size = shapeOf(input)[axis];
    if (isFloat(input))
      grads[index] = SliceOp::create(
          b, op->getLoc(), g[0], b.getDenseI64ArrayAttr({offset}),
          b.getDenseI64ArrayAttr({offset + size}), b.getDenseI64ArrayAttr({axis}),
          b.getDenseI64ArrayAttr({1}));
    offset += size;
  }
  return success();
}

/// A unit-step slice is adjoint to zero padding: pad the gradient by the
/// start before and by (dim - end) after each sliced axis.
LogicalResult sliceVJP(OpBuilder &b, Operation *op, ArrayRef<Value> g,
                       SmallVectorImpl<Value> &grads) {
  auto slice = cast<SliceOp>(op);
  Value x = slice.getInput();
  ArrayRef<int64_t> shape = shapeOf(x);
  int64_t rank = shape.size();
  ArrayRef<int64_t> starts = slice.getStarts(), ends = slice.getEnds();
  SmallVector<int64_t> axes(slice.getAxes());
  if (axes.empty())
    for (int64_t axis = 0; axis < (int64_t)starts.size(); ++axis)
      axes.push_back(axis);
  ArrayRef<int64_t> steps = slice.getSteps();
  if (llvm::any_of(steps, [](int64_t step) { return step != 1; }))
    return op->emitError("nn-autodiff: no gradient for nn.slice with a step "
                         "other than 1");
  SmallVector<int64_t> pads(2 * rank, 0);
  for (auto [index, axis] : llvm::enumerate(axes)) {
    pads[axis] = starts[index];
    pads[rank + axis] = shape[axis] - ends[index];
  }
  grads[0] = PadOp::create(b, op->getLoc(), g[0], b.getDenseI64ArrayAttr(pads),
                           b.getStringAttr("constant"), b.getF32FloatAttr(0.0f));
  return success();
}

/// The op kinds with a rule, by operation name.
const llvm::StringMap<VJPRule> &ruleTable() {
  static const llvm::StringMap<VJPRule> table = {
      {AddOp::getOperationName(), addVJP},
      {SubOp::getOperationName(), subVJP},
      {MulOp::getOperationName(), mulVJP},
      {DivOp::getOperationName(), divVJP},
      {NegOp::getOperationName(), negVJP},
      {ReluOp::getOperationName(), reluVJP},
      {LeakyReluOp::getOperationName(), leakyReluVJP},
      {SigmoidOp::getOperationName(), sigmoidVJP},
      {TanhOp::getOperationName(), tanhVJP},
      {GeluOp::getOperationName(), geluVJP},
      {ExpOp::getOperationName(), expVJP},
      {LogOp::getOperationName(), logVJP},
      {SqrtOp::getOperationName(), sqrtVJP},
      {SoftmaxOp::getOperationName(), softmaxVJP},
      {LogSoftmaxOp::getOperationName(), logSoftmaxVJP},
      {ReduceSumOp::getOperationName(), reduceVJP<ReduceSumOp, false>},
      {ReduceMeanOp::getOperationName(), reduceVJP<ReduceMeanOp, true>},
      {MatMulOp::getOperationName(), matmulVJP},
      {GemmOp::getOperationName(), gemmVJP},
      {ConvOp::getOperationName(), convVJP},
      {LayerNormOp::getOperationName(), layerNormVJP},
      {BatchNormOp::getOperationName(), batchNormVJP},
      {BatchNormTrainOp::getOperationName(), batchNormTrainVJP},
      {DropoutOp::getOperationName(), dropoutVJP},
      {GlobalAvgPoolOp::getOperationName(), globalAvgPoolVJP},
      {AvgPoolOp::getOperationName(), avgPoolVJP},
      {MaxPoolOp::getOperationName(), maxPoolVJP},
      {ReshapeOp::getOperationName(), reshapeVJP},
      {FlattenOp::getOperationName(), reshapeVJP},
      {TransposeOp::getOperationName(), transposeVJP},
      {ConcatOp::getOperationName(), concatVJP},
      {SliceOp::getOperationName(), sliceVJP},
  };
  return table;
}

} // namespace

Value mlir::nn::sumToShape(OpBuilder &b, Location loc, Value grad,
                           ArrayRef<int64_t> shape) {
  ArrayRef<int64_t> gradShape = shapeOf(grad);
  if (gradShape == shape)
    return grad;
  int64_t lead = gradShape.size() - shape.size();
  SmallVector<int64_t> axes;
  for (int64_t axis = 0; axis < (int64_t)gradShape.size(); ++axis)
    if (axis < lead || (shape[axis - lead] == 1 && gradShape[axis] != 1))
      axes.push_back(axis);
  if (!axes.empty())
    grad = reduceSumKeep(b, loc, grad, axes);
  return reshape(b, loc, grad, shape);
}

VJPRule mlir::nn::lookupVJPRule(Operation *op) {
  auto it = ruleTable().find(op->getName().getStringRef());
  return it == ruleTable().end() ? nullptr : it->second;
}

SmallVector<StringRef> mlir::nn::getOpsWithVJPRule() {
  SmallVector<StringRef> names;
  for (const auto &entry : ruleTable())
    names.push_back(entry.getKey());
  llvm::sort(names);
  return names;
}
