//===- NPUOps.cpp - npu buffer-level ops: verifiers, instructions ---------===//
//
// Buffers (alloc/io/constant), program structure and the instruction ops.
// Each instruction op converts to the runtime's `Instruction` with byte
// offsets in its address fields; the touched byte range of every field is
// computed once here (accessedRange; accessedIntervals splits a strided one
// into the ranges the hazard analysis of npu-lower-to-isa uses) and used by
// the verifiers, the placement pass and the hazard analysis alike. What the
// chip itself accepts is decided by the runtime's validateInstruction, which
// the program verifier runs on every instruction (offsets stand in for
// addresses: buffers are placed at aligned addresses, so alignment and range
// checks carry over).
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"

#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/StringExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::npu;

// The ODS enums mirror the runtime's numbering, so conversions are casts.
#define NPU_SAME_VALUE(Enum, RuntimeEnum, Case, RuntimeCase)                   \
  static_assert(static_cast<int>(Enum::Case) ==                                \
                    static_cast<int>(npurt::RuntimeEnum::RuntimeCase),         \
                #Enum "::" #Case " must match the runtime")
NPU_SAME_VALUE(BroadcastKind, Broadcast, none, None);
NPU_SAME_VALUE(BroadcastKind, Broadcast, row, Row);
NPU_SAME_VALUE(BroadcastKind, Broadcast, col, Col);
NPU_SAME_VALUE(BroadcastKind, Broadcast, scalar, Scalar);
NPU_SAME_VALUE(ReduceDimKind, ReduceDim, cols, Cols);
NPU_SAME_VALUE(ReduceDimKind, ReduceDim, rows, Rows);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, none, None);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, add, Add);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, cmp_ne, CmpNe);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, copy, Copy);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, leaky_relu, LeakyRelu);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, exp, Exp);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, log, Log);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, tanh, Tanh);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, sigmoid, Sigmoid);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, erf, Erf);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, sqrt, Sqrt);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, rsqrt, Rsqrt);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, recip, Recip);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, neg, Neg);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, abs, Abs);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, gelu, Gelu);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, gelu_tanh, GeluTanh);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, clip, Clip);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, square, Square);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, floor, Floor);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, fmod, FMod);
NPU_SAME_VALUE(VpuFuncKind, VpuFunc, hash_uniform, HashUniform);
#undef NPU_SAME_VALUE

//===----------------------------------------------------------------------===//
// Helpers shared with the passes
//===----------------------------------------------------------------------===//

std::optional<npurt::DType> mlir::npu::toChipDType(Type type) {
  if (type.isF32())
    return npurt::DType::F32;
  if (type.isBF16())
    return npurt::DType::BF16;
  if (type.isSignlessInteger(8))
    return npurt::DType::I8;
  if (type.isSignlessInteger(32))
    return npurt::DType::I32;
  return std::nullopt;
}

Type mlir::npu::fromChipDType(MLIRContext *context, npurt::DType dtype) {
  Builder builder(context);
  switch (dtype) {
  case npurt::DType::F32:
    return builder.getF32Type();
  case npurt::DType::BF16:
    return builder.getBF16Type();
  case npurt::DType::I8:
    return builder.getI8Type();
  case npurt::DType::I32:
    return builder.getI32Type();
  }
  return builder.getF32Type();
}

BufferOpInterface mlir::npu::getBufferOp(Value buffer) {
  if (!buffer)
    return {};
  return buffer.getDefiningOp<BufferOpInterface>();
}

StringRef mlir::npu::stringifyAddrRole(AddrRole role) {
  switch (role) {
  case AddrRole::Dram:
    return "dram";
  case AddrRole::Sram:
    return "sram";
  case AddrRole::Acc:
    return "acc";
  case AddrRole::Dst:
    return "dst";
  case AddrRole::Src0:
    return "src0";
  case AddrRole::Src1:
    return "src1";
  case AddrRole::Src2:
    return "src2";
  }
  return "<invalid>";
}

namespace {
/// The elements one address field touches: a box of up to four dimensions
/// (extent, stride in bytes; outermost first) of `elementBytes`-byte
/// elements. An empty box touches nothing.
struct AccessShape {
  SmallVector<std::pair<int64_t, int64_t>, 4> dims;
  int64_t elementBytes = 0;
  bool empty() const {
    return elementBytes == 0 ||
           llvm::any_of(dims, [](auto dim) { return dim.first == 0; });
  }
};
} // namespace

