//===- InstructionConversion.cpp - npuisa IR <-> runtime Program -----------===//
//
// Field-by-field mapping between the instruction ops and npurt::Instruction,
// and between a program op (with its tables) and npurt::Program. Range checks
// here are about encodability (does 70000 fit a 16-bit extent?); whether a
// value is legal on the chip is validateInstruction's call.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPUISA/IR/ProgramConversion.h"

#include "npu/Runtime/Binary.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/TypeSwitch.h"

#include <cstring>
#include <limits>
#include <map>

using namespace mlir;
using namespace mlir::npuisa;

// The ODS enums mirror the runtime's numbering, so conversions are casts.
#define NPUISA_SAME_VALUE(Enum, RuntimeEnum, Case, RuntimeCase)                  \
  static_assert(static_cast<int>(Enum::Case) ==                                 \
                static_cast<int>(npurt::RuntimeEnum::RuntimeCase),               \
                #Enum "::" #Case " must match the runtime")
NPUISA_SAME_VALUE(Engine, Engine, dma_load, DmaLoad);
NPUISA_SAME_VALUE(Engine, Engine, dma_store, DmaStore);
NPUISA_SAME_VALUE(Engine, Engine, mxu, Mxu);
NPUISA_SAME_VALUE(Engine, Engine, vpu, Vpu);
NPUISA_SAME_VALUE(Mem, Mem, sram, Sram);
NPUISA_SAME_VALUE(Mem, Mem, acc, Acc);
NPUISA_SAME_VALUE(Broadcast, Broadcast, none, None);
NPUISA_SAME_VALUE(Broadcast, Broadcast, row, Row);
NPUISA_SAME_VALUE(Broadcast, Broadcast, col, Col);
NPUISA_SAME_VALUE(Broadcast, Broadcast, scalar, Scalar);
NPUISA_SAME_VALUE(ReduceDim, ReduceDim, cols, Cols);
NPUISA_SAME_VALUE(ReduceDim, ReduceDim, rows, Rows);
NPUISA_SAME_VALUE(IOKind, IoKind, input, Input);
NPUISA_SAME_VALUE(IOKind, IoKind, output, Output);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, none, None);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, add, Add);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, sub, Sub);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, mul, Mul);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, div, Div);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, max, Max);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, min, Min);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, pow, Pow);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, cmp_lt, CmpLt);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, cmp_le, CmpLe);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, cmp_eq, CmpEq);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, cmp_ne, CmpNe);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, copy, Copy);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, relu, Relu);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, leaky_relu, LeakyRelu);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, exp, Exp);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, log, Log);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, tanh, Tanh);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, sigmoid, Sigmoid);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, erf, Erf);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, sqrt, Sqrt);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, rsqrt, Rsqrt);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, recip, Recip);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, neg, Neg);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, abs, Abs);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, gelu, Gelu);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, gelu_tanh, GeluTanh);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, clip, Clip);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, square, Square);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, floor, Floor);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, ceil, Ceil);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, round_even, RoundEven);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, trunc, Trunc);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, sign, Sign);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, sin, Sin);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, cos, Cos);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, tan, Tan);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, asin, Asin);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, acos, Acos);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, atan, Atan);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, mod, Mod);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, fmod, FMod);
NPUISA_SAME_VALUE(VpuFunc, VpuFunc, hash_uniform, HashUniform);
#undef NPUISA_SAME_VALUE

FailureOr<npurt::DType>
mlir::npuisa::toDType(Type type, StringRef what,
                      function_ref<InFlightDiagnostic()> emitError) {
  if (type.isF32())
    return npurt::DType::F32;
  if (type.isBF16())
    return npurt::DType::BF16;
  if (type.isSignlessInteger(8))
    return npurt::DType::I8;
  if (type.isSignlessInteger(32))
    return npurt::DType::I32;
  emitError() << what << " " << type
              << " is not a chip dtype (f32, bf16, i8, i32)";
  return failure();
}

