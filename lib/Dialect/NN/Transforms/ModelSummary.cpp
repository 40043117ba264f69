//===- ModelSummary.cpp - print a model summary of nn functions -----------===//
//
// The `nn-model-summary` pass: a read-only report of what a model is — its
// interface, its op mix, how many parameters it carries and how much compute
// (multiply-accumulates) one inference costs. It is what a user wants to see
// right after importing a model, and it works on models of any size because
// it only looks at types: weight blobs are never read.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NN/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::nn {
#define GEN_PASS_DEF_NNMODELSUMMARY
#include "npu/Dialect/NN/Transforms/Passes.h.inc"
} // namespace mlir::nn

using namespace mlir;
using namespace mlir::nn;

namespace {
/// Saturating product: the counts below are reported, never used for
/// allocation, so saturation (shown as ">=") is the right overflow policy.
uint64_t product(ArrayRef<int64_t> dims, bool &saturated) {
  uint64_t result = 1;
  for (int64_t dim : dims) {
    bool overflow = false;
    result =
        llvm::SaturatingMultiply(result, static_cast<uint64_t>(dim), &overflow);
    saturated |= overflow;
  }
  return result;
}

/// Saturating `lhs * rhs`.
uint64_t multiply(uint64_t lhs, uint64_t rhs, bool &saturated) {
  bool overflow = false;
  uint64_t result = llvm::SaturatingMultiply(lhs, rhs, &overflow);
  saturated |= overflow;
  return result;
}

/// Multiply-accumulates of one matmul-like op, or std::nullopt for ops that
/// do none.
std::optional<uint64_t> countMacs(Operation *op, bool &saturated) {
  auto shapeOf = [](Value value) {
    return cast<RankedTensorType>(value.getType()).getShape();
  };
  if (auto matmul = dyn_cast<MatMulOp>(op)) {
    // Every result element is a dot product of length K.
    return multiply(product(matmul.getType().getShape(), saturated),
                    shapeOf(matmul.getA()).back(), saturated);
  }
  if (auto gemm = dyn_cast<GemmOp>(op)) {
    ArrayRef<int64_t> aShape = shapeOf(gemm.getA());
    int64_t k = gemm.getTransA() ? aShape[0] : aShape[1];
    ArrayRef<int64_t> resultShape = gemm.getType().getShape();
    return product({resultShape[0], resultShape[1], k}, saturated);
  }
  if (auto conv = dyn_cast<ConvOp>(op)) {
    // Each output element reads C/group input channels times the kernel.
    ArrayRef<int64_t> weightShape = shapeOf(conv.getWeight());
    uint64_t perOutput = product(weightShape.drop_front(1), saturated);
    return multiply(product(conv.getType().getShape(), saturated), perOutput,
                    saturated);
  }
  if (auto convT = dyn_cast<ConvTransposeOp>(op)) {
    // Each input element scatters into M/group output channels times the
    // kernel.
    ArrayRef<int64_t> weightShape = shapeOf(convT.getWeight());
    uint64_t perInput = product(weightShape.drop_front(1), saturated);
    return multiply(product(shapeOf(convT.getInput()), saturated), perInput,
                    saturated);
  }
  return std::nullopt;
}

/// "1.82 G" style rendering next to exact counts.
std::string humanCount(uint64_t value, bool binary = false) {
  const char *units[] = {"", " K", " M", " G", " T", " P", " E"};
  const char *binaryUnits[] = {" B",   " KiB", " MiB", " GiB",
                               " TiB", " PiB", " EiB"};
  double scaled = static_cast<double>(value);
  double base = binary ? 1024.0 : 1000.0;
  unsigned unit = 0;
  while (scaled >= base && unit < 6) {
    scaled /= base;
    ++unit;
  }
  std::string text;
  llvm::raw_string_ostream os(text);
  if (unit == 0)
    os << value << (binary ? binaryUnits[0] : units[0]);
  else
    os << llvm::format("%.2f", scaled)
       << (binary ? binaryUnits[unit] : units[unit]);
  return text;
}

/// The source name of an op: the first NameLoc in its location (the ONNX
/// node name for imported models), or "-".
std::string sourceName(Location loc) {
  std::string name = "-";
  loc->walk([&](Location inner) {
    if (auto nameLoc = dyn_cast<NameLoc>(inner)) {
      name = nameLoc.getName().str();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

/// Storage bytes of one element: i1 takes a byte.
uint64_t elementBytes(Type elementType) {
  return std::max<uint64_t>(1, (elementType.getIntOrFloatBitWidth() + 7) / 8);
}

struct NNModelSummaryPass
    : public nn::impl::NNModelSummaryBase<NNModelSummaryPass> {
  using Base::Base;

  void runOnOperation() override {
    llvm::raw_ostream &os = llvm::outs();
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      summarize(func, os);
    }
    os.flush();
    markAllAnalysesPreserved();
  }

  void summarize(func::FuncOp func, llvm::raw_ostream &os) {
    os << "model summary: @" << func.getSymName() << "\n";
    FunctionType type = func.getFunctionType();
    os << "  inputs: " << type.getNumInputs() << "\n";
    for (auto [index, input] : llvm::enumerate(type.getInputs())) {
      os << "    #" << index;
      if (auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name"))
        os << " " << name.getValue();
      os << ": " << input << "\n";
    }
    os << "  outputs: " << type.getNumResults() << "\n";
    for (auto [index, result] : llvm::enumerate(type.getResults())) {
      os << "    #" << index;
      if (auto name = func.getResultAttrOfType<StringAttr>(index, "nn.name"))
        os << " " << name.getValue();
      os << ": " << result << "\n";
    }

    llvm::MapVector<StringRef, uint64_t> opCounts;
    llvm::MapVector<StringRef, uint64_t> macsPerKind;
    uint64_t totalOps = 0, parameters = 0, parameterBytes = 0, tensors = 0;
    uint64_t totalMacs = 0;
    bool saturated = false;
    struct Layer {
      Operation *op;
      uint64_t macs;
    };
    SmallVector<Layer> layers;
    func.walk([&](Operation *op) {
      if (op == func || op->hasTrait<OpTrait::IsTerminator>())
        return;
      ++totalOps;
      ++opCounts[op->getName().getStringRef()];
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        auto valueType = cast<RankedTensorType>(constant.getType());
        uint64_t count = product(valueType.getShape(), saturated);
        if (count > 1) {
          bool overflow = false;
          parameters = llvm::SaturatingAdd(parameters, count, &overflow);
          uint64_t bytes = llvm::SaturatingMultiply(
              count, elementBytes(valueType.getElementType()), &overflow);
          parameterBytes =
              llvm::SaturatingAdd(parameterBytes, bytes, &overflow);
          saturated |= overflow;
          ++tensors;
        }
      }
      if (std::optional<uint64_t> macs = countMacs(op, saturated)) {
        bool overflow = false;
        totalMacs = llvm::SaturatingAdd(totalMacs, *macs, &overflow);
        uint64_t &kind = macsPerKind[op->getName().getStringRef()];
        kind = llvm::SaturatingAdd(kind, *macs, &overflow);
        saturated |= overflow;
        layers.push_back({op, *macs});
      }
    });

    // Most frequent first; ties by name, so the output is deterministic.
    auto sortedCounts = opCounts.takeVector();
    llvm::sort(sortedCounts, [](const auto &lhs, const auto &rhs) {
      return lhs.second != rhs.second ? lhs.second > rhs.second
                                      : lhs.first < rhs.first;
    });
    os << "  ops: " << totalOps << "\n";
    for (auto &[name, count] : sortedCounts)
      os << "    " << llvm::left_justify(name, 24) << " " << count << "\n";
    const char *prefix = saturated ? ">= " : "";
    os << "  parameters: " << prefix << parameters << " ("
       << humanCount(parameters) << ") in " << tensors << " tensors, " << prefix
       << parameterBytes << " bytes (" << humanCount(parameterBytes, true)
       << ")\n";
    os << "  MACs: " << prefix << totalMacs << " (" << humanCount(totalMacs)
       << ")\n";
    for (auto &[name, macs] : macsPerKind)
      os << "    " << llvm::left_justify(name, 24) << " " << macs << "\n";
    if (!perLayer)
      return;
    os << "  layers: " << layers.size() << "\n";
    for (const Layer &layer : layers) {
      os << "    " << llvm::left_justify(layer.op->getName().getStringRef(), 18)
         << " " << llvm::right_justify(std::to_string(layer.macs), 14) << "  "
         << sourceName(layer.op->getLoc()) << " -> "
         << layer.op->getResultTypes() << "\n";
    }
  }
};
} // namespace
