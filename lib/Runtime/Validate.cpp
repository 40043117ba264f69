//===- Validate.cpp - what the hardware checks before it runs anything ----===//
//
// validateInstruction() is the one definition of a legal instruction for a
// target; the MLIR verifiers, the binary reader and the simulator all call
// it. validateProgram() adds the whole-program rules (streams, tables, DRAM
// layout). Every message names the opcode or table and the field at fault.
// Address arithmetic is done in 128 bits so no input can overflow it.
//
//===----------------------------------------------------------------------===//
#include "ProgramChecks.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>

using namespace llvm;
using namespace npurt;

using Wide = __int128;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Lower-case hex of a signed 128-bit value (range ends can pass 2^64).
static std::string hex(Wide value) {
  std::string sign = value < 0 ? "-" : "";
  unsigned __int128 magnitude = value < 0 ? -value : value;
  uint64_t high = static_cast<uint64_t>(magnitude >> 64);
  uint64_t low = static_cast<uint64_t>(magnitude);
  if (high == 0)
    return sign + "0x" + utohexstr(low, /*LowerCase=*/true);
  return sign + "0x" + utohexstr(high, true) + utohexstr(low, true, 16);
}

namespace {
/// Validates one instruction against one target.
class InstructionChecker {
public:
  InstructionChecker(const Instruction &inst, const Target &target)
      : inst(inst), target(target) {}

  Error check();

private:
  Error checkEnums();
  Error checkSemaphores();
  Error checkFlags();
  Error checkUnusedFields();
  Error checkDma();
  Error checkMxu();
  Error checkVpu();

  /// Checks [begin, end) lies inside a memory of `limit` bytes.
  Error checkRange(StringRef what, StringRef space, Wide begin, Wide end,
                   uint64_t limit, StringRef limitName);
  /// Checks a 2-D VPU/MXU operand of shape [rows x cols].
  Error checkOperand(StringRef what, const VpuOperand &operand, uint64_t rows,
                     uint64_t cols, ArrayRef<DType> sramTypes,
                     ArrayRef<DType> accTypes);
  Error checkUnused(StringRef what, const VpuOperand &operand);
  Error checkImmediates(bool usesImm0, bool usesImm1, bool usesQuant);
  Error checkActivation(VpuFunc func);
  /// In integer mode: `func` has an integer form and the immediates it
  /// reads are integers in the i32 range.
  Error checkIntegerMode(bool usesImm0, bool usesImm1);

  const Instruction &inst;
  const Target &target;
  /// The opcode's name, for messages (looked up only when one is built).
  StringRef op() const { return opcodeName(inst.opcode); }
};
} // namespace

static bool isFloat(DType t) { return t == DType::F32 || t == DType::BF16; }

/// value % alignment != 0, without a division for the power-of-two
/// alignments every valid target and dtype has (a 64-bit divide per operand
/// was the largest single cost of validating a binary).
static bool isMisaligned(uint64_t value, uint64_t alignment) {
  if (llvm::has_single_bit(alignment))
    return (value & (alignment - 1)) != 0;
  return value % alignment != 0;
}

Error InstructionChecker::check() {
  if (!engineOf(inst.opcode) && inst.opcode != Opcode::Halt &&
      inst.opcode != Opcode::Nop)
    return fail("unknown opcode 0x" +
                utohexstr(static_cast<uint8_t>(inst.opcode), true));
  if (Error err = checkEnums())
    return err;
  if (Error err = checkSemaphores())
    return err;
  if (Error err = checkFlags())
    return err;
  if (Error err = checkUnusedFields())
    return err;
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    return checkDma();
  case Opcode::MxuLoadWeights:
  case Opcode::MxuMatmul:
    return checkMxu();
  case Opcode::Halt:
  case Opcode::Nop:
    return Error::success();
  default:
    return checkVpu();
  }
}

