//===- NNToNPU.cpp - npu-tile: func.func @main of nn ops -> npu.program ---===//
//
// The driver of tiling. It owns everything that is not a per-op decision:
// the program's DRAM tensors (I/O named after the model's, constants
// converted to chip dtypes at compile time, one DRAM buffer per intermediate
// result), views (reshape/flatten alias their input), copies into outputs,
// and the dispatch of every other op to its kernel through the
// KernelRegistry. Kernels see it only as a KernelContext.
//
// Before anything is emitted the whole function is checked for ops without
// a kernel, so an unsupported model gets one message listing every missing
// op kind with its count instead of failing on the first.
//
//===----------------------------------------------------------------------===//
#include "npu/Conversion/NNToNPU/KernelContext.h"
#include "npu/Conversion/Passes.h"

#include "npu/Dialect/NN/IR/NN.h"
#include "npu/Dialect/NPU/IR/NPU.h"
#include "npu/Runtime/Numerics.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"

#include <cstring>
#include <limits>

namespace mlir::npu {
#define GEN_PASS_DEF_NPUTILEPASS
#include "npu/Conversion/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

/// `1x3x224x224` (or `scalar`), for messages.
std::string formatShape(ArrayRef<int64_t> shape) {
  if (shape.empty())
    return "scalar";
  return llvm::join(
      llvm::map_range(shape, [](int64_t d) { return std::to_string(d); }), "x");
}

/// The name a location gives an op (the ONNX node name), or "".
StringRef locationName(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().getValue();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (StringRef name = locationName(inner); !name.empty())
        return name;
  return "";
}

/// Element values of a constant, read without materializing APFloats for
/// dense_resource blobs and non-splat dense data.
class ConstantReader {
public:
  /// Fails (with a message in `error`) for data the chip cannot hold.
  static FailureOr<ConstantReader> create(ElementsAttr attr,
                                          std::string &error) {
    ConstantReader reader;
    auto type = cast<ShapedType>(attr.getType());
    reader.elementType = type.getElementType();
    reader.count = type.getNumElements();
    if (reader.elementType.isInteger(1)) {
      // Dense i1 data is bit-packed; read it through the typed accessor.
      // A splat keeps its one value: its type may claim more elements
      // than memory holds.
      if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
        reader.splat = dense.isSplat();
        if (reader.splat) {
          reader.bools.push_back(dense.getSplatValue<bool>());
          return reader;
        }
        reader.bools.reserve(reader.count);
        for (bool b : dense.getValues<bool>())
          reader.bools.push_back(b);
        return reader;
      }
    }
    unsigned bits = reader.elementType.getIntOrFloatBitWidth();
    reader.elementBytes = bits == 1 ? 1 : bits / 8;
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
      AsmResourceBlob *blob = resource.getRawHandle().getBlob();
      if (!blob) {
        error = "its dense_resource data is missing (elided)";
        return failure();
      }
      reader.raw = blob->getData();
    } else if (auto dense = dyn_cast<DenseIntOrFPElementsAttr>(attr)) {
      reader.raw = dense.getRawData();
      reader.splat = dense.isSplat();
    } else {
      error = "its data is neither dense nor dense_resource";
      return failure();
    }
    uint64_t needed = reader.splat ? reader.elementBytes
                                   : static_cast<uint64_t>(reader.count) *
                                         reader.elementBytes;
    if (reader.raw.size() < needed) {
      error = "its data holds " + std::to_string(reader.raw.size()) +
              " bytes, fewer than its type needs (" + std::to_string(needed) +
              ")";
      return failure();
    }
    return reader;
  }

  Type elementType;
  int64_t count = 0;

  double getFloat(int64_t i) const {
    if (!bools.empty())
      return bools[splat ? 0 : i] ? 1.0 : 0.0;
    const char *p = element(i);
    if (elementType.isF32()) {
      float v;
      std::memcpy(&v, p, 4);
      return v;
    }
    if (elementType.isBF16() || elementType.isF16()) {
      uint16_t bits;
      std::memcpy(&bits, p, 2);
      return elementType.isBF16() ? npurt::bf16BitsToFloat(bits)
                                  : npurt::halfBitsToFloat(bits);
    }
    if (elementType.isF64()) {
      double v;
      std::memcpy(&v, p, 8);
      return v;
    }
    return static_cast<double>(getInt(i));
  }

  int64_t getInt(int64_t i) const {
    if (!bools.empty())
      return bools[splat ? 0 : i] ? 1 : 0;
    if (isa<FloatType>(elementType))
      return static_cast<int64_t>(getFloat(i));
    const char *p = element(i);
    switch (elementBytes) {
    case 1:
      return elementType.isInteger(1) ? (*p != 0) : static_cast<int8_t>(*p);
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
    }
  }

