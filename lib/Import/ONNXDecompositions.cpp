//===- ONNXDecompositions.cpp - ONNX ops imported as several nn ops -------===//
//
// ONNX ops without an nn op of their own that are imported as a composition
// of primitive nn ops, so they run on the chip wherever the primitives do:
// the hyperbolic functions, IsNaN/IsInf, Trilu (a mask), GatherElements (a
// one-hot selection), the losses NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (ONNX defines both as functions of such ops),
// Resize/Upsample (one matmul with a constant interpolation matrix per
// resized axis), InstanceNormalization, MeanVarianceNormalization and LRN,
// CumSum (log-step shifted sums), Tile (expand), EyeLike and the window
// functions (constants), OneHot and Hardmax (comparisons with an iota),
// Einsum (diagonals, a broadcast product, sums), TopK (k arg_max passes),
// GatherND/ScatterElements/ScatterND (one-hot selections of rows) and the
// recurrent RNN/GRU/LSTM (unrolled over the sequence).
//
//===----------------------------------------------------------------------===//
#include "ONNXGraphImporter.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <cmath>
#include <limits>
#include <numeric>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::onnx_import;

bool mlir::npu::onnx_import::isDecomposedOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "IsNaN", "IsInf", "Trilu",
       "GatherElements", "NegativeLogLikelihoodLoss",
       "SoftmaxCrossEntropyLoss", "Resize", "Upsample",
       "InstanceNormalization", "MeanVarianceNormalization", "LRN", "CumSum",
       "Tile", "EyeLike", "OneHot", "Hardmax", "HannWindow", "HammingWindow",
       "BlackmanWindow", "Einsum", "TopK", "GatherND", "ScatterElements",
       "Scatter", "ScatterND", "RNN", "GRU", "LSTM", "ReverseSequence",
       "Compress", "Det", "MaxUnpool"},
      op);
}

namespace {

/// A dense constant of `elementType` and `shape` holding `values` (integers
/// for integer types, reals for float types, 0/1 for i1).
Value denseConstant(OpBuilder &builder, Location loc, Type elementType,
                    ArrayRef<int64_t> shape, ArrayRef<double> values) {
  auto type = RankedTensorType::get(shape, elementType);
  DenseElementsAttr attr;
  if (elementType.isInteger(1)) {
    SmallVector<bool> bits(llvm::map_range(values, [](double v) {
      return v != 0.0;
    }));
    attr = DenseElementsAttr::get(type, ArrayRef<bool>(bits));
  } else if (auto intType = dyn_cast<IntegerType>(elementType)) {
    SmallVector<APInt> ints(llvm::map_range(values, [&](double v) {
      return APInt(intType.getWidth(), static_cast<int64_t>(v),
                   /*isSigned=*/true);
    }));
    attr = DenseElementsAttr::get(type, ints);
  } else {
    auto floatType = cast<FloatType>(elementType);
    SmallVector<APFloat> floats(llvm::map_range(values, [&](double v) {
      APFloat f(v);
      bool losesInfo = false;
      f.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
      return f;
    }));
    attr = DenseElementsAttr::get(type, floats);
  }
  return nn::ConstantOp::create(builder, loc, type, attr);
}

/// `shape` with a 1 inserted at `position`.
SmallVector<int64_t> withUnitDim(ArrayRef<int64_t> shape, size_t position) {
  SmallVector<int64_t> result(shape);
  result.insert(result.begin() + position, 1);
  return result;
}

ArrayRef<int64_t> shapeOfValue(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

} // namespace

LogicalResult ONNXGraphImporter::reserveTable(ArrayRef<int64_t> shape) {
  std::optional<int64_t> count = checkedNumElements(shape);
  if (!count || *count > options.foldElementLimit)
    return nodeError("a constant table of this decomposition would have "
                     "more than " +
                     llvm::Twine(options.foldElementLimit) +
                     " elements, the import-time limit");
  // Held as doubles while it is built.
  foldedBytes += *count * int64_t(sizeof(double));
  return checkFoldBudget();
}

/// Emits the nn ops of a decomposition. Every op is built with inferred
/// types; after the first failure (already a problem of the node) `ok` is
/// false and every call returns the placeholder, so a decomposition reads as
/// its formula and checks `ok` once at the end. Callers never pass two
/// op-creating calls as arguments of one call: C++ leaves their order to the
/// compiler, and the IR must not depend on it.
class ONNXGraphImporter::Emitter {
public:
  Emitter(ONNXGraphImporter &importer, Value placeholder)
      : importer(importer), placeholder(placeholder) {}

  bool ok = true;

