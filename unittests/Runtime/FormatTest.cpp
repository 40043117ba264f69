//===- FormatTest.cpp - target, ISA encoding, validation, ELF binary ------===//
//
// Tests the chip contract: target presets/JSON/validation, the bijective
// 64-byte encoding, validateInstruction's messages, the binary round trip,
// and that malformed or foreign files are rejected (never crash).
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/bit.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cstring>
#include <limits>
#include <random>
#include <set>

using namespace npurt;
using llvm::Expected;

namespace {

/// The error message of `result`, or "<success>".
template <typename T> std::string errorOf(Expected<T> result) {
  if (result)
    return "<success>";
  return llvm::toString(result.takeError());
}
std::string errorOf(llvm::Error err) {
  return err ? llvm::toString(std::move(err)) : "<success>";
}

Target tiny() { return llvm::cantFail(Target::preset("npu-tiny")); }
Target base() { return llvm::cantFail(Target::preset("npu-base")); }

//===----------------------------------------------------------------------===//
// Target
//===----------------------------------------------------------------------===//

TEST(Target, Presets) {
  Target b = base();
  EXPECT_EQ(b.name, "npu-base");
  EXPECT_EQ(b.mxu_rows, 128u);
  EXPECT_EQ(b.mxu_cols, 128u);
  EXPECT_EQ(b.vpu_lanes, 128u);
  EXPECT_EQ(b.sram_bytes, 8u << 20);
  EXPECT_EQ(b.acc_bytes, 1u << 20);
  EXPECT_EQ(b.dram_bytes, 8ull << 30);
  EXPECT_EQ(b.dram_bytes_per_cycle, 512.0);
  EXPECT_EQ(b.dma_latency_cycles, 500u);
  EXPECT_EQ(b.semaphores, 32u);
  EXPECT_EQ(b.mxu_rate_fp32, 0.25);
  Target t = tiny();
  EXPECT_EQ(t.name, "npu-tiny");
  EXPECT_EQ(t.mxu_rows, 32u);
  EXPECT_EQ(t.vpu_lanes, 32u);
  EXPECT_EQ(t.sram_bytes, 256u << 10);
  EXPECT_EQ(t.acc_bytes, 64u << 10);
  EXPECT_EQ(t.dram_bytes, 256u << 20);
  EXPECT_EQ(t.semaphores, 16u);
  for (llvm::StringRef name : presetNames())
    EXPECT_EQ(errorOf(validateTarget(llvm::cantFail(Target::preset(name)))),
              "<success>");
  EXPECT_EQ(errorOf(Target::preset("npu-huge")),
            "unknown target preset 'npu-huge' (expected one of: npu-base, "
            "npu-tiny)");
}

TEST(Target, JsonRoundTrip) {
  for (const Target &t : {base(), tiny()}) {
    std::string text = toJSON(t);
    Expected<Target> parsed = parseTargetJSON(text);
    ASSERT_TRUE(!!parsed) << errorOf(std::move(parsed));
    EXPECT_EQ(*parsed, t);
    EXPECT_EQ(toJSON(*parsed), text);
  }
  Target odd = base();
  odd.clock_ghz = 0.1 + 0.2; // Needs all 17 digits to round-trip.
  EXPECT_EQ(llvm::cantFail(parseTargetJSON(toJSON(odd))).clock_ghz,
            odd.clock_ghz);
  EXPECT_NE(toJSON(base()).find("\n  \"mxu_rows\": 128,\n"), std::string::npos);
}

/// Parses a JSON file under targets/.
Expected<Target> targetFile(llvm::StringRef name, std::string *text = nullptr) {
  std::string path = std::string(NPU_SOURCE_DIR) + "/targets/" + name.str();
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return llvm::createStringError(buffer.getError(), "cannot read " + path);
  if (text)
    *text = (*buffer)->getBuffer().str();
  return parseTargetJSON((*buffer)->getBuffer());
}

TEST(Target, CheckedInFiles) {
  // The preset files are the canonical JSON of the presets.
  for (llvm::StringRef preset : presetNames()) {
    std::string text;
    Expected<Target> t = targetFile(preset.str() + ".json", &text);
    ASSERT_TRUE(!!t) << errorOf(std::move(t));
    EXPECT_EQ(*t, llvm::cantFail(Target::preset(preset)));
    EXPECT_EQ(toJSON(*t), text);
  }
  Expected<Target> dual = targetFile("npu-base-2core.json");
  ASSERT_TRUE(!!dual) << errorOf(std::move(dual));
  EXPECT_EQ(dual->cores, 2u);
  EXPECT_EQ(dual->mxu_rows, 128u);
  Expected<Target> edge = targetFile("npu-edge.json");
  ASSERT_TRUE(!!edge) << errorOf(std::move(edge));
  EXPECT_EQ(edge->mxu_rows, 64u);
  EXPECT_EQ(edge->mxu_rate_int8, 4.0);
}

TEST(Target, JsonPresetAndOverrides) {
  Target t = llvm::cantFail(parseTargetJSON(
      R"({"preset": "npu-tiny", "name": "mine", "cores": 2,
          "dram_bytes_per_cycle": 96.5})"));
  EXPECT_EQ(t.name, "mine");
  EXPECT_EQ(t.mxu_rows, 32u);
  EXPECT_EQ(t.cores, 2u);
  EXPECT_EQ(t.dram_bytes_per_cycle, 96.5);
  // Absent keys come from npu-base.
  EXPECT_EQ(llvm::cantFail(parseTargetJSON("{}")), base());
}

TEST(Target, JsonErrors) {
  EXPECT_EQ(errorOf(parseTargetJSON("[1]")), "target JSON must be an object");
  EXPECT_NE(errorOf(parseTargetJSON("{")).find("target JSON: "),
            std::string::npos);
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"mxu_row": 4})")),
            "unknown target key 'mxu_row'");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"mxu_rows": "4"})")),
            "target key 'mxu_rows' must be a non-negative integer");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"cores": -1})")),
            "target key 'cores' must be a non-negative integer");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"cores": 1.5})")),
            "target key 'cores' must be a non-negative integer");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"clock_ghz": true})")),
            "target key 'clock_ghz' must be a number");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"name": 3})")),
            "target key 'name' must be a string");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"preset": 3})")),
            "target JSON key 'preset' must be a string");
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"preset": "x"})")),
            "unknown target preset 'x' (expected one of: npu-base, npu-tiny)");
  // Validation runs on the parsed result.
  EXPECT_EQ(errorOf(parseTargetJSON(R"({"mxu_rows": 100})")),
            "mxu_rows must be a power of two in [4, 1024]");
}