/// Rejects enum values outside their enumerations (possible only in a struct
/// built by a program, never in one that decode() produced).
Error InstructionChecker::checkEnums() {
  auto known = [](DType t) { return t <= DType::I32; };
  auto knownFunc = [](VpuFunc f) {
    return f <= VpuFunc::CmpNe || (f >= VpuFunc::Copy && f <= VpuFunc::FMod) ||
           f == VpuFunc::HashUniform;
  };
  auto knownOperand = [&](const VpuOperand &o) {
    return known(o.dtype) && o.mem <= Mem::Acc;
  };
  // Fast path: this runs for every instruction of every binary loaded.
  if (known(inst.dram_dtype) && known(inst.sram_dtype) &&
      known(inst.mxu_dtype) && knownOperand(inst.dst) &&
      knownOperand(inst.src0) && knownOperand(inst.src1) &&
      knownOperand(inst.src2) && knownFunc(inst.func) &&
      inst.broadcast <= Broadcast::Scalar && inst.reduce_dim <= ReduceDim::Rows)
    return Error::success();

  auto checkDType = [&](DType type, StringRef field) -> Error {
    if (dtypeSize(type) == 0)
      return fail("unknown dtype " + Twine(unsigned(type)) + " in " + field +
                  " of " + op());
    return Error::success();
  };
  for (auto [field, type] :
       {std::pair<StringRef, DType>{"dram_dtype", inst.dram_dtype},
        {"sram_dtype", inst.sram_dtype},
        {"mxu_dtype", inst.mxu_dtype},
        {"dst dtype", inst.dst.dtype},
        {"src0 dtype", inst.src0.dtype},
        {"src1 dtype", inst.src1.dtype},
        {"src2 dtype", inst.src2.dtype}})
    if (Error err = checkDType(type, field))
      return err;
  for (const VpuOperand *operand :
       {&inst.dst, &inst.src0, &inst.src1, &inst.src2})
    if (operand->mem != Mem::Sram && operand->mem != Mem::Acc)
      return fail("unknown memory " + Twine(unsigned(operand->mem)) + " in " +
                  op());
  if (!knownFunc(inst.func))
    return fail("unknown vpu function " + Twine(unsigned(inst.func)) + " in " +
                op());
  if (broadcastName(inst.broadcast) == "<invalid>")
    return fail("unknown broadcast mode " + Twine(unsigned(inst.broadcast)) +
                " in " + op());
  if (reduceDimName(inst.reduce_dim) == "<invalid>")
    return fail("unknown reduce dimension " + Twine(unsigned(inst.reduce_dim)) +
                " in " + op());
  return Error::success();
}

Error InstructionChecker::checkSemaphores() {
  // Fast path: this runs for every instruction of every binary loaded.
  auto inRange = [&](uint8_t id) {
    return id == kNoSemaphore || id < target.semaphores;
  };
  if (inRange(inst.wait[0]) && inRange(inst.wait[1]) &&
      inRange(inst.signal[0]) && inRange(inst.signal[1]))
    return Error::success();
  for (unsigned i = 0; i < 2; ++i) {
    for (auto [slot, id] : {std::pair<StringRef, uint8_t>{"wait", inst.wait[i]},
                            {"signal", inst.signal[i]}}) {
      if (id != kNoSemaphore && id >= target.semaphores)
        return fail(formatv("{0}{1} semaphore {2} of {3} is out of range "
                            "(semaphores = {4})",
                            slot, i, id, op(), target.semaphores)
                        .str());
    }
  }
  return Error::success();
}

Error InstructionChecker::checkFlags() {
  uint8_t allowed = 0;
  switch (inst.opcode) {
  case Opcode::MxuMatmul:
  case Opcode::VpuReduce:
    allowed = kFlagAccumulate;
    break;
  case Opcode::MxuLoadWeights:
    allowed = kFlagTranspose;
    break;
  case Opcode::VpuEpilogue:
    allowed = kFlagBias;
    break;
  default:
    break;
  }
  if (inst.flags & ~allowed)
    return fail(formatv("flags {0:x2} of {1} has bits not allowed for this "
                        "opcode (allowed: {2:x2})",
                        inst.flags, op(), allowed)
                    .str());
  return Error::success();
}

namespace {
/// Opcode groups that use a field.
enum Users : unsigned {
  kDma = 1,
  kLoadWeights = 2,
  kMatmul = 4,
  kReduce = 8,
  kOtherVpu = 16,
  kVpu = kReduce | kOtherVpu,
};
} // namespace

static bool isSet(const VpuOperand &o) {
  return o.mem != Mem::Sram || o.addr || o.row_stride || o.dtype != DType::F32;
}
static bool isSet(float f) { return llvm::bit_cast<uint32_t>(f) != 0; }
template <typename T, size_t N> static bool isSet(const std::array<T, N> &a) {
  return llvm::any_of(a, [](T v) { return v != 0; });
}

