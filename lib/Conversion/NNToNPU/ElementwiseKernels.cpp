//===- ElementwiseKernels.cpp - elementwise nn ops on the VPU -------------===//
//
// Unary, binary (numpy broadcasting), comparison, logic and select ops and
// casts. A kernel lowers a *group*: the op plus the later elementwise ops of
// the same shape computed from its values (and from nothing computed after
// it), so every tile stays in SRAM between the ops and only the group's
// inputs and the values read outside it cross DRAM. A chain of single-use
// values runs in one SRAM buffer; a value several ops of the group read
// keeps its own. Float (and boolean) values are f32 in the tile, integer
// values i32: ops on integers run in the VPU's integer mode, casts between
// the two are vpu_cast steps, and an i8 value is wrapped to 8 bits (as
// numpy's int8 arithmetic) when it is stored; an op that reads an i8 value
// of the group therefore starts a group of its own.
//
// The output index space is collapsed (size-1 dims dropped, dims merged
// where every operand broadcasts the same way) and cut into [rows x cols]
// tiles, cols being the innermost collapsed dim. In each tile an operand is
// a full tile, a row vector, a column vector (the VPU's broadcast modes) or
// a compile-time scalar (an immediate); an operand the VPU cannot take in
// its position is materialized with vpu_broadcast (a scalar once per kernel,
// e.g. the zero branch of a where, since later tiles reuse the filled
// buffer). Operands broadcast along
// some row dims but not others are replicated by the DMA (zero strides).
//
//===----------------------------------------------------------------------===//
#include "VpuKernelUtils.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/ADT/bit.h"

#include <cmath>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::vpu;
using npurt::Broadcast;
using npurt::DType;
using npurt::Opcode;
using npurt::VpuFunc;

bool vpu::isCommutative(VpuFunc func) {
  return func == VpuFunc::Add || func == VpuFunc::Mul || func == VpuFunc::Max ||
         func == VpuFunc::Min || func == VpuFunc::CmpEq ||
         func == VpuFunc::CmpNe;
}

/// The value of a one-element integer constant when it is exact as an f32
/// (integer-mode immediates are f32 bits holding an integral value).
static std::optional<float> integerScalarConstant(Value value) {
  auto constant = value.getDefiningOp<nn::ConstantOp>();
  if (!constant || product(shapeOf(value)) != 1)
    return std::nullopt;
  auto dense = dyn_cast<DenseIntElementsAttr>(constant.getValue());
  if (!dense)
    return std::nullopt;
  int64_t v = (*dense.value_begin<APInt>()).getSExtValue();
  constexpr int64_t kExact = int64_t(1) << 24;
  if (v < -kExact || v > kExact)
    return std::nullopt;
  return static_cast<float>(v);
}

std::optional<float> vpu::scalarConstant(Value value, KernelContext &ctx) {
  if (isIntegerElement(elementTypeOf(value)))
    return integerScalarConstant(value);
  if (!value.getDefiningOp<nn::ConstantOp>() || product(shapeOf(value)) != 1)
    return std::nullopt;
  FailureOr<std::vector<float>> values = ctx.constantValues(value);
  // VPU immediates must be finite: an infinite or NaN constant is read from
  // DRAM like any other operand.
  if (failed(values) || values->size() != 1 || !std::isfinite((*values)[0]))
    return std::nullopt;
  return (*values)[0];
}

