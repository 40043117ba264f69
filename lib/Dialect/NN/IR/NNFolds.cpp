//===- NNFolds.cpp - nn folders -------------------------------------------===//
//
// Folders of the nn ops: identity cases (a reshape to the same type, an
// identity permutation, adding a zero splat, ...), in-place composition of
// chains (reshape of reshape, transpose of transpose) and constant folding.
//
// Constant folding is for shape arithmetic, not for weights: it only touches
// DenseElementsAttr values (never dense_resource blobs) and only produces
// results of at most kMaxFoldElements elements, or splats (one stored value
// whatever the shape), so folding can neither blow up the IR nor expand a
// model's parameters.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "NNShapeUtils.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include "llvm/ADT/APSInt.h"

#include <cmath>

using namespace mlir;
using namespace mlir::nn;
using namespace mlir::nn::detail;

namespace {
/// The largest result a constant fold may create.
constexpr int64_t kMaxFoldElements = 1024;

/// True when `type` has at most kMaxFoldElements elements. Types may have
/// element counts that overflow int64 (MLIR does not reject them), so this
/// does not use getNumElements().
bool isSmall(ShapedType type) {
  std::optional<int64_t> count = checkedProduct(type.getShape());
  return count && *count <= kMaxFoldElements;
}

/// `attr` as a DenseElementsAttr that is a splat or small enough to fold,
/// or null.
DenseElementsAttr getFoldableDense(Attribute attr) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || (!dense.isSplat() && !isSmall(dense.getType())))
    return nullptr;
  return dense;
}

/// Row-major strides of `shape`.
SmallVector<int64_t> getStrides(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Linear index into `operandShape` of the element that numpy broadcasting
/// reads for result element `linear` of `resultShape`.
int64_t broadcastIndex(int64_t linear, ArrayRef<int64_t> resultShape,
                       ArrayRef<int64_t> resultStrides,
                       ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> operandStrides) {
  int64_t offset = resultShape.size() - operandShape.size();
  int64_t index = 0;
  for (size_t d = 0; d < resultShape.size(); ++d) {
    int64_t coord = (linear / resultStrides[d]) % resultShape[d];
    if (static_cast<int64_t>(d) < offset)
      continue;
    int64_t od = d - offset;
    if (operandShape[od] != 1)
      index += coord * operandStrides[od];
  }
  return index;
}

/// foldBinary for one operand element representation (APInt or APFloat);
/// comparisons produce APInt (i1) results from APFloat operands.
template <typename ElementT, typename ResultT = ElementT, typename Fn>
OpFoldResult foldBinaryElements(DenseElementsAttr lhs, DenseElementsAttr rhs,
                                RankedTensorType resultType, Fn fn) {
  // Two splats give a splat of any size: compute the one value.
  if (lhs.isSplat() && rhs.isSplat()) {
    std::optional<ResultT> value =
        fn(lhs.getSplatValue<ElementT>(), rhs.getSplatValue<ElementT>());
    if (!value)
      return {};
    return DenseElementsAttr::get(resultType, *value);
  }
  if (!isSmall(resultType))
    return {};
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<int64_t> strides = getStrides(shape);
  ArrayRef<int64_t> lhsShape = lhs.getType().getShape();
  ArrayRef<int64_t> rhsShape = rhs.getType().getShape();
  SmallVector<int64_t> lhsStrides = getStrides(lhsShape);
  SmallVector<int64_t> rhsStrides = getStrides(rhsShape);
  auto lhsValues = llvm::to_vector(lhs.getValues<ElementT>());
  auto rhsValues = llvm::to_vector(rhs.getValues<ElementT>());
  SmallVector<ResultT> results;
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    std::optional<ResultT> value =
        fn(lhsValues[broadcastIndex(i, shape, strides, lhsShape, lhsStrides)],
           rhsValues[broadcastIndex(i, shape, strides, rhsShape, rhsStrides)]);
    if (!value)
      return {};
    results.push_back(*value);
  }
  return DenseElementsAttr::get(resultType, results);
}