/// A [rows x cols] operand with `rowStride` elements between rows.
static AccessShape matrixShape(uint64_t rows, uint64_t cols,
                               uint64_t rowStride, npurt::DType dtype) {
  // rows, cols < 2^16, rowStride < 2^32: every span stays below 2^52.
  int64_t size = npurt::dtypeSize(dtype);
  AccessShape shape;
  shape.elementBytes = size;
  shape.dims = {{int64_t(rows), int64_t(rowStride) * size},
                {int64_t(cols), size}};
  return shape;
}

/// One side of a 4-D DMA box.
static AccessShape dmaShape(const npurt::Instruction &inst,
                            const std::array<int32_t, 4> &strides,
                            npurt::DType dtype) {
  int64_t size = npurt::dtypeSize(dtype);
  AccessShape shape;
  shape.elementBytes = size;
  // |span| < 2^16 * 2^31 per dimension: 64 bits hold the sums.
  for (unsigned d = 0; d < 4; ++d)
    shape.dims.push_back({inst.extents[d], int64_t(strides[d]) * size});
  return shape;
}

/// The box field `role` of `inst` touches.
static AccessShape accessShape(const npurt::Instruction &inst, AddrRole role) {
  using npurt::Opcode;
  uint64_t rows = inst.rows, cols = inst.cols;
  // The shape a VPU operand read through `broadcast` has.
  auto broadcastShape = [&]() -> std::pair<uint64_t, uint64_t> {
    switch (inst.broadcast) {
    case npurt::Broadcast::Row:
      return {1, cols};
    case npurt::Broadcast::Col:
      return {rows, 1};
    case npurt::Broadcast::Scalar:
      return {0, 0};
    case npurt::Broadcast::None:
      break;
    }
    return {rows, cols};
  };
  auto operand = [&](const npurt::VpuOperand &o,
                     std::pair<uint64_t, uint64_t> shape) {
    return matrixShape(shape.first, shape.second, o.row_stride, o.dtype);
  };
  std::pair<uint64_t, uint64_t> full{rows, cols};

  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    if (role == AddrRole::Dram)
      return dmaShape(inst, inst.dram_strides, inst.dram_dtype);
    if (role == AddrRole::Sram)
      return dmaShape(inst, inst.sram_strides, inst.sram_dtype);
    break;
  case Opcode::MxuLoadWeights:
    if (role == AddrRole::Sram) {
      bool transposed = inst.flags & npurt::kFlagTranspose;
      return matrixShape(transposed ? inst.n : inst.k,
                         transposed ? inst.k : inst.n, inst.row_stride,
                         inst.mxu_dtype);
    }
    break;
  case Opcode::MxuMatmul:
    if (role == AddrRole::Sram)
      return matrixShape(inst.m, inst.k, inst.row_stride, inst.mxu_dtype);
    if (role == AddrRole::Acc)
      return matrixShape(inst.m, inst.n, inst.acc_row_stride,
                         npurt::DType::F32);
    break;
  case Opcode::VpuBinary:
    if (role == AddrRole::Dst)
      return operand(inst.dst, full);
    if (role == AddrRole::Src0)
      return operand(inst.src0, full);
    if (role == AddrRole::Src1)
      return operand(inst.src1, broadcastShape());
    break;
  case Opcode::VpuBroadcast:
    if (role == AddrRole::Dst)
      return operand(inst.dst, full);
    if (role == AddrRole::Src0)
      return operand(inst.src0, broadcastShape());
    break;
  case Opcode::VpuReduce:
    if (role == AddrRole::Dst)
      return operand(inst.dst, inst.reduce_dim == npurt::ReduceDim::Cols
                                   ? std::pair<uint64_t, uint64_t>{rows, 1}
                                   : std::pair<uint64_t, uint64_t>{1, cols});
    if (role == AddrRole::Src0)
      return operand(inst.src0, full);
    break;
  case Opcode::VpuUnary:
  case Opcode::VpuCast:
  case Opcode::VpuSelect:
  case Opcode::VpuEpilogue:
    if (role == AddrRole::Dst)
      return operand(inst.dst, full);
    if (role == AddrRole::Src0)
      return operand(inst.src0, full);
    if (role == AddrRole::Src1)
      return operand(inst.src1, inst.opcode == Opcode::VpuEpilogue
                                    ? std::pair<uint64_t, uint64_t>{1, cols}
                                    : full);
    if (role == AddrRole::Src2)
      return operand(inst.src2, full);
    break;
  case Opcode::Halt:
  case Opcode::Nop:
    break;
  }
  return {};
}

/// The bounding range of `dims` (offsets from the first element) widened
/// by one element of `elementBytes`.
static ByteInterval boundingRange(ArrayRef<std::pair<int64_t, int64_t>> dims,
                                  int64_t elementBytes) {
  int64_t lo = 0, hi = 0;
  for (auto [extent, stride] : dims) {
    int64_t span = (extent - 1) * stride;
    (span < 0 ? lo : hi) += span;
  }
  return {lo, hi + elementBytes};
}