FailureOr<Step> vpu::describeElementwise(Operation *op, KernelContext &ctx,
                                         std::string &why) {
  Step step;
  step.op = op;
  auto unary = [&](VpuFunc func, float imm0 = 0.0f, float imm1 = 0.0f) {
    step.kind = Step::Kind::Unary;
    step.func = func;
    step.imm0 = imm0;
    step.imm1 = imm1;
    step.operands = {op->getOperand(0)};
    return success();
  };
  auto binary = [&](VpuFunc func, bool swap = false) {
    step.kind = Step::Kind::Binary;
    step.func = func;
    step.operands = {op->getOperand(swap ? 1 : 0),
                     op->getOperand(swap ? 0 : 1)};
    return success();
  };
  LogicalResult known =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case([&](nn::AddOp) { return binary(VpuFunc::Add); })
          .Case([&](nn::SubOp) { return binary(VpuFunc::Sub); })
          .Case([&](nn::MulOp) { return binary(VpuFunc::Mul); })
          .Case([&](nn::DivOp) { return binary(VpuFunc::Div); })
          .Case([&](nn::MaxOp) { return binary(VpuFunc::Max); })
          .Case([&](nn::MinOp) { return binary(VpuFunc::Min); })
          .Case([&](nn::PowOp pow) {
            // A constant scalar exponent with a cheaper function.
            bool floats = isFloatElement(elementTypeOf(pow.getOutput()));
            if (shapeOf(pow.getLhs()) == shapeOf(pow.getOutput()))
              if (std::optional<float> exponent =
                      scalarConstant(pow.getRhs(), ctx)) {
                if (*exponent == 2.0f)
                  return unary(VpuFunc::Square);
                if (*exponent == 1.0f)
                  return unary(VpuFunc::Copy);
                if (*exponent == 0.5f && floats)
                  return unary(VpuFunc::Sqrt);
                if (*exponent == -1.0f && floats)
                  return unary(VpuFunc::Recip);
              }
            return binary(VpuFunc::Pow);
          })
          .Case([&](nn::ModOp mod) {
            return binary(mod.getFmod() ? VpuFunc::FMod : VpuFunc::Mod);
          })
          .Case([&](nn::EqualOp) { return binary(VpuFunc::CmpEq); })
          .Case([&](nn::LessOp) { return binary(VpuFunc::CmpLt); })
          .Case([&](nn::LessOrEqualOp) { return binary(VpuFunc::CmpLe); })
          .Case([&](nn::GreaterOp) { return binary(VpuFunc::CmpLt, true); })
          .Case([&](nn::GreaterOrEqualOp) {
            return binary(VpuFunc::CmpLe, true);
          })
          // Logic on 0/1 values.
          .Case([&](nn::AndOp) { return binary(VpuFunc::Mul); })
          .Case([&](nn::OrOp) { return binary(VpuFunc::Max); })
          .Case([&](nn::XorOp) { return binary(VpuFunc::CmpNe); })
          .Case([&](nn::NotOp) {
            step.kind = Step::Kind::BinaryImm;
            step.func = VpuFunc::CmpEq;
            step.imm0 = 0.0f;
            step.operands = {op->getOperand(0)};
            return success();
          })
          .Case([&](nn::WhereOp where) {
            step.kind = Step::Kind::Select;
            step.operands = {where.getCond(), where.getX(), where.getY()};
            return success();
          })
          .Case([&](nn::ReluOp) { return unary(VpuFunc::Relu); })
          .Case([&](nn::LeakyReluOp leaky) {
            return unary(VpuFunc::LeakyRelu, leaky.getAlpha().convertToFloat());
          })
          .Case([&](nn::ClipOp clip) {
            // An infinite bound clips nothing (and is no valid immediate).
            auto bound = [](std::optional<APFloat> value) {
              return value && value->isFinite() ? value : std::nullopt;
            };
            std::optional<APFloat> low = bound(clip.getMin());
            std::optional<APFloat> high = bound(clip.getMax());
            if (low && high)
              return unary(VpuFunc::Clip, low->convertToFloat(),
                           high->convertToFloat());
            if (low || high) {
              step.kind = Step::Kind::BinaryImm;
              step.func = low ? VpuFunc::Max : VpuFunc::Min;
              step.imm0 = (low ? *low : *high).convertToFloat();
              step.operands = {op->getOperand(0)};
              return success();
            }
            return unary(VpuFunc::Copy);
          })
          .Case([&](nn::SigmoidOp) { return unary(VpuFunc::Sigmoid); })
          .Case([&](nn::TanhOp) { return unary(VpuFunc::Tanh); })
          .Case([&](nn::GeluOp gelu) {
            return unary(gelu.getApproximate() == "tanh" ? VpuFunc::GeluTanh
                                                         : VpuFunc::Gelu);
          })
          .Case([&](nn::ErfOp) { return unary(VpuFunc::Erf); })
          .Case([&](nn::ExpOp) { return unary(VpuFunc::Exp); })
          .Case([&](nn::LogOp) { return unary(VpuFunc::Log); })
          .Case([&](nn::SqrtOp) { return unary(VpuFunc::Sqrt); })
          .Case([&](nn::NegOp) { return unary(VpuFunc::Neg); })
          .Case([&](nn::AbsOp) { return unary(VpuFunc::Abs); })
          .Case([&](nn::ReciprocalOp) { return unary(VpuFunc::Recip); })
          .Case([&](nn::FloorOp) { return unary(VpuFunc::Floor); })
          .Case([&](nn::CeilOp) { return unary(VpuFunc::Ceil); })
          .Case([&](nn::RoundOp) { return unary(VpuFunc::RoundEven); })
          .Case([&](nn::SignOp) { return unary(VpuFunc::Sign); })
          .Case([&](nn::SinOp) { return unary(VpuFunc::Sin); })
          .Case([&](nn::CosOp) { return unary(VpuFunc::Cos); })
          .Case([&](nn::TanOp) { return unary(VpuFunc::Tan); })
          .Case([&](nn::AsinOp) { return unary(VpuFunc::Asin); })
          .Case([&](nn::AcosOp) { return unary(VpuFunc::Acos); })
          .Case([&](nn::AtanOp) { return unary(VpuFunc::Atan); })
          .Case([&](nn::CastOp cast) {
            Type from = elementTypeOf(cast.getInput());
            Type to = elementTypeOf(cast.getOutput());
            if (to.isInteger(1)) {
              step.kind = Step::Kind::BinaryImm;
              step.func = VpuFunc::CmpNe;
              step.imm0 = 0.0f;
              step.operands = {op->getOperand(0)};
              return success();
            }
            if (isIntegerElement(from) != isIntegerElement(to)) {
              // Float -> integer truncates toward zero (ONNX Cast).
              step.kind = Step::Kind::Convert;
              step.func = isIntegerElement(to) ? VpuFunc::Trunc : VpuFunc::None;
              step.operands = {op->getOperand(0)};
              return success();
            }
            step.roundToBf16 = to.isBF16();
            return unary(VpuFunc::Copy);
          })
          .Default([&](Operation *) {
            why = "not an elementwise op the VPU implements";
            return failure();
          });
  if (failed(known))
    return failure();
  // Integer values are i32 on the VPU: integer operands run in its integer
  // mode (for a select, the selected values decide; the condition is a
  // 0/1 float either way).
  Value value = step.operands[step.kind == Step::Kind::Select ? 1 : 0];
  step.integer = isIntegerElement(elementTypeOf(value));
  step.integerResult = isIntegerElement(elementTypeOf(op->getResult(0)));
  if (step.integer && isa<nn::ClipOp>(op)) {
    // Integer bounds: x >= 0.5 is x >= 1 for integers. Immediates are f32
    // bits, exact up to 2^24.
    bool lowOnly = step.kind == Step::Kind::BinaryImm &&
                   step.func == VpuFunc::Max;
    step.imm0 = step.kind == Step::Kind::Unary || lowOnly
                    ? std::ceil(step.imm0)
                    : std::floor(step.imm0);
    step.imm1 = std::floor(step.imm1);
    // No integer between the bounds: min(max(x, low), high) is high.
    if (step.kind == Step::Kind::Unary && step.imm0 > step.imm1)
      step.imm0 = step.imm1;
    constexpr float kExact = 16777216.0f;
    if (std::fabs(step.imm0) > kExact || std::fabs(step.imm1) > kExact) {
      why = "a bound of an integer clip is beyond 2^24 (the VPU's exact "
            "integer immediates)";
      return failure();
    }
  }
  return step;
}

