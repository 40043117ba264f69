//===- BinaryWriter.cpp - Program -> ELF64 chip binary --------------------===//
//
// Lays a validated Program out as an ELF64 little-endian file: the ELF
// header, every section's bytes in a fixed order (each padded to its
// alignment with zeros), then the section header table. Nothing depends on
// time, host or hash order, so the same Program always gives the same bytes.
//
//===----------------------------------------------------------------------===//
#include "BinaryLayout.h"
#include "npu/Runtime/Binary.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <functional>
#include <optional>

using namespace llvm;
using namespace npurt;
namespace L = npurt::layout;

static_assert(llvm::endianness::native == llvm::endianness::little,
              "the ELF header structs are copied as host-endian bytes");

std::string npurt::streamSectionName(unsigned core, Engine engine) {
  return formatv(".text.c{0}.{1}", core, engineName(engine)).str();
}

namespace {
/// Little-endian byte appender.
class ByteWriter {
public:
  void u8(uint8_t v) { bytes.push_back(v); }
  void u32(uint32_t v) { append(v); }
  void u64(uint64_t v) { append(v); }
  std::vector<uint8_t> bytes;

private:
  template <typename T> void append(T v) {
    size_t at = bytes.size();
    bytes.resize(at + sizeof(T));
    support::endian::write<T, llvm::endianness::little>(bytes.data() + at, v);
  }
};

/// A NUL-separated string table; equal strings share one entry.
class StringTable {
public:
  StringTable() { data.push_back('\0'); }
  uint32_t add(StringRef s) {
    auto [it, inserted] = offsets.try_emplace(s, data.size());
    if (inserted) {
      data.insert(data.end(), s.begin(), s.end());
      data.push_back('\0');
    }
    return it->second;
  }
  std::vector<uint8_t> data;

private:
  StringMap<uint32_t> offsets;
};

struct Section {
  std::string name;
  uint32_t type;
  uint64_t flags;
  uint64_t alignment;
  uint64_t entsize;
  uint64_t size;
  /// Writes the section's `size` bytes into zero-filled memory. Large
  /// sections (instructions, constants) are produced straight into the file
  /// buffer rather than copied through a temporary.
  std::function<void(uint8_t *)> fill;
  /// Instruction sections: bytes that decode() accepted re-encode to
  /// themselves (and encoded streams are the file's bytes), so a file that
  /// was read needs no comparison of them.
  bool reencodesExactly = false;
  /// .rodata, .npu.srcidx: byte ranges ([offset, offset + size)) of the
  /// section that the reader copied from the file (each constant segment
  /// from where .npu.constmap, compared earlier, says; the source indices
  /// in stream order). When the file's section header puts the section
  /// where the canonical layout does, those bytes are equal by construction
  /// and only the padding between them is compared.
  std::vector<std::pair<uint64_t, uint64_t>> copiedRanges;
};

/// Where everything goes in the file.
struct Layout {
  std::vector<Section> sections;        ///< File order, .shstrtab last.
  std::vector<ELF::Elf64_Shdr> headers; ///< [0] is the null section.
  ELF::Elf64_Ehdr ehdr;
  uint64_t headerTable; ///< File offset of the section header table.
  uint64_t fileBytes;
};
} // namespace

static void writeTensors(ByteWriter &out, ArrayRef<TensorEntry> tensors,
                         StringTable &strings) {
  for (const TensorEntry &tensor : tensors) {
    out.u32(strings.add(tensor.name));
    out.u8(static_cast<uint8_t>(tensor.kind));
    out.u8(static_cast<uint8_t>(tensor.dtype));
    out.u8(static_cast<uint8_t>(tensor.shape.size()));
    out.u8(0);
    out.u64(tensor.dram_addr);
    for (unsigned d = 0; d < kMaxRank; ++d)
      out.u64(d < tensor.shape.size() ? tensor.shape[d] : 0);
  }
}