TEST(Target, ValidationNamesTheField) {
  struct Case {
    void (*mutate)(Target &);
    const char *message;
  };
  const Case cases[] = {
      {[](Target &t) { t.name = ""; }, "name must not be empty"},
      {[](Target &t) { t.clock_ghz = 0; }, "clock_ghz must be in (0, 100]"},
      {[](Target &t) { t.cores = 0; }, "cores must be in [1, 64]"},
      {[](Target &t) { t.mxu_cols = 2048; },
       "mxu_cols must be a power of two in [4, 1024]"},
      {[](Target &t) { t.mxu_rate_int8 = 0; },
       "mxu_rate_int8 must be in (0, 64]"},
      {[](Target &t) { t.vpu_lanes = 3; },
       "vpu_lanes must be a power of two in [1, 4096]"},
      {[](Target &t) { t.vpu_transcendental_cycles = 0; },
       "vpu_transcendental_cycles must be in [1, 1024]"},
      {[](Target &t) { t.sram_banks = 3; },
       "sram_banks must be a power of two in [1, 256]"},
      {[](Target &t) { t.sram_alignment = 2; },
       "sram_alignment must be a power of two in [4, 4096]"},
      {[](Target &t) { t.sram_bytes = (8u << 20) + 64; },
       "sram_bytes must be a multiple of sram_banks*sram_alignment (1024)"},
      {[](Target &t) { t.sram_bytes = 1ull << 33; },
       "sram_bytes must be in [1, 4294967296]"},
      {[](Target &t) { t.acc_alignment = 6; },
       "acc_alignment must be a power of two in [4, 4096]"},
      {[](Target &t) { t.acc_bytes = 1024; },
       "acc_bytes must hold at least one mxu_rows x mxu_cols fp32 tile "
       "(65536 bytes)"},
      {[](Target &t) { t.dram_bytes = 100; },
       "dram_bytes must be a multiple of 64 in [64, 2^40]"},
      {[](Target &t) { t.dram_bytes_per_cycle = -1; },
       "dram_bytes_per_cycle must be in (0, 65536]"},
      {[](Target &t) { t.dma_queues = 3; },
       "dma_queues must be 2 (one load and one store queue)"},
      {[](Target &t) { t.semaphores = 256; }, "semaphores must be in [1, 255]"},
      {[](Target &t) { t.energy_dram_pj_per_byte = -1; },
       "energy_dram_pj_per_byte must be in [0, 1e6]"},
      {[](Target &t) { t.static_power_w = std::nan(""); },
       "static_power_w must be in [0, 1e6]"},
  };
  for (const Case &c : cases) {
    Target t = base();
    c.mutate(t);
    EXPECT_EQ(errorOf(validateTarget(t)), c.message);
  }
}

//===----------------------------------------------------------------------===//
// Instructions: one valid example per opcode (on npu-tiny)
//===----------------------------------------------------------------------===//

Instruction dmaLoad() {
  Instruction i;
  i.opcode = Opcode::DmaLoad;
  i.signal = {0, kNoSemaphore};
  i.dram_addr = 0x1000;
  i.sram_addr = 0x40;
  i.dram_dtype = DType::F32;
  i.sram_dtype = DType::BF16;
  i.extents = {1, 2, 32, 32};
  i.dram_strides = {0, 32, 1, 64}; // A transposing gather.
  i.sram_strides = {0, 1024, 32, 1};
  return i;
}

Instruction dmaStore() {
  Instruction i;
  i.opcode = Opcode::DmaStore;
  i.wait = {1, kNoSemaphore};
  i.dram_addr = 0x2000;
  i.sram_addr = 0x8000;
  i.extents = {1, 1, 32, 32};
  i.dram_strides = {0, 0, 32, 1};
  i.sram_strides = {0, 0, 32, 1};
  return i;
}

Instruction loadWeights() {
  Instruction i;
  i.opcode = Opcode::MxuLoadWeights;
  i.flags = kFlagTranspose;
  i.wait = {0, kNoSemaphore};
  i.sram_addr = 0x40;
  i.mxu_dtype = DType::BF16;
  i.k = 32;
  i.n = 16;
  i.row_stride = 32;
  return i;
}

Instruction matmul() {
  Instruction i;
  i.opcode = Opcode::MxuMatmul;
  i.flags = kFlagAccumulate;
  i.signal = {2, 3};
  i.sram_addr = 0x800;
  i.acc_addr = 0x100;
  i.mxu_dtype = DType::BF16;
  i.m = 64;
  i.k = 32;
  i.n = 16;
  i.row_stride = 32;
  i.acc_row_stride = 16;
  return i;
}

Instruction vpu(Opcode op) {
  Instruction i;
  i.opcode = op;
  i.rows = 8;
  i.cols = 32;
  i.dst = {Mem::Sram, DType::F32, 0x8000, 32};
  i.src0 = {Mem::Sram, DType::BF16, 0x9000, 40};
  return i;
}

Instruction epilogue() {
  Instruction i = vpu(Opcode::VpuEpilogue);
  i.flags = kFlagBias;
  i.wait = {2, kNoSemaphore};
  i.signal = {1, kNoSemaphore};
  i.func = VpuFunc::Clip;
  i.imm0 = -1.0f;
  i.imm1 = 6.0f;
  i.src0 = {Mem::Acc, DType::I32, 0x100, 32};
  i.src1 = {Mem::Sram, DType::F32, 0xA000, 0};
  i.dst.dtype = DType::I8;
  i.scale = 0.05f;
  i.zero_point = -3;
  return i;
}

std::vector<Instruction> oneOfEach() {
  std::vector<Instruction> all;
  Instruction halt;
  halt.wait = {4, 5};
  all.push_back(halt);
  Instruction nop;
  nop.opcode = Opcode::Nop;
  nop.signal = {6, kNoSemaphore};
  all.push_back(nop);
  all.push_back(dmaLoad());
  all.push_back(dmaStore());
  all.push_back(loadWeights());
  all.push_back(matmul());
  Instruction binary = vpu(Opcode::VpuBinary);
  binary.func = VpuFunc::CmpLe;
  binary.broadcast = Broadcast::Row;
  binary.src1 = {Mem::Acc, DType::F32, 0x40, 0};
  all.push_back(binary);
  Instruction scalar = vpu(Opcode::VpuBinary);
  scalar.func = VpuFunc::Pow;
  scalar.broadcast = Broadcast::Scalar;
  scalar.imm0 = 0.5f;
  all.push_back(scalar);
  Instruction unary = vpu(Opcode::VpuUnary);
  unary.func = VpuFunc::LeakyRelu;
  unary.imm0 = 0.01f;
  all.push_back(unary);
  Instruction reduce = vpu(Opcode::VpuReduce);
  reduce.flags = kFlagAccumulate;
  reduce.func = VpuFunc::Max;
  reduce.reduce_dim = ReduceDim::Rows;
  all.push_back(reduce);
  Instruction fill = vpu(Opcode::VpuBroadcast);
  fill.broadcast = Broadcast::Scalar;
  fill.src0 = {};
  fill.imm0 = -3.5f;
  all.push_back(fill);
  Instruction column = vpu(Opcode::VpuBroadcast);
  column.broadcast = Broadcast::Col;
  column.src0.row_stride = 1;
  all.push_back(column);
  Instruction cast = vpu(Opcode::VpuCast);
  cast.src0 = {Mem::Acc, DType::I32, 0, 32};
  cast.dst.dtype = DType::I8;
  cast.scale = 0.25f;
  cast.zero_point = 7;
  all.push_back(cast);
  Instruction select = vpu(Opcode::VpuSelect);
  select.src1 = {Mem::Sram, DType::F32, 0xA000, 32};
  select.src2 = {Mem::Acc, DType::F32, 0x0, 32};
  all.push_back(select);
  all.push_back(epilogue());
  return all;
}

TEST(ISA, EveryOpcodeRoundTripsAndValidates) {
  std::vector<Instruction> all = oneOfEach();
  std::set<Opcode> covered;
  for (const Instruction &inst : all) {
    covered.insert(inst.opcode);
    SCOPED_TRACE(opcodeName(inst.opcode).str());
    EXPECT_EQ(errorOf(validateInstruction(inst, tiny())), "<success>");
    EncodedInstruction words = encode(inst);
    EXPECT_EQ(words[0] & 0xFF, static_cast<uint8_t>(inst.opcode));
    Expected<Instruction> decoded = decode(words);
    ASSERT_TRUE(!!decoded) << errorOf(std::move(decoded));
    EXPECT_EQ(*decoded, inst);
    EXPECT_EQ(encode(*decoded), words);
    EXPECT_EQ(opcodeFromName(opcodeName(inst.opcode)), inst.opcode);
  }
  EXPECT_EQ(covered.size(), 13u); // Every opcode of the ISA.
}