  template <typename OpTy, typename... Args> Value op(Args &&...args) {
    if (!ok)
      return placeholder;
    FailureOr<Value> value =
        importer.createInferredValue<OpTy>(std::forward<Args>(args)...);
    if (failed(value)) {
      ok = false;
      return placeholder;
    }
    return *value;
  }
  Value constant(Type elementType, ArrayRef<int64_t> shape,
                 ArrayRef<double> values) {
    return denseConstant(importer.builder, importer.currentLoc, elementType,
                         shape, values);
  }
  /// A rank-0 constant: numpy broadcasting applies it everywhere.
  Value scalar(Type elementType, double value) {
    return constant(elementType, {}, {value});
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    return op<nn::ReshapeOp>(x, importer.builder.getDenseI64ArrayAttr(shape));
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return op<nn::TransposeOp>(x, importer.builder.getDenseI64ArrayAttr(perm));
  }
  /// Element `index` of `axis`, keeping the dim (size 1).
  Value sliceAxis(Value x, int64_t axis, int64_t index) {
    OpBuilder &b = importer.builder;
    return op<nn::SliceOp>(x, b.getDenseI64ArrayAttr({index}),
                           b.getDenseI64ArrayAttr({index + 1}),
                           b.getDenseI64ArrayAttr({axis}),
                           b.getDenseI64ArrayAttr({}));
  }
  Value convert(Value x, Type elementType) {
    if (!ok)
      return placeholder;
    auto type = llvm::cast<RankedTensorType>(x.getType()).clone(elementType);
    return nn::CastOp::create(importer.builder, importer.currentLoc, type, x);
  }
  template <typename ReduceOpTy>
  Value reduce(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return op<ReduceOpTy>(x, importer.builder.getDenseI64ArrayAttr(axes),
                          importer.builder.getBoolAttr(keepdims));
  }

private:
  ONNXGraphImporter &importer;
  Value placeholder;
};

LogicalResult
ONNXGraphImporter::importDecomposed(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  if (op == "Trilu")
    return importTrilu(node);
  if (op == "GatherElements")
    return importGatherElements(node);
  if (op == "NegativeLogLikelihoodLoss" || op == "SoftmaxCrossEntropyLoss")
    return importLoss(node);
  if (op == "Resize" || op == "Upsample")
    return importResize(node);
  if (op == "HannWindow" || op == "HammingWindow" || op == "BlackmanWindow")
    return importWindow(node);
  if (op == "Einsum")
    return importEinsum(node);
  if (op == "RNN" || op == "GRU" || op == "LSTM")
    return importRecurrent(node);
  if (op == "TopK")
    return importTopK(node);
  if (op == "ReverseSequence")
    return importReverseSequence(node);
  if (op == "Compress")
    return importCompress(node);
  if (op == "Det")
    return importDet(node);
  if (op == "MaxUnpool")
    return importMaxUnpool(node);
  if (op == "GatherND" || op == "ScatterElements" || op == "Scatter" ||
      op == "ScatterND")
    return importScatterGather(node);
  if (llvm::is_contained({"InstanceNormalization", "MeanVarianceNormalization",
                          "LRN", "CumSum", "Tile", "EyeLike", "OneHot",
                          "Hardmax"},
                         op))
    return importDecomposedRest(node);

  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  Type elementType = getElementTypeOrSelf(x.getType());
  if (!isa<FloatType>(elementType))
    return nodeError(op + " needs a float input");
  Emitter e(*this, x);
  auto c = [&](double v) { return e.scalar(elementType, v); };
  auto add = [&](Value a, Value b) { return e.op<nn::AddOp>(a, b); };
  auto sub = [&](Value a, Value b) { return e.op<nn::SubOp>(a, b); };
  auto mul = [&](Value a, Value b) { return e.op<nn::MulOp>(a, b); };
  auto exp = [&](Value a) { return e.op<nn::ExpOp>(a); };
  auto log = [&](Value a) { return e.op<nn::LogOp>(a); };
  auto sqrt = [&](Value a) { return e.op<nn::SqrtOp>(a); };

  Value result;
  if (op == "Sinh" || op == "Cosh") {
    // (exp(x) -+ exp(-x)) / 2
    Value ex = exp(x), enx = exp(e.op<nn::NegOp>(x));
    Value twice = op == "Sinh" ? sub(ex, enx) : add(ex, enx);
    Value half = c(0.5);
    result = mul(half, twice);
  } else if (op == "Asinh") {
    // sign(x) * log(|x| + sqrt(x^2 + 1)): odd, so no cancellation for x < 0.
    Value a = e.op<nn::AbsOp>(x);
    Value one = c(1.0);
    Value square = mul(x, x);
    Value magnitude = log(add(a, sqrt(add(square, one))));
    Value sign = e.op<nn::SignOp>(x);
    result = mul(sign, magnitude);
  } else if (op == "Acosh") {
    Value one = c(1.0);
    Value square = mul(x, x);
    result = log(add(x, sqrt(sub(square, one))));
  } else if (op == "Atanh") {
    Value denominator = sub(c(1.0), x);
    Value numerator = add(c(1.0), x);
    Value logRatio = log(e.op<nn::DivOp>(numerator, denominator));
    Value half = c(0.5);
    result = mul(half, logRatio);
  } else if (op == "IsNaN") {
    result = e.op<nn::NotOp>(e.op<nn::EqualOp>(x, x));
  } else {
    // IsInf: beyond the largest finite value of the type.
    const llvm::fltSemantics &semantics =
        cast<FloatType>(elementType).getFloatSemantics();
    double largest = APFloat::getLargest(semantics).convertToDouble();
    bool positive = getIntAttr(node, "detect_positive", 1) != 0;
    bool negative = getIntAttr(node, "detect_negative", 1) != 0;
    Value above = positive ? e.op<nn::GreaterOp>(x, c(largest)) : Value();
    Value below = negative ? e.op<nn::LessOp>(x, c(-largest)) : Value();
    if (above && below)
      result = e.op<nn::OrOp>(above, below);
    else if (above || below)
      result = above ? above : below;
    else // Detects nothing: x < x is false for every x, NaN included.
      result = e.op<nn::LessOp>(x, x);
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importTrilu(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  ArrayRef<int64_t> shape = shapeOfValue(x);
  if (shape.size() < 2)
    return nodeError("Trilu needs an input of rank >= 2");
  int64_t rows = shape[shape.size() - 2], cols = shape.back();
  bool upper = getIntAttr(node, "upper", 1) != 0;
  if (failed(reserveTable({rows, cols})))
    return failure();
  Emitter e(*this, x);
  Type elementType = getElementTypeOrSelf(x.getType());
  Value keep;
  if (!hasInput(node, 1) || constantOf(node, 1)) {
    // A constant diagonal offset k: a constant mask.
    int64_t k = 0;
    if (const ConstTensor *tensor = constantOf(node, 1)) {
      if (tensor->getNumElements() != 1 || isFloatDType(tensor->getDType()))
        return nodeError("input 'k' must be one integer");
      k = tensor->getInt(0);
    }
    SmallVector<double> mask;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        mask.push_back(upper ? j - i >= k : j - i <= k);
    keep = e.constant(builder.getI1Type(), {rows, cols}, mask);
  } else {
    // k known at run time: compare the constant j - i with it on the chip.
    FailureOr<Value> k = operand(node, 1);
    if (failed(k))
      return failure();
    Type kType = getElementTypeOrSelf(k->getType());
    if (!isa<IntegerType>(kType) || shapeOfValue(*k).size() > 1 ||
        (shapeOfValue(*k).size() == 1 && shapeOfValue(*k)[0] != 1))
      return nodeError("input 'k' must be one integer");
    SmallVector<double> diagonal;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < cols; ++j)
        diagonal.push_back(static_cast<double>(j - i));
    Value offsets = e.constant(kType, {rows, cols}, diagonal);
    keep = upper ? e.op<nn::GreaterOrEqualOp>(offsets, *k)
                 : e.op<nn::LessOrEqualOp>(offsets, *k);
  }
  Value result = e.op<nn::WhereOp>(keep, x, e.scalar(elementType, 0.0));
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult
ONNXGraphImporter::importGatherElements(const onnx::NodeProto &node) {
  FailureOr<Value> dataOr = operand(node, 0), indicesOr = operand(node, 1);
  if (failed(dataOr) || failed(indicesOr))
    return failure();
  Value data = *dataOr, indices = *indicesOr;
  ArrayRef<int64_t> dataShape = shapeOfValue(data);
  SmallVector<int64_t> indexShape(shapeOfValue(indices));
  int64_t rank = dataShape.size();
  if (rank == 0 || int64_t(indexShape.size()) != rank)
    return nodeError("data and indices must have the same rank >= 1");
  FailureOr<int64_t> axisOr = axisAttr(node, 0, rank);
  if (failed(axisOr))
    return failure();
  int64_t axis = *axisOr;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && indexShape[d] > dataShape[d])
      return nodeError("indices dimension " + llvm::Twine(d) + " (" +
                       llvm::Twine(indexShape[d]) +
                       ") is larger than the data's (" +
                       llvm::Twine(dataShape[d]) + ")");
  Type elementType = getElementTypeOrSelf(data.getType());
  Type indexType = getElementTypeOrSelf(indices.getType());
  if (elementType.isInteger(1))
    return nodeError("GatherElements of booleans is not supported");
  int64_t size = dataShape[axis];
  if (failed(reserveTable({size})))
    return failure();

  // out[..] = sum_k (index[..] == k) ? data[.., k at axis, ..] : 0, over a
  // trailing axis k: a one-hot selection the VPU computes exactly.
  Emitter e(*this, data);
  Value negative = e.op<nn::LessOp>(indices, e.scalar(indexType, 0));
  Value wrapped = e.op<nn::WhereOp>(
      negative, e.op<nn::AddOp>(indices, e.scalar(indexType, size)), indices);
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape.push_back(size);
  SmallVector<double> iota(size);
  std::iota(iota.begin(), iota.end(), 0.0);
  Value positions = e.constant(indexType, iotaShape, iota);
  Value column = e.reshape(wrapped, withUnitDim(indexShape, rank));
  Value oneHot = e.op<nn::EqualOp>(column, positions);
  // The data cut to the indices' extent, its axis moved last and replaced
  // by a unit dim: [i0, .., 1 (axis), .., K].
  Value cut = data;
  SmallVector<int64_t> starts, ends, axes;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis && indexShape[d] < dataShape[d]) {
      starts.push_back(0);
      ends.push_back(indexShape[d]);
      axes.push_back(d);
    }
  if (!axes.empty())
    cut = e.op<nn::SliceOp>(data, builder.getDenseI64ArrayAttr(starts),
                            builder.getDenseI64ArrayAttr(ends),
                            builder.getDenseI64ArrayAttr(axes),
                            builder.getDenseI64ArrayAttr({}));
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  SmallVector<int64_t> spread(indexShape);
  spread[axis] = 1;
  spread.push_back(size);
  Value table = e.reshape(e.transpose(cut, perm), spread);
  Value picked =
      e.op<nn::WhereOp>(oneHot, table, e.scalar(elementType, 0.0));
  Value result = e.reduce<nn::ReduceSumOp>(picked, {rank}, false);
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importLoss(const onnx::NodeProto &node) {
  bool softmax = node.op_type() == "SoftmaxCrossEntropyLoss";
  FailureOr<Value> scoresOr = operand(node, 0), targetOr = operand(node, 1);
  FailureOr<Value> weightOr = optionalOperand(node, 2);
  if (failed(scoresOr) || failed(targetOr) || failed(weightOr))
    return failure();
  Value scores = *scoresOr, target = *targetOr, weight = *weightOr;
  ArrayRef<int64_t> shape = shapeOfValue(scores);
  SmallVector<int64_t> targetShape(shapeOfValue(target));
  int64_t rank = shape.size();
  Type elementType = getElementTypeOrSelf(scores.getType());
  Type targetType = getElementTypeOrSelf(target.getType());
  if (rank < 2 || !isa<FloatType>(elementType))
    return nodeError("the scores must be a float tensor [N, C, ...]");
  SmallVector<int64_t> expected(shape);
  expected.erase(expected.begin() + 1);
  if (!isa<IntegerType>(targetType) || targetShape != expected)
    return nodeError("the target must be an integer tensor [N, ...] matching "
                     "the scores");
  int64_t classes = shape[1];
  if (weight && shapeOfValue(weight) != ArrayRef<int64_t>{classes})
    return nodeError("the weight must have one value per class (" +
                     llvm::Twine(classes) + ")");
  std::string reduction = getStringAttr(node, "reduction", "mean");
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return nodeError("reduction '" + reduction +
                     "' is not supported (expected none, sum or mean)");
  const onnx::AttributeProto *ignoreAttr = findAttr(node, "ignore_index");

  Emitter e(*this, scores);
  // SoftmaxCrossEntropyLoss is NegativeLogLikelihoodLoss of the log-softmax
  // over the classes, which is also its optional second output.
  Value logProb = scores;
  if (softmax) {
    logProb = e.op<nn::LogSoftmaxOp>(scores, builder.getI64IntegerAttr(1));
    setOutput(node, 1, logProb);
  }
  // The target as [N, 1, ...] compared with the classes [1, C, 1, ...].
  Value t = e.reshape(target, withUnitDim(targetShape, 1));
  SmallVector<int64_t> classShape(rank, 1);
  classShape[1] = classes;
  if (failed(reserveTable({classes})))
    return failure();
  SmallVector<double> classIds(classes);
  std::iota(classIds.begin(), classIds.end(), 0.0);
  Value oneHot =
      e.op<nn::EqualOp>(t, e.constant(targetType, classShape, classIds));
  Value valid;
  if (ignoreAttr) {
    // Targets equal to ignore_index select nothing and weigh nothing.
    valid = e.op<nn::NotOp>(e.op<nn::EqualOp>(
        t, e.scalar(targetType, static_cast<double>(ignoreAttr->i()))));
    oneHot = e.op<nn::AndOp>(oneHot, valid);
  }
  Value zero = e.scalar(elementType, 0.0);
  // input[n, target[n, ...], ...] (0 where ignored).
  Value picked = e.reduce<nn::ReduceSumOp>(
      e.op<nn::WhereOp>(oneHot, logProb, zero), {1}, false);
  Value weights; // weight[target] per position, when it is not 1.
  if (weight)
    weights = e.reduce<nn::ReduceSumOp>(
        e.op<nn::WhereOp>(oneHot, e.reshape(weight, classShape), zero), {1},
        false);
  else if (valid)
    weights = e.convert(e.reshape(valid, targetShape), elementType);
  Value loss = e.op<nn::NegOp>(weight ? e.op<nn::MulOp>(picked, weights)
                                      : picked);
  Value result = loss;
  if (reduction != "none") {
    Value sum = e.reduce<nn::ReduceSumOp>(loss, {}, false);
    if (reduction == "sum")
      result = sum;
    else if (weights)
      result =
          e.op<nn::DivOp>(sum, e.reduce<nn::ReduceSumOp>(weights, {}, false));
    else
      result = e.reduce<nn::ReduceMeanOp>(loss, {}, false);
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Resize / Upsample
//===----------------------------------------------------------------------===//

namespace {

/// How Resize maps and samples one axis (ONNX's interpolate_1d_with_x).
struct ResizeMode {
  std::string mode;           ///< nearest, linear, cubic
  std::string transformation; ///< coordinate_transformation_mode
  std::string nearestMode;
  double cubicA = -0.75;
  bool excludeOutside = false;
};

/// One axis of a separable resize: out = matrix [out x in] * in, and which
/// outputs lie inside the input (tf_crop_and_resize extrapolates the rest).
struct AxisResize {
  std::vector<double> matrix;
  std::vector<bool> inside;
  bool isIdentity() const {
    size_t n = inside.size();
    if (matrix.size() != n * n)
      return false;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        if (matrix[i * n + j] != (i == j ? 1.0 : 0.0) || !inside[i])
          return false;
    return true;
  }
};

SmallVector<double> resizeCoefficients(const ResizeMode &m, double ratio) {
  if (m.mode == "linear")
    return {1 - ratio, ratio};
  if (m.mode == "cubic") {
    double a = m.cubicA, r = ratio, s = 1 - ratio;
    return {((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * s - (a + 3)) * s * s + 1,
            ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a};
  }
  if (ratio == 1.0) // An integral coordinate: the input element itself.
    return {0, 1};
  bool up = m.nearestMode == "ceil" ||
            (m.nearestMode == "round_prefer_floor" && ratio > 0.5) ||
            (m.nearestMode == "round_prefer_ceil" && ratio >= 0.5);
  return {up ? 0.0 : 1.0, up ? 1.0 : 0.0};
}

/// The matrix of one axis of `in` -> `out` elements at `scale` (ONNX's
/// reference: the source coordinate, its n nearest indices in the
/// edge-padded input, their coefficients).
AxisResize resizeAxis(const ResizeMode &m, int64_t in, int64_t out,
                      double scale, double roiStart, double roiEnd) {
  AxisResize axis;
  axis.matrix.assign(out * in, 0.0);
  axis.inside.assign(out, true);
  double outputWidth = scale * double(in);
  for (int64_t x = 0; x < out; ++x) {
    const std::string &t = m.transformation;
    double source;
    if (t == "align_corners")
      source = outputWidth == 1 ? 0.0 : x * double(in - 1) / (outputWidth - 1);
    else if (t == "asymmetric")
      source = x / scale;
    else if (t == "tf_half_pixel_for_nn")
      source = (x + 0.5) / scale;
    else if (t == "tf_crop_and_resize") {
      source = outputWidth == 1
                   ? (roiEnd - roiStart) * double(in - 1) / 2
                   : x * (roiEnd - roiStart) * double(in - 1) /
                         (outputWidth - 1);
      source += roiStart * double(in - 1);
      if (source < 0 || source > double(in - 1)) {
        axis.inside[x] = false;
        continue;
      }
    } else if (t == "pytorch_half_pixel")
      source = outputWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    else // half_pixel
      source = (x + 0.5) / scale - 0.5;
    double ratio =
        source == std::floor(source) ? 1.0 : source - std::floor(source);
    SmallVector<double> coeffs = resizeCoefficients(m, ratio);
    int64_t n = coeffs.size(), pad = (n + 1) / 2;
    // The n indices nearest to `source` among [-pad, in - 1 + pad],
    // preferring the smaller on ties, in ascending order.
    // Clamped as a double: a far source has no int64 value.
    int64_t center = int64_t(std::clamp(std::floor(source), double(-pad),
                                        double(in - 1 + pad)));
    SmallVector<int64_t> candidates;
    for (int64_t i = std::max(center - n, -pad);
         i <= std::min(center + n, in - 1 + pad); ++i)
      candidates.push_back(i);
    llvm::stable_sort(candidates, [&](int64_t a, int64_t b) {
      return std::make_pair(std::fabs(source - a), a) <
             std::make_pair(std::fabs(source - b), b);
    });
    candidates.resize(n);
    llvm::sort(candidates);
    if (m.excludeOutside) {
      double sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        if (candidates[i] < 0 || candidates[i] >= in)
          coeffs[i] = 0;
        sum += coeffs[i];
      }
      for (double &c : coeffs)
        c /= sum;
    }
    // Edge padding: indices outside the input read its border.
    for (int64_t i = 0; i < n; ++i)
      axis.matrix[x * in + std::clamp<int64_t>(candidates[i], 0, in - 1)] +=
          coeffs[i];
  }
  return axis;
}

} // namespace

LogicalResult ONNXGraphImporter::importResize(const onnx::NodeProto &node) {
  bool upsample = node.op_type() == "Upsample";
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  SmallVector<int64_t> shape(shapeOfValue(x));
  int64_t rank = shape.size();
  Type elementType = getElementTypeOrSelf(x.getType());
  if (!isa<FloatType>(elementType))
    return nodeError(node.op_type() + " needs a float input");

  // Resize 10 and Upsample sample like Resize 11's asymmetric mode (nearest
  // rounds down); Resize 11+ reads its modes from attributes.
  ResizeMode m;
  m.mode = getStringAttr(node, "mode", "nearest");
  bool legacy = upsample || opset < 11;
  m.transformation = legacy ? "asymmetric"
                            : getStringAttr(node,
                                            "coordinate_transformation_mode",
                                            "half_pixel");
  m.nearestMode =
      legacy ? "floor" : getStringAttr(node, "nearest_mode",
                                       "round_prefer_floor");
  m.cubicA = getFloatAttr(node, "cubic_coeff_a", -0.75f);
  m.excludeOutside = getIntAttr(node, "exclude_outside", 0) != 0;
  float extrapolation = getFloatAttr(node, "extrapolation_value", 0.0f);
  if (m.mode != "nearest" && m.mode != "linear" &&
      !(m.mode == "cubic" && !legacy))
    return nodeError("mode '" + m.mode + "' is not supported");
  if (!llvm::is_contained({"half_pixel", "pytorch_half_pixel", "align_corners",
                           "asymmetric", "tf_half_pixel_for_nn",
                           "tf_crop_and_resize"},
                          m.transformation))
    return nodeError("coordinate_transformation_mode '" + m.transformation +
                     "' is not supported");
  if (!llvm::is_contained({"round_prefer_floor", "round_prefer_ceil", "floor",
                           "ceil"},
                          m.nearestMode))
    return nodeError("nearest_mode '" + m.nearestMode + "' is not supported");

  // Scales (an attribute before Upsample 9) or sizes, known at import.
  auto constantValues = [&](int index,
                            llvm::StringRef what) -> FailureOr<ConstTensor> {
    const ConstTensor *tensor = constantOf(node, index);
    if (!tensor)
      return nodeError("input '" + what +
                       "' must be a constant (or computable at import time)");
    return *tensor;
  };
  SmallVector<double> scales, roi;
  SmallVector<int64_t> sizes;
  int scalesIndex = upsample || opset < 11 ? 1 : 2;
  if (upsample && opset < 9) {
    for (float s : getFloatsAttrOrEmpty(node, "scales"))
      scales.push_back(s);
  } else if (hasInput(node, scalesIndex)) {
    FailureOr<ConstTensor> tensor = constantValues(scalesIndex, "scales");
    if (failed(tensor))
      return failure();
    for (int64_t i = 0; i < tensor->getNumElements(); ++i)
      scales.push_back(static_cast<float>(tensor->getDouble(i)));
  }
  if (!legacy && hasInput(node, 3)) {
    FailureOr<ConstTensor> tensor = constantValues(3, "sizes");
    if (failed(tensor))
      return failure();
    sizes = tensor->toInts();
  }
  if (m.transformation == "tf_crop_and_resize") {
    if (!hasInput(node, 1))
      return nodeError("tf_crop_and_resize needs the 'roi' input");
    FailureOr<ConstTensor> tensor = constantValues(1, "roi");
    if (failed(tensor))
      return failure();
    for (int64_t i = 0; i < tensor->getNumElements(); ++i)
      roi.push_back(tensor->getDouble(i));
    if (int64_t(roi.size()) != 2 * rank)
      return nodeError("roi must have 2 x rank values");
    // Fractions of the input: a start or end far outside [0, 1] samples
    // nothing but the extrapolation value.
    if (!llvm::all_of(roi, [](double v) { return std::fabs(v) <= 1e6; }))
      return nodeError("roi values must be finite, within +-1e6");
  }
  if (!sizes.empty() == !scales.empty())
    return nodeError("needs either scales or sizes");
  if (int64_t(scales.size() + sizes.size()) != rank)
    return nodeError("scales or sizes must have one value per input dimension");
  SmallVector<int64_t> outShape(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (sizes.empty()) {
      if (!(scales[d] > 0) || !std::isfinite(scales[d]))
        return nodeError("scales must be positive");
      // Checked as a double: a huge product has no int64 value.
      double size = std::floor(scales[d] * double(shape[d]));
      if (!(size <= double(int64_t(1) << 24)))
        return nodeError("output dimension " + llvm::Twine(d) +
                         " (over 16777216) is not supported");
      outShape[d] = int64_t(size);
    } else {
      outShape[d] = sizes[d];
      scales.push_back(shape[d] ? double(sizes[d]) / double(shape[d]) : 1.0);
    }
    if (outShape[d] <= 0 || outShape[d] > (int64_t(1) << 24) ||
        shape[d] == 0)
      return nodeError("output dimension " + llvm::Twine(d) + " (" +
                       llvm::Twine(outShape[d]) + ") is not supported");
  }

  // Separable: one matmul with a constant [in x out] matrix per resized
  // axis, that axis moved last (ONNX defines the n-D modes axis by axis).
  Emitter e(*this, x);
  Value result = x;
  SmallVector<std::vector<bool>> inside(rank);
  for (int64_t d = 0; d < rank; ++d) {
    if (failed(reserveTable({shape[d], outShape[d]})))
      return failure();
    AxisResize axis = resizeAxis(m, shape[d], outShape[d], scales[d],
                                 roi.empty() ? 0.0 : roi[d],
                                 roi.empty() ? 1.0 : roi[d + rank]);
    inside[d] = axis.inside;
    if (shape[d] == outShape[d] && axis.isIdentity())
      continue;
    int64_t in = shape[d], out = outShape[d];
    std::vector<double> transposed(in * out);
    for (int64_t i = 0; i < out; ++i)
      for (int64_t j = 0; j < in; ++j)
        transposed[j * out + i] = axis.matrix[i * in + j];
    Value weights = e.constant(elementType, {in, out}, transposed);
    SmallVector<int64_t> perm;
    for (int64_t k = 0; k < rank; ++k)
      if (k != d)
        perm.push_back(k);
    perm.push_back(d);
    bool moved = d != rank - 1;
    Value t = moved ? e.transpose(result, perm) : result;
    t = e.op<nn::MatMulOp>(t, weights);
    if (moved) {
      SmallVector<int64_t> inverse(rank);
      for (int64_t k = 0; k < rank; ++k)
        inverse[perm[k]] = k;
      t = e.transpose(t, inverse);
    }
    result = t;
  }
  // tf_crop_and_resize: outputs sampled outside the input read the
  // extrapolation value.
  bool extrapolates = llvm::any_of(inside, [](const std::vector<bool> &v) {
    return llvm::is_contained(v, false);
  });
  if (extrapolates) {
    if (failed(reserveTable(outShape)))
      return failure();
    SmallVector<double> mask;
    int64_t count = 1;
    for (int64_t n : outShape)
      count *= n;
    mask.reserve(count);
    SmallVector<int64_t> index(rank, 0);
    for (int64_t i = 0; i < count; ++i) {
      bool keep = true;
      for (int64_t d = 0; d < rank; ++d)
        keep &= inside[d][index[d]];
      mask.push_back(keep);
      for (int64_t d = rank - 1; d >= 0 && ++index[d] == outShape[d]; --d)
        index[d] = 0;
    }
    Value fill = e.scalar(elementType, extrapolation);
    Value inBounds = e.constant(builder.getI1Type(), outShape, mask);
    result = e.op<nn::WhereOp>(inBounds, result, fill);
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// Normalizations, CumSum, Tile, EyeLike, OneHot, Hardmax, LRN
//===----------------------------------------------------------------------===//

LogicalResult
ONNXGraphImporter::importDecomposedRest(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  SmallVector<int64_t> shape(shapeOfValue(x));
  int64_t rank = shape.size();
  Type elementType = getElementTypeOrSelf(x.getType());
  Emitter e(*this, x);
  auto c = [&](double v) { return e.scalar(elementType, v); };
  auto requireFloat = [&]() -> LogicalResult {
    if (!isa<FloatType>(elementType))
      return nodeError(op + " needs a float input");
    return success();
  };
  // An axis given as an attribute or as input 1 (CumSum), normalized.
  auto axisOf = [&](int64_t value) -> FailureOr<int64_t> {
    std::optional<int64_t> axis = normalizeAxis(value, rank);
    if (!axis)
      return nodeError("axis " + llvm::Twine(value) + " is out of range");
    return *axis;
  };
  Value result;

  if (op == "InstanceNormalization" || op == "MeanVarianceNormalization") {
    if (failed(requireFloat()))
      return failure();
    // (x - mean) / sqrt(var + epsilon) over the spatial axes (instance
    // norm, then * scale + bias per channel) or over `axes` (MVN).
    SmallVector<int64_t> axes;
    if (op == "InstanceNormalization") {
      if (rank < 3)
        return nodeError("InstanceNormalization needs an input of rank >= 3");
      for (int64_t d = 2; d < rank; ++d)
        axes.push_back(d);
    } else {
      for (int64_t axis :
           getIntsAttr(node, "axes").value_or(SmallVector<int64_t>{0, 2, 3})) {
        FailureOr<int64_t> normalized = axisOf(axis);
        if (failed(normalized))
          return failure();
        axes.push_back(*normalized);
      }
      llvm::sort(axes);
      axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
    }
    double epsilon = op == "InstanceNormalization"
                         ? getFloatAttr(node, "epsilon", 1e-5f)
                         : 1e-9;
    Value mean = e.reduce<nn::ReduceMeanOp>(x, axes, true);
    Value centered = e.op<nn::SubOp>(x, mean);
    Value variance = e.reduce<nn::ReduceMeanOp>(
        e.op<nn::MulOp>(centered, centered), axes, true);
    result = e.op<nn::DivOp>(
        centered, e.op<nn::SqrtOp>(e.op<nn::AddOp>(variance, c(epsilon))));
    if (op == "InstanceNormalization") {
      FailureOr<Value> scale = operand(node, 1), bias = operand(node, 2);
      if (failed(scale) || failed(bias))
        return failure();
      SmallVector<int64_t> channelShape(rank, 1);
      channelShape[1] = shape[1];
      Value shift = e.reshape(*bias, channelShape);
      Value scaled = e.op<nn::MulOp>(result, e.reshape(*scale, channelShape));
      result = e.op<nn::AddOp>(scaled, shift);
    }
  } else if (op == "LRN") {
    if (failed(requireFloat()))
      return failure();
    // x / (bias + alpha / size * sum of x^2 over the `size` channels around
    // c)^beta; the window sum is `size` shifted slices of the channel-padded
    // squares.
    int64_t size = getIntAttr(node, "size", 0);
    if (size <= 0 || rank < 3)
      return nodeError("LRN needs a positive size and an input of rank >= 3");
    // One slice per window position is unrolled.
    if (size > 1024)
      return nodeError("LRN size " + llvm::Twine(size) +
                       " is above 1024, the window this import unrolls");
    int64_t before = (size - 1) / 2, after = size - 1 - before;
    SmallVector<int64_t> pads(2 * rank, 0);
    pads[1] = before;
    pads[rank + 1] = after;
    Value squares = e.op<nn::PadOp>(
        e.op<nn::MulOp>(x, x), builder.getDenseI64ArrayAttr(pads),
        builder.getStringAttr("constant"), builder.getF32FloatAttr(0.0f));
    Value sum;
    for (int64_t k = 0; k < size; ++k) {
      Value window = e.op<nn::SliceOp>(
          squares, builder.getDenseI64ArrayAttr({k}),
          builder.getDenseI64ArrayAttr({k + shape[1]}),
          builder.getDenseI64ArrayAttr({1}), builder.getDenseI64ArrayAttr({}));
      sum = sum ? e.op<nn::AddOp>(sum, window) : window;
    }
    double alpha = getFloatAttr(node, "alpha", 1e-4f);
    double beta = getFloatAttr(node, "beta", 0.75f);
    double bias = getFloatAttr(node, "bias", 1.0f);
    Value exponent = c(beta);
    Value scaledSum = e.op<nn::MulOp>(c(alpha / size), sum);
    Value base = e.op<nn::AddOp>(c(bias), scaledSum);
    Value denominator = e.op<nn::PowOp>(base, exponent);
    result = e.op<nn::DivOp>(x, denominator);
  } else if (op == "CumSum") {
    // Hillis-Steele: log2(n) steps of y += y shifted by 1, 2, 4 ... along
    // the axis (exact for integers). exclusive shifts the result by one;
    // reverse runs on the reversed axis.
    if (rank == 0)
      return nodeError("CumSum needs an input of rank >= 1");
    const ConstTensor *axisTensor = constantOf(node, 1);
    if (!axisTensor || axisTensor->getNumElements() != 1 ||
        isFloatDType(axisTensor->getDType()))
      return nodeError("input 'axis' must be one integer known at import "
                       "time");
    FailureOr<int64_t> axis = axisOf(axisTensor->getInt(0));
    if (failed(axis))
      return failure();
    int64_t n = shape[*axis];
    auto slice = [&](Value v, int64_t start, int64_t end, int64_t step) {
      return e.op<nn::SliceOp>(v, builder.getDenseI64ArrayAttr({start}),
                               builder.getDenseI64ArrayAttr({end}),
                               builder.getDenseI64ArrayAttr({*axis}),
                               builder.getDenseI64ArrayAttr({step}));
    };
    auto shiftDown = [&](Value v, int64_t by) {
      SmallVector<int64_t> pads(2 * rank, 0);
      pads[*axis] = by;
      return e.op<nn::PadOp>(slice(v, 0, n - by, 1),
                             builder.getDenseI64ArrayAttr(pads),
                             builder.getStringAttr("constant"),
                             builder.getF32FloatAttr(0.0f));
    };
    bool reverse = getIntAttr(node, "reverse", 0) != 0;
    Value y = reverse && n > 1 ? slice(x, n - 1, -1, -1) : x;
    for (int64_t by = 1; by < n; by *= 2)
      y = e.op<nn::AddOp>(y, shiftDown(y, by));
    if (getIntAttr(node, "exclusive", 0) != 0 && n > 0)
      y = shiftDown(y, 1);
    result = reverse && n > 1 ? slice(y, n - 1, -1, -1) : y;
  } else if (op == "Tile") {
    // Each dim d repeated r times: [1, d0, 1, d1 ...] expanded to
    // [r0, d0, r1, d1 ...] and merged.
    const ConstTensor *repeats = constantOf(node, 1);
    if (!repeats || repeats->getNumElements() != rank ||
        isFloatDType(repeats->getDType()))
      return nodeError("input 'repeats' must be " + llvm::Twine(rank) +
                       " integers known at import time");
    SmallVector<int64_t> spread, expanded, merged;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t r = repeats->getInt(d);
      if (r < 0)
        return nodeError("repeats must be non-negative");
      int64_t size;
      if (llvm::MulOverflow(r, shape[d], size))
        return nodeError("repeats " + llvm::Twine(r) + " of dim " +
                         llvm::Twine(d) + " overflow 64 bits");
      spread.append({1, shape[d]});
      expanded.append({r, shape[d]});
      merged.push_back(size);
    }
    result = e.reshape(
        e.op<nn::ExpandOp>(e.reshape(x, spread),
                           builder.getDenseI64ArrayAttr(expanded)),
        merged);
  } else if (op == "EyeLike") {
    // A constant: ones on diagonal k of the input's [rows x cols] shape.
    if (rank != 2)
      return nodeError("EyeLike needs a 2-D input");
    Type outType = elementType;
    if (const onnx::AttributeProto *dtype = findAttr(node, "dtype")) {
      std::optional<DType> type = dtypeFromONNX(int(dtype->i()));
      if (!type || !runsOnChip(*type))
        return nodeError("dtype " + onnxDTypeName(int(dtype->i())) +
                         " is not supported");
      outType = dtypeToMLIR(chipDType(*type), context);
    }
    int64_t k = getIntAttr(node, "k", 0);
    if (failed(reserveTable(shape)))
      return failure();
    SmallVector<double> values;
    for (int64_t i = 0; i < shape[0]; ++i)
      for (int64_t j = 0; j < shape[1]; ++j)
        values.push_back(j - i == k ? 1.0 : 0.0);
    result = e.constant(outType, shape, values);
  } else if (op == "OneHot") {
    // where(indices (wrapped, inserted at axis) == iota, on, off).
    const ConstTensor *depthTensor = constantOf(node, 1);
    if (!depthTensor || depthTensor->getNumElements() != 1)
      return nodeError("input 'depth' must be one value known at import time");
    // Range-checked as a double: a NaN or huge depth has no int64 value.
    double depthValue = std::trunc(depthTensor->getDouble(0));
    if (!(depthValue > 0 && depthValue <= double(int64_t(1) << 24)))
      return nodeError(
          "depth " +
          (std::fabs(depthValue) < 1e15 ? std::to_string(int64_t(depthValue))
                                        : std::to_string(depthValue)) +
          " is not supported");
    int64_t depth = int64_t(depthValue);
    FailureOr<Value> valuesOr = operand(node, 2);
    if (failed(valuesOr))
      return failure();
    if (shapeOfValue(*valuesOr) != ArrayRef<int64_t>{2})
      return nodeError("input 'values' must hold [off, on]");
    std::optional<int64_t> axis =
        normalizeAxis(getIntAttr(node, "axis", -1), rank + 1);
    if (!axis)
      return nodeError("axis " + llvm::Twine(getIntAttr(node, "axis", -1)) +
                       " is out of range");
    // Float indices truncate, as ONNX casts them to int64.
    bool integral = isa<IntegerType>(elementType) && !elementType.isInteger(1);
    Value indices = integral ? x : e.convert(x, builder.getI64Type());
    Type idxType = getElementTypeOrSelf(indices.getType());
    Value shifted = e.op<nn::AddOp>(indices, e.scalar(idxType, double(depth)));
    Value negative = e.op<nn::LessOp>(indices, e.scalar(idxType, 0));
    Value wrapped = e.op<nn::WhereOp>(negative, shifted, indices);
    SmallVector<int64_t> iotaShape(rank + 1, 1);
    iotaShape[*axis] = depth;
    SmallVector<double> iota(depth);
    std::iota(iota.begin(), iota.end(), 0.0);
    Value positions = e.constant(idxType, iotaShape, iota);
    Value column = e.reshape(wrapped, withUnitDim(shape, *axis));
    Value hot = e.op<nn::EqualOp>(column, positions);
    Value values = *valuesOr;
    auto pick = [&](int64_t i) {
      return e.reshape(
          e.op<nn::SliceOp>(values, builder.getDenseI64ArrayAttr({i}),
                            builder.getDenseI64ArrayAttr({i + 1}),
                            builder.getDenseI64ArrayAttr({0}),
                            builder.getDenseI64ArrayAttr({})),
          {});
    };
    Value off = pick(0);
    Value on = pick(1);
    result = e.op<nn::WhereOp>(hot, on, off);
  } else { // Hardmax
    if (failed(requireFloat()))
      return failure();
    // 1 at the first maximum along the axis (before opset 13: of the 2-D
    // coercion at the axis), else 0.
    int64_t rawAxis = getIntAttr(node, "axis", opset < 13 ? 1 : -1);
    FailureOr<int64_t> axis = axisOf(rawAxis);
    if (failed(axis))
      return failure();
    Value v = x;
    int64_t onAxis = *axis;
    if (opset < 13) {
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < rank; ++d)
        (d < *axis ? outer : inner) *= shape[d];
      v = e.reshape(x, {outer, inner});
      onAxis = 1;
    }
    SmallVector<int64_t> vShape(shapeOfValue(v));
    Value index = e.op<nn::ArgMaxOp>(v, builder.getI64IntegerAttr(onAxis),
                                     builder.getBoolAttr(true),
                                     builder.getBoolAttr(false));
    SmallVector<int64_t> iotaShape(vShape.size(), 1);
    iotaShape[onAxis] = vShape[onAxis];
    if (failed(reserveTable(iotaShape)))
      return failure();
    SmallVector<double> iota(vShape[onAxis]);
    std::iota(iota.begin(), iota.end(), 0.0);
    Value hot = e.op<nn::EqualOp>(
        index, e.constant(builder.getI64Type(), iotaShape, iota));
    result = e.convert(hot, elementType);
    if (opset < 13)
      result = e.reshape(result, shape);
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importWindow(const onnx::NodeProto &node) {
  // A constant of the window's formula over n = 0 .. size - 1, with
  // N = size (periodic) or size - 1 (symmetric).
  const ConstTensor *sizeTensor = constantOf(node, 0);
  if (!sizeTensor || sizeTensor->getNumElements() != 1 ||
      isFloatDType(sizeTensor->getDType()))
    return nodeError("input 'size' must be one integer known at import time");
  int64_t size = sizeTensor->getInt(0);
  if (size < 0 || size > (int64_t(1) << 24))
    return nodeError("size " + llvm::Twine(size) + " is not supported");
  std::optional<DType> dtype =
      dtypeFromONNX(int(getIntAttr(node, "output_datatype", 1)));
  if (!dtype || !runsOnChip(*dtype))
    return nodeError("output_datatype " +
                     onnxDTypeName(int(getIntAttr(node, "output_datatype", 1))) +
                     " is not supported");
  bool periodic = getIntAttr(node, "periodic", 1) != 0;
  double period = double(periodic ? size : size - 1);
  llvm::StringRef op = node.op_type();
  SmallVector<double> values;
  for (int64_t n = 0; n < size; ++n) {
    double phase = period > 0 ? 2 * M_PI * double(n) / period : 0.0;
    if (op == "HannWindow")
      values.push_back(0.5 - 0.5 * std::cos(phase));
    else if (op == "HammingWindow")
      values.push_back(25.0 / 46.0 - 21.0 / 46.0 * std::cos(phase));
    else
      values.push_back(0.42 - 0.5 * std::cos(phase) +
                       0.08 * std::cos(2 * phase));
  }
  setOutput(node, 0,
            denseConstant(builder, currentLoc,
                          dtypeToMLIR(chipDType(*dtype), context), {size},
                          values));
  return success();
}

//===----------------------------------------------------------------------===//
// Einsum, TopK, GatherND, ScatterElements, ScatterND
//===----------------------------------------------------------------------===//

namespace {

/// An einsum operand or result: one label per dim.
using Labels = std::string;

/// Parses one side of an einsum equation, expanding "..." to `ellipsis`
/// labels (chars below 'A' that ONNX's letters never use).
FailureOr<Labels> parseLabels(llvm::StringRef term, int64_t rank,
                              int64_t &ellipsisRank) {
  term = term.trim();
  Labels labels;
  size_t dots = term.find("...");
  int64_t named = int64_t(term.size()) - (dots == llvm::StringRef::npos ? 0 : 3);
  for (char ch : term)
    if (ch != '.' && !llvm::isAlpha(ch))
      return failure();
  if (dots != llvm::StringRef::npos) {
    int64_t extra = rank - named;
    if (extra < 0 || (ellipsisRank >= 0 && ellipsisRank != extra))
      return failure();
    ellipsisRank = extra;
    labels += term.take_front(dots).str();
    for (int64_t i = 0; i < extra; ++i)
      labels.push_back(char(1 + i));
    labels += term.drop_front(dots + 3).str();
  } else {
    labels = term.str();
  }
  if (int64_t(labels.size()) != rank)
    return failure();
  return labels;
}

} // namespace

LogicalResult ONNXGraphImporter::importEinsum(const onnx::NodeProto &node) {
  std::string equation = getStringAttr(node, "equation", "");
  llvm::StringRef text(equation);
  auto [lhs, rhs] = text.split("->");
  bool explicitOutput = text.contains("->");
  SmallVector<llvm::StringRef> terms;
  lhs.split(terms, ',');
  if (int(terms.size()) != node.input_size())
    return nodeError("equation '" + equation + "' names " +
                     llvm::Twine(terms.size()) + " operands for " +
                     llvm::Twine(node.input_size()) + " inputs");
  int64_t ellipsisRank = -1;
  SmallVector<Value> operands;
  SmallVector<Labels> labels;
  for (auto [i, term] : llvm::enumerate(terms)) {
    FailureOr<Value> value = operand(node, int(i));
    if (failed(value))
      return failure();
    FailureOr<Labels> parsed =
        parseLabels(term, shapeOfValue(*value).size(), ellipsisRank);
    if (failed(parsed))
      return nodeError("equation '" + equation + "' does not match input " +
                       llvm::Twine(i) + " of rank " +
                       llvm::Twine(shapeOfValue(*value).size()));
    operands.push_back(*value);
    labels.push_back(*parsed);
  }
  Labels output;
  if (explicitOutput) {
    int64_t outRank = ellipsisRank < 0 ? 0 : ellipsisRank;
    for (char ch : rhs.trim())
      outRank += llvm::isAlpha(ch);
    FailureOr<Labels> parsed = parseLabels(rhs, outRank, ellipsisRank);
    if (failed(parsed))
      return nodeError("equation '" + equation + "' has a bad output");
    output = *parsed;
  } else {
    // Implicit: the ellipsis dims, then the labels used once, sorted.
    for (int64_t i = 0; i < std::max<int64_t>(ellipsisRank, 0); ++i)
      output.push_back(char(1 + i));
    std::map<char, int> counts;
    for (const Labels &l : labels)
      for (char ch : l)
        if (llvm::isAlpha(ch))
          ++counts[ch];
    for (auto [ch, count] : counts)
      if (count == 1)
        output.push_back(ch);
  }
  Type elementType = getElementTypeOrSelf(operands.front().getType());
  Emitter e(*this, operands.front());
  std::map<char, int64_t> sizes;

  // Per operand: take repeated labels' diagonals, sum labels nobody else
  // needs, and order its labels by first appearance in the equation.
  for (auto [value, l] : llvm::zip(operands, labels)) {
    SmallVector<int64_t> shape(shapeOfValue(value));
    for (size_t p = 0; p < l.size(); ++p) {
      size_t q = l.find(l[p], p + 1);
      if (q == Labels::npos)
        continue;
      if (shape[p] != shape[q])
        return nodeError("label dims of the diagonal differ in size");
      // x * eye over dims (p, q), summed over q.
      SmallVector<int64_t> eyeShape(shape.size(), 1);
      eyeShape[p] = eyeShape[q] = shape[p];
      if (failed(reserveTable(eyeShape)))
        return failure();
      SmallVector<double> eye;
      for (int64_t i = 0; i < shape[p]; ++i)
        for (int64_t j = 0; j < shape[p]; ++j)
          eye.push_back(i == j);
      Value zero = e.scalar(elementType, 0.0);
      Value diagonal = e.constant(builder.getI1Type(), eyeShape, eye);
      value = e.reduce<nn::ReduceSumOp>(
          e.op<nn::WhereOp>(diagonal, value, zero), {int64_t(q)}, false);
      l.erase(q, 1);
      shape.erase(shape.begin() + q);
      --p;
    }
    for (auto [ch, size] : llvm::zip(l, shape)) {
      if (sizes.count(ch) && sizes[ch] != size && size != 1 && sizes[ch] != 1)
        return nodeError("label sizes of the operands differ");
      sizes[ch] = std::max(sizes[ch], size);
    }
  }
  // Broadcast every operand to the union of labels (output labels first)
  // and multiply; then sum the labels the output does not keep.
  Labels all = output;
  for (const Labels &l : labels)
    for (char ch : l)
      if (all.find(ch) == Labels::npos)
        all.push_back(ch);
  Value product;
  for (auto [value, l] : llvm::zip(operands, labels)) {
    SmallVector<int64_t> perm, spread;
    for (char ch : all) {
      size_t at = l.find(ch);
      spread.push_back(at == Labels::npos ? 1 : shapeOfValue(value)[at]);
      if (at != Labels::npos)
        perm.push_back(at);
    }
    Value aligned = e.reshape(e.transpose(value, perm), spread);
    product = product ? e.op<nn::MulOp>(product, aligned) : aligned;
  }
  SmallVector<int64_t> summed;
  for (int64_t d = output.size(); d < int64_t(all.size()); ++d)
    summed.push_back(d);
  Value result = product;
  if (!summed.empty())
    result = e.reduce<nn::ReduceSumOp>(product, summed, false);
  SmallVector<int64_t> outShape;
  for (char ch : output)
    outShape.push_back(sizes[ch]);
  if (shapeOfValue(result) != ArrayRef<int64_t>(outShape))
    result = e.op<nn::ExpandOp>(result, builder.getDenseI64ArrayAttr(outShape));
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importTopK(const onnx::NodeProto &node) {
  // k passes: the extreme's index (arg_max / arg_min: the lower index wins
  // ties, as ONNX sorts), its value, then the taken position masked with
  // -inf (+inf for the smallest).
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  SmallVector<int64_t> shape(shapeOfValue(x));
  int64_t rank = shape.size();
  Type elementType = getElementTypeOrSelf(x.getType());
  if (!isa<FloatType>(elementType) || rank == 0)
    return nodeError("TopK needs a float input of rank >= 1");
  int64_t k = getIntAttr(node, "k", -1);
  if (opset >= 10) {
    const ConstTensor *kTensor = constantOf(node, 1);
    if (!kTensor || kTensor->getNumElements() != 1 ||
        isFloatDType(kTensor->getDType()))
      return nodeError("input 'K' must be one integer known at import time");
    k = kTensor->getInt(0);
  }
  FailureOr<int64_t> axis = axisAttr(node, -1, rank);
  if (failed(axis))
    return failure();
  int64_t n = shape[*axis];
  if (k < 0 || k > n)
    return nodeError("k " + llvm::Twine(k) + " is out of range for an axis of " +
                     llvm::Twine(n));
  if (k > 64)
    return nodeError("k " + llvm::Twine(k) +
                     " is above 64, the passes this import unrolls");
  if (k == 0)
    return nodeError("k 0 gives empty outputs, which are not supported");
  bool largest = getIntAttr(node, "largest", 1) != 0;
  if (failed(reserveTable({n})))
    return failure();
  Emitter e(*this, x);
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[*axis] = n;
  SmallVector<double> iota(n);
  std::iota(iota.begin(), iota.end(), 0.0);
  Value positions = e.constant(builder.getI64Type(), iotaShape, iota);
  Value masked = e.scalar(elementType, largest ? -INFINITY : INFINITY);
  Value zero = e.scalar(elementType, 0.0);
  Value current = x;
  SmallVector<Value> values, indices;
  auto index = [&](Value v) -> Value {
    auto axisAttr = builder.getI64IntegerAttr(*axis);
    auto keep = builder.getBoolAttr(true), first = builder.getBoolAttr(false);
    return largest ? e.op<nn::ArgMaxOp>(v, axisAttr, keep, first)
                   : e.op<nn::ArgMinOp>(v, axisAttr, keep, first);
  };
  for (int64_t i = 0; i < k; ++i) {
    Value at = index(current);
    Value hot = e.op<nn::EqualOp>(at, positions);
    values.push_back(e.reduce<nn::ReduceSumOp>(
        e.op<nn::WhereOp>(hot, x, zero), {*axis}, true));
    indices.push_back(at);
    if (i + 1 < k)
      current = e.op<nn::WhereOp>(hot, masked, current);
  }
  auto concat = [&](SmallVector<Value> &parts) {
    return parts.size() == 1
               ? parts.front()
               : e.op<nn::ConcatOp>(ValueRange(parts),
                                    builder.getI64IntegerAttr(*axis));
  };
  Value topValues = concat(values), topIndices = concat(indices);
  if (!e.ok)
    return failure();
  setOutput(node, 0, topValues);
  setOutput(node, 1, topIndices);
  return success();
}

LogicalResult ONNXGraphImporter::importScatterGather(
    const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  bool elements = op == "ScatterElements" || op == "Scatter";
  FailureOr<Value> dataOr = operand(node, 0), indicesOr = operand(node, 1);
  if (failed(dataOr) || failed(indicesOr))
    return failure();
  Value data = *dataOr, indices = *indicesOr;
  SmallVector<int64_t> dataShape(shapeOfValue(data));
  SmallVector<int64_t> indexShape(shapeOfValue(indices));
  int64_t rank = dataShape.size();
  Type elementType = getElementTypeOrSelf(data.getType());
  Type indexType = getElementTypeOrSelf(indices.getType());
  if (elementType.isInteger(1))
    return nodeError(op + " of booleans is not supported");
  std::string reduction = getStringAttr(node, "reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul")
    return nodeError("reduction '" + reduction + "' is not supported");
  Emitter e(*this, data);
  Value zero = e.scalar(elementType, 0.0);
  // The row of each index vector of `indices` [..., q] in the dims `dims`
  // (negative entries wrap), as [..., 1].
  auto linearIndex = [&](ArrayRef<int64_t> dims) {
    int64_t q = dims.size(), last = int64_t(indexShape.size()) - 1;
    Value row;
    int64_t stride = 1;
    for (int64_t j = q - 1; j >= 0; --j) {
      Value part = e.sliceAxis(indices, last, j);
      Value shifted =
          e.op<nn::AddOp>(part, e.scalar(indexType, double(dims[j])));
      Value negative = e.op<nn::LessOp>(part, e.scalar(indexType, 0));
      part = e.op<nn::WhereOp>(negative, shifted, part);
      if (stride != 1)
        part = e.op<nn::MulOp>(part, e.scalar(indexType, double(stride)));
      row = row ? e.op<nn::AddOp>(row, part) : part;
      stride *= dims[j];
    }
    return row;
  };
  auto iotaOf = [&](int64_t n, int64_t rankOut, int64_t at) {
    SmallVector<int64_t> shape(rankOut, 1);
    shape[at] = n;
    SmallVector<double> values(n);
    std::iota(values.begin(), values.end(), 0.0);
    return e.constant(indexType, shape, values);
  };

  Value result;
  if (elements) {
    if (int64_t(indexShape.size()) != rank)
      return nodeError("data and indices must have the same rank");
    FailureOr<int64_t> axisOr = axisAttr(node, 0, rank);
    if (failed(axisOr))
      return failure();
    int64_t axis = *axisOr, size = dataShape[axis];
    if (failed(reserveTable({size})))
      return failure();
    FailureOr<Value> updates = operand(node, 2);
    if (failed(updates))
      return failure();
    if (shapeOfValue(*updates) != ArrayRef<int64_t>(indexShape))
      return nodeError("updates must have the shape of indices");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && indexShape[d] > dataShape[d])
        return nodeError("indices are larger than the data along dim " +
                         llvm::Twine(d));
    // With the axis moved last: hit[.., k] = any_j (index[.., j] == k),
    // value[.., k] = the update of the j that hits k (summed or multiplied
    // for the reductions), over the indices' extent; then padded to the
    // data's and moved back.
    SmallVector<int64_t> perm;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        perm.push_back(d);
    perm.push_back(axis);
    SmallVector<int64_t> inverse(rank);
    for (int64_t d = 0; d < rank; ++d)
      inverse[perm[d]] = d;
    Value shifted =
        e.op<nn::AddOp>(indices, e.scalar(indexType, double(size)));
    Value negative = e.op<nn::LessOp>(indices, e.scalar(indexType, 0));
    Value wrapped = e.op<nn::WhereOp>(negative, shifted, indices);
    SmallVector<int64_t> moved;
    for (int64_t d : perm)
      moved.push_back(indexShape[d]);
    SmallVector<int64_t> column(moved);
    column.push_back(1);
    Value positions = iotaOf(size, rank + 1, rank);
    Value transposed = e.reshape(e.transpose(wrapped, perm), column);
    Value hot = e.op<nn::EqualOp>(transposed, positions);
    Value update = e.reshape(e.transpose(*updates, perm), column);
    Value value =
        reduction == "mul"
            ? e.reduce<nn::ReduceProdOp>(
                  e.op<nn::WhereOp>(hot, update, e.scalar(elementType, 1.0)),
                  {rank - 1}, false)
            : e.reduce<nn::ReduceSumOp>(e.op<nn::WhereOp>(hot, update, zero),
                                        {rank - 1}, false);
    Value hit = e.reduce<nn::ReduceMaxOp>(e.convert(hot, elementType),
                                          {rank - 1}, false);
    // Dims other than the axis may cover only part of the data.
    SmallVector<int64_t> pads(2 * rank, 0);
    bool padded = false;
    for (int64_t d = 0; d + 1 < rank; ++d) {
      pads[rank + d] = dataShape[perm[d]] - moved[d];
      padded |= pads[rank + d] != 0;
    }
    auto fit = [&](Value v) {
      if (padded)
        v = e.op<nn::PadOp>(v, builder.getDenseI64ArrayAttr(pads),
                            builder.getStringAttr("constant"),
                            builder.getF32FloatAttr(0.0f));
      return e.transpose(v, inverse);
    };
    value = fit(value);
    Value hits = e.op<nn::GreaterOp>(fit(hit), zero);
    if (reduction == "add")
      result = e.op<nn::AddOp>(data, value);
    else if (reduction == "mul")
      result = e.op<nn::WhereOp>(hits, e.op<nn::MulOp>(data, value), data);
    else
      result = e.op<nn::WhereOp>(hits, value, data);
  } else {
    // GatherND / ScatterND: each index vector [..., q] names a row of the
    // data viewed as [R = d0 * .. * d(q-1), rest...]; rows are selected by a
    // one-hot comparison of the row number.
    int64_t q = indexShape.empty() ? 0 : indexShape.back();
    int64_t batchDims = op == "GatherND" ? getIntAttr(node, "batch_dims", 0) : 0;
    if (indexShape.empty() || q < 1 || batchDims < 0 || batchDims > rank ||
        batchDims + q > rank || batchDims >= int64_t(indexShape.size()))
      return nodeError("indices must be [..., q] with batch_dims + q <= the "
                       "data's rank");
    for (int64_t d = 0; d < batchDims; ++d)
      if (indexShape[d] != dataShape[d])
        return nodeError("the batch dims of data and indices differ");
    // Rows of the data: [batch..., R, rest...] flattened to [B * R, rest].
    int64_t batch = 1, rows = 1, rest = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < batchDims ? batch : d < batchDims + q ? rows : rest) *= dataShape[d];
    SmallVector<int64_t> restShape(dataShape.begin() + batchDims + q,
                                   dataShape.end());
    int64_t lookups = 1;
    for (size_t d = 0; d + 1 < indexShape.size(); ++d)
      lookups *= indexShape[d];
    if (failed(reserveTable({batch * rows})) ||
        (batchDims > 0 && failed(reserveTable({lookups}))))
      return failure();
    Value row = linearIndex(ArrayRef<int64_t>(dataShape).slice(batchDims, q));
    if (batchDims > 0) {
      // Row numbers of batch b start at b * R.
      SmallVector<int64_t> batchShape(indexShape.begin(),
                                      indexShape.end() - 1);
      SmallVector<double> offsets;
      int64_t perBatch = lookups / batch;
      for (int64_t b = 0; b < batch; ++b)
        for (int64_t i = 0; i < perBatch; ++i)
          offsets.push_back(double(b * rows));
      batchShape.push_back(1);
      row = e.op<nn::AddOp>(row, e.constant(indexType, batchShape, offsets));
    }
    Value positions = iotaOf(batch * rows, 2, 1);
    Value hot = e.op<nn::EqualOp>(e.reshape(row, {lookups, 1}), positions);
    SmallVector<int64_t> hotShape = {lookups, batch * rows};
    hotShape.append(restShape.size(), 1);
    hot = e.reshape(hot, hotShape);
    SmallVector<int64_t> tableShape = {1, batch * rows};
    tableShape.append(restShape);
    if (op == "GatherND") {
      Value table = e.reshape(data, tableShape);
      Value picked = e.reduce<nn::ReduceSumOp>(
          e.op<nn::WhereOp>(hot, table, zero), {1}, false);
      SmallVector<int64_t> outShape(indexShape.begin(), indexShape.end() - 1);
      outShape.append(restShape);
      result = e.reshape(picked, outShape);
    } else {
      FailureOr<Value> updates = operand(node, 2);
      if (failed(updates))
        return failure();
      int64_t updateCount = 1;
      for (int64_t dim : shapeOfValue(*updates))
        updateCount *= dim;
      if (updateCount != lookups * rest)
        return nodeError("updates must be indices.shape[:-1] + the data's "
                         "trailing dims");
      SmallVector<int64_t> updateShape = {lookups, 1};
      updateShape.append(restShape);
      Value update = e.reshape(*updates, updateShape);
      Value value =
          reduction == "mul"
              ? e.reduce<nn::ReduceProdOp>(
                    e.op<nn::WhereOp>(hot, update,
                                      e.scalar(elementType, 1.0)),
                    {0}, false)
              : e.reduce<nn::ReduceSumOp>(
                    e.op<nn::WhereOp>(hot, update, zero), {0}, false);
      Value hit = e.op<nn::GreaterOp>(
          e.reduce<nn::ReduceMaxOp>(e.convert(hot, elementType), {0}, false),
          zero);
      value = e.reshape(value, dataShape);
      hit = e.reshape(hit, [&] {
        SmallVector<int64_t> s(dataShape.begin(),
                               dataShape.begin() + batchDims + q);
        s.append(restShape.size(), 1);
        return s;
      }());
      if (reduction == "add")
        result = e.op<nn::AddOp>(data, value);
      else if (reduction == "mul")
        result = e.op<nn::WhereOp>(hit, e.op<nn::MulOp>(data, value), data);
      else
        result = e.op<nn::WhereOp>(hit, value, data);
    }
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

//===----------------------------------------------------------------------===//
// RNN, GRU, LSTM
//===----------------------------------------------------------------------===//

// Longer sequences would make programs of tens of thousands of ops.
static constexpr int64_t kMaxRecurrentSteps = 1024;

LogicalResult
ONNXGraphImporter::importRecurrent(const onnx::NodeProto &node) {
  // Unrolled over the (static) sequence: per direction, the input
  // projection of every step in one matmul, then per step the recurrent
  // matmul and the gates of ONNX's equations; sequence_lens masks finished
  // sequences (their state holds, their outputs are 0).
  llvm::StringRef op = node.op_type();
  int64_t gates = op == "RNN" ? 1 : op == "GRU" ? 3 : 4;
  FailureOr<Value> xOr = operand(node, 0), wOr = operand(node, 1),
                   rOr = operand(node, 2);
  if (failed(xOr) || failed(wOr) || failed(rOr))
    return failure();
  FailureOr<Value> bOr = optionalOperand(node, 3),
                   lensOr = optionalOperand(node, 4),
                   h0Or = optionalOperand(node, 5);
  FailureOr<Value> c0Or = op == "LSTM" ? optionalOperand(node, 6)
                                       : FailureOr<Value>(Value());
  FailureOr<Value> pOr = op == "LSTM" ? optionalOperand(node, 7)
                                      : FailureOr<Value>(Value());
  if (failed(bOr) || failed(lensOr) || failed(h0Or) || failed(c0Or) ||
      failed(pOr))
    return failure();
  Value x = *xOr, w = *wOr, r = *rOr;
  Type elementType = getElementTypeOrSelf(x.getType());
  if (!isa<FloatType>(elementType) || shapeOfValue(x).size() != 3 ||
      shapeOfValue(w).size() != 3 || shapeOfValue(r).size() != 3)
    return nodeError("X, W and R must be 3-D float tensors");
  bool batchMajor = getIntAttr(node, "layout", 0) != 0;
  std::string direction = getStringAttr(node, "direction", "forward");
  int64_t dirs = direction == "bidirectional" ? 2 : 1;
  if (direction != "forward" && direction != "reverse" && dirs != 2)
    return nodeError("direction '" + direction + "' is not supported");
  int64_t hidden = shapeOfValue(r)[2];
  if (getIntAttr(node, "hidden_size", hidden) != hidden ||
      shapeOfValue(w)[0] != dirs || shapeOfValue(w)[1] != gates * hidden ||
      shapeOfValue(r)[1] != gates * hidden)
    return nodeError("W and R do not match hidden_size and the direction");
  if (getIntAttr(node, "input_forget", 0) != 0)
    return nodeError("input_forget is not supported");
  // Activations: the defaults, or Sigmoid/Tanh/Relu given explicitly.
  SmallVector<std::string> activations;
  if (const onnx::AttributeProto *attr = findAttr(node, "activations"))
    for (const std::string &name : attr->strings())
      activations.push_back(name);
  if (activations.empty()) {
    SmallVector<std::string> defaults =
        op == "RNN"   ? SmallVector<std::string>{"Tanh"}
        : op == "GRU" ? SmallVector<std::string>{"Sigmoid", "Tanh"}
                      : SmallVector<std::string>{"Sigmoid", "Tanh", "Tanh"};
    for (int64_t d = 0; d < dirs; ++d)
      activations.append(defaults);
  }
  size_t perDirection = op == "RNN" ? 1 : op == "GRU" ? 2 : 3;
  if (activations.size() != dirs * perDirection)
    return nodeError("expected " + std::to_string(dirs * perDirection) +
                     " activations, got " +
                     std::to_string(activations.size()));
  for (const std::string &name : activations)
    if (name != "Sigmoid" && name != "Tanh" && name != "Relu")
      return nodeError("activation '" + name + "' is not supported");
  const onnx::AttributeProto *clipAttr = findAttr(node, "clip");
  bool linearBeforeReset = getIntAttr(node, "linear_before_reset", 0) != 0;

  SmallVector<int64_t> xShape(shapeOfValue(x));
  Emitter e(*this, x);
  if (batchMajor)
    x = e.transpose(x, {1, 0, 2});
  int64_t steps = batchMajor ? xShape[1] : xShape[0];
  int64_t batch = batchMajor ? xShape[0] : xShape[1];
  int64_t inputSize = xShape[2];
  if (steps > kMaxRecurrentSteps)
    return nodeError("a sequence of " + std::to_string(steps) +
                     " steps is above " + std::to_string(kMaxRecurrentSteps) +
                     ", the steps this import unrolls");
  auto slice = [&](Value v, int64_t axis, int64_t start, int64_t end) {
    return e.op<nn::SliceOp>(v, builder.getDenseI64ArrayAttr({start}),
                             builder.getDenseI64ArrayAttr({end}),
                             builder.getDenseI64ArrayAttr({axis}),
                             builder.getDenseI64ArrayAttr({}));
  };
  auto activate = [&](Value v, llvm::StringRef name) {
    if (name == "Sigmoid")
      return e.op<nn::SigmoidOp>(v);
    if (name == "Relu")
      return e.op<nn::ReluOp>(v);
    return e.op<nn::TanhOp>(v);
  };
  auto clipped = [&](Value v) {
    if (!clipAttr)
      return v;
    float bound = clipAttr->f();
    return e.op<nn::ClipOp>(v, builder.getF32FloatAttr(-bound),
                            builder.getF32FloatAttr(bound));
  };
  // The [B, H] state of direction d from an initial [D, B, H] (or
  // [B, D, H]) tensor, or zeros.
  auto initial = [&](Value v, int64_t d) {
    if (!v)
      return e.op<nn::ExpandOp>(e.scalar(elementType, 0.0),
                                builder.getDenseI64ArrayAttr({batch, hidden}));
    return e.reshape(slice(v, batchMajor ? 1 : 0, d, d + 1), {batch, hidden});
  };
  Value lens = *lensOr;
  SmallVector<Value> outputs, lastH, lastC;
  for (int64_t d = 0; d < dirs; ++d) {
    bool reverse = direction == "reverse" || d == 1;
    ArrayRef<std::string> act = ArrayRef<std::string>(activations)
                                    .slice(d * perDirection, perDirection);
    Value wT = e.transpose(e.reshape(slice(w, 0, d, d + 1),
                                     {gates * hidden, inputSize}),
                           {1, 0});
    Value rT = e.transpose(
        e.reshape(slice(r, 0, d, d + 1), {gates * hidden, hidden}), {1, 0});
    // Input projections of every step: [S, B, G*H].
    Value projected = e.reshape(
        e.op<nn::MatMulOp>(e.reshape(x, {steps * batch, inputSize}), wT),
        {steps, batch, gates * hidden});
    Value wBias, rBias;
    if (*bOr) {
      Value b = e.reshape(slice(*bOr, 0, d, d + 1), {2 * gates * hidden});
      wBias = slice(b, 0, 0, gates * hidden);
      rBias = slice(b, 0, gates * hidden, 2 * gates * hidden);
    }
    Value peephole = *pOr ? e.reshape(slice(*pOr, 0, d, d + 1), {3 * hidden})
                          : Value();
    auto gate = [&](Value v, int64_t g) {
      return slice(v, v == wBias || v == rBias || v == peephole ? 0 : 1,
                   g * hidden, (g + 1) * hidden);
    };
    Value h = initial(*h0Or, d);
    Value c = op == "LSTM" ? initial(*c0Or, d) : Value();
    SmallVector<Value> ys(steps);
    for (int64_t step = 0; step < steps; ++step) {
      int64_t t = reverse ? steps - 1 - step : step;
      Value xt = e.reshape(slice(projected, 0, t, t + 1),
                           {batch, gates * hidden});
      Value hr = e.op<nn::MatMulOp>(h, rT);
      // x_g + h_g (+ biases) for gate g; `withRecurrent` = false leaves the
      // recurrent part out (GRU's h gate).
      auto preActivation = [&](int64_t g, bool withRecurrent = true) {
        Value v = gate(xt, g);
        if (withRecurrent)
          v = e.op<nn::AddOp>(v, gate(hr, g));
        if (wBias)
          v = e.op<nn::AddOp>(v, gate(wBias, g));
        if (wBias && withRecurrent)
          v = e.op<nn::AddOp>(v, gate(rBias, g));
        return v;
      };
      Value hNext, cNext;
      if (op == "RNN") {
        hNext = activate(clipped(preActivation(0)), act[0]);
      } else if (op == "GRU") {
        Value z = activate(clipped(preActivation(0)), act[0]);
        Value rg = activate(clipped(preActivation(1)), act[0]);
        Value recurrent;
        if (linearBeforeReset) {
          recurrent = gate(hr, 2);
          if (rBias)
            recurrent = e.op<nn::AddOp>(recurrent, gate(rBias, 2));
          recurrent = e.op<nn::MulOp>(rg, recurrent);
        } else {
          Value weight = slice(rT, 1, 2 * hidden, 3 * hidden);
          recurrent = e.op<nn::MatMulOp>(e.op<nn::MulOp>(rg, h), weight);
          if (rBias)
            recurrent = e.op<nn::AddOp>(recurrent, gate(rBias, 2));
        }
        Value hh = activate(
            clipped(e.op<nn::AddOp>(preActivation(2, false), recurrent)),
            act[1]);
        Value one = e.scalar(elementType, 1.0);
        Value kept = e.op<nn::MulOp>(z, h);
        Value fresh = e.op<nn::MulOp>(e.op<nn::SubOp>(one, z), hh);
        hNext = e.op<nn::AddOp>(fresh, kept);
      } else {
        // Gates [i, o, f, c]; peepholes [i, o, f].
        auto peep = [&](Value v, int64_t p, Value state) {
          return peephole ? e.op<nn::AddOp>(
                                v, e.op<nn::MulOp>(gate(peephole, p), state))
                          : v;
        };
        Value i = activate(clipped(peep(preActivation(0), 0, c)), act[0]);
        Value f = activate(clipped(peep(preActivation(2), 2, c)), act[0]);
        Value candidate = activate(clipped(preActivation(3)), act[1]);
        Value written = e.op<nn::MulOp>(i, candidate);
        Value kept = e.op<nn::MulOp>(f, c);
        cNext = e.op<nn::AddOp>(kept, written);
        Value o = activate(clipped(peep(preActivation(1), 1, cNext)), act[0]);
        hNext = e.op<nn::MulOp>(o, activate(cNext, act[2]));
      }
      Value y = hNext;
      if (lens) {
        // Steps past a sequence's length keep its state and output 0.
        Value live = e.reshape(
            e.op<nn::LessOp>(e.scalar(getElementTypeOrSelf(lens.getType()),
                                      double(t)),
                             lens),
            {batch, 1});
        y = e.op<nn::WhereOp>(live, hNext, e.scalar(elementType, 0.0));
        hNext = e.op<nn::WhereOp>(live, hNext, h);
        if (cNext)
          cNext = e.op<nn::WhereOp>(live, cNext, c);
      }
      h = hNext;
      c = cNext;
      ys[t] = e.reshape(y, {1, 1, batch, hidden});
    }
    outputs.push_back(ys.size() == 1
                          ? ys.front()
                          : e.op<nn::ConcatOp>(ValueRange(ys),
                                               builder.getI64IntegerAttr(0)));
    lastH.push_back(e.reshape(h, {1, batch, hidden}));
    if (c)
      lastC.push_back(e.reshape(c, {1, batch, hidden}));
  }
  auto join = [&](SmallVector<Value> &parts, int64_t axis) {
    return parts.size() == 1 ? parts.front()
                             : e.op<nn::ConcatOp>(
                                   ValueRange(parts),
                                   builder.getI64IntegerAttr(axis));
  };
  // Y [S, D, B, H] (layout 1: [B, S, D, H]); Y_h, Y_c [D, B, H] ([B, D, H]).
  Value y = join(outputs, 1);
  Value yh = join(lastH, 0);
  Value yc = lastC.empty() ? Value() : join(lastC, 0);
  if (batchMajor) {
    y = e.transpose(y, {2, 0, 1, 3});
    yh = e.transpose(yh, {1, 0, 2});
    if (yc)
      yc = e.transpose(yc, {1, 0, 2});
  }
  if (!e.ok)
    return failure();
  setOutput(node, 0, y);
  setOutput(node, 1, yh);
  if (yc)
    setOutput(node, 2, yc);
  return success();
}

//===----------------------------------------------------------------------===//
// ReverseSequence, Compress, Det
//===----------------------------------------------------------------------===//

LogicalResult
ONNXGraphImporter::importReverseSequence(const onnx::NodeProto &node) {
  // y[b, t] = x[b, t < len[b] ? len[b] - 1 - t : t], selected one-hot (in
  // [batch, time, ...] order; a time-major input is transposed around it).
  FailureOr<Value> xOr = operand(node, 0), lensOr = operand(node, 1);
  if (failed(xOr) || failed(lensOr))
    return failure();
  Value x = *xOr, lens = *lensOr;
  SmallVector<int64_t> shape(shapeOfValue(x));
  int64_t timeAxis = getIntAttr(node, "time_axis", 0);
  int64_t batchAxis = getIntAttr(node, "batch_axis", 1);
  if (shape.size() < 2 ||
      !((timeAxis == 0 && batchAxis == 1) || (timeAxis == 1 && batchAxis == 0)))
    return nodeError("needs a rank >= 2 input with time_axis and batch_axis "
                     "0 and 1");
  Type lensType = getElementTypeOrSelf(lens.getType());
  if (!isa<IntegerType>(lensType) || shapeOfValue(lens).size() != 1 ||
      shapeOfValue(lens)[0] != shape[batchAxis])
    return nodeError("sequence_lens must be integers, one per batch entry");
  Emitter e(*this, x);
  SmallVector<int64_t> perm = {1, 0};
  for (size_t d = 2; d < shape.size(); ++d)
    perm.push_back(d);
  if (timeAxis == 0)
    x = e.transpose(x, perm);
  int64_t batch = shape[batchAxis], steps = shape[timeAxis];
  int64_t rest = 1;
  for (size_t d = 2; d < shape.size(); ++d)
    rest *= shape[d];
  if (failed(reserveTable({2, steps})))
    return failure();
  SmallVector<double> iota(steps);
  std::iota(iota.begin(), iota.end(), 0.0);
  // source[b, t] (i64), then hot[b, t, s, 1] = source[b, t] == s.
  Value t = e.constant(lensType, {1, steps}, iota);
  Value len = e.reshape(lens, {batch, 1});
  Value reversed =
      e.op<nn::SubOp>(e.op<nn::SubOp>(len, e.scalar(lensType, 1.0)), t);
  Value source = e.op<nn::WhereOp>(e.op<nn::LessOp>(t, len), reversed, t);
  Value positions = e.constant(lensType, {1, 1, steps, 1}, iota);
  Value hot =
      e.op<nn::EqualOp>(e.reshape(source, {batch, steps, 1, 1}), positions);
  Value data = e.reshape(x, {batch, 1, steps, rest});
  Type elementType = getElementTypeOrSelf(x.getType());
  Value picked = e.reduce<nn::ReduceSumOp>(
      e.op<nn::WhereOp>(hot, data, e.scalar(elementType, 0.0)), {2}, false);
  SmallVector<int64_t> batchMajor = {batch, steps};
  batchMajor.append(shape.begin() + 2, shape.end());
  Value result = e.reshape(picked, batchMajor);
  if (timeAxis == 0)
    result = e.transpose(result, perm);
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importCompress(const onnx::NodeProto &node) {
  // The positions the (import-time) condition selects, gathered.
  FailureOr<Value> xOr = operand(node, 0);
  if (failed(xOr))
    return failure();
  Value x = *xOr;
  const ConstTensor *condition = constantOf(node, 1);
  if (!condition)
    return nodeError("input 'condition' must be known at import time (it "
                     "decides the output's shape)");
  if (condition->getRank() != 1)
    return nodeError("condition must be 1-D");
  SmallVector<int64_t> shape(shapeOfValue(x));
  Emitter e(*this, x);
  int64_t axis = 0;
  if (findAttr(node, "axis")) {
    FailureOr<int64_t> a = axisAttr(node, 0, shape.size());
    if (failed(a))
      return failure();
    axis = *a;
  } else {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    shape = {count};
    x = e.reshape(x, shape);
  }
  if (condition->getNumElements() > shape[axis])
    return nodeError("condition is longer than the axis");
  SmallVector<double> picked;
  for (int64_t i = 0; i < condition->getNumElements(); ++i)
    if (condition->getDouble(i) != 0.0)
      picked.push_back(double(i));
  if (picked.empty())
    return nodeError("condition selects nothing; empty outputs are not "
                     "supported");
  Value result = e.op<nn::GatherOp>(
      x, e.constant(builder.getI64Type(), {int64_t(picked.size())}, picked),
      builder.getI64IntegerAttr(axis));
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

// Det sums n! products: beyond this the Leibniz formula is too long.
static constexpr int64_t kMaxDetSize = 5;

LogicalResult ONNXGraphImporter::importDet(const onnx::NodeProto &node) {
  // det = sum over permutations p of sign(p) * prod_i x[i, p(i)]: the
  // matrices viewed as [B, n*n], one gather of the [n! x n] positions, a
  // product over the last axis, signed and summed.
  FailureOr<Value> xOr = operand(node, 0);
  if (failed(xOr))
    return failure();
  Value x = *xOr;
  SmallVector<int64_t> shape(shapeOfValue(x));
  Type elementType = getElementTypeOrSelf(x.getType());
  if (shape.size() < 2 || shape.back() != shape[shape.size() - 2] ||
      !isa<FloatType>(elementType))
    return nodeError("Det needs float [..., n, n] matrices");
  int64_t n = shape.back();
  if (n > kMaxDetSize)
    return nodeError("matrices of " + std::to_string(n) + " x " +
                     std::to_string(n) + " are above " +
                     std::to_string(kMaxDetSize) + " x " +
                     std::to_string(kMaxDetSize) + " (Det sums n! products)");
  SmallVector<int64_t> batchShape(shape.begin(), shape.end() - 2);
  int64_t batch = 1;
  for (int64_t d : batchShape)
    batch *= d;
  SmallVector<int64_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  SmallVector<double> positions, signs;
  do {
    int64_t inversions = 0;
    for (int64_t i = 0; i < n; ++i) {
      positions.push_back(double(i * n + p[i]));
      for (int64_t j = i + 1; j < n; ++j)
        inversions += p[i] > p[j];
    }
    signs.push_back(inversions % 2 ? -1.0 : 1.0);
  } while (std::next_permutation(p.begin(), p.end()));
  int64_t count = signs.size();
  Emitter e(*this, x);
  Value flat = e.reshape(x, {batch, n * n});
  Value terms = e.op<nn::GatherOp>(
      flat, e.constant(builder.getI64Type(), {count, n}, positions),
      builder.getI64IntegerAttr(1));
  Value products = e.reduce<nn::ReduceProdOp>(terms, {2}, false);
  Value signedTerms =
      e.op<nn::MulOp>(products, e.constant(elementType, {count}, signs));
  Value det =
      e.reshape(e.reduce<nn::ReduceSumOp>(signedTerms, {1}, false), batchShape);
  if (!e.ok)
    return failure();
  setOutput(node, 0, det);
  return success();
}

//===----------------------------------------------------------------------===//
// Pad with a run-time value, MaxPool indices
//===----------------------------------------------------------------------===//

LogicalResult
ONNXGraphImporter::importPadRuntimeValue(const onnx::NodeProto &node,
                                         Value input, ArrayRef<int64_t> pads) {
  // where(inside, pad(x, 0), value) with a constant mask of the positions
  // that hold input elements.
  FailureOr<Value> valueOr = operand(node, 2);
  if (failed(valueOr))
    return failure();
  Value value = *valueOr;
  ArrayRef<int64_t> shape = shapeOfValue(input);
  size_t rank = shape.size();
  if (pads.size() != 2 * rank)
    return nodeError("pads has " + std::to_string(pads.size()) +
                     " values, expected " + std::to_string(2 * rank));
  if (getElementTypeOrSelf(value.getType()) !=
          getElementTypeOrSelf(input.getType()) ||
      cast<RankedTensorType>(value.getType()).getNumElements() != 1)
    return nodeError("constant_value must be one element of the input's "
                     "type");
  Emitter e(*this, input);
  Value padded = e.op<nn::PadOp>(input, builder.getDenseI64ArrayAttr(pads),
                                 builder.getStringAttr("constant"),
                                 builder.getF32FloatAttr(0.0f));
  if (!e.ok)
    return failure();
  ArrayRef<int64_t> outShape = shapeOfValue(padded);
  if (failed(reserveTable(outShape)))
    return failure();
  int64_t total = 1;
  for (int64_t d : outShape)
    total *= d;
  SmallVector<double> mask(total);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0; flat < total; ++flat) {
    bool inside = true;
    for (size_t d = 0; d < rank; ++d) {
      int64_t at = index[d] - pads[d];
      inside &= at >= 0 && at < shape[d];
    }
    mask[flat] = inside;
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  Value fill = e.reshape(value, {});
  Value inside = e.constant(builder.getI1Type(), outShape, mask);
  Value result = e.op<nn::WhereOp>(inside, padded, fill);
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

// MaxPool's Indices stack one slice per window position.
static constexpr int64_t kMaxIndexedPoolWindow = 256;

LogicalResult ONNXGraphImporter::importMaxPoolIndices(
    const onnx::NodeProto &node, Value input, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
    ArrayRef<int64_t> dilations) {
  // The window slices of the input (padded with the lowest float) stacked
  // on a new last axis, arg_max over it (the first maximum), and a constant
  // [O..., K] table of the flat input position each (output, window
  // position) reads, plus (n * C + c) * the spatial size. storage_order 1
  // numbers the spatial positions column-major.
  ArrayRef<int64_t> shape = shapeOfValue(input);
  Type elementType = getElementTypeOrSelf(input.getType());
  if (!isa<FloatType>(elementType))
    return nodeError("the Indices output needs a float input");
  int64_t rank = shape.size(), n = rank - 2;
  bool columnMajor = getIntAttr(node, "storage_order", 0) != 0;
  int64_t spatialSize = 1;
  for (int64_t i = 0; i < n; ++i)
    spatialSize *= shape[2 + i];
  std::optional<int64_t> windowCount = checkedNumElements(kernel);
  if (!windowCount || *windowCount > kMaxIndexedPoolWindow)
    return nodeError("the Indices output of a window of " +
                     (windowCount ? std::to_string(*windowCount)
                                  : std::string("too many")) +
                     " positions (at most " +
                     std::to_string(kMaxIndexedPoolWindow) +
                     ") is not supported");
  int64_t windowSize = *windowCount;
  auto pooledType =
      cast<RankedTensorType>(values[node.output(0)].value.getType());
  SmallVector<int64_t> outShape(pooledType.getShape());
  // The table [1, 1, O..., K] built below.
  SmallVector<int64_t> tableShape = {1, 1};
  tableShape.append(outShape.begin() + 2, outShape.end());
  tableShape.push_back(windowSize);
  if (failed(reserveTable(tableShape)))
    return failure();
  Emitter e(*this, input);
  // Pads that cover every window (ceil_mode may read past the end pads).
  SmallVector<int64_t> padding(2 * rank, 0);
  bool anyPad = false;
  for (int64_t i = 0; i < n; ++i) {
    int64_t reach =
        (outShape[2 + i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
    padding[2 + i] = pads[i];
    padding[rank + 2 + i] =
        std::max<int64_t>(0, reach - pads[i] - shape[2 + i]);
    anyPad |= padding[2 + i] || padding[rank + 2 + i];
  }
  Value x = input;
  if (anyPad)
    x = e.op<nn::PadOp>(
        x, builder.getDenseI64ArrayAttr(padding),
        builder.getStringAttr("constant"),
        builder.getF32FloatAttr(-std::numeric_limits<float>::max()));
  SmallVector<int64_t> axes, steps, sliceShape(outShape);
  for (int64_t i = 0; i < n; ++i) {
    axes.push_back(2 + i);
    steps.push_back(strides[i]);
  }
  sliceShape.push_back(1);
  SmallVector<Value> slices;
  SmallVector<int64_t> position(n, 0);
  for (int64_t k = 0; k < windowSize; ++k) {
    SmallVector<int64_t> starts, ends;
    for (int64_t i = 0; i < n; ++i) {
      starts.push_back(position[i] * dilations[i]);
      ends.push_back(starts.back() + (outShape[2 + i] - 1) * strides[i] + 1);
    }
    slices.push_back(
        e.reshape(e.op<nn::SliceOp>(x, builder.getDenseI64ArrayAttr(starts),
                                    builder.getDenseI64ArrayAttr(ends),
                                    builder.getDenseI64ArrayAttr(axes),
                                    builder.getDenseI64ArrayAttr(steps)),
                  sliceShape));
    for (int64_t i = n - 1; i >= 0; --i) {
      if (++position[i] < kernel[i])
        break;
      position[i] = 0;
    }
  }
  Value stacked = slices.size() == 1
                      ? slices.front()
                      : e.op<nn::ConcatOp>(ValueRange(slices),
                                           builder.getI64IntegerAttr(rank));
  Value best =
      e.op<nn::ArgMaxOp>(stacked, builder.getI64IntegerAttr(rank),
                         builder.getBoolAttr(true), builder.getBoolAttr(false));
  // The flat input position each (output, window position) reads.
  int64_t outCount = 1;
  for (int64_t i = 0; i < n; ++i)
    outCount *= outShape[2 + i];
  SmallVector<double> table;
  table.reserve(outCount * windowSize);
  SmallVector<int64_t> out(n, 0);
  for (int64_t o = 0; o < outCount; ++o) {
    SmallVector<int64_t> at(n, 0);
    for (int64_t k = 0; k < windowSize; ++k) {
      bool inside = true;
      int64_t flat = 0;
      for (int64_t i = 0; i < n; ++i) {
        int64_t coord = out[i] * strides[i] + at[i] * dilations[i] - pads[i];
        inside &= coord >= 0 && coord < shape[2 + i];
      }
      if (inside) {
        if (columnMajor)
          for (int64_t i = n - 1; i >= 0; --i)
            flat = flat * shape[2 + i] +
                   (out[i] * strides[i] + at[i] * dilations[i] - pads[i]);
        else
          for (int64_t i = 0; i < n; ++i)
            flat = flat * shape[2 + i] +
                   (out[i] * strides[i] + at[i] * dilations[i] - pads[i]);
      }
      table.push_back(double(flat));
      for (int64_t i = n - 1; i >= 0; --i) {
        if (++at[i] < kernel[i])
          break;
        at[i] = 0;
      }
    }
    for (int64_t i = n - 1; i >= 0; --i) {
      if (++out[i] < outShape[2 + i])
        break;
      out[i] = 0;
    }
  }
  Type i64 = builder.getI64Type();
  SmallVector<int64_t> iotaShape(rank + 1, 1);
  iotaShape[rank] = windowSize;
  SmallVector<double> iota(windowSize);
  std::iota(iota.begin(), iota.end(), 0.0);
  Value hot = e.op<nn::EqualOp>(best, e.constant(i64, iotaShape, iota));
  Value zero = e.scalar(i64, 0.0);
  Value offsets = e.constant(i64, tableShape, table);
  Value picked = e.reduce<nn::ReduceSumOp>(
      e.op<nn::WhereOp>(hot, offsets, zero), {rank}, false);
  SmallVector<int64_t> baseShape(rank, 1);
  baseShape[0] = shape[0];
  baseShape[1] = shape[1];
  SmallVector<double> base;
  for (int64_t b = 0; b < shape[0] * shape[1]; ++b)
    base.push_back(double(b * spatialSize));
  Value indices = e.op<nn::AddOp>(picked, e.constant(i64, baseShape, base));
  if (!e.ok)
    return failure();
  setOutput(node, 1, indices);
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizers of the ai.onnx.preview.training domain
//===----------------------------------------------------------------------===//

bool mlir::npu::onnx_import::isTrainingOptimizerOp(llvm::StringRef domain,
                                                   llvm::StringRef op) {
  return domain == kTrainingDomain &&
         llvm::is_contained({"Adagrad", "Momentum", "Adam"}, op);
}

LogicalResult
ONNXGraphImporter::importTrainingOptimizer(const onnx::NodeProto &node) {
  // One update per tensor group (X, G and the state tensors), elementwise
  // with the ONNX reference's formulas; R (the rate) and T (the step count)
  // are run-time scalars.
  llvm::StringRef op = node.op_type();
  int groupSize = op == "Adam" ? 4 : 3;
  int tensors = (node.input_size() - 2) / groupSize;
  if (node.input_size() < 2 + groupSize ||
      (node.input_size() - 2) % groupSize != 0)
    return nodeError("expected R, T and " + std::to_string(groupSize) +
                     " inputs per optimized tensor, got " +
                     std::to_string(node.input_size()) + " inputs");
  std::string mode = getStringAttr(node, "mode", "standard");
  if (op == "Momentum" && mode != "standard" && mode != "nesterov")
    return nodeError("mode '" + mode +
                     "' is not supported (expected standard or nesterov)");
  FailureOr<Value> rateOr = operand(node, 0), stepOr = operand(node, 1);
  if (failed(rateOr) || failed(stepOr))
    return failure();
  Value rate = *rateOr, step = *stepOr;
  Type floatType = getElementTypeOrSelf(rate.getType());
  Type stepType = getElementTypeOrSelf(step.getType());
  if (!isa<FloatType>(floatType) || !isa<IntegerType>(stepType) ||
      cast<RankedTensorType>(rate.getType()).getNumElements() != 1 ||
      cast<RankedTensorType>(step.getType()).getNumElements() != 1)
    return nodeError("R must be a float scalar and T an integer scalar");
  float norm = getFloatAttr(node, "norm_coefficient", 0.0f);
  float epsilon = getFloatAttr(node, "epsilon", 0.0f);
  float alpha = getFloatAttr(node, "alpha", op == "Adam" ? 0.9f : 0.0f);
  float beta = getFloatAttr(node, "beta", op == "Adam" ? 0.999f : 0.0f);
  Emitter e(*this, rate);
  auto c = [&](double value) { return e.scalar(floatType, value); };
  rate = e.reshape(rate, {});
  step = e.reshape(step, {});
  // Adagrad's decayed rate, Adam's bias-corrected one and Momentum's beta
  // (1 in the first step, T = 0).
  Value momentumBeta;
  if (op == "Adagrad") {
    float decay = getFloatAttr(node, "decay_factor", 0.0f);
    Value t = e.convert(step, floatType);
    Value decayed = e.op<nn::MulOp>(t, c(decay));
    rate = e.op<nn::DivOp>(rate, e.op<nn::AddOp>(c(1.0), decayed));
  } else {
    Value started = e.op<nn::GreaterOp>(step, e.scalar(stepType, 0.0));
    if (op == "Adam") {
      Value t = e.convert(step, floatType);
      Value alphaPower = e.op<nn::PowOp>(c(alpha), t);
      Value alphaCorrection = e.op<nn::SubOp>(c(1.0), alphaPower);
      Value betaPower = e.op<nn::PowOp>(c(beta), t);
      Value betaCorrection = e.op<nn::SubOp>(c(1.0), betaPower);
      Value correction =
          e.op<nn::DivOp>(e.op<nn::SqrtOp>(betaCorrection), alphaCorrection);
      rate =
          e.op<nn::WhereOp>(started, e.op<nn::MulOp>(rate, correction), rate);
    } else {
      Value one = c(1.0);
      Value beta0 = c(beta);
      momentumBeta = e.op<nn::WhereOp>(started, beta0, one);
    }
  }
  SmallVector<SmallVector<Value>> outputs(groupSize - 1);
  for (int i = 0; i < tensors; ++i) {
    FailureOr<Value> xOr = operand(node, 2 + i);
    SmallVector<Value> state;
    for (int k = 1; k < groupSize; ++k) {
      FailureOr<Value> v = operand(node, 2 + k * tensors + i);
      if (failed(v))
        return failure();
      state.push_back(*v);
    }
    if (failed(xOr))
      return failure();
    Value x = *xOr, g = state[0];
    if (getElementTypeOrSelf(x.getType()) != floatType)
      return nodeError("X, G and the state must have R's float type");
    Value gr = e.op<nn::AddOp>(e.op<nn::MulOp>(c(norm), x), g);
    if (op == "Adagrad") {
      Value h = e.op<nn::AddOp>(state[1], e.op<nn::MulOp>(gr, gr));
      Value eps = c(epsilon);
      Value adaptive = e.op<nn::AddOp>(e.op<nn::SqrtOp>(h), eps);
      outputs[0].push_back(e.op<nn::SubOp>(
          x, e.op<nn::DivOp>(e.op<nn::MulOp>(rate, gr), adaptive)));
      outputs[1].push_back(h);
    } else if (op == "Momentum") {
      Value step = e.op<nn::MulOp>(momentumBeta, gr);
      Value decayed = e.op<nn::MulOp>(c(alpha), state[1]);
      Value v = e.op<nn::AddOp>(decayed, step);
      Value direction = mode == "nesterov"
                            ? e.op<nn::AddOp>(gr, e.op<nn::MulOp>(c(alpha), v))
                            : v;
      outputs[0].push_back(
          e.op<nn::SubOp>(x, e.op<nn::MulOp>(rate, direction)));
      outputs[1].push_back(v);
    } else {
      Value newGradient = e.op<nn::MulOp>(c(1.0 - alpha), gr);
      Value oldGradient = e.op<nn::MulOp>(c(alpha), state[1]);
      Value v = e.op<nn::AddOp>(oldGradient, newGradient);
      Value square = e.op<nn::MulOp>(gr, gr);
      Value newSquare = e.op<nn::MulOp>(c(1.0 - beta), square);
      Value oldSquare = e.op<nn::MulOp>(c(beta), state[2]);
      Value h = e.op<nn::AddOp>(oldSquare, newSquare);
      Value eps = c(epsilon);
      Value root = e.op<nn::AddOp>(e.op<nn::SqrtOp>(h), eps);
      Value updated =
          e.op<nn::SubOp>(x, e.op<nn::MulOp>(rate, e.op<nn::DivOp>(v, root)));
      float post = getFloatAttr(node, "norm_coefficient_post", 0.0f);
      outputs[0].push_back(e.op<nn::MulOp>(c(1.0 - post), updated));
      outputs[1].push_back(v);
      outputs[2].push_back(h);
    }
  }
  if (!e.ok)
    return failure();
  for (auto [k, values] : llvm::enumerate(outputs))
    for (auto [i, value] : llvm::enumerate(values))
      setOutput(node, k * tensors + i, value);
  return success();
}

//===----------------------------------------------------------------------===//
// MaxUnpool
//===----------------------------------------------------------------------===//

// MaxUnpool compares every index with every output position.
static constexpr int64_t kMaxUnpoolComparisons = int64_t(1) << 22;

LogicalResult ONNXGraphImporter::importMaxUnpool(const onnx::NodeProto &node) {
  // y.flat[I.flat[k]] = X.flat[k] (indices into the whole output, as
  // MaxPool's Indices), zero elsewhere: a one-hot selection of X per output
  // position, summed.
  FailureOr<Value> xOr = operand(node, 0), indicesOr = operand(node, 1);
  if (failed(xOr) || failed(indicesOr))
    return failure();
  Value x = *xOr, indices = *indicesOr;
  SmallVector<int64_t> shape(shapeOfValue(x));
  if (shape.size() < 3 || shapeOfValue(indices) != ArrayRef<int64_t>(shape) ||
      !isa<IntegerType>(getElementTypeOrSelf(indices.getType())))
    return nodeError("X must have rank >= 3 and I be integers of X's shape");
  // The indices address the shape the window attributes infer; a larger
  // output_shape pads that result (the extra half, rounded up, at the end).
  FailureOr<WindowAttrs> window =
      resolveWindow(node, shape, std::nullopt, false);
  if (failed(window))
    return failure();
  size_t n = shape.size() - 2;
  SmallVector<int64_t> outShape = {shape[0], shape[1]};
  for (size_t i = 0; i < n; ++i)
    outShape.push_back((shape[2 + i] - 1) * window->strides[i] +
                       window->kernel[i] - window->pads[i] -
                       window->pads[n + i]);
  SmallVector<int64_t> padding(2 * shape.size(), 0);
  if (hasInput(node, 2)) {
    FailureOr<SmallVector<int64_t>> given =
        constantInts(node, 2, "output_shape");
    if (failed(given))
      return failure();
    if (given->size() != shape.size() || (*given)[0] != shape[0] ||
        (*given)[1] != shape[1])
      return nodeError("output_shape must be [N, C, dims...] of X's N and C");
    for (size_t i = 2; i < shape.size(); ++i) {
      int64_t extra = (*given)[i] - outShape[i];
      if (extra < 0)
        return nodeError("output_shape " + std::to_string((*given)[i]) +
                         " of axis " + std::to_string(i) +
                         " is below the inferred " +
                         std::to_string(outShape[i]));
      padding[i] = extra / 2;
      padding[shape.size() + i] = extra - extra / 2;
    }
  }
  for (size_t i = 2; i < outShape.size(); ++i)
    if (outShape[i] <= 0)
      return nodeError("the pads leave an empty output along axis " +
                       std::to_string(i));
  int64_t count = *checkedNumElements(shape);
  std::optional<int64_t> outCount = checkedNumElements(outShape);
  int64_t comparisons;
  if (!outCount || llvm::MulOverflow(*outCount, count, comparisons) ||
      comparisons > kMaxUnpoolComparisons)
    return nodeError(
        (outCount ? std::to_string(*outCount) : std::string("too many")) +
        " outputs x " + std::to_string(count) + " inputs are above " +
        std::to_string(kMaxUnpoolComparisons) + " comparisons");
  Type indexType = getElementTypeOrSelf(indices.getType());
  SmallVector<double> positions(*outCount);
  std::iota(positions.begin(), positions.end(), 0.0);
  Emitter e(*this, x);
  Value flatIndices = e.reshape(indices, {1, count});
  Value positionColumn = e.constant(indexType, {*outCount, 1}, positions);
  Value hot = e.op<nn::EqualOp>(flatIndices, positionColumn);
  Value flatValues = e.reshape(x, {1, count});
  Value zero = e.scalar(getElementTypeOrSelf(x.getType()), 0.0);
  Value picked = e.reduce<nn::ReduceSumOp>(
      e.op<nn::WhereOp>(hot, flatValues, zero), {1}, false);
  Value result = e.reshape(picked, outShape);
  if (llvm::any_of(padding, [](int64_t p) { return p != 0; }))
    result = e.op<nn::PadOp>(result, builder.getDenseI64ArrayAttr(padding),
                             builder.getStringAttr("constant"),
                             builder.getF32FloatAttr(0.0f));
  if (!e.ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}