/// The sections in file order (without the null section).
static std::vector<Section> buildSections(const Program &program) {
  std::vector<Section> sections;
  auto add = [&](StringRef name, uint32_t type, uint64_t flags,
                 uint64_t alignment, uint64_t entsize,
                 std::vector<uint8_t> data) {
    uint64_t size = data.size();
    sections.push_back({name.str(), type, flags, alignment, entsize, size,
                        [data = std::move(data)](uint8_t *out) {
                          std::copy(data.begin(), data.end(), out);
                        }});
  };
  std::string targetJson = toJSON(program.target);
  add(L::kTargetSection, ELF::SHT_PROGBITS, 0, 1, 0,
      std::vector<uint8_t>(targetJson.begin(), targetJson.end()));

  uint64_t instructions = 0;
  for (unsigned core = 0; core < program.cores.size(); ++core) {
    for (unsigned e = 0; e < kNumEngines; ++e) {
      Engine engine = static_cast<Engine>(e);
      const Stream &stream = program.stream(core, engine);
      sections.push_back(
          {streamSectionName(core, engine), ELF::SHT_PROGBITS,
           ELF::SHF_ALLOC | ELF::SHF_EXECINSTR, L::kDataAlignment,
           kInstructionBytes, stream.size() * kInstructionBytes,
           [&stream](uint8_t *out) {
             std::copy(stream.encoded.begin(), stream.encoded.end(), out);
             for (const Instruction &inst : stream.instructions)
               for (uint64_t word : encode(inst)) {
                 support::endian::write64le(out, word);
                 out += 8;
               }
           },
           /*reencodesExactly=*/true});
      instructions += stream.source.size();
    }
  }
  // The source index of every instruction, stream after stream. The reader
  // reads each stream's indices from exactly there, so (like .rodata) they
  // are copied ranges: a file that was read needs no comparison of them.
  uint64_t sourceIndexBytes = instructions * L::kSourceIndexBytes;
  sections.push_back({L::kSourceIndexSection,
                      ELF::SHT_PROGBITS,
                      0,
                      4,
                      L::kSourceIndexBytes,
                      sourceIndexBytes,
                      [&program](uint8_t *out) {
                        for (const CoreStreams &core : program.cores)
                          for (const Stream &stream : core)
                            for (uint32_t source : stream.source) {
                              support::endian::write32le(out, source);
                              out += L::kSourceIndexBytes;
                            }
                      },
                      /*reencodesExactly=*/false,
                      {{0, sourceIndexBytes}}});

  StringTable strings;
  ByteWriter sourceMap;
  for (const SourceOp &op : program.source_ops) {
    sourceMap.u32(strings.add(op.name));
    sourceMap.u32(strings.add(op.kind));
    sourceMap.u64(op.macs);
    sourceMap.u64(op.vector_ops);
    sourceMap.u64(op.min_dram_bytes);
  }
  add(L::kSourceMapSection, ELF::SHT_PROGBITS, 0, 8, L::kSourceOpRecordBytes,
      std::move(sourceMap.bytes));

  ByteWriter io, state;
  writeTensors(io, program.io, strings);
  writeTensors(state, program.state, strings);
  add(L::kIoSection, ELF::SHT_PROGBITS, 0, 8, L::kTensorRecordBytes,
      std::move(io.bytes));
  add(L::kStateSection, ELF::SHT_PROGBITS, 0, 8, L::kTensorRecordBytes,
      std::move(state.bytes));

  ByteWriter constMap;
  uint64_t constBytes = 0;
  std::vector<std::pair<uint64_t, uint64_t>> segmentRanges;
  for (const ConstantSegment &segment : program.constants) {
    constBytes = alignTo(constBytes, L::kDataAlignment);
    constMap.u64(segment.dram_addr);
    constMap.u64(constBytes);
    constMap.u64(segment.bytes.size());
    segmentRanges.push_back({constBytes, segment.bytes.size()});
    constBytes += segment.bytes.size();
  }
  add(L::kConstMapSection, ELF::SHT_PROGBITS, 0, 8, L::kConstRecordBytes,
      std::move(constMap.bytes));
  sections.push_back({L::kConstDataSection, ELF::SHT_PROGBITS, ELF::SHF_ALLOC,
                      L::kDataAlignment, 0, constBytes,
                      [&program, segmentRanges](uint8_t *out) {
                        for (size_t i = 0; i < segmentRanges.size(); ++i)
                          std::copy(program.constants[i].bytes.begin(),
                                    program.constants[i].bytes.end(),
                                    out + segmentRanges[i].first);
                      },
                      /*reencodesExactly=*/false, segmentRanges});
  add(L::kStringSection, ELF::SHT_STRTAB, 0, 1, 0, std::move(strings.data));
  return sections;
}