namespace {

/// How far past the first op of a group later ops are considered for it,
/// and how many ops it may hold (each live value takes a tile of SRAM).
constexpr unsigned kMaxGroupScan = 256;
constexpr unsigned kMaxGroupSteps = 24;

/// How an operand enters a tile.
enum class Form { Full, Row, Col, Scalar };

/// An external input of a chain.
struct Input {
  Value value;
  std::optional<float> scalar; ///< A compile-time one-element constant.
  TensorRef tensor;
  /// Element strides along the collapsed output dims (0 = broadcast).
  SmallVector<int64_t> strides;
  /// The DRAM dtype needs a vpu_cast to the SRAM dtype (i8 -> i32).
  bool needsCast = false;
  /// f32 or bf16 for floats and booleans, i32 for integers.
  DType sramType = DType::F32;
  // Emission state.
  BufferRing ring, castRing;
  int64_t ringElements = 0;
  struct Loaded {
    Form form = Form::Full;
    Value buffer;
    int64_t rowStride = 1;
    DType dtype = DType::F32;
  };
  Loaded current;
  /// Key of the vector last loaded, to skip reloading an unchanged one.
  std::optional<std::tuple<int64_t, Form, int64_t>> lastVectorKey;
};

/// A region of the collapsed output space tiled on its own (the flat case
/// has a main [R x C] block and a tail row).
struct Region {
  SmallVector<int64_t> extents;
  unsigned numRowDims = 1;
  SmallVector<SmallVector<int64_t>> inputStrides; ///< One per input.
  SmallVector<int64_t> inputBase;                 ///< Element offsets.
  SmallVector<int64_t> outStrides;
  int64_t outBase = 0;
  TileGrid grid;
};

Form formOf(const Input &input, ArrayRef<int64_t> strides, const Tile &tile,
            unsigned numRowDims) {
  if (input.scalar)
    return Form::Scalar;
  bool varyRows = false, varyCols = false;
  for (unsigned d = 0; d < tile.size.size(); ++d)
    if (tile.size[d] > 1 && strides[d] != 0)
      (d < numRowDims ? varyRows : varyCols) = true;
  bool fullRows = tile.rows == 1 || varyRows;
  bool fullCols = tile.cols == 1 || varyCols;
  if (fullRows && fullCols)
    return Form::Full;
  if (fullCols)
    return Form::Row;
  return Form::Col;
}

int64_t formElements(Form form, const Tile &tile) {
  switch (form) {
  case Form::Full:
    return tile.rows * tile.cols;
  case Form::Row:
    return tile.cols;
  case Form::Col:
    return tile.rows;
  case Form::Scalar:
    return 0;
  }
  return 0;
}

/// The operand box of `form` in `tile`: all dims, col dims or row dims.
SmallVector<bool> formDims(Form form, const Tile &tile, unsigned numRowDims) {
  SmallVector<bool> dims(tile.size.size(), false);
  for (unsigned d = 0; d < dims.size(); ++d)
    dims[d] = form == Form::Full || (form == Form::Row) == (d >= numRowDims);
  return dims;
}

class ElementwiseLowering {
public:
  ElementwiseLowering(KernelContext &ctx, SmallVector<Step> steps)
      : ctx(ctx), kb(ctx.builder()), target(ctx.target()),
        steps(std::move(steps)) {}

  LogicalResult run();

private:
  LogicalResult collectInputs();
  /// Decides which step results are stored (outputs) and which SRAM value
  /// slot each step writes: a step reuses the slot of an operand it reads
  /// for the last time (a chain of single-use values runs in one buffer).
  void assignSlots();
  /// Marks the group's later ops fused and gives every step result a DRAM
  /// tensor: its own for an output; for a value only the group reads, an
  /// output's tensor as a placeholder nobody reads.
  void defineResults();
  void buildRegions();
  /// Plans every region for tiles of at most `maxElements`; returns the
  /// SRAM bytes the buffers then need.
  uint64_t plan(int64_t maxElements);
  void emitTile(const Region &region, const Tile &tile);
  Input::Loaded load(Input &input, const Region &region, unsigned inputIndex,
                     const Tile &tile);
  Value materialize(const Input::Loaded &value, float scalar, DType dtype,
                    unsigned slot, const Tile &tile);
  /// The dtype of step `s`'s value in its slot (i32 for integers).
  DType resultTypeOf(unsigned s) const {
    return steps[s].integerResult ? DType::I32 : valueType;
  }
  /// An integer value stored to an i8 tensor: wrapped and narrowed first.
  bool narrowsOnStore(unsigned s) const {
    return outTensor[s].dtype == DType::I8 && resultTypeOf(s) == DType::I32;
  }
  /// A copy of a value already in the step's slot (a cast between f32-held
  /// or between i32-held types): no instruction.
  bool isFreeCopy(unsigned s) const {
    std::optional<unsigned> k = stepOf(operandInputs[s][0]);
    return steps[s].kind == Step::Kind::Unary &&
           steps[s].func == VpuFunc::Copy && k && slotOf[*k] == slotOf[s];
  }
  /// The step whose result an operand index names, if it names one.
  static std::optional<unsigned> stepOf(int index) {
    if (index >= 0)
      return std::nullopt;
    return static_cast<unsigned>(-1 - index);
  }
  /// What a materialization slot holds: a scalar broadcast over `rows` x
  /// `cols` in `dtype` stays valid for every later tile that needs no more
  /// rows (a where's zero branch is filled once, not per tile).
  struct FilledScalar {
    float value;
    DType dtype;
    int64_t rows, cols;
  };
  SmallVector<std::optional<FilledScalar>, 3> filledScalars{3};

