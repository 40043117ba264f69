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
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
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

/// One interface entry (input or output) of a function.
struct Port {
  std::string name;
  Type type;
};

/// A matmul-like op and its multiply-accumulates.
struct Layer {
  Operation *op;
  uint64_t macs;
};

/// Everything the summary reports about one function.
struct FunctionSummary {
  std::string name;
  SmallVector<Port> inputs, outputs;
  /// (op name, count), most frequent first, ties by name.
  SmallVector<std::pair<StringRef, uint64_t>> opCounts;
  llvm::MapVector<StringRef, uint64_t> macsPerKind;
  SmallVector<Layer> layers;
  uint64_t totalOps = 0, parameters = 0, parameterBytes = 0;
  uint64_t parameterTensors = 0, totalMacs = 0;
  /// Some count saturated at 2^64 - 1.
  bool saturated = false;
};

FunctionSummary summarize(func::FuncOp func) {
  FunctionSummary summary;
  summary.name = func.getSymName().str();
  FunctionType type = func.getFunctionType();
  for (auto [index, input] : llvm::enumerate(type.getInputs())) {
    auto name = func.getArgAttrOfType<StringAttr>(index, "nn.name");
    summary.inputs.push_back({name ? name.str() : "", input});
  }
  for (auto [index, result] : llvm::enumerate(type.getResults())) {
    auto name = func.getResultAttrOfType<StringAttr>(index, "nn.name");
    summary.outputs.push_back({name ? name.str() : "", result});
  }

  llvm::MapVector<StringRef, uint64_t> opCounts;
  bool &saturated = summary.saturated;
  func.walk([&](Operation *op) {
    if (op == func || op->hasTrait<OpTrait::IsTerminator>())
      return;
    ++summary.totalOps;
    ++opCounts[op->getName().getStringRef()];
    bool overflow = false;
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      auto valueType = cast<RankedTensorType>(constant.getType());
      uint64_t count = product(valueType.getShape(), saturated);
      if (count > 1) {
        summary.parameters =
            llvm::SaturatingAdd(summary.parameters, count, &overflow);
        uint64_t bytes = llvm::SaturatingMultiply(
            count, elementBytes(valueType.getElementType()), &overflow);
        summary.parameterBytes =
            llvm::SaturatingAdd(summary.parameterBytes, bytes, &overflow);
        ++summary.parameterTensors;
      }
    }
    if (std::optional<uint64_t> macs = countMacs(op, saturated)) {
      summary.totalMacs =
          llvm::SaturatingAdd(summary.totalMacs, *macs, &overflow);
      uint64_t &kind = summary.macsPerKind[op->getName().getStringRef()];
      kind = llvm::SaturatingAdd(kind, *macs, &overflow);
      summary.layers.push_back({op, *macs});
    }
    saturated |= overflow;
  });
  summary.opCounts = opCounts.takeVector();
  llvm::sort(summary.opCounts, [](const auto &lhs, const auto &rhs) {
    return lhs.second != rhs.second ? lhs.second > rhs.second
                                    : lhs.first < rhs.first;
  });
  return summary;
}

void printText(const FunctionSummary &summary, bool perLayer,
               llvm::raw_ostream &os) {
  os << "model summary: @" << summary.name << "\n";
  auto printPorts = [&](StringRef title, ArrayRef<Port> ports) {
    os << "  " << title << ": " << ports.size() << "\n";
    for (auto [index, port] : llvm::enumerate(ports)) {
      os << "    #" << index;
      if (!port.name.empty())
        os << " " << port.name;
      os << ": " << port.type << "\n";
    }
  };
  printPorts("inputs", summary.inputs);
  printPorts("outputs", summary.outputs);
  os << "  ops: " << summary.totalOps << "\n";
  for (auto &[name, count] : summary.opCounts)
    os << "    " << llvm::left_justify(name, 24) << " " << count << "\n";
  const char *prefix = summary.saturated ? ">= " : "";
  os << "  parameters: " << prefix << summary.parameters << " ("
     << humanCount(summary.parameters) << ") in " << summary.parameterTensors
     << " tensors, " << prefix << summary.parameterBytes << " bytes ("
     << humanCount(summary.parameterBytes, /*binary=*/true) << ")\n";
  os << "  MACs: " << prefix << summary.totalMacs << " ("
     << humanCount(summary.totalMacs) << ")\n";
  for (auto &[name, macs] : summary.macsPerKind)
    os << "    " << llvm::left_justify(name, 24) << " " << macs << "\n";
  if (!perLayer)
    return;
  os << "  layers: " << summary.layers.size() << "\n";
  for (const Layer &layer : summary.layers)
    os << "    " << llvm::left_justify(layer.op->getName().getStringRef(), 18)
       << " " << llvm::right_justify(std::to_string(layer.macs), 14) << "  "
       << sourceName(layer.op->getLoc()) << " -> " << layer.op->getResultTypes()
       << "\n";
}

/// Prints `value` (a type) as a string, for JSON.
template <typename T> std::string str(const T &value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value;
  return text;
}

void printJSON(const FunctionSummary &summary, bool perLayer,
               llvm::json::OStream &json) {
  auto ports = [&](ArrayRef<Port> list) {
    json.array([&] {
      for (const Port &port : list)
        json.object([&] {
          json.attribute("name", port.name);
          json.attribute("type", str(port.type));
        });
    });
  };
  json.object([&] {
    json.attribute("name", summary.name);
    json.attributeBegin("inputs");
    ports(summary.inputs);
    json.attributeEnd();
    json.attributeBegin("outputs");
    ports(summary.outputs);
    json.attributeEnd();
    json.attribute("num_ops", static_cast<int64_t>(summary.totalOps));
    json.attributeObject("ops", [&] {
      for (auto &[name, count] : summary.opCounts)
        json.attribute(name, count);
    });
    json.attribute("parameters", summary.parameters);
    json.attribute("parameter_bytes", summary.parameterBytes);
    json.attribute("parameter_tensors", summary.parameterTensors);
    json.attribute("macs", summary.totalMacs);
    json.attributeObject("macs_by_op", [&] {
      for (auto &[name, macs] : summary.macsPerKind)
        json.attribute(name, macs);
    });
    json.attribute("saturated", summary.saturated);
    if (!perLayer)
      return;
    json.attributeArray("layers", [&] {
      for (const Layer &layer : summary.layers)
        json.object([&] {
          json.attribute("op", layer.op->getName().getStringRef());
          json.attribute("name", sourceName(layer.op->getLoc()));
          json.attribute("macs", layer.macs);
          json.attribute("type", str(layer.op->getResultTypes()));
        });
    });
  });
}

struct NNModelSummaryPass
    : public nn::impl::NNModelSummaryBase<NNModelSummaryPass> {
  using Base::Base;

  void runOnOperation() override {
    std::vector<FunctionSummary> summaries;
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal())
        summaries.push_back(summarize(func));
    llvm::raw_ostream &os = llvm::outs();
    if (json) {
      llvm::json::OStream out(os, /*IndentSize=*/2);
      out.object([&] {
        out.attributeArray("functions", [&] {
          for (const FunctionSummary &summary : summaries)
            printJSON(summary, perLayer, out);
        });
      });
      os << "\n";
    } else {
      for (const FunctionSummary &summary : summaries)
        printText(summary, perLayer, os);
    }
    os.flush();
    markAllAnalysesPreserved();
  }
};
} // namespace