std::pair<int64_t, int64_t>
mlir::npu::accessedRange(const npurt::Instruction &inst, AddrRole role) {
  AccessShape shape = accessShape(inst, role);
  if (shape.empty())
    return {0, 0};
  return boundingRange(shape.dims, shape.elementBytes);
}

SmallVector<ByteInterval>
mlir::npu::accessedIntervals(const npurt::Instruction &inst, AddrRole role,
                             unsigned maxIntervals) {
  AccessShape shape = accessShape(inst, role);
  if (shape.empty())
    return {};
  // Normalize: a negative stride visits the same bytes from the other end,
  // zero strides and unit extents add nothing.
  int64_t base = 0;
  SmallVector<std::pair<int64_t, int64_t>, 4> dims;
  for (auto [extent, stride] : shape.dims) {
    if (extent <= 1 || stride == 0)
      continue;
    if (stride < 0) {
      base += (extent - 1) * stride;
      stride = -stride;
    }
    dims.push_back({extent, stride});
  }
  // Widest stride first; the innermost dimensions that tile their unit
  // without gaps extend it, the outer ones are enumerated while the count
  // stays within budget, and the rest is covered by its bounding range.
  llvm::stable_sort(dims, [](auto a, auto b) { return a.second > b.second; });
  int64_t unit = shape.elementBytes;
  while (!dims.empty() && dims.back().second <= unit) {
    unit += (dims.back().first - 1) * dims.back().second;
    dims.pop_back();
  }
  size_t enumerated = 0;
  uint64_t count = 1;
  while (enumerated < dims.size() &&
         count * uint64_t(dims[enumerated].first) <= maxIntervals)
    count *= uint64_t(dims[enumerated++].first);
  ArrayRef<std::pair<int64_t, int64_t>> outer(dims.data(), enumerated);
  ByteInterval inner =
      boundingRange(ArrayRef(dims).drop_front(enumerated), unit);

  SmallVector<ByteInterval> intervals;
  intervals.reserve(count);
  SmallVector<int64_t, 4> index(outer.size(), 0);
  for (uint64_t i = 0; i < count; ++i) {
    int64_t offset = base;
    for (size_t d = 0; d < outer.size(); ++d)
      offset += index[d] * outer[d].second;
    intervals.push_back({offset + inner.first, offset + inner.second});
    for (size_t d = outer.size(); d-- > 0;) {
      if (++index[d] < outer[d].first)
        break;
      index[d] = 0;
    }
  }
  llvm::sort(intervals);
  SmallVector<ByteInterval> merged;
  for (ByteInterval interval : intervals) {
    if (!merged.empty() && interval.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, interval.second);
    else
      merged.push_back(interval);
  }
  return merged;
}

/// The address held by field `role` of `inst`.
static uint64_t fieldAddress(const npurt::Instruction &inst, AddrRole role) {
  switch (role) {
  case AddrRole::Dram:
    return inst.dram_addr;
  case AddrRole::Sram:
    return inst.sram_addr;
  case AddrRole::Acc:
    return inst.acc_addr;
  case AddrRole::Dst:
    return inst.dst.addr;
  case AddrRole::Src0:
    return inst.src0.addr;
  case AddrRole::Src1:
    return inst.src1.addr;
  case AddrRole::Src2:
    return inst.src2.addr;
  }
  return 0;
}

/// Whether field `role` of `inst` is written (else only read).
static bool writesField(const npurt::Instruction &inst, AddrRole role) {
  switch (inst.opcode) {
  case npurt::Opcode::DmaLoad:
    return role == AddrRole::Sram;
  case npurt::Opcode::DmaStore:
    return role == AddrRole::Dram;
  case npurt::Opcode::MxuMatmul:
    return role == AddrRole::Acc;
  default:
    return role == AddrRole::Dst;
  }
}

/// Whether a written field is also read (accumulation into it).
static bool readsField(const npurt::Instruction &inst, AddrRole role) {
  if (!writesField(inst, role))
    return true;
  bool accumulates = inst.flags & npurt::kFlagAccumulate;
  return accumulates && (inst.opcode == npurt::Opcode::MxuMatmul ||
                         inst.opcode == npurt::Opcode::VpuReduce);
}