Type mlir::npuisa::fromDType(MLIRContext *context, npurt::DType dtype) {
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

namespace {

/// Fills an Instruction from an op, reporting the first unencodable field.
class InstructionBuilder {
public:
  explicit InstructionBuilder(InstructionOpInterface op) : op(op) {}

  npurt::Instruction inst;
  bool ok = true;

  InFlightDiagnostic error() {
    ok = false;
    return op->emitOpError();
  }

  template <typename T>
  T fit(int64_t value, StringRef field) {
    if (!ok)
      return T();
    bool fits = value < 0
                    ? std::numeric_limits<T>::is_signed &&
                          value >= static_cast<int64_t>(
                                       std::numeric_limits<T>::min())
                    : static_cast<uint64_t>(value) <=
                          static_cast<uint64_t>(
                              std::numeric_limits<T>::max());
    if (!fits) {
      error() << field << " " << value << " does not fit its "
              << sizeof(T) * 8 << "-bit field";
      return T();
    }
    return static_cast<T>(value);
  }

  npurt::DType dtype(Type type, StringRef field) {
    if (!ok)
      return npurt::DType::F32;
    FailureOr<npurt::DType> result =
        toDType(type, field, [&] { return error(); });
    return succeeded(result) ? *result : npurt::DType::F32;
  }

  template <typename T>
  std::array<T, 4> quad(ArrayRef<int64_t> values, StringRef field) {
    std::array<T, 4> result{};
    if (!ok)
      return result;
    if (values.size() != 4) {
      error() << field << " needs 4 entries (dim 0 outermost), got "
              << values.size();
      return result;
    }
    for (unsigned i = 0; i < 4; ++i)
      result[i] = fit<T>(values[i], field);
    return result;
  }

  void semaphores(ArrayRef<int32_t> ids, std::array<uint8_t, 2> &slots,
                  StringRef field) {
    if (ids.size() > 2) {
      error() << "has " << ids.size() << " " << field
              << " semaphores; an instruction has 2 " << field << " slots";
      return;
    }
    for (auto [slot, id] : llvm::zip(slots, ids)) {
      if (id < 0 || id >= npurt::kNoSemaphore) {
        error() << field << " semaphore " << id
                << " does not fit its 8-bit field (0..254)";
        return;
      }
      slot = static_cast<uint8_t>(id);
    }
  }

  npurt::VpuOperand operand(OperandAttr attr, StringRef field) {
    npurt::VpuOperand result;
    if (!attr || !ok)
      return result;
    result.mem = static_cast<npurt::Mem>(attr.getMem());
    result.addr = attr.getAddr();
    result.row_stride = attr.getRowStride();
    result.dtype = dtype(attr.getDtype(), field);
    return result;
  }

  static float imm(std::optional<APFloat> value) {
    return value ? value->convertToFloat() : 0.0f;
  }

private:
  InstructionOpInterface op;
};

} // namespace

FailureOr<npurt::Instruction>
mlir::npuisa::toInstruction(InstructionOpInterface op) {
  InstructionBuilder b(op);
  npurt::Instruction &inst = b.inst;
  b.semaphores(op.getWaitSemaphores(), inst.wait, "wait");
  b.semaphores(op.getSignalSemaphores(), inst.signal, "signal");
  if (!b.ok)
    return failure();

  auto dma = [&](auto dmaOp, npurt::Opcode opcode) {
    inst.opcode = opcode;
    inst.dram_addr = static_cast<uint64_t>(dmaOp.getDramAddr());
    inst.sram_addr = b.fit<uint32_t>(dmaOp.getSramAddr(), "sram_addr");
    inst.extents = b.quad<uint16_t>(dmaOp.getExtents(), "extents");
    inst.dram_strides = b.quad<int32_t>(dmaOp.getDramStrides(), "dram_strides");
    inst.sram_strides = b.quad<int32_t>(dmaOp.getSramStrides(), "sram_strides");
    inst.dram_dtype = b.dtype(dmaOp.getDramDtype(), "dram_dtype");
    inst.sram_dtype = b.dtype(dmaOp.getSramDtype(), "sram_dtype");
  };
  auto shape = [&](auto vpuOp) {
    inst.rows = b.fit<uint16_t>(vpuOp.getRows(), "rows");
    inst.cols = b.fit<uint16_t>(vpuOp.getCols(), "cols");
  };
  auto zeroPoint = [&](std::optional<int32_t> value) {
    inst.zero_point = value ? b.fit<int8_t>(*value, "zero_point") : 0;
  };

  llvm::TypeSwitch<Operation *>(op)
      .Case([&](HaltOp) { inst.opcode = npurt::Opcode::Halt; })
      .Case([&](NopOp) { inst.opcode = npurt::Opcode::Nop; })
      .Case([&](DmaLoadOp x) { dma(x, npurt::Opcode::DmaLoad); })
      .Case([&](DmaStoreOp x) { dma(x, npurt::Opcode::DmaStore); })
      .Case([&](MxuLoadWeightsOp x) {
        inst.opcode = npurt::Opcode::MxuLoadWeights;
        inst.sram_addr = b.fit<uint32_t>(x.getSramAddr(), "sram_addr");
        inst.k = b.fit<uint16_t>(x.getK(), "k");
        inst.n = b.fit<uint16_t>(x.getN(), "n");
        inst.row_stride = b.fit<uint32_t>(x.getRowStride(), "row_stride");
        inst.mxu_dtype = b.dtype(x.getMxuDtype(), "mxu_dtype");
        if (x.getTranspose())
          inst.flags |= npurt::kFlagTranspose;
      })
      .Case([&](MxuMatmulOp x) {
        inst.opcode = npurt::Opcode::MxuMatmul;
        inst.sram_addr = b.fit<uint32_t>(x.getSramAddr(), "sram_addr");
        inst.acc_addr = b.fit<uint32_t>(x.getAccAddr(), "acc_addr");
        inst.m = b.fit<uint32_t>(x.getM(), "m");
        inst.k = b.fit<uint16_t>(x.getK(), "k");
        inst.n = b.fit<uint16_t>(x.getN(), "n");
        inst.row_stride = b.fit<uint32_t>(x.getRowStride(), "row_stride");
        inst.acc_row_stride =
            b.fit<uint32_t>(x.getAccRowStride(), "acc_row_stride");
        inst.mxu_dtype = b.dtype(x.getMxuDtype(), "mxu_dtype");
        if (x.getAccumulate())
          inst.flags |= npurt::kFlagAccumulate;
      })
      .Case([&](VpuBinaryOp x) {
        inst.opcode = npurt::Opcode::VpuBinary;
        inst.func = static_cast<npurt::VpuFunc>(x.getFunc());
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        inst.src1 = b.operand(x.getSrc1Attr(), "src1 dtype");
        inst.broadcast = static_cast<npurt::Broadcast>(x.getBroadcast());
        inst.imm0 = InstructionBuilder::imm(x.getImm0());
      })
      .Case([&](VpuUnaryOp x) {
        inst.opcode = npurt::Opcode::VpuUnary;
        inst.func = static_cast<npurt::VpuFunc>(x.getFunc());
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        inst.imm0 = InstructionBuilder::imm(x.getImm0());
        inst.imm1 = InstructionBuilder::imm(x.getImm1());
      })
      .Case([&](VpuReduceOp x) {
        inst.opcode = npurt::Opcode::VpuReduce;
        inst.func = static_cast<npurt::VpuFunc>(x.getFunc());
        inst.reduce_dim = static_cast<npurt::ReduceDim>(x.getReduceDim());
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        if (x.getAccumulate())
          inst.flags |= npurt::kFlagAccumulate;
      })
      .Case([&](VpuBroadcastOp x) {
        inst.opcode = npurt::Opcode::VpuBroadcast;
        inst.broadcast = static_cast<npurt::Broadcast>(x.getBroadcast());
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0Attr(), "src0 dtype");
        inst.imm0 = InstructionBuilder::imm(x.getImm0());
      })
      .Case([&](VpuCastOp x) {
        inst.opcode = npurt::Opcode::VpuCast;
        if (std::optional<VpuFunc> rounding = x.getRounding())
          inst.func = static_cast<npurt::VpuFunc>(*rounding);
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        inst.scale = InstructionBuilder::imm(x.getScale());
        zeroPoint(x.getZeroPoint());
      })
      .Case([&](VpuSelectOp x) {
        inst.opcode = npurt::Opcode::VpuSelect;
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        inst.src1 = b.operand(x.getSrc1(), "src1 dtype");
        inst.src2 = b.operand(x.getSrc2(), "src2 dtype");
      })
      .Case([&](VpuEpilogueOp x) {
        inst.opcode = npurt::Opcode::VpuEpilogue;
        inst.func = static_cast<npurt::VpuFunc>(x.getFunc());
        shape(x);
        inst.dst = b.operand(x.getDst(), "dst dtype");
        inst.src0 = b.operand(x.getSrc0(), "src0 dtype");
        if (OperandAttr bias = x.getBiasAttr()) {
          inst.src1 = b.operand(bias, "bias dtype");
          inst.flags |= npurt::kFlagBias;
        }
        inst.imm0 = InstructionBuilder::imm(x.getImm0());
        inst.imm1 = InstructionBuilder::imm(x.getImm1());
        inst.scale = InstructionBuilder::imm(x.getScale());
        zeroPoint(x.getZeroPoint());
      })
      .Default([&](Operation *) {
        b.error() << "has no instruction encoding";
      });
  if (!b.ok)
    return failure();
  return inst;
}