static Layout planLayout(const Program &program) {
  Layout plan;
  std::vector<Section> &sections = plan.sections;
  sections = buildSections(program);

  // The section-name table names every section, itself included.
  StringTable names;
  std::vector<uint32_t> nameOffsets;
  for (const Section &section : sections)
    nameOffsets.push_back(names.add(section.name));
  uint32_t shstrtabName = names.add(L::kSectionNameSection);
  nameOffsets.push_back(shstrtabName);
  uint64_t namesSize = names.data.size();
  sections.push_back({L::kSectionNameSection, ELF::SHT_STRTAB, 0, 1, 0,
                      namesSize, [data = std::move(names.data)](uint8_t *out) {
                        std::copy(data.begin(), data.end(), out);
                      }});

  plan.headers.resize(sections.size() + 1);
  std::memset(plan.headers.data(), 0,
              plan.headers.size() * sizeof(ELF::Elf64_Shdr));
  uint64_t offset = sizeof(ELF::Elf64_Ehdr);
  for (size_t i = 0; i < sections.size(); ++i) {
    const Section &section = sections[i];
    offset = alignTo(offset, section.alignment);
    ELF::Elf64_Shdr &header = plan.headers[i + 1];
    header.sh_name = nameOffsets[i];
    header.sh_type = section.type;
    header.sh_flags = section.flags;
    header.sh_offset = offset;
    header.sh_size = section.size;
    header.sh_addralign = section.alignment;
    header.sh_entsize = section.entsize;
    offset += section.size;
  }
  plan.headerTable = alignTo(offset, 8);
  plan.fileBytes =
      plan.headerTable + plan.headers.size() * sizeof(ELF::Elf64_Shdr);

  ELF::Elf64_Ehdr &ehdr = plan.ehdr;
  std::memset(&ehdr, 0, sizeof(ehdr));
  std::memcpy(ehdr.e_ident, ELF::ElfMagic, 4);
  ehdr.e_ident[ELF::EI_CLASS] = ELF::ELFCLASS64;
  ehdr.e_ident[ELF::EI_DATA] = ELF::ELFDATA2LSB;
  ehdr.e_ident[ELF::EI_VERSION] = ELF::EV_CURRENT;
  ehdr.e_ident[ELF::EI_OSABI] = ELF::ELFOSABI_STANDALONE;
  ehdr.e_type = ELF::ET_EXEC;
  ehdr.e_machine = kElfMachine;
  ehdr.e_version = ELF::EV_CURRENT;
  ehdr.e_shoff = plan.headerTable;
  ehdr.e_flags = kBinaryVersion;
  ehdr.e_ehsize = sizeof(ELF::Elf64_Ehdr);
  ehdr.e_phentsize = sizeof(ELF::Elf64_Phdr);
  ehdr.e_shentsize = sizeof(ELF::Elf64_Shdr);
  ehdr.e_shnum = plan.headers.size();
  ehdr.e_shstrndx = plan.headers.size() - 1;
  return plan;
}

std::vector<uint8_t> npurt::layout::serialize(const Program &program) {
  Layout plan = planLayout(program);
  std::vector<uint8_t> out(plan.fileBytes);
  std::memcpy(out.data(), &plan.ehdr, sizeof(plan.ehdr));
  for (size_t i = 0; i < plan.sections.size(); ++i)
    plan.sections[i].fill(out.data() + plan.headers[i + 1].sh_offset);
  std::memcpy(out.data() + plan.headerTable, plan.headers.data(),
              plan.headers.size() * sizeof(ELF::Elf64_Shdr));
  return out;
}