SmallVector<BufferAccess>
mlir::npu::getBufferAccesses(const npurt::Instruction &inst,
                             ArrayRef<std::pair<AddrRole, Value>> bindings) {
  SmallVector<BufferAccess> accesses;
  for (auto [role, buffer] : bindings) {
    auto [lo, hi] = accessedRange(inst, role);
    // Offsets are verified to keep the range inside the buffer, so these
    // sums cannot overflow on verified IR; saturate anyway.
    int64_t offset = static_cast<int64_t>(
        std::min<uint64_t>(fieldAddress(inst, role), INT64_MAX / 2));
    accesses.push_back({role, buffer, offset + lo, offset + hi,
                        readsField(inst, role), writesField(inst, role)});
  }
  return accesses;
}

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Offsets print in hex: `%buf[0x40]`.
static ParseResult parseOffset(OpAsmParser &parser, IntegerAttr &offset) {
  uint64_t value = 0;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseInteger(value))
    return failure();
  if (value > static_cast<uint64_t>(INT64_MAX))
    return parser.emitError(loc) << "offset does not fit in 63 bits";
  offset = parser.getBuilder().getI64IntegerAttr(static_cast<int64_t>(value));
  return success();
}

static void printOffset(OpAsmPrinter &printer, Operation *,
                        IntegerAttr offset) {
  printer << "0x" << llvm::utohexstr(offset.getValue().getZExtValue());
}

#define GET_OP_CLASSES
#include "npu/Dialect/NPU/IR/NPUOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

void ProgramOp::build(OpBuilder &builder, OperationState &state,
                      StringRef name) {
  state.getOrAddProperties<Properties>().sym_name = builder.getStringAttr(name);
  state.addRegion()->emplaceBlock();
}

void LayerOp::build(OpBuilder &builder, OperationState &state, StringRef name,
                    StringRef kind, uint64_t macs, uint64_t vectorOps,
                    uint64_t minDramBytes) {
  Properties &props = state.getOrAddProperties<Properties>();
  props.name = builder.getStringAttr(name);
  props.kind = builder.getStringAttr(kind);
  props.macs = builder.getI64IntegerAttr(
      static_cast<int64_t>(std::min<uint64_t>(macs, INT64_MAX)));
  props.vector_ops = builder.getI64IntegerAttr(
      static_cast<int64_t>(std::min<uint64_t>(vectorOps, INT64_MAX)));
  props.min_dram_bytes = builder.getI64IntegerAttr(
      static_cast<int64_t>(std::min<uint64_t>(minDramBytes, INT64_MAX)));
  state.addRegion()->emplaceBlock();
}

/// The capacity of `space` on `target`.
static uint64_t capacityOf(const npurt::Target &target, Space space) {
  switch (space) {
  case Space::Dram:
    return target.dram_bytes;
  case Space::Sram:
    return target.sram_bytes;
  case Space::Acc:
    return target.acc_bytes;
  }
  return 0;
}

static StringRef capacityName(Space space) {
  switch (space) {
  case Space::Dram:
    return "dram_bytes";
  case Space::Sram:
    return "sram_bytes";
  case Space::Acc:
    return "acc_bytes";
  }
  return "<invalid>";
}