/// Folds a broadcasting binary op over two small dense constants with
/// `intFn` / `floatFn`; either may return std::nullopt to refuse (division by
/// zero, unsupported type).
template <typename IntFn, typename FloatFn>
OpFoldResult foldBinary(Attribute lhsAttr, Attribute rhsAttr,
                        RankedTensorType resultType, IntFn intFn,
                        FloatFn floatFn) {
  DenseElementsAttr lhs = getFoldableDense(lhsAttr);
  DenseElementsAttr rhs = getFoldableDense(rhsAttr);
  if (!lhs || !rhs)
    return {};
  if (isa<IntegerType>(resultType.getElementType()))
    return foldBinaryElements<APInt>(lhs, rhs, resultType, intFn);
  if (isa<FloatType>(resultType.getElementType()))
    return foldBinaryElements<APFloat>(lhs, rhs, resultType, floatFn);
  return {};
}

/// Folds a broadcasting comparison over two small dense constants. Integer
/// operands are compared signed (i1 operands only reach `nn.equal`).
template <typename IntPred, typename FloatPred>
OpFoldResult foldCompare(Attribute lhsAttr, Attribute rhsAttr,
                         RankedTensorType resultType, IntPred intPred,
                         FloatPred floatPred) {
  DenseElementsAttr lhs = getFoldableDense(lhsAttr);
  DenseElementsAttr rhs = getFoldableDense(rhsAttr);
  if (!lhs || !rhs)
    return {};
  Type elementType = lhs.getElementType();
  if (isa<IntegerType>(elementType))
    return foldBinaryElements<APInt, APInt>(
        lhs, rhs, resultType,
        [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
          return APInt(1, intPred(a, b));
        });
  if (isa<FloatType>(elementType))
    return foldBinaryElements<APFloat, APInt>(
        lhs, rhs, resultType,
        [&](const APFloat &a, const APFloat &b) -> std::optional<APInt> {
          return APInt(1, floatPred(a.compare(b)));
        });
  return {};
}

/// True when `attr` is a splat whose every element equals `value`.
bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_if_present<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type elementType = dense.getElementType();
  if (isa<FloatType>(elementType))
    return dense.getSplatValue<APFloat>().isExactlyValue(value);
  if (isa<IntegerType>(elementType))
    return dense.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  return false;
}

/// Folds an arithmetic binary op: `lhs op c == lhs` when `c` is a splat of
/// the op's right identity element and the result does not broadcast lhs;
/// otherwise constant-folds through foldBinary.
template <typename OpTy, typename IntFn, typename FloatFn>
OpFoldResult foldArithmetic(OpTy op, typename OpTy::FoldAdaptor adaptor,
                            double rightIdentity, IntFn intFn,
                            FloatFn floatFn) {
  if (op.getLhs().getType() == op.getType() &&
      isSplatOf(adaptor.getRhs(), rightIdentity))
    return op.getLhs();
  return foldBinary(adaptor.getLhs(), adaptor.getRhs(), op.getType(), intFn,
                    floatFn);
}

/// The same splat value in the shape of `resultType`. Folds that move
/// elements take this path first: their index arithmetic assumes a small
/// shape, and a splat (of any shape) needs none.
OpFoldResult reshapeSplat(DenseElementsAttr splat,
                          RankedTensorType resultType) {
  return DenseElementsAttr::get(resultType, splat.getSplatValue<Attribute>());
}

/// Rebuilds a small dense constant of `resultType` whose element `i` is
/// element `sourceIndex(i)` of `source`.
template <typename IndexFn>
OpFoldResult gatherElements(DenseElementsAttr source,
                            RankedTensorType resultType, IndexFn sourceIndex) {
  if (source.isSplat())
    return reshapeSplat(source, resultType);
  if (!isSmall(resultType))
    return {};
  auto values = llvm::to_vector(source.getValues<Attribute>());
  SmallVector<Attribute> results;
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i)
    results.push_back(values[sourceIndex(i)]);
  return DenseElementsAttr::get(resultType, results);
}

/// Maps each element of a dense constant through `fn` (which may refuse with
/// std::nullopt); ElementT is how `fn` sees an element (APInt, APFloat or
/// Attribute).
template <typename ElementT, typename Fn>
OpFoldResult mapElements(DenseElementsAttr dense, RankedTensorType resultType,
                         Fn fn) {
  if (dense.isSplat()) {
    std::optional<ElementT> mapped = fn(dense.getSplatValue<ElementT>());
    if (!mapped)
      return {};
    return DenseElementsAttr::get(resultType, *mapped);
  }
  SmallVector<ElementT> results;
  for (ElementT value : dense.getValues<ElementT>()) {
    std::optional<ElementT> mapped = fn(value);
    if (!mapped)
      return {};
    results.push_back(*mapped);
  }
  return DenseElementsAttr::get(resultType, results);
}