//===----------------------------------------------------------------------===//
// Instruction -> op
//===----------------------------------------------------------------------===//

namespace {

/// Collects an op's attributes from an Instruction.
class AttributeBuilder {
public:
  AttributeBuilder(OpBuilder &builder) : builder(builder) {}

  void integer(StringRef name, int64_t value) {
    attrs.append(name, builder.getI64IntegerAttr(value));
  }
  void quad(StringRef name, ArrayRef<int64_t> values) {
    attrs.append(name, builder.getDenseI64ArrayAttr(values));
  }
  void type(StringRef name, npurt::DType dtype) {
    attrs.append(name,
                 TypeAttr::get(fromDType(builder.getContext(), dtype)));
  }
  void unit(StringRef name, bool present) {
    if (present)
      attrs.append(name, builder.getUnitAttr());
  }
  /// Immediates are stored only when their bits are not zero, so that the
  /// encoding (which has no "absent") round-trips exactly.
  void imm(StringRef name, float value) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    if (bits != 0)
      attrs.append(name, builder.getF32FloatAttr(value));
  }
  void operand(StringRef name, const npurt::VpuOperand &operand) {
    attrs.append(name,
                 OperandAttr::get(builder.getContext(),
                                  static_cast<Mem>(operand.mem), operand.addr,
                                  fromDType(builder.getContext(),
                                            operand.dtype),
                                  operand.row_stride));
  }
  void func(npurt::VpuFunc func, StringRef name = "func") {
    attrs.append(name, VpuFuncAttr::get(builder.getContext(),
                                        static_cast<VpuFunc>(func)));
  }
  void broadcast(npurt::Broadcast mode) {
    attrs.append("broadcast",
                 BroadcastAttr::get(builder.getContext(),
                                    static_cast<Broadcast>(mode)));
  }
  void shape(const npurt::Instruction &inst) {
    integer("rows", inst.rows);
    integer("cols", inst.cols);
  }
  void semaphores(StringRef name, const std::array<uint8_t, 2> &slots) {
    SmallVector<int32_t> ids;
    for (uint8_t id : slots)
      if (id != npurt::kNoSemaphore)
        ids.push_back(id);
    if (!ids.empty())
      attrs.append(name, builder.getDenseI32ArrayAttr(ids));
  }