LogicalResult ProgramOp::verifyRegions() {
  for (Operation &op : getBody().front())
    if (!isa<BufferOpInterface, LayerOp>(op))
      return op.emitOpError("cannot be at the top level of 'npu.program' "
                            "(expected npu.io, npu.constant, npu.alloc or "
                            "npu.layer)");

  // The chip is optional here (hand-written tests of the structure need
  // none); with it, every buffer must fit its memory and every instruction
  // must pass the chip's own checks.
  TargetAttr targetAttr = TargetAttr::lookup(*this);
  if (!targetAttr)
    return success();
  npurt::Target target = targetAttr.getTarget();

  WalkResult result = walk([&](Operation *op) {
    if (auto buffer = dyn_cast<BufferOpInterface>(op)) {
      uint64_t capacity = capacityOf(target, buffer.getSpace());
      if (buffer.getBufferBytes() > capacity) {
        op->emitOpError() << "needs " << buffer.getBufferBytes() << " bytes of "
                          << stringifySpace(buffer.getSpace())
                          << ", more than the chip has ("
                          << capacityName(buffer.getSpace()) << " = "
                          << capacity << ")";
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    }
    auto inst = dyn_cast<InstructionOpInterface>(op);
    if (!inst)
      return WalkResult::advance();
    if (llvm::Error error =
            npurt::validateInstruction(inst.getInstruction(), target)) {
      op->emitOpError() << llvm::toString(std::move(error))
                        << " (addresses are offsets inside the buffers)";
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

/// a * b, saturating at UINT64_MAX.
static uint64_t saturatingMul(uint64_t a, uint64_t b) {
  if (a != 0 && b > std::numeric_limits<uint64_t>::max() / a)
    return std::numeric_limits<uint64_t>::max();
  return a * b;
}

uint64_t AllocOp::getBufferBytes() { return getBytes(); }
StringRef AllocOp::getBufferName() {
  if (auto name = getNameAttr())
    return name.getValue();
  return "";
}
bool AllocOp::isLiveForWholeProgram() { return false; }

LogicalResult AllocOp::verify() {
  if (getBytes() == 0)
    return emitOpError("must allocate at least one byte");
  return success();
}

Space IOOp::getSpace() { return Space::Dram; }
uint64_t IOOp::getBufferBytes() {
  uint64_t bytes = npurt::dtypeSize(*toChipDType(getDtype()));
  for (int64_t dim : getShape())
    bytes =
        saturatingMul(bytes, static_cast<uint64_t>(std::max<int64_t>(dim, 0)));
  return bytes;
}
StringRef IOOp::getBufferName() { return getName(); }

LogicalResult IOOp::verify() {
  for (int64_t dim : getShape())
    if (dim < 0)
      return emitOpError() << "has negative dimension " << dim;
  if (getName().empty())
    return emitOpError("needs a non-empty name");
  ElementsAttr init = getInitialValueAttr();
  if (!init)
    return success();
  if (getKind() != IOKind::state)
    return emitOpError("only a state tensor has an initial value");
  auto initType = cast<ShapedType>(init.getType());
  if (initType.getElementType() != getDtype() ||
      initType.getShape() != getShape())
    return emitOpError() << "initial value of type " << init.getType()
                         << " does not match the tensor (" << getDtype()
                         << " [" << getShape() << "])";
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(init))
    if (AsmResourceBlob *blob = resource.getRawHandle().getBlob();
        blob && blob->getData().size() != getBufferBytes())
      return emitOpError() << "initial value blob holds "
                           << blob->getData().size()
                           << " bytes but the tensor needs "
                           << getBufferBytes();
  return success();
}

Space ConstantOp::getSpace() { return Space::Dram; }
uint64_t ConstantOp::getBufferBytes() {
  auto type = cast<ShapedType>(getData().getType());
  std::optional<npurt::DType> dtype = toChipDType(type.getElementType());
  if (!dtype || !type.hasStaticShape())
    return 0;
  return saturatingMul(npurt::dtypeSize(*dtype),
                       static_cast<uint64_t>(type.getNumElements()));
}
StringRef ConstantOp::getBufferName() { return getName(); }
bool ConstantOp::isReadOnly() { return true; }

LogicalResult ConstantOp::verify() {
  Attribute data = getData();
  auto type = cast<ShapedType>(getData().getType());
  if (!toChipDType(type.getElementType()))
    return emitOpError() << "element type " << type.getElementType()
                         << " is not a chip dtype (f32, bf16, i8, i32)";
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(data)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    // An elided blob (printed `dense_resource<__elided__>`) has no data; it
    // only appears in IR printed for reading, so it is accepted.
    if (blob && blob->getData().size() != getBufferBytes())
      return emitOpError() << "blob holds " << blob->getData().size()
                           << " bytes but the type needs " << getBufferBytes();
    return success();
  }
  if (!isa<DenseIntOrFPElementsAttr>(data))
    return emitOpError("data must be a dense or dense_resource elements "
                       "attribute");
  return success();
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

static npurt::DType dtypeOf(Type type) {
  return toChipDType(type).value_or(npurt::DType::F32);
}

/// The VPU memory of a buffer (sram unless it is an accumulator buffer).
static npurt::Mem memOf(Value buffer) {
  BufferOpInterface op = getBufferOp(buffer);
  return op && op.getSpace() == Space::Acc ? npurt::Mem::Acc : npurt::Mem::Sram;
}

static npurt::VpuOperand vpuOperand(Value buffer, uint64_t offset, Type dtype,
                                    uint64_t stride) {
  npurt::VpuOperand result;
  result.mem = memOf(buffer);
  result.dtype = dtypeOf(dtype);
  result.addr = static_cast<uint32_t>(offset);
  result.row_stride = static_cast<uint32_t>(stride);
  return result;
}

/// An optional VPU operand: all of buffer, offset, dtype and stride, or none.
static npurt::VpuOperand vpuOperand(Value buffer,
                                    std::optional<uint64_t> offset,
                                    std::optional<Type> dtype,
                                    std::optional<uint64_t> stride) {
  if (!buffer || !offset || !dtype || !stride)
    return {};
  return vpuOperand(buffer, *offset, *dtype, *stride);
}

template <typename T> static std::array<T, 4> quad(ArrayRef<int64_t> values) {
  std::array<T, 4> result{};
  for (unsigned i = 0; i < 4 && i < values.size(); ++i)
    result[i] = static_cast<T>(values[i]);
  return result;
}

static float immOf(std::optional<APFloat> value) {
  return value ? value->convertToFloat() : 0.0f;
}

template <typename DmaOp>
static npurt::Instruction dmaInstruction(DmaOp op, npurt::Opcode opcode) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.dram_dtype = dtypeOf(op.getDramDtype());
  inst.sram_dtype = dtypeOf(op.getSramDtype());
  inst.dram_addr = op.getDramOffset();
  inst.sram_addr = static_cast<uint32_t>(op.getSramOffset());
  inst.extents = quad<uint16_t>(op.getExtents());
  inst.dram_strides = quad<int32_t>(op.getDramStrides());
  inst.sram_strides = quad<int32_t>(op.getSramStrides());
  return inst;
}

npurt::Instruction DmaLoadOp::getInstruction() {
  return dmaInstruction(*this, npurt::Opcode::DmaLoad);
}
npurt::Instruction DmaStoreOp::getInstruction() {
  return dmaInstruction(*this, npurt::Opcode::DmaStore);
}

SmallVector<std::pair<AddrRole, Value>> DmaLoadOp::getBufferBindings() {
  return {{AddrRole::Dram, getDram()}, {AddrRole::Sram, getSram()}};
}
SmallVector<std::pair<AddrRole, Value>> DmaStoreOp::getBufferBindings() {
  return {{AddrRole::Dram, getDram()}, {AddrRole::Sram, getSram()}};
}

npurt::Instruction MxuLoadWeightsOp::getInstruction() {
  npurt::Instruction inst;
  inst.opcode = npurt::Opcode::MxuLoadWeights;
  inst.flags = getTranspose() ? npurt::kFlagTranspose : 0;
  inst.sram_addr = static_cast<uint32_t>(getSramOffset());
  inst.k = static_cast<uint16_t>(getK());
  inst.n = static_cast<uint16_t>(getN());
  inst.row_stride = static_cast<uint32_t>(getRowStride());
  inst.mxu_dtype = dtypeOf(getMxuDtype());
  return inst;
}
SmallVector<std::pair<AddrRole, Value>> MxuLoadWeightsOp::getBufferBindings() {
  return {{AddrRole::Sram, getSram()}};
}

npurt::Instruction MxuMatmulOp::getInstruction() {
  npurt::Instruction inst;
  inst.opcode = npurt::Opcode::MxuMatmul;
  inst.flags = getAccumulate() ? npurt::kFlagAccumulate : 0;
  inst.sram_addr = static_cast<uint32_t>(getSramOffset());
  inst.acc_addr = static_cast<uint32_t>(getAccOffset());
  inst.m = static_cast<uint32_t>(getM());
  inst.k = static_cast<uint16_t>(getK());
  inst.n = static_cast<uint16_t>(getN());
  inst.row_stride = static_cast<uint32_t>(getRowStride());
  inst.acc_row_stride = static_cast<uint32_t>(getAccRowStride());
  inst.mxu_dtype = dtypeOf(getMxuDtype());
  return inst;
}
SmallVector<std::pair<AddrRole, Value>> MxuMatmulOp::getBufferBindings() {
  return {{AddrRole::Sram, getSram()}, {AddrRole::Acc, getAcc()}};
}

/// The shape, dst and src0 every VPU op has.
template <typename VpuOp>
static npurt::Instruction vpuInstruction(VpuOp op, npurt::Opcode opcode) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.rows = static_cast<uint16_t>(op.getRows());
  inst.cols = static_cast<uint16_t>(op.getCols());
  inst.dst = vpuOperand(op.getDst(), op.getDstOffset(), op.getDstDtype(),
                        op.getDstStride());
  return inst;
}

npurt::Instruction VpuBinaryOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuBinary);
  inst.func = static_cast<npurt::VpuFunc>(getFunc());
  inst.broadcast = static_cast<npurt::Broadcast>(getBroadcast());
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  inst.src1 =
      vpuOperand(getSrc1(), getSrc1Offset(), getSrc1Dtype(), getSrc1Stride());
  inst.imm0 = immOf(getImm0());
  return inst;
}