/// Maps each element of a small dense constant through `intFn` / `floatFn`.
template <typename IntFn, typename FloatFn>
OpFoldResult foldUnary(Attribute operand, RankedTensorType resultType,
                       IntFn intFn, FloatFn floatFn) {
  DenseElementsAttr dense = getFoldableDense(operand);
  if (!dense)
    return {};
  if (isa<IntegerType>(resultType.getElementType()))
    return mapElements<APInt>(dense, resultType, intFn);
  if (isa<FloatType>(resultType.getElementType()))
    return mapElements<APFloat>(dense, resultType, floatFn);
  return {};
}

constexpr auto kRound = APFloat::rmNearestTiesToEven;
} // namespace

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      *this, adaptor, 0.0,
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      },
      [](APFloat a, const APFloat &b) -> std::optional<APFloat> {
        a.add(b, kRound);
        return a;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      *this, adaptor, 0.0,
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      },
      [](APFloat a, const APFloat &b) -> std::optional<APFloat> {
        a.subtract(b, kRound);
        return a;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      *this, adaptor, 1.0,
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      },
      [](APFloat a, const APFloat &b) -> std::optional<APFloat> {
        a.multiply(b, kRound);
        return a;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      *this, adaptor, 1.0,
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        bool overflow = false;
        if (b.isZero())
          return std::nullopt;
        APInt quotient = a.sdiv_ov(b, overflow);
        if (overflow)
          return std::nullopt;
        return quotient;
      },
      [](APFloat a, const APFloat &b) -> std::optional<APFloat> {
        a.divide(b, kRound);
        return a;
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  return foldArithmetic(
      *this, adaptor, 1.0,
      [](const APInt &, const APInt &) -> std::optional<APInt> {
        return std::nullopt;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat result(std::pow(a.convertToDouble(), b.convertToDouble()));
        bool losesInfo = false;
        result.convert(a.getSemantics(), kRound, &losesInfo);
        return result;
      });
}

OpFoldResult ModOp::fold(FoldAdaptor adaptor) {
  bool truncated = getFmod();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [truncated](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero() || b.isAllOnes())
          return std::nullopt;
        APInt r = a.srem(b);
        // srem takes the dividend's sign; mod takes the divisor's.
        if (!truncated && !r.isZero() && r.isNegative() != b.isNegative())
          r += b;
        return r;
      },
      [truncated](APFloat a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        (void)r.mod(b); // C fmod: exact, NaN for b = 0.
        if (!truncated && !r.isZero() && !r.isNaN() &&
            r.isNegative() != b.isNegative())
          r.add(b, kRound);
        if (!truncated && r.isZero() && r.isNegative() != b.isNegative())
          r.changeSign();
        return r;
      });
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.sgt(b) ? a : b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::maximum(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a.slt(b) ? a : b;
      },
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return llvm::minimum(a, b);
      });
}

//===----------------------------------------------------------------------===//
// Comparisons and logic
//===----------------------------------------------------------------------===//

// A NaN operand compares cmpUnordered, which no predicate below accepts: a
// comparison with NaN folds to false, as ONNX defines it.
OpFoldResult EqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) { return a == b; },
      [](APFloat::cmpResult r) { return r == APFloat::cmpEqual; });
}

OpFoldResult LessOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) { return a.slt(b); },
      [](APFloat::cmpResult r) { return r == APFloat::cmpLessThan; });
}

OpFoldResult LessOrEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) { return a.sle(b); },
      [](APFloat::cmpResult r) {
        return r == APFloat::cmpLessThan || r == APFloat::cmpEqual;
      });
}

OpFoldResult GreaterOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) { return a.sgt(b); },
      [](APFloat::cmpResult r) { return r == APFloat::cmpGreaterThan; });
}

OpFoldResult GreaterOrEqualOp::fold(FoldAdaptor adaptor) {
  return foldCompare(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) { return a.sge(b); },
      [](APFloat::cmpResult r) {
        return r == APFloat::cmpGreaterThan || r == APFloat::cmpEqual;
      });
}

