//===- NNShapeUtils.h - shape helpers for nn verifiers/folds ----*- C++ -*-===//
//
// Small, overflow-checked shape arithmetic used by the nn shape functions and
// folders. Private to lib/Dialect/NN/IR.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_DIALECT_NN_IR_NNSHAPEUTILS_H
#define NPU_LIB_DIALECT_NN_IR_NNSHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MathExtras.h"

#include <optional>
#include <string>

namespace mlir::nn::detail {

/// Product of `dims`, or std::nullopt when it overflows int64 or a dim is
/// negative.
inline std::optional<int64_t> checkedProduct(llvm::ArrayRef<int64_t> dims) {
  int64_t product = 1;
  for (int64_t dim : dims) {
    if (dim < 0 || llvm::MulOverflow(product, dim, product))
      return std::nullopt;
  }
  return product;
}

/// Numpy broadcast of two shapes; false when they are not broadcastable.
inline bool broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                            llvm::ArrayRef<int64_t> rhs,
                            llvm::SmallVectorImpl<int64_t> &result) {
  size_t rank = std::max(lhs.size(), rhs.size());
  result.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t l = i < rank - lhs.size() ? 1 : lhs[i - (rank - lhs.size())];
    int64_t r = i < rank - rhs.size() ? 1 : rhs[i - (rank - rhs.size())];
    if (l != r && l != 1 && r != 1)
      return false;
    result[i] = l == 1 ? r : l;
  }
  return true;
}

/// "[2, 3, 4]" for diagnostics.
inline std::string formatShape(llvm::ArrayRef<int64_t> dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(dims[i]);
  }
  return text + "]";
}

} // namespace mlir::nn::detail

#endif // NPU_LIB_DIALECT_NN_IR_NNSHAPEUTILS_H
