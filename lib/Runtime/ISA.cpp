//===- ISA.cpp - instruction names and the 64-byte encoding ---------------===//
//
// Name tables for every enum of the ISA and the bit-exact encoder/decoder.
// The word layouts here are the ones documented in docs/isa.md; decode()
// rejects anything encode() could not have produced.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/ISA.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"

#include <cstring>
#include <tuple>

using namespace llvm;
using namespace npurt;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

namespace {
template <typename E> struct NameEntry {
  E value;
  StringRef name;
};
} // namespace

static const NameEntry<Engine> kEngineNames[] = {
    {Engine::DmaLoad, "dma_load"},
    {Engine::DmaStore, "dma_store"},
    {Engine::Mxu, "mxu"},
    {Engine::Vpu, "vpu"}};

static const NameEntry<Opcode> kOpcodeNames[] = {
    {Opcode::Halt, "halt"},
    {Opcode::Nop, "nop"},
    {Opcode::DmaLoad, "dma_load"},
    {Opcode::DmaStore, "dma_store"},
    {Opcode::MxuLoadWeights, "mxu_load_weights"},
    {Opcode::MxuMatmul, "mxu_matmul"},
    {Opcode::VpuBinary, "vpu_binary"},
    {Opcode::VpuUnary, "vpu_unary"},
    {Opcode::VpuReduce, "vpu_reduce"},
    {Opcode::VpuBroadcast, "vpu_broadcast"},
    {Opcode::VpuCast, "vpu_cast"},
    {Opcode::VpuSelect, "vpu_select"},
    {Opcode::VpuEpilogue, "vpu_epilogue"}};

static const NameEntry<DType> kDTypeNames[] = {{DType::F32, "f32"},
                                               {DType::BF16, "bf16"},
                                               {DType::I8, "i8"},
                                               {DType::I32, "i32"}};

static const NameEntry<Mem> kMemNames[] = {{Mem::Sram, "sram"},
                                           {Mem::Acc, "acc"}};

static const NameEntry<VpuFunc> kVpuFuncNames[] = {
    {VpuFunc::None, "none"},
    {VpuFunc::Add, "add"},
    {VpuFunc::Sub, "sub"},
    {VpuFunc::Mul, "mul"},
    {VpuFunc::Div, "div"},
    {VpuFunc::Max, "max"},
    {VpuFunc::Min, "min"},
    {VpuFunc::Pow, "pow"},
    {VpuFunc::CmpLt, "cmp_lt"},
    {VpuFunc::CmpLe, "cmp_le"},
    {VpuFunc::CmpEq, "cmp_eq"},
    {VpuFunc::CmpNe, "cmp_ne"},
    {VpuFunc::Copy, "copy"},
    {VpuFunc::Relu, "relu"},
    {VpuFunc::LeakyRelu, "leaky_relu"},
    {VpuFunc::Exp, "exp"},
    {VpuFunc::Log, "log"},
    {VpuFunc::Tanh, "tanh"},
    {VpuFunc::Sigmoid, "sigmoid"},
    {VpuFunc::Erf, "erf"},
    {VpuFunc::Sqrt, "sqrt"},
    {VpuFunc::Rsqrt, "rsqrt"},
    {VpuFunc::Recip, "recip"},
    {VpuFunc::Neg, "neg"},
    {VpuFunc::Abs, "abs"},
    {VpuFunc::Gelu, "gelu"},
    {VpuFunc::GeluTanh, "gelu_tanh"},
    {VpuFunc::Clip, "clip"},
    {VpuFunc::Square, "square"},
    {VpuFunc::Floor, "floor"},
    {VpuFunc::Ceil, "ceil"},
    {VpuFunc::RoundEven, "round_even"},
    {VpuFunc::Trunc, "trunc"},
    {VpuFunc::Sign, "sign"},
    {VpuFunc::Sin, "sin"},
    {VpuFunc::Cos, "cos"},
    {VpuFunc::Tan, "tan"},
    {VpuFunc::Asin, "asin"},
    {VpuFunc::Acos, "acos"},
    {VpuFunc::Atan, "atan"},
    {VpuFunc::Mod, "mod"},
    {VpuFunc::FMod, "fmod"},
    {VpuFunc::HashUniform, "hash_uniform"}};

static const NameEntry<Broadcast> kBroadcastNames[] = {
    {Broadcast::None, "none"},
    {Broadcast::Row, "row"},
    {Broadcast::Col, "col"},
    {Broadcast::Scalar, "scalar"}};

static const NameEntry<ReduceDim> kReduceDimNames[] = {
    {ReduceDim::Cols, "cols"}, {ReduceDim::Rows, "rows"}};