  KernelContext &ctx;
  KernelBuilder &kb;
  const npurt::Target &target;
  SmallVector<Step> steps;
  /// Step operand -> input index, or -1 - k for the result of step k.
  SmallVector<SmallVector<int, 3>> operandInputs;
  SmallVector<Input, 0> inputs;
  SmallVector<int64_t> outShape;
  /// Collapsed output dims and their row-major strides.
  SmallVector<int64_t> collapsed;
  SmallVector<Region, 0> regions;
  /// Per step: stored to DRAM (read outside the group), its tensor, and the
  /// value slot it writes.
  SmallVector<bool> stored;
  SmallVector<TensorRef> outTensor;
  SmallVector<unsigned> slotOf;
  /// Per value slot: double-buffered when it holds a stored value (its
  /// store may still read tile i while the VPU writes tile i+1).
  SmallVector<bool> slotStored;
  /// The dtype of float values in the slots (f32, or the result's bf16 when
  /// a single op writes it); integer values are i32, also 4 bytes.
  DType valueType = DType::F32;
  unsigned numBuffers = 2;
  SmallVector<BufferRing, 4> slotRings;
  /// Per step: the i8 copies of a value narrowed on store.
  SmallVector<BufferRing, 4> narrowRings;
  SmallVector<BufferRing, 3> matRings;
  BufferRing recipRing;
  int64_t maxTileElements = 1;
  int64_t maxVectorElements = 1;
};

LogicalResult ElementwiseLowering::collectInputs() {
  Operation *first = steps.front().op;
  outShape.assign(shapeOf(first->getResult(0)).begin(),
                  shapeOf(first->getResult(0)).end());
  llvm::DenseMap<Value, int> indexOf;
  for (auto [i, step] : llvm::enumerate(steps))
    indexOf[step.op->getResult(0)] = -1 - static_cast<int>(i);
  for (const Step &step : steps) {
    SmallVector<int, 3> indices;
    for (Value operand : step.operands) {
      auto [it, inserted] = indexOf.try_emplace(operand, inputs.size());
      if (inserted) {
        Input input;
        input.value = operand;
        input.scalar = scalarConstant(operand, ctx);
        if (!input.scalar) {
          FailureOr<TensorRef> tensor = ctx.lookup(operand, step.op);
          if (failed(tensor))
            return failure();
          input.tensor = *tensor;
          input.sramType = isIntegerElement(elementTypeOf(operand))
                               ? DType::I32
                           : isVpuFloat(tensor->dtype) ? tensor->dtype
                                                       : DType::F32;
          input.needsCast = input.sramType != tensor->dtype;
        }
        inputs.push_back(std::move(input));
      }
      indices.push_back(it->second);
    }
    operandInputs.push_back(indices);
  }
  return success();
}

void ElementwiseLowering::assignSlots() {
  SmallPtrSet<Operation *, 16> inside;
  for (const Step &step : steps)
    inside.insert(step.op);
  SmallVector<int> lastUse(steps.size(), -1);
  for (auto [s, indices] : llvm::enumerate(operandInputs))
    for (int index : indices)
      if (std::optional<unsigned> k = stepOf(index))
        lastUse[*k] = static_cast<int>(s);
  stored.assign(steps.size(), false);
  for (auto [s, step] : llvm::enumerate(steps)) {
    Value result = step.op->getResult(0);
    stored[s] = result.use_empty() ||
                llvm::any_of(result.getUsers(), [&](Operation *user) {
                  return !inside.contains(user);
                });
  }

  slotOf.assign(steps.size(), 0);
  slotStored.clear();
  SmallVector<unsigned> freeSlots;
  for (auto [s, indices] : llvm::enumerate(operandInputs)) {
    // Operands read for the last time here free their slots; the step
    // writes over the first of them (the VPU computes elementwise in place).
    std::optional<unsigned> slot;
    SmallVector<unsigned, 3> dying;
    for (int index : indices) {
      std::optional<unsigned> k = stepOf(index);
      if (k && lastUse[*k] == static_cast<int>(s) && !stored[*k] &&
          !llvm::is_contained(dying, *k))
        dying.push_back(*k);
    }
    for (unsigned k : dying) {
      if (!slot)
        slot = slotOf[k];
      else
        freeSlots.push_back(slotOf[k]);
    }
    if (!slot && !freeSlots.empty())
      slot = freeSlots.pop_back_val();
    if (!slot) {
      slot = slotStored.size();
      slotStored.push_back(false);
    }
    slotOf[s] = *slot;
    if (stored[s])
      slotStored[*slot] = true;
  }
}

void ElementwiseLowering::defineResults() {
  outTensor.assign(steps.size(), TensorRef());
  std::optional<TensorRef> placeholder;
  for (auto [s, step] : llvm::enumerate(steps))
    if (stored[s]) {
      outTensor[s] = ctx.defineResult(step.op->getResult(0));
      if (!placeholder)
        placeholder = outTensor[s];
    }
  for (auto [s, step] : llvm::enumerate(steps)) {
    if (s > 0)
      ctx.markFused(step.op);
    if (!stored[s])
      (void)ctx.alias(step.op->getResult(0), *placeholder);
  }
}

void ElementwiseLowering::buildRegions() {
  // Strides of every input along the output dims (numpy: right-aligned).
  unsigned rank = outShape.size();
  SmallVector<SmallVector<int64_t>> full(inputs.size());
  for (auto [i, input] : llvm::enumerate(inputs)) {
    full[i].assign(rank, 0);
    if (input.scalar)
      continue;
    ArrayRef<int64_t> shape = input.tensor.shape;
    SmallVector<int64_t> strides = rowMajorStrides(shape);
    for (unsigned d = 0; d < shape.size(); ++d) {
      unsigned outDim = rank - shape.size() + d;
      if (shape[d] != 1)
        full[i][outDim] = strides[d];
    }
  }
  // Collapse: drop size-1 dims, merge neighbours every input treats alike.
  SmallVector<int64_t> extents;
  SmallVector<SmallVector<int64_t>> strides(inputs.size());
  for (unsigned d = 0; d < rank; ++d) {
    if (outShape[d] == 1)
      continue;
    bool merge = !extents.empty();
    for (unsigned i = 0; merge && i < inputs.size(); ++i) {
      int64_t outer = strides[i].back(), inner = full[i][d];
      merge = (outer == 0 && inner == 0) ||
              (outer != 0 && inner != 0 && outer == inner * outShape[d]);
    }
    if (merge) {
      extents.back() *= outShape[d];
      for (unsigned i = 0; i < inputs.size(); ++i)
        strides[i].back() = full[i][d];
      continue;
    }
    extents.push_back(outShape[d]);
    for (unsigned i = 0; i < inputs.size(); ++i)
      strides[i].push_back(full[i][d]);
  }
  collapsed = extents;

  if (extents.size() >= 2) {
    Region region;
    region.extents = extents;
    region.numRowDims = extents.size() - 1;
    region.inputStrides = strides;
    region.inputBase.assign(inputs.size(), 0);
    region.outStrides = rowMajorStrides(extents);
    regions.push_back(std::move(region));
    return;
  }
  // Flat: every input is contiguous or a scalar. Fold it into [R x C] rows
  // of whole lane groups plus a tail row.
  int64_t total = extents.empty() ? 1 : extents[0];
  int64_t lanes = std::max<int64_t>(target.vpu_lanes, 1);
  int64_t cols =
      total < lanes ? total : lanes * std::min<int64_t>(total / lanes, 16);
  int64_t rows = total / cols;
  int64_t tail = total - rows * cols;
  auto makeRegion = [&](int64_t r, int64_t c, int64_t base) {
    Region region;
    region.extents = {r, c};
    region.numRowDims = 1;
    for (unsigned i = 0; i < inputs.size(); ++i) {
      bool contiguous = !strides[i].empty() && strides[i][0] != 0;
      region.inputStrides.push_back(contiguous ? SmallVector<int64_t>{c, 1}
                                               : SmallVector<int64_t>{0, 0});
      region.inputBase.push_back(contiguous ? base : 0);
    }
    region.outStrides = {c, 1};
    region.outBase = base;
    regions.push_back(std::move(region));
  };
  makeRegion(rows, cols, 0);
  if (tail)
    makeRegion(1, tail, rows * cols);
}

uint64_t ElementwiseLowering::plan(int64_t maxElements) {
  maxTileElements = 1;
  maxVectorElements = 1;
  for (Input &input : inputs)
    input.ringElements = 0;
  unsigned maxMats = 0;
  bool needsRecip = false;
  for (Region &region : regions) {
    // Prefer tiles inside the innermost row dim when spanning more would
    // make the DMA replicate an operand, unless that leaves tiny tiles.
    region.grid = planTiles(region.extents, region.numRowDims, maxElements);
    bool replicates = false;
    forEachTile(region.grid, false, [&](const Tile &tile) {
      for (auto [i, input] : llvm::enumerate(inputs)) {
        if (input.scalar || formOf(input, region.inputStrides[i], tile,
                                   region.numRowDims) != Form::Full)
          continue;
        for (unsigned d = 0; d < region.numRowDims; ++d)
          if (tile.size[d] > 1 && region.inputStrides[i][d] == 0)
            replicates = true;
      }
    });
    if (replicates && region.numRowDims > 1) {
      TileGrid narrow =
          planTiles(region.extents, region.numRowDims, maxElements, kMaxExtent,
                    kMaxExtent, region.numRowDims - 1);
      int64_t useful = static_cast<int64_t>(minUsefulTileBytes(target) / 8);
      if (narrow.maxElements() >= std::min(useful, region.grid.maxElements()))
        region.grid = narrow;
    }
    forEachTile(region.grid, false, [&](const Tile &tile) {
      maxTileElements = std::max(maxTileElements, tile.rows * tile.cols);
      maxVectorElements = std::max({maxVectorElements, tile.rows, tile.cols});
      SmallVector<Form> forms;
      for (auto [i, input] : llvm::enumerate(inputs)) {
        Form form =
            formOf(input, region.inputStrides[i], tile, region.numRowDims);
        forms.push_back(form);
        input.ringElements =
            std::max(input.ringElements, formElements(form, tile));
      }
      for (auto [s, step] : llvm::enumerate(steps)) {
        unsigned mats = 0;
        for (auto [o, index] : llvm::enumerate(operandInputs[s])) {
          Form form = index < 0 ? Form::Full : forms[index];
          if (form == Form::Full)
            continue;
          if (step.kind == Step::Kind::Select || o == 0)
            mats = std::max<unsigned>(mats, o + 1);
          else if (step.func == VpuFunc::Div && !step.integer &&
                   form != Form::Scalar)
            needsRecip = true;
        }
        maxMats = std::max(maxMats, mats);
      }
    });
  }
  matRings.clear();
  for (unsigned i = 0; i < maxMats; ++i)
    matRings.emplace_back(Space::Sram, maxTileElements * 4, 1,
                          "ew.broadcast" + std::to_string(i));
  recipRing = needsRecip ? BufferRing(Space::Sram, maxVectorElements * 4,
                                      numBuffers, "ew.recip")
                         : BufferRing();
  narrowRings.assign(steps.size(), BufferRing());
  unsigned numNarrowed = 0;
  for (unsigned s = 0; s < steps.size(); ++s)
    if (stored[s] && narrowsOnStore(s)) {
      narrowRings[s] = BufferRing(Space::Sram, maxTileElements, numBuffers,
                                  "ew.i8." + std::to_string(numNarrowed));
      ++numNarrowed;
    }
  uint64_t bytes =
      maxMats * alignSram(target, maxTileElements * 4) +
      (needsRecip ? alignSram(target, maxVectorElements * 4) * numBuffers : 0) +
      numNarrowed * alignSram(target, maxTileElements) * numBuffers;
  slotRings.clear();
  for (auto [slot, isStored] : llvm::enumerate(slotStored)) {
    unsigned count = isStored ? numBuffers : 1;
    // The first slot keeps the chain kernels' historical name.
    std::string name = slot == 0 ? "ew.out" : "ew.v" + std::to_string(slot);
    slotRings.emplace_back(Space::Sram,
                           maxTileElements * npurt::dtypeSize(valueType), count,
                           name);
    bytes += alignSram(target, slotRings.back().size()) * count;
  }
  for (auto [i, input] : llvm::enumerate(inputs)) {
    if (input.scalar)
      continue;
    std::string name = "ew.in" + std::to_string(i);
    DType loadType = input.needsCast ? input.tensor.dtype : input.sramType;
    input.ring =
        BufferRing(Space::Sram, input.ringElements * npurt::dtypeSize(loadType),
                   numBuffers, name);
    bytes += alignSram(target, input.ring.size()) * numBuffers;
    if (input.needsCast) {
      input.castRing = BufferRing(Space::Sram, input.ringElements * 4,
                                  numBuffers, name + ".wide");
      bytes += alignSram(target, input.castRing.size()) * numBuffers;
    }
  }
  return bytes;
}

Input::Loaded ElementwiseLowering::load(Input &input, const Region &region,
                                        unsigned inputIndex, const Tile &tile) {
  ArrayRef<int64_t> strides = region.inputStrides[inputIndex];
  Form form = formOf(input, strides, tile, region.numRowDims);
  Input::Loaded loaded;
  loaded.form = form;
  if (form == Form::Scalar)
    return loaded;
  int64_t offset = region.inputBase[inputIndex] + tileOffset(tile, strides);
  int64_t elements = formElements(form, tile);
  if (form != Form::Full) {
    auto key = std::make_tuple(offset, form, elements);
    if (input.lastVectorKey && *input.lastVectorKey == key)
      return input.current;
    input.lastVectorKey = key;
  } else {
    input.lastVectorKey.reset();
  }
  DType loadType = input.needsCast ? input.tensor.dtype : input.sramType;
  Value buffer = input.ring.next(kb);
  emitDmaBox(kb, /*load=*/true, elementOf(input.tensor, offset),
             input.tensor.dtype, {buffer, 0}, loadType,
             tileBox(tile, strides, formDims(form, tile, region.numRowDims)));
  int64_t rows = form == Form::Row ? 1 : tile.rows;
  int64_t cols = form == Form::Col ? 1 : tile.cols;
  if (input.needsCast) {
    // i8 -> i32 widens exactly; an integer read as a float is dequantized
    // with scale 1.
    Value converted = input.castRing.next(kb);
    npurt::Instruction cast =
        vpuInst(Opcode::VpuCast, VpuFunc::None, rows, cols);
    if (input.sramType != DType::I32)
      cast.scale = 1.0f;
    kb.vpu(cast, operand(converted, cols, input.sramType),
           operand(buffer, cols, loadType));
    buffer = converted;
  }
  loaded.buffer = buffer;
  loaded.dtype = input.sramType;
  loaded.rowStride = form == Form::Col ? 1 : tile.cols;
  input.current = loaded;
  return loaded;
}

Value ElementwiseLowering::materialize(const Input::Loaded &value, float scalar,
                                       DType dtype, unsigned slot,
                                       const Tile &tile) {
  Value buffer = matRings[slot].get(kb, 0);
  std::optional<FilledScalar> &filled = filledScalars[slot];
  bool isScalar = value.form == Form::Scalar || value.form == Form::Full;
  if (isScalar && filled && filled->dtype == dtype &&
      filled->cols == tile.cols && filled->rows >= tile.rows &&
      llvm::bit_cast<uint32_t>(filled->value) ==
          llvm::bit_cast<uint32_t>(scalar))
    return buffer;
  filled.reset();
  if (isScalar)
    filled = FilledScalar{scalar, dtype, tile.rows, tile.cols};
  npurt::Instruction inst =
      vpuInst(Opcode::VpuBroadcast, VpuFunc::None, tile.rows, tile.cols);
  KernelBuilder::VpuOperand src;
  switch (value.form) {
  case Form::Row:
    inst.broadcast = Broadcast::Row;
    src = operand(value.buffer, tile.cols, value.dtype);
    break;
  case Form::Col:
    inst.broadcast = Broadcast::Col;
    src = operand(value.buffer, 1, value.dtype);
    break;
  case Form::Scalar:
  case Form::Full:
    inst.broadcast = Broadcast::Scalar;
    inst.imm0 = scalar;
    break;
  }
  kb.vpu(inst, operand(buffer, tile.cols, dtype), src);
  return buffer;
}

void ElementwiseLowering::emitTile(const Region &region, const Tile &tile) {
  SmallVector<Input::Loaded> loaded;
  for (auto [i, input] : llvm::enumerate(inputs))
    loaded.push_back(load(input, region, i, tile));
  int64_t rows = tile.rows, cols = tile.cols;
  auto valueBuffer = [&](unsigned s) {
    return slotRings[slotOf[s]].get(kb, tile.index);
  };

  struct Value3 {
    Input::Loaded loaded;
    float scalar = 0.0f;
  };
  auto operandOf = [&](unsigned s, unsigned o) {
    int index = operandInputs[s][o];
    Value3 result;
    if (std::optional<unsigned> k = stepOf(index)) {
      result.loaded.form = Form::Full;
      result.loaded.buffer = valueBuffer(*k);
      result.loaded.dtype = resultTypeOf(*k);
      result.loaded.rowStride = cols;
      return result;
    }
    result.loaded = loaded[index];
    if (inputs[index].scalar)
      result.scalar = *inputs[index].scalar;
    return result;
  };
  auto full = [&](const Value3 &value) {
    return operand(value.loaded.buffer, cols, value.loaded.dtype);
  };

  for (auto [s, step] : llvm::enumerate(steps)) {
    KernelBuilder::VpuOperand accOperand =
        operand(valueBuffer(s), cols, resultTypeOf(s));
    // The dtype an operand the VPU must see in full is materialized in.
    DType matType = step.integer ? DType::I32 : DType::F32;
    switch (step.kind) {
    case Step::Kind::Unary: {
      if (isFreeCopy(s))
        break;
      npurt::Instruction inst =
          vpuInst(Opcode::VpuUnary, step.func, rows, cols);
      inst.imm0 = step.func == VpuFunc::LeakyRelu || step.func == VpuFunc::Clip
                      ? step.imm0
                      : 0.0f;
      inst.imm1 = step.func == VpuFunc::Clip ? step.imm1 : 0.0f;
      kb.vpu(inst, accOperand, full(operandOf(s, 0)));
      break;
    }
    case Step::Kind::BinaryImm: {
      npurt::Instruction inst =
          vpuInst(Opcode::VpuBinary, step.func, rows, cols);
      inst.broadcast = Broadcast::Scalar;
      inst.imm0 = step.imm0;
      kb.vpu(inst, accOperand, full(operandOf(s, 0)));
      break;
    }
    case Step::Kind::Convert: {
      // Float -> i32 by the step's rounding; i32 -> f32 as a dequantization
      // with scale 1 (rounded to nearest even beyond 2^24).
      npurt::Instruction inst =
          vpuInst(Opcode::VpuCast, step.func, rows, cols);
      if (step.integer)
        inst.scale = 1.0f;
      kb.vpu(inst, accOperand, full(operandOf(s, 0)));
      break;
    }
    case Step::Kind::Binary: {
      Value3 lhs = operandOf(s, 0), rhs = operandOf(s, 1);
      VpuFunc func = step.func;
      if (lhs.loaded.form != Form::Full && rhs.loaded.form == Form::Full &&
          isCommutative(func))
        std::swap(lhs, rhs);
      if (lhs.loaded.form != Form::Full) {
        lhs.loaded.buffer =
            materialize(lhs.loaded, lhs.scalar, matType, 0, tile);
        lhs.loaded.form = Form::Full;
        lhs.loaded.dtype = matType;
      }
      npurt::Instruction inst = vpuInst(Opcode::VpuBinary, func, rows, cols);
      KernelBuilder::VpuOperand src1;
      switch (rhs.loaded.form) {
      case Form::Full:
        src1 = full(rhs);
        break;
      case Form::Scalar:
        inst.broadcast = Broadcast::Scalar;
        inst.imm0 = rhs.scalar;
        // x / c as x * (1/c): a simple instead of a transcendental op.
        if (func == VpuFunc::Div && !step.integer &&
            std::isfinite(1.0 / rhs.scalar) && rhs.scalar != 0.0f) {
          inst.func = VpuFunc::Mul;
          inst.imm0 = static_cast<float>(1.0 / rhs.scalar);
        }
        break;
      case Form::Row:
      case Form::Col: {
        bool row = rhs.loaded.form == Form::Row;
        inst.broadcast = row ? Broadcast::Row : Broadcast::Col;
        int64_t stride = row ? cols : 1;
        src1 = operand(rhs.loaded.buffer, stride, rhs.loaded.dtype);
        if (func == VpuFunc::Div && !step.integer) {
          // Divide by a vector: one reciprocal per vector element, then a
          // multiply per tile element.
          Value recip = recipRing.next(kb);
          npurt::Instruction inv = vpuInst(Opcode::VpuUnary, VpuFunc::Recip,
                                           row ? 1 : rows, row ? cols : 1);
          kb.vpu(inv, operand(recip, stride, DType::F32), src1);
          src1 = operand(recip, stride, DType::F32);
          inst.func = VpuFunc::Mul;
        }
        break;
      }
      }
      kb.vpu(inst, accOperand, full(lhs), src1);
      break;
    }
    case Step::Kind::Select: {
      SmallVector<KernelBuilder::VpuOperand, 3> srcs;
      for (unsigned o = 0; o < 3; ++o) {
        Value3 value = operandOf(s, o);
        if (value.loaded.form != Form::Full) {
          // The condition is a 0/1 float; the values are f32 or i32.
          DType dtype = o == 0 ? DType::F32 : matType;
          value.loaded.buffer =
              materialize(value.loaded, value.scalar, dtype, o, tile);
          value.loaded.dtype = dtype;
        }
        srcs.push_back(full(value));
      }
      kb.vpu(vpuInst(Opcode::VpuSelect, VpuFunc::None, rows, cols), accOperand,
             srcs[0], srcs[1], srcs[2]);
      break;
    }
    }
  }
  SmallVector<bool> all(tile.size.size(), true);
  for (auto [s, out] : llvm::enumerate(outTensor)) {
    if (!stored[s])
      continue;
    Value value = valueBuffer(s);
    DType dtype = resultTypeOf(s);
    if (narrowsOnStore(s)) {
      // int8 arithmetic wraps (numpy): ((x + 128) mod 256) - 128 in i32, then
      // an exact conversion to i8. Every step of the tile has read the value.
      auto scalarOp = [&](VpuFunc func, float imm) {
        npurt::Instruction inst = vpuInst(Opcode::VpuBinary, func, rows, cols);
        inst.broadcast = Broadcast::Scalar;
        inst.imm0 = imm;
        kb.vpu(inst, operand(value, cols, DType::I32),
               operand(value, cols, DType::I32));
      };
      scalarOp(VpuFunc::Add, 128.0f);
      scalarOp(VpuFunc::Mod, 256.0f);
      scalarOp(VpuFunc::Sub, 128.0f);
      Value narrowed = narrowRings[s].get(kb, tile.index);
      npurt::Instruction narrow =
          vpuInst(Opcode::VpuCast, VpuFunc::None, rows, cols);
      narrow.scale = 1.0f;
      kb.vpu(narrow, operand(narrowed, cols, DType::I8),
             operand(value, cols, DType::I32));
      value = narrowed;
      dtype = DType::I8;
    }
    emitDmaBox(
        kb, /*load=*/false,
        elementOf(out, region.outBase + tileOffset(tile, region.outStrides)),
        out.dtype, {value, 0}, dtype, tileBox(tile, region.outStrides, all));
  }
}

LogicalResult ElementwiseLowering::run() {
  Operation *first = steps.front().op;
  if (product(shapeOf(first->getResult(0))) == 0) {
    // Nothing to compute; the (possibly empty constant) inputs are not
    // materialized, and the group's later ops are lowered on their own.
    (void)ctx.defineResult(first->getResult(0));
    ctx.beginSourceOp(first, SourceWork());
    return success();
  }
  if (failed(collectInputs()))
    return failure();
  assignSlots();
  defineResults();
  // A lone op writes its result's dtype directly; a group keeps its values
  // in f32 (the stores convert).
  valueType = steps.size() == 1 && isVpuFloat(outTensor[0].dtype)
                  ? outTensor[0].dtype
                  : DType::F32;
  if (steps.size() == 1 && steps.front().roundToBf16)
    valueType = DType::BF16;
  numBuffers = ctx.doubleBuffering() ? 2 : 1;
  buildRegions();

  // Tile size: shrink until every buffer fits SRAM.
  uint64_t perElement = 0;
  for (bool isStored : slotStored)
    perElement += npurt::dtypeSize(valueType) * (isStored ? numBuffers : 1);
  for (unsigned s = 0; s < steps.size(); ++s)
    if (stored[s] && narrowsOnStore(s))
      perElement += numBuffers;
  for (const Input &input : inputs)
    if (!input.scalar)
      perElement +=
          (npurt::dtypeSize(input.needsCast ? input.tensor.dtype
                                            : input.sramType) +
           (input.needsCast ? npurt::dtypeSize(input.sramType) : 0)) *
          numBuffers;
  perElement += 4 * 3;
  int64_t total = product(outShape);
  uint64_t dramPerElement = 0;
  for (auto [s, out] : llvm::enumerate(outTensor))
    if (stored[s])
      dramPerElement += npurt::dtypeSize(out.dtype);
  for (const Input &input : inputs)
    if (!input.scalar)
      dramPerElement += npurt::dtypeSize(input.tensor.dtype);
  int64_t maxElements =
      chooseTileElements(target, total, perElement, dramPerElement);
  while (plan(maxElements) > sramBudget(target)) {
    if (maxElements == 1)
      return unsupported(steps.front().op)
             << "its operands do not fit SRAM (" << target.sram_bytes
             << " bytes) even one element per tile";
    maxElements = std::max<int64_t>(maxElements / 2, 1);
  }

  SourceWork work;
  // One element op per element and op; a copy within the group is free.
  uint64_t workingSteps = 0;
  for (unsigned s = 0; s < steps.size(); ++s)
    workingSteps += !isFreeCopy(s);
  work.vectorOps = static_cast<uint64_t>(total) * workingSteps;
  for (auto [s, out] : llvm::enumerate(outTensor))
    if (stored[s])
      work.minDramBytes += out.bytes();
  for (const Input &input : inputs)
    if (!input.scalar)
      work.minDramBytes += input.tensor.bytes();
  ctx.beginSourceOp(steps.front().op, work);

  for (const Region &region : regions)
    forEachTile(region.grid, false,
                [&](const Tile &tile) { emitTile(region, tile); });
  return success();
}

/// True when `value` is available before `first` runs: a function argument,
/// a constant, or the result of an op earlier in the block.
bool availableBefore(Value value, Operation *first) {
  Operation *def = value.getDefiningOp();
  if (!def || isa<nn::ConstantOp>(def))
    return true;
  return def->getBlock() == first->getBlock() && def->isBeforeInBlock(first);
}

/// `first` and the elementwise ops after it computed with it, tile by tile:
/// every later op of the same result shape that reads a value of the group
/// or a full-size tensor the group reads, and nothing computed after
/// `first`, joins (it moves up to `first`, which its operands allow). Values
/// read by several ops of the group then stay in SRAM, shared inputs are
/// loaded once, and only the values read elsewhere are stored. An
/// optimizer's update of a weight and its slots (Adam: m, v and the weight,
/// from the gradient) becomes one pass over DRAM.
SmallVector<Step> buildGroup(Step first, KernelContext &ctx) {
  SmallVector<Step> group = {first};
  // A rounding cast stands alone: the group keeps its tiles in f32.
  if (first.roundToBf16)
    return group;
  ArrayRef<int64_t> shape = shapeOf(first.op->getResult(0));
  llvm::SmallPtrSet<Value, 16> values = {first.op->getResult(0)};
  llvm::SmallPtrSet<Value, 16> fullInputs;
  auto addInputs = [&](const Step &step) {
    for (Value operand : step.operands)
      if (!values.contains(operand) && shapeOf(operand) == shape)
        fullInputs.insert(operand);
  };
  addInputs(first);
  unsigned scanned = 0;
  for (Operation *op = first.op->getNextNode();
       op && !op->hasTrait<OpTrait::IsTerminator>() &&
       scanned < kMaxGroupScan && group.size() < kMaxGroupSteps;
       op = op->getNextNode(), ++scanned) {
    if (ctx.isFused(op) || op->getNumResults() != 1 ||
        shapeOf(op->getResult(0)) != shape)
      continue;
    bool related = false, ready = true;
    for (Value operand : op->getOperands()) {
      bool inGroup = values.contains(operand);
      related |= inGroup || fullInputs.contains(operand);
      ready &= inGroup || availableBefore(operand, first.op);
      // An i8 value is held unwrapped (i32) in the tile and wrapped to 8
      // bits only when stored: a reader of it starts a new group.
      ready &= !(inGroup && elementTypeOf(operand).isInteger(8));
    }
    if (!related || !ready)
      continue;
    std::string why;
    FailureOr<Step> step = describeElementwise(op, ctx, why);
    if (failed(step) || step->roundToBf16)
      continue;
    addInputs(*step);
    group.push_back(*step);
    values.insert(op->getResult(0));
  }
  return group;
}

} // namespace

