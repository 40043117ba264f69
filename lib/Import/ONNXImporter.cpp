//===- ONNXImporter.cpp - ONNX ModelProto -> nn dialect -------------------===//
//
// The importer runs in four stages, each of which validates what the next one
// relies on:
//   1. parse the ModelProto (size-capped, protobuf byte limit raised);
//   2. index the graph: opset, initializers, inputs, producers; reject
//      duplicate producers, missing inputs and cycles (Kahn's algorithm, so
//      no recursion on untrusted depth);
//   3. check support statically: op types, attribute values, dtypes, input
//      shape bindings. Problems are collected, not reported yet;
//   4. walk the nodes in topological order, folding nodes whose inputs are
//      known (shape subgraphs) and emitting nn ops for the rest. Problems that
//      need shapes (non-constant Reshape targets, incompatible operands) are
//      collected the same way; nodes rejected in stage 3 or depending on a
//      failed node are skipped. All problems then form one report.
//
//===----------------------------------------------------------------------===//
#include "npu/Import/ONNXImporter.h"

#include "ONNXGraphImporter.h"
#include "ONNXNodeUtils.h"
#include "ONNXTensors.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Verifier.h"
#include "npu/Dialect/NN/IR/NN.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "onnx/onnx_pb.h"

#include <google/protobuf/io/coded_stream.h>

#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <type_traits>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::onnx_import;

/// See kMaxONNXModelBytes (INT_MAX, protobuf's limit).
static constexpr int64_t kMaxModelBytes = int64_t(kMaxONNXModelBytes);
static_assert(kMaxONNXModelBytes == uint64_t(std::numeric_limits<int>::max()));
/// Results larger than this are computed at run time when an nn op exists.
static constexpr int64_t kPreferRuntimeElements = 1 << 16;
static constexpr int64_t kFirstOpset = 6, kLastOpset = 17;

llvm::Expected<InputValueBinding>
mlir::npu::parseInputValueBinding(llvm::StringRef spec) {
  auto [name, path] = spec.split('=');
  if (!spec.contains('=') || name.empty() || path.empty())
    return llvm::createStringError("--input-value '" + spec +
                                   "' must have the form NAME=FILE.pb");
  return InputValueBinding{name.str(), path.str()};
}

llvm::Expected<InputShapeBinding>
mlir::npu::parseInputShapeBinding(llvm::StringRef spec) {
  auto error = [&](const llvm::Twine &why) {
    return llvm::createStringError(
        llvm::inconvertibleErrorCode(),
        "invalid --input-shape '" + spec + "': " + why +
            " (expected NAME=D0xD1x..., e.g. x=1x3x224x224)");
  };
  size_t eq = spec.rfind('=');
  if (eq == llvm::StringRef::npos || eq == 0)
    return error("missing 'NAME='");
  InputShapeBinding binding;
  binding.inputName = spec.take_front(eq).str();
  llvm::StringRef dims = spec.drop_front(eq + 1);
  if (dims.empty())
    return binding;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  if (int64_t(parts.size()) > kMaxRank)
    return error("rank exceeds the maximum of " + llvm::Twine(kMaxRank));
  for (llvm::StringRef part : parts) {
    int64_t dim;
    if (part.getAsInteger(10, dim) || dim < 0)
      return error("'" + part + "' is not a non-negative integer");
    binding.dims.push_back(dim);
  }
  if (!checkedNumElements(binding.dims))
    return error("the element count overflows");
  return binding;
}


/// `tensor` (DOUBLE) rounded to f32, for --onnx-f64-as-f32.
static ConstTensor roundedToF32(const ConstTensor &tensor) {
  ConstTensor result = ConstTensor::zeros(DType::F32, tensor.getShape());
  for (int64_t i = 0; i < tensor.getNumElements(); ++i)
    result.setDouble(i, tensor.getDouble(i));
  return result;
}

/// The function argument a training-mode import adds for the dropout masks.
constexpr llvm::StringLiteral kDropoutSeedName = "dropout_seed";

/// Ops the importer evaluates only when their inputs are known.
static bool isFoldOnlyOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"Shape", "Size", "ConstantOfShape", "Range"},
      op);
}

/// Ops imported as a composition of primitive nn ops (importComposite).
static bool isCompositeOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"Elu", "Selu", "Celu", "HardSigmoid", "HardSwish", "Softplus",
       "Softsign", "ThresholdedRelu", "PRelu", "Mish", "Shrink", "Mean",
       "DepthToSpace", "SpaceToDepth", "CastLike", "ReduceL1",
       "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"},
      op);
}

/// Ops whose version-1 definition is what opset 6 means too. A model
/// declaring an opset below 6 that uses only these imports as opset 6 (the
/// ONNX test data declares opset 1 for single-op models of such ops).
bool mlir::npu::onnx_import::isStableSinceOpset1(llvm::StringRef op) {
  return llvm::is_contained(
      {"GlobalAveragePool", "GlobalMaxPool", "Not", "Softplus", "Softsign",
       "MatMul", "Transpose", "Identity", "Shape", "Size", "Squeeze",
       "Unsqueeze", "Constant"},
      op);
}

/// Ops with an nn lowering.
static bool isRuntimeOp(llvm::StringRef op) {
  return llvm::is_contained(
      {"Conv", "ConvTranspose", "BatchNormalization", "MaxPool",
       "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul",
       "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Relu",
       "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Erf", "Exp", "Log", "Sqrt",
       "Neg", "Abs", "Reciprocal", "Softmax", "LogSoftmax",
       "LayerNormalization", "ReduceSum", "ReduceMean", "ReduceMax",
       "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Concat",
       "Split", "Slice", "Gather", "Where", "Expand", "Pad", "Cast",
       "Constant", "Identity", "Dropout", "Equal", "Less", "LessOrEqual",
       "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not", "ReduceMin",
       "ReduceProd", "ArgMax", "ArgMin", "Floor", "Ceil", "Sign", "Round",
       "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Mod"},
      op) || isCompositeOp(op) || isDecomposedOp(op);
}


//===----------------------------------------------------------------------===//
// Stage 1: parsing
//===----------------------------------------------------------------------===//

LogicalResult ONNXGraphImporter::parseModel(llvm::StringRef bytes) {
  if (int64_t(bytes.size()) > kMaxModelBytes)
    return emitError(fileLoc)
           << "model file is " << bytes.size()
           << " bytes; files over 2 GiB must keep weights in external data";
  model = std::make_shared<onnx::ModelProto>();
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(bytes.data()), int(bytes.size()));
  stream.SetTotalBytesLimit(int(kMaxModelBytes));
  if (!model->ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage())
    return emitError(fileLoc)
           << "cannot parse '" << modelPath
           << "' as an ONNX model: not a protobuf ModelProto, or truncated";
  if (!model->has_graph())
    return emitError(fileLoc) << "the ONNX model has no graph";
  return success();
}

//===----------------------------------------------------------------------===//
// Stage 2: graph indexing and validation
//===----------------------------------------------------------------------===//

/// Names come from the file: escape anything that is not printable ASCII so
/// that diagnostics stay readable and well-formed.
static std::string printable(llvm::StringRef name) {
  std::string text;
  llvm::raw_string_ostream os(text);
  llvm::printEscapedString(name, os);
  return text;
}

std::string ONNXGraphImporter::nodeLabel(const onnx::NodeProto &node,
                                         size_t index) const {
  std::string opType = printable(node.op_type());
  if (!node.name().empty())
    return "node '" + printable(node.name()) + "' (" + opType + ")";
  return "node #" + std::to_string(index) + " (" + opType + ")";
}

Location ONNXGraphImporter::nodeLoc(const onnx::NodeProto &node,
                                    size_t index) {
  std::string name = node.name().empty()
                         ? node.op_type() + "_" + std::to_string(index)
                         : node.name();
  return NameLoc::get(StringAttr::get(context, name));
}