private:
  const char *element(int64_t i) const {
    return raw.data() + (splat ? 0 : i * elementBytes);
  }

  ArrayRef<char> raw;
  bool splat = false;
  unsigned elementBytes = 0;
  std::vector<bool> bools;
};

FailureOr<ElementsAttr> toChipData(MLIRContext *context, ElementsAttr value,
                                   StringRef name, npurt::DType dtype,
                                   std::string &error);

/// The KernelContext of one npu-tile run: owns the program being built.
class TileContext final : public KernelContext {
public:
  TileContext(ProgramOp program, const npurt::Target &chip,
              npurt::DType compute, bool doubleBuffer)
      : program(program), chip(chip), compute(compute),
        doubleBuffer(doubleBuffer), tableBuilder(program.getContext()),
        kernelOpBuilder(program.getContext()),
        kernelBuilder(kernelOpBuilder, program.getLoc()) {
    kernelOpBuilder.setInsertionPointToEnd(&program.getBody().front());
  }

  // KernelContext.
  const npurt::Target &target() const override { return chip; }
  npurt::DType computeType() const override { return compute; }
  bool doubleBuffering() const override { return doubleBuffer; }
  KernelBuilder &builder() override { return kernelBuilder; }
  FailureOr<TensorRef> lookup(Value value, Operation *user) override;
  TensorRef defineResult(Value result) override;
  LogicalResult alias(Value result, const TensorRef &source) override;
  TensorRef constant(StringRef name, ArrayRef<int64_t> shape,
                     npurt::DType dtype, std::vector<uint8_t> bytes) override;
  FailureOr<std::vector<float>> constantValues(Value value) override;
  void beginSourceOp(Operation *op, const SourceWork &work) override;
  void markFused(Operation *op) override { fused.insert(op); }
  bool isFused(Operation *op) const override { return fused.contains(op); }

  /// Creates the I/O tensors of `func` (inputs, then outputs).
  LogicalResult declareIO(func::FuncOp func);
  /// Lowers every op of `func`'s body, then fills the outputs.
  LogicalResult lowerBody(func::FuncOp func, const KernelRegistry &registry);
  /// True once a tensor too large for DRAM was reported.
  bool reportedOversizedTensor() const { return oversized; }

  unsigned numConstants = 0;
  unsigned numAliases = 0;

private:
  /// The chip dtype of an nn element type inside the model (floats in the
  /// compute precision) or at the I/O (floats in f32).
  npurt::DType chipDType(Type elementType, bool atIO) const;
  /// Checks that `bytes` of tensor `name` fit DRAM; reports it otherwise.
  void checkFitsDram(Location loc, StringRef name, ArrayRef<int64_t> shape,
                     npurt::DType dtype, uint64_t bytes);
  /// Inserts top-level table ops (I/O, constants) after the previous ones.
  void setTableInsertionPoint();
  /// The npu.constant holding nn.constant `op`'s value in chip dtype.
  FailureOr<TensorRef> materializeConstant(nn::ConstantOp op, Operation *user);
  /// A constant buffer with `data` (its type gives shape and dtype).
  TensorRef createConstant(Location loc, StringRef name, ElementsAttr data,
                           ArrayRef<int64_t> shape, npurt::DType dtype);
  /// A layer `layerName` of kind `kind` copying `source` into `dest`, the
  /// tensor called `name` (same element count).
  LogicalResult emitCopy(Location loc, StringRef name, StringRef layerName,
                         StringRef kind, const TensorRef &source,
                         const TensorRef &dest);

  ProgramOp program;
  npurt::Target chip;
  npurt::DType compute;
  bool doubleBuffer;
  OpBuilder tableBuilder;
  OpBuilder kernelOpBuilder;
  KernelBuilder kernelBuilder;
  /// The last I/O or constant op: tables are kept together at the top.
  Operation *lastTableOp = nullptr;
  /// The layer kernels currently emit into.
  LayerOp currentLayer;

  DenseMap<Value, TensorRef> tensors;
  /// Function results: the value returned and the output tensor.
  SmallVector<std::pair<Value, TensorRef>> outputs;
  /// State results: the new value and the state tensor it replaces.
  SmallVector<std::pair<Value, TensorRef>> stateResults;
  DenseSet<Operation *> fused;
  bool oversized = false;
  unsigned unnamedConstants = 0;
};

} // namespace