template <typename E, size_t N>
static StringRef lookupName(const NameEntry<E> (&table)[N], E value) {
  for (const NameEntry<E> &entry : table)
    if (entry.value == value)
      return entry.name;
  return "<invalid>";
}

template <typename E, size_t N>
static std::optional<E> lookupValue(const NameEntry<E> (&table)[N],
                                    StringRef name) {
  for (const NameEntry<E> &entry : table)
    if (entry.name == name)
      return entry.value;
  return std::nullopt;
}

/// The byte values that are entries of `table`, as a 256-entry set.
template <typename E, size_t N>
static std::array<bool, 256> knownValues(const NameEntry<E> (&table)[N]) {
  std::array<bool, 256> known = {};
  for (const NameEntry<E> &entry : table)
    known[static_cast<uint8_t>(entry.value)] = true;
  return known;
}

/// True if `raw` is the numeric value of an entry of `table`. Decoding asks
/// this several times per instruction, so each table's answers are computed
/// once.
template <typename E, size_t N>
static bool isKnown(const NameEntry<E> (&table)[N], uint64_t raw) {
  static const std::array<bool, 256> known = knownValues(table);
  return raw < 256 && known[raw];
}

StringRef npurt::engineName(Engine v) { return lookupName(kEngineNames, v); }
StringRef npurt::opcodeName(Opcode v) { return lookupName(kOpcodeNames, v); }
StringRef npurt::dtypeName(DType v) { return lookupName(kDTypeNames, v); }
StringRef npurt::memName(Mem v) { return lookupName(kMemNames, v); }
StringRef npurt::vpuFuncName(VpuFunc v) { return lookupName(kVpuFuncNames, v); }
StringRef npurt::broadcastName(Broadcast v) {
  return lookupName(kBroadcastNames, v);
}
StringRef npurt::reduceDimName(ReduceDim v) {
  return lookupName(kReduceDimNames, v);
}

std::optional<Engine> npurt::engineFromName(StringRef s) {
  return lookupValue(kEngineNames, s);
}
std::optional<Opcode> npurt::opcodeFromName(StringRef s) {
  return lookupValue(kOpcodeNames, s);
}
std::optional<DType> npurt::dtypeFromName(StringRef s) {
  return lookupValue(kDTypeNames, s);
}
std::optional<Mem> npurt::memFromName(StringRef s) {
  return lookupValue(kMemNames, s);
}
std::optional<VpuFunc> npurt::vpuFuncFromName(StringRef s) {
  return lookupValue(kVpuFuncNames, s);
}
std::optional<Broadcast> npurt::broadcastFromName(StringRef s) {
  return lookupValue(kBroadcastNames, s);
}
std::optional<ReduceDim> npurt::reduceDimFromName(StringRef s) {
  return lookupValue(kReduceDimNames, s);
}

//===----------------------------------------------------------------------===//
// Properties
//===----------------------------------------------------------------------===//

bool npurt::isTranscendental(VpuFunc func) {
  switch (func) {
  case VpuFunc::Div:
  case VpuFunc::Pow:
  case VpuFunc::Exp:
  case VpuFunc::Log:
  case VpuFunc::Tanh:
  case VpuFunc::Sigmoid:
  case VpuFunc::Erf:
  case VpuFunc::Sqrt:
  case VpuFunc::Rsqrt:
  case VpuFunc::Recip:
  case VpuFunc::Gelu:
  case VpuFunc::GeluTanh:
  case VpuFunc::HashUniform: // Two multiplies and three xor-shifts.
  case VpuFunc::Sin:
  case VpuFunc::Cos:
  case VpuFunc::Tan:
  case VpuFunc::Asin:
  case VpuFunc::Acos:
  case VpuFunc::Atan:
  case VpuFunc::Mod:
  case VpuFunc::FMod:
    return true;
  default:
    return false;
  }
}

bool npurt::hasIntegerForm(VpuFunc func) {
  switch (func) {
  case VpuFunc::Add:
  case VpuFunc::Sub:
  case VpuFunc::Mul:
  case VpuFunc::Div:
  case VpuFunc::Max:
  case VpuFunc::Min:
  case VpuFunc::Pow:
  case VpuFunc::CmpLt:
  case VpuFunc::CmpLe:
  case VpuFunc::CmpEq:
  case VpuFunc::CmpNe:
  case VpuFunc::Mod:
  case VpuFunc::FMod:
  case VpuFunc::Copy:
  case VpuFunc::Relu:
  case VpuFunc::Neg:
  case VpuFunc::Abs:
  case VpuFunc::Clip:
  case VpuFunc::Square:
  case VpuFunc::Sign:
    return true;
  default:
    return false;
  }
}