/// The first field (in struct order) that is set although no opcode of
/// `group` uses it, or nullptr. Straight-line code: this runs for every
/// instruction of every binary loaded.
static const char *firstSetUnusedField(const Instruction &i, unsigned group) {
  auto unused = [group](unsigned users) { return !(users & group); };
  if (unused(kDma) && i.dram_addr != 0)
    return "dram_addr";
  if (unused(kDma | kLoadWeights | kMatmul) && i.sram_addr != 0)
    return "sram_addr";
  if (unused(kDma) && i.dram_dtype != DType::F32)
    return "dram_dtype";
  if (unused(kDma) && i.sram_dtype != DType::F32)
    return "sram_dtype";
  if (unused(kDma) && isSet(i.extents))
    return "extents";
  if (unused(kDma) && isSet(i.dram_strides))
    return "dram_strides";
  if (unused(kDma) && isSet(i.sram_strides))
    return "sram_strides";
  if (unused(kLoadWeights | kMatmul) && i.mxu_dtype != DType::F32)
    return "mxu_dtype";
  if (unused(kMatmul) && i.m != 0)
    return "m";
  if (unused(kLoadWeights | kMatmul) && i.k != 0)
    return "k";
  if (unused(kLoadWeights | kMatmul) && i.n != 0)
    return "n";
  if (unused(kLoadWeights | kMatmul) && i.row_stride != 0)
    return "row_stride";
  if (unused(kMatmul) && i.acc_addr != 0)
    return "acc_addr";
  if (unused(kMatmul) && i.acc_row_stride != 0)
    return "acc_row_stride";
  if (unused(kVpu) && i.rows != 0)
    return "rows";
  if (unused(kVpu) && i.cols != 0)
    return "cols";
  if (unused(kVpu) && i.func != VpuFunc::None)
    return "func";
  if (unused(kOtherVpu) && i.broadcast != Broadcast::None)
    return "broadcast";
  if (unused(kReduce) && i.reduce_dim != ReduceDim::Cols)
    return "reduce_dim";
  if (unused(kVpu) && isSet(i.dst))
    return "dst";
  if (unused(kVpu) && isSet(i.src0))
    return "src0";
  if (unused(kVpu) && isSet(i.src1))
    return "src1";
  if (unused(kVpu) && isSet(i.src2))
    return "src2";
  if (unused(kVpu) && isSet(i.imm0))
    return "imm0";
  if (unused(kVpu) && isSet(i.imm1))
    return "imm1";
  if (unused(kVpu) && isSet(i.scale))
    return "scale";
  if (unused(kVpu) && i.zero_point != 0)
    return "zero_point";
  return nullptr;
}

Error InstructionChecker::checkUnusedFields() {
  unsigned group = 0;
  switch (inst.opcode) {
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    group = kDma;
    break;
  case Opcode::MxuLoadWeights:
    group = kLoadWeights;
    break;
  case Opcode::MxuMatmul:
    group = kMatmul;
    break;
  case Opcode::VpuReduce:
    group = kReduce;
    break;
  case Opcode::Halt:
  case Opcode::Nop:
    break;
  default:
    group = kOtherVpu;
  }
  if (const char *field = firstSetUnusedField(inst, group))
    return fail(Twine(field) + " of " + op() +
                " must be zero (unused by this opcode)");
  return Error::success();
}

Error InstructionChecker::checkRange(StringRef what, StringRef space,
                                     Wide begin, Wide end, uint64_t limit,
                                     StringRef limitName) {
  if (begin < 0 || end > static_cast<Wide>(limit))
    return fail(formatv("{0}{1}{2} range [{3}, {4}) of {5} exceeds {6} ({7})",
                        what, what.empty() ? "" : " ", space, hex(begin),
                        hex(end), op(), limitName, limit)
                    .str());
  return Error::success();
}

Error InstructionChecker::checkDma() {
  bool isLoad = inst.opcode == Opcode::DmaLoad;
  DType from = isLoad ? inst.dram_dtype : inst.sram_dtype;
  DType to = isLoad ? inst.sram_dtype : inst.dram_dtype;
  if (from != to && !(isFloat(from) && isFloat(to)))
    return fail(formatv("{0} cannot convert {1} to {2} (only equal dtypes or "
                        "f32<->bf16)",
                        op(), dtypeName(from), dtypeName(to))
                    .str());
  for (unsigned d = 0; d < 4; ++d)
    if (inst.extents[d] == 0)
      return fail(formatv("extents[{0}] of {1} must be >= 1", d, op()).str());

  auto side = [&](StringRef space, uint64_t addr, DType dtype,
                  const std::array<int32_t, 4> &strides, uint64_t limit,
                  StringRef limitName) -> Error {
    // |span| < 2^16 * 2^31 per dimension, so 64 bits hold the sums.
    int64_t lo = 0, hi = 0;
    for (unsigned d = 0; d < 4; ++d) {
      int64_t span = static_cast<int64_t>(inst.extents[d] - 1) * strides[d];
      (span < 0 ? lo : hi) += span;
    }
    unsigned size = dtypeSize(dtype);
    if (isMisaligned(addr, size))
      return fail(formatv("{0}_addr {1} of {2} is not aligned to its element "
                          "size ({3})",
                          space, hex(addr), op(), size)
                      .str());
    return checkRange("", space, static_cast<Wide>(addr) + lo * size,
                      static_cast<Wide>(addr) + (hi + 1) * size, limit,
                      limitName);
  };
  if (Error err = side("dram", inst.dram_addr, inst.dram_dtype,
                       inst.dram_strides, target.dram_bytes, "dram_bytes"))
    return err;
  return side("sram", inst.sram_addr, inst.sram_dtype, inst.sram_strides,
              target.sram_bytes, "sram_bytes");
}

