//===- Binary.h - chip binary (ELF64) writer and reader ---------*- C++ -*-===//
//
// A chip binary is an ELF64 little-endian ET_EXEC file for the private
// machine kElfMachine. docs/binary-format.md describes every section. The
// writer is deterministic (same Program, same bytes; no timestamps or
// padding garbage) and the reader, built on llvm::object::ELFFile, validates
// the whole file (validateProgram included) before returning, so
//   readBinary(writeBinary(p)) == p   and   writeBinary(readBinary(b)) == b.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_BINARY_H
#define NPU_RUNTIME_BINARY_H

#include "npu/Runtime/Program.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace npurt {

/// Version of the binary layout and instruction encoding, stored in e_flags.
/// The reader accepts exactly this version.
constexpr uint32_t kBinaryVersion = 1;
/// e_machine of chip binaries ('N' 'P'); not an assigned EM_* value.
constexpr uint16_t kElfMachine = 0x4E50;

/// Name of the section holding the stream of (core, engine), e.g.
/// ".text.c0.dma_load".
std::string streamSectionName(unsigned core, Engine engine);

/// Validates `program` (validateProgram) and serializes it.
llvm::Expected<std::vector<uint8_t>> writeBinary(const Program &program);

/// The form in which readBinary returns instruction streams (Stream).
enum class StreamForm {
  /// Decoded (Stream::instructions): for programs that are run many times.
  Decoded,
  /// Left encoded in the file (Stream::encoded), which the program keeps
  /// (Program::image): for one pass over the instructions, such as a single
  /// run, which then needs no memory per instruction. Validated exactly as
  /// Decoded is, with the same messages.
  Encoded,
};

/// Parses and fully validates a chip binary. Errors name the section, table,
/// entry and field at fault.
llvm::Expected<Program> readBinary(llvm::MemoryBufferRef buffer);

/// readBinary; with StreamForm::Encoded the program keeps `buffer`.
llvm::Expected<Program>
readBinary(std::shared_ptr<const llvm::MemoryBuffer> buffer, StreamForm form);

/// readBinary on the contents of a file; errors are prefixed by the path.
llvm::Expected<Program> readBinaryFile(llvm::StringRef path,
                                       StreamForm form = StreamForm::Decoded);

/// Writes writeBinary(program) to `path`.
llvm::Error writeBinaryFile(const Program &program, llvm::StringRef path);

} // namespace npurt

#endif // NPU_RUNTIME_BINARY_H