/// The logic ops only see i1, so the float callback never runs.
static std::optional<APFloat> noFloatLogic(const APFloat &, const APFloat &) {
  return std::nullopt;
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a & b;
      },
      noFloatLogic);
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return getLhs();
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a | b;
      },
      noFloatLogic);
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  return foldBinary(
      adaptor.getLhs(), adaptor.getRhs(), getType(),
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a ^ b;
      },
      noFloatLogic);
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &v) -> std::optional<APInt> { return ~v; },
      [](const APFloat &) -> std::optional<APFloat> { return std::nullopt; });
}

OpFoldResult WhereOp::fold(FoldAdaptor adaptor) {
  if (getX() == getY() && getX().getType() == getType())
    return getX();
  auto cond = dyn_cast_if_present<DenseElementsAttr>(adaptor.getCond());
  if (!cond || !cond.isSplat())
    return {};
  Value chosen = cond.getSplatValue<bool>() ? getX() : getY();
  if (chosen.getType() == getType())
    return chosen;
  return {};
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  // relu is idempotent.
  if (getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &v) -> std::optional<APInt> {
        return v.isNegative() ? APInt::getZero(v.getBitWidth()) : v;
      },
      [](const APFloat &v) -> std::optional<APFloat> {
        return v.isNegative() ? APFloat::getZero(v.getSemantics()) : v;
      });
}

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &v) -> std::optional<APInt> { return -v; },
      [](const APFloat &v) -> std::optional<APFloat> { return -v; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (getInput().getDefiningOp<AbsOp>())
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &v) -> std::optional<APInt> { return v.abs(); },
      [](const APFloat &v) -> std::optional<APFloat> { return abs(v); });
}

OpFoldResult ReciprocalOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &) -> std::optional<APInt> { return std::nullopt; },
      [](const APFloat &v) -> std::optional<APFloat> {
        APFloat one(v.getSemantics(), 1);
        one.divide(v, kRound);
        return one;
      });
}

/// Rounds a float constant with `mode`; floor and ceil are idempotent.
template <typename OpTy>
static OpFoldResult foldRounding(OpTy op, Attribute input,
                                 APFloat::roundingMode mode) {
  if (op.getInput().template getDefiningOp<OpTy>())
    return op.getInput();
  return foldUnary(
      input, op.getType(),
      [](const APInt &) -> std::optional<APInt> { return std::nullopt; },
      [mode](APFloat v) -> std::optional<APFloat> {
        v.roundToIntegral(mode);
        return v;
      });
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(), APFloat::rmTowardNegative);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(), APFloat::rmTowardPositive);
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldRounding(*this, adaptor.getInput(),
                      APFloat::rmNearestTiesToEven);
}

OpFoldResult SignOp::fold(FoldAdaptor adaptor) {
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APInt &v) -> std::optional<APInt> {
        int64_t sign = v.isNegative() ? -1 : (v.isZero() ? 0 : 1);
        return APInt(v.getBitWidth(), sign, /*isSigned=*/true);
      },
      [](const APFloat &v) -> std::optional<APFloat> {
        if (v.isNaN())
          return v;
        if (v.isZero())
          return APFloat::getZero(v.getSemantics());
        APFloat one(v.getSemantics(), 1);
        if (v.isNegative())
          one.changeSign();
        return one;
      });
}

OpFoldResult ClipOp::fold(FoldAdaptor) {
  // Without bounds clip is the identity.
  if (!getMin() && !getMax())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Pooling and reductions
//===----------------------------------------------------------------------===//

/// A 1x..x1 window with unit strides and no padding selects every element
/// once: max and average pooling return the input.
static bool isIdentityWindow(ArrayRef<int64_t> kernelShape,
                             ArrayRef<int64_t> strides,
                             ArrayRef<int64_t> pads) {
  auto allEqual = [](ArrayRef<int64_t> values, int64_t value) {
    return llvm::all_of(values, [&](int64_t v) { return v == value; });
  };
  return allEqual(kernelShape, 1) && allEqual(strides, 1) && allEqual(pads, 0);
}

OpFoldResult MaxPoolOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      isIdentityWindow(getKernelShape(), getStrides(), getPads()))
    return getInput();
  return {};
}

/// Dropping nothing keeps every element with scale 1.
OpFoldResult DropoutOp::fold(FoldAdaptor) {
  if (getRatio().isZero())
    return getInput();
  return {};
}

OpFoldResult AvgPoolOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType() &&
      isIdentityWindow(getKernelShape(), getStrides(), getPads()))
    return getInput();
  return {};
}