Error InstructionChecker::checkMxu() {
  DType type = inst.mxu_dtype;
  if (type != DType::BF16 && type != DType::F32 && type != DType::I8)
    return fail("mxu_dtype " + dtypeName(type) + " of " + op() +
                " is not supported by the MXU (bf16, f32, i8)");
  if (inst.k < 1 || inst.k > target.mxu_rows)
    return fail(formatv("k ({0}) of {1} must be in [1, mxu_rows = {2}]", inst.k,
                        op(), target.mxu_rows)
                    .str());
  if (inst.n < 1 || inst.n > target.mxu_cols)
    return fail(formatv("n ({0}) of {1} must be in [1, mxu_cols = {2}]", inst.n,
                        op(), target.mxu_cols)
                    .str());
  VpuOperand input{Mem::Sram, type, inst.sram_addr, inst.row_stride};
  if (inst.opcode == Opcode::MxuLoadWeights) {
    bool transposed = inst.flags & kFlagTranspose;
    return checkOperand("weights", input, transposed ? inst.n : inst.k,
                        transposed ? inst.k : inst.n, {type}, {});
  }
  if (inst.m < 1)
    return fail("m of " + op() + " must be >= 1");
  if (Error err = checkOperand("input", input, inst.m, inst.k, {type}, {}))
    return err;
  DType accType = type == DType::I8 ? DType::I32 : DType::F32;
  VpuOperand acc{Mem::Acc, accType, inst.acc_addr, inst.acc_row_stride};
  return checkOperand("output", acc, inst.m, inst.n, {}, {accType});
}

Error InstructionChecker::checkOperand(StringRef what,
                                       const VpuOperand &operand, uint64_t rows,
                                       uint64_t cols, ArrayRef<DType> sramTypes,
                                       ArrayRef<DType> accTypes) {
  bool inAcc = operand.mem == Mem::Acc;
  ArrayRef<DType> allowed = inAcc ? accTypes : sramTypes;
  if (allowed.empty())
    return fail(what + " of " + op() + " must not be in " + memName(operand.mem));
  if (!llvm::is_contained(allowed, operand.dtype)) {
    std::string list;
    for (DType t : allowed)
      list += (list.empty() ? "" : ", ") + dtypeName(t).str();
    return fail(formatv("{0} dtype {1} of {2} is not supported in {3} "
                        "(expected {4})",
                        what, dtypeName(operand.dtype), op(),
                        memName(operand.mem), list)
                    .str());
  }
  uint64_t alignment = inAcc ? target.acc_alignment : target.sram_alignment;
  if (isMisaligned(operand.addr, alignment))
    return fail(formatv("{0} {1} address {2} of {3} is not aligned to {4}",
                        what, memName(operand.mem), hex(operand.addr), op(),
                        alignment)
                    .str());
  if (rows > 1 && operand.row_stride < cols)
    return fail(formatv("{0} row_stride ({1}) of {2} is smaller than its "
                        "columns ({3})",
                        what, operand.row_stride, op(), cols)
                    .str());
  Wide elements = static_cast<Wide>(rows - 1) * operand.row_stride + cols;
  Wide begin = operand.addr;
  Wide end = begin + elements * dtypeSize(operand.dtype);
  return inAcc ? checkRange(what, "acc", begin, end, target.acc_bytes,
                            "acc_bytes")
               : checkRange(what, "sram", begin, end, target.sram_bytes,
                            "sram_bytes");
}

Error InstructionChecker::checkUnused(StringRef what,
                                      const VpuOperand &operand) {
  if (isSet(operand))
    return fail(what + " of " + op() + " must be zero (unused by this opcode)");
  return Error::success();
}

Error InstructionChecker::checkImmediates(bool usesImm0, bool usesImm1,
                                          bool usesQuant) {
  if (!usesImm0 && isSet(inst.imm0))
    return fail("imm0 of " + op() + " must be zero (unused here)");
  if (!usesImm1 && isSet(inst.imm1))
    return fail("imm1 of " + op() + " must be zero (unused here)");
  if (usesImm0 && !std::isfinite(inst.imm0))
    return fail("imm0 of " + op() + " must be finite");
  if (usesImm1 && !std::isfinite(inst.imm1))
    return fail("imm1 of " + op() + " must be finite");
  if (!usesQuant && (isSet(inst.scale) || inst.zero_point != 0))
    return fail("scale and zero_point of " + op() +
                " must be zero (no quantization here)");
  if (usesQuant && (!std::isfinite(inst.scale) || inst.scale == 0.0f))
    return fail("scale of " + op() + " must be finite and non-zero");
  return Error::success();
}