npurt::Instruction VpuUnaryOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuUnary);
  inst.func = static_cast<npurt::VpuFunc>(getFunc());
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  inst.imm0 = immOf(getImm0());
  inst.imm1 = immOf(getImm1());
  return inst;
}

npurt::Instruction VpuReduceOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuReduce);
  inst.func = static_cast<npurt::VpuFunc>(getFunc());
  inst.reduce_dim = static_cast<npurt::ReduceDim>(getReduceDim());
  inst.flags = getAccumulate() ? npurt::kFlagAccumulate : 0;
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  return inst;
}

npurt::Instruction VpuBroadcastOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuBroadcast);
  inst.broadcast = static_cast<npurt::Broadcast>(getBroadcast());
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  inst.imm0 = immOf(getImm0());
  return inst;
}

npurt::Instruction VpuCastOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuCast);
  if (std::optional<VpuFuncKind> rounding = getRounding())
    inst.func = static_cast<npurt::VpuFunc>(*rounding);
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  inst.scale = immOf(getScale());
  inst.zero_point = static_cast<int8_t>(getZeroPoint().value_or(0));
  return inst;
}

npurt::Instruction VpuSelectOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuSelect);
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  inst.src1 =
      vpuOperand(getSrc1(), getSrc1Offset(), getSrc1Dtype(), getSrc1Stride());
  inst.src2 =
      vpuOperand(getSrc2(), getSrc2Offset(), getSrc2Dtype(), getSrc2Stride());
  return inst;
}