TEST(ISA, EncodingLayout) {
  // The header layout of docs/isa.md: opcode | flags | wait0 | wait1 |
  // signal0 | signal1 | reserved.
  EncodedInstruction w = encode(matmul());
  EXPECT_EQ(w[0], 0x0000'0302'FFFF'0121ull);
  EXPECT_EQ(w[1], 0x0000'0100'0000'0800ull); // acc_addr | sram_addr
  EXPECT_EQ(w[2], 0x0010'0020'0000'0040ull); // n | k | m
  EXPECT_EQ(w[3], 0x0000'0010'0000'0020ull); // acc_row_stride | row_stride
  EXPECT_EQ(w[4], 0x01ull);                  // mxu_dtype bf16
  EncodedInstruction d = encode(dmaLoad());
  EXPECT_EQ(d[1], 0x1000ull);
  EXPECT_EQ(d[2], 0x0000'0100'0000'0040ull); // sram bf16 | dram f32 | addr
  EXPECT_EQ(d[3], 0x0020'0020'0002'0001ull); // extents, dim 0 lowest
  EXPECT_EQ(d[4], 0x0000'0020'0000'0000ull); // dram_strides[1] | [0]
  EncodedInstruction e = encode(epilogue());
  EXPECT_EQ(e[6] >> 48, 0xFD02ull); // zero_point -3 | mems (src0 in acc)
  EXPECT_EQ(static_cast<uint32_t>(e[1] >> 32), llvm::bit_cast<uint32_t>(0.05f));
}

TEST(ISA, DecodeRejectsWhatEncodeCannotProduce) {
  EncodedInstruction zero = {};
  EXPECT_EQ(errorOf(decode(zero)), "unknown opcode 0x0");
  EncodedInstruction w = encode(matmul());
  w[0] |= 1ull << 50;
  EXPECT_EQ(errorOf(decode(w)),
            "reserved bits 48-63 of word 0 of mxu_matmul are not zero");
  w = encode(matmul());
  w[5] = 1;
  EXPECT_EQ(errorOf(decode(w)), "reserved bits of word 5 of mxu_matmul are "
                                "not zero (0x0000000000000001)");
  w = encode(matmul());
  w[4] = 9;
  EXPECT_EQ(errorOf(decode(w)), "unknown dtype 9 in mxu_dtype of mxu_matmul");
  w = encode(vpu(Opcode::VpuUnary));
  w[6] |= 99;
  EXPECT_EQ(errorOf(decode(w)), "unknown vpu function 99 in vpu_unary");
  w = encode(vpu(Opcode::VpuBinary));
  w[6] |= 7ull << 8;
  EXPECT_EQ(errorOf(decode(w)), "unknown broadcast mode 7 in vpu_binary");
  w = encode(vpu(Opcode::VpuReduce));
  w[6] |= 2ull << 8;
  EXPECT_EQ(errorOf(decode(w)), "unknown reduce dimension 2 in vpu_reduce");
  w = encode(vpu(Opcode::VpuCast));
  w[6] |= 1ull << 53; // Memory-space bit beyond the four operands.
  EXPECT_EQ(errorOf(decode(w)), "reserved bits of word 6 of vpu_cast are not "
                                "zero (0x0020000000000000)");
  w = {};
  w[0] = static_cast<uint8_t>(Opcode::Halt);
  w[7] = 1;
  EXPECT_EQ(errorOf(decode(w)), "reserved bits of word 7 of halt are not "
                                "zero (0x0000000000000001)");
}

TEST(ISA, DecodedWordsReencodeExactly) {
  // The reader skips comparing instruction sections with their re-encoding
  // because decode() accepts only words encode() produces: check that on
  // random bit flips of every opcode's example.
  std::mt19937_64 rng(3);
  size_t decoded = 0;
  for (const Instruction &inst : oneOfEach()) {
    for (int trial = 0; trial < 20000; ++trial) {
      EncodedInstruction words = encode(inst);
      for (int flips = 1 + rng() % 3; flips > 0; --flips)
        words[rng() % 8] ^= 1ull << (rng() % 64);
      Expected<Instruction> result = decode(words);
      if (!result) {
        llvm::consumeError(result.takeError());
        continue;
      }
      ++decoded;
      ASSERT_EQ(encode(*result), words);
    }
  }
  EXPECT_GT(decoded, 100000u);
}

TEST(ISA, Properties) {
  EXPECT_EQ(engineOf(Opcode::DmaStore), Engine::DmaStore);
  EXPECT_EQ(engineOf(Opcode::MxuMatmul), Engine::Mxu);
  EXPECT_EQ(engineOf(Opcode::VpuEpilogue), Engine::Vpu);
  EXPECT_EQ(engineOf(Opcode::Halt), std::nullopt);
  EXPECT_TRUE(runsOn(Opcode::Nop, Engine::DmaLoad));
  EXPECT_FALSE(runsOn(Opcode::MxuMatmul, Engine::Vpu));
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::I8), 1u);
  EXPECT_TRUE(isTranscendental(VpuFunc::Exp));
  EXPECT_TRUE(isTranscendental(VpuFunc::Sin));
  EXPECT_TRUE(isTranscendental(VpuFunc::Mod));
  EXPECT_FALSE(isTranscendental(VpuFunc::Relu));
  EXPECT_FALSE(isTranscendental(VpuFunc::Floor));
  EXPECT_TRUE(isBinaryFunc(VpuFunc::FMod));
  EXPECT_FALSE(isBinaryFunc(VpuFunc::Sign));
  EXPECT_TRUE(isUnaryFunc(VpuFunc::Atan));
  EXPECT_TRUE(isRoundingFunc(VpuFunc::RoundEven));
  EXPECT_FALSE(isRoundingFunc(VpuFunc::Sign));
  EXPECT_TRUE(hasIntegerForm(VpuFunc::Mod));
  EXPECT_FALSE(hasIntegerForm(VpuFunc::Floor));
  EXPECT_EQ(vpuFuncName(VpuFunc::RoundEven), "round_even");
  EXPECT_EQ(vpuFuncFromName("fmod"), VpuFunc::FMod);
  EXPECT_EQ(vpuFuncName(VpuFunc::GeluTanh), "gelu_tanh");
  EXPECT_EQ(vpuFuncName(VpuFunc::HashUniform), "hash_uniform");
  EXPECT_EQ(vpuFuncFromName("hash_uniform"), VpuFunc::HashUniform);
  EXPECT_TRUE(isTranscendental(VpuFunc::HashUniform));
  EXPECT_EQ(vpuFuncFromName("leaky_relu"), VpuFunc::LeakyRelu);
  EXPECT_EQ(dtypeFromName("bf16"), DType::BF16);
  EXPECT_EQ(engineFromName("dma_store"), Engine::DmaStore);
  EXPECT_EQ(opcodeName(static_cast<Opcode>(0x77)), "<invalid>");
}

//===----------------------------------------------------------------------===//
// validateInstruction: each rule's message
//===----------------------------------------------------------------------===//

TEST(Validate, InstructionMessages) {
  struct Case {
    Instruction (*make)();
    const char *message;
  };
  const Case cases[] = {
      {[] {
         Instruction i = dmaLoad();
         i.sram_addr = 0x7ff000;
         i.sram_dtype = DType::F32;
         i.extents = {1, 1, 1, 2048};
         i.dram_strides = {0, 0, 0, 1};
         i.sram_strides = {0, 0, 0, 1};
         return i;
       },
       "sram range [0x7ff000, 0x801000) of dma_load exceeds sram_bytes "
       "(8388608)"},
      {[] {
         Instruction i = dmaStore();
         i.dram_addr = (8ull << 30) - 64;
         return i;
       },
       "dram range [0x1ffffffc0, 0x200000fc0) of dma_store exceeds "
       "dram_bytes (8589934592)"},
      {[] {
         Instruction i = dmaStore();
         i.dram_addr = 0xfffffffffffffff0ull;
         return i;
       },
       "dram range [0xfffffffffffffff0, 0x10000000000000ff0) of dma_store "
       "exceeds dram_bytes (8589934592)"},
      {[] {
         Instruction i = dmaStore();
         i.dram_addr = 0x100;
         i.dram_strides[2] = -32;
         return i;
       },
       "dram range [-0xe80, 0x180) of dma_store exceeds dram_bytes "
       "(8589934592)"},
      {[] {
         Instruction i = dmaStore();
         i.dram_addr = 0x2002;
         return i;
       },
       "dram_addr 0x2002 of dma_store is not aligned to its element size (4)"},
      {[] {
         Instruction i = dmaLoad();
         i.sram_dtype = DType::I8;
         return i;
       },
       "dma_load cannot convert f32 to i8 (only equal dtypes or f32<->bf16)"},
      {[] {
         Instruction i = dmaLoad();
         i.extents[1] = 0;
         return i;
       },
       "extents[1] of dma_load must be >= 1"},
      {[] {
         Instruction i = dmaLoad();
         i.wait[1] = 32;
         return i;
       },
       "wait1 semaphore 32 of dma_load is out of range (semaphores = 32)"},
      {[] {
         Instruction i = dmaLoad();
         i.signal[0] = 200;
         return i;
       },
       "signal0 semaphore 200 of dma_load is out of range (semaphores = 32)"},
      {[] {
         Instruction i = dmaLoad();
         i.flags = kFlagAccumulate;
         return i;
       },
       "flags 0x01 of dma_load has bits not allowed for this opcode "
       "(allowed: 0x00)"},
      {[] {
         Instruction i = dmaLoad();
         i.rows = 3;
         return i;
       },
       "rows of dma_load must be zero (unused by this opcode)"},
      {[] {
         Instruction i = dmaLoad();
         i.sram_dtype = static_cast<DType>(7);
         return i;
       },
       "unknown dtype 7 in sram_dtype of dma_load"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.src1.mem = static_cast<Mem>(2);
         return i;
       },
       "unknown memory 2 in vpu_unary"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = static_cast<VpuFunc>(99);
         return i;
       },
       "unknown vpu function 99 in vpu_unary"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.broadcast = static_cast<Broadcast>(4);
         return i;
       },
       "unknown broadcast mode 4 in vpu_binary"},
      {[] {
         Instruction i = vpu(Opcode::VpuReduce);
         i.reduce_dim = static_cast<ReduceDim>(2);
         return i;
       },
       "unknown reduce dimension 2 in vpu_reduce"},
      {[] {
         Instruction i;
         i.opcode = static_cast<Opcode>(0x99);
         return i;
       },
       "unknown opcode 0x99"},
      {[] {
         Instruction i;
         i.acc_addr = 4;
         return i;
       },
       "acc_addr of halt must be zero (unused by this opcode)"},
      {[] {
         Instruction i = matmul();
         i.k = 129;
         return i;
       },
       "k (129) of mxu_matmul must be in [1, mxu_rows = 128]"},
      {[] {
         Instruction i = loadWeights();
         i.n = 0;
         return i;
       },
       "n (0) of mxu_load_weights must be in [1, mxu_cols = 128]"},
      {[] {
         Instruction i = matmul();
         i.mxu_dtype = DType::I32;
         return i;
       },
       "mxu_dtype i32 of mxu_matmul is not supported by the MXU (bf16, f32, "
       "i8)"},
      {[] {
         Instruction i = matmul();
         i.m = 0;
         return i;
       },
       "m of mxu_matmul must be >= 1"},
      {[] {
         Instruction i = matmul();
         i.sram_addr = 0x820;
         return i;
       },
       "input sram address 0x820 of mxu_matmul is not aligned to 64"},
      {[] {
         Instruction i = matmul();
         i.acc_addr = 0x102;
         return i;
       },
       "output acc address 0x102 of mxu_matmul is not aligned to 4"},
      {[] {
         Instruction i = matmul();
         i.row_stride = 31;
         return i;
       },
       "input row_stride (31) of mxu_matmul is smaller than its columns (32)"},
      {[] {
         Instruction i = matmul();
         i.m = 20000;
         return i;
       },
       "output acc range [0x100, 0x138900) of mxu_matmul exceeds acc_bytes "
       "(1048576)"},
      {[] {
         Instruction i = loadWeights();
         i.flags = 0;
         i.sram_addr = 0x7fffc0;
         return i;
       },
       "weights sram range [0x7fffc0, 0x8007a0) of mxu_load_weights exceeds "
       "sram_bytes (8388608)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::Exp;
         return i;
       },
       "func exp of vpu_binary is not a binary function"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::Add;
         return i;
       },
       "src1 row_stride (0) of vpu_binary is smaller than its columns (32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.src0.dtype = DType::I8;
         return i;
       },
       "src0 dtype i8 of vpu_unary is not supported in sram (expected f32, "
       "bf16)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.dst.mem = Mem::Acc;
         i.dst.dtype = DType::BF16;
         i.dst.addr = 0;
         return i;
       },
       "dst dtype bf16 of vpu_unary is not supported in acc (expected f32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.dst.addr = 0x8010;
         return i;
       },
       "dst sram address 0x8010 of vpu_unary is not aligned to 64"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.imm0 = 1.0f;
         return i;
       },
       "imm0 of vpu_unary must be zero (unused here)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::HashUniform;
         i.imm0 = std::numeric_limits<float>::infinity();
         return i;
       },
       "imm0 of vpu_unary must be finite"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::HashUniform;
         i.imm1 = 1.0f;
         return i;
       },
       "imm1 of vpu_unary must be zero (unused here)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::HashUniform;
         return i;
       },
       "func hash_uniform of vpu_binary is not a binary function"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Clip;
         i.imm0 = 2.0f;
         i.imm1 = 1.0f;
         return i;
       },
       "clip bounds of vpu_unary must satisfy imm0 <= imm1"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.src2.addr = 64;
         return i;
       },
       "src2 of vpu_unary must be zero (unused by this opcode)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.rows = 0;
         return i;
       },
       "rows and cols of vpu_unary must be >= 1"},
      {[] {
         Instruction i = vpu(Opcode::VpuReduce);
         i.func = VpuFunc::Sub;
         return i;
       },
       "func sub of vpu_reduce is not a reduction (add, mul, max, min)"},
      {[] {
         Instruction i = vpu(Opcode::VpuReduce);
         i.func = VpuFunc::Add;
         i.src0.dtype = DType::I32;
         return i;
       },
       "dst dtype f32 of vpu_reduce is not supported in sram (expected i32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Exp;
         i.src0.dtype = DType::I32;
         return i;
       },
       "func exp of vpu_unary has no integer form (its sources are i32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Clip;
         i.src0.dtype = DType::I32;
         i.imm0 = -1.5f;
         i.imm1 = 6.0f;
         return i;
       },
       "imm0 (-1.5) of vpu_unary must be an integer in the i32 range "
       "(integer mode)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::Add;
         i.src0.dtype = DType::I32;
         i.broadcast = Broadcast::Scalar;
         i.imm0 = 2147483648.0f;
         return i;
       },
       "imm0 (2.14748365e+09) of vpu_binary must be an integer in the i32 "
       "range (integer mode)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::Add;
         i.src0.dtype = DType::I32;
         i.src1 = {Mem::Sram, DType::F32, 0xA000, 32};
         return i;
       },
       "src1 dtype f32 of vpu_binary is not supported in sram (expected i32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBinary);
         i.func = VpuFunc::Add;
         i.dst.dtype = DType::I32;
         i.src1 = {Mem::Sram, DType::F32, 0xA000, 32};
         return i;
       },
       "dst dtype i32 of vpu_binary is not supported in sram (expected f32, "
       "bf16)"},
      {[] {
         Instruction i = vpu(Opcode::VpuBroadcast);
         i.broadcast = Broadcast::Scalar;
         i.dst.dtype = DType::I32;
         i.src0 = {};
         i.imm0 = 0.25f;
         return i;
       },
       "imm0 (0.25) of vpu_broadcast must be an integer in the i32 range "
       "(integer mode)"},
      {[] {
         Instruction i = vpu(Opcode::VpuSelect);
         i.src1 = {Mem::Sram, DType::I32, 0xA000, 32};
         i.src2 = {Mem::Sram, DType::F32, 0xB000, 32};
         i.dst.dtype = DType::I32;
         return i;
       },
       "src2 dtype f32 of vpu_select is not supported in sram (expected "
       "i32)"},
      {[] {
         Instruction i = vpu(Opcode::VpuReduce);
         i.func = VpuFunc::Add;
         i.broadcast = Broadcast::Row;
         return i;
       },
       "broadcast of vpu_reduce must be zero (unused by this opcode)"},
      {[] {
         Instruction i = vpu(Opcode::VpuUnary);
         i.func = VpuFunc::Relu;
         i.broadcast = Broadcast::Row;
         return i;
       },
       "broadcast of vpu_unary must be none"},
      {[] {
         Instruction i = vpu(Opcode::VpuBroadcast);
         return i;
       },
       "broadcast of vpu_broadcast must be row, col or scalar"},
      {[] {
         Instruction i = vpu(Opcode::VpuCast);
         i.dst.dtype = DType::I32;
         i.src0.dtype = DType::F32;
         return i;
       },
       "vpu_cast from f32 to i32 needs a rounding func (trunc, floor, ceil or "
       "round_even), not none"},
      {[] {
         Instruction i = vpu(Opcode::VpuCast);
         i.dst.dtype = DType::I32;
         i.src0.dtype = DType::I32;
         return i;
       },
       "vpu_cast cannot convert i32 to i32"},
      {[] {
         Instruction i = vpu(Opcode::VpuCast);
         i.func = VpuFunc::Floor;
         return i;
       },
       "func of vpu_cast must be none"},
      {[] {
         Instruction i = vpu(Opcode::VpuCast);
         i.dst.dtype = DType::I8;
         return i;
       },
       "scale of vpu_cast must be finite and non-zero"},
      {[] {
         Instruction i = vpu(Opcode::VpuCast);
         i.zero_point = 1;
         return i;
       },
       "scale and zero_point of vpu_cast must be zero (no quantization "
       "here)"},
      {[] {
         Instruction i = vpu(Opcode::VpuSelect);
         i.func = VpuFunc::Add;
         return i;
       },
       "func of vpu_select must be none"},
      {[] {
         Instruction i = epilogue();
         i.src0.mem = Mem::Sram;
         return i;
       },
       "src0 of vpu_epilogue must not be in sram"},
      {[] {
         Instruction i = epilogue();
         i.func = VpuFunc::Add;
         return i;
       },
       "func add of vpu_epilogue is not an activation (none or a unary "
       "function)"},
      {[] {
         Instruction i = epilogue();
         i.flags = 0;
         return i;
       },
       "src1 of vpu_epilogue must be zero (unused by this opcode)"},
      {[] {
         Instruction i = epilogue();
         i.dst.row_stride = 0x7fffffff;
         return i;
       },
       "dst sram range [0x8000, 0x380008019) of vpu_epilogue exceeds "
       "sram_bytes (8388608)"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(errorOf(validateInstruction(c.make(), base())), c.message);
}