LogicalResult ONNXGraphImporter::indexGraph() {
  const onnx::GraphProto &graph = model->graph();
  for (const auto &entry : model->opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (opset == 0) {
    // A graph of other domains' ops only (the training optimizers) does not
    // depend on the default opset.
    if (llvm::any_of(graph.node(), [](const onnx::NodeProto &node) {
          return node.domain().empty() || node.domain() == "ai.onnx";
        }))
      return emitError(fileLoc)
             << "the model imports no default-domain ('ai.onnx') opset";
    opset = kLastOpset;
  }

  // Producers: initializers, graph inputs and node outputs; each name once.
  llvm::StringMap<std::string> producer;
  for (const auto &init : graph.initializer()) {
    if (init.name().empty())
      return emitError(fileLoc) << "an initializer has no name";
    if (!producer.try_emplace(init.name(), "initializer").second)
      return emitError(fileLoc)
             << "initializer '" << init.name() << "' is defined twice";
  }
  for (const auto &input : graph.input()) {
    if (input.name().empty())
      return emitError(fileLoc) << "a graph input has no name";
    auto [it, inserted] = producer.try_emplace(input.name(), "graph input");
    if (!inserted && it->second != "initializer")
      return emitError(fileLoc)
             << "graph input '" << input.name() << "' is declared twice";
  }
  llvm::StringMap<size_t> producerNode;
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    for (const std::string &output : node.output()) {
      if (output.empty())
        continue;
      auto [it, inserted] = producer.try_emplace(output, nodeLabel(node, index));
      if (!inserted)
        return emitError(fileLoc)
               << "value '" << output << "' is produced by both "
               << it->second << " and " << nodeLabel(node, index);
      producerNode[output] = index;
    }
  }

  // Kahn's algorithm over node -> node edges.
  size_t numNodes = graph.node_size();
  std::vector<size_t> pendingInputs(numNodes, 0);
  std::vector<std::vector<size_t>> consumers(numNodes);
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    if (node.op_type().empty())
      return emitError(fileLoc) << nodeLabel(node, index) << " has no op_type";
    for (const std::string &input : node.input()) {
      if (input.empty())
        continue;
      consumedNames.insert(input);
      if (!producer.count(input))
        return emitError(fileLoc)
               << nodeLabel(node, index) << ": input '" << input
               << "' is not a graph input, an initializer or the output of "
                  "any node";
      auto it = producerNode.find(input);
      if (it != producerNode.end()) {
        ++pendingInputs[index];
        consumers[it->second].push_back(index);
      }
    }
  }
  for (const auto &output : graph.output()) {
    consumedNames.insert(output.name());
    if (!producer.count(output.name()))
      return emitError(fileLoc) << "graph output '" << output.name()
                                << "' is not produced by the graph";
  }
  if (graph.output_size() == 0)
    return emitError(fileLoc) << "the graph has no outputs";

  std::deque<size_t> ready;
  for (size_t i = 0; i < numNodes; ++i)
    if (pendingInputs[i] == 0)
      ready.push_back(i);
  while (!ready.empty()) {
    size_t index = ready.front();
    ready.pop_front();
    topoOrder.push_back(index);
    for (size_t consumer : consumers[index])
      if (--pendingInputs[consumer] == 0)
        ready.push_back(consumer);
  }
  if (topoOrder.size() != numNodes) {
    for (size_t i = 0; i < numNodes; ++i)
      if (pendingInputs[i] != 0)
        return emitError(fileLoc)
               << "the graph has a cycle: "
               << nodeLabel(graph.node(int(i)), i)
               << " depends (directly or not) on its own output";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Stage 3: static support check
//===----------------------------------------------------------------------===//

static bool isAllowedAutoPad(llvm::StringRef value) {
  return value == "NOTSET" || value == "SAME_UPPER" || value == "SAME_LOWER" ||
         value == "VALID";
}

void ONNXGraphImporter::checkNodeAttributes(const onnx::NodeProto &node,
                                            size_t index) {
  llvm::StringRef op = node.op_type();
  std::string label = nodeLabel(node, index);
  auto badAttr = [&](llvm::StringRef name, const llvm::Twine &value,
                     llvm::StringRef expected) {
    addProblem(label + ": attribute " + name + "=" + value +
               " is not supported (" + expected + ")");
  };
  if (op == "Conv" || op == "ConvTranspose" || op == "MaxPool" ||
      op == "AveragePool") {
    std::string autoPad = getStringAttr(node, "auto_pad", "NOTSET");
    if (!isAllowedAutoPad(autoPad))
      badAttr("auto_pad", "'" + autoPad + "'",
              "expected NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  if (op == "MaxPool") {
    int64_t order = getIntAttr(node, "storage_order", 0);
    if (order != 0 && order != 1)
      badAttr("storage_order", llvm::Twine(order), "expected 0 or 1");
  }
  if (op == "BatchNormalization") {
    // training_mode (opset 14+) or a training import: nn.batch_norm_train
    // with outputs Y and the updated running statistics.
    int64_t mode = getIntAttr(node, "training_mode", 0);
    if (mode != 0 && mode != 1)
      badAttr("training_mode", llvm::Twine(mode), "0 or 1");
    if (opset < 9)
      if (int64_t spatial = getIntAttr(node, "spatial", 1); spatial != 1)
        badAttr("spatial", llvm::Twine(spatial), "only 1");
    bool batchStatistics = mode == 1 || options.training;
    for (int i = batchStatistics ? 3 : 1; i < node.output_size(); ++i)
      if (outputIsUsed(node, i))
        addProblem(label + ": training outputs (running mean/var) are not "
                           "supported");
  }
  if (op == "Pad") {
    std::string mode = getStringAttr(node, "mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
      badAttr("mode", "'" + mode + "'", "expected constant, reflect or edge");
  }
  if (op == "Cast") {
    int64_t to = getIntAttr(node, "to", 0);
    if (!dtypeFromONNX(int(to)))
      addProblem(label + ": dtype " + onnxDTypeName(int(to)) +
                 " (Cast 'to') is not supported");
  }
  if (op == "Constant" || op == "ConstantOfShape") {
    for (const auto &attr : node.attribute()) {
      llvm::StringRef name = attr.name();
      std::optional<onnx::AttributeProto::AttributeType> expected;
      if (name == "value")
        expected = onnx::AttributeProto::TENSOR;
      else if (name == "value_float")
        expected = onnx::AttributeProto::FLOAT;
      else if (name == "value_floats")
        expected = onnx::AttributeProto::FLOATS;
      else if (name == "value_int")
        expected = onnx::AttributeProto::INT;
      else if (name == "value_ints")
        expected = onnx::AttributeProto::INTS;
      if (expected && attr.type() != *expected) {
        addProblem(label + ": attribute '" + name + "' has type " +
                   onnx::AttributeProto::AttributeType_Name(attr.type()) +
                   ", expected " +
                   onnx::AttributeProto::AttributeType_Name(*expected));
        continue;
      }
      if (name == "value") {
        if (!dtypeFromONNX(attr.t().data_type()))
          addProblem(label + ": dtype " + onnxDTypeName(attr.t().data_type()) +
                     " of attribute 'value' is not supported");
      } else if (op == "Constant" && name != "value_float" &&
                 name != "value_floats" && name != "value_int" &&
                 name != "value_ints") {
        addProblem(label + ": attribute '" + name + "' is not supported");
      }
    }
    if (op == "Constant" && node.attribute_size() != 1)
      addProblem(label + ": a Constant needs exactly one value attribute");
  }
}

void ONNXGraphImporter::bindInputValues() {
  const onnx::GraphProto &graph = model->graph();
  for (const InputValueBinding &binding : options.inputValues) {
    std::string what = "--input-value for '" + binding.inputName + "'";
    const onnx::ValueInfoProto *declared = nullptr;
    for (const auto &input : graph.input())
      if (input.name() == binding.inputName)
        declared = &input;
    bool isInitializer = llvm::any_of(graph.initializer(), [&](const auto &i) {
      return i.name() == binding.inputName;
    });
    if (!declared || isInitializer) {
      addProblem(what + ": the model has no graph input of that name");
      continue;
    }
    auto file = llvm::MemoryBuffer::getFile(binding.path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
    if (!file) {
      addProblem(what + ": cannot read '" + binding.path +
                 "': " + file.getError().message());
      continue;
    }
    auto proto = std::make_shared<onnx::TensorProto>();
    llvm::StringRef bytes = (*file)->getBuffer();
    if (bytes.size() > size_t(kMaxModelBytes) ||
        !proto->ParseFromArray(bytes.data(), int(bytes.size()))) {
      addProblem(what + ": '" + binding.path +
                 "' is not a serialized ONNX TensorProto");
      continue;
    }
    ExternalDataContext noExternalData{"", nullptr};
    auto decoded = decodeTensorProto(*proto, what, noExternalData, proto);
    if (!decoded) {
      addProblem(llvm::toString(decoded.takeError()));
      continue;
    }
    // The value must be one the declared input could hold.
    const auto &tensorType = declared->type().tensor_type();
    std::optional<DType> dtype = dtypeFromONNX(tensorType.elem_type());
    bool matches = dtype == decoded->getDType();
    if (matches && tensorType.has_shape()) {
      const auto &shape = tensorType.shape();
      matches = shape.dim_size() == decoded->getRank();
      for (int d = 0; matches && d < shape.dim_size(); ++d)
        matches = !shape.dim(d).has_dim_value() ||
                  shape.dim(d).dim_value() == decoded->getShape()[d];
    }
    if (!matches) {
      addProblem(what + ": the value does not match the input's declared "
                        "dtype and shape");
      continue;
    }
    boundInputs.try_emplace(binding.inputName, std::move(*decoded));
  }
}

void ONNXGraphImporter::resolveInputTypes() {
  const onnx::GraphProto &graph = model->graph();
  llvm::StringSet<> initializerNames;
  for (const auto &init : graph.initializer())
    initializerNames.insert(init.name());
  llvm::StringMap<const InputShapeBinding *> bindings;
  for (const InputShapeBinding &binding : options.inputShapes)
    bindings[binding.inputName] = &binding;
  llvm::StringSet<> usedBindings;

  for (const auto &input : graph.input()) {
    if (initializerNames.contains(input.name()) ||
        boundInputs.count(input.name()))
      continue;
    std::string label = "graph input '" + input.name() + "'";
    if (!input.type().has_tensor_type()) {
      addProblem(label + ": only tensor inputs are supported");
      continue;
    }
    const auto &tensorType = input.type().tensor_type();
    std::optional<DType> dtype = dtypeFromONNX(tensorType.elem_type());
    if (!dtype || !runsOnChip(*dtype)) {
      addProblem(label + ": dtype " + onnxDTypeName(tensorType.elem_type()) +
                 " is not supported" +
                 (dtype == DType::F64 ? " (--onnx-f64-as-f32 computes it in "
                                        "f32)"
                                      : ""));
      continue;
    }
    const InputShapeBinding *binding = nullptr;
    if (auto it = bindings.find(input.name()); it != bindings.end()) {
      binding = it->second;
      usedBindings.insert(input.name());
    }
    llvm::SmallVector<int64_t> dims;
    std::vector<std::string> dynamicDims;
    bool ok = true;
    if (!tensorType.has_shape()) {
      if (!binding) {
        addProblem(label + " has no declared shape; bind it with "
                           "--input-shape " +
                   input.name() + "=D0xD1x...");
        continue;
      }
      dims = binding->dims;
    } else {
      const auto &shape = tensorType.shape();
      if (shape.dim_size() > kMaxRank) {
        addProblem(label + ": rank " + llvm::Twine(shape.dim_size()) +
                   " exceeds the maximum of " + llvm::Twine(kMaxRank));
        continue;
      }
      if (binding && int64_t(binding->dims.size()) != shape.dim_size()) {
        addProblem("--input-shape for '" + input.name() + "' has rank " +
                   llvm::Twine(binding->dims.size()) +
                   " but the model declares rank " +
                   llvm::Twine(shape.dim_size()));
        continue;
      }
      for (auto [d, dim] : llvm::enumerate(shape.dim())) {
        bool isStatic = dim.has_dim_value();
        if (isStatic && dim.dim_value() < 0) {
          addProblem(label + ": dimension " + llvm::Twine(d) + " is " +
                     llvm::Twine(dim.dim_value()) +
                     "; dims must be non-negative");
          ok = false;
          break;
        }
        if (binding) {
          if (isStatic && dim.dim_value() != binding->dims[d]) {
            addProblem("--input-shape for '" + input.name() +
                       "' sets dimension " + llvm::Twine(d) + " to " +
                       llvm::Twine(binding->dims[d]) +
                       " but the model declares " +
                       llvm::Twine(dim.dim_value()));
            ok = false;
            break;
          }
          dims.push_back(binding->dims[d]);
          continue;
        }
        if (!isStatic) {
          dynamicDims.push_back(
              std::to_string(d) +
              (dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : ""));
          continue;
        }
        dims.push_back(dim.dim_value());
      }
      if (ok && !dynamicDims.empty()) {
        // One line per input, naming every dim the binding must give.
        bool plural = dynamicDims.size() > 1;
        addProblem("input '" + input.name() + "' has dynamic dimension" +
                   (plural ? "s " : " ") + llvm::join(dynamicDims, ", ") +
                   "; bind " + (plural ? "them" : "it") +
                   " with --input-shape " + input.name() + "=...");
        ok = false;
      }
    }
    if (!ok)
      continue;
    if (!checkedNumElements(dims)) {
      addProblem(label + ": the element count overflows");
      continue;
    }
    graphInputs.emplace_back(
        input.name(),
        RankedTensorType::get(dims, dtypeToMLIR(chipDType(*dtype), context)));
  }
  for (const InputShapeBinding &binding : options.inputShapes)
    if (!usedBindings.contains(binding.inputName)) {
      std::string names;
      for (const auto &[name, type] : graphInputs)
        names += (names.empty() ? "" : ", ") + name;
      addProblem("--input-shape names '" + binding.inputName +
                 "', which is not a graph input (inputs: " + names + ")");
    }
}

void ONNXGraphImporter::checkSupport() {
  rejectedNodes.assign(model->graph().node_size(), false);
  if (opset >= 1 && opset < kFirstOpset && allOpsStableSinceOpset1())
    opset = kFirstOpset;
  if (opset < kFirstOpset || opset > kLastOpset)
    addProblem("opset " + llvm::Twine(opset) + " is not supported (" +
               llvm::Twine(kFirstOpset) + " to " + llvm::Twine(kLastOpset) +
               ")");
  const onnx::GraphProto &graph = model->graph();
  for (const auto &init : graph.initializer()) {
    std::optional<DType> dtype = dtypeFromONNX(init.data_type());
    if (!dtype || !runsOnChip(*dtype))
      addProblem("initializer '" + init.name() + "': dtype " +
                 onnxDTypeName(init.data_type()) + " is not supported");
  }
  bindInputValues();
  resolveInputTypes();
  for (auto [index, node] : llvm::enumerate(graph.node())) {
    bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
    std::string nodeName = node.name().empty() ? "#" + std::to_string(index)
                                               : printable(node.name());
    if (isTrainingOptimizerOp(node.domain(), node.op_type()))
      continue;
    if (!defaultDomain) {
      unsupportedOps[printable(node.domain() + "." + node.op_type())]
          .push_back(nodeName);
      rejectedNodes[index] = true;
      continue;
    }
    if (!isRuntimeOp(node.op_type()) && !isFoldOnlyOp(node.op_type())) {
      unsupportedOps[printable(node.op_type())].push_back(nodeName);
      rejectedNodes[index] = true;
      continue;
    }
    size_t knownProblems = problems.size();
    checkNodeAttributes(node, index);
    rejectedNodes[index] = problems.size() != knownProblems;
  }
}

LogicalResult ONNXGraphImporter::emitReport() {
  if (!hasProblems())
    return success();
  std::string report;
  llvm::raw_string_ostream os(report);
  size_t count = problems.size() + unsupportedOps.size();
  os << "cannot import '" << llvm::sys::path::filename(modelPath) << "': "
     << count << (count == 1 ? " problem" : " problems");
  for (const auto &[opType, nodes] : unsupportedOps) {
    os << "\n  op type '" << opType << "' is not supported (used by "
       << nodes.size() << (nodes.size() == 1 ? " node: " : " nodes: ");
    constexpr size_t kMaxListed = 8;
    for (auto [i, name] : llvm::enumerate(nodes)) {
      if (i == kMaxListed) {
        os << ", ...";
        break;
      }
      os << (i ? ", " : "") << "'" << name << "'";
    }
    os << ")";
  }
  for (const std::string &problem : problems)
    os << "\n  " << problem;
  emitError(fileLoc) << report;
  return failure();
}

//===----------------------------------------------------------------------===//
// Stage 4: node import
//===----------------------------------------------------------------------===//

ValueInfo *ONNXGraphImporter::lookup(const onnx::NodeProto &node, int index) {
  if (!hasInput(node, index))
    return nullptr;
  auto it = values.find(node.input(index));
  return it == values.end() ? nullptr : &it->second;
}

std::optional<llvm::SmallVector<int64_t>>
ONNXGraphImporter::shapeOf(const onnx::NodeProto &node, int index) {
  ValueInfo *info = lookup(node, index);
  if (!info)
    return std::nullopt;
  if (info->constant)
    return llvm::SmallVector<int64_t>(info->constant->getShape());
  if (auto type = dyn_cast<RankedTensorType>(info->value.getType()))
    return llvm::SmallVector<int64_t>(type.getShape());
  return std::nullopt;
}

/// Blob keys are printed in the IR; keep them readable identifiers.
static std::string sanitizeBlobName(llvm::StringRef name) {
  std::string key;
  for (char c : name)
    key.push_back(llvm::isAlnum(c) || c == '_' || c == '.' ? c : '_');
  if (key.empty() || llvm::isDigit(key.front()))
    key.insert(key.begin(), '_');
  return key;
}

/// Whether every element of `tensor` has the same bytes.
static bool isSplat(const ConstTensor &tensor) {
  int64_t width = dtypeByteSize(tensor.getDType());
  llvm::ArrayRef<char> bytes = tensor.getBytes();
  if (bytes.empty())
    return false;
  llvm::ArrayRef<char> first = bytes.take_front(width);
  for (int64_t i = 1; i < tensor.getNumElements(); ++i)
    if (bytes.slice(i * width, width) != first)
      return false;
  return true;
}

Value ONNXGraphImporter::materialize(const ConstTensor &tensor,
                                     llvm::StringRef name, Location loc) {
  RankedTensorType type = tensor.getType(context);
  ElementsAttr attr;
  if (tensor.getDType() == DType::Bool) {
    llvm::SmallVector<bool> bits;
    for (int64_t i = 0; i < tensor.getNumElements(); ++i)
      bits.push_back(tensor.getInt(i) != 0);
    attr = DenseElementsAttr::get(type, llvm::ArrayRef<bool>(bits));
  } else if (tensor.getNumElements() <= options.inlineConstantLimit ||
             isSplat(tensor)) {
    // Splats (ConstantOfShape, masks) stay inline: one element, any size.
    llvm::ArrayRef<char> bytes = tensor.getBytes();
    if (tensor.getNumElements() > 1 && isSplat(tensor))
      bytes = bytes.take_front(dtypeByteSize(tensor.getDType()));
    attr = DenseElementsAttr::getFromRawBuffer(type, bytes);
  } else {
    AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        tensor.getBytes(), alignof(int64_t));
    attr = DenseResourceElementsAttr::get(type, sanitizeBlobName(name),
                                          std::move(blob));
  }
  return nn::ConstantOp::create(builder, loc, type, attr);
}

FailureOr<Value> ONNXGraphImporter::operand(const onnx::NodeProto &node,
                                            int index) {
  if (!hasInput(node, index))
    return nodeError("input " + llvm::Twine(index) + " is required");
  ValueInfo *info = lookup(node, index);
  if (!info)
    return nodeError("input '" + node.input(index) + "' has no value");
  if (!info->value && !runsOnChip(info->constant->getDType()))
    return nodeError("input '" + node.input(index) + "' has dtype " +
                     onnxDTypeName(onnx::TensorProto::DOUBLE) +
                     ", which only import-time computations may use");
  if (!info->value && info->constant->getDType() == DType::F64)
    info->constant = roundedToF32(*info->constant);
  if (!info->value) {
    info->value = materialize(*info->constant, node.input(index),
                              NameLoc::get(StringAttr::get(
                                  context, node.input(index))));
    if (info->initializer)
      info->value.getDefiningOp()->setAttr(
          nn::kInitializerAttrName, builder.getStringAttr(node.input(index)));
  }
  return info->value;
}

FailureOr<Value>
ONNXGraphImporter::optionalOperand(const onnx::NodeProto &node, int index) {
  if (!hasInput(node, index))
    return Value();
  return operand(node, index);
}

FailureOr<llvm::SmallVector<int64_t>>
ONNXGraphImporter::constantInts(const onnx::NodeProto &node, int index,
                                llvm::StringRef what) {
  const ConstTensor *tensor = constantOf(node, index);
  if (!tensor)
    return nodeError("input '" + what +
                     "' must be a constant (or computable at import time)");
  if (isFloatDType(tensor->getDType()) || tensor->getRank() > 1)
    return nodeError("input '" + what + "' must be a 1-D integer tensor");
  return tensor->toInts();
}

LogicalResult ONNXGraphImporter::optionalAxes(
    const onnx::NodeProto &node, bool fromInput,
    std::optional<llvm::SmallVector<int64_t>> &axes) {
  if (!fromInput) {
    axes = getIntsAttr(node, "axes");
    return success();
  }
  if (!hasInput(node, 1))
    return success();
  auto values = constantInts(node, 1, "axes");
  if (failed(values))
    return failure();
  axes = *values;
  return success();
}

FailureOr<Value>
ONNXGraphImporter::importTrainingDropout(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  // The ratio: input 1 since opset 12, an attribute before.
  std::optional<float> ratio;
  if (opset >= 12) {
    if (failed(optionalConstantScalar(node, 1, "ratio", ratio)))
      return failure();
  } else {
    ratio = getFloatAttr(node, "ratio", 0.5f);
  }
  int64_t key = getIntAttr(node, "seed", dropoutKeys);
  ++dropoutKeys;
  if (key < 0 || key >= (int64_t(1) << 31))
    return nodeError("seed " + llvm::Twine(key) +
                     " must be in [0, 2^31) to key its nn.dropout");
  return createInferredValue<nn::DropoutOp>(
      *input, dropoutSeed, builder.getF32FloatAttr(ratio.value_or(0.5f)),
      builder.getI64IntegerAttr(key));
}

LogicalResult ONNXGraphImporter::optionalConstantScalar(
    const onnx::NodeProto &node, int index, llvm::StringRef what,
    std::optional<float> &value) {
  value.reset();
  if (!hasInput(node, index))
    return success();
  const ConstTensor *tensor = constantOf(node, index);
  if (!tensor)
    return nodeError("input '" + what + "' must be a constant");
  if (tensor->getNumElements() != 1)
    return nodeError("input '" + what + "' must hold one element");
  value = float(tensor->getDouble(0));
  return success();
}



FailureOr<ONNXGraphImporter::WindowAttrs> ONNXGraphImporter::resolveWindow(
    const onnx::NodeProto &node, llvm::ArrayRef<int64_t> inputShape,
    std::optional<llvm::SmallVector<int64_t>> kernelFromWeight,
    bool transposed) {
  if (inputShape.size() < 3)
    return nodeError("input must have rank >= 3 ([N, C, spatial...])");
  size_t spatial = inputShape.size() - 2;
  WindowAttrs window;
  auto readList = [&](llvm::StringRef name, int64_t fill, size_t size,
                      llvm::SmallVector<int64_t> &out) -> LogicalResult {
    if (auto values = getIntsAttr(node, name)) {
      if (values->size() != size)
        return nodeError("attribute '" + name + "' has " +
                         llvm::Twine(values->size()) + " values, expected " +
                         llvm::Twine(size));
      out = *values;
    } else {
      out.assign(size, fill);
    }
    return success();
  };
  if (auto kernel = getIntsAttr(node, "kernel_shape"))
    window.kernel = *kernel;
  else if (kernelFromWeight)
    window.kernel = *kernelFromWeight;
  else
    return nodeError("attribute 'kernel_shape' is required");
  if (window.kernel.size() != spatial)
    return nodeError("kernel_shape has " + llvm::Twine(window.kernel.size()) +
                     " values for " + llvm::Twine(spatial) + " spatial dims");
  if (failed(readList("strides", 1, spatial, window.strides)) ||
      failed(readList("dilations", 1, spatial, window.dilations)) ||
      failed(readList("pads", 0, 2 * spatial, window.pads)))
    return failure();
  if (transposed &&
      failed(readList("output_padding", 0, spatial, window.outputPadding)))
    return failure();
  for (size_t i = 0; i < spatial; ++i)
    if (window.kernel[i] <= 0 || window.strides[i] <= 0 ||
        window.dilations[i] <= 0 || window.kernel[i] > (1 << 20) ||
        window.strides[i] > (1 << 20) || window.dilations[i] > (1 << 20))
      return nodeError("kernel_shape, strides and dilations must be positive "
                       "(and at most 2^20)");
  for (int64_t pad : window.pads)
    if (pad < 0 || pad > (1 << 20))
      return nodeError("pads must be non-negative (and at most 2^20)");
  // Bounding the spatial sizes keeps every window formula below within int64.
  for (int64_t dim : inputShape.drop_front(2))
    if (dim > (int64_t(1) << 40))
      return nodeError("spatial dimension " + llvm::Twine(dim) +
                       " exceeds the supported maximum of 2^40");

  std::string autoPad = getStringAttr(node, "auto_pad", "NOTSET");
  auto outputShapeAttr = getIntsAttr(node, "output_shape");
  if (autoPad == "VALID")
    window.pads.assign(2 * spatial, 0);
  bool same = autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
  if (same || (transposed && outputShapeAttr)) {
    if (transposed && outputShapeAttr && outputShapeAttr->size() != spatial)
      return nodeError("output_shape has the wrong number of values");
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = inputShape[i + 2];
      int64_t extent = (window.kernel[i] - 1) * window.dilations[i] + 1;
      int64_t total;
      if (transposed) {
        int64_t out = outputShapeAttr ? (*outputShapeAttr)[i]
                                      : in * window.strides[i];
        total = window.strides[i] * (in - 1) + window.outputPadding[i] +
                extent - out;
      } else {
        int64_t out = (in + window.strides[i] - 1) / window.strides[i];
        total = std::max<int64_t>(0, (out - 1) * window.strides[i] + extent -
                                         in);
      }
      if (total < 0)
        return nodeError("output_shape is larger than the op can produce");
      int64_t half = total / 2;
      bool upper = autoPad != "SAME_LOWER";
      window.pads[i] = upper ? half : total - half;
      window.pads[i + spatial] = upper ? total - half : half;
    }
  }
  return window;
}

LogicalResult ONNXGraphImporter::importConvLike(const onnx::NodeProto &node,
                                                bool transposed) {
  auto inputShape = shapeOf(node, 0);
  auto weightShape = shapeOf(node, 1);
  if (!inputShape || !weightShape || weightShape->size() < 3)
    return nodeError("needs an input and a weight of rank >= 3");
  auto window =
      resolveWindow(node, *inputShape,
                    llvm::SmallVector<int64_t>(llvm::drop_begin(*weightShape, 2)),
                    transposed);
  if (failed(window))
    return failure();
  FailureOr<Value> input = operand(node, 0), weight = operand(node, 1),
                   bias = optionalOperand(node, 2);
  if (failed(input) || failed(weight) || failed(bias))
    return failure();
  auto kernel = builder.getDenseI64ArrayAttr(window->kernel);
  auto strides = builder.getDenseI64ArrayAttr(window->strides);
  auto pads = builder.getDenseI64ArrayAttr(window->pads);
  auto dilations = builder.getDenseI64ArrayAttr(window->dilations);
  auto group = builder.getI64IntegerAttr(getIntAttr(node, "group", 1));
  FailureOr<Value> result;
  if (transposed)
    result = createInferredValue<nn::ConvTransposeOp>(
        *input, *weight, *bias, kernel, strides, pads, dilations,
        builder.getDenseI64ArrayAttr(window->outputPadding), group);
  else
    result = createInferredValue<nn::ConvOp>(*input, *weight, *bias, kernel,
                                             strides, pads, dilations, group);
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importPool(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  auto inputShape = shapeOf(node, 0);
  if (failed(input) || !inputShape)
    return failure();
  FailureOr<Value> result;
  if (op == "GlobalAveragePool") {
    result = createInferredValue<nn::GlobalAvgPoolOp>(*input);
  } else if (op == "GlobalMaxPool") {
    if (inputShape->size() < 3)
      return nodeError("input must have rank >= 3");
    llvm::SmallVector<int64_t> axes;
    for (int64_t d = 2; d < int64_t(inputShape->size()); ++d)
      axes.push_back(d);
    result = createInferredValue<nn::ReduceMaxOp>(
        *input, builder.getDenseI64ArrayAttr(axes), builder.getBoolAttr(true));
  } else {
    auto window = resolveWindow(node, *inputShape, std::nullopt, false);
    if (failed(window))
      return failure();
    auto kernel = builder.getDenseI64ArrayAttr(window->kernel);
    auto strides = builder.getDenseI64ArrayAttr(window->strides);
    auto pads = builder.getDenseI64ArrayAttr(window->pads);
    auto dilations = builder.getDenseI64ArrayAttr(window->dilations);
    auto ceilMode = builder.getBoolAttr(getIntAttr(node, "ceil_mode", 0) != 0);
    if (op == "MaxPool") {
      result = createInferredValue<nn::MaxPoolOp>(*input, kernel, strides, pads,
                                                  dilations, ceilMode);
      if (succeeded(result) && outputIsUsed(node, 1)) {
        setOutput(node, 0, *result);
        return importMaxPoolIndices(node, *input, window->kernel,
                                    window->strides, window->pads,
                                    window->dilations);
      }
    } else {
      result = createInferredValue<nn::AvgPoolOp>(
          *input, kernel, strides, pads, dilations, ceilMode,
          builder.getBoolAttr(getIntAttr(node, "count_include_pad", 0) != 0));
    }
  }
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importGemm(const onnx::NodeProto &node) {
  FailureOr<Value> a = operand(node, 0), b = operand(node, 1),
                   c = optionalOperand(node, 2);
  if (failed(a) || failed(b) || failed(c))
    return failure();
  auto result = createInferredValue<nn::GemmOp>(
      *a, *b, *c, builder.getF32FloatAttr(getFloatAttr(node, "alpha", 1.0f)),
      builder.getF32FloatAttr(getFloatAttr(node, "beta", 1.0f)),
      builder.getBoolAttr(getIntAttr(node, "transA", 0) != 0),
      builder.getBoolAttr(getIntAttr(node, "transB", 0) != 0));
  return setResult(node, result);
}

FailureOr<Value>
ONNXGraphImporter::legacyBroadcast(const onnx::NodeProto &node, Value lhs,
                                   Value rhs) {
  if (opset >= 7)
    return rhs;
  auto lhsType = cast<RankedTensorType>(lhs.getType());
  auto rhsType = cast<RankedTensorType>(rhs.getType());
  if (getIntAttr(node, "broadcast", 0) == 0) {
    if (lhsType.getShape() != rhsType.getShape()) {
      (void)nodeError("operands of different shapes need broadcast=1 before "
                      "opset 7");
      return failure();
    }
    return rhs;
  }
  if (!findAttr(node, "axis"))
    return rhs;
  int64_t lhsRank = lhsType.getRank(), rhsRank = rhsType.getRank();
  int64_t axis = getIntAttr(node, "axis", 0);
  if (axis < 0)
    axis += lhsRank;
  if (axis < 0 || axis + rhsRank > lhsRank) {
    (void)nodeError("broadcast axis " + llvm::Twine(getIntAttr(node, "axis", 0)) +
                    " does not fit a rank-" + llvm::Twine(rhsRank) +
                    " operand into rank " + llvm::Twine(lhsRank));
    return failure();
  }
  // rhs dims sit at [axis, axis + rhsRank); trailing ones align the rest.
  llvm::SmallVector<int64_t> shape(rhsType.getShape());
  shape.append(size_t(lhsRank - axis - rhsRank), 1);
  if (shape == llvm::ArrayRef<int64_t>(rhsType.getShape()))
    return rhs;
  return createInferredValue<nn::ReshapeOp>(
      rhs, builder.getDenseI64ArrayAttr(shape));
}

LogicalResult ONNXGraphImporter::importBinary(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  if (node.input_size() == 0)
    return nodeError("needs at least one input");
  FailureOr<Value> accumulated = operand(node, 0);
  if (failed(accumulated))
    return failure();
  // Max, Min and Sum are variadic in ONNX: chain them pairwise.
  for (int i = 1; i < node.input_size(); ++i) {
    FailureOr<Value> rhs = operand(node, i);
    if (failed(rhs))
      return failure();
    Value lhs = *accumulated;
    if (node.input_size() == 2) {
      rhs = legacyBroadcast(node, lhs, *rhs);
      if (failed(rhs))
        return failure();
    }
    if (op == "Pow" && getElementTypeOrSelf(lhs.getType()) !=
                           getElementTypeOrSelf(rhs->getType())) {
      // nn.pow wants one element type; ONNX allows an exponent of another.
      auto lhsType = cast<RankedTensorType>(lhs.getType());
      auto rhsType = cast<RankedTensorType>(rhs->getType());
      auto castOp = nn::CastOp::create(
          builder, currentLoc, rhsType.clone(lhsType.getElementType()), *rhs);
      rhs = castOp.getResult();
    }
    if (op == "Add" || op == "Sum")
      accumulated = createInferredValue<nn::AddOp>(lhs, *rhs);
    else if (op == "Sub")
      accumulated = createInferredValue<nn::SubOp>(lhs, *rhs);
    else if (op == "Mul")
      accumulated = createInferredValue<nn::MulOp>(lhs, *rhs);
    else if (op == "Div")
      accumulated = createInferredValue<nn::DivOp>(lhs, *rhs);
    else if (op == "Pow")
      accumulated = createInferredValue<nn::PowOp>(lhs, *rhs);
    else if (op == "Max")
      accumulated = createInferredValue<nn::MaxOp>(lhs, *rhs);
    else if (op == "Mod")
      accumulated = createInferredValue<nn::ModOp>(
          lhs, *rhs, builder.getBoolAttr(getIntAttr(node, "fmod", 0) != 0));
    else
      accumulated = createInferredValue<nn::MinOp>(lhs, *rhs);
    if (failed(accumulated))
      return failure();
  }
  setOutput(node, 0, *accumulated);
  return success();
}

LogicalResult
ONNXGraphImporter::importCompareOrLogic(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> lhs = operand(node, 0), rhs = operand(node, 1);
  if (failed(lhs) || failed(rhs))
    return failure();
  rhs = legacyBroadcast(node, *lhs, *rhs);
  if (failed(rhs))
    return failure();
  FailureOr<Value> result;
  if (op == "Equal")
    result = createInferredValue<nn::EqualOp>(*lhs, *rhs);
  else if (op == "Less")
    result = createInferredValue<nn::LessOp>(*lhs, *rhs);
  else if (op == "LessOrEqual")
    result = createInferredValue<nn::LessOrEqualOp>(*lhs, *rhs);
  else if (op == "Greater")
    result = createInferredValue<nn::GreaterOp>(*lhs, *rhs);
  else if (op == "GreaterOrEqual")
    result = createInferredValue<nn::GreaterOrEqualOp>(*lhs, *rhs);
  else if (op == "And")
    result = createInferredValue<nn::AndOp>(*lhs, *rhs);
  else if (op == "Or")
    result = createInferredValue<nn::OrOp>(*lhs, *rhs);
  else
    result = createInferredValue<nn::XorOp>(*lhs, *rhs);
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importUnary(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  FailureOr<Value> result;
  if (op == "Relu")
    result = createInferredValue<nn::ReluOp>(*input);
  else if (op == "LeakyRelu")
    result = createInferredValue<nn::LeakyReluOp>(
        *input, builder.getF32FloatAttr(getFloatAttr(node, "alpha", 0.01f)));
  else if (op == "Sigmoid")
    result = createInferredValue<nn::SigmoidOp>(*input);
  else if (op == "Tanh")
    result = createInferredValue<nn::TanhOp>(*input);
  else if (op == "Erf")
    result = createInferredValue<nn::ErfOp>(*input);
  else if (op == "Exp")
    result = createInferredValue<nn::ExpOp>(*input);
  else if (op == "Log")
    result = createInferredValue<nn::LogOp>(*input);
  else if (op == "Sqrt")
    result = createInferredValue<nn::SqrtOp>(*input);
  else if (op == "Neg")
    result = createInferredValue<nn::NegOp>(*input);
  else if (op == "Abs")
    result = createInferredValue<nn::AbsOp>(*input);
  else if (op == "Not")
    result = createInferredValue<nn::NotOp>(*input);
  else if (op == "Reciprocal") {
    auto type = cast<RankedTensorType>(input->getType());
    std::optional<DType> dtype = dtypeFromMLIR(type.getElementType());
    if (!dtype || !isFloatDType(*dtype))
      return nodeError("Reciprocal needs a float input");
    result = createInferredValue<nn::ReciprocalOp>(*input);
  } else if (op == "Floor") {
    result = createInferredValue<nn::FloorOp>(*input);
  } else if (op == "Ceil") {
    result = createInferredValue<nn::CeilOp>(*input);
  } else if (op == "Sign") {
    result = createInferredValue<nn::SignOp>(*input);
  } else if (op == "Round") {
    result = createInferredValue<nn::RoundOp>(*input);
  } else if (op == "Sin") {
    result = createInferredValue<nn::SinOp>(*input);
  } else if (op == "Cos") {
    result = createInferredValue<nn::CosOp>(*input);
  } else if (op == "Tan") {
    result = createInferredValue<nn::TanOp>(*input);
  } else if (op == "Asin") {
    result = createInferredValue<nn::AsinOp>(*input);
  } else if (op == "Acos") {
    result = createInferredValue<nn::AcosOp>(*input);
  } else if (op == "Atan") {
    result = createInferredValue<nn::AtanOp>(*input);
  } else {
    return nodeError("has no nn lowering");
  }
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importClip(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  std::optional<float> minValue, maxValue;
  if (opset < 11) {
    if (findAttr(node, "min"))
      minValue = getFloatAttr(node, "min", 0.0f);
    if (findAttr(node, "max"))
      maxValue = getFloatAttr(node, "max", 0.0f);
  } else if ((hasInput(node, 1) && !constantOf(node, 1)) ||
             (hasInput(node, 2) && !constantOf(node, 2))) {
    // Bounds computed at run time: min(max(x, lo), hi) with broadcasting.
    FailureOr<Value> result = *input;
    for (int index : {1, 2}) {
      if (!hasInput(node, index))
        continue;
      FailureOr<Value> bound = operand(node, index);
      if (failed(bound))
        return failure();
      result = index == 1
                   ? createInferredValue<nn::MaxOp>(*result, *bound)
                   : createInferredValue<nn::MinOp>(*result, *bound);
      if (failed(result))
        return failure();
    }
    return setResult(node, result);
  } else {
    if (failed(optionalConstantScalar(node, 1, "min", minValue)) ||
        failed(optionalConstantScalar(node, 2, "max", maxValue)))
      return failure();
  }
  auto result = createInferredValue<nn::ClipOp>(
      *input, minValue ? builder.getF32FloatAttr(*minValue) : FloatAttr(),
      maxValue ? builder.getF32FloatAttr(*maxValue) : FloatAttr());
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importSoftmax(const onnx::NodeProto &node) {
  bool isLog = node.op_type() == "LogSoftmax";
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  int64_t rank = shape->size();
  int64_t rawAxis = getIntAttr(node, "axis", opset < 13 ? 1 : -1);
  std::optional<int64_t> axis = normalizeAxis(rawAxis, rank);
  if (!axis)
    return nodeError("axis " + llvm::Twine(rawAxis) +
                     " is out of range for rank " + llvm::Twine(rank));
  auto softmax = [&](Value x, int64_t onAxis) -> FailureOr<Value> {
    if (isLog)
      return createInferredValue<nn::LogSoftmaxOp>(
          x, builder.getI64IntegerAttr(onAxis));
    return createInferredValue<nn::SoftmaxOp>(x,
                                              builder.getI64IntegerAttr(onAxis));
  };
  FailureOr<Value> result;
  if (opset >= 13 || *axis == rank - 1) {
    result = softmax(*input, *axis);
  } else {
    // Before opset 13 softmax normalizes the 2-D coercion [d0..d(axis-1)] x
    // [d(axis)..]: flatten, normalize the last axis, restore the shape.
    int64_t outer = 1, inner = 1;
    for (int64_t d = 0; d < rank; ++d)
      (d < *axis ? outer : inner) *= (*shape)[d];
    auto flat = createInferredValue<nn::ReshapeOp>(
        *input, builder.getDenseI64ArrayAttr({outer, inner}));
    if (failed(flat))
      return failure();
    auto normalized = softmax(*flat, 1);
    if (failed(normalized))
      return failure();
    result = createInferredValue<nn::ReshapeOp>(
        *normalized, builder.getDenseI64ArrayAttr(*shape));
  }
  return setResult(node, result);
}

Value ONNXGraphImporter::scalarConstant(Type elementType, double value) {
  auto type = RankedTensorType::get({1}, elementType);
  return nn::ConstantOp::create(
      builder, currentLoc, type,
      DenseElementsAttr::get(type, builder.getFloatAttr(elementType, value)));
}

LogicalResult
ONNXGraphImporter::importComposite(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  if (failed(input))
    return failure();
  Value x = *input;
  if (op == "CastLike") {
    // Cast to the element type of the second input (only its type is used).
    FailureOr<Value> like = operand(node, 1);
    if (failed(like))
      return failure();
    Type target = getElementTypeOrSelf(like->getType());
    auto type = cast<RankedTensorType>(x.getType());
    if (type.getElementType() == target) {
      setOutput(node, 0, x);
      return success();
    }
    setOutput(node, 0,
              nn::CastOp::create(builder, currentLoc, type.clone(target), x)
                  .getResult());
    return success();
  }
  if (op == "DepthToSpace" || op == "SpaceToDepth") {
    // A reshape to rank 6, a transpose and a reshape back (ONNX's own
    // definition); DCR and CRD differ in where the block dims sit.
    auto shape = cast<RankedTensorType>(x.getType()).getShape();
    int64_t b = getIntAttr(node, "blocksize", 0);
    if (shape.size() != 4 || b <= 0)
      return nodeError("needs a 4-D input and a positive blocksize");
    int64_t n = shape[0], ch = shape[1], h = shape[2], w = shape[3];
    llvm::SmallVector<int64_t> split, perm, merged;
    if (op == "DepthToSpace") {
      if (ch % (b * b) != 0)
        return nodeError("channels " + llvm::Twine(ch) +
                         " are not a multiple of blocksize^2");
      bool crd = getStringAttr(node, "mode", "DCR") == "CRD";
      split = crd ? llvm::SmallVector<int64_t>{n, ch / (b * b), b, b, h, w}
                  : llvm::SmallVector<int64_t>{n, b, b, ch / (b * b), h, w};
      perm = crd ? llvm::SmallVector<int64_t>{0, 1, 4, 2, 5, 3}
                 : llvm::SmallVector<int64_t>{0, 3, 4, 1, 5, 2};
      merged = {n, ch / (b * b), h * b, w * b};
    } else {
      if (h % b != 0 || w % b != 0)
        return nodeError("spatial dims are not multiples of the blocksize");
      split = {n, ch, h / b, b, w / b, b};
      perm = {0, 3, 5, 1, 2, 4};
      merged = {n, ch * b * b, h / b, w / b};
    }
    FailureOr<Value> v = createInferredValue<nn::ReshapeOp>(
        x, builder.getDenseI64ArrayAttr(split));
    if (succeeded(v))
      v = createInferredValue<nn::TransposeOp>(
          *v, builder.getDenseI64ArrayAttr(perm));
    if (succeeded(v))
      v = createInferredValue<nn::ReshapeOp>(
          *v, builder.getDenseI64ArrayAttr(merged));
    return setResult(node, v);
  }
  Type elementType = getElementTypeOrSelf(x.getType());
  if (!isa<FloatType>(elementType))
    return nodeError(op + " needs a float input");
  // Every step can fail only on a shape error, which createInferredValue has
  // already reported; `ok` tracks it so the formulas below read as formulas.
  bool ok = true;
  auto check = [&](FailureOr<Value> v) -> Value {
    if (failed(v)) {
      ok = false;
      return x;
    }
    return *v;
  };
  auto c = [&](double v) { return scalarConstant(elementType, v); };
  auto add = [&](Value a, Value b) {
    return check(createInferredValue<nn::AddOp>(a, b));
  };
  auto sub = [&](Value a, Value b) {
    return check(createInferredValue<nn::SubOp>(a, b));
  };
  auto mul = [&](Value a, Value b) {
    return check(createInferredValue<nn::MulOp>(a, b));
  };
  auto div = [&](Value a, Value b) {
    return check(createInferredValue<nn::DivOp>(a, b));
  };
  auto exp = [&](Value a) { return check(createInferredValue<nn::ExpOp>(a)); };
  auto log = [&](Value a) { return check(createInferredValue<nn::LogOp>(a)); };
  auto greater = [&](Value a, Value b) {
    return check(createInferredValue<nn::GreaterOp>(a, b));
  };
  auto where = [&](Value cond, Value a, Value b) {
    return check(createInferredValue<nn::WhereOp>(cond, a, b));
  };
  auto clip = [&](Value a, float lo, float hi) {
    return check(createInferredValue<nn::ClipOp>(
        a, builder.getF32FloatAttr(lo), builder.getF32FloatAttr(hi)));
  };
  auto softplus = [&](Value a) { return log(add(exp(a), c(1.0))); };
  auto alpha = [&](float d) { return getFloatAttr(node, "alpha", d); };

  Value result;
  if (op == "Elu" || op == "Selu") {
    // x > 0 ? x : alpha * (exp(x) - 1), times gamma for Selu.
    float a = op == "Elu" ? alpha(1.0f) : alpha(1.67326319217681884765625f);
    result = where(greater(x, c(0.0)), x, mul(c(a), sub(exp(x), c(1.0))));
    if (op == "Selu")
      result = mul(result,
                   c(getFloatAttr(node, "gamma", 1.05070102214813232421875f)));
  } else if (op == "Celu") {
    // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
    float a = alpha(1.0f);
    Value negative = mul(c(a), sub(exp(div(x, c(a))), c(1.0)));
    result = add(check(createInferredValue<nn::MaxOp>(x, c(0.0))),
                 check(createInferredValue<nn::MinOp>(negative, c(0.0))));
  } else if (op == "HardSigmoid" || op == "HardSwish") {
    // max(0, min(1, alpha * x + beta)); HardSwish = x * that (1/6, 1/2).
    float a = op == "HardSwish" ? 1.0f / 6.0f : alpha(0.2f);
    float b = op == "HardSwish" ? 0.5f : getFloatAttr(node, "beta", 0.5f);
    result = clip(add(mul(x, c(a)), c(b)), 0.0f, 1.0f);
    if (op == "HardSwish")
      result = mul(x, result);
  } else if (op == "Softplus") {
    result = softplus(x);
  } else if (op == "Softsign") {
    result = div(x, add(c(1.0), check(createInferredValue<nn::AbsOp>(x))));
  } else if (op == "ThresholdedRelu") {
    result = where(greater(x, c(alpha(1.0f))), x, c(0.0));
  } else if (op == "Shrink") {
    // x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
    float lambd = getFloatAttr(node, "lambd", 0.5f);
    float bias = getFloatAttr(node, "bias", 0.0f);
    Value upper = where(greater(x, c(lambd)), sub(x, c(bias)), c(0.0));
    result = where(greater(c(-lambd), x), add(x, c(bias)), upper);
  } else if (op == "Mish") {
    result = mul(x, check(createInferredValue<nn::TanhOp>(softplus(x))));
  } else if (op == "PRelu") {
    FailureOr<Value> slope = operand(node, 1);
    if (failed(slope))
      return failure();
    Value aligned = *slope;
    auto xShape = cast<RankedTensorType>(x.getType()).getShape();
    auto slopeShape = cast<RankedTensorType>(aligned.getType()).getShape();
    if (opset < 7 && slopeShape.size() == 1 && xShape.size() >= 2 &&
        slopeShape[0] == xShape[1] && slopeShape[0] != 1) {
      // Before opset 7 a 1-D slope holds one value per channel (axis 1).
      llvm::SmallVector<int64_t> shape(xShape.size() - 1, 1);
      shape[0] = slopeShape[0];
      aligned = check(createInferredValue<nn::ReshapeOp>(
          aligned, builder.getDenseI64ArrayAttr(shape)));
    }
    result = where(greater(x, c(0.0)), x, mul(x, aligned));
  } else if (op == "Mean") {
    result = x;
    for (int i = 1; i < node.input_size(); ++i) {
      FailureOr<Value> next = operand(node, i);
      if (failed(next))
        return failure();
      result = add(result, *next);
    }
    if (node.input_size() > 1)
      result = div(result, c(double(node.input_size())));
  } else {
    return importReduce(node);
  }
  if (!ok)
    return failure();
  setOutput(node, 0, result);
  return success();
}

LogicalResult ONNXGraphImporter::importReduce(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  bool axesFromInput = op == "ReduceSum" ? opset >= 13 : opset >= 18;
  std::optional<llvm::SmallVector<int64_t>> axes;
  if (failed(optionalAxes(node, axesFromInput, axes)))
    return failure();
  if ((!axes || axes->empty()) && getIntAttr(node, "noop_with_empty_axes", 0)) {
    setOutput(node, 0, *input);
    return success();
  }
  llvm::SmallVector<int64_t> normalized;
  for (int64_t axis : axes.value_or(llvm::SmallVector<int64_t>())) {
    std::optional<int64_t> a = normalizeAxis(axis, shape->size());
    if (!a)
      return nodeError("axis " + llvm::Twine(axis) + " is out of range");
    if (!llvm::is_contained(normalized, *a))
      normalized.push_back(*a);
  }
  llvm::sort(normalized);
  auto axesAttr = builder.getDenseI64ArrayAttr(normalized);
  auto keepDims = builder.getBoolAttr(getIntAttr(node, "keepdims", 1) != 0);
  FailureOr<Value> result;
  // The composite reductions: a sum (or, for LogSumExp, a max-shifted sum)
  // between an elementwise op before and one after.
  if (op == "ReduceL1" || op == "ReduceL2" || op == "ReduceSumSquare" ||
      op == "ReduceLogSum" || op == "ReduceLogSumExp") {
    Type elementType = getElementTypeOrSelf(input->getType());
    if (!isa<FloatType>(elementType))
      return nodeError(op + " needs a float input");
    Value x = *input;
    FailureOr<Value> shift;
    if (op == "ReduceL1")
      x = *createInferredValue<nn::AbsOp>(x);
    else if (op == "ReduceL2" || op == "ReduceSumSquare")
      x = *createInferredValue<nn::MulOp>(x, x);
    else if (op == "ReduceLogSumExp") {
      // log(sum(exp(x - m))) + m with m = max(x): no overflow in exp.
      shift = createInferredValue<nn::ReduceMaxOp>(x, axesAttr,
                                                   builder.getBoolAttr(true));
      if (failed(shift))
        return failure();
      x = *createInferredValue<nn::ExpOp>(
          *createInferredValue<nn::SubOp>(x, *shift));
    }
    FailureOr<Value> sum =
        createInferredValue<nn::ReduceSumOp>(x, axesAttr, keepDims);
    if (failed(sum))
      return failure();
    if (op == "ReduceL2")
      result = createInferredValue<nn::SqrtOp>(*sum);
    else if (op == "ReduceLogSum")
      result = createInferredValue<nn::LogOp>(*sum);
    else if (op == "ReduceLogSumExp") {
      FailureOr<Value> logSum = createInferredValue<nn::LogOp>(*sum);
      Value m = *shift;
      if (!keepDims.getValue())
        m = *createInferredValue<nn::ReshapeOp>(
            m, builder.getDenseI64ArrayAttr(
                   cast<RankedTensorType>(logSum->getType()).getShape()));
      result = createInferredValue<nn::AddOp>(*logSum, m);
    } else
      result = sum;
    return setResult(node, result);
  }
  if (op == "ReduceSum")
    result = createInferredValue<nn::ReduceSumOp>(*input, axesAttr, keepDims);
  else if (op == "ReduceMean")
    result = createInferredValue<nn::ReduceMeanOp>(*input, axesAttr, keepDims);
  else if (op == "ReduceMax")
    result = createInferredValue<nn::ReduceMaxOp>(*input, axesAttr, keepDims);
  else if (op == "ReduceMin")
    result = createInferredValue<nn::ReduceMinOp>(*input, axesAttr, keepDims);
  else
    result = createInferredValue<nn::ReduceProdOp>(*input, axesAttr, keepDims);
  return setResult(node, result);
}

LogicalResult
ONNXGraphImporter::importReshapeLike(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  llvm::Expected<llvm::SmallVector<int64_t>> target =
      llvm::SmallVector<int64_t>();
  if (op == "Reshape") {
    auto requested = constantInts(node, 1, "shape");
    if (failed(requested))
      return failure();
    target = resolveReshape(*shape, *requested,
                            getIntAttr(node, "allowzero", 0) != 0);
  } else if (op == "Unsqueeze") {
    llvm::SmallVector<int64_t> axes;
    if (opset >= 13) {
      auto values = constantInts(node, 1, "axes");
      if (failed(values))
        return failure();
      axes = *values;
    } else {
      axes = getIntsAttrOrEmpty(node, "axes");
    }
    target = unsqueezeShape(*shape, axes);
  } else if (op == "Squeeze") {
    std::optional<llvm::SmallVector<int64_t>> axes;
    if (failed(optionalAxes(node, opset >= 13, axes)))
      return failure();
    target = squeezeShape(*shape, axes);
  } else if (op == "Flatten") {
    FailureOr<int64_t> axis =
        axisAttr(node, 1, shape->size(), /*inclusive=*/true);
    if (failed(axis))
      return failure();
    auto result = createInferredValue<nn::FlattenOp>(
        *input, builder.getI64IntegerAttr(*axis));
    return setResult(node, result);
  }
  if (!target)
    return nodeError(llvm::toString(target.takeError()));
  auto result = createInferredValue<nn::ReshapeOp>(
      *input, builder.getDenseI64ArrayAttr(*target));
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importSplit(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  FailureOr<int64_t> axis = axisAttr(node, 0, shape->size());
  if (failed(axis))
    return failure();
  int64_t numOutputs = node.output_size();
  if (numOutputs == 0)
    return nodeError("has no outputs");
  llvm::SmallVector<int64_t> sizes;
  if (opset >= 13 && hasInput(node, 1)) {
    auto values = constantInts(node, 1, "split");
    if (failed(values))
      return failure();
    sizes = *values;
  } else if (auto attr = getIntsAttr(node, "split"); attr && opset < 13) {
    sizes = *attr;
  } else {
    int64_t dim = (*shape)[*axis];
    if (dim % numOutputs != 0)
      return nodeError("dimension " + llvm::Twine(dim) +
                       " does not split evenly into " +
                       llvm::Twine(numOutputs) + " outputs");
    sizes.assign(numOutputs, dim / numOutputs);
  }
  if (int64_t(sizes.size()) != numOutputs)
    return nodeError("split has " + llvm::Twine(sizes.size()) +
                     " sizes for " + llvm::Twine(numOutputs) + " outputs");
  auto op = createInferred<nn::SplitOp>(
      unsigned(numOutputs), *input, builder.getI64IntegerAttr(*axis),
      builder.getDenseI64ArrayAttr(sizes));
  if (failed(op))
    return failure();
  for (int64_t i = 0; i < numOutputs; ++i)
    setOutput(node, int(i), op->getOperation()->getResult(i));
  return success();
}

LogicalResult ONNXGraphImporter::importSlice(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  llvm::SmallVector<int64_t> starts, ends, axes, steps;
  if (opset < 10) {
    starts = getIntsAttrOrEmpty(node, "starts");
    ends = getIntsAttrOrEmpty(node, "ends");
    axes = getIntsAttrOrEmpty(node, "axes");
  } else {
    auto s = constantInts(node, 1, "starts");
    auto e = constantInts(node, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    starts = *s;
    ends = *e;
    if (hasInput(node, 3)) {
      auto a = constantInts(node, 3, "axes");
      if (failed(a))
        return failure();
      axes = *a;
    }
    if (hasInput(node, 4)) {
      auto st = constantInts(node, 4, "steps");
      if (failed(st))
        return failure();
      steps = *st;
    }
  }
  auto spec = resolveSlice(*shape, starts, ends, axes, steps);
  if (!spec)
    return nodeError(llvm::toString(spec.takeError()));
  // Emit every dimension the slice changes, with normalized bounds.
  llvm::SmallVector<int64_t> outStarts, outEnds, outAxes, outSteps;
  for (int64_t d = 0; d < int64_t(shape->size()); ++d) {
    if (spec->starts[d] == 0 && spec->steps[d] == 1 &&
        spec->sizes[d] == (*shape)[d])
      continue;
    outAxes.push_back(d);
    outStarts.push_back(spec->starts[d]);
    outSteps.push_back(spec->steps[d]);
    outEnds.push_back(spec->steps[d] > 0
                          ? spec->starts[d] + spec->sizes[d] * spec->steps[d]
                          : spec->ends[d]);
    if (spec->steps[d] > 0)
      outEnds.back() = std::min(outEnds.back(), (*shape)[d]);
  }
  if (outAxes.empty()) {
    setOutput(node, 0, *input);
    return success();
  }
  auto result = createInferredValue<nn::SliceOp>(
      *input, builder.getDenseI64ArrayAttr(outStarts),
      builder.getDenseI64ArrayAttr(outEnds),
      builder.getDenseI64ArrayAttr(outAxes),
      builder.getDenseI64ArrayAttr(outSteps));
  return setResult(node, result);
}

LogicalResult ONNXGraphImporter::importPad(const onnx::NodeProto &node) {
  FailureOr<Value> input = operand(node, 0);
  auto shape = shapeOf(node, 0);
  if (failed(input) || !shape)
    return failure();
  llvm::SmallVector<int64_t> pads;
  float value = 0.0f;
  if (opset < 11) {
    pads = getIntsAttrOrEmpty(node, "pads");
    value = getFloatAttr(node, "value", 0.0f);
  } else {
    auto p = constantInts(node, 1, "pads");
    if (failed(p))
      return failure();
    pads = *p;
    if (hasInput(node, 2) && !constantOf(node, 2) &&
        getStringAttr(node, "mode", "constant") == "constant")
      return importPadRuntimeValue(node, *input, pads);
    std::optional<float> fill;
    if (failed(optionalConstantScalar(node, 2, "constant_value", fill)))
      return failure();
    value = fill.value_or(0.0f);
  }
  if (pads.size() != 2 * shape->size())
    return nodeError("pads has " + llvm::Twine(pads.size()) +
                     " values, expected " + llvm::Twine(2 * shape->size()));
  auto result = createInferredValue<nn::PadOp>(
      *input, builder.getDenseI64ArrayAttr(pads),
      builder.getStringAttr(getStringAttr(node, "mode", "constant")),
      builder.getF32FloatAttr(value));
  return setResult(node, result);
}

LogicalResult
ONNXGraphImporter::importRuntimeNode(const onnx::NodeProto &node) {
  llvm::StringRef op = node.op_type();
  if (isTrainingOptimizerOp(node.domain(), op))
    return importTrainingOptimizer(node);
  if (op == "Conv" || op == "ConvTranspose")
    return importConvLike(node, op == "ConvTranspose");
  if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" ||
      op == "GlobalMaxPool")
    return importPool(node);
  if (op == "Gemm")
    return importGemm(node);
  if (op == "MatMul") {
    FailureOr<Value> a = operand(node, 0), b = operand(node, 1);
    if (failed(a) || failed(b))
      return failure();
    auto result = createInferredValue<nn::MatMulOp>(*a, *b);
    return setResult(node, result);
  }
  if (op == "BatchNormalization" &&
      (options.training || getIntAttr(node, "training_mode", 0))) {
    FailureOr<llvm::SmallVector<Value>> args = operands(node, 5);
    if (failed(args))
      return failure();
    FailureOr<nn::BatchNormTrainOp> norm =
        createInferred<nn::BatchNormTrainOp>(
            3, (*args)[0], (*args)[1], (*args)[2], (*args)[3], (*args)[4],
            builder.getF32FloatAttr(getFloatAttr(node, "epsilon", 1e-5f)),
            builder.getF32FloatAttr(getFloatAttr(node, "momentum", 0.9f)));
    if (failed(norm))
      return failure();
    for (int i = 0; i < 3; ++i)
      setOutput(node, i, norm->getResult(i));
    return success();
  }
  if (op == "BatchNormalization") {
    FailureOr<llvm::SmallVector<Value>> args = operands(node, 5);
    if (failed(args))
      return failure();
    auto result = createInferredValue<nn::BatchNormOp>(
        (*args)[0], (*args)[1], (*args)[2], (*args)[3], (*args)[4],
        builder.getF32FloatAttr(getFloatAttr(node, "epsilon", 1e-5f)));
    return setResult(node, result);
  }
  if (op == "LayerNormalization") {
    FailureOr<Value> input = operand(node, 0), scale = operand(node, 1),
                     bias = optionalOperand(node, 2);
    auto shape = shapeOf(node, 0);
    if (failed(input) || failed(scale) || failed(bias) || !shape)
      return failure();
    FailureOr<int64_t> axis = axisAttr(node, -1, shape->size());
    if (failed(axis))
      return failure();
    float epsilon = getFloatAttr(node, "epsilon", 1e-5f);
    auto result = createInferredValue<nn::LayerNormOp>(
        *input, *scale, *bias, builder.getI64IntegerAttr(*axis),
        builder.getF32FloatAttr(epsilon));
    if (failed(result))
      return failure();
    setOutput(node, 0, *result);
    bool wantMean = node.output_size() > 1 && outputIsUsed(node, 1);
    bool wantInvStdDev = node.output_size() > 2 && outputIsUsed(node, 2);
    if (!wantMean && !wantInvStdDev)
      return success();
    // The optional outputs are the statistics over [axis, rank) with the
    // reduced dims kept: Mean = E[x], InvStdDev = 1 / sqrt(E[(x - Mean)^2] +
    // epsilon). They are computed next to nn.layer_norm from primitive ops.
    llvm::SmallVector<int64_t> axes;
    for (int64_t a = *axis; a < int64_t(shape->size()); ++a)
      axes.push_back(a);
    auto axesAttr = builder.getDenseI64ArrayAttr(axes);
    auto keep = builder.getBoolAttr(true);
    FailureOr<Value> mean =
        createInferredValue<nn::ReduceMeanOp>(*input, axesAttr, keep);
    if (failed(mean))
      return failure();
    if (wantMean)
      setOutput(node, 1, *mean);
    if (!wantInvStdDev)
      return success();
    FailureOr<Value> centered = createInferredValue<nn::SubOp>(*input, *mean);
    if (failed(centered))
      return failure();
    FailureOr<Value> squared =
        createInferredValue<nn::MulOp>(*centered, *centered);
    if (failed(squared))
      return failure();
    FailureOr<Value> variance =
        createInferredValue<nn::ReduceMeanOp>(*squared, axesAttr, keep);
    if (failed(variance))
      return failure();
    Type elementType = getElementTypeOrSelf(input->getType());
    auto epsType = RankedTensorType::get({1}, elementType);
    Value eps = nn::ConstantOp::create(
        builder, currentLoc, epsType,
        DenseElementsAttr::get(epsType, builder.getFloatAttr(elementType,
                                                             epsilon)));
    FailureOr<Value> shifted = createInferredValue<nn::AddOp>(*variance, eps);
    if (failed(shifted))
      return failure();
    FailureOr<Value> stdDev = createInferredValue<nn::SqrtOp>(*shifted);
    if (failed(stdDev))
      return failure();
    FailureOr<Value> invStdDev = createInferredValue<nn::ReciprocalOp>(*stdDev);
    if (failed(invStdDev))
      return failure();
    setOutput(node, 2, *invStdDev);
    return success();
  }
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div" ||
      op == "Pow" || op == "Max" || op == "Min" || op == "Sum" || op == "Mod")
    return importBinary(node);
  if (isDecomposedOp(op))
    return importDecomposed(node);
  if (op == "Equal" || op == "Less" || op == "LessOrEqual" ||
      op == "Greater" || op == "GreaterOrEqual" || op == "And" ||
      op == "Or" || op == "Xor")
    return importCompareOrLogic(node);
  if (op == "Clip")
    return importClip(node);
  if (op == "Softmax" || op == "LogSoftmax")
    return importSoftmax(node);
  if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax" ||
      op == "ReduceMin" || op == "ReduceProd")
    return importReduce(node);
  if (isCompositeOp(op))
    return importComposite(node);
  if (op == "ArgMax" || op == "ArgMin") {
    FailureOr<Value> input = operand(node, 0);
    auto shape = shapeOf(node, 0);
    if (failed(input) || !shape)
      return failure();
    FailureOr<int64_t> axis = axisAttr(node, 0, shape->size());
    if (failed(axis))
      return failure();
    // select_last_index exists from opset 12; older opsets pick the first.
    auto axisValue = builder.getI64IntegerAttr(*axis);
    auto keepDims = builder.getBoolAttr(getIntAttr(node, "keepdims", 1) != 0);
    auto selectLast =
        builder.getBoolAttr(getIntAttr(node, "select_last_index", 0) != 0);
    FailureOr<Value> result =
        op == "ArgMax" ? createInferredValue<nn::ArgMaxOp>(*input, axisValue,
                                                           keepDims, selectLast)
                       : createInferredValue<nn::ArgMinOp>(
                             *input, axisValue, keepDims, selectLast);
    return setResult(node, result);
  }
  if (op == "Reshape" || op == "Squeeze" || op == "Unsqueeze" ||
      op == "Flatten")
    return importReshapeLike(node);
  if (op == "Split")
    return importSplit(node);
  if (op == "Slice")
    return importSlice(node);
  if (op == "Pad")
    return importPad(node);
  if (op == "Transpose") {
    FailureOr<Value> input = operand(node, 0);
    auto shape = shapeOf(node, 0);
    if (failed(input) || !shape)
      return failure();
    llvm::SmallVector<int64_t> perm;
    if (auto attr = getIntsAttr(node, "perm"))
      perm = *attr;
    else
      for (int64_t d = int64_t(shape->size()) - 1; d >= 0; --d)
        perm.push_back(d);
    auto result = createInferredValue<nn::TransposeOp>(
        *input, builder.getDenseI64ArrayAttr(perm));
    return setResult(node, result);
  }
  if (op == "Concat") {
    FailureOr<llvm::SmallVector<Value>> inputs =
        operands(node, node.input_size());
    if (failed(inputs))
      return failure();
    auto shape = shapeOf(node, 0);
    if (!shape)
      return nodeError("needs at least one input");
    FailureOr<int64_t> axis = axisAttr(node, 0, shape->size());
    if (failed(axis))
      return failure();
    auto result = createInferredValue<nn::ConcatOp>(
        ValueRange(*inputs), builder.getI64IntegerAttr(*axis));
    return setResult(node, result);
  }
  if (op == "Gather") {
    FailureOr<Value> data = operand(node, 0);
    auto shape = shapeOf(node, 0);
    if (failed(data) || !shape)
      return failure();
    FailureOr<int64_t> axis = axisAttr(node, 0, shape->size());
    if (failed(axis))
      return failure();
    FailureOr<Value> indices = operand(node, 1);
    if (failed(indices))
      return failure();
    auto result = createInferredValue<nn::GatherOp>(
        *data, *indices, builder.getI64IntegerAttr(*axis));
    return setResult(node, result);
  }
  if (op == "Where") {
    FailureOr<Value> cond = operand(node, 0), x = operand(node, 1),
                     y = operand(node, 2);
    if (failed(cond) || failed(x) || failed(y))
      return failure();
    auto result = createInferredValue<nn::WhereOp>(*cond, *x, *y);
    return setResult(node, result);
  }
  if (op == "Expand") {
    FailureOr<Value> input = operand(node, 0);
    auto target = constantInts(node, 1, "shape");
    if (failed(input) || failed(target))
      return failure();
    auto result = createInferredValue<nn::ExpandOp>(
        *input, builder.getDenseI64ArrayAttr(*target));
    return setResult(node, result);
  }
  if (op == "Cast") {
    FailureOr<Value> input = operand(node, 0);
    if (failed(input))
      return failure();
    auto type = cast<RankedTensorType>(input->getType());
    DType target = *dtypeFromONNX(int(getIntAttr(node, "to", 0)));
    if (!runsOnChip(target))
      return nodeError("Cast to DOUBLE is only supported on values known at "
                       "import time (or in f32 with --onnx-f64-as-f32)");
    Type elementType = dtypeToMLIR(chipDType(target), context);
    if (type.getElementType() == elementType) {
      setOutput(node, 0, *input);
      return success();
    }
    auto castOp = nn::CastOp::create(builder, currentLoc,
                                     type.clone(elementType), *input);
    setOutput(node, 0, castOp.getResult());
    return success();
  }
  return importUnary(node);
}

void ONNXGraphImporter::importNode(const onnx::NodeProto &node,
                                   size_t index) {
  llvm::StringRef op = node.op_type();
  currentLabel = nodeLabel(node, index);
  currentLoc = nodeLoc(node, index);

  auto poisonOutputs = [&] {
    for (const std::string &output : node.output())
      if (!output.empty())
        values[output].poisoned = true;
  };
  for (int i = 0; i < node.input_size(); ++i) {
    ValueInfo *info = lookup(node, i);
    if (hasInput(node, i) && (!info || info->poisoned))
      return poisonOutputs();
  }

  if (op == "Dropout" && options.training) {
    (void)setResult(node, importTrainingDropout(node));
    return;
  }
  // Nodes that vanish: they only rename a value.
  if (op == "Identity" || op == "Dropout") {
    if (op == "Dropout" && opset >= 12 && hasInput(node, 2)) {
      const ConstTensor *training = constantOf(node, 2);
      if (!training || training->getNumElements() != 1 ||
          training->getInt(0) != 0) {
        nodeProblem("training_mode must be a constant false (a "
                    "training-mode Dropout needs a training import: "
                    "npu-compile --train, npu-translate --onnx-training)");
        return poisonOutputs();
      }
    }
    ValueInfo *source = lookup(node, 0);
    if (!source || node.output_size() == 0) {
      nodeProblem("needs one input and one output");
      return poisonOutputs();
    }
    ValueInfo copy = *source;
    values[node.output(0)] = std::move(copy);
    // In inference the mask keeps every element: a constant true.
    if (op == "Dropout" && outputIsUsed(node, 1)) {
      // The input's shape is known (every imported value has one).
      std::optional<llvm::SmallVector<int64_t>> shape = shapeOf(node, 0);
      if (!shape)
        return poisonOutputs();
      ConstTensor mask = ConstTensor::zeros(DType::Bool, *shape);
      for (int64_t i = 0; i < mask.getNumElements(); ++i)
        mask.setInt(i, 1);
      setOutputConstant(node, 1, std::move(mask));
    }
    return;
  }
  if (op == "Constant") {
    const onnx::AttributeProto &attr = node.attribute(0);
    llvm::StringRef name = attr.name();
    std::optional<ConstTensor> tensor;
    if (name == "value") {
      auto decoded = decodeTensorProto(attr.t(), currentLabel + " value",
                                       ExternalDataContext{
                                           llvm::sys::path::parent_path(
                                               modelPath)
                                               .str(),
                                           &externalBuffers},
                                       model);
      if (!decoded) {
        addProblem(llvm::toString(decoded.takeError()));
        return poisonOutputs();
      }
      tensor = std::move(*decoded);
    } else if (name == "value_float" || name == "value_floats") {
      llvm::SmallVector<double> floats;
      if (name == "value_float")
        floats.push_back(attr.f());
      else
        floats.append(attr.floats().begin(), attr.floats().end());
      llvm::SmallVector<int64_t> shape;
      if (name == "value_floats")
        shape.push_back(int64_t(floats.size()));
      tensor = ConstTensor::zeros(DType::F32, shape);
      for (auto [i, v] : llvm::enumerate(floats))
        tensor->setDouble(i, v);
    } else {
      llvm::SmallVector<int64_t> ints;
      if (name == "value_int")
        ints.push_back(attr.i());
      else
        ints.append(attr.ints().begin(), attr.ints().end());
      llvm::SmallVector<int64_t> shape;
      if (name == "value_ints")
        shape.push_back(int64_t(ints.size()));
      tensor = ConstTensor::zeros(DType::I64, shape);
      for (auto [i, v] : llvm::enumerate(ints))
        tensor->setInt(i, v);
    }
    setOutputConstant(node, 0, std::move(*tensor));
    return;
  }
  // Shapes are static, so Shape and Size are always known.
  if (op == "Shape" || op == "Size") {
    auto shape = shapeOf(node, 0);
    if (!shape) {
      nodeProblem("input 0 is required");
      return poisonOutputs();
    }
    if (op == "Size") {
      ConstTensor size = ConstTensor::zeros(DType::I64, {});
      size.setInt(0, *checkedNumElements(*shape));
      setOutputConstant(node, 0, std::move(size));
      return;
    }
    int64_t rank = shape->size();
    int64_t start = getIntAttr(node, "start", 0);
    int64_t end = getIntAttr(node, "end", rank);
    start = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    end = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    int64_t count = std::max<int64_t>(0, end - start);
    ConstTensor dims = ConstTensor::zeros(DType::I64, {count});
    for (int64_t i = 0; i < count; ++i)
      dims.setInt(i, (*shape)[start + i]);
    setOutputConstant(node, 0, std::move(dims));
    return;
  }

  // Evaluate at import time when every input is known.
  bool allConstant = true;
  llvm::SmallVector<const ConstTensor *> constInputs;
  for (int i = 0; i < node.input_size(); ++i) {
    const ConstTensor *tensor = constantOf(node, i);
    if (hasInput(node, i) && !tensor)
      allConstant = false;
    constInputs.push_back(tensor);
  }
  bool foldOnly = isFoldOnlyOp(op);
  if (allConstant && failed(checkFoldBudget()))
    return poisonOutputs();
  // Folding broadcasts numpy-style; the legacy axis form runs as nn ops.
  if (opset < 7 && getIntAttr(node, "broadcast", 0) != 0 &&
      findAttr(node, "axis"))
    allConstant = false;
  if (allConstant) {
    llvm::SmallVector<ConstTensor> results;
    std::string error;
    bool tooLarge = false;
    int64_t limit = foldOnly ? options.foldElementLimit
                             : std::min(options.foldElementLimit,
                                        kPreferRuntimeElements);
    FoldStatus status = foldConstantNode(node, constInputs, opset, limit,
                                         results, error, tooLarge);
    if (status == FoldStatus::Folded) {
      for (auto [i, result] : llvm::enumerate(results)) {
        foldedBytes += int64_t(result.getBytes().size());
        setOutputConstant(node, int(i), std::move(result));
      }
      return;
    }
    if (status == FoldStatus::Failed) {
      nodeProblem(error);
      return poisonOutputs();
    }
    if (foldOnly) {
      nodeProblem(tooLarge ? "the result would have more than " +
                               llvm::Twine(options.foldElementLimit) +
                               " elements, the import-time limit"
                         : llvm::Twine("cannot be evaluated at import time"));
      return poisonOutputs();
    }
  } else if (foldOnly) {
    nodeProblem(op + " is only supported on inputs known at import time "
                   "(shape computations), not on run-time tensors");
    return poisonOutputs();
  }

  if (failed(importRuntimeNode(node)))
    return poisonOutputs();
  for (const std::string &output : node.output()) {
    if (output.empty() || !consumedNames.contains(output))
      continue;
    ValueInfo &info = values[output];
    if (!info.value && !info.constant) {
      nodeProblem("output '" + output + "' was not produced");
      return poisonOutputs();
    }
  }
}

OwningOpRef<ModuleOp> ONNXGraphImporter::buildModule() {
  const onnx::GraphProto &graph = model->graph();
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  builder.setInsertionPointToEnd(module->getBody());

  ExternalDataContext external{
      llvm::sys::path::parent_path(modelPath).str(), &externalBuffers};
  for (auto &[name, tensor] : boundInputs)
    values[name].constant = tensor;
  for (const auto &init : graph.initializer()) {
    std::optional<DType> dtype = dtypeFromONNX(init.data_type());
    if (!dtype || !runsOnChip(*dtype)) {
      // Already in the support report.
      values[init.name()].poisoned = true;
      continue;
    }
    auto decoded = decodeTensorProto(
        init, "initializer '" + init.name() + "'", external, model);
    if (!decoded) {
      addProblem(llvm::toString(decoded.takeError()));
      values[init.name()].poisoned = true;
      continue;
    }
    values[init.name()].constant = std::move(*decoded);
    values[init.name()].initializer = true;
  }
  llvm::SmallVector<std::pair<std::string, Type>> arguments(graphInputs.begin(),
                                                            graphInputs.end());
  bool hasDropout = llvm::any_of(graph.node(), [](const onnx::NodeProto &n) {
    return n.op_type() == "Dropout";
  });
  if (options.training && hasDropout)
    arguments.emplace_back(
        kDropoutSeedName.str(),
        RankedTensorType::get({}, builder.getIntegerType(64)));
  llvm::SmallVector<Type> argTypes;
  for (const auto &[name, type] : arguments)
    argTypes.push_back(type);
  auto func = func::FuncOp::create(builder, fileLoc, "main",
                                   builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, input] : llvm::enumerate(arguments)) {
    BlockArgument arg = entry->getArgument(i);
    arg.setLoc(NameLoc::get(StringAttr::get(context, input.first)));
    func.setArgAttr(i, "nn.name", builder.getStringAttr(input.first));
    if (i < graphInputs.size())
      values[input.first].value = arg;
    else
      dropoutSeed = arg;
  }
  builder.setInsertionPointToEnd(entry);

  for (size_t index : topoOrder) {
    const onnx::NodeProto &node = graph.node(int(index));
    if (rejectedNodes[index]) {
      for (const std::string &output : node.output())
        if (!output.empty())
          values[output].poisoned = true;
      continue;
    }
    importNode(node, index);
  }

  llvm::SmallVector<Value> results;
  for (const auto &output : graph.output()) {
    ValueInfo &info = values[output.name()];
    if (info.poisoned)
      continue;
    if (!info.value && info.constant &&
        !runsOnChip(info.constant->getDType())) {
      addProblem("graph output '" + output.name() +
                 "' has dtype DOUBLE, which is not supported");
      continue;
    }
    if (!info.value && info.constant &&
        info.constant->getDType() == DType::F64)
      info.constant = roundedToF32(*info.constant);
    if (!info.value && info.constant)
      info.value = materialize(*info.constant, output.name(),
                               NameLoc::get(StringAttr::get(context,
                                                            output.name())));
    if (!info.value) {
      addProblem("graph output '" + output.name() + "' has no value");
      continue;
    }
    results.push_back(info.value);
  }
  if (hasProblems())
    return nullptr;
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(
      builder.getFunctionType(argTypes, ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "nn.name", builder.getStringAttr(output.name()));
  return module;
}

OwningOpRef<ModuleOp> ONNXGraphImporter::run(llvm::StringRef bytes) {
  if (failed(parseModel(bytes)) || failed(indexGraph()))
    return nullptr;
  checkSupport();
  // With an unknown opset the node semantics are unknown: report only the
  // static problems. Otherwise keep importing around rejected nodes so that
  // the report also lists what only the walk can find.
  if (opset < kFirstOpset || opset > kLastOpset) {
    (void)emitReport();
    return nullptr;
  }
  OwningOpRef<ModuleOp> module = buildModule();
  if (failed(emitReport()) || !module)
    return nullptr;
  if (failed(verify(*module)))
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> mlir::npu::importONNXModel(
    llvm::StringRef modelBytes, llvm::StringRef modelPath,
    const ONNXImportOptions &options, MLIRContext *context) {
  context->loadDialect<nn::NNDialect, func::FuncDialect>();
  ONNXGraphImporter importer(context, options, modelPath);
  return importer.run(modelBytes);
}
