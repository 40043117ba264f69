//===- ConstantData.cpp - reading and making f32 nn.constant data ---------===//
//
// Shared by the graph passes that rewrite weights at compile time.
//
//===----------------------------------------------------------------------===//
#include "ConstantData.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/IR/DialectResourceBlobManager.h"

using namespace mlir;
using namespace mlir::nn;

/// 2^26 floats (256 MiB): above the largest weight tensors of the models
/// the chip runs, far below what a 2 GiB process can copy.
static constexpr int64_t kMaxSplatExpansion = int64_t(1) << 26;

std::optional<SmallVector<float>> mlir::nn::readF32Constant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  if (!attr.getElementType().isF32())
    return std::nullopt;
  int64_t count = attr.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    // A splat's type may claim more elements than memory holds: expanded
    // only up to a size real weights have.
    if (dense.isSplat() && count > kMaxSplatExpansion)
      return std::nullopt;
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  // MLIR accepts a blob of another size than its type: such data is not read.
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef();
    if (data && int64_t(data->size()) == count)
      return SmallVector<float>(data->begin(), data->end());
  }
  return std::nullopt;
}

Value mlir::nn::createF32BlobConstant(OpBuilder &builder, Location loc,
                                      RankedTensorType type,
                                      ArrayRef<float> values, StringRef name) {
  ArrayRef<char> bytes(reinterpret_cast<const char *>(values.data()),
                       values.size() * sizeof(float));
  AsmResourceBlob blob =
      HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes, alignof(int64_t));
  auto attr = DenseResourceElementsAttr::get(type, name, std::move(blob));
  return ConstantOp::create(builder, loc, type, attr);
}