//===----------------------------------------------------------------------===//
// Binary
//===----------------------------------------------------------------------===//

/// The 64 bytes of a HALT.
std::vector<uint8_t> encodedHalt() {
  std::vector<uint8_t> bytes(kInstructionBytes);
  EncodedInstruction words = encode(Instruction());
  for (unsigned w = 0; w < words.size(); ++w)
    llvm::support::endian::write64le(bytes.data() + 8 * w, words[w]);
  return bytes;
}

/// A small well-formed program on npu-tiny: load, matmul, epilogue, store.
Program sampleProgram() {
  Program p;
  p.target = tiny();
  p.cores.resize(1);
  Instruction halt;
  auto push = [&](Engine e, Instruction inst, uint32_t source) {
    p.stream(0, e).instructions.push_back(inst);
    p.stream(0, e).source.push_back(source);
  };
  Instruction load = dmaLoad();
  load.dram_addr = 0x1000;
  push(Engine::DmaLoad, load, 0);
  push(Engine::DmaLoad, halt, kNoSource);
  Instruction weights = loadWeights();
  push(Engine::Mxu, weights, 0);
  Instruction mm = matmul();
  mm.flags = 0;
  mm.signal = {2, kNoSemaphore};
  push(Engine::Mxu, mm, 0);
  push(Engine::Mxu, halt, kNoSource);
  push(Engine::Vpu, epilogue(), 1);
  push(Engine::Vpu, halt, kNoSource);
  push(Engine::DmaStore, dmaStore(), kNoSource);
  push(Engine::DmaStore, halt, kNoSource);
  std::vector<uint8_t> weightsBytes(8192);
  for (size_t i = 0; i < weightsBytes.size(); ++i)
    weightsBytes[i] = static_cast<uint8_t>(i * 7);
  p.constants.push_back({0x1000, weightsBytes});
  p.constants.push_back({0x10000, {1, 2, 3}});
  p.io.push_back({"x", IoKind::Input, DType::F32, {2, 32, 32}, 0x4000});
  p.io.push_back({"y", IoKind::Output, DType::I8, {32, 32}, 0x6000});
  p.state.push_back({"fc.weight", IoKind::Input, DType::F32, {64, 32}, 0x1000});
  p.state.push_back({"step", IoKind::Input, DType::I32, {}, 0x6400});
  p.source_ops.push_back({"/fc/MatMul", "nn.matmul", 65536, 0, 16384});
  p.source_ops.push_back({"/fc/Relu", "nn.relu", 0, 1024, 0});
  return p;
}

