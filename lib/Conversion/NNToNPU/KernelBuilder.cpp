//===- KernelBuilder.cpp - kernels' one way of creating npu ops -----------===//
//
// KernelBuilder turns runtime instructions (npurt::Instruction, the form the
// kernels think in) plus the buffers their address fields point into into
// npu ops; TensorRef's helpers give the row-major geometry of a DRAM tensor.
// Keeping this the only place that builds instruction ops means the field
// mapping exists twice at most: here and in each op's getInstruction(), and
// the unit of both is the same runtime struct.
//
//===----------------------------------------------------------------------===//
#include "npu/Conversion/NNToNPU/KernelContext.h"

#include "npu/Dialect/NPU/IR/NPU.h"

#include "llvm/ADT/StringExtras.h"

#include <limits>

using namespace mlir;
using namespace mlir::npu;

//===----------------------------------------------------------------------===//
// TensorRef
//===----------------------------------------------------------------------===//

int64_t TensorRef::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim <= 0)
      return 0;
    if (count > std::numeric_limits<int64_t>::max() / dim)
      return std::numeric_limits<int64_t>::max();
    count *= dim;
  }
  return count;
}

uint64_t TensorRef::bytes() const {
  uint64_t count = static_cast<uint64_t>(numElements());
  uint64_t size = npurt::dtypeSize(dtype);
  if (size != 0 && count > std::numeric_limits<uint64_t>::max() / size)
    return std::numeric_limits<uint64_t>::max();
  return count * size;
}