npurt::Instruction VpuEpilogueOp::getInstruction() {
  npurt::Instruction inst = vpuInstruction(*this, npurt::Opcode::VpuEpilogue);
  inst.func = static_cast<npurt::VpuFunc>(getFunc());
  inst.src0 =
      vpuOperand(getSrc0(), getSrc0Offset(), getSrc0Dtype(), getSrc0Stride());
  if (getSrc1()) {
    inst.flags |= npurt::kFlagBias;
    inst.src1 =
        vpuOperand(getSrc1(), getSrc1Offset(), getSrc1Dtype(), getSrc1Stride());
  }
  inst.imm0 = immOf(getImm0());
  inst.imm1 = immOf(getImm1());
  inst.scale = immOf(getScale());
  inst.zero_point = static_cast<int8_t>(getZeroPoint().value_or(0));
  return inst;
}

/// dst, src0 and, when present, src1 / src2.
static SmallVector<std::pair<AddrRole, Value>>
vpuBindings(Value dst, Value src0, Value src1 = {}, Value src2 = {}) {
  SmallVector<std::pair<AddrRole, Value>> bindings;
  bindings.push_back({AddrRole::Dst, dst});
  if (src0)
    bindings.push_back({AddrRole::Src0, src0});
  if (src1)
    bindings.push_back({AddrRole::Src1, src1});
  if (src2)
    bindings.push_back({AddrRole::Src2, src2});
  return bindings;
}

SmallVector<std::pair<AddrRole, Value>> VpuBinaryOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0(), getSrc1());
}
SmallVector<std::pair<AddrRole, Value>> VpuUnaryOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0());
}
SmallVector<std::pair<AddrRole, Value>> VpuReduceOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0());
}
SmallVector<std::pair<AddrRole, Value>> VpuBroadcastOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0());
}
SmallVector<std::pair<AddrRole, Value>> VpuCastOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0());
}
SmallVector<std::pair<AddrRole, Value>> VpuSelectOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0(), getSrc1(), getSrc2());
}
SmallVector<std::pair<AddrRole, Value>> VpuEpilogueOp::getBufferBindings() {
  return vpuBindings(getDst(), getSrc0(), getSrc1());
}

//===----------------------------------------------------------------------===//
// Instruction verifiers
//===----------------------------------------------------------------------===//

/// Checks that each bound buffer is in the memory its field addresses, that
/// the bytes the field touches lie inside the buffer and that constants are
/// never written. Runs after the op-specific encodability checks, so
/// getInstruction() is exact here.
static LogicalResult verifyBindings(InstructionOpInterface op) {
  npurt::Instruction inst = op.getInstruction();
  for (const BufferAccess &access : op.getBufferAccesses()) {
    StringRef role = stringifyAddrRole(access.role);
    BufferOpInterface buffer = getBufferOp(access.buffer);
    if (!buffer)
      return op->emitOpError()
             << role
             << " buffer must be defined by npu.alloc, npu.io or npu.constant";
    Space space = buffer.getSpace();
    bool vpuRole = access.role >= AddrRole::Dst;
    if (vpuRole ? space == Space::Dram
                : space != static_cast<Space>(access.role))
      return op->emitOpError() << role << " buffer must be in "
                               << (vpuRole ? StringRef("sram or acc") : role)
                               << ", not " << stringifySpace(space);
    if (access.begin == access.end)
      continue;
    // fieldAddress < 2^63 and the range is below 2^53: 128 bits are exact.
    __int128 offset = static_cast<__int128>(fieldAddress(inst, access.role));
    auto [lo, hi] = accessedRange(inst, access.role);
    __int128 first = offset + lo, last = offset + hi;
    uint64_t bytes = buffer.getBufferBytes();
    if (first < 0 || last > static_cast<__int128>(bytes))
      return op->emitOpError()
             << role << " range [" << static_cast<int64_t>(first) << ", "
             << static_cast<int64_t>(last) << ") is outside its " << bytes
             << "-byte buffer";
    if (access.writes && buffer.isReadOnly())
      return op->emitOpError() << "writes the read-only constant '"
                               << buffer.getBufferName() << "'";
  }
  return success();
}