std::vector<uint8_t> sampleBytes() {
  return llvm::cantFail(writeBinary(sampleProgram()));
}

/// readBinary of `bytes` with the streams left encoded (in a copy the
/// program keeps).
Expected<Program> readEncoded(const std::vector<uint8_t> &bytes) {
  llvm::StringRef text(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
  return readBinary(llvm::MemoryBuffer::getMemBufferCopy(text, "test.npu"),
                    StreamForm::Encoded);
}

/// readBinary of `bytes`. Every test that reads a binary through this also
/// checks that reading it with the streams left encoded gives the same
/// message, or an equal program.
Expected<Program> readBytes(const std::vector<uint8_t> &bytes) {
  llvm::StringRef text(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
  Expected<Program> decoded =
      readBinary(llvm::MemoryBufferRef(text, "test.npu"));
  Expected<Program> encoded = readEncoded(bytes);
  if (!decoded) {
    std::string message = llvm::toString(decoded.takeError());
    EXPECT_EQ(errorOf(std::move(encoded)), message);
    return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
  }
  if (!encoded)
    ADD_FAILURE() << "only the encoded read fails: "
                  << errorOf(std::move(encoded));
  else
    EXPECT_TRUE(*encoded == *decoded);
  return decoded;
}

TEST(Binary, RoundTripIsIdentity) {
  Program p = sampleProgram();
  ASSERT_EQ(errorOf(validateProgram(p)), "<success>");
  std::vector<uint8_t> bytes = sampleBytes();
  EXPECT_EQ(bytes.size() % 8, 0u);
  Expected<Program> back = readBytes(bytes);
  ASSERT_TRUE(!!back) << errorOf(std::move(back));
  EXPECT_EQ(*back, p);
  EXPECT_EQ(llvm::cantFail(writeBinary(*back)), bytes);
  // Deterministic: a second write of an equal program is the same bytes.
  EXPECT_EQ(llvm::cantFail(writeBinary(sampleProgram())), bytes);
}

TEST(Binary, EncodedStreamsAreViewsOfTheFile) {
  std::vector<uint8_t> bytes = sampleBytes();
  Expected<Program> read = readEncoded(bytes);
  ASSERT_TRUE(!!read) << errorOf(read.takeError());
  // The program outlives everything but its own copies: the buffer it keeps
  // is the only one (ASan checks the reads below).
  Program program = std::move(*read);
  for (const CoreStreams &core : program.cores)
    for (const Stream &stream : core) {
      EXPECT_TRUE(stream.isEncoded());
      EXPECT_TRUE(stream.instructions.empty());
      EXPECT_GE(stream.encoded.data(), reinterpret_cast<const uint8_t *>(
                                           program.image->getBufferStart()));
      EXPECT_LE(
          stream.encoded.data() + stream.encoded.size(),
          reinterpret_cast<const uint8_t *>(program.image->getBufferEnd()));
    }
  EXPECT_EQ(program, sampleProgram());
  const Stream &mxu = program.stream(0, Engine::Mxu);
  ASSERT_EQ(mxu.size(), 3u);
  EXPECT_EQ(cantFail(mxu.instruction(1)),
            sampleProgram().stream(0, Engine::Mxu).instructions[1]);
  EXPECT_EQ(cantFail(writeBinary(program)), bytes);
  EXPECT_EQ(errorOf(validateProgram(program)), "<success>");
}

TEST(Binary, MultiCoreRoundTrip) {
  Program p = sampleProgram();
  p.target.cores = 3;
  p.cores.resize(3, p.cores[0]);
  std::vector<uint8_t> bytes = llvm::cantFail(writeBinary(p));
  Expected<Program> back = readBytes(bytes);
  ASSERT_TRUE(!!back) << errorOf(std::move(back));
  EXPECT_EQ(*back, p);
  EXPECT_EQ(streamSectionName(2, Engine::Vpu), ".text.c2.vpu");
}

TEST(Binary, FileRoundTrip) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("format-test", "npu", path));
  ASSERT_EQ(errorOf(writeBinaryFile(sampleProgram(), path)), "<success>");
  Expected<Program> back = readBinaryFile(path);
  EXPECT_TRUE(back && *back == sampleProgram());
  llvm::sys::fs::remove(path);
  EXPECT_NE(errorOf(readBinaryFile(path)).find("cannot read '"),
            std::string::npos);
}

