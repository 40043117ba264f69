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

std::optional<SmallVector<float>> mlir::nn::readF32Constant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return std::nullopt;
  ElementsAttr attr = constant.getValue();
  if (!attr.getElementType().isF32())
    return std::nullopt;
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseF32ResourceElementsAttr>(attr)) {
    if (std::optional<ArrayRef<float>> data = resource.tryGetAsArrayRef())
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
