//===- BinaryReader.cpp - ELF64 chip binary -> validated Program ----------===//
//
// Parses a chip binary with llvm::object::ELF64LEFile (which bounds-checks
// the section header table and every section's contents against the
// buffer), then checks the ELF identity, the exact set of sections, each
// table's record size, every string offset and count, decodes every
// instruction and checks it against validateProgram's per-instruction rules
// in the same pass (no per-instruction allocation or message on success),
// and runs the rest of validateProgram. The decoded instructions are kept,
// or (StreamForm::Encoded) the streams stay views of the file. Finally the
// program is written back and compared with the input: only the canonical
// layout the writer produces is accepted, which is what makes deserialize ->
// serialize byte-identical.
//
//===----------------------------------------------------------------------===//
#include "BinaryLayout.h"
#include "ProgramChecks.h"
#include "npu/Runtime/Binary.h"
#include "npu/Runtime/HostMemory.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstring>

#if defined(__linux__)
#include <sys/mman.h>
#endif

using namespace llvm;
using namespace npurt;
namespace L = npurt::layout;

using ELFFile = object::ELF64LEFile;
using Shdr = object::ELF64LE::Shdr;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

/// Instructions whose storage is prefaulted at a time (~2.4 MB).
constexpr uint64_t kPrefaultWindow = 16384;

/// Asks the kernel to map the `bytes` of fresh heap at address `at` in one
/// call (Linux MADV_POPULATE_WRITE) instead of one page fault per 4 KiB as
/// the decoder first writes them: for a 10 M-instruction program that is
/// 1.3 GB and a tenth of the load time. Best effort: elsewhere, or on an
/// older kernel, the pages fault in as usual.
static void prefault(uintptr_t at, size_t bytes) {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
  const uintptr_t page = 4096;
  uintptr_t begin = (at + page - 1) & ~(page - 1);
  uintptr_t end = (at + bytes) & ~(page - 1);
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin,
                  MADV_POPULATE_WRITE);
#else
  (void)at;
  (void)bytes;
#endif
}

namespace {
/// Bounds-checked little-endian reads of fixed-size records.
class RecordReader {
public:
  RecordReader(ArrayRef<uint8_t> record) : record(record) {}
  uint8_t u8(size_t at) const { return record[at]; }
  uint32_t u32(size_t at) const {
    return support::endian::read32le(record.data() + at);
  }
  uint64_t u64(size_t at) const {
    return support::endian::read64le(record.data() + at);
  }

private:
  ArrayRef<uint8_t> record;
};

/// Reads one chip binary.
class Reader {
public:
  Reader(const ELFFile &elf, StreamForm form) : elf(elf), form(form) {}
  Expected<Program> read();

private:
  Error checkHeader();
  Error collectSections();
  Expected<ArrayRef<uint8_t>> contents(StringRef name, uint64_t recordBytes);
  Expected<StringRef> string(uint32_t offset, const Twine &what);
  Error readStreams(Program &program);
  Error readSourceMap(Program &program);
  Error readTensors(StringRef section, std::vector<TensorEntry> &out);
  Error readConstants(Program &program);

  const ELFFile &elf;
  StreamForm form;
  StringMap<const Shdr *> sections;
  /// Section names in file order, so errors name the first offender.
  std::vector<StringRef> sectionOrder;
  ArrayRef<uint8_t> strings;
  /// True while every instruction decoded so far passed the per-instruction
  /// rules of validateProgram (all but the source-index range).
  bool instructionsChecked = true;
  /// Copied over the scratch instruction an encoded stream is decoded into
  /// (decodeInto() needs a default-constructed one): value-initializing it
  /// in place compiles to `rep stos`, several times slower per instruction.
  const Instruction blank;
};
} // namespace

Error Reader::checkHeader() {
  const auto &h = elf.getHeader();
  if (h.e_ident[ELF::EI_CLASS] != ELF::ELFCLASS64)
    return fail("not a 64-bit ELF file (EI_CLASS " +
                Twine(unsigned(h.e_ident[ELF::EI_CLASS])) + ")");
  if (h.e_ident[ELF::EI_DATA] != ELF::ELFDATA2LSB)
    return fail("not a little-endian ELF file (EI_DATA " +
                Twine(unsigned(h.e_ident[ELF::EI_DATA])) + ")");
  if (h.e_ident[ELF::EI_VERSION] != ELF::EV_CURRENT ||
      h.e_version != ELF::EV_CURRENT)
    return fail("unsupported ELF version");
  if (h.e_machine != kElfMachine)
    return fail(formatv("not an NPU binary: e_machine is {0:x} (expected "
                        "{1:x})",
                        uint16_t(h.e_machine), kElfMachine)
                    .str());
  if (h.e_ident[ELF::EI_OSABI] != ELF::ELFOSABI_STANDALONE)
    return fail("not an NPU binary: EI_OSABI is " +
                Twine(unsigned(h.e_ident[ELF::EI_OSABI])) + " (expected 255)");
  if (h.e_type != ELF::ET_EXEC)
    return fail("not an NPU binary: e_type is " + Twine(h.e_type) +
                " (expected ET_EXEC)");
  if (h.e_flags != kBinaryVersion)
    return fail("unsupported NPU binary version " + Twine(h.e_flags) +
                " (this runtime reads version " + Twine(kBinaryVersion) + ")");
  return Error::success();
}