npurt::DType TileContext::chipDType(Type elementType, bool atIO) const {
  if (isa<FloatType>(elementType))
    return atIO ? npurt::DType::F32 : compute;
  if (elementType.isInteger(1))
    return npurt::DType::F32;
  if (elementType.isInteger(8))
    return npurt::DType::I8;
  return npurt::DType::I32;
}

void TileContext::checkFitsDram(Location loc, StringRef name,
                                ArrayRef<int64_t> shape, npurt::DType dtype,
                                uint64_t bytes) {
  if (bytes <= chip.dram_bytes)
    return;
  emitError(loc) << "tensor '" << name << "' (" << formatShape(shape) << " "
                 << npurt::dtypeName(dtype) << ") needs " << bytes
                 << " bytes, more than the chip's DRAM (dram_bytes = "
                 << chip.dram_bytes << ")";
  oversized = true;
}

void TileContext::setTableInsertionPoint() {
  if (lastTableOp)
    tableBuilder.setInsertionPointAfter(lastTableOp);
  else
    tableBuilder.setInsertionPointToStart(&program.getBody().front());
}

LogicalResult TileContext::declareIO(func::FuncOp func) {
  MLIRContext *context = program.getContext();
  auto declare = [&](Location loc, StringRef name, IOKind kind, Type type,
                     ElementsAttr init = {}) -> FailureOr<TensorRef> {
    auto tensorType = dyn_cast<RankedTensorType>(type);
    if (!tensorType || !tensorType.hasStaticShape())
      return emitError(loc) << "npu-tile: " << stringifyIOKind(kind) << " '"
                            << name << "' has type " << type
                            << "; only statically shaped tensors can be "
                               "chip inputs, outputs and state";
    TensorRef ref;
    ref.shape.assign(tensorType.getShape().begin(),
                     tensorType.getShape().end());
    ref.dtype = chipDType(tensorType.getElementType(), /*atIO=*/true);
    if (init) {
      std::string error;
      FailureOr<ElementsAttr> data =
          toChipData(context, init, name, ref.dtype, error);
      if (failed(data))
        return emitError(loc) << "npu-tile: the initial value of state '"
                              << name << "' cannot be placed on the chip: "
                              << error;
      init = *data;
    }
    setTableInsertionPoint();
    auto io = IOOp::create(tableBuilder, loc, BufferType::get(context),
                           tableBuilder.getStringAttr(name),
                           IOKindAttr::get(context, kind),
                           TypeAttr::get(fromChipDType(context, ref.dtype)),
                           tableBuilder.getDenseI64ArrayAttr(ref.shape), init,
                           IntegerAttr());
    lastTableOp = io;
    ref.buffer = io.getBuffer();
    checkFitsDram(loc, name, ref.shape, ref.dtype, ref.bytes());
    return ref;
  };

  Block &body = func.getBody().front();
  llvm::StringMap<std::pair<BlockArgument, TensorRef>> states;
  for (BlockArgument arg : body.getArguments()) {
    unsigned index = arg.getArgNumber();
    auto nameAttr = func.getArgAttrOfType<StringAttr>(index, "nn.name");
    std::string name = nameAttr ? nameAttr.getValue().str()
                                : "arg" + std::to_string(index);
    bool isState = func.getArgAttr(index, nn::kStateAttrName) != nullptr;
    Attribute initAttr = func.getArgAttr(index, nn::kInitialValueAttrName);
    auto init = dyn_cast_or_null<ElementsAttr>(initAttr);
    if (initAttr && !isState)
      return emitError(arg.getLoc())
             << "npu-tile: argument '" << name << "' has an "
             << nn::kInitialValueAttrName << " but is not a state tensor (no "
             << nn::kStateAttrName << ")";
    if (initAttr && (!init || init.getType() != arg.getType())) {
      InFlightDiagnostic diag =
          emitError(arg.getLoc())
          << "npu-tile: the " << nn::kInitialValueAttrName << " of state '"
          << name << "' must be elements of type " << arg.getType()
          << ", got ";
      if (init)
        diag << "elements of type " << init.getType();
      else
        diag << "a non-elements attribute";
      return diag;
    }
    FailureOr<TensorRef> ref =
        declare(arg.getLoc(), name, isState ? IOKind::state : IOKind::input,
                arg.getType(), init);
    if (failed(ref))
      return failure();
    tensors[arg] = *ref;
    if (isState)
      states[name] = {arg, *ref};
  }
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  for (auto [index, value] : llvm::enumerate(ret.getOperands())) {
    // A result naming a state tensor is that tensor's value after the run.
    if (Attribute stateAttr =
            func.getResultAttr(index, nn::kStateAttrName)) {
      auto stateName = dyn_cast<StringAttr>(stateAttr);
      auto it = stateName ? states.find(stateName.getValue()) : states.end();
      if (it == states.end())
        return emitError(ret.getLoc())
               << "npu-tile: result #" << index << " has "
               << nn::kStateAttrName << " = " << stateAttr
               << " but no argument is a state tensor of that name";
      auto &[arg, stateRef] = it->second;
      if (arg.getType() != value.getType())
        return emitError(ret.getLoc())
               << "npu-tile: result #" << index << " updates state '"
               << stateName.getValue() << "' of type " << arg.getType()
               << " with a value of type " << value.getType();
      if (llvm::any_of(stateResults, [&](const auto &entry) {
            return entry.second.buffer == stateRef.buffer;
          }))
        return emitError(ret.getLoc())
               << "npu-tile: state '" << stateName.getValue()
               << "' is updated by more than one result";
      stateResults.push_back({value, stateRef});
      continue;
    }
    auto nameAttr = func.getResultAttrOfType<StringAttr>(index, "nn.name");
    std::string name =
        nameAttr ? nameAttr.getValue().str() : "out" + std::to_string(index);
    FailureOr<TensorRef> ref =
        declare(ret.getLoc(), name, IOKind::output, value.getType());
    if (failed(ref))
      return failure();
    outputs.push_back({value, *ref});
  }
  return success();
}