SmallVector<int64_t> TensorRef::strides() const {
  SmallVector<int64_t> result(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    result[i] = result[i + 1] * std::max<int64_t>(shape[i + 1], 1);
  return result;
}

BufferRef TensorRef::at(int64_t index) const {
  return {buffer,
          offset + static_cast<uint64_t>(index) * npurt::dtypeSize(dtype)};
}

KernelContext::~KernelContext() = default;

//===----------------------------------------------------------------------===//
// KernelBuilder
//===----------------------------------------------------------------------===//

Value KernelBuilder::alloc(Space space, uint64_t bytes, StringRef name) {
  MLIRContext *context = builder.getContext();
  // Sizes beyond int64 cannot fit any memory; the program verifier reports
  // the clamped size against the chip.
  int64_t size = static_cast<int64_t>(
      std::min<uint64_t>(bytes, std::numeric_limits<int64_t>::max()));
  return AllocOp::create(
             builder, loc, BufferType::get(context),
             SpaceAttr::get(context, space), builder.getI64IntegerAttr(size),
             name.empty() ? StringAttr() : builder.getStringAttr(name),
             IntegerAttr())
      .getBuffer();
}

namespace {
/// Attribute helpers for one emission.
struct Attrs {
  OpBuilder &b;
  IntegerAttr u(uint64_t value) {
    return b.getI64IntegerAttr(static_cast<int64_t>(value));
  }
  TypeAttr t(npurt::DType dtype) {
    return TypeAttr::get(fromChipDType(b.getContext(), dtype));
  }
  DenseI64ArrayAttr quad(ArrayRef<int64_t> values) {
    return b.getDenseI64ArrayAttr(values);
  }
  FloatAttr f(float value) { return b.getF32FloatAttr(value); }
  /// An optional float: absent when zero (the instruction's unused value).
  FloatAttr optF(float value) {
    return value == 0.0f && !std::signbit(value) ? FloatAttr() : f(value);
  }
  IntegerAttr optZeroPoint(int8_t value) {
    return value == 0 ? IntegerAttr() : b.getI32IntegerAttr(value);
  }
};

/// A VPU operand as the op's four pieces (absent when `buffer` is null).
struct VpuPieces {
  Value buffer;
  IntegerAttr offset;
  TypeAttr dtype;
  IntegerAttr stride;
};
} // namespace

template <typename T>
static SmallVector<int64_t> widen(const std::array<T, 4> &values) {
  return SmallVector<int64_t>(values.begin(), values.end());
}

Operation *KernelBuilder::emit(const npurt::Instruction &inst,
                               ArrayRef<std::pair<AddrRole, Value>> buffers) {
  Attrs a{builder};
  MLIRContext *context = builder.getContext();
  auto bound = [&](AddrRole role) -> Value {
    for (auto [r, value] : buffers)
      if (r == role)
        return value;
    return {};
  };
  // Every address field an opcode uses must be bound: the IR has no absolute
  // addresses before placement.
  auto require = [&](AddrRole role) -> Value {
    Value value = bound(role);
    if (!value)
      emitError(loc) << npurt::opcodeName(inst.opcode)
                     << " needs a buffer for its " << stringifyAddrRole(role)
                     << " address";
    return value;
  };
  auto vpu = [&](AddrRole role, const npurt::VpuOperand &o) -> VpuPieces {
    Value value = bound(role);
    if (!value)
      return {};
    return {value, a.u(o.addr), a.t(o.dtype), a.u(o.row_stride)};
  };
  auto func = [&]() {
    return VpuFuncKindAttr::get(context, static_cast<VpuFuncKind>(inst.func));
  };

  switch (inst.opcode) {
  case npurt::Opcode::DmaLoad:
  case npurt::Opcode::DmaStore: {
    Value dram = require(AddrRole::Dram), sram = require(AddrRole::Sram);
    if (!dram || !sram)
      return nullptr;
    auto args = std::make_tuple(
        dram, a.u(inst.dram_addr), a.t(inst.dram_dtype), sram,
        a.u(inst.sram_addr), a.t(inst.sram_dtype), a.quad(widen(inst.extents)),
        a.quad(widen(inst.dram_strides)), a.quad(widen(inst.sram_strides)));
    if (inst.opcode == npurt::Opcode::DmaLoad)
      return std::apply(
          [&](auto... xs) { return DmaLoadOp::create(builder, loc, xs...); },
          args);
    return std::apply(
        [&](auto... xs) { return DmaStoreOp::create(builder, loc, xs...); },
        args);
  }
  case npurt::Opcode::MxuLoadWeights: {
    Value sram = require(AddrRole::Sram);
    if (!sram)
      return nullptr;
    return MxuLoadWeightsOp::create(
        builder, loc, sram, a.u(inst.sram_addr), a.u(inst.k), a.u(inst.n),
        a.u(inst.row_stride), a.t(inst.mxu_dtype),
        inst.flags & npurt::kFlagTranspose ? builder.getUnitAttr()
                                           : UnitAttr());
  }
  case npurt::Opcode::MxuMatmul: {
    Value sram = require(AddrRole::Sram), acc = require(AddrRole::Acc);
    if (!sram || !acc)
      return nullptr;
    return MxuMatmulOp::create(
        builder, loc, sram, a.u(inst.sram_addr), acc, a.u(inst.acc_addr),
        a.u(inst.m), a.u(inst.k), a.u(inst.n), a.u(inst.row_stride),
        a.u(inst.acc_row_stride), a.t(inst.mxu_dtype),
        inst.flags & npurt::kFlagAccumulate ? builder.getUnitAttr()
                                            : UnitAttr());
  }
  case npurt::Opcode::Halt:
  case npurt::Opcode::Nop:
    emitError(loc) << npurt::opcodeName(inst.opcode)
                   << " is inserted by npu-lower-to-isa, not by kernels";
    return nullptr;
  default:
    break;
  }

  // VPU: dst is always bound; the others as the opcode uses them.
  if (!require(AddrRole::Dst))
    return nullptr;
  VpuPieces dst = vpu(AddrRole::Dst, inst.dst);
  VpuPieces src0 = vpu(AddrRole::Src0, inst.src0);
  VpuPieces src1 = vpu(AddrRole::Src1, inst.src1);
  VpuPieces src2 = vpu(AddrRole::Src2, inst.src2);
  IntegerAttr rows = a.u(inst.rows), cols = a.u(inst.cols);
  bool broadcastsScalar = inst.broadcast == npurt::Broadcast::Scalar;
  switch (inst.opcode) {
  case npurt::Opcode::VpuBinary:
    if (!require(AddrRole::Src0) ||
        (!broadcastsScalar && !require(AddrRole::Src1)))
      return nullptr;
    return VpuBinaryOp::create(
        builder, loc, func(), rows, cols, dst.buffer, dst.offset, dst.dtype,
        dst.stride, src0.buffer, src0.offset, src0.dtype, src0.stride,
        src1.buffer, src1.offset, src1.dtype, src1.stride,
        BroadcastKindAttr::get(context,
                               static_cast<BroadcastKind>(inst.broadcast)),
        broadcastsScalar ? a.f(inst.imm0) : FloatAttr());
  case npurt::Opcode::VpuUnary:
    if (!require(AddrRole::Src0))
      return nullptr;
    return VpuUnaryOp::create(builder, loc, func(), rows, cols, dst.buffer,
                              dst.offset, dst.dtype, dst.stride, src0.buffer,
                              src0.offset, src0.dtype, src0.stride,
                              a.optF(inst.imm0), a.optF(inst.imm1));
  case npurt::Opcode::VpuReduce:
    if (!require(AddrRole::Src0))
      return nullptr;
    return VpuReduceOp::create(
        builder, loc, func(),
        ReduceDimKindAttr::get(context,
                               static_cast<ReduceDimKind>(inst.reduce_dim)),
        rows, cols, dst.buffer, dst.offset, dst.dtype, dst.stride, src0.buffer,
        src0.offset, src0.dtype, src0.stride,
        inst.flags & npurt::kFlagAccumulate ? builder.getUnitAttr()
                                            : UnitAttr());
  case npurt::Opcode::VpuBroadcast:
    if (!broadcastsScalar && !require(AddrRole::Src0))
      return nullptr;
    return VpuBroadcastOp::create(
        builder, loc,
        BroadcastKindAttr::get(context,
                               static_cast<BroadcastKind>(inst.broadcast)),
        rows, cols, dst.buffer, dst.offset, dst.dtype, dst.stride, src0.buffer,
        src0.offset, src0.dtype, src0.stride,
        broadcastsScalar ? a.f(inst.imm0) : FloatAttr());
  case npurt::Opcode::VpuCast:
    if (!require(AddrRole::Src0))
      return nullptr;
    return VpuCastOp::create(
        builder, loc, rows, cols, dst.buffer, dst.offset, dst.dtype, dst.stride,
        src0.buffer, src0.offset, src0.dtype, src0.stride, a.optF(inst.scale),
        a.optZeroPoint(inst.zero_point),
        inst.func == npurt::VpuFunc::None
            ? VpuFuncKindAttr()
            : VpuFuncKindAttr::get(context,
                                   static_cast<VpuFuncKind>(inst.func)));
  case npurt::Opcode::VpuSelect:
    if (!require(AddrRole::Src0) || !require(AddrRole::Src1) ||
        !require(AddrRole::Src2))
      return nullptr;
    return VpuSelectOp::create(
        builder, loc, rows, cols, dst.buffer, dst.offset, dst.dtype, dst.stride,
        src0.buffer, src0.offset, src0.dtype, src0.stride, src1.buffer,
        src1.offset, src1.dtype, src1.stride, src2.buffer, src2.offset,
        src2.dtype, src2.stride);
  case npurt::Opcode::VpuEpilogue: {
    if (!require(AddrRole::Src0))
      return nullptr;
    bool bias = inst.flags & npurt::kFlagBias;
    if (bias && !require(AddrRole::Src1))
      return nullptr;
    if (!bias)
      src1 = {};
    return VpuEpilogueOp::create(
        builder, loc, func(), rows, cols, dst.buffer, dst.offset, dst.dtype,
        dst.stride, src0.buffer, src0.offset, src0.dtype, src0.stride,
        src1.buffer, src1.offset, src1.dtype, src1.stride, a.optF(inst.imm0),
        a.optF(inst.imm1), a.optF(inst.scale), a.optZeroPoint(inst.zero_point));
  }
  default:
    emitError(loc) << "opcode 0x"
                   << llvm::utohexstr(static_cast<uint8_t>(inst.opcode))
                   << " is not an instruction kernels can emit";
    return nullptr;
  }
}

/// A DMA of either direction: both carry the same fields; the opcode says
/// which side is read.
static npurt::Instruction dmaInstruction(npurt::Opcode opcode, BufferRef dram,
                                         npurt::DType dramType, BufferRef sram,
                                         npurt::DType sramType,
                                         std::array<uint16_t, 4> extents,
                                         std::array<int32_t, 4> dramStrides,
                                         std::array<int32_t, 4> sramStrides) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.dram_dtype = dramType;
  inst.sram_dtype = sramType;
  inst.dram_addr = dram.offset;
  inst.sram_addr = static_cast<uint32_t>(sram.offset);
  inst.extents = extents;
  inst.dram_strides = dramStrides;
  inst.sram_strides = sramStrides;
  return inst;
}