/// DMA boxes must be 4-D, with u16 extents and i32 strides.
template <typename DmaOp> static LogicalResult verifyDma(DmaOp op) {
  auto check = [&](ArrayRef<int64_t> values, StringRef name, int64_t min,
                   int64_t max) -> LogicalResult {
    if (values.size() != 4)
      return op.emitOpError() << name << " needs 4 entries (dim 0 outermost), "
                              << "got " << values.size();
    for (int64_t value : values)
      if (value < min || value > max)
        return op.emitOpError() << name << " entry " << value << " is outside ["
                                << min << ", " << max << "]";
    return success();
  };
  if (failed(check(op.getExtents(), "extents", 1, 65535)) ||
      failed(
          check(op.getDramStrides(), "dram_strides", INT32_MIN, INT32_MAX)) ||
      failed(check(op.getSramStrides(), "sram_strides", INT32_MIN, INT32_MAX)))
    return failure();
  return verifyBindings(op);
}

LogicalResult DmaLoadOp::verify() { return verifyDma(*this); }
LogicalResult DmaStoreOp::verify() { return verifyDma(*this); }
LogicalResult MxuLoadWeightsOp::verify() { return verifyBindings(*this); }
LogicalResult MxuMatmulOp::verify() { return verifyBindings(*this); }

/// An optional VPU operand has its buffer and all three attributes, or none.
static LogicalResult verifyOptionalOperand(Operation *op, StringRef name,
                                           Value buffer, Attribute offset,
                                           Attribute dtype, Attribute stride) {
  bool present = buffer != nullptr;
  if ((offset != nullptr) != present || (dtype != nullptr) != present ||
      (stride != nullptr) != present)
    return op->emitOpError()
           << name << " needs its buffer, " << name << "_offset, " << name
           << "_dtype and " << name << "_stride together";
  return success();
}

static LogicalResult verifyZeroPoint(Operation *op,
                                     std::optional<int32_t> zeroPoint) {
  if (zeroPoint && (*zeroPoint < -128 || *zeroPoint > 127))
    return op->emitOpError() << "zero_point " << *zeroPoint
                             << " is outside the int8 range [-128, 127]";
  return success();
}

LogicalResult VpuBinaryOp::verify() {
  if (failed(verifyOptionalOperand(*this, "src1", getSrc1(),
                                   getSrc1OffsetAttr(), getSrc1DtypeAttr(),
                                   getSrc1StrideAttr())))
    return failure();
  if ((getBroadcast() == BroadcastKind::scalar) == (getSrc1() != nullptr))
    return emitOpError("takes src1 exactly when broadcast is not scalar");
  return verifyBindings(*this);
}
LogicalResult VpuUnaryOp::verify() { return verifyBindings(*this); }
LogicalResult VpuReduceOp::verify() { return verifyBindings(*this); }
LogicalResult VpuBroadcastOp::verify() {
  if (failed(verifyOptionalOperand(*this, "src0", getSrc0(),
                                   getSrc0OffsetAttr(), getSrc0DtypeAttr(),
                                   getSrc0StrideAttr())))
    return failure();
  if ((getBroadcast() == BroadcastKind::scalar) == (getSrc0() != nullptr))
    return emitOpError("takes src0 exactly when broadcast is not scalar");
  return verifyBindings(*this);
}
LogicalResult VpuCastOp::verify() {
  if (failed(verifyZeroPoint(*this, getZeroPoint())))
    return failure();
  return verifyBindings(*this);
}
LogicalResult VpuSelectOp::verify() { return verifyBindings(*this); }
LogicalResult VpuEpilogueOp::verify() {
  if (failed(verifyOptionalOperand(*this, "src1", getSrc1(),
                                   getSrc1OffsetAttr(), getSrc1DtypeAttr(),
                                   getSrc1StrideAttr())) ||
      failed(verifyZeroPoint(*this, getZeroPoint())))
    return failure();
  return verifyBindings(*this);
}