TensorRef TileContext::createConstant(Location loc, StringRef name,
                                      ElementsAttr data,
                                      ArrayRef<int64_t> shape,
                                      npurt::DType dtype) {
  setTableInsertionPoint();
  auto op = ConstantOp::create(
      tableBuilder, loc, BufferType::get(program.getContext()),
      tableBuilder.getStringAttr(name), data, IntegerAttr());
  lastTableOp = op;
  ++numConstants;
  TensorRef ref;
  ref.buffer = op.getBuffer();
  ref.shape.assign(shape.begin(), shape.end());
  ref.dtype = dtype;
  checkFitsDram(loc, name, shape, dtype, ref.bytes());
  return ref;
}

/// `bytes` as constant data of `shape` x `dtype`: a dense_resource blob
/// (never printed in full, cheap to carry) named after the tensor.
static ElementsAttr makeConstantData(MLIRContext *context, StringRef name,
                                     ArrayRef<int64_t> shape,
                                     npurt::DType dtype,
                                     ArrayRef<uint8_t> bytes) {
  auto type = RankedTensorType::get(shape, fromChipDType(context, dtype));
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(reinterpret_cast<const char *>(bytes.data()),
                     bytes.size()),
      alignof(uint64_t));
  std::string key;
  for (char c : name)
    key += llvm::isAlnum(c) ? c : '_';
  if (key.empty() || llvm::isDigit(key.front()))
    key = "c_" + key;
  return DenseResourceElementsAttr::get(type, key, std::move(blob));
}

TensorRef TileContext::constant(StringRef name, ArrayRef<int64_t> shape,
                                npurt::DType dtype,
                                std::vector<uint8_t> bytes) {
  Location loc = kernelBuilder.getLoc();
  TensorRef probe;
  probe.shape.assign(shape.begin(), shape.end());
  probe.dtype = dtype;
  if (bytes.size() != probe.bytes()) {
    // A kernel bug, not an input error; keep the IR consistent regardless.
    emitError(loc) << "kernel constant '" << name << "' has " << bytes.size()
                   << " bytes for a " << formatShape(shape) << " "
                   << npurt::dtypeName(dtype) << " tensor (" << probe.bytes()
                   << " bytes)";
    oversized = true;
    bytes.resize(std::min<uint64_t>(probe.bytes(), chip.dram_bytes));
  }
  ElementsAttr data =
      makeConstantData(program.getContext(), name, shape, dtype, bytes);
  return createConstant(loc, name, data, shape, dtype);
}