/// Checks the immediates an activation function uses (unary/epilogue).
Error InstructionChecker::checkActivation(VpuFunc func) {
  bool clip = func == VpuFunc::Clip;
  bool leaky = func == VpuFunc::LeakyRelu;
  bool hash = func == VpuFunc::HashUniform; // imm0: the key.
  bool quant =
      inst.opcode == Opcode::VpuEpilogue && inst.dst.dtype == DType::I8;
  if (Error err = checkImmediates(clip || leaky || hash, clip, quant))
    return err;
  if (clip && !(inst.imm0 <= inst.imm1))
    return fail("clip bounds of " + op() + " must satisfy imm0 <= imm1");
  return Error::success();
}

/// `value` in the shortest form that reads back exactly ("2.5", "1e+10").
static std::string floatText(float value) {
  return llvm::formatv("{0}", llvm::format("%.9g", value)).str();
}

/// True for an integral float inside [-2^31, 2^31).
static bool isI32Value(float value) {
  return std::isfinite(value) && value == std::trunc(value) &&
         value >= -2147483648.0f && value < 2147483648.0f;
}

Error InstructionChecker::checkIntegerMode(bool usesImm0, bool usesImm1) {
  if (!hasIntegerForm(inst.func))
    return fail("func " + vpuFuncName(inst.func) + " of " + op() +
                " has no integer form (its sources are i32)");
  for (auto [used, name, value] :
       {std::tuple<bool, StringRef, float>{usesImm0, "imm0", inst.imm0},
        {usesImm1, "imm1", inst.imm1}})
    if (used && !isI32Value(value))
      return fail(formatv("{0} ({1}) of {2} must be an integer in the i32 "
                          "range (integer mode)",
                          name, floatText(value), op())
                      .str());
  return Error::success();
}