/// True if `file` has section header `index` of a table at `table` and it
/// equals `expected`.
static bool fileHeaderMatches(ArrayRef<uint8_t> file, uint64_t table,
                              size_t index, const ELF::Elf64_Shdr &expected) {
  uint64_t at = table + index * sizeof(ELF::Elf64_Shdr);
  return at <= file.size() && sizeof(expected) <= file.size() - at &&
         std::memcmp(file.data() + at, &expected, sizeof(expected)) == 0;
}

std::optional<uint64_t>
npurt::layout::firstNonCanonicalByte(const Program &program,
                                     ArrayRef<uint8_t> file) {
  Layout plan = planLayout(program);
  // Compares file[offset, offset + expected.size()) with `expected`.
  auto differs = [&](uint64_t offset,
                     ArrayRef<uint8_t> expected) -> std::optional<uint64_t> {
    if (offset <= file.size() && expected.size() <= file.size() - offset &&
        std::memcmp(file.data() + offset, expected.data(), expected.size()) ==
            0)
      return std::nullopt;
    for (uint64_t i = 0; i < expected.size(); ++i)
      if (offset + i >= file.size() || file[offset + i] != expected[i])
        return offset + i;
    return std::nullopt;
  };
  auto zeros = [&](uint64_t begin, uint64_t end) -> std::optional<uint64_t> {
    for (uint64_t at = begin; at < end; ++at)
      if (at >= file.size() || file[at] != 0)
        return at;
    return std::nullopt;
  };
  auto asBytes = [](const auto &object, size_t size) {
    return ArrayRef(reinterpret_cast<const uint8_t *>(&object), size);
  };
  if (auto at = differs(0, asBytes(plan.ehdr, sizeof(plan.ehdr))))
    return at;
  uint64_t end = sizeof(plan.ehdr);
  std::vector<uint8_t> expected;
  for (size_t i = 0; i < plan.sections.size(); ++i) {
    const Section &section = plan.sections[i];
    uint64_t offset = plan.headers[i + 1].sh_offset;
    if (auto at = zeros(end, offset))
      return at;
    end = offset + section.size;
    if (section.reencodesExactly) {
      if (end > file.size())
        return file.size();
      continue;
    }
    if (!section.copiedRanges.empty() &&
        fileHeaderMatches(file, plan.headerTable, i + 1, plan.headers[i + 1])) {
      uint64_t at = offset;
      for (auto [begin, size] : section.copiedRanges) {
        if (auto bad = zeros(at, offset + begin))
          return bad;
        at = offset + begin + size;
      }
      if (auto bad = zeros(at, end))
        return bad;
      continue;
    }
    expected.assign(section.size, 0);
    section.fill(expected.data());
    if (auto at = differs(offset, expected))
      return at;
  }
  if (auto at = zeros(end, plan.headerTable))
    return at;
  if (auto at = differs(plan.headerTable,
                        asBytes(*plan.headers.data(),
                                plan.headers.size() * sizeof(ELF::Elf64_Shdr))))
    return at;
  if (file.size() != plan.fileBytes)
    return plan.fileBytes;
  return std::nullopt;
}

Expected<std::vector<uint8_t>> npurt::writeBinary(const Program &program) {
  if (Error err = validateProgram(program))
    return std::move(err);
  return layout::serialize(program);
}

Error npurt::writeBinaryFile(const Program &program, StringRef path) {
  Expected<std::vector<uint8_t>> bytes = writeBinary(program);
  if (!bytes)
    return bytes.takeError();
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return createStringError(ec, "cannot open '" + path + "': " + ec.message());
  os.write(reinterpret_cast<const char *>(bytes->data()), bytes->size());
  os.close();
  if (os.has_error()) {
    std::error_code writeError = os.error();
    os.clear_error();
    return createStringError(writeError, "cannot write '" + path +
                                             "': " + writeError.message());
  }
  return Error::success();
}