Error Reader::collectSections() {
  Expected<ArrayRef<Shdr>> all = elf.sections();
  if (!all)
    return fail("malformed ELF: " + toString(all.takeError()));
  if (all->empty())
    return fail("malformed NPU binary: no section header table");
  for (size_t i = 1; i < all->size(); ++i) {
    const Shdr &section = (*all)[i];
    Expected<StringRef> name = elf.getSectionName(section);
    if (!name)
      return fail("malformed ELF: section " + Twine(i) + ": " +
                  toString(name.takeError()));
    if (!sections.try_emplace(*name, &section).second)
      return fail("malformed NPU binary: duplicate section '" + *name + "'");
    sectionOrder.push_back(*name);
  }
  return Error::success();
}

/// The contents of the required section `name`, whose size must be a
/// multiple of `recordBytes` (0: any size).
Expected<ArrayRef<uint8_t>> Reader::contents(StringRef name,
                                             uint64_t recordBytes) {
  auto it = sections.find(name);
  if (it == sections.end())
    return fail("malformed NPU binary: missing section '" + name + "'");
  Expected<ArrayRef<uint8_t>> data = elf.getSectionContents(*it->second);
  if (!data)
    return fail("malformed NPU binary: section " + name + ": " +
                toString(data.takeError()));
  if (recordBytes && data->size() % recordBytes != 0)
    return fail(formatv("malformed NPU binary: section {0} size {1} is not a "
                        "multiple of its record size {2}",
                        name, data->size(), recordBytes)
                    .str());
  return *data;
}

Expected<StringRef> Reader::string(uint32_t offset, const Twine &what) {
  if (offset >= strings.size())
    return fail(formatv("malformed NPU binary: {0}: string offset {1} is "
                        "outside .strtab (size {2})",
                        what.str(), offset, strings.size())
                    .str());
  const uint8_t *begin = strings.data() + offset;
  const void *end = std::memchr(begin, 0, strings.size() - offset);
  if (!end)
    return fail("malformed NPU binary: " + what +
                ": string is not NUL-terminated in .strtab");
  return StringRef(reinterpret_cast<const char *>(begin),
                   static_cast<const uint8_t *>(end) - begin);
}

