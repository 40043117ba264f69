//===- ONNXNodeUtils.h - ONNX node helpers for the importer -----*- C++ -*-===//
//
// Private to lib/Import: attribute accessors on NodeProto, axis and shape
// helpers shared by the graph importer and the constant folder, and the
// constant folder's entry point.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_IMPORT_ONNXNODEUTILS_H
#define NPU_LIB_IMPORT_ONNXNODEUTILS_H

#include "ONNXTensors.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include "onnx/onnx_pb.h"

#include <optional>
#include <string>

namespace mlir::npu::onnx_import {

/// The attribute `name` of `node`, or null.
const onnx::AttributeProto *findAttr(const onnx::NodeProto &node,
                                     llvm::StringRef name);
int64_t getIntAttr(const onnx::NodeProto &node, llvm::StringRef name,
                   int64_t defaultValue);
float getFloatAttr(const onnx::NodeProto &node, llvm::StringRef name,
                   float defaultValue);
std::string getStringAttr(const onnx::NodeProto &node, llvm::StringRef name,
                          llvm::StringRef defaultValue);
std::optional<llvm::SmallVector<int64_t>>
getIntsAttr(const onnx::NodeProto &node, llvm::StringRef name);
/// The ints attribute `name` of `node`, or an empty list when it is absent.
inline llvm::SmallVector<int64_t>
getIntsAttrOrEmpty(const onnx::NodeProto &node, llvm::StringRef name) {
  return getIntsAttr(node, name).value_or(llvm::SmallVector<int64_t>());
}

/// The floats attribute `name` of `node`, or an empty list.
llvm::SmallVector<float> getFloatsAttrOrEmpty(const onnx::NodeProto &node,
                                              llvm::StringRef name);

/// Normalizes `axis` into [0, rank) (or [0, rank] with `inclusive`);
/// nullopt when out of range.
std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                     bool inclusive = false);

/// Numpy-style broadcast of two shapes; nullopt if incompatible.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Resolves an ONNX Reshape target (0 copies the input dim unless
/// `allowZero`, one -1 is inferred). Returns an error message on failure.
llvm::Expected<llvm::SmallVector<int64_t>>
resolveReshape(llvm::ArrayRef<int64_t> inputShape,
               llvm::ArrayRef<int64_t> target, bool allowZero);

/// The result shape of Unsqueeze with `axes` (relative to the result rank).
llvm::Expected<llvm::SmallVector<int64_t>>
unsqueezeShape(llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<int64_t> axes);

/// The result shape of Squeeze; without `axes` every size-1 dim goes.
llvm::Expected<llvm::SmallVector<int64_t>>
squeezeShape(llvm::ArrayRef<int64_t> shape,
             const std::optional<llvm::SmallVector<int64_t>> &axes);

/// A normalized Slice: per-dimension start, step and element count.
struct SliceSpec {
  llvm::SmallVector<int64_t> starts, steps, sizes;
  /// The ONNX-style normalized attributes: absolute `ends` (exclusive, may be
  /// -1 for negative steps running past 0) and axes covering every dim.
  llvm::SmallVector<int64_t> ends;
};

/// Normalizes ONNX Slice arguments against `shape` (negative indices,
/// clamping, default axes/steps). Returns an error message on failure.
llvm::Expected<SliceSpec> resolveSlice(llvm::ArrayRef<int64_t> shape,
                                       llvm::ArrayRef<int64_t> starts,
                                       llvm::ArrayRef<int64_t> ends,
                                       llvm::ArrayRef<int64_t> axes,
                                       llvm::ArrayRef<int64_t> steps);

/// Outcome of trying to evaluate a node at import time.
enum class FoldStatus {
  /// The op is not evaluated by the folder (or its result would be larger
  /// than the limit): import it as a runtime op.
  NotFolded,
  /// `results` holds the node's outputs.
  Folded,
  /// The node's inputs or attributes are invalid; `error` says why.
  Failed,
};

/// Evaluates `node` whose inputs are all known. `inputs[i]` is null for an
/// absent optional input. Results with more than `elementLimit` elements are
/// not computed (NotFolded, with `tooLarge` set).
FoldStatus foldConstantNode(const onnx::NodeProto &node,
                            llvm::ArrayRef<const ConstTensor *> inputs,
                            int64_t opset, int64_t elementLimit,
                            llvm::SmallVectorImpl<ConstTensor> &results,
                            std::string &error, bool &tooLarge);

} // namespace mlir::npu::onnx_import

#endif // NPU_LIB_IMPORT_ONNXNODEUTILS_H