namespace {
/// `value` in chip dtype `dtype`: the attribute itself when it already is
/// (no copy of the blob), else a new dense_resource blob named `name`.
/// Fails with a message in `error` for data the chip cannot hold.
FailureOr<ElementsAttr> toChipData(MLIRContext *context, ElementsAttr value,
                                   StringRef name, npurt::DType dtype,
                                   std::string &error) {
  auto type = cast<ShapedType>(value.getType());
  if (toChipDType(type.getElementType()) == dtype &&
      (isa<DenseResourceElementsAttr>(value) ||
       isa<DenseIntOrFPElementsAttr>(value)))
    return value;

  FailureOr<ConstantReader> reader = ConstantReader::create(value, error);
  if (failed(reader))
    return failure();
  int64_t count = reader->count;
  std::vector<uint8_t> bytes(static_cast<size_t>(count) *
                             npurt::dtypeSize(dtype));
  for (int64_t i = 0; i < count; ++i) {
    uint8_t *p = bytes.data() + i * npurt::dtypeSize(dtype);
    switch (dtype) {
    case npurt::DType::F32: {
      float v = static_cast<float>(reader->getFloat(i));
      std::memcpy(p, &v, 4);
      break;
    }
    case npurt::DType::BF16: {
      uint16_t bits =
          npurt::floatToBF16Bits(static_cast<float>(reader->getFloat(i)));
      std::memcpy(p, &bits, 2);
      break;
    }
    case npurt::DType::I32: {
      int64_t v = reader->getInt(i);
      if (v < std::numeric_limits<int32_t>::min() ||
          v > std::numeric_limits<int32_t>::max()) {
        error = "element " + std::to_string(i) + " (" + std::to_string(v) +
                ") does not fit the chip's i32";
        return failure();
      }
      int32_t narrow = static_cast<int32_t>(v);
      std::memcpy(p, &narrow, 4);
      break;
    }
    case npurt::DType::I8: {
      int8_t v = static_cast<int8_t>(reader->getInt(i));
      std::memcpy(p, &v, 1);
      break;
    }
    }
  }
  return makeConstantData(context, name, type.getShape(), dtype, bytes);
}
} // namespace

FailureOr<TensorRef> TileContext::materializeConstant(nn::ConstantOp op,
                                                      Operation *user) {
  Value result = op.getResult();
  auto type = cast<RankedTensorType>(result.getType());
  npurt::DType dtype = chipDType(type.getElementType(), /*atIO=*/false);
  std::string name = locationName(op.getLoc()).str();
  if (name.empty())
    name = "const" + std::to_string(unnamedConstants++);
  std::string error;
  FailureOr<ElementsAttr> data =
      toChipData(program.getContext(), op.getValue(), name, dtype, error);
  if (failed(data))
    return user->emitOpError() << "uses constant '" << name
                               << "' that cannot be placed on the chip: "
                               << error;
  return createConstant(op.getLoc(), name, *data, type.getShape(), dtype);
}

FailureOr<TensorRef> TileContext::lookup(Value value, Operation *user) {
  auto it = tensors.find(value);
  if (it != tensors.end())
    return it->second;
  if (auto constant = value.getDefiningOp<nn::ConstantOp>()) {
    FailureOr<TensorRef> ref = materializeConstant(constant, user);
    if (succeeded(ref))
      tensors[value] = *ref;
    return ref;
  }
  InFlightDiagnostic diag = user->emitOpError()
                            << "has an operand with no DRAM tensor";
  if (Operation *producer = value.getDefiningOp())
    diag << " (its producer '" << producer->getName()
         << "' was not lowered to the chip)";
  return failure();
}

TensorRef TileContext::defineResult(Value result) {
  auto it = tensors.find(result);
  if (it != tensors.end())
    return it->second;
  // A returned value is written straight into (the first) output buffer.
  for (auto &[value, output] : outputs)
    if (value == result) {
      tensors[result] = output;
      return output;
    }

  auto type = cast<RankedTensorType>(result.getType());
  TensorRef ref;
  ref.shape.assign(type.getShape().begin(), type.getShape().end());
  ref.dtype = chipDType(type.getElementType(), /*atIO=*/false);
  // The new value of a state tensor is computed in the state's dtype (f32),
  // so in bf16 training the optimizer keeps f32 master weights and slots.
  for (auto &[value, state] : stateResults)
    if (value == result)
      ref.dtype = state.dtype;
  Operation *producer = result.getDefiningOp();
  std::string name =
      producer ? locationName(producer->getLoc()).str() : std::string();
  if (name.empty())
    name = "t" + std::to_string(tensors.size());
  if (producer && producer->getNumResults() > 1)
    name += "." + std::to_string(cast<OpResult>(result).getResultNumber());

  // Intermediates sit at the top level, just before the layer that first
  // writes them, so program order reads as "allocate, then compute".
  Location loc = producer ? producer->getLoc() : program.getLoc();
  if (currentLayer)
    tableBuilder.setInsertionPoint(currentLayer);
  else
    tableBuilder.setInsertionPointToEnd(&program.getBody().front());
  int64_t bytes = static_cast<int64_t>(
      std::min<uint64_t>(ref.bytes(), std::numeric_limits<int64_t>::max()));
  auto alloc = AllocOp::create(
      tableBuilder, loc, BufferType::get(program.getContext()),
      SpaceAttr::get(program.getContext(), Space::Dram),
      tableBuilder.getI64IntegerAttr(std::max<int64_t>(bytes, 1)),
      tableBuilder.getStringAttr(name), IntegerAttr());
  ref.buffer = alloc.getBuffer();
  checkFitsDram(loc, name, ref.shape, ref.dtype, ref.bytes());
  tensors[result] = ref;
  return ref;
}

