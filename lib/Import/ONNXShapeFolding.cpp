//===- ONNXShapeFolding.cpp - import-time evaluation of constant nodes ----===//
//
// Exporters (PyTorch above all) compute shapes at run time: Shape -> Gather ->
// Unsqueeze -> Concat -> Reshape, ConstantOfShape, Range, Where on masks...
// Since every shape is static after import, those subgraphs have constant
// inputs and are evaluated here, so that only the real computation reaches
// the nn dialect and every shape-like operand becomes a resolved attribute.
//
// The folder works on small tensors element by element; the caller bounds
// the result size, and ops the nn dialect can express are left to run time
// when their result would be large.
//
//===----------------------------------------------------------------------===//
#include "ONNXNodeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <functional>

using namespace mlir::npu::onnx_import;

namespace {

/// Folding context of one node: its inputs, limits and the error sink.
class NodeFolder {
public:
  NodeFolder(const onnx::NodeProto &node,
             llvm::ArrayRef<const ConstTensor *> inputs, int64_t opset,
             int64_t elementLimit, llvm::SmallVectorImpl<ConstTensor> &results,
             std::string &error, bool &tooLarge)
      : node(node), inputs(inputs), opset(opset), elementLimit(elementLimit),
        results(results), error(error), tooLarge(tooLarge) {}

  FoldStatus fold();

private:
  const ConstTensor *input(size_t index) const {
    return index < inputs.size() ? inputs[index] : nullptr;
  }
  FoldStatus fail(const llvm::Twine &message) {
    error = message.str();
    return FoldStatus::Failed;
  }
  /// Allocates a result after checking its size against the limit; returns
  /// null (and sets tooLarge) when it would be too large.
  ConstTensor *makeResult(DType type, llvm::ArrayRef<int64_t> shape);
  FoldStatus requireInputs(size_t count);
  /// Integer values of the input `index` (a shape-like tensor).
  llvm::SmallVector<int64_t> intsOf(size_t index) const {
    return input(index) ? input(index)->toInts() : llvm::SmallVector<int64_t>();
  }

  FoldStatus foldElementwise(
      llvm::ArrayRef<const ConstTensor *> operands, DType resultType,
      const std::function<void(ConstTensor &, int64_t,
                               llvm::ArrayRef<int64_t>)> &compute);
  FoldStatus foldBinaryArithmetic(llvm::StringRef op);
  FoldStatus foldComparison(llvm::StringRef op);
  FoldStatus foldUnary(llvm::StringRef op);
  FoldStatus foldReshapeTo(const ConstTensor &data,
                           llvm::ArrayRef<int64_t> shape);
  FoldStatus foldUnsqueeze();
  FoldStatus foldSqueeze();
  FoldStatus foldConcat();
  FoldStatus foldGather();
  FoldStatus foldSlice();
  FoldStatus foldTranspose();
  FoldStatus foldExpand();
  FoldStatus foldConstantOfShape();
  FoldStatus foldRange();
  FoldStatus foldReduce(llvm::StringRef op);
  FoldStatus foldWhere();
  FoldStatus foldCast();

  const onnx::NodeProto &node;
  llvm::ArrayRef<const ConstTensor *> inputs;
  int64_t opset;
  int64_t elementLimit;
  llvm::SmallVectorImpl<ConstTensor> &results;
  std::string &error;
  bool &tooLarge;
};

} // namespace

ConstTensor *NodeFolder::makeResult(DType type, llvm::ArrayRef<int64_t> shape) {
  std::optional<int64_t> count = checkedNumElements(shape);
  if (!count || *count > elementLimit) {
    tooLarge = true;
    return nullptr;
  }
  results.push_back(ConstTensor::zeros(type, shape));
  return &results.back();
}

FoldStatus NodeFolder::requireInputs(size_t count) {
  for (size_t i = 0; i < count; ++i)
    if (!input(i))
      return fail("input " + llvm::Twine(i) + " is missing");
  return FoldStatus::Folded;
}