Error InstructionChecker::checkVpu() {
  uint64_t rows = inst.rows, cols = inst.cols;
  if (rows < 1 || cols < 1)
    return fail("rows and cols of " + op() + " must be >= 1");
  bool broadcasts =
      inst.opcode == Opcode::VpuBinary || inst.opcode == Opcode::VpuBroadcast;
  if (!broadcasts && inst.broadcast != Broadcast::None)
    return fail("broadcast of " + op() + " must be none");
  // Integer mode: the sources are i32 (for vpu_broadcast, the destination),
  // the function is computed in int32 and the result is written as i32 or
  // converted to a float destination.
  bool integer = inst.opcode == Opcode::VpuBroadcast
                     ? inst.dst.dtype == DType::I32
                     : inst.src0.dtype == DType::I32;
  const DType floats[] = {DType::F32, DType::BF16};
  const DType accFloat[] = {DType::F32};
  const DType ints[] = {DType::I32};
  const DType intResults[] = {DType::I32, DType::F32, DType::BF16};
  const DType accIntResults[] = {DType::I32, DType::F32};
  ArrayRef<DType> srcSram = integer ? ArrayRef<DType>(ints) : floats;
  ArrayRef<DType> srcAcc = integer ? ArrayRef<DType>(ints) : accFloat;
  auto source = [&](StringRef what, const VpuOperand &o, uint64_t r,
                    uint64_t c) {
    return checkOperand(what, o, r, c, srcSram, srcAcc);
  };
  auto full = [&](StringRef what, const VpuOperand &o) {
    return source(what, o, rows, cols);
  };
  // The result of an integer-mode function may be converted to a float.
  auto result = [&](StringRef what, const VpuOperand &o, uint64_t r,
                    uint64_t c) {
    if (integer)
      return checkOperand(what, o, r, c, intResults, accIntResults);
    return checkOperand(what, o, r, c, floats, accFloat);
  };
  // The operand read according to inst.broadcast (none = full shape).
  auto broadcastOperand = [&](StringRef what, const VpuOperand &o) -> Error {
    switch (inst.broadcast) {
    case Broadcast::Row:
      return source(what, o, 1, cols);
    case Broadcast::Col:
      return source(what, o, rows, 1);
    case Broadcast::Scalar:
      return checkUnused(what, o);
    case Broadcast::None:
      break;
    }
    return full(what, o);
  };
  auto noFunc = [&]() -> Error {
    if (inst.func != VpuFunc::None)
      return fail("func of " + op() + " must be none");
    return Error::success();
  };

  switch (inst.opcode) {
  case Opcode::VpuBinary: {
    if (!isBinaryFunc(inst.func))
      return fail("func " + vpuFuncName(inst.func) + " of " + op() +
                  " is not a binary function");
    if (Error err = result("dst", inst.dst, rows, cols))
      return err;
    if (Error err = full("src0", inst.src0))
      return err;
    if (Error err = broadcastOperand("src1", inst.src1))
      return err;
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    bool scalar = inst.broadcast == Broadcast::Scalar;
    if (integer)
      if (Error err = checkIntegerMode(scalar, false))
        return err;
    return checkImmediates(scalar, false, false);
  }
  case Opcode::VpuUnary: {
    if (!isUnaryFunc(inst.func))
      return fail("func " + vpuFuncName(inst.func) + " of " + op() +
                  " is not a unary function");
    if (Error err = result("dst", inst.dst, rows, cols))
      return err;
    if (Error err = full("src0", inst.src0))
      return err;
    if (Error err = checkUnused("src1", inst.src1))
      return err;
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    bool clip = inst.func == VpuFunc::Clip;
    if (integer)
      if (Error err = checkIntegerMode(clip, clip))
        return err;
    return checkActivation(inst.func);
  }
  case Opcode::VpuReduce: {
    if (inst.func != VpuFunc::Add && inst.func != VpuFunc::Mul &&
        inst.func != VpuFunc::Max && inst.func != VpuFunc::Min)
      return fail("func " + vpuFuncName(inst.func) + " of " + op() +
                  " is not a reduction (add, mul, max, min)");
    if (Error err = full("src0", inst.src0))
      return err;
    // An integer reduction keeps its (accumulated) result in i32.
    bool overCols = inst.reduce_dim == ReduceDim::Cols;
    if (Error err =
            source("dst", inst.dst, overCols ? rows : 1, overCols ? 1 : cols))
      return err;
    if (Error err = checkUnused("src1", inst.src1))
      return err;
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    return checkImmediates(false, false, false);
  }
  case Opcode::VpuBroadcast: {
    if (Error err = noFunc())
      return err;
    if (Error err = full("dst", inst.dst))
      return err;
    if (inst.broadcast == Broadcast::None)
      return fail("broadcast of " + op() + " must be row, col or scalar");
    if (Error err = broadcastOperand("src0", inst.src0))
      return err;
    if (Error err = checkUnused("src1", inst.src1))
      return err;
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    bool scalar = inst.broadcast == Broadcast::Scalar;
    if (integer && scalar && !isI32Value(inst.imm0))
      return fail(formatv("imm0 ({0}) of {1} must be an integer in the i32 "
                          "range (integer mode)",
                          floatText(inst.imm0), op())
                      .str());
    return checkImmediates(scalar, false, false);
  }
  case Opcode::VpuCast: {
    const DType anyType[] = {DType::F32, DType::BF16, DType::I8, DType::I32};
    const DType accTypes[] = {DType::F32, DType::I32};
    if (Error err =
            checkOperand("src0", inst.src0, rows, cols, anyType, accTypes))
      return err;
    if (Error err =
            checkOperand("dst", inst.dst, rows, cols, anyType, accTypes))
      return err;
    DType from = inst.src0.dtype, to = inst.dst.dtype;
    bool floatToFloat = isFloat(from) && isFloat(to);
    bool floatToInt = isFloat(from) && to == DType::I32;
    bool widen = from == DType::I8 && to == DType::I32;
    bool quantize = to == DType::I8 && from != DType::I8;
    bool dequantize = !isFloat(from) && isFloat(to);
    if (!floatToFloat && !floatToInt && !widen && !quantize && !dequantize)
      return fail(formatv("{0} cannot convert {1} to {2}", op(), dtypeName(from),
                          dtypeName(to))
                      .str());
    if (floatToInt && !isRoundingFunc(inst.func))
      return fail(formatv("{0} from {1} to i32 needs a rounding func (trunc, "
                          "floor, ceil or round_even), not {2}",
                          op(), dtypeName(from), vpuFuncName(inst.func))
                      .str());
    if (!floatToInt)
      if (Error err = noFunc())
        return err;
    if (Error err = checkUnused("src1", inst.src1))
      return err;
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    return checkImmediates(false, false, quantize || dequantize);
  }
  case Opcode::VpuSelect: {
    if (Error err = noFunc())
      return err;
    // The condition may be float or i32; the selected values and the
    // result are all float or all i32.
    const DType conditions[] = {DType::F32, DType::BF16, DType::I32};
    const DType accConditions[] = {DType::F32, DType::I32};
    if (Error err = checkOperand("src0", inst.src0, rows, cols, conditions,
                                 accConditions))
      return err;
    integer = inst.src1.dtype == DType::I32;
    srcSram = integer ? ArrayRef<DType>(ints) : floats;
    srcAcc = integer ? ArrayRef<DType>(ints) : accFloat;
    for (auto [name, operand] :
         {std::pair<StringRef, const VpuOperand *>{"dst", &inst.dst},
          {"src1", &inst.src1},
          {"src2", &inst.src2}})
      if (Error err = full(name, *operand))
        return err;
    return checkImmediates(false, false, false);
  }
  case Opcode::VpuEpilogue: {
    if (inst.func != VpuFunc::None && !isUnaryFunc(inst.func))
      return fail("func " + vpuFuncName(inst.func) + " of " + op() +
                  " is not an activation (none or a unary function)");
    const DType accTypes[] = {DType::F32, DType::I32};
    if (Error err = checkOperand("src0", inst.src0, rows, cols, {}, accTypes))
      return err;
    const DType outTypes[] = {DType::F32, DType::BF16, DType::I8};
    if (Error err = checkOperand("dst", inst.dst, rows, cols, outTypes, {}))
      return err;
    if (inst.flags & kFlagBias) {
      if (Error err = checkOperand("src1", inst.src1, 1, cols, floats, {}))
        return err;
    } else if (Error err = checkUnused("src1", inst.src1)) {
      return err;
    }
    if (Error err = checkUnused("src2", inst.src2))
      return err;
    return checkActivation(inst.func);
  }
  default:
    return fail("unknown opcode 0x" +
                utohexstr(static_cast<uint8_t>(inst.opcode), true));
  }
}

