//===- NNBuildersTest.cpp - nn builders infer types and fold --------------===//
//
// The C++ side of the nn dialect as the ONNX importer and later passes use
// it: builders that take no result type, silent shape functions, folders
// through createOrFold, and constant materialization.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/IR/NN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::nn;

namespace {
class NNBuildersTest : public ::testing::Test {
protected:
  NNBuildersTest() : builder(&context) {
    context.loadDialect<NNDialect, func::FuncDialect>();
    loc = builder.getUnknownLoc();
    module = ModuleOp::create(loc);
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A function argument of the given type, to feed ops.
  Value makeArgument(ArrayRef<int64_t> shape, Type elementType) {
    auto type = RankedTensorType::get(shape, elementType);
    if (!func) {
      func = func::FuncOp::create(builder, loc, "f",
                                  builder.getFunctionType({}, {}));
      builder.setInsertionPointToStart(func.addEntryBlock());
    }
    return func.getBody().addArgument(type, loc);
  }

  MLIRContext context;
  OpBuilder builder;
  Location loc = UnknownLoc::get(&context);
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
};

TEST_F(NNBuildersTest, BroadcastingBinaryInfersResultType) {
  Value a = makeArgument({4, 1, 3}, builder.getF32Type());
  Value b = makeArgument({5, 1}, builder.getF32Type());
  auto add = AddOp::create(builder, loc, a, b);
  EXPECT_EQ(add.getType(),
            RankedTensorType::get({4, 5, 3}, builder.getF32Type()));
  EXPECT_TRUE(succeeded(verify(add)));
}

TEST_F(NNBuildersTest, ConvWithAndWithoutBias) {
  Value x = makeArgument({2, 8, 15, 15}, builder.getBF16Type());
  Value w = makeArgument({16, 4, 3, 3}, builder.getBF16Type());
  Value bias = makeArgument({16}, builder.getBF16Type());
  auto conv = ConvOp::create(builder, loc, x, w, bias,
                             /*kernel_shape=*/ArrayRef<int64_t>{},
                             /*strides=*/ArrayRef<int64_t>{2, 2},
                             /*pads=*/ArrayRef<int64_t>{1, 1, 1, 1},
                             /*dilations=*/ArrayRef<int64_t>{},
                             /*group=*/2);
  EXPECT_EQ(conv.getType(),
            RankedTensorType::get({2, 16, 8, 8}, builder.getBF16Type()));
  auto noBias = ConvOp::create(builder, loc, x, w, Value(), ArrayRef<int64_t>{},
                               ArrayRef<int64_t>{}, ArrayRef<int64_t>{},
                               ArrayRef<int64_t>{}, 2);
  EXPECT_EQ(noBias.getType(),
            RankedTensorType::get({2, 16, 13, 13}, builder.getBF16Type()));
  EXPECT_TRUE(succeeded(verify(conv)));
  EXPECT_TRUE(succeeded(verify(noBias)));
}

TEST_F(NNBuildersTest, SplitInfersOneTypePerSize) {
  Value x = makeArgument({6, 4}, builder.getI64Type());
  auto split =
      SplitOp::create(builder, loc, x, /*axis=*/0, ArrayRef<int64_t>{1, 2, 3});
  ASSERT_EQ(split.getNumResults(), 3u);
  EXPECT_EQ(split.getResult(2).getType(),
            RankedTensorType::get({3, 4}, builder.getI64Type()));
}

TEST_F(NNBuildersTest, ShapeFunctionIsSilentWithoutEmitter) {
  Value a = makeArgument({2, 3}, builder.getF32Type());
  Value b = makeArgument({4, 5}, builder.getF32Type());
  int diagnostics = 0;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &) {
    ++diagnostics;
    return success();
  });
  SmallVector<Type> inferred;
  EXPECT_TRUE(failed(MatMulOp::inferReturnTypes(
      &context, loc, ValueRange{a, b}, DictionaryAttr::get(&context),
      OpaqueProperties(nullptr), RegionRange(), inferred)));
  EXPECT_EQ(diagnostics, 0);
}

TEST_F(NNBuildersTest, VerifierReportsShapeFunctionErrors) {
  Value a = makeArgument({2, 3}, builder.getF32Type());
  Value b = makeArgument({4, 5}, builder.getF32Type());
  // Build with an explicit (wrong) result type: inference is not consulted.
  auto matmul = MatMulOp::create(
      builder, loc, RankedTensorType::get({2, 5}, builder.getF32Type()), a, b);
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(verify(matmul)));
  EXPECT_EQ(message, "'nn.matmul' op contracting dimensions differ: 'a' has "
                     "3, 'b' has 4");
}

TEST_F(NNBuildersTest, CreateOrFoldCollapsesReshapeChains) {
  Value x = makeArgument({2, 3, 4}, builder.getF32Type());
  Value flat = builder.createOrFold<ReshapeOp>(loc, x, ArrayRef<int64_t>{24});
  Value back =
      builder.createOrFold<ReshapeOp>(loc, flat, ArrayRef<int64_t>{2, 3, 4});
  EXPECT_EQ(back, x);
  Value again =
      builder.createOrFold<ReshapeOp>(loc, flat, ArrayRef<int64_t>{6, 4});
  auto reshape = again.getDefiningOp<ReshapeOp>();
  ASSERT_TRUE(reshape);
  EXPECT_EQ(reshape.getInput(), x);
}

TEST_F(NNBuildersTest, ConstantFoldingMaterializesNNConstants) {
  makeArgument({1}, builder.getI64Type());
  auto type = RankedTensorType::get({3}, builder.getI64Type());
  auto lhs = ConstantOp::create(
      builder, loc, DenseElementsAttr::get(type, ArrayRef<int64_t>{1, 2, 3}));
  auto rhs = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(type, ArrayRef<int64_t>{10, 20, 30}));
  SmallVector<Value> results;
  builder.createOrFold<MulOp>(results, loc, lhs, rhs);
  ASSERT_EQ(results.size(), 1u);
  auto folded = results[0].getDefiningOp<ConstantOp>();
  ASSERT_TRUE(folded);
  EXPECT_EQ(cast<DenseElementsAttr>(folded.getValue()),
            DenseElementsAttr::get(type, ArrayRef<int64_t>{10, 40, 90}));
}
} // namespace