LogicalResult TileContext::alias(Value result, const TensorRef &source) {
  auto type = cast<RankedTensorType>(result.getType());
  TensorRef view = source;
  view.shape.assign(type.getShape().begin(), type.getShape().end());
  if (view.numElements() != source.numElements())
    return emitError(result.getLoc())
           << "cannot view a " << formatShape(source.shape) << " tensor as "
           << formatShape(view.shape) << ": the element counts differ";
  tensors[result] = view;
  ++numAliases;
  return success();
}

FailureOr<std::vector<float>> TileContext::constantValues(Value value) {
  auto constant = value.getDefiningOp<nn::ConstantOp>();
  if (!constant)
    return failure();
  std::string error;
  FailureOr<ConstantReader> reader =
      ConstantReader::create(constant.getValue(), error);
  if (failed(reader))
    return failure();
  std::vector<float> values(static_cast<size_t>(reader->count));
  for (int64_t i = 0; i < reader->count; ++i)
    values[i] = static_cast<float>(reader->getFloat(i));
  return values;
}

void TileContext::beginSourceOp(Operation *op, const SourceWork &work) {
  std::string name = locationName(op->getLoc()).str();
  if (name.empty())
    name = op->getName().getStringRef().str();
  OpBuilder::InsertionGuard guard(tableBuilder);
  tableBuilder.setInsertionPointToEnd(&program.getBody().front());
  currentLayer = LayerOp::create(tableBuilder, op->getLoc(), name,
                                 op->getName().getStringRef(), work.macs,
                                 work.vectorOps, work.minDramBytes);
  kernelOpBuilder.setInsertionPointToEnd(&currentLayer.getBody().front());
  kernelBuilder.setLoc(op->getLoc());
}

LogicalResult TileContext::emitCopy(Location loc, StringRef name,
                                    StringRef layerName, StringRef kind,
                                    const TensorRef &source,
                                    const TensorRef &dest) {
  bool floats = [](npurt::DType a, npurt::DType b) {
    auto isFloat = [](npurt::DType t) {
      return t == npurt::DType::F32 || t == npurt::DType::BF16;
    };
    return isFloat(a) && isFloat(b);
  }(source.dtype, dest.dtype);
  if (source.dtype != dest.dtype && !floats)
    return emitError(loc) << "cannot copy a " << npurt::dtypeName(source.dtype)
                          << " tensor into '" << name << "' of "
                          << npurt::dtypeName(dest.dtype);
  int64_t count = source.numElements();
  SourceWork work;
  work.minDramBytes = source.bytes() + dest.bytes();
  OpBuilder::InsertionGuard guard(tableBuilder);
  tableBuilder.setInsertionPointToEnd(&program.getBody().front());
  currentLayer = LayerOp::create(tableBuilder, loc, layerName, kind, work.macs,
                                 work.vectorOps, work.minDramBytes);
  kernelOpBuilder.setInsertionPointToEnd(&currentLayer.getBody().front());
  kernelBuilder.setLoc(loc);
  if (count == 0)
    return success();

  // Rows of up to 1024 elements, chunks of rows sized to a quarter of SRAM
  // (at most 256 KiB): two chunk buffers alternate when double buffering.
  unsigned size = npurt::dtypeSize(source.dtype);
  int64_t cols = std::min<int64_t>(count, 1024);
  uint64_t chunkBytes =
      std::min<uint64_t>(chip.sram_bytes / 4, uint64_t(256) << 10);
  int64_t rowsPerChunk = std::clamp<int64_t>(
      static_cast<int64_t>(chunkBytes / (cols * size)), 1, 65535);
  int64_t fullRows = count / cols, tail = count % cols;
  rowsPerChunk = std::min(rowsPerChunk, std::max<int64_t>(fullRows, 1));
  int64_t chunks =
      (fullRows + rowsPerChunk - 1) / rowsPerChunk + (tail ? 1 : 0);
  uint64_t bufferBytes = static_cast<uint64_t>(rowsPerChunk * cols) * size;
  Value buffers[2];
  buffers[0] = kernelBuilder.alloc(Space::Sram, bufferBytes, layerName);
  buffers[1] = doubleBuffer && chunks > 1
                   ? kernelBuilder.alloc(Space::Sram, bufferBytes, layerName)
                   : buffers[0];
  unsigned chunkIndex = 0;
  auto copyBox = [&](int64_t first, int64_t rows, int64_t width) {
    Value sram = buffers[chunkIndex++ % 2];
    std::array<uint16_t, 4> extents = {1, 1, static_cast<uint16_t>(rows),
                                       static_cast<uint16_t>(width)};
    std::array<int32_t, 4> strides = {0, 0, static_cast<int32_t>(width), 1};
    kernelBuilder.dmaLoad(source.at(first), source.dtype, {sram, 0},
                          source.dtype, extents, strides, strides);
    kernelBuilder.dmaStore({sram, 0}, source.dtype, dest.at(first), dest.dtype,
                           extents, strides, strides);
  };
  for (int64_t row = 0; row < fullRows; row += rowsPerChunk)
    copyBox(row * cols, std::min(rowsPerChunk, fullRows - row), cols);
  if (tail)
    copyBox(fullRows * cols, 1, tail);
  return success();
}