OpFoldResult GlobalAvgPoolOp::fold(FoldAdaptor) {
  // Spatial dims already 1: the mean of one element.
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

// A reduction that keeps its input's type only reduces size-1 axes (with
// keepdims): sum, mean, max, min and product of one element are that element.
OpFoldResult ReduceSumOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

OpFoldResult ReduceMeanOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor) {
  return getInput().getType() == getType() ? getInput() : OpFoldResult();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::fold(FoldAdaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  // A split into one piece is the input.
  if (getNumResults() != 1 || getInput().getType() != getResult(0).getType())
    return failure();
  results.push_back(getInput());
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return getInput();
  // transpose(transpose(x, inner), outer) == transpose(x, inner o outer).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t dim : perm)
      composed.push_back(innerPerm[dim]);
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  DenseElementsAttr dense = getFoldableDense(adaptor.getInput());
  if (!dense)
    return {};
  if (dense.isSplat())
    return reshapeSplat(dense, getType());
  ArrayRef<int64_t> resultShape = getType().getShape();
  SmallVector<int64_t> resultStrides = getStrides(resultShape);
  SmallVector<int64_t> inputStrides =
      getStrides(getInput().getType().getShape());
  return gatherElements(dense, getType(), [&](int64_t linear) {
    int64_t index = 0;
    for (size_t d = 0; d < resultShape.size(); ++d)
      index += ((linear / resultStrides[d]) % resultShape[d]) *
               inputStrides[perm[d]];
    return index;
  });
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  // A reshape only depends on the element order, so an inner reshape or
  // flatten is redundant.
  Operation *producer = getInput().getDefiningOp();
  if (isa_and_present<ReshapeOp, FlattenOp>(producer)) {
    getInputMutable().assign(producer->getOperand(0));
    return getResult();
  }
  if (DenseElementsAttr dense = getFoldableDense(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult FlattenOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (DenseElementsAttr dense = getFoldableDense(adaptor.getInput()))
    return dense.reshape(getType());
  return {};
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr dense = getFoldableDense(adaptor.getInput());
  if (!dense)
    return {};
  if (dense.isSplat())
    return reshapeSplat(dense, getType());
  ArrayRef<int64_t> shape = getType().getShape();
  SmallVector<int64_t> strides = getStrides(shape);
  ArrayRef<int64_t> inputShape = getInput().getType().getShape();
  SmallVector<int64_t> inputStrides = getStrides(inputShape);
  return gatherElements(dense, getType(), [&](int64_t linear) {
    return broadcastIndex(linear, shape, strides, inputShape, inputStrides);
  });
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> steps = getSteps();
  bool forward = llvm::all_of(steps, [](int64_t s) { return s > 0; });
  // A forward slice that keeps every size takes everything.
  if (forward && getInput().getType() == getType())
    return getInput();
  DenseElementsAttr dense = getFoldableDense(adaptor.getInput());
  if (!dense)
    return {};
  if (dense.isSplat())
    return reshapeSplat(dense, getType());
  RankedTensorType inputType = getInput().getType();
  int64_t rank = inputType.getRank();
  SmallVector<int64_t> begin(rank, 0), step(rank, 1);
  ArrayRef<int64_t> axes = getAxes();
  for (size_t i = 0; i < getStarts().size(); ++i) {
    int64_t axis = axes.empty() ? i : axes[i];
    begin[axis] = getStarts()[i];
    step[axis] = steps.empty() ? 1 : steps[i];
  }
  ArrayRef<int64_t> shape = getType().getShape();
  SmallVector<int64_t> strides = getStrides(shape);
  SmallVector<int64_t> inputStrides = getStrides(inputType.getShape());
  return gatherElements(dense, getType(), [&](int64_t linear) {
    int64_t index = 0;
    for (int64_t d = 0; d < rank; ++d)
      index += (begin[d] + ((linear / strides[d]) % shape[d]) * step[d]) *
               inputStrides[d];
    return index;
  });
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }))
    return getInput();
  return {};
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  // Inputs with nothing along the axis contribute nothing; drop them (keeping
  // at least one operand).
  for (unsigned i = 0, e = getInputs().size(); i < e && e > 1; ++i) {
    if (cast<RankedTensorType>(getInputs()[i].getType())
            .getDimSize(getAxis()) == 0) {
      getInputsMutable().erase(i);
      return getResult();
    }
  }
  if (!isSmall(getType()))
    return {};
  SmallVector<DenseElementsAttr> parts;
  for (Attribute attr : adaptor.getInputs()) {
    DenseElementsAttr dense = getFoldableDense(attr);
    if (!dense)
      return {};
    parts.push_back(dense);
  }
  // Row-major concatenation: for each outer index, append each part's
  // contiguous block along and after the axis.
  int64_t axis = getAxis();
  ArrayRef<int64_t> shape = getType().getShape();
  int64_t outer = *checkedProduct(shape.take_front(axis));
  SmallVector<SmallVector<Attribute>> values;
  for (DenseElementsAttr part : parts)
    values.push_back(llvm::to_vector(part.getValues<Attribute>()));
  SmallVector<Attribute> results;
  for (int64_t o = 0; o < outer; ++o) {
    for (auto [part, partValues] : llvm::zip(parts, values)) {
      int64_t block =
          *checkedProduct(part.getType().getShape().drop_front(axis));
      for (int64_t i = 0; i < block; ++i)
        results.push_back(partValues[o * block + i]);
    }
  }
  return DenseElementsAttr::get(getType(), results);
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  DenseElementsAttr data = getFoldableDense(adaptor.getData());
  DenseElementsAttr indices = getFoldableDense(adaptor.getIndices());
  if (!data || !indices || !isSmall(indices.getType()))
    return {};
  if (data.isSplat())
    return reshapeSplat(data, getType());
  int64_t axis = getAxis();
  ArrayRef<int64_t> dataShape = getData().getType().getShape();
  int64_t axisSize = dataShape[axis];
  int64_t inner = *checkedProduct(dataShape.drop_front(axis + 1));
  int64_t numIndices = indices.getNumElements();
  SmallVector<int64_t> indexValues;
  for (APInt index : indices.getValues<APInt>()) {
    int64_t value = index.getSExtValue();
    if (value < 0)
      value += axisSize;
    // Out-of-range indices are a runtime error in ONNX: leave them alone.
    if (value < 0 || value >= axisSize)
      return {};
    indexValues.push_back(value);
  }
  // Result element (outer o, index i, inner j) reads data (o, idx[i], j).
  return gatherElements(data, getType(), [&](int64_t linear) {
    int64_t j = linear % inner;
    int64_t i = (linear / inner) % numIndices;
    int64_t o = linear / (inner * numIndices);
    return (o * axisSize + indexValues[i]) * inner + j;
  });
}