TEST(Binary, FileErrors) {
  EXPECT_EQ(errorOf(writeBinaryFile(sampleProgram(), "/nonexistent/a.npu")),
            "cannot open '/nonexistent/a.npu': No such file or directory");
  if (llvm::sys::fs::exists("/dev/full")) {
    EXPECT_EQ(errorOf(writeBinaryFile(sampleProgram(), "/dev/full")),
              "cannot write '/dev/full': No space left on device");
  }
  std::string message = errorOf(readBinaryFile("/nonexistent/a.npu"));
  EXPECT_EQ(message,
            "cannot read '/nonexistent/a.npu': No such file or directory");
  // Errors of the contents are prefixed by the path.
  llvm::SmallString<128> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("format-test", "npu", path));
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    os << "not a binary";
  }
  EXPECT_EQ(errorOf(readBinaryFile(path)),
            path.str().str() + ": not an ELF file (bad magic)");
  llvm::sys::fs::remove(path);
}

TEST(Binary, WriterValidates) {
  Program p = sampleProgram();
  p.stream(0, Engine::Vpu).instructions.pop_back();
  p.stream(0, Engine::Vpu).source.pop_back();
  EXPECT_EQ(errorOf(writeBinary(p)),
            "stream c0.vpu instruction 0: the stream must end with halt");
}

TEST(Binary, ProgramValidationMessages) {
  struct Case {
    void (*mutate)(Program &);
    const char *message;
  };
  const Case cases[] = {
      {[](Program &p) { p.target.mxu_rows = 3; },
       "target: mxu_rows must be a power of two in [4, 1024]"},
      {[](Program &p) { p.cores.emplace_back(); },
       "program has streams for 2 cores but the target has cores = 1"},
      {[](Program &p) {
         p.stream(0, Engine::Mxu).instructions.clear();
         p.stream(0, Engine::Mxu).source.clear();
       },
       "stream c0.mxu is empty (it must end with halt)"},
      {[](Program &p) { p.stream(0, Engine::Mxu).source.pop_back(); },
       "stream c0.mxu has 2 source indices for 3 instructions"},
      {[](Program &p) {
         static const std::vector<uint8_t> halt = encodedHalt();
         p.stream(0, Engine::Mxu).encoded = halt;
       },
       "stream c0.mxu holds instructions both decoded and encoded"},
      {[](Program &p) {
         static const std::vector<uint8_t> bytes(65);
         p.stream(0, Engine::Mxu).instructions.clear();
         p.stream(0, Engine::Mxu).encoded = bytes;
       },
       "stream c0.mxu has 65 encoded bytes, not a whole number of "
       "instructions"},
      {[](Program &p) {
         static std::vector<uint8_t> bytes = encodedHalt();
         bytes[0] = 0xEE;
         Stream &stream = p.stream(0, Engine::Vpu);
         stream.instructions.clear();
         stream.source.pop_back();
         stream.encoded = bytes;
       },
       "stream c0.vpu instruction 0: unknown opcode 0xee"},
      {[](Program &p) {
         // Decodes, but breaks a rule: a halt that is not last.
         static const std::vector<uint8_t> halts = [] {
           std::vector<uint8_t> two = encodedHalt();
           two.insert(two.end(), two.begin(), two.end());
           return two;
         }();
         Stream &stream = p.stream(0, Engine::Vpu);
         stream.instructions.clear();
         stream.encoded = halts;
       },
       "stream c0.vpu instruction 0: halt before the end of the stream"},
      {[](Program &p) { p.stream(0, Engine::Vpu).instructions[0] = dmaLoad(); },
       "stream c0.vpu instruction 0: dma_load does not run on the vpu engine"},
      {[](Program &p) {
         p.stream(0, Engine::Mxu).instructions[0] = Instruction();
       },
       "stream c0.mxu instruction 0: halt before the end of the stream"},
      {[](Program &p) { p.stream(0, Engine::Mxu).source[1] = 2; },
       "stream c0.mxu instruction 1: source index 2 is out of range (2 source "
       "ops)"},
      {[](Program &p) {
         p.stream(0, Engine::DmaLoad).instructions[0].wait[0] = 16;
       },
       "stream c0.dma_load instruction 0: wait0 semaphore 16 of dma_load is "
       "out of range (semaphores = 16)"},
      {[](Program &p) { p.source_ops[1].name = ""; },
       "source op 1 has an empty name"},
      {[](Program &p) { p.source_ops[0].kind = std::string("a\0b", 3); },
       "source op 0 kind name contains a NUL byte"},
      {[](Program &p) { p.constants[1].bytes.clear(); },
       "constant segment 1 is empty"},
      {[](Program &p) { p.constants[1].dram_addr = (256u << 20) - 2; },
       "constant segment 1 [0xffffffe, +3) exceeds dram_bytes (268435456)"},
      {[](Program &p) { p.constants[1].dram_addr = 0x2ff0; },
       "constant segment 1 [0x2ff0, 0x2ff3) overlaps constant segment 0 "
       "[0x1000, 0x3000) in DRAM"},
      {[](Program &p) { p.io[1].name = "x"; },
       "io tensor 1 'x': duplicate name"},
      {[](Program &p) { p.state[0].name = "y"; },
       "state tensor 0 'y': duplicate name"},
      {[](Program &p) { p.io[1].kind = static_cast<IoKind>(3); },
       "io tensor 1 'y': unknown kind 3"},
      {[](Program &p) { p.io[1].dtype = static_cast<DType>(9); },
       "io tensor 1 'y': unknown dtype"},
      {[](Program &p) { p.state[1].kind = IoKind::Output; },
       "state tensor 1 'step': state tensors have no direction (kind input)"},
      {[](Program &p) { p.io[0].shape.assign(9, 1); },
       "io tensor 0 'x': rank 9 exceeds 8"},
      {[](Program &p) {
         p.io[0].shape = {1ull << 40, 1ull << 30};
       },
       "io tensor 0 'x': size overflows 64 bits"},
      {[](Program &p) { p.io[0].dram_addr = 0x4002; },
       "io tensor 0 'x': dram_addr is not aligned to its element size"},
      {[](Program &p) { p.io[0].dram_addr = (256u << 20) - 64; },
       "io tensor 0 'x': [0xfffffc0, +8192) exceeds dram_bytes (268435456)"},
      {[](Program &p) { p.io[1].dram_addr = 0x4100; },
       "io tensor 1 'y' [0x4100, 0x4500) overlaps io tensor 0 'x' [0x4000, "
       "0x6000) in DRAM"},
      {[](Program &p) { p.io[0].dram_addr = 0x1000; },
       "state tensor 0 'fc.weight' [0x1000, 0x3000) overlaps io tensor 0 'x' "
       "[0x1000, 0x3000) in DRAM"},
      {[](Program &p) {
         p.state.clear();
         p.io[0].dram_addr = 0x1000;
       },
       "io tensor 0 'x' [0x1000, 0x3000) overlaps constant segment 0 "
       "[0x1000, 0x3000) in DRAM"},
  };
  for (const Case &c : cases) {
    Program p = sampleProgram();
    c.mutate(p);
    EXPECT_EQ(errorOf(validateProgram(p)), c.message);
  }
}