/// Maps a flat index of `outShape` to the flat index of a broadcast operand.
static int64_t broadcastSourceIndex(llvm::ArrayRef<int64_t> outIndex,
                                    llvm::ArrayRef<int64_t> inShape) {
  int64_t offset = outIndex.size() - inShape.size();
  int64_t flat = 0;
  for (size_t i = 0; i < inShape.size(); ++i)
    flat = flat * inShape[i] + (inShape[i] == 1 ? 0 : outIndex[offset + i]);
  return flat;
}

/// Advances a multi-dimensional index in row-major order.
static void incrementIndex(llvm::MutableArrayRef<int64_t> index,
                           llvm::ArrayRef<int64_t> shape) {
  for (int64_t d = int64_t(shape.size()) - 1; d >= 0; --d) {
    if (++index[d] < shape[d])
      return;
    index[d] = 0;
  }
}

FoldStatus NodeFolder::foldElementwise(
    llvm::ArrayRef<const ConstTensor *> operands, DType resultType,
    const std::function<void(ConstTensor &, int64_t, llvm::ArrayRef<int64_t>)>
        &compute) {
  llvm::SmallVector<int64_t> shape;
  for (const ConstTensor *operand : operands) {
    auto broadcast = broadcastShapes(shape, operand->getShape());
    if (!broadcast)
      return fail("operand shapes cannot be broadcast together");
    shape = *broadcast;
  }
  ConstTensor *result = makeResult(resultType, shape);
  if (!result)
    return FoldStatus::NotFolded;
  llvm::SmallVector<int64_t> index(shape.size(), 0);
  llvm::SmallVector<int64_t> sourceIndices(operands.size());
  for (int64_t flat = 0; flat < result->getNumElements(); ++flat) {
    for (auto [i, operand] : llvm::enumerate(operands))
      sourceIndices[i] = broadcastSourceIndex(index, operand->getShape());
    compute(*result, flat, sourceIndices);
    incrementIndex(index, shape);
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldBinaryArithmetic(llvm::StringRef op) {
  if (requireInputs(2) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &lhs = *input(0), &rhs = *input(1);
  if (op != "Pow" && lhs.getDType() != rhs.getDType())
    return fail("operand dtypes differ");
  bool isFloat = isFloatDType(lhs.getDType());
  bool divByZero = false;
  FoldStatus status = foldElementwise(
      {&lhs, &rhs}, lhs.getDType(),
      [&](ConstTensor &out, int64_t flat, llvm::ArrayRef<int64_t> src) {
        if (isFloat || op == "Pow") {
          double a = lhs.getDouble(src[0]), b = rhs.getDouble(src[1]);
          double value = op == "Add"   ? a + b
                         : op == "Sub" ? a - b
                         : op == "Mul" ? a * b
                         : op == "Div" ? a / b
                         : op == "Pow" ? std::pow(a, b)
                         : op == "Max" ? std::max(a, b)
                                       : std::min(a, b);
          if (isFloat)
            out.setDouble(flat, value);
          else
            out.setInt(flat, int64_t(std::llround(value)));
          return;
        }
        int64_t a = lhs.getInt(src[0]), b = rhs.getInt(src[1]);
        int64_t value = 0;
        if (op == "Add")
          llvm::AddOverflow(a, b, value);
        else if (op == "Sub")
          llvm::SubOverflow(a, b, value);
        else if (op == "Mul")
          llvm::MulOverflow(a, b, value);
        else if (op == "Div" || op == "Mod") {
          if (b == 0 || (a == INT64_MIN && b == -1)) {
            divByZero = true;
            return;
          }
          if (op == "Div") {
            value = a / b;
          } else {
            // ONNX Mod with fmod=0 takes the sign of the divisor.
            value = a % b;
            if (value != 0 && ((value < 0) != (b < 0)))
              value += b;
          }
        } else if (op == "Max")
          value = std::max(a, b);
        else
          value = std::min(a, b);
        out.setInt(flat, value);
      });
  if (divByZero)
    return fail("integer division by zero");
  return status;
}

FoldStatus NodeFolder::foldComparison(llvm::StringRef op) {
  if (requireInputs(2) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &lhs = *input(0), &rhs = *input(1);
  bool isFloat = isFloatDType(lhs.getDType());
  return foldElementwise(
      {&lhs, &rhs}, DType::Bool,
      [&](ConstTensor &out, int64_t flat, llvm::ArrayRef<int64_t> src) {
        bool value;
        if (isFloat) {
          double a = lhs.getDouble(src[0]), b = rhs.getDouble(src[1]);
          value = op == "Equal"     ? a == b
                  : op == "Less"    ? a < b
                  : op == "Greater" ? a > b
                  : op == "LessOrEqual" ? a <= b
                                        : a >= b;
        } else {
          int64_t a = lhs.getInt(src[0]), b = rhs.getInt(src[1]);
          value = op == "Equal"     ? a == b
                  : op == "Less"    ? a < b
                  : op == "Greater" ? a > b
                  : op == "And"     ? (a && b)
                  : op == "Or"      ? (a || b)
                  : op == "Xor"     ? (bool(a) != bool(b))
                  : op == "LessOrEqual" ? a <= b
                                        : a >= b;
        }
        out.setInt(flat, value);
      });
}

FoldStatus NodeFolder::foldUnary(llvm::StringRef op) {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &x = *input(0);
  bool isFloat = isFloatDType(x.getDType());
  return foldElementwise(
      {&x}, x.getDType(),
      [&](ConstTensor &out, int64_t flat, llvm::ArrayRef<int64_t> src) {
        if (op == "Not") {
          out.setInt(flat, !x.getInt(src[0]));
          return;
        }
        if (!isFloat && (op == "Neg" || op == "Abs")) {
          int64_t v = x.getInt(src[0]);
          out.setInt(flat, op == "Neg" ? (v == INT64_MIN ? v : -v)
                                       : (v < 0 && v != INT64_MIN ? -v : v));
          return;
        }
        double v = x.getDouble(src[0]);
        double value = op == "Neg"          ? -v
                       : op == "Abs"        ? std::fabs(v)
                       : op == "Sqrt"       ? std::sqrt(v)
                       : op == "Reciprocal" ? 1.0 / v
                       : op == "Floor"      ? std::floor(v)
                       : op == "Ceil"       ? std::ceil(v)
                       : op == "Exp"        ? std::exp(v)
                       : op == "Log"        ? std::log(v)
                                            : v;
        out.setDouble(flat, value);
      });
}

FoldStatus NodeFolder::foldReshapeTo(const ConstTensor &data,
                                     llvm::ArrayRef<int64_t> shape) {
  ConstTensor *result = makeResult(data.getDType(), shape);
  if (!result)
    return FoldStatus::NotFolded;
  if (result->getNumElements() != data.getNumElements())
    return fail("element count changes");
  bool isFloat = isFloatDType(data.getDType());
  for (int64_t i = 0; i < result->getNumElements(); ++i) {
    if (isFloat)
      result->setDouble(i, data.getDouble(i));
    else
      result->setInt(i, data.getInt(i));
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldUnsqueeze() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  llvm::SmallVector<int64_t> axes =
      opset >= 13 ? intsOf(1)
                  : getIntsAttr(node, "axes").value_or(
                        llvm::SmallVector<int64_t>());
  auto shape = unsqueezeShape(input(0)->getShape(), axes);
  if (!shape)
    return fail(llvm::toString(shape.takeError()));
  return foldReshapeTo(*input(0), *shape);
}

FoldStatus NodeFolder::foldSqueeze() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  std::optional<llvm::SmallVector<int64_t>> axes =
      opset >= 13 ? (input(1) ? std::optional(intsOf(1)) : std::nullopt)
                  : getIntsAttr(node, "axes");
  auto shape = squeezeShape(input(0)->getShape(), axes);
  if (!shape)
    return fail(llvm::toString(shape.takeError()));
  return foldReshapeTo(*input(0), *shape);
}

FoldStatus NodeFolder::foldConcat() {
  if (inputs.empty() || requireInputs(inputs.size()) == FoldStatus::Failed)
    return fail("needs at least one input");
  const ConstTensor &first = *input(0);
  std::optional<int64_t> axis =
      normalizeAxis(getIntAttr(node, "axis", 0), first.getRank());
  if (!axis)
    return fail("axis is out of range");
  llvm::SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (const ConstTensor *in : inputs) {
    if (in->getRank() != first.getRank() || in->getDType() != first.getDType())
      return fail("inputs differ in rank or dtype");
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != *axis && in->getShape()[d] != first.getShape()[d])
        return fail("inputs differ in dimension " + llvm::Twine(d));
    shape[*axis] += in->getShape()[*axis];
  }
  ConstTensor *result = makeResult(first.getDType(), shape);
  if (!result)
    return FoldStatus::NotFolded;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < *axis; ++d)
    outer *= shape[d];
  for (int64_t d = *axis + 1; d < int64_t(shape.size()); ++d)
    inner *= shape[d];
  int64_t flat = 0;
  bool isFloat = isFloatDType(first.getDType());
  for (int64_t o = 0; o < outer; ++o)
    for (const ConstTensor *in : inputs) {
      int64_t chunk = in->getShape()[*axis] * inner;
      for (int64_t i = 0; i < chunk; ++i, ++flat) {
        if (isFloat)
          result->setDouble(flat, in->getDouble(o * chunk + i));
        else
          result->setInt(flat, in->getInt(o * chunk + i));
      }
    }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldGather() {
  if (requireInputs(2) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &data = *input(0), &indices = *input(1);
  if (data.getRank() == 0)
    return fail("data must have rank >= 1");
  std::optional<int64_t> axis =
      normalizeAxis(getIntAttr(node, "axis", 0), data.getRank());
  if (!axis)
    return fail("axis is out of range");
  llvm::SmallVector<int64_t> shape(data.getShape().take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, data.getShape().drop_front(*axis + 1));
  ConstTensor *result = makeResult(data.getDType(), shape);
  if (!result)
    return FoldStatus::NotFolded;
  int64_t outer = 1, inner = 1, axisDim = data.getShape()[*axis];
  for (int64_t d = 0; d < *axis; ++d)
    outer *= data.getShape()[d];
  for (int64_t d = *axis + 1; d < data.getRank(); ++d)
    inner *= data.getShape()[d];
  bool isFloat = isFloatDType(data.getDType());
  int64_t flat = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < indices.getNumElements(); ++k) {
      int64_t index = indices.getInt(k);
      if (index < -axisDim || index >= axisDim)
        return fail("index " + llvm::Twine(index) +
                    " is out of range for a dimension of size " +
                    llvm::Twine(axisDim));
      if (index < 0)
        index += axisDim;
      for (int64_t i = 0; i < inner; ++i, ++flat) {
        int64_t src = (o * axisDim + index) * inner + i;
        if (isFloat)
          result->setDouble(flat, data.getDouble(src));
        else
          result->setInt(flat, data.getInt(src));
      }
    }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldSlice() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &data = *input(0);
  llvm::SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = getIntsAttrOrEmpty(node, "starts");
    ends = getIntsAttrOrEmpty(node, "ends");
    axes = getIntsAttrOrEmpty(node, "axes");
  } else {
    if (requireInputs(3) == FoldStatus::Failed)
      return FoldStatus::Failed;
    starts = intsOf(1);
    ends = intsOf(2);
    axes = intsOf(3);
    steps = intsOf(4);
  }
  auto spec = resolveSlice(data.getShape(), starts, ends, axes, steps);
  if (!spec)
    return fail(llvm::toString(spec.takeError()));
  ConstTensor *result = makeResult(data.getDType(), spec->sizes);
  if (!result)
    return FoldStatus::NotFolded;
  llvm::SmallVector<int64_t> index(data.getRank(), 0);
  bool isFloat = isFloatDType(data.getDType());
  for (int64_t flat = 0; flat < result->getNumElements(); ++flat) {
    int64_t src = 0;
    for (int64_t d = 0; d < data.getRank(); ++d) {
      src = src * data.getShape()[d] + spec->starts[d] +
            index[d] * spec->steps[d];
    }
    if (isFloat)
      result->setDouble(flat, data.getDouble(src));
    else
      result->setInt(flat, data.getInt(src));
    incrementIndex(index, spec->sizes);
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldTranspose() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &data = *input(0);
  int64_t rank = data.getRank();
  llvm::SmallVector<int64_t> perm;
  if (auto attr = getIntsAttr(node, "perm"))
    perm = *attr;
  else
    for (int64_t d = rank - 1; d >= 0; --d)
      perm.push_back(d);
  if (int64_t(perm.size()) != rank)
    return fail("perm has the wrong length");
  llvm::SmallVector<bool> used(rank, false);
  llvm::SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= rank || used[p])
      return fail("perm is not a permutation");
    used[p] = true;
    shape.push_back(data.getShape()[p]);
  }
  ConstTensor *result = makeResult(data.getDType(), shape);
  if (!result)
    return FoldStatus::NotFolded;
  llvm::SmallVector<int64_t> strides(rank, 1);
  for (int64_t d = rank - 2; d >= 0; --d)
    strides[d] = strides[d + 1] * data.getShape()[d + 1];
  llvm::SmallVector<int64_t> index(rank, 0);
  bool isFloat = isFloatDType(data.getDType());
  for (int64_t flat = 0; flat < result->getNumElements(); ++flat) {
    int64_t src = 0;
    for (int64_t d = 0; d < rank; ++d)
      src += index[d] * strides[perm[d]];
    if (isFloat)
      result->setDouble(flat, data.getDouble(src));
    else
      result->setInt(flat, data.getInt(src));
    incrementIndex(index, shape);
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldExpand() {
  if (requireInputs(2) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &data = *input(0);
  auto shape = broadcastShapes(data.getShape(), intsOf(1));
  if (!shape)
    return fail("shape cannot be broadcast");
  ConstTensor shaped = ConstTensor::view(data.getDType(), *shape, {}, nullptr);
  bool isFloat = isFloatDType(data.getDType());
  return foldElementwise(
      {&data, &shaped}, data.getDType(),
      [&](ConstTensor &out, int64_t flat, llvm::ArrayRef<int64_t> src) {
        if (isFloat)
          out.setDouble(flat, data.getDouble(src[0]));
        else
          out.setInt(flat, data.getInt(src[0]));
      });
}

FoldStatus NodeFolder::foldConstantOfShape() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  llvm::SmallVector<int64_t> shape = intsOf(0);
  if (int64_t(shape.size()) > kMaxRank)
    return fail("rank exceeds the maximum of " + llvm::Twine(kMaxRank));
  for (int64_t dim : shape)
    if (dim < 0)
      return fail("shape has a negative dimension");
  DType type = DType::F32;
  std::optional<ConstTensor> fill;
  if (const onnx::AttributeProto *value = findAttr(node, "value")) {
    auto decoded = decodeTensorProto(value->t(), "attribute 'value'",
                                     ExternalDataContext(), nullptr);
    if (!decoded)
      return fail(llvm::toString(decoded.takeError()));
    if (decoded->getNumElements() != 1)
      return fail("attribute 'value' must hold exactly one element");
    type = decoded->getDType();
    fill = std::move(*decoded);
  }
  ConstTensor *result = makeResult(type, shape);
  if (!result)
    return FoldStatus::NotFolded;
  if (fill)
    for (int64_t i = 0; i < result->getNumElements(); ++i) {
      if (isFloatDType(type))
        result->setDouble(i, fill->getDouble(0));
      else
        result->setInt(i, fill->getInt(0));
    }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldRange() {
  if (requireInputs(3) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &start = *input(0), &limit = *input(1), &delta = *input(2);
  if (start.getNumElements() != 1 || limit.getNumElements() != 1 ||
      delta.getNumElements() != 1)
    return fail("start, limit and delta must be scalars");
  DType type = start.getDType();
  double first = start.getDouble(0), last = limit.getDouble(0),
         step = delta.getDouble(0);
  if (step == 0 || !std::isfinite(first) || !std::isfinite(last) ||
      !std::isfinite(step))
    return fail("delta must be non-zero and all values finite");
  double count = std::ceil((last - first) / step);
  if (count > double(elementLimit)) {
    tooLarge = true;
    return FoldStatus::NotFolded;
  }
  int64_t n = count > 0 ? int64_t(count) : 0;
  ConstTensor *result = makeResult(type, {n});
  if (!result)
    return FoldStatus::NotFolded;
  for (int64_t i = 0; i < n; ++i) {
    if (isFloatDType(type))
      result->setDouble(i, first + double(i) * step);
    else
      result->setInt(i, start.getInt(0) + i * delta.getInt(0));
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldReduce(llvm::StringRef op) {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &data = *input(0);
  bool axesFromInput = op == "ReduceSum" ? opset >= 13 : opset >= 18;
  std::optional<llvm::SmallVector<int64_t>> axes =
      axesFromInput ? (input(1) ? std::optional(intsOf(1)) : std::nullopt)
                    : getIntsAttr(node, "axes");
  bool keepDims = getIntAttr(node, "keepdims", 1) != 0;
  int64_t rank = data.getRank();
  llvm::SmallVector<bool> reduced(rank, !axes || axes->empty());
  if (axes && axes->empty() && getIntAttr(node, "noop_with_empty_axes", 0))
    reduced.assign(rank, false);
  if (axes)
    for (int64_t axis : *axes) {
      std::optional<int64_t> normalized = normalizeAxis(axis, rank);
      if (!normalized)
        return fail("axis " + llvm::Twine(axis) + " is out of range");
      reduced[*normalized] = true;
    }
  llvm::SmallVector<int64_t> shape, keptShape;
  for (int64_t d = 0; d < rank; ++d) {
    keptShape.push_back(reduced[d] ? 1 : data.getShape()[d]);
    if (!reduced[d] || keepDims)
      shape.push_back(keptShape.back());
  }
  ConstTensor *result = makeResult(data.getDType(), shape);
  if (!result)
    return FoldStatus::NotFolded;
  int64_t outCount = result->getNumElements();
  std::vector<double> accumulators(outCount, op == "ReduceProd" ? 1.0 : 0.0);
  std::vector<bool> started(outCount, false);
  llvm::SmallVector<int64_t> index(rank, 0);
  for (int64_t flat = 0; flat < data.getNumElements(); ++flat) {
    int64_t out = broadcastSourceIndex(index, keptShape);
    double value = data.getDouble(flat);
    double &acc = accumulators[out];
    if (op == "ReduceProd")
      acc *= value;
    else if (op == "ReduceMax")
      acc = started[out] ? std::max(acc, value) : value;
    else if (op == "ReduceMin")
      acc = started[out] ? std::min(acc, value) : value;
    else
      acc += value;
    started[out] = true;
    incrementIndex(index, data.getShape());
  }
  int64_t perOutput = outCount ? data.getNumElements() / outCount : 1;
  for (int64_t i = 0; i < outCount; ++i) {
    double value = accumulators[i];
    if (op == "ReduceMean")
      value /= double(perOutput ? perOutput : 1);
    result->setDouble(i, value);
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::foldWhere() {
  if (requireInputs(3) == FoldStatus::Failed)
    return FoldStatus::Failed;
  const ConstTensor &cond = *input(0), &x = *input(1), &y = *input(2);
  if (x.getDType() != y.getDType())
    return fail("X and Y dtypes differ");
  bool isFloat = isFloatDType(x.getDType());
  return foldElementwise(
      {&cond, &x, &y}, x.getDType(),
      [&](ConstTensor &out, int64_t flat, llvm::ArrayRef<int64_t> src) {
        const ConstTensor &chosen = cond.getInt(src[0]) ? x : y;
        int64_t at = cond.getInt(src[0]) ? src[1] : src[2];
        if (isFloat)
          out.setDouble(flat, chosen.getDouble(at));
        else
          out.setInt(flat, chosen.getInt(at));
      });
}

FoldStatus NodeFolder::foldCast() {
  if (requireInputs(1) == FoldStatus::Failed)
    return FoldStatus::Failed;
  int64_t to = getIntAttr(node, "to", 0);
  std::optional<DType> type = dtypeFromONNX(int(to));
  if (!type)
    return fail("Cast to " + onnxDTypeName(int(to)) + " is not supported");
  const ConstTensor &x = *input(0);
  ConstTensor *result = makeResult(*type, x.getShape());
  if (!result)
    return FoldStatus::NotFolded;
  for (int64_t i = 0; i < x.getNumElements(); ++i) {
    if (isFloatDType(x.getDType()))
      result->setDouble(i, x.getDouble(i));
    else
      result->setInt(i, x.getInt(i));
  }
  return FoldStatus::Folded;
}

FoldStatus NodeFolder::fold() {
  llvm::StringRef op = node.op_type();
  for (const ConstTensor *in : inputs) {
    if (!in)
      continue;
    if (in->getRank() > kMaxRank)
      return fail("input rank exceeds the maximum");
    // Empty tensors may have huge dims; bounding every dim keeps the index
    // arithmetic below (products of dims, concatenated sizes) in int64.
    for (int64_t dim : in->getShape())
      if (dim > (int64_t(1) << 40)) {
        tooLarge = true;
        return FoldStatus::NotFolded;
      }
  }
  if (op == "Identity") {
    if (requireInputs(1) == FoldStatus::Failed)
      return FoldStatus::Failed;
    results.push_back(*input(0));
    return FoldStatus::Folded;
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Mod" || op == "Pow" ||
      ((op == "Max" || op == "Min") && inputs.size() == 2))
    return foldBinaryArithmetic(op);
  if (op == "Equal" || op == "Less" || op == "Greater" ||
      op == "LessOrEqual" || op == "GreaterOrEqual" || op == "And" ||
      op == "Or" || op == "Xor")
    return foldComparison(op);
  if (op == "Neg" || op == "Abs" || op == "Sqrt" || op == "Reciprocal" ||
      op == "Floor" || op == "Ceil" || op == "Not" || op == "Exp" ||
      op == "Log")
    return foldUnary(op);
  if (op == "Unsqueeze")
    return foldUnsqueeze();
  if (op == "Squeeze")
    return foldSqueeze();
  if (op == "Concat")
    return foldConcat();
  if (op == "Gather")
    return foldGather();
  if (op == "Slice")
    return foldSlice();
  if (op == "Transpose")
    return foldTranspose();
  if (op == "Expand")
    return foldExpand();
  if (op == "ConstantOfShape")
    return foldConstantOfShape();
  if (op == "Range")
    return foldRange();
  if (op == "Where")
    return foldWhere();
  if (op == "Cast")
    return foldCast();
  if (op == "ReduceProd" || op == "ReduceSum" || op == "ReduceMean" ||
      op == "ReduceMax" || op == "ReduceMin")
    return foldReduce(op);
  if (op == "Reshape") {
    if (requireInputs(2) == FoldStatus::Failed)
      return FoldStatus::Failed;
    auto shape = resolveReshape(input(0)->getShape(), intsOf(1),
                                getIntAttr(node, "allowzero", 0) != 0);
    if (!shape)
      return fail(llvm::toString(shape.takeError()));
    return foldReshapeTo(*input(0), *shape);
  }
  if (op == "Flatten") {
    if (requireInputs(1) == FoldStatus::Failed)
      return FoldStatus::Failed;
    const ConstTensor &data = *input(0);
    std::optional<int64_t> axis =
        normalizeAxis(getIntAttr(node, "axis", 1), data.getRank(), true);
    if (!axis)
      return fail("axis is out of range");
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < data.getRank(); ++d)
      (d < *axis ? outer : inner) *= data.getShape()[d];
    return foldReshapeTo(data, {outer, inner});
  }
  return FoldStatus::NotFolded;
}

FoldStatus mlir::npu::onnx_import::foldConstantNode(
    const onnx::NodeProto &node, llvm::ArrayRef<const ConstTensor *> inputs,
    int64_t opset, int64_t elementLimit,
    llvm::SmallVectorImpl<ConstTensor> &results, std::string &error,
    bool &tooLarge) {
  tooLarge = false;
  NodeFolder folder(node, inputs, opset, elementLimit, results, error,
                    tooLarge);
  FoldStatus status = folder.fold();
  if (status != FoldStatus::Folded)
    results.clear();
  return status;
}