Error Reader::readStreams(Program &program) {
  uint64_t cores = program.target.cores;
  program.cores.resize(cores);
  // .text.c<i>.<engine> for exactly the target's cores.
  StringSet<> streamNames;
  for (unsigned core = 0; core < cores; ++core)
    for (unsigned e = 0; e < kNumEngines; ++e)
      streamNames.insert(streamSectionName(core, static_cast<Engine>(e)));
  for (StringRef name : sectionOrder)
    if (name.starts_with(".text.") && !streamNames.contains(name))
      return fail("malformed NPU binary: unexpected section '" + name +
                  "' for a target with " + Twine(cores) + " core(s)");
  Expected<ArrayRef<uint8_t>> sourceIndex =
      contents(L::kSourceIndexSection, L::kSourceIndexBytes);
  if (!sourceIndex)
    return sourceIndex.takeError();
  // All stream sections first, so the index count can be checked up front.
  std::vector<ArrayRef<uint8_t>> codes;
  uint64_t instructions = 0;
  for (unsigned core = 0; core < cores; ++core) {
    for (unsigned e = 0; e < kNumEngines; ++e) {
      Expected<ArrayRef<uint8_t>> code = contents(
          streamSectionName(core, static_cast<Engine>(e)), kInstructionBytes);
      if (!code)
        return code.takeError();
      codes.push_back(*code);
      instructions += code->size() / kInstructionBytes;
    }
  }
  uint64_t entries = sourceIndex->size() / L::kSourceIndexBytes;
  if (entries != instructions)
    return fail(formatv("malformed NPU binary: section .npu.srcidx has {0} "
                        "entries for {1} instructions",
                        entries, instructions)
                    .str());

  // One pass per stream: decode each instruction (in place, or into a
  // temporary for an encoded stream) and, while it is still in cache, run
  // validateProgram's per-instruction rules on it. Both are silent on
  // success; on the first failure decode() (below) or the full
  // validateProgram (in read()) is run to produce the exact message.
  const Target &target = program.target;
  bool keepDecoded = form == StreamForm::Decoded;
  uint64_t nextSource = 0;
  for (unsigned core = 0; core < cores; ++core) {
    for (unsigned e = 0; e < kNumEngines; ++e) {
      Engine engine = static_cast<Engine>(e);
      ArrayRef<uint8_t> code = codes[core * kNumEngines + e];
      Stream &stream = program.cores[core][e];
      uint64_t count = code.size() / kInstructionBytes;
      if (keepDecoded)
        stream.instructions.reserve(count);
      else
        stream.encoded = code;
      const uint8_t *sources =
          sourceIndex->data() + nextSource * L::kSourceIndexBytes;
      nextSource += count;
      stream.source.resize(count);
      for (uint64_t i = 0; i < count; ++i)
        stream.source[i] =
            support::endian::read32le(sources + i * L::kSourceIndexBytes);
      Instruction scratch;
      for (uint64_t i = 0; i < count; ++i) {
        // Window by window, so a binary rejected early commits no memory
        // for the instructions it would have had.
        if (keepDecoded && i % kPrefaultWindow == 0)
          prefault(reinterpret_cast<uintptr_t>(stream.instructions.data()) +
                       i * sizeof(Instruction),
                   std::min(kPrefaultWindow, count - i) * sizeof(Instruction));
        EncodedInstruction words;
        const uint8_t *bytes = code.data() + i * kInstructionBytes;
        for (unsigned w = 0; w < 8; ++w)
          words[w] = support::endian::read64le(bytes + 8 * w);
        Instruction &inst = keepDecoded ? stream.instructions.emplace_back()
                                        : (scratch = blank);
        if (!decodeInto(words, inst))
          return fail(formatv("section {0}: instruction {1}: {2}",
                              streamSectionName(core, engine), i,
                              toString(decode(words).takeError()))
                          .str());
        if (instructionsChecked &&
            !passesInstructionRules(target, engine, inst, i, count))
          instructionsChecked = false;
      }
    }
  }
  return Error::success();
}

Error Reader::readSourceMap(Program &program) {
  Expected<ArrayRef<uint8_t>> data =
      contents(L::kSourceMapSection, L::kSourceOpRecordBytes);
  if (!data)
    return data.takeError();
  for (size_t i = 0; i < data->size() / L::kSourceOpRecordBytes; ++i) {
    RecordReader r(data->slice(i * L::kSourceOpRecordBytes));
    std::string what = formatv(".npu.srcmap entry {0}", i);
    Expected<StringRef> name = string(r.u32(0), what + " name");
    if (!name)
      return name.takeError();
    Expected<StringRef> kind = string(r.u32(4), what + " kind");
    if (!kind)
      return kind.takeError();
    program.source_ops.push_back(
        {name->str(), kind->str(), r.u64(8), r.u64(16), r.u64(24)});
  }
  return Error::success();
}

Error Reader::readTensors(StringRef section, std::vector<TensorEntry> &out) {
  Expected<ArrayRef<uint8_t>> data = contents(section, L::kTensorRecordBytes);
  if (!data)
    return data.takeError();
  for (size_t i = 0; i < data->size() / L::kTensorRecordBytes; ++i) {
    RecordReader r(data->slice(i * L::kTensorRecordBytes));
    std::string what = formatv("{0} entry {1}", section, i);
    TensorEntry tensor;
    Expected<StringRef> name = string(r.u32(0), what + " name");
    if (!name)
      return name.takeError();
    tensor.name = name->str();
    if (r.u8(4) > static_cast<uint8_t>(IoKind::Output))
      return fail("malformed NPU binary: " + what + ": unknown kind " +
                  Twine(unsigned(r.u8(4))));
    tensor.kind = static_cast<IoKind>(r.u8(4));
    if (r.u8(5) > static_cast<uint8_t>(DType::I32))
      return fail("malformed NPU binary: " + what + ": unknown dtype " +
                  Twine(unsigned(r.u8(5))));
    tensor.dtype = static_cast<DType>(r.u8(5));
    unsigned rank = r.u8(6);
    if (rank > kMaxRank)
      return fail("malformed NPU binary: " + what + ": rank " + Twine(rank) +
                  " exceeds " + Twine(kMaxRank));
    tensor.dram_addr = r.u64(8);
    for (unsigned d = 0; d < rank; ++d)
      tensor.shape.push_back(r.u64(16 + 8 * d));
    out.push_back(std::move(tensor));
  }
  return Error::success();
}

