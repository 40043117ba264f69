//===- ISA.h - NPU instructions: fields, encoding, checks -------*- C++ -*-===//
//
// The machine instructions of the NPU. Every instruction is 64 bytes (eight
// little-endian u64 words), belongs to exactly one engine queue (decided by
// its opcode; HALT and NOP belong to every engine) and may wait on and
// signal up to two counting semaphores. docs/isa.md is the prose version of
// this header, including the bit layout implemented by encode()/decode().
//
// `Instruction` is the decoded form: a flat struct holding every operand
// field of every opcode. Fields an opcode does not use must keep their
// default (zero) value; validateInstruction() enforces that, so encoding is
// a bijection between valid Instructions and valid 64-byte words.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_ISA_H
#define NPU_RUNTIME_ISA_H

#include "npu/Runtime/Target.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <optional>

namespace npurt {

/// The four in-order instruction queues of a core.
enum class Engine : uint8_t { DmaLoad = 0, DmaStore = 1, Mxu = 2, Vpu = 3 };
constexpr unsigned kNumEngines = 4;

/// Opcode byte of word 0. 0x00 is deliberately invalid so zeroed memory
/// never decodes as an instruction.
enum class Opcode : uint8_t {
  Halt = 0x01,           ///< End of the stream (any engine).
  Nop = 0x02,            ///< Only waits/signals (any engine).
  DmaLoad = 0x10,        ///< DRAM -> SRAM, 4-D strided, optional f32<->bf16.
  DmaStore = 0x11,       ///< SRAM -> DRAM, 4-D strided, optional f32<->bf16.
  MxuLoadWeights = 0x20, ///< SRAM [k x n] -> the array's weight registers.
  MxuMatmul = 0x21,      ///< SRAM [m x k] x weights -> ACC [m x n].
  VpuBinary = 0x30,      ///< dst = func(src0, src1 | broadcast | imm0).
  VpuUnary = 0x31,       ///< dst = func(src0).
  VpuReduce = 0x32,      ///< dst = reduce(src0) along rows or columns.
  VpuBroadcast = 0x33,   ///< dst = row vector / column vector / imm0.
  VpuCast = 0x34,        ///< dst = convert(src0): rounding, (re)quantize.
  VpuSelect = 0x35,      ///< dst = src0 != 0 ? src1 : src2.
  VpuEpilogue = 0x36,    ///< ACC -> SRAM: + bias row, activation, dtype.
};

/// Element types. Encoded as one byte.
enum class DType : uint8_t { F32 = 0, BF16 = 1, I8 = 2, I32 = 3 };

/// Memory holding a VPU operand.
enum class Mem : uint8_t { Sram = 0, Acc = 1 };

/// VPU function selector (`func` byte). One numbering for all VPU opcodes;
/// validateInstruction() checks which functions each opcode accepts:
///   VPU_BINARY: isBinaryFunc (Add..CmpNe, Mod, FMod); VPU_UNARY:
///   isUnaryFunc (Copy..Square, Floor..Atan, HashUniform); VPU_REDUCE: Add,
///   Mul, Max, Min; VPU_CAST: a rounding function (Trunc, Floor, Ceil,
///   RoundEven) for float -> i32, else None; VPU_EPILOGUE: None or any unary
///   function; others: None. Integer mode (i32 sources, docs/isa.md) accepts
///   a subset.
enum class VpuFunc : uint8_t {
  None = 0,
  // Binary (also reductions: Add = sum, Max, Min).
  Add = 1,
  Sub = 2,
  Mul = 3,
  Div = 4,
  Max = 5,
  Min = 6,
  Pow = 7,
  CmpLt = 8,
  CmpLe = 9,
  CmpEq = 10,
  CmpNe = 11, ///< Result 1.0 or 0.0.
  // Unary.
  Copy = 32,
  Relu = 33,
  LeakyRelu = 34, ///< x < 0 ? imm0 * x : x.
  Exp = 35,
  Log = 36,
  Tanh = 37,
  Sigmoid = 38,
  Erf = 39,
  Sqrt = 40,
  Rsqrt = 41,
  Recip = 42,
  Neg = 43,
  Abs = 44,
  Gelu = 45,     ///< Exact: x * 0.5 * (1 + erf(x / sqrt(2))).
  GeluTanh = 46, ///< Tanh approximation.
  Clip = 47,     ///< min(max(x, imm0), imm1).
  Square = 48,
  Floor = 49,     ///< Round toward -inf (also a vpu_cast rounding).
  Ceil = 50,      ///< Round toward +inf (also a vpu_cast rounding).
  RoundEven = 51, ///< Round to nearest, ties to even (vpu_cast too).
  Trunc = 52,     ///< Round toward zero (vpu_cast too).
  Sign = 53,      ///< -1, 0 or 1 (zeros and NaN pass through).
  Sin = 54,
  Cos = 55,
  Tan = 56,
  Asin = 57,
  Acos = 58,
  Atan = 59,
  Mod = 60,  ///< Binary: a - floor(a / b) * b (sign of b, numpy.mod).
  FMod = 61, ///< Binary: a - trunc(a / b) * b (sign of a, C fmod).
  /// Counter-based random numbers: a uniform value in [0, 1) from a 32-bit
  /// hash of the f32 bits of x xor the bits of imm0 (docs/isa.md).
  HashUniform = 63,
};

/// The value of VpuFunc::HashUniform for an element whose f32 bits are `x`
/// under key bits `key`: fmix32(x ^ key) >> 8, times 2^-24.
float hashUniform(uint32_t x, uint32_t key);

/// The functions VPU_BINARY accepts.
inline bool isBinaryFunc(VpuFunc f) {
  return (f >= VpuFunc::Add && f <= VpuFunc::CmpNe) || f == VpuFunc::Mod ||
         f == VpuFunc::FMod;
}
/// The functions VPU_UNARY (and VPU_EPILOGUE as an activation) accepts.
inline bool isUnaryFunc(VpuFunc f) {
  return (f >= VpuFunc::Copy && f <= VpuFunc::Square) ||
         (f >= VpuFunc::Floor && f <= VpuFunc::Atan) ||
         f == VpuFunc::HashUniform;
}
/// The rounding functions VPU_CAST accepts for a float -> i32 conversion.
inline bool isRoundingFunc(VpuFunc f) {
  return f == VpuFunc::Floor || f == VpuFunc::Ceil || f == VpuFunc::RoundEven ||
         f == VpuFunc::Trunc;
}
/// True for the functions with an integer form (docs/isa.md, integer mode):
/// the arithmetic and comparisons, and the unary functions that map
/// integers to integers.
bool hasIntegerForm(VpuFunc func);

/// How VPU_BINARY reads src1 / VPU_BROADCAST reads src0 (`mode` byte).
enum class Broadcast : uint8_t {
  None = 0,   ///< Full [rows x cols] operand.
  Row = 1,    ///< A [1 x cols] row vector, repeated for every row.
  Col = 2,    ///< A [rows x 1] column vector, repeated for every column.
  Scalar = 3, ///< No operand: the scalar imm0.
};

/// Which index VPU_REDUCE reduces over (`mode` byte).
enum class ReduceDim : uint8_t {
  Cols = 0, ///< Over the column index: dst is [rows x 1].
  Rows = 1, ///< Over the row index: dst is [1 x cols].
};

/// Bits of the `flags` byte.
enum Flag : uint8_t {
  /// MXU_MATMUL: add into ACC instead of overwriting. VPU_REDUCE: combine
  /// with the current dst values (dst = reduce(dst, src0 ...)).
  kFlagAccumulate = 1 << 0,
  /// MXU_LOAD_WEIGHTS: SRAM holds the weights as [n x k] (transposed).
  kFlagTranspose = 1 << 1,
  /// VPU_EPILOGUE: add the [1 x cols] bias row vector src1.
  kFlagBias = 1 << 2,
};

/// Semaphore id meaning "no semaphore" in a wait/signal slot.
constexpr uint8_t kNoSemaphore = 0xFF;

/// A 2-D VPU operand: [rows x cols] (or a vector, see Broadcast/ReduceDim)
/// starting at byte `addr` of `mem`, consecutive rows `row_stride` elements
/// apart, elements of `dtype`. (The two byte fields come first so the
/// struct has no padding: programs hold millions of instructions.)
struct VpuOperand {
  Mem mem = Mem::Sram;
  DType dtype = DType::F32;
  uint32_t addr = 0;
  uint32_t row_stride = 0;
};

bool operator==(const VpuOperand &a, const VpuOperand &b);
inline bool operator!=(const VpuOperand &a, const VpuOperand &b) {
  return !(a == b);
}

/// One decoded instruction. Groups of fields below are used by the opcodes
/// named in their comment; all others must stay zero. Fields are ordered to
/// leave little padding (152 bytes): a binary reader holds millions of them.
struct Instruction {
  Opcode opcode = Opcode::Halt;
  uint8_t flags = 0; ///< Flag bits.
  /// Semaphores acquired (wait until > 0, then decrement) before issue.
  std::array<uint8_t, 2> wait = {kNoSemaphore, kNoSemaphore};
  /// Semaphores incremented when the instruction completes.
  std::array<uint8_t, 2> signal = {kNoSemaphore, kNoSemaphore};