Error npurt::validateInstruction(const Instruction &inst,
                                 const Target &target) {
  return InstructionChecker(inst, target).check();
}

//===----------------------------------------------------------------------===//
// Programs
//===----------------------------------------------------------------------===//

static Error checkName(StringRef name, const Twine &what, bool mayBeEmpty) {
  if (name.empty() && !mayBeEmpty)
    return fail(what + " has an empty name");
  if (name.size() > kMaxNameLength)
    return fail(what + " name is longer than " + Twine(kMaxNameLength) +
                " bytes");
  if (name.contains('\0'))
    return fail(what + " name contains a NUL byte");
  return Error::success();
}

namespace {
/// A DRAM byte range owned by a named table entry.
struct DramRange {
  uint64_t begin, end;
  std::string owner;
};
} // namespace

/// Finds the first pair of overlapping non-empty ranges.
static Error checkDisjoint(std::vector<DramRange> ranges) {
  llvm::erase_if(ranges, [](const DramRange &r) { return r.begin == r.end; });
  llvm::stable_sort(ranges, [](const DramRange &a, const DramRange &b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].begin < ranges[i - 1].end)
      return fail(formatv("{0} [{1:x}, {2:x}) overlaps {3} [{4:x}, "
                          "{5:x}) in DRAM",
                          ranges[i].owner, ranges[i].begin, ranges[i].end,
                          ranges[i - 1].owner, ranges[i - 1].begin,
                          ranges[i - 1].end)
                      .str());
  return Error::success();
}

/// validateProgram's rules for instruction `index` of a stream of `count`
/// instructions on `engine`, except the source index. `at` names the
/// instruction; it is called only to build a message.
static Error checkInstructionRules(const Target &target, Engine engine,
                                   const Instruction &inst, size_t index,
                                   size_t count,
                                   function_ref<std::string()> at) {
  if (!runsOn(inst.opcode, engine))
    return fail(at() + ": " + opcodeName(inst.opcode) +
                " does not run on the " + engineName(engine) + " engine");
  if (Error err = validateInstruction(inst, target))
    return fail(at() + ": " + toString(std::move(err)));
  bool last = index + 1 == count;
  if (last && inst.opcode != Opcode::Halt)
    return fail(at() + ": the stream must end with halt");
  if (!last && inst.opcode == Opcode::Halt)
    return fail(at() + ": halt before the end of the stream");
  return Error::success();
}

bool npurt::passesInstructionRules(const Target &target, Engine engine,
                                   const Instruction &inst, size_t index,
                                   size_t count) {
  Error err = checkInstructionRules(target, engine, inst, index, count,
                                    [] { return std::string(); });
  if (!err)
    return true;
  consumeError(std::move(err));
  return false;
}

static Error checkStream(const Program &program, unsigned core, Engine engine,
                         bool instructionsChecked) {
  const Stream &stream = program.stream(core, engine);
  auto where = [&] {
    return formatv("stream c{0}.{1}", core, engineName(engine)).str();
  };
  if (stream.isEncoded() && !stream.instructions.empty())
    return fail(where() + " holds instructions both decoded and encoded");
  if (stream.encoded.size() % kInstructionBytes != 0)
    return fail(formatv("{0} has {1} encoded bytes, not a whole number of "
                        "instructions",
                        where(), stream.encoded.size())
                    .str());
  size_t count = stream.size();
  if (count == 0)
    return fail(where() + " is empty (it must end with halt)");
  if (stream.source.size() != count)
    return fail(formatv("{0} has {1} source indices for {2} instructions",
                        where(), stream.source.size(), count)
                    .str());
  for (size_t i = 0; i < count; ++i) {
    auto at = [&] { return formatv("{0} instruction {1}", where(), i).str(); };
    if (!instructionsChecked) {
      Instruction decoded;
      if (stream.isEncoded()) {
        Expected<Instruction> inst = stream.instruction(i);
        if (!inst)
          return fail(at() + ": " + toString(inst.takeError()));
        decoded = *inst;
      }
      if (Error err = checkInstructionRules(
              program.target, engine,
              stream.isEncoded() ? decoded : stream.instructions[i], i, count,
              at))
        return err;
    }
    uint32_t source = stream.source[i];
    if (source != kNoSource && source >= program.source_ops.size())
      return fail(formatv("{0}: source index {1} is out of range ({2} source "
                          "ops)",
                          at(), source, program.source_ops.size())
                      .str());
  }
  return Error::success();
}