LogicalResult TileContext::lowerBody(func::FuncOp func,
                                     const KernelRegistry &registry) {
  Block &body = func.getBody().front();
  for (Operation &op : body.without_terminator()) {
    if (isa<nn::ConstantOp>(op))
      continue; // Materialized where used.
    if (isFused(&op)) {
      for (Value result : op.getResults())
        if (!tensors.count(result) && !result.use_empty())
          return op.emitOpError("was fused into another op's kernel, which "
                                "defined no tensor for its result");
      continue;
    }
    if (isa<nn::ReshapeOp, nn::FlattenOp>(op)) {
      FailureOr<TensorRef> input = lookup(op.getOperand(0), &op);
      if (failed(input) || failed(alias(op.getResult(0), *input)))
        return failure();
      continue;
    }
    auto kernel = registry.find(op.getName().getStringRef());
    if (kernel == registry.end())
      return op.emitOpError("has no chip kernel"); // Pre-checked; defensive.
    currentLayer = {};
    kernelBuilder.setLoc(op.getLoc());
    if (failed(kernel->second(&op, *this)))
      return failure();
    for (Value result : op.getResults())
      if (!tensors.count(result))
        return op.emitOpError() << "kernel defined no DRAM tensor for result #"
                                << cast<OpResult>(result).getResultNumber();
  }

  // Outputs not written in place (inputs, constants, views, values returned
  // twice) are copied into their I/O buffer.
  for (auto &[value, output] : outputs) {
    // An empty output needs no data (and an empty constant has none).
    if (output.numElements() == 0)
      continue;
    FailureOr<TensorRef> source = lookup(value, body.getTerminator());
    if (failed(source))
      return failure();
    if (source->buffer == output.buffer && source->offset == output.offset)
      continue;
    auto io = output.buffer.getDefiningOp<IOOp>();
    if (failed(emitCopy(body.getTerminator()->getLoc(), io.getName(),
                        (io.getName() + ".copy").str(), "copy", *source,
                        output)))
      return failure();
  }
  // The new values of state tensors were computed into temporaries; copy
  // them over the old values only now, when no op can still read those.
  // npu-state-in-place later writes them in place where it proves that safe.
  // A new value that is another state's old value (e.g. two states swapped)
  // is first saved to a temporary, or that state's update could overwrite
  // it before it is copied.
  Location loc = body.getTerminator()->getLoc();
  SmallVector<std::pair<TensorRef, TensorRef>> updates;
  for (auto &[value, state] : stateResults) {
    FailureOr<TensorRef> source = lookup(value, body.getTerminator());
    if (failed(source))
      return failure();
    if (source->buffer == state.buffer && source->offset == state.offset)
      continue; // Unchanged.
    auto sourceIO = source->buffer.getDefiningOp<IOOp>();
    if (sourceIO && sourceIO.getKind() == IOKind::state) {
      TensorRef saved = *source;
      std::string name = (sourceIO.getName() + ".old").str();
      tableBuilder.setInsertionPointToEnd(&program.getBody().front());
      saved.buffer = AllocOp::create(
          tableBuilder, loc, BufferType::get(program.getContext()),
          SpaceAttr::get(program.getContext(), Space::Dram),
          tableBuilder.getI64IntegerAttr(
              std::max<int64_t>(static_cast<int64_t>(source->bytes()), 1)),
          tableBuilder.getStringAttr(name), IntegerAttr());
      saved.offset = 0;
      if (failed(emitCopy(loc, name, name + ".copy", "copy", *source, saved)))
        return failure();
      source = saved;
    }
    updates.push_back({*source, state});
  }
  for (auto &[source, state] : updates) {
    auto io = state.buffer.getDefiningOp<IOOp>();
    if (failed(emitCopy(loc, io.getName(),
                        (io.getName() + kStateUpdateSuffix).str(),
                        kStateUpdateKind, source, state)))
      return failure();
  }
  return success();
}

