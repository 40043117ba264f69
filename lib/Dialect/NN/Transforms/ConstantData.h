//===- ConstantData.h - reading and making f32 nn.constant data -*- C++ -*-===//
//
// The graph passes that rewrite weights at compile time (nn-fold-batch-norm,
// nn-fuse) read f32 constants and create new ones; this is their one copy of
// that code.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_DIALECT_NN_TRANSFORMS_CONSTANTDATA_H
#define NPU_LIB_DIALECT_NN_TRANSFORMS_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace mlir::nn {

/// The f32 values of `value` when it is an nn.constant whose data is
/// available (inline dense, or a dense_resource blob that was not elided
/// and holds exactly its type's elements). A splat is expanded only up to
/// 2^26 elements; larger ones read as unavailable.
std::optional<SmallVector<float>> readF32Constant(Value value);

/// An nn.constant of `type` holding `values` in a new dense_resource blob
/// named after `name` (the blob manager makes the name unique).
Value createF32BlobConstant(OpBuilder &builder, Location loc,
                            RankedTensorType type, ArrayRef<float> values,
                            StringRef name);

} // namespace mlir::nn

#endif // NPU_LIB_DIALECT_NN_TRANSFORMS_CONSTANTDATA_H