Error npurt::validateProgram(const Program &program) {
  return validateProgram(program, /*instructionsChecked=*/false);
}

Error npurt::validateProgram(const Program &program,
                            bool instructionsChecked) {
  const Target &target = program.target;
  if (Error err = validateTarget(target))
    return fail("target: " + toString(std::move(err)));
  if (program.cores.size() != target.cores)
    return fail(formatv("program has streams for {0} cores but the target has "
                        "cores = {1}",
                        program.cores.size(), target.cores)
                    .str());
  for (unsigned core = 0; core < program.cores.size(); ++core)
    for (unsigned e = 0; e < kNumEngines; ++e)
      if (Error err = checkStream(program, core, static_cast<Engine>(e),
                                   instructionsChecked))
        return err;

  for (size_t i = 0; i < program.source_ops.size(); ++i) {
    const SourceOp &source = program.source_ops[i];
    std::string what = formatv("source op {0}", i);
    if (Error err = checkName(source.name, what, false))
      return err;
    if (Error err = checkName(source.kind, what + " kind", true))
      return err;
  }

  std::vector<DramRange> constants, tensors, inputs;
  for (size_t i = 0; i < program.constants.size(); ++i) {
    const ConstantSegment &segment = program.constants[i];
    std::string what = formatv("constant segment {0}", i);
    if (segment.bytes.empty())
      return fail(what + " is empty");
    if (segment.dram_addr > target.dram_bytes ||
        segment.bytes.size() > target.dram_bytes - segment.dram_addr)
      return fail(formatv("{0} [{1:x}, +{2}) exceeds dram_bytes ({3})", what,
                          segment.dram_addr, segment.bytes.size(),
                          target.dram_bytes)
                      .str());
    constants.push_back(
        {segment.dram_addr, segment.dram_addr + segment.bytes.size(), what});
  }
  if (Error err = checkDisjoint(constants))
    return err;

  StringSet<> names;
  auto addTensors = [&](ArrayRef<TensorEntry> table, StringRef kind) -> Error {
    for (size_t i = 0; i < table.size(); ++i) {
      const TensorEntry &tensor = table[i];
      std::string what = formatv("{0} tensor {1}", kind, i);
      if (Error err = checkName(tensor.name, what, false))
        return err;
      what += " '" + tensor.name + "'";
      if (!names.insert(tensor.name).second)
        return fail(what + ": duplicate name");
      if (tensor.kind != IoKind::Input && tensor.kind != IoKind::Output)
        return fail(what + ": unknown kind " + Twine(unsigned(tensor.kind)));
      if (kind == "state" && tensor.kind != IoKind::Input)
        return fail(what + ": state tensors have no direction (kind input)");
      if (dtypeSize(tensor.dtype) == 0)
        return fail(what + ": unknown dtype");
      Expected<uint64_t> bytes = tensorBytes(tensor, what);
      if (!bytes)
        return bytes.takeError();
      if (tensor.dram_addr % dtypeSize(tensor.dtype) != 0)
        return fail(what + ": dram_addr is not aligned to its element size");
      if (tensor.dram_addr > target.dram_bytes ||
          *bytes > target.dram_bytes - tensor.dram_addr)
        return fail(formatv("{0}: [{1:x}, +{2}) exceeds dram_bytes ({3})", what,
                            tensor.dram_addr, *bytes, target.dram_bytes)
                        .str());
      DramRange range{tensor.dram_addr, tensor.dram_addr + *bytes, what};
      tensors.push_back(range);
      if (kind == "io" && tensor.kind == IoKind::Input)
        inputs.push_back(range);
    }
    return Error::success();
  };
  if (Error err = addTensors(program.io, "io"))
    return err;
  if (Error err = addTensors(program.state, "state"))
    return err;
  if (Error err = checkDisjoint(tensors))
    return err;
  // An input is written by the host after constants are loaded.
  std::vector<DramRange> loaded = constants;
  loaded.insert(loaded.end(), inputs.begin(), inputs.end());
  return checkDisjoint(loaded);
}