/// Converts one element for nn.cast, or returns std::nullopt when the result
/// is undefined (NaN or out-of-range float to integer).
static std::optional<Attribute> castElement(Attribute element, Type to) {
  auto toInt = dyn_cast<IntegerType>(to);
  auto toFloat = dyn_cast<FloatType>(to);
  if (auto intAttr = dyn_cast<IntegerAttr>(element)) {
    APInt value = intAttr.getValue();
    bool fromBool = value.getBitWidth() == 1;
    if (toInt && toInt.getWidth() == 1)
      return IntegerAttr::get(toInt, !value.isZero());
    if (toInt)
      return IntegerAttr::get(toInt, fromBool
                                         ? value.zext(toInt.getWidth())
                                         : value.sextOrTrunc(toInt.getWidth()));
    APFloat converted(toFloat.getFloatSemantics());
    converted.convertFromAPInt(value, /*IsSigned=*/!fromBool, kRound);
    return FloatAttr::get(toFloat, converted);
  }
  APFloat value = cast<FloatAttr>(element).getValue();
  if (toInt && toInt.getWidth() == 1)
    return IntegerAttr::get(toInt, !value.isZero());
  if (toInt) {
    APSInt converted(toInt.getWidth(), /*isUnsigned=*/false);
    bool exact = false;
    if (value.isNaN() ||
        value.convertToInteger(converted, APFloat::rmTowardZero, &exact) ==
            APFloat::opInvalidOp)
      return std::nullopt;
    return IntegerAttr::get(toInt, converted);
  }
  bool losesInfo = false;
  value.convert(toFloat.getFloatSemantics(), kRound, &losesInfo);
  return FloatAttr::get(toFloat, value);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  DenseElementsAttr dense = getFoldableDense(adaptor.getInput());
  if (!dense)
    return {};
  Type to = getType().getElementType();
  return mapElements<Attribute>(dense, getType(), [&](Attribute element) {
    return castElement(element, to);
  });
}