Operation *KernelBuilder::dmaLoad(BufferRef dram, npurt::DType dramType,
                                  BufferRef sram, npurt::DType sramType,
                                  std::array<uint16_t, 4> extents,
                                  std::array<int32_t, 4> dramStrides,
                                  std::array<int32_t, 4> sramStrides) {
  return emit(dmaInstruction(npurt::Opcode::DmaLoad, dram, dramType, sram,
                             sramType, extents, dramStrides, sramStrides),
              {{AddrRole::Dram, dram.buffer}, {AddrRole::Sram, sram.buffer}});
}

Operation *KernelBuilder::dmaStore(BufferRef sram, npurt::DType sramType,
                                   BufferRef dram, npurt::DType dramType,
                                   std::array<uint16_t, 4> extents,
                                   std::array<int32_t, 4> sramStrides,
                                   std::array<int32_t, 4> dramStrides) {
  return emit(dmaInstruction(npurt::Opcode::DmaStore, dram, dramType, sram,
                             sramType, extents, dramStrides, sramStrides),
              {{AddrRole::Dram, dram.buffer}, {AddrRole::Sram, sram.buffer}});
}

Operation *KernelBuilder::mxuLoadWeights(BufferRef sram, npurt::DType dtype,
                                         unsigned k, unsigned n,
                                         uint32_t rowStride, bool transpose) {
  npurt::Instruction inst;
  inst.opcode = npurt::Opcode::MxuLoadWeights;
  inst.flags = transpose ? npurt::kFlagTranspose : 0;
  inst.sram_addr = static_cast<uint32_t>(sram.offset);
  inst.mxu_dtype = dtype;
  inst.k = static_cast<uint16_t>(k);
  inst.n = static_cast<uint16_t>(n);
  inst.row_stride = rowStride;
  return emit(inst, {{AddrRole::Sram, sram.buffer}});
}