  // --- DMA_LOAD / DMA_STORE: a 4-D box; dim 0 outermost, dim 3 innermost.
  // Element (i0,i1,i2,i3) lives at addr + sum(i_d * stride_d) * size(dtype)
  // on each side. Strides are in elements and may be negative or zero.
  DType dram_dtype = DType::F32;
  DType sram_dtype = DType::F32;
  uint64_t dram_addr = 0;
  uint32_t sram_addr = 0; ///< Also: MXU operand in SRAM.
  std::array<uint16_t, 4> extents = {0, 0, 0, 0};
  std::array<int32_t, 4> dram_strides = {0, 0, 0, 0};
  std::array<int32_t, 4> sram_strides = {0, 0, 0, 0};

  // --- MXU_LOAD_WEIGHTS / MXU_MATMUL (sram_addr above is the SRAM operand).
  DType mxu_dtype = DType::F32; ///< Input dtype: bf16, f32 or i8.
  uint32_t m = 0;               ///< Rows of the input (MXU_MATMUL only).
  uint16_t k = 0;               ///< Reduction size, <= mxu_rows.
  uint16_t n = 0;               ///< Output columns, <= mxu_cols.
  uint32_t row_stride = 0;      ///< SRAM row stride in elements.
  uint32_t acc_addr = 0;        ///< ACC byte address (MXU_MATMUL only).
  uint32_t acc_row_stride = 0;  ///< ACC row stride in 4-byte words.