float npurt::hashUniform(uint32_t x, uint32_t key) {
  // MurmurHash3's 32-bit finalizer: a bijection in which every input bit
  // flips each output bit with probability close to 1/2.
  uint32_t h = x ^ key;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  // The top 24 bits: exactly representable, so the result is in [0, 1).
  return static_cast<float>(h >> 8) * 0x1p-24f;
}

bool npurt::operator==(const VpuOperand &a, const VpuOperand &b) {
  return std::tie(a.mem, a.addr, a.row_stride, a.dtype) ==
         std::tie(b.mem, b.addr, b.row_stride, b.dtype);
}

bool npurt::operator==(const Instruction &a, const Instruction &b) {
  auto bits = [](float f) { return llvm::bit_cast<uint32_t>(f); };
  return std::tie(a.opcode, a.flags, a.wait, a.signal, a.dram_addr, a.sram_addr,
                  a.dram_dtype, a.sram_dtype, a.extents, a.dram_strides,
                  a.sram_strides, a.mxu_dtype, a.m, a.k, a.n, a.row_stride,
                  a.acc_addr, a.acc_row_stride, a.rows, a.cols, a.func,
                  a.broadcast, a.reduce_dim, a.zero_point) ==
             std::tie(b.opcode, b.flags, b.wait, b.signal, b.dram_addr,
                      b.sram_addr, b.dram_dtype, b.sram_dtype, b.extents,
                      b.dram_strides, b.sram_strides, b.mxu_dtype, b.m, b.k,
                      b.n, b.row_stride, b.acc_addr, b.acc_row_stride, b.rows,
                      b.cols, b.func, b.broadcast, b.reduce_dim,
                      b.zero_point) &&
         a.dst == b.dst && a.src0 == b.src0 && a.src1 == b.src1 &&
         a.src2 == b.src2 && bits(a.imm0) == bits(b.imm0) &&
         bits(a.imm1) == bits(b.imm1) && bits(a.scale) == bits(b.scale);
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

/// Bits [lo, lo + width) of `word`.
static uint64_t field(uint64_t word, unsigned lo, unsigned width) {
  uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
  return (word >> lo) & mask;
}

/// Packs `value` (which must fit in `width` bits) at bit `lo`.
static uint64_t put(uint64_t value, unsigned lo, unsigned width) {
  uint64_t mask = width == 64 ? ~0ull : ((1ull << width) - 1);
  return (value & mask) << lo;
}

static uint64_t floatBits(float f) { return llvm::bit_cast<uint32_t>(f); }
static float bitsFloat(uint64_t bits) {
  return llvm::bit_cast<float>(static_cast<uint32_t>(bits));
}
static uint64_t strideBits(int32_t s) { return static_cast<uint32_t>(s); }
static int32_t bitsStride(uint64_t bits) {
  return static_cast<int32_t>(static_cast<uint32_t>(bits));
}

static bool isDma(Opcode op) {
  return op == Opcode::DmaLoad || op == Opcode::DmaStore;
}

static bool isVpu(Opcode op) { return engineOf(op) == Engine::Vpu; }

EncodedInstruction npurt::encode(const Instruction &inst) {
  EncodedInstruction w = {};
  w[0] = put(static_cast<uint8_t>(inst.opcode), 0, 8) | put(inst.flags, 8, 8) |
         put(inst.wait[0], 16, 8) | put(inst.wait[1], 24, 8) |
         put(inst.signal[0], 32, 8) | put(inst.signal[1], 40, 8);
  Opcode op = inst.opcode;
  if (isDma(op)) {
    w[1] = inst.dram_addr;
    w[2] = put(inst.sram_addr, 0, 32) |
           put(static_cast<uint8_t>(inst.dram_dtype), 32, 8) |
           put(static_cast<uint8_t>(inst.sram_dtype), 40, 8);
    for (unsigned d = 0; d < 4; ++d)
      w[3] |= put(inst.extents[d], 16 * d, 16);
    for (unsigned d = 0; d < 4; ++d) {
      w[4 + d / 2] |= put(strideBits(inst.dram_strides[d]), 32 * (d % 2), 32);
      w[6 + d / 2] |= put(strideBits(inst.sram_strides[d]), 32 * (d % 2), 32);
    }
  } else if (op == Opcode::MxuLoadWeights) {
    w[1] = put(inst.sram_addr, 0, 32) |
           put(static_cast<uint8_t>(inst.mxu_dtype), 32, 8);
    w[2] =
        put(inst.k, 0, 16) | put(inst.n, 16, 16) | put(inst.row_stride, 32, 32);
  } else if (op == Opcode::MxuMatmul) {
    w[1] = put(inst.sram_addr, 0, 32) | put(inst.acc_addr, 32, 32);
    w[2] = put(inst.m, 0, 32) | put(inst.k, 32, 16) | put(inst.n, 48, 16);
    w[3] = put(inst.row_stride, 0, 32) | put(inst.acc_row_stride, 32, 32);
    w[4] = put(static_cast<uint8_t>(inst.mxu_dtype), 0, 8);
  } else if (isVpu(op)) {
    w[1] = put(inst.rows, 0, 16) | put(inst.cols, 16, 16) |
           put(floatBits(inst.scale), 32, 32);
    const VpuOperand *operands[] = {&inst.dst, &inst.src0, &inst.src1,
                                    &inst.src2};
    uint64_t mems = 0;
    for (unsigned i = 0; i < 4; ++i) {
      w[2 + i] =
          put(operands[i]->addr, 0, 32) | put(operands[i]->row_stride, 32, 32);
      mems |= put(static_cast<uint8_t>(operands[i]->mem), i, 1);
    }
    uint8_t mode = op == Opcode::VpuReduce
                       ? static_cast<uint8_t>(inst.reduce_dim)
                       : static_cast<uint8_t>(inst.broadcast);
    w[6] = put(static_cast<uint8_t>(inst.func), 0, 8) | put(mode, 8, 8);
    for (unsigned i = 0; i < 4; ++i)
      w[6] |= put(static_cast<uint8_t>(operands[i]->dtype), 16 + 8 * i, 8);
    w[6] |=
        put(mems, 48, 8) | put(static_cast<uint8_t>(inst.zero_point), 56, 8);
    w[7] = put(floatBits(inst.imm0), 0, 32) | put(floatBits(inst.imm1), 32, 32);
  }
  return w;
}

static Error decodeError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// The decoder behind decode() and decodeInto(): sets the fields of `inst`
/// (default-constructed) that the opcode's layout defines and returns true, or returns false for words encode() cannot produce. Only
/// when `error` is non-null is a message built (lazily, on the failing path
/// alone), so bulk decoding allocates nothing and formats nothing.
static bool decodeWords(const EncodedInstruction &w, Instruction &inst,
                        Error *error) {
  // Out of line, so the checks of the accepting path stay small enough to
  // inline (dtypeAt was a call per operand).
  auto reject = [error](auto message) LLVM_ATTRIBUTE_NOINLINE {
    if (error)
      *error = decodeError(message());
    return false;
  };
  uint64_t rawOpcode = field(w[0], 0, 8);
  if (!isKnown(kOpcodeNames, rawOpcode))
    return reject(
        [&] { return "unknown opcode 0x" + utohexstr(rawOpcode, true); });
  inst.opcode = static_cast<Opcode>(rawOpcode);
  auto name = [&] { return opcodeName(inst.opcode); };
  if (field(w[0], 48, 16) != 0)
    return reject([&] {
      return ("reserved bits 48-63 of word 0 of " + name() + " are not zero")
          .str();
    });
  inst.flags = field(w[0], 8, 8);
  inst.wait = {static_cast<uint8_t>(field(w[0], 16, 8)),
               static_cast<uint8_t>(field(w[0], 24, 8))};
  inst.signal = {static_cast<uint8_t>(field(w[0], 32, 8)),
                 static_cast<uint8_t>(field(w[0], 40, 8))};

  // `used[i]` masks the bits of word i that the opcode's layout defines
  // (constant tables: building them per instruction showed in profiles).
  static constexpr EncodedInstruction kNoneUsed = {};
  static constexpr EncodedInstruction kDmaUsed = {
      0, ~0ull, (1ull << 48) - 1, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull};
  static constexpr EncodedInstruction kLoadWeightsUsed = {
      0, (1ull << 40) - 1, ~0ull, 0, 0, 0, 0, 0};
  static constexpr EncodedInstruction kMatmulUsed = {0,    ~0ull, ~0ull, ~0ull,
                                                     0xFF, 0,     0,     0};
  static constexpr EncodedInstruction kVpuUsed = {
      0, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull & ~(0xF0ull << 48), ~0ull};
  const EncodedInstruction *usedBits = &kNoneUsed;
  auto dtypeAt = [&](unsigned word, unsigned lo, const char *what,
                     const char *suffix, DType &out) {
    uint64_t raw = field(w[word], lo, 8);
    if (!isKnown(kDTypeNames, raw))
      return reject([&] {
        return ("unknown dtype " + Twine(raw) + " in " + what + suffix +
                " of " + name())
            .str();
      });
    out = static_cast<DType>(raw);
    return true;
  };

  Opcode op = inst.opcode;
  if (isDma(op)) {
    usedBits = &kDmaUsed;
    inst.dram_addr = w[1];
    inst.sram_addr = field(w[2], 0, 32);
    if (!dtypeAt(2, 32, "dram_dtype", "", inst.dram_dtype) ||
        !dtypeAt(2, 40, "sram_dtype", "", inst.sram_dtype))
      return false;
    for (unsigned d = 0; d < 4; ++d) {
      inst.extents[d] = field(w[3], 16 * d, 16);
      inst.dram_strides[d] = bitsStride(field(w[4 + d / 2], 32 * (d % 2), 32));
      inst.sram_strides[d] = bitsStride(field(w[6 + d / 2], 32 * (d % 2), 32));
    }
  } else if (op == Opcode::MxuLoadWeights) {
    usedBits = &kLoadWeightsUsed;
    inst.sram_addr = field(w[1], 0, 32);
    if (!dtypeAt(1, 32, "mxu_dtype", "", inst.mxu_dtype))
      return false;
    inst.k = field(w[2], 0, 16);
    inst.n = field(w[2], 16, 16);
    inst.row_stride = field(w[2], 32, 32);
  } else if (op == Opcode::MxuMatmul) {
    usedBits = &kMatmulUsed;
    inst.sram_addr = field(w[1], 0, 32);
    inst.acc_addr = field(w[1], 32, 32);
    inst.m = field(w[2], 0, 32);
    inst.k = field(w[2], 32, 16);
    inst.n = field(w[2], 48, 16);
    inst.row_stride = field(w[3], 0, 32);
    inst.acc_row_stride = field(w[3], 32, 32);
    if (!dtypeAt(4, 0, "mxu_dtype", "", inst.mxu_dtype))
      return false;
  } else if (isVpu(op)) {
    usedBits = &kVpuUsed;
    inst.rows = field(w[1], 0, 16);
    inst.cols = field(w[1], 16, 16);
    inst.scale = bitsFloat(field(w[1], 32, 32));
    VpuOperand *operands[] = {&inst.dst, &inst.src0, &inst.src1, &inst.src2};
    static const char *const operandNames[] = {"dst", "src0", "src1", "src2"};
    for (unsigned i = 0; i < 4; ++i) {
      operands[i]->addr = field(w[2 + i], 0, 32);
      operands[i]->row_stride = field(w[2 + i], 32, 32);
      operands[i]->mem = static_cast<Mem>(field(w[6], 48 + i, 1));
      if (!dtypeAt(6, 16 + 8 * i, operandNames[i], " dtype",
                   operands[i]->dtype))
        return false;
    }
    uint64_t rawFunc = field(w[6], 0, 8);
    if (!isKnown(kVpuFuncNames, rawFunc))
      return reject([&] {
        return ("unknown vpu function " + Twine(rawFunc) + " in " + name())
            .str();
      });
    inst.func = static_cast<VpuFunc>(rawFunc);
    uint64_t rawMode = field(w[6], 8, 8);
    if (op == Opcode::VpuReduce) {
      if (!isKnown(kReduceDimNames, rawMode))
        return reject([&] {
          return ("unknown reduce dimension " + Twine(rawMode) + " in " +
                  name())
              .str();
        });
      inst.reduce_dim = static_cast<ReduceDim>(rawMode);
    } else {
      if (!isKnown(kBroadcastNames, rawMode))
        return reject([&] {
          return ("unknown broadcast mode " + Twine(rawMode) + " in " + name())
              .str();
        });
      inst.broadcast = static_cast<Broadcast>(rawMode);
    }
    inst.zero_point = static_cast<int8_t>(field(w[6], 56, 8));
    inst.imm0 = bitsFloat(field(w[7], 0, 32));
    inst.imm1 = bitsFloat(field(w[7], 32, 32));
  }
  const EncodedInstruction &used = *usedBits;
  for (unsigned i = 1; i < 8; ++i)
    if (w[i] & ~used[i])
      return reject([&] {
        return formatv("reserved bits of word {0} of {1} are not zero ({2:x16})",
                       i, name(), w[i] & ~used[i])
            .str();
      });
  return true;
}

Expected<Instruction> npurt::decode(const EncodedInstruction &words) {
  Instruction inst;
  Error error = Error::success();
  if (!decodeWords(words, inst, &error))
    return std::move(error);
  return inst;
}

bool npurt::decodeInto(const EncodedInstruction &words, Instruction &inst) {
  return decodeWords(words, inst, nullptr);
}