Operation *KernelBuilder::mxuMatmul(BufferRef sram, npurt::DType dtype,
                                    uint32_t m, unsigned k, unsigned n,
                                    uint32_t rowStride, BufferRef acc,
                                    uint32_t accRowStride, bool accumulate) {
  npurt::Instruction inst;
  inst.opcode = npurt::Opcode::MxuMatmul;
  inst.flags = accumulate ? npurt::kFlagAccumulate : 0;
  inst.sram_addr = static_cast<uint32_t>(sram.offset);
  inst.acc_addr = static_cast<uint32_t>(acc.offset);
  inst.mxu_dtype = dtype;
  inst.m = m;
  inst.k = static_cast<uint16_t>(k);
  inst.n = static_cast<uint16_t>(n);
  inst.row_stride = rowStride;
  inst.acc_row_stride = accRowStride;
  return emit(inst,
              {{AddrRole::Sram, sram.buffer}, {AddrRole::Acc, acc.buffer}});
}

Operation *KernelBuilder::vpu(npurt::Instruction inst, VpuOperand dst,
                              VpuOperand src0, VpuOperand src1,
                              VpuOperand src2) {
  SmallVector<std::pair<AddrRole, Value>, 4> bindings;
  auto fill = [&](AddrRole role, const VpuOperand &from,
                  npurt::VpuOperand &to) {
    if (!from.ref.buffer) {
      to = {};
      return;
    }
    BufferOpInterface bufferOp = getBufferOp(from.ref.buffer);
    to.mem = bufferOp && bufferOp.getSpace() == Space::Acc ? npurt::Mem::Acc
                                                           : npurt::Mem::Sram;
    to.dtype = from.dtype;
    to.addr = static_cast<uint32_t>(from.ref.offset);
    to.row_stride = from.rowStride;
    bindings.push_back({role, from.ref.buffer});
  };
  fill(AddrRole::Dst, dst, inst.dst);
  fill(AddrRole::Src0, src0, inst.src0);
  fill(AddrRole::Src1, src1, inst.src1);
  fill(AddrRole::Src2, src2, inst.src2);
  return emit(inst, bindings);
}