  // --- VPU_*: rows x cols region; see each opcode for its operands.
  uint16_t rows = 0;
  uint16_t cols = 0;
  VpuFunc func = VpuFunc::None;
  Broadcast broadcast = Broadcast::None;  ///< VPU_BINARY, VPU_BROADCAST.
  ReduceDim reduce_dim = ReduceDim::Cols; ///< VPU_REDUCE.
  int8_t zero_point = 0; ///< int8 zero point (VPU_CAST, EPILOGUE).
  VpuOperand dst, src0, src1, src2;
  float imm0 = 0.0f;  ///< Scalar operand / leaky slope / clip low.
  float imm1 = 0.0f;  ///< Clip high.
  float scale = 0.0f; ///< (Re)quantization scale (VPU_CAST, EPILOGUE).
};

/// Exact equality of every field (floats compared by bit pattern).
bool operator==(const Instruction &a, const Instruction &b);
inline bool operator!=(const Instruction &a, const Instruction &b) {
  return !(a == b);
}

/// The engine executing `op`, or std::nullopt for HALT/NOP (any engine).
/// (Inline, like dtypeSize: validation and simulation ask per instruction.)
inline std::optional<Engine> engineOf(Opcode op) {
  switch (op) {
  case Opcode::DmaLoad:
    return Engine::DmaLoad;
  case Opcode::DmaStore:
    return Engine::DmaStore;
  case Opcode::MxuLoadWeights:
  case Opcode::MxuMatmul:
    return Engine::Mxu;
  case Opcode::VpuBinary:
  case Opcode::VpuUnary:
  case Opcode::VpuReduce:
  case Opcode::VpuBroadcast:
  case Opcode::VpuCast:
  case Opcode::VpuSelect:
  case Opcode::VpuEpilogue:
    return Engine::Vpu;
  case Opcode::Halt:
  case Opcode::Nop:
    break;
  }
  return std::nullopt;
}
/// True if `op` may appear in `engine`'s stream (false for a value outside
/// the enumeration).
inline bool runsOn(Opcode op, Engine engine) {
  if (op == Opcode::Halt || op == Opcode::Nop)
    return true;
  std::optional<Engine> owner = engineOf(op);
  return owner && *owner == engine;
}

/// Size in bytes of one element (0 for a value outside the enumeration).
inline unsigned dtypeSize(DType type) {
  switch (type) {
  case DType::F32:
  case DType::I32:
    return 4;
  case DType::BF16:
    return 2;
  case DType::I8:
    return 1;
  }
  return 0;
}
/// Transcendental VPU functions cost vpu_transcendental_cycles per group.
bool isTranscendental(VpuFunc func);

/// Lower-case names used in docs, messages, the disassembler and section
/// names: "dma_load", "mxu_matmul", "vpu_binary"...; "f32", "bf16", "i8",
/// "i32"; "sram"/"acc"; "add", "leaky_relu"...; "none", "row", "col",
/// "scalar"; "cols"/"rows". Unknown values give "<invalid>".
llvm::StringRef engineName(Engine engine);
llvm::StringRef opcodeName(Opcode op);
llvm::StringRef dtypeName(DType type);
llvm::StringRef memName(Mem mem);
llvm::StringRef vpuFuncName(VpuFunc func);
llvm::StringRef broadcastName(Broadcast mode);
llvm::StringRef reduceDimName(ReduceDim dim);

/// Inverse of the name functions (for parsers); std::nullopt if unknown.
std::optional<Engine> engineFromName(llvm::StringRef name);
std::optional<Opcode> opcodeFromName(llvm::StringRef name);
std::optional<DType> dtypeFromName(llvm::StringRef name);
std::optional<Mem> memFromName(llvm::StringRef name);
std::optional<VpuFunc> vpuFuncFromName(llvm::StringRef name);
std::optional<Broadcast> broadcastFromName(llvm::StringRef name);
std::optional<ReduceDim> reduceDimFromName(llvm::StringRef name);

/// Encoded instruction: eight little-endian words, word 0 is the header.
using EncodedInstruction = std::array<uint64_t, 8>;
constexpr unsigned kInstructionBytes = 64;

/// Encodes the fields an opcode uses (layout in docs/isa.md). Fields outside
/// the opcode's layout are not encoded: validate first.
EncodedInstruction encode(const Instruction &inst);

/// Decodes 64 bytes. Rejects unknown opcodes, unknown enum values and
/// non-zero reserved bits, naming the word/field. Does not check the result
/// against a target: call validateInstruction for that.
llvm::Expected<Instruction> decode(const EncodedInstruction &words);

/// decode() without a message, for bulk decoding (the binary reader): `inst`
/// must be default-constructed (e.g. fresh from emplace_back()); sets the
/// fields the opcode's layout defines and returns true exactly when decode()
/// would succeed. Builds no message and allocates nothing; call decode() on
/// the words it rejects to learn why.
bool decodeInto(const EncodedInstruction &words, Instruction &inst);

/// Checks everything the hardware would before issuing `inst` on `target`:
/// semaphore ids, allowed flags, dtypes per engine, shapes within engine
/// limits, every address range (overflow-checked) inside its memory,
/// alignment, and that unused fields are zero. The message names the opcode
/// and the field, e.g. "sram range [0x7ff000, 0x801000) of dma_load exceeds
/// sram_bytes (8388608)".
llvm::Error validateInstruction(const Instruction &inst, const Target &target);

} // namespace npurt

#endif // NPU_RUNTIME_ISA_H