  template <typename OpTy>
  Operation *create(Location loc) {
    return OpTy::create(builder, loc, TypeRange{}, ValueRange{},
                        attrs.getAttrs());
  }

  NamedAttrList attrs;

private:
  OpBuilder &builder;
};

} // namespace

Operation *mlir::npuisa::fromInstruction(OpBuilder &builder, Location loc,
                                         const npurt::Instruction &inst,
                                         uint32_t source) {
  AttributeBuilder a(builder);
  a.semaphores("wait", inst.wait);
  a.semaphores("signal", inst.signal);
  if (source != npurt::kNoSource)
    a.integer("source", source);

  auto dma = [&] {
    a.integer("dram_addr", static_cast<int64_t>(inst.dram_addr));
    a.integer("sram_addr", inst.sram_addr);
    a.quad("extents", SmallVector<int64_t>(inst.extents.begin(),
                                           inst.extents.end()));
    a.quad("dram_strides", SmallVector<int64_t>(inst.dram_strides.begin(),
                                                inst.dram_strides.end()));
    a.quad("sram_strides", SmallVector<int64_t>(inst.sram_strides.begin(),
                                                inst.sram_strides.end()));
    a.type("dram_dtype", inst.dram_dtype);
    a.type("sram_dtype", inst.sram_dtype);
  };
  auto zeroPoint = [&] {
    if (inst.zero_point != 0)
      a.attrs.append("zero_point",
                     builder.getI32IntegerAttr(inst.zero_point));
  };

  switch (inst.opcode) {
  case npurt::Opcode::Halt:
    return a.create<HaltOp>(loc);
  case npurt::Opcode::Nop:
    return a.create<NopOp>(loc);
  case npurt::Opcode::DmaLoad:
    dma();
    return a.create<DmaLoadOp>(loc);
  case npurt::Opcode::DmaStore:
    dma();
    return a.create<DmaStoreOp>(loc);
  case npurt::Opcode::MxuLoadWeights:
    a.integer("sram_addr", inst.sram_addr);
    a.integer("k", inst.k);
    a.integer("n", inst.n);
    a.integer("row_stride", inst.row_stride);
    a.type("mxu_dtype", inst.mxu_dtype);
    a.unit("transpose", inst.flags & npurt::kFlagTranspose);
    return a.create<MxuLoadWeightsOp>(loc);
  case npurt::Opcode::MxuMatmul:
    a.integer("sram_addr", inst.sram_addr);
    a.integer("acc_addr", inst.acc_addr);
    a.integer("m", inst.m);
    a.integer("k", inst.k);
    a.integer("n", inst.n);
    a.integer("row_stride", inst.row_stride);
    a.integer("acc_row_stride", inst.acc_row_stride);
    a.type("mxu_dtype", inst.mxu_dtype);
    a.unit("accumulate", inst.flags & npurt::kFlagAccumulate);
    return a.create<MxuMatmulOp>(loc);
  case npurt::Opcode::VpuBinary:
    a.func(inst.func);
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    if (inst.broadcast != npurt::Broadcast::Scalar)
      a.operand("src1", inst.src1);
    a.broadcast(inst.broadcast);
    a.imm("imm0", inst.imm0);
    return a.create<VpuBinaryOp>(loc);
  case npurt::Opcode::VpuUnary:
    a.func(inst.func);
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    a.imm("imm0", inst.imm0);
    a.imm("imm1", inst.imm1);
    return a.create<VpuUnaryOp>(loc);
  case npurt::Opcode::VpuReduce:
    a.func(inst.func);
    a.attrs.append("reduce_dim",
                   ReduceDimAttr::get(builder.getContext(),
                                      static_cast<ReduceDim>(inst.reduce_dim)));
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    a.unit("accumulate", inst.flags & npurt::kFlagAccumulate);
    return a.create<VpuReduceOp>(loc);
  case npurt::Opcode::VpuBroadcast:
    a.broadcast(inst.broadcast);
    a.shape(inst);
    a.operand("dst", inst.dst);
    if (inst.broadcast != npurt::Broadcast::Scalar)
      a.operand("src0", inst.src0);
    a.imm("imm0", inst.imm0);
    return a.create<VpuBroadcastOp>(loc);
  case npurt::Opcode::VpuCast:
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    a.imm("scale", inst.scale);
    zeroPoint();
    if (inst.func != npurt::VpuFunc::None)
      a.func(inst.func, "rounding");
    return a.create<VpuCastOp>(loc);
  case npurt::Opcode::VpuSelect:
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    a.operand("src1", inst.src1);
    a.operand("src2", inst.src2);
    return a.create<VpuSelectOp>(loc);
  case npurt::Opcode::VpuEpilogue:
    a.func(inst.func);
    a.shape(inst);
    a.operand("dst", inst.dst);
    a.operand("src0", inst.src0);
    if (inst.flags & npurt::kFlagBias)
      a.operand("bias", inst.src1);
    a.imm("imm0", inst.imm0);
    a.imm("imm1", inst.imm1);
    a.imm("scale", inst.scale);
    zeroPoint();
    return a.create<VpuEpilogueOp>(loc);
  }
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Program <-> program op
//===----------------------------------------------------------------------===//

static FailureOr<npurt::TensorEntry>
tensorEntry(Operation *op, StringRef name, Type dtype, ArrayRef<int64_t> shape,
            int64_t address) {
  npurt::TensorEntry entry;
  entry.name = name.str();
  FailureOr<npurt::DType> elementType =
      toDType(dtype, "dtype", [&] { return op->emitOpError(); });
  if (failed(elementType))
    return failure();
  entry.dtype = *elementType;
  for (int64_t dim : shape)
    entry.shape.push_back(static_cast<uint64_t>(dim));
  entry.dram_addr = static_cast<uint64_t>(address);
  return entry;
}

FailureOr<npurt::Program>
mlir::npuisa::toProgram(ProgramOp programOp, const npurt::Target &target) {
  npurt::Program program;
  program.target = target;
  program.cores.resize(target.cores);
  std::map<std::pair<uint32_t, unsigned>, EngineOp> seen;
  std::map<int64_t, SourceOp> sources;

  for (Operation &op : programOp.getBody().front()) {
    if (auto engine = dyn_cast<EngineOp>(op)) {
      uint32_t core = engine.getCore();
      auto kind = static_cast<npurt::Engine>(engine.getEngine());
      if (core >= target.cores)
        return engine.emitOpError()
               << "is for core " << core << " but the target has "
               << target.cores << " core(s)";
      auto [it, inserted] =
          seen.try_emplace({core, static_cast<unsigned>(kind)}, engine);
      if (!inserted) {
        InFlightDiagnostic diag = engine.emitOpError()
                                  << "duplicates the " << npurt::engineName(kind)
                                  << " queue of core " << core;
        diag.attachNote(it->second.getLoc()) << "first defined here";
        return diag;
      }
      npurt::Stream &stream = program.stream(core, kind);
      for (Operation &instOp : engine.getBody().front()) {
        auto inst = dyn_cast<InstructionOpInterface>(instOp);
        if (!inst)
          return instOp.emitOpError("is not an instruction");
        FailureOr<npurt::Instruction> decoded = toInstruction(inst);
        if (failed(decoded))
          return failure();
        stream.instructions.push_back(*decoded);
        stream.source.push_back(inst.getSourceIndex().value_or(
            npurt::kNoSource));
      }
    } else if (auto io = dyn_cast<IOOp>(op)) {
      FailureOr<npurt::TensorEntry> entry = tensorEntry(
          io, io.getName(), io.getDtype(), io.getShape(), io.getAddress());
      if (failed(entry))
        return failure();
      entry->kind = static_cast<npurt::IoKind>(io.getKind());
      program.io.push_back(std::move(*entry));
    } else if (auto state = dyn_cast<StateOp>(op)) {
      FailureOr<npurt::TensorEntry> entry =
          tensorEntry(state, state.getName(), state.getDtype(),
                      state.getShape(), state.getAddress());
      if (failed(entry))
        return failure();
      program.state.push_back(std::move(*entry));
    } else if (auto constant = dyn_cast<ConstantOp>(op)) {
      FailureOr<std::vector<uint8_t>> bytes = constant.getBytes();
      if (failed(bytes))
        return constant.emitOpError("has no byte image");
      program.constants.push_back(
          {static_cast<uint64_t>(constant.getAddress()), std::move(*bytes)});
    } else if (auto source = dyn_cast<SourceOp>(op)) {
      auto [it, inserted] = sources.try_emplace(source.getIndex(), source);
      if (!inserted)
        return source.emitOpError()
               << "reuses source index " << source.getIndex();
    } else {
      return op.emitOpError("does not belong in an npuisa.program");
    }
  }

  // A queue without a block only halts.
  for (npurt::CoreStreams &streams : program.cores) {
    for (npurt::Stream &stream : streams) {
      if (stream.instructions.empty()) {
        stream.instructions.push_back(npurt::Instruction());
        stream.source.push_back(npurt::kNoSource);
      }
    }
  }

  int64_t expected = 0;
  for (auto &[index, source] : sources) {
    if (index != expected)
      return source.emitOpError()
             << "has index " << index << " but index " << expected
             << " is missing; source indices must be 0, 1, 2, ...";
    ++expected;
    program.source_ops.push_back(
        {source.getName().str(), source.getKind().str(),
         static_cast<uint64_t>(source.getMacs()),
         static_cast<uint64_t>(source.getVectorOps()),
         static_cast<uint64_t>(source.getMinDramBytes())});
  }
  return program;
}

/// Constants larger than this become dense_resource blobs, which print elided
/// and are not uniqued (hashing 100 MB of weights would be slow).
static constexpr size_t kInlineConstantBytes = 4096;

LogicalResult mlir::npuisa::fromProgram(ModuleOp module,
                                        const npurt::Program &program,
                                        StringRef name) {
  MLIRContext *context = module.getContext();
  OpBuilder builder(context);
  module->setAttr(npu::TargetAttr::kAttrName,
                  npu::TargetAttr::get(context, program.target));
  builder.setInsertionPointToEnd(module.getBody());
  Location loc = module.getLoc();
  auto programOp = ProgramOp::create(builder, loc, name);
  builder.setInsertionPointToEnd(&programOp.getBody().front());

  auto shapeOf = [](const npurt::TensorEntry &entry) {
    SmallVector<int64_t> shape;
    for (uint64_t dim : entry.shape)
      shape.push_back(static_cast<int64_t>(dim));
    return shape;
  };
  for (const npurt::TensorEntry &io : program.io) {
    IOOp::create(builder, loc, io.name,
                 static_cast<IOKind>(io.kind),
                 fromDType(context, io.dtype), shapeOf(io),
                 static_cast<int64_t>(io.dram_addr));
  }
  for (const npurt::TensorEntry &state : program.state) {
    StateOp::create(builder, loc, state.name,
                    fromDType(context, state.dtype), shapeOf(state),
                    static_cast<int64_t>(state.dram_addr));
  }
  for (auto [index, segment] : llvm::enumerate(program.constants)) {
    auto type = RankedTensorType::get(
        {static_cast<int64_t>(segment.bytes.size())}, builder.getI8Type());
    ArrayRef<char> raw(reinterpret_cast<const char *>(segment.bytes.data()),
                       segment.bytes.size());
    ElementsAttr data;
    if (segment.bytes.size() > kInlineConstantBytes) {
      data = DenseResourceElementsAttr::get(
          type, "constant" + std::to_string(index),
          HeapAsmResourceBlob::allocateAndCopyInferAlign(raw));
    } else {
      data = DenseElementsAttr::getFromRawBuffer(type, raw);
    }
    ConstantOp::create(builder, loc,
                       static_cast<int64_t>(segment.dram_addr), data);
  }
  for (auto [index, source] : llvm::enumerate(program.source_ops)) {
    SourceOp::create(builder, loc, static_cast<int64_t>(index), source.name,
                     source.kind, static_cast<int64_t>(source.macs),
                     static_cast<int64_t>(source.vector_ops),
                     static_cast<int64_t>(source.min_dram_bytes));
  }
  for (auto [core, streams] : llvm::enumerate(program.cores)) {
    for (unsigned e = 0; e < npurt::kNumEngines; ++e) {
      auto engine = EngineOp::create(builder, loc, core,
                                     static_cast<Engine>(e));
      OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToEnd(&engine.getBody().front());
      const npurt::Stream &stream = streams[e];
      std::string section =
          npurt::streamSectionName(core, static_cast<npurt::Engine>(e));
      for (size_t index = 0; index < stream.size(); ++index) {
        // Diagnostics on a disassembled instruction name its place in the
        // binary, e.g. `.text.c0.mxu[3]`.
        Location instLoc = NameLoc::get(
            builder.getStringAttr(section + "[" + std::to_string(index) + "]"),
            loc);
        // Decoded or encoded: a validated program's streams decode.
        llvm::Expected<npurt::Instruction> inst = stream.instruction(index);
        if (!inst)
          return emitError(instLoc) << llvm::toString(inst.takeError());
        if (!fromInstruction(builder, instLoc, *inst, stream.source[index]))
          return emitError(instLoc) << "instruction with unknown opcode";
      }
    }
  }
  return success();
}