namespace {

struct NPUTilePass : npu::impl::NPUTilePassBase<NPUTilePass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr targetAttr = TargetAttr::lookup(module);
    if (!targetAttr) {
      module.emitError("npu-tile needs the chip: the module has no "
                       "'npu.target' attribute; run npu-set-target first "
                       "(e.g. --npu-set-target=target=npu-base)");
      return signalPassFailure();
    }
    npurt::DType compute;
    if (precision == "fp32") {
      compute = npurt::DType::F32;
    } else if (precision == "bf16") {
      compute = npurt::DType::BF16;
    } else {
      module.emitError() << "npu-tile: unknown precision '" << precision
                         << "' (expected fp32 or bf16)";
      return signalPassFailure();
    }
    auto func = module.lookupSymbol<func::FuncOp>("main");
    if (!func || func.isExternal()) {
      module.emitError("npu-tile: the module has no func.func @main with a "
                       "body to compile");
      return signalPassFailure();
    }

    KernelRegistry registry;
    populateMxuKernels(registry);
    populateVpuKernels(registry);
    if (failed(checkSupported(func, registry)))
      return signalPassFailure();

    OpBuilder builder(func);
    auto program = ProgramOp::create(builder, func.getLoc(), "main");
    TileContext context(program, targetAttr.getTarget(), compute, doubleBuffer);
    if (failed(context.declareIO(func)) ||
        failed(context.lowerBody(func, registry)) ||
        context.reportedOversizedTensor()) {
      program.erase();
      return signalPassFailure();
    }
    func.erase();

    numConstants = context.numConstants;
    numAliases = context.numAliases;
    program.walk([&](Operation *op) {
      if (isa<LayerOp>(op))
        ++numLayers;
      else if (isa<InstructionOpInterface>(op))
        ++numInstructions;
    });
  }

  /// One diagnostic listing every op kind of `func` that has no kernel.
  static LogicalResult checkSupported(func::FuncOp func,
                                      const KernelRegistry &registry) {
    llvm::MapVector<StringRef, std::pair<unsigned, Operation *>> missing;
    for (Operation &op : func.getBody().front().without_terminator()) {
      if (isa<nn::ConstantOp, nn::ReshapeOp, nn::FlattenOp>(op))
        continue;
      StringRef kind = op.getName().getStringRef();
      if (registry.count(kind))
        continue;
      auto &entry = missing[kind];
      if (entry.first++ == 0)
        entry.second = &op;
    }
    if (missing.empty())
      return success();
    auto sorted = missing.takeVector();
    llvm::stable_sort(sorted, [](const auto &a, const auto &b) {
      return a.second.first != b.second.first ? a.second.first > b.second.first
                                              : a.first < b.first;
    });
    unsigned total = 0;
    for (auto &entry : sorted)
      total += entry.second.first;
    InFlightDiagnostic diag =
        func.emitError() << "npu-tile: " << total << " op"
                         << (total == 1 ? "" : "s") << " of " << sorted.size()
                         << " kind" << (sorted.size() == 1 ? "" : "s")
                         << " have no chip kernel: ";
    llvm::interleaveComma(sorted, diag, [&](const auto &entry) {
      diag << entry.first << " (" << entry.second.first << ")";
    });
    for (auto &entry : sorted)
      diag.attachNote(entry.second.second->getLoc())
          << "first " << entry.first << " here";
    return failure();
  }
};

} // namespace
