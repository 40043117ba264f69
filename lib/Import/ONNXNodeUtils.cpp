//===- ONNXNodeUtils.cpp - ONNX node helpers for the importer -------------===//
//
// Attribute accessors and the shape arithmetic (axes, broadcasting, Reshape
// and Slice resolution) that both the graph importer and the constant folder
// need. All of it is checked: the inputs come from an untrusted file.
//
//===----------------------------------------------------------------------===//
#include "ONNXNodeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>

using namespace mlir::npu::onnx_import;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

const onnx::AttributeProto *
mlir::npu::onnx_import::findAttr(const onnx::NodeProto &node,
                                 llvm::StringRef name) {
  for (const auto &attr : node.attribute())
    if (attr.name() == name)
      return &attr;
  return nullptr;
}

int64_t mlir::npu::onnx_import::getIntAttr(const onnx::NodeProto &node,
                                           llvm::StringRef name,
                                           int64_t defaultValue) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr && attr->has_i() ? attr->i() : defaultValue;
}

float mlir::npu::onnx_import::getFloatAttr(const onnx::NodeProto &node,
                                           llvm::StringRef name,
                                           float defaultValue) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr && attr->has_f() ? attr->f() : defaultValue;
}

std::string mlir::npu::onnx_import::getStringAttr(const onnx::NodeProto &node,
                                                  llvm::StringRef name,
                                                  llvm::StringRef defaultValue) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  return attr && attr->has_s() ? attr->s() : std::string(defaultValue);
}

std::optional<llvm::SmallVector<int64_t>>
mlir::npu::onnx_import::getIntsAttr(const onnx::NodeProto &node,
                                    llvm::StringRef name) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  if (!attr)
    return std::nullopt;
  return llvm::SmallVector<int64_t>(attr->ints().begin(), attr->ints().end());
}

llvm::SmallVector<float>
mlir::npu::onnx_import::getFloatsAttrOrEmpty(const onnx::NodeProto &node,
                                             llvm::StringRef name) {
  const onnx::AttributeProto *attr = findAttr(node, name);
  if (!attr)
    return {};
  return llvm::SmallVector<float>(attr->floats().begin(),
                                  attr->floats().end());
}

std::optional<int64_t> mlir::npu::onnx_import::normalizeAxis(int64_t axis,
                                                             int64_t rank,
                                                             bool inclusive) {
  // Inclusive axes (Flatten) range over [-rank, rank]; -1 still means
  // rank - 1.
  int64_t upper = inclusive ? rank + 1 : rank;
  if (axis < -rank || axis >= upper)
    return std::nullopt;
  return axis < 0 ? axis + rank : axis;
}

std::optional<llvm::SmallVector<int64_t>>
mlir::npu::onnx_import::broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                                        llvm::ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  llvm::SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return std::nullopt;
    result[i] = l == 1 ? r : l;
  }
  return result;
}

static std::string formatShape(llvm::ArrayRef<int64_t> dims) {
  std::string text = "[";
  for (auto [i, d] : llvm::enumerate(dims))
    text += (i ? ", " : "") + std::to_string(d);
  return text + "]";
}

llvm::Expected<llvm::SmallVector<int64_t>>
mlir::npu::onnx_import::resolveReshape(llvm::ArrayRef<int64_t> inputShape,
                                       llvm::ArrayRef<int64_t> target,
                                       bool allowZero) {
  std::optional<int64_t> inputCount = checkedNumElements(inputShape);
  if (!inputCount)
    return makeError("input shape overflows");
  if (int64_t(target.size()) > kMaxRank)
    return makeError("target rank " + llvm::Twine(target.size()) +
                     " exceeds the maximum of " + llvm::Twine(kMaxRank));
  llvm::SmallVector<int64_t> result;
  std::optional<size_t> inferred;
  int64_t known = 1;
  for (auto [i, requested] : llvm::enumerate(target)) {
    int64_t dim = requested;
    if (dim == -1) {
      if (inferred)
        return makeError("shape " + formatShape(target) +
                         " has more than one -1");
      inferred = i;
      result.push_back(1);
      continue;
    }
    if (dim == 0 && !allowZero) {
      if (i >= inputShape.size())
        return makeError("shape " + formatShape(target) + " copies dim " +
                         llvm::Twine(i) + " which the input of rank " +
                         llvm::Twine(inputShape.size()) + " lacks");
      dim = inputShape[i];
    }
    if (dim < 0)
      return makeError("shape " + formatShape(target) +
                       " has a negative dimension");
    if (llvm::MulOverflow(known, dim, known))
      return makeError("shape " + formatShape(target) + " overflows");
    result.push_back(dim);
  }
  if (inferred) {
    if (known == 0 || *inputCount % known != 0)
      return makeError("cannot reshape " + formatShape(inputShape) + " to " +
                       formatShape(target));
    result[*inferred] = *inputCount / known;
  } else if (known != *inputCount) {
    return makeError("cannot reshape " + formatShape(inputShape) + " (" +
                     llvm::Twine(*inputCount) + " elements) to " +
                     formatShape(target) + " (" + llvm::Twine(known) +
                     " elements)");
  }
  return result;
}

