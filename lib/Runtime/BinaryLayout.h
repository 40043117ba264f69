//===- BinaryLayout.h - section names and record sizes (private) *- C++ -*-===//
//
// The constants the ELF writer and reader must agree on. The layout itself
// is documented in docs/binary-format.md.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_RUNTIME_BINARYLAYOUT_H
#define NPU_LIB_RUNTIME_BINARYLAYOUT_H

#include "npu/Runtime/Program.h"

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace npurt::layout {

/// The canonical bytes of a program that validateProgram accepted
/// (writeBinary without the validation).
std::vector<uint8_t> serialize(const Program &program);

/// The first offset at which `file` differs from serialize(program), or
/// std::nullopt if it is exactly that. For a program read from `file`: the
/// instruction sections are not compared (every instruction decoded from
/// them re-encodes to the same bytes; encoded streams are those bytes), nor
/// the constant segments and source indices (copied from where the
/// canonical layout puts them), and no file-sized buffer is built.
std::optional<uint64_t> firstNonCanonicalByte(const Program &program,
                                              llvm::ArrayRef<uint8_t> file);

constexpr const char *kTargetSection = ".npu.target";
constexpr const char *kSourceIndexSection = ".npu.srcidx";
constexpr const char *kSourceMapSection = ".npu.srcmap";
constexpr const char *kIoSection = ".npu.io";
constexpr const char *kStateSection = ".npu.state";
constexpr const char *kConstMapSection = ".npu.constmap";
constexpr const char *kConstDataSection = ".rodata";
constexpr const char *kStringSection = ".strtab";
constexpr const char *kSectionNameSection = ".shstrtab";

/// .npu.io / .npu.state record: name u32, kind u8, dtype u8, rank u8,
/// reserved u8, dram_addr u64, dims u64[kMaxRank].
constexpr uint64_t kTensorRecordBytes = 80;
/// .npu.srcmap record: name u32, kind u32, macs u64, vector_ops u64,
/// min_dram_bytes u64.
constexpr uint64_t kSourceOpRecordBytes = 32;
/// .npu.constmap record: dram_addr u64, offset in .rodata u64, size u64.
constexpr uint64_t kConstRecordBytes = 24;
/// .npu.srcidx entry: u32 per instruction.
constexpr uint64_t kSourceIndexBytes = 4;
/// Alignment of instruction sections and of each constant in .rodata.
constexpr uint64_t kDataAlignment = 64;

} // namespace npurt::layout

#endif // NPU_LIB_RUNTIME_BINARYLAYOUT_H