Error Reader::readConstants(Program &program) {
  Expected<ArrayRef<uint8_t>> map =
      contents(L::kConstMapSection, L::kConstRecordBytes);
  if (!map)
    return map.takeError();
  Expected<ArrayRef<uint8_t>> data = contents(L::kConstDataSection, 0);
  if (!data)
    return data.takeError();
  for (size_t i = 0; i < map->size() / L::kConstRecordBytes; ++i) {
    RecordReader r(map->slice(i * L::kConstRecordBytes));
    uint64_t offset = r.u64(8), size = r.u64(16);
    if (offset > data->size() || size > data->size() - offset)
      return fail(formatv("malformed NPU binary: .npu.constmap entry {0}: "
                          "[{1}, +{2}) is outside .rodata (size {3})",
                          i, offset, size, data->size())
                      .str());
    ArrayRef<uint8_t> bytes = data->slice(offset, size);
    ConstantSegment &segment = program.constants.emplace_back();
    segment.dram_addr = r.u64(0);
    segment.bytes.reserve(size);
    adviseHugePages(segment.bytes.data(), size);
    segment.bytes.assign(bytes.begin(), bytes.end());
  }
  return Error::success();
}

Expected<Program> Reader::read() {
  if (Error err = checkHeader())
    return std::move(err);
  if (Error err = collectSections())
    return std::move(err);
  static const char *const known[] = {
      L::kTargetSection,    L::kSourceIndexSection, L::kSourceMapSection,
      L::kIoSection,        L::kStateSection,       L::kConstMapSection,
      L::kConstDataSection, L::kStringSection,      L::kSectionNameSection};
  for (StringRef name : sectionOrder)
    if (!name.starts_with(".text.") && !llvm::is_contained(known, name))
      return fail("malformed NPU binary: unknown section '" + name + "'");

  Program program;
  Expected<ArrayRef<uint8_t>> targetText = contents(L::kTargetSection, 0);
  if (!targetText)
    return targetText.takeError();
  Expected<Target> target = parseTargetJSON(StringRef(
      reinterpret_cast<const char *>(targetText->data()), targetText->size()));
  if (!target)
    return fail("section .npu.target: " + toString(target.takeError()));
  program.target = std::move(*target);

  Expected<ArrayRef<uint8_t>> strtab = contents(L::kStringSection, 0);
  if (!strtab)
    return strtab.takeError();
  strings = *strtab;

  if (Error err = readStreams(program))
    return std::move(err);
  if (Error err = readSourceMap(program))
    return std::move(err);
  if (Error err = readTensors(L::kIoSection, program.io))
    return std::move(err);
  if (Error err = readTensors(L::kStateSection, program.state))
    return std::move(err);
  if (Error err = readConstants(program))
    return std::move(err);
  if (Error err = validateProgram(program, instructionsChecked))
    return std::move(err);
  return program;
}

/// readBinary of `buffer`, which must outlive the program if `form` is
/// StreamForm::Encoded.
static Expected<Program> readBinaryAs(MemoryBufferRef buffer, StreamForm form) {
  StringRef bytes = buffer.getBuffer();
  if (bytes.size() < 4 || std::memcmp(bytes.data(), ELF::ElfMagic, 4) != 0)
    return fail("not an ELF file (bad magic)");
  Expected<ELFFile> elf = ELFFile::create(bytes);
  if (!elf)
    return fail("malformed ELF: " + toString(elf.takeError()));
  Expected<Program> program = Reader(*elf, form).read();
  if (!program)
    return program.takeError();

  // Accept only the canonical layout, so a binary maps to exactly one file.
  if (std::optional<uint64_t> at = layout::firstNonCanonicalByte(
          *program, ArrayRef(reinterpret_cast<const uint8_t *>(bytes.data()),
                             bytes.size())))
    return fail(formatv("non-canonical NPU binary layout: differs from the "
                        "canonical encoding at byte offset {0}",
                        *at)
                    .str());
  return program;
}

Expected<Program> npurt::readBinary(MemoryBufferRef buffer) {
  return readBinaryAs(buffer, StreamForm::Decoded);
}

Expected<Program> npurt::readBinary(std::shared_ptr<const MemoryBuffer> buffer,
                                    StreamForm form) {
  Expected<Program> program = readBinaryAs(buffer->getMemBufferRef(), form);
  if (program && form == StreamForm::Encoded)
    program->image = std::move(buffer);
  return program;
}

Expected<Program> npurt::readBinaryFile(StringRef path, StreamForm form) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(path, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path +
                                 "': " + buffer.getError().message());
  Expected<Program> program = readBinary(std::move(*buffer), form);
  if (!program)
    return fail(path + ": " + toString(program.takeError()));
  return program;
}
