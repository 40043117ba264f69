//===- Program.h - in-memory form of a chip binary --------------*- C++ -*-===//
//
// Everything a chip binary holds: the target, one instruction stream per
// (core, engine), the DRAM images of constants, the I/O and persistent-state
// tables and the source map. The serializer builds one, the ELF writer/reader
// (Binary.h) convert it to and from bytes, the simulator executes it.
// validateProgram() is the single definition of "well formed". A stream holds
// its instructions decoded or, when read for a single pass over them, still
// encoded in the binary (Stream::encoded).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_PROGRAM_H
#define NPU_RUNTIME_PROGRAM_H

#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Target.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class MemoryBuffer;
} // namespace llvm

namespace npurt {

/// Largest tensor rank in the I/O and state tables.
constexpr unsigned kMaxRank = 8;
/// Longest name (I/O, state, source op name or kind), in bytes.
constexpr unsigned kMaxNameLength = 4096;
/// Source index of an instruction that belongs to no source op.
constexpr uint32_t kNoSource = 0xFFFFFFFF;

/// Bytes loaded into DRAM at `dram_addr` before the program runs (weights,
/// initial values of persistent state, lookup tables).
struct ConstantSegment {
  uint64_t dram_addr = 0;
  std::vector<uint8_t> bytes;
};

/// Direction of an I/O tensor.
enum class IoKind : uint8_t { Input = 0, Output = 1 };

/// A dense row-major tensor in DRAM: an I/O tensor or persistent state.
struct TensorEntry {
  std::string name;
  IoKind kind = IoKind::Input; ///< Meaningful for I/O only; Input for state.
  DType dtype = DType::F32;
  std::vector<uint64_t> shape; ///< Rank <= kMaxRank; rank 0 is a scalar.
  uint64_t dram_addr = 0;
};

/// A source-level operation (e.g. an ONNX node) with its useful work, which
/// the simulator's schedule-independent lower bound is computed from.
struct SourceOp {
  std::string name; ///< E.g. the ONNX node name.
  std::string kind; ///< E.g. "nn.conv2d".
  uint64_t macs = 0;
  uint64_t vector_ops = 0;
  uint64_t min_dram_bytes = 0;
};

/// One engine's in-order instruction stream, its instructions either decoded
/// (`instructions`) or encoded (`encoded`); the other member is empty.
struct Stream {
  /// The instructions, decoded (152 bytes each).
  std::vector<Instruction> instructions;
  /// source[i] is the index into Program::source_ops of instruction i, or
  /// kNoSource.
  std::vector<uint32_t> source;
  /// The instructions as the binary holds them, kInstructionBytes each: a
  /// view of the file (Program::image keeps it mapped), as readBinary leaves
  /// them with StreamForm::Encoded. A run that decodes each instruction as
  /// it reaches it then needs no memory per instruction.
  llvm::ArrayRef<uint8_t> encoded;

  bool isEncoded() const { return !encoded.empty(); }
  /// Number of instructions.
  size_t size() const {
    return isEncoded() ? encoded.size() / kInstructionBytes
                       : instructions.size();
  }
  /// The words of instruction `index` of an encoded stream.
  EncodedInstruction words(size_t index) const {
    EncodedInstruction words;
    const uint8_t *bytes = encoded.data() + index * kInstructionBytes;
    for (unsigned w = 0; w < words.size(); ++w)
      words[w] = llvm::support::endian::read64le(bytes + 8 * w);
    return words;
  }
  /// Instruction `index`, decoded if the stream is encoded. (Decoding fails
  /// only for bytes readBinary did not accept.)
  llvm::Expected<Instruction> instruction(size_t index) const;
};

/// The four streams of one core, indexed by Engine.
using CoreStreams = std::array<Stream, kNumEngines>;

/// A complete program for one target.
struct Program {
  Target target;
  std::vector<CoreStreams> cores; ///< Exactly target.cores entries.
  std::vector<ConstantSegment> constants;
  std::vector<TensorEntry> io;
  std::vector<TensorEntry> state;
  std::vector<SourceOp> source_ops;
  /// The binary that encoded streams view, kept mapped as long as a copy of
  /// the program lives; null when no stream is encoded.
  std::shared_ptr<const llvm::MemoryBuffer> image;

  Stream &stream(unsigned core, Engine engine) {
    return cores[core][static_cast<unsigned>(engine)];
  }
  const Stream &stream(unsigned core, Engine engine) const {
    return cores[core][static_cast<unsigned>(engine)];
  }
};

/// Number of bytes of a dense tensor, or an error naming `what` if the
/// element count or size overflows 64 bits or the rank exceeds kMaxRank.
llvm::Expected<uint64_t> tensorBytes(const TensorEntry &tensor,
                                     llvm::StringRef what);

/// Checks the whole program: the target (validateTarget), one CoreStreams per
/// core, each stream decoded or encoded (a whole number of instructions that
/// decode()), every instruction (validateInstruction) on an engine that runs
/// it, every stream non-empty and ending in HALT with no HALT before, source
/// indices in range, names non-empty, without NUL and <= kMaxNameLength,
/// I/O and state names unique, ranks <= kMaxRank, constant segments and
/// tensors inside DRAM, constant segments pairwise disjoint, I/O and state
/// tensors pairwise disjoint, no constant overlapping an input. Messages name
/// the table/stream, the index and the field.
llvm::Error validateProgram(const Program &program);

bool operator==(const ConstantSegment &a, const ConstantSegment &b);
bool operator==(const TensorEntry &a, const TensorEntry &b);
bool operator==(const SourceOp &a, const SourceOp &b);
/// Equal instructions and source indices, whatever form each stream has.
bool operator==(const Stream &a, const Stream &b);
/// Equal contents (`image` is where encoded streams live, not content).
bool operator==(const Program &a, const Program &b);
inline bool operator!=(const Program &a, const Program &b) { return !(a == b); }

} // namespace npurt

#endif // NPU_RUNTIME_PROGRAM_H