LogicalResult vpu::lowerElementwise(Operation *op, KernelContext &ctx) {
  std::string why;
  FailureOr<Step> step = describeElementwise(op, ctx, why);
  if (failed(step))
    return unsupported(op) << why;
  if (!step->roundToBf16) {
    FailureOr<bool> grouped = tryLowerRowGroup(op, ctx);
    if (failed(grouped) || *grouped)
      return grouped;
  }
  ElementwiseLowering lowering(ctx, buildGroup(*step, ctx));
  return lowering.run();
}

void vpu::registerElementwiseKernels(KernelRegistry &registry) {
  for (StringRef name :
       {"nn.add",           "nn.sub",     "nn.mul",
        "nn.div",           "nn.max",     "nn.min",
        "nn.pow",           "nn.mod",     "nn.equal",
        "nn.less",          "nn.less_or_equal",
        "nn.greater",       "nn.greater_or_equal",
        "nn.and",           "nn.or",      "nn.xor",
        "nn.not",           "nn.where",   "nn.relu",
        "nn.leaky_relu",    "nn.clip",    "nn.sigmoid",
        "nn.tanh",          "nn.gelu",    "nn.erf",
        "nn.exp",           "nn.log",     "nn.sqrt",
        "nn.neg",           "nn.abs",     "nn.reciprocal",
        "nn.floor",         "nn.ceil",    "nn.round",
        "nn.sign",          "nn.sin",     "nn.cos",
        "nn.tan",           "nn.asin",    "nn.acos",
        "nn.atan"})
    registry[name] = lowerElementwise;
}

void mlir::npu::populateVpuKernels(KernelRegistry &registry) {
  registerElementwiseKernels(registry);
  registerReductionKernels(registry);
  registerPoolKernels(registry);
  registerDataMovementKernels(registry);
  registerDropoutKernels(registry);
}