/// Offset of section header `index` in a writer-produced file.
size_t sectionHeaderOffset(const std::vector<uint8_t> &bytes, unsigned index) {
  llvm::ELF::Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  return header.e_shoff + index * sizeof(llvm::ELF::Elf64_Shdr);
}

/// Index of the section called `name` in a writer-produced file.
unsigned sectionIndex(const std::vector<uint8_t> &bytes, llvm::StringRef name) {
  llvm::ELF::Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  llvm::ELF::Elf64_Shdr names;
  std::memcpy(&names, &bytes[sectionHeaderOffset(bytes, header.e_shstrndx)],
              sizeof(names));
  for (unsigned i = 1; i < header.e_shnum; ++i) {
    llvm::ELF::Elf64_Shdr s;
    std::memcpy(&s, &bytes[sectionHeaderOffset(bytes, i)], sizeof(s));
    if (name ==
        reinterpret_cast<const char *>(&bytes[names.sh_offset + s.sh_name]))
      return i;
  }
  ADD_FAILURE() << "no section " << name.str();
  return 0;
}

llvm::ELF::Elf64_Shdr sectionHeader(const std::vector<uint8_t> &bytes,
                                    llvm::StringRef name) {
  llvm::ELF::Elf64_Shdr s;
  std::memcpy(&s, &bytes[sectionHeaderOffset(bytes, sectionIndex(bytes, name))],
              sizeof(s));
  return s;
}

TEST(Binary, RejectsForeignFiles) {
  std::mt19937 rng(42);
  std::vector<uint8_t> noise(4096);
  for (uint8_t &b : noise)
    b = static_cast<uint8_t>(rng());
  EXPECT_EQ(errorOf(readBytes(noise)), "not an ELF file (bad magic)");
  EXPECT_EQ(errorOf(readBytes({})), "not an ELF file (bad magic)");
  // ELF magic followed by noise.
  std::memcpy(noise.data(),
              "\x7f"
              "ELF",
              4);
  EXPECT_NE(errorOf(readBytes(noise)), "<success>");

  // An ordinary executable of the host.
  auto host = llvm::MemoryBuffer::getFile("/bin/true");
  if (host) {
    std::string message = errorOf(readBinary((*host)->getMemBufferRef()));
    EXPECT_NE(message.find("not an NPU binary: e_machine is 0x3e"),
              std::string::npos)
        << message;
  }
}

TEST(Binary, RejectsBadHeaders) {
  std::vector<uint8_t> bytes = sampleBytes();
  auto withByte = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> copy = bytes;
    copy[at] = value;
    return errorOf(readBytes(copy));
  };
  EXPECT_EQ(withByte(llvm::ELF::EI_CLASS, llvm::ELF::ELFCLASS32),
            "not a 64-bit ELF file (EI_CLASS 1)");
  EXPECT_EQ(withByte(llvm::ELF::EI_DATA, llvm::ELF::ELFDATA2MSB),
            "not a little-endian ELF file (EI_DATA 2)");
  EXPECT_EQ(withByte(llvm::ELF::EI_VERSION, 2), "unsupported ELF version");
  EXPECT_EQ(withByte(llvm::ELF::EI_OSABI, 0),
            "not an NPU binary: EI_OSABI is 0 (expected 255)");
  EXPECT_EQ(withByte(16, llvm::ELF::ET_DYN),
            "not an NPU binary: e_type is 3 (expected ET_EXEC)");
  EXPECT_EQ(withByte(18, 0x3e),
            "not an NPU binary: e_machine is 0x4e3e (expected 0x4e50)");
  EXPECT_EQ(withByte(48, 2), // e_flags
            "unsupported NPU binary version 2 (this runtime reads version 1)");
}

TEST(Binary, RejectsCorruptSections) {
  std::vector<uint8_t> bytes = sampleBytes();
  // An instruction section whose size is not a whole number of instructions.
  {
    std::vector<uint8_t> copy = bytes;
    size_t at = sectionHeaderOffset(copy, sectionIndex(copy, ".text.c0.mxu"));
    copy[at + offsetof(llvm::ELF::Elf64_Shdr, sh_size)] += 1;
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: section .text.c0.mxu size 193 is not a "
              "multiple of its record size 64");
  }
  // A section running past the end of the file.
  {
    std::vector<uint8_t> copy = bytes;
    size_t at = sectionHeaderOffset(copy, sectionIndex(copy, ".rodata"));
    copy[at + offsetof(llvm::ELF::Elf64_Shdr, sh_size) + 4] = 1;
    EXPECT_NE(errorOf(readBytes(copy))
                  .find("malformed NPU binary: section .rodata: section "),
              std::string::npos);
  }
  // Renaming a section: one unknown, one missing.
  {
    std::vector<uint8_t> copy = bytes;
    llvm::ELF::Elf64_Shdr names = sectionHeader(copy, ".shstrtab");
    llvm::ELF::Elf64_Shdr io = sectionHeader(copy, ".npu.io");
    copy[names.sh_offset + io.sh_name + 6] = 'x';
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: unknown section '.npu.ix'");
  }
  {
    std::vector<uint8_t> copy = bytes;
    llvm::ELF::Elf64_Shdr names = sectionHeader(copy, ".shstrtab");
    llvm::ELF::Elf64_Shdr vpu = sectionHeader(copy, ".text.c0.vpu");
    copy[names.sh_offset + vpu.sh_name + 9] = 'x';
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: unexpected section '.text.c0.xpu' for a "
              "target with 1 core(s)");
  }
  {
    // Point the .npu.state header's name at ".npu.io": a duplicate.
    std::vector<uint8_t> copy = bytes;
    llvm::ELF::Elf64_Shdr io = sectionHeader(copy, ".npu.io");
    size_t at = sectionHeaderOffset(copy, sectionIndex(copy, ".npu.state"));
    std::memcpy(&copy[at], &io.sh_name, 4);
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: duplicate section '.npu.io'");
  }
  // Drop .strtab: move the .shstrtab header into its slot.
  {
    std::vector<uint8_t> copy = bytes;
    unsigned strtab = sectionIndex(copy, ".strtab");
    unsigned names = sectionIndex(copy, ".shstrtab");
    ASSERT_EQ(names, strtab + 1);
    std::memcpy(&copy[sectionHeaderOffset(copy, strtab)],
                &copy[sectionHeaderOffset(copy, names)],
                sizeof(llvm::ELF::Elf64_Shdr));
    uint16_t count = names, index = strtab;
    std::memcpy(&copy[offsetof(llvm::ELF::Elf64_Ehdr, e_shnum)], &count, 2);
    std::memcpy(&copy[offsetof(llvm::ELF::Elf64_Ehdr, e_shstrndx)], &index, 2);
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: missing section '.strtab'");
  }
  // Fewer source indices than instructions.
  {
    std::vector<uint8_t> copy = bytes;
    size_t at = sectionHeaderOffset(copy, sectionIndex(copy, ".npu.srcidx"));
    copy[at + offsetof(llvm::ELF::Elf64_Shdr, sh_size)] -= 8;
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: section .npu.srcidx has 7 entries for 9 "
              "instructions");
  }
  // A string offset outside .strtab.
  {
    std::vector<uint8_t> copy = bytes;
    llvm::ELF::Elf64_Shdr io = sectionHeader(copy, ".npu.io");
    copy[io.sh_offset + 3] = 0x7f;
    uint32_t offset;
    std::memcpy(&offset, &copy[io.sh_offset], 4);
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: .npu.io entry 0 name: string offset " +
                  std::to_string(offset) + " is outside .strtab (size " +
                  std::to_string(sectionHeader(copy, ".strtab").sh_size) + ")");
  }
  // An unknown dtype and a rank over the limit in the I/O table.
  {
    std::vector<uint8_t> copy = bytes;
    copy[sectionHeader(copy, ".npu.io").sh_offset + 5] = 9;
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: .npu.io entry 0: unknown dtype 9");
    copy = bytes;
    copy[sectionHeader(copy, ".npu.state").sh_offset + 80 + 6] = 9;
    EXPECT_EQ(errorOf(readBytes(copy)),
              "malformed NPU binary: .npu.state entry 1: rank 9 exceeds 8");
  }
  // A constant pointing outside .rodata.
  {
    std::vector<uint8_t> copy = bytes;
    copy[sectionHeader(copy, ".npu.constmap").sh_offset + 24 + 15] = 0x80;
    EXPECT_NE(errorOf(readBytes(copy))
                  .find("malformed NPU binary: .npu.constmap entry 1: "),
              std::string::npos);
  }
  // A bad target description.
  {
    std::vector<uint8_t> copy = bytes;
    llvm::ELF::Elf64_Shdr target = sectionHeader(copy, ".npu.target");
    std::string text(copy.begin() + target.sh_offset,
                     copy.begin() + target.sh_offset + target.sh_size);
    size_t at = text.find("\"mxu_rows\": 32");
    copy[target.sh_offset + at + 13] = '3'; // 33
    EXPECT_EQ(errorOf(readBytes(copy)),
              "section .npu.target: mxu_rows must be a power of two in [4, "
              "1024]");
  }
}