llvm::Expected<SliceSpec> mlir::npu::onnx_import::resolveSlice(
    llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> starts,
    llvm::ArrayRef<int64_t> ends, llvm::ArrayRef<int64_t> axes,
    llvm::ArrayRef<int64_t> steps) {
  int64_t rank = shape.size();
  if (starts.size() != ends.size())
    return makeError("starts has " + llvm::Twine(starts.size()) +
                     " values but ends has " + llvm::Twine(ends.size()));
  if (!axes.empty() && axes.size() != starts.size())
    return makeError("axes has " + llvm::Twine(axes.size()) +
                     " values but starts has " + llvm::Twine(starts.size()));
  if (!steps.empty() && steps.size() != starts.size())
    return makeError("steps has " + llvm::Twine(steps.size()) +
                     " values but starts has " + llvm::Twine(starts.size()));
  SliceSpec spec;
  spec.starts.assign(rank, 0);
  spec.steps.assign(rank, 1);
  spec.sizes.assign(shape.begin(), shape.end());
  spec.ends.assign(shape.begin(), shape.end());
  llvm::SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < starts.size(); ++i) {
    int64_t rawAxis = axes.empty() ? int64_t(i) : axes[i];
    std::optional<int64_t> axis = normalizeAxis(rawAxis, rank);
    if (!axis)
      return makeError("axis " + llvm::Twine(rawAxis) +
                       " is out of range for rank " + llvm::Twine(rank));
    if (seen[*axis])
      return makeError("axis " + llvm::Twine(rawAxis) + " is repeated");
    seen[*axis] = true;
    int64_t step = steps.empty() ? 1 : steps[i];
    if (step == 0)
      return makeError("step is 0");
    int64_t dim = shape[*axis];
    // Clamp first so that the INT64_MAX/MIN sentinels exporters use never
    // overflow the arithmetic below.
    auto clampIndex = [&](int64_t index, int64_t lo, int64_t hi) {
      if (index < 0)
        index = index < -dim ? -1 : index + dim;
      return std::clamp(index, lo, hi);
    };
    int64_t start, end;
    if (step > 0) {
      start = clampIndex(starts[i], 0, dim);
      end = clampIndex(ends[i], 0, dim);
    } else {
      start = clampIndex(starts[i], -1, dim - 1);
      end = clampIndex(ends[i], -1, dim - 1);
    }
    int64_t size = 0;
    if (step > 0 && end > start)
      size = (end - start + step - 1) / step;
    else if (step < 0 && start > end)
      size = (start - end + (-step) - 1) / (-step);
    spec.starts[*axis] = start;
    spec.steps[*axis] = step;
    spec.sizes[*axis] = size;
    spec.ends[*axis] = end;
  }
  return spec;
}

llvm::Expected<llvm::SmallVector<int64_t>>
mlir::npu::onnx_import::unsqueezeShape(llvm::ArrayRef<int64_t> shape,
                                       llvm::ArrayRef<int64_t> axes) {
  size_t outRank = shape.size() + axes.size();
  if (outRank > size_t(kMaxRank))
    return makeError("result rank " + llvm::Twine(outRank) +
                     " exceeds the maximum of " + llvm::Twine(kMaxRank));
  llvm::SmallVector<bool> isNew(outRank, false);
  for (int64_t axis : axes) {
    std::optional<int64_t> normalized = normalizeAxis(axis, int64_t(outRank));
    if (!normalized || isNew[*normalized])
      return makeError("axis " + llvm::Twine(axis) +
                       " is out of range or repeated for result rank " +
                       llvm::Twine(outRank));
    isNew[*normalized] = true;
  }
  llvm::SmallVector<int64_t> result;
  const int64_t *inDim = shape.begin();
  for (size_t d = 0; d < outRank; ++d)
    result.push_back(isNew[d] ? 1 : *inDim++);
  return result;
}

llvm::Expected<llvm::SmallVector<int64_t>>
mlir::npu::onnx_import::squeezeShape(
    llvm::ArrayRef<int64_t> shape,
    const std::optional<llvm::SmallVector<int64_t>> &axes) {
  int64_t rank = shape.size();
  llvm::SmallVector<bool> drop(rank, false);
  // An empty axes list means "not given", as in onnxruntime.
  if (axes && !axes->empty()) {
    for (int64_t axis : *axes) {
      std::optional<int64_t> normalized = normalizeAxis(axis, rank);
      if (!normalized)
        return makeError("axis " + llvm::Twine(axis) +
                         " is out of range for rank " + llvm::Twine(rank));
      if (shape[*normalized] != 1)
        return makeError("cannot squeeze axis " + llvm::Twine(axis) +
                         " of size " + llvm::Twine(shape[*normalized]));
      drop[*normalized] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = shape[d] == 1;
  }
  llvm::SmallVector<int64_t> result;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      result.push_back(shape[d]);
  return result;
}