TEST(Binary, RejectsBadInstructions) {
  std::vector<uint8_t> bytes = sampleBytes();
  llvm::ELF::Elf64_Shdr load = sectionHeader(bytes, ".text.c0.dma_load");
  // dram_addr (word 1) of the first instruction far outside npu-tiny's DRAM.
  std::vector<uint8_t> copy = bytes;
  copy[load.sh_offset + 8 + 4] = 0x40;
  EXPECT_EQ(errorOf(readBytes(copy)),
            "stream c0.dma_load instruction 0: dram range [0x4000001000, "
            "0x4000003000) of dma_load exceeds dram_bytes (268435456)");
  // An unknown opcode.
  copy = bytes;
  copy[load.sh_offset + 64] = 0xEE;
  EXPECT_EQ(errorOf(readBytes(copy)),
            "section .text.c0.dma_load: instruction 1: unknown opcode 0xee");
  // Source index out of range.
  copy = bytes;
  copy[sectionHeader(copy, ".npu.srcidx").sh_offset] = 5;
  EXPECT_EQ(errorOf(readBytes(copy)),
            "stream c0.dma_load instruction 0: source index 5 is out of range "
            "(2 source ops)");
  // The reader checks each instruction as it decodes it, but errors keep
  // validateProgram's order: stream by stream, instruction by instruction,
  // the instruction's own rules before its source index.
  copy = bytes;
  copy[load.sh_offset + 64 + 2] = 0x40; // wait0 of instruction 1 (halt)
  EXPECT_EQ(errorOf(readBytes(copy)),
            "stream c0.dma_load instruction 1: wait0 semaphore 64 of halt is "
            "out of range (semaphores = 16)");
  copy[sectionHeader(copy, ".npu.srcidx").sh_offset] = 5;
  EXPECT_EQ(errorOf(readBytes(copy)),
            "stream c0.dma_load instruction 0: source index 5 is out of range "
            "(2 source ops)");
  // Padding bytes are part of the canonical form.
  copy = bytes;
  llvm::ELF::Elf64_Shdr target = sectionHeader(copy, ".npu.target");
  copy[target.sh_offset + target.sh_size] = 1;
  EXPECT_EQ(errorOf(readBytes(copy)),
            "non-canonical NPU binary layout: differs from the canonical "
            "encoding at byte offset " +
                std::to_string(target.sh_offset + target.sh_size));
}

TEST(Binary, ConstantBytesAreDataAndTheirPaddingIsCanonical) {
  // A 5-byte segment between the two others leaves 59 padding bytes in
  // .rodata before the next 64-byte aligned segment.
  Program program = sampleProgram();
  program.constants.insert(program.constants.begin() + 1,
                           {0x8000, {9, 9, 9, 9, 9}});
  std::vector<uint8_t> bytes = cantFail(writeBinary(program));
  llvm::ELF::Elf64_Shdr rodata = sectionHeader(bytes, ".rodata");
  // Changing a constant byte gives another valid program.
  std::vector<uint8_t> copy = bytes;
  copy[rodata.sh_offset + 8192 + 2] = 7;
  Expected<Program> read = readBytes(copy);
  ASSERT_TRUE(static_cast<bool>(read)) << errorOf(read.takeError());
  EXPECT_EQ(read->constants[1].bytes, std::vector<uint8_t>({9, 9, 7, 9, 9}));
  // A padding byte does not.
  for (uint64_t at :
       {rodata.sh_offset + 8192 + 5, rodata.sh_offset + 8192 + 63}) {
    copy = bytes;
    copy[at] = 1;
    EXPECT_EQ(errorOf(readBytes(copy)),
              "non-canonical NPU binary layout: differs from the canonical "
              "encoding at byte offset " +
                  std::to_string(at));
  }
}

TEST(Binary, EveryTruncationIsAnError) {
  std::vector<uint8_t> bytes = sampleBytes();
  for (size_t size = 0; size < bytes.size(); ++size) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + size);
    EXPECT_NE(errorOf(readBytes(prefix)), "<success>") << "size " << size;
  }
}

TEST(Binary, EverySingleByteCorruptionIsHandled) {
  // Each byte changed in turn: the reader must return, never crash (ASan
  // builds make this a memory-safety check). A change it accepts must be a
  // change of content (constant data, counters, immediates), so the result
  // still re-serializes to exactly the corrupted bytes; a change in the ELF
  // header or section header table is never accepted.
  std::vector<uint8_t> bytes = sampleBytes();
  llvm::ELF::Elf64_Ehdr header;
  std::memcpy(&header, bytes.data(), sizeof(header));
  size_t accepted = 0;
  for (size_t at = 0; at < bytes.size(); ++at) {
    std::vector<uint8_t> copy = bytes;
    copy[at] ^= 0xA5;
    Expected<Program> result = readBytes(copy);
    if (!result) {
      llvm::consumeError(result.takeError());
      continue;
    }
    ++accepted;
    EXPECT_TRUE(at >= sizeof(header) && at < header.e_shoff) << at;
    EXPECT_EQ(llvm::cantFail(writeBinary(*result)), copy) << at;
  }
  // Every byte of the 8 KiB of constant data is free content.
  EXPECT_GE(accepted, 8192u);
}

} // namespace
