//===- binary_io.cpp - chip binary write / read+validate throughput -------===//
//
// Builds an npu-base program of `count` instructions (default 1 million,
// spread over the four engine streams) plus `mib` MiB of constants (default
// 64) and times, in CPU seconds, validateProgram, writeBinary and readBinary
// (which parses, validates every instruction and checks the canonical
// layout), keeping the streams decoded and leaving them encoded.
// Usage: binary_io [count] [mib]
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <ctime>

using namespace npurt;

static double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/// One typical instruction per engine.
static Instruction sample(Engine engine) {
  Instruction i;
  switch (engine) {
  case Engine::DmaLoad:
  case Engine::DmaStore:
    i.opcode = engine == Engine::DmaLoad ? Opcode::DmaLoad : Opcode::DmaStore;
    i.extents = {1, 1, 128, 128};
    i.dram_strides = {0, 0, 128, 1};
    i.sram_strides = {0, 0, 128, 1};
    break;
  case Engine::Mxu:
    i.opcode = Opcode::MxuMatmul;
    i.mxu_dtype = DType::BF16;
    i.m = i.k = i.n = 128;
    i.row_stride = i.acc_row_stride = 128;
    break;
  case Engine::Vpu:
    i.opcode = Opcode::VpuEpilogue;
    i.func = VpuFunc::Relu;
    i.rows = i.cols = 128;
    i.src0 = {Mem::Acc, DType::F32, 0, 128};
    i.dst = {Mem::Sram, DType::BF16, 0x10000, 128};
    break;
  }
  return i;
}

int main(int argc, char **argv) {
  uint64_t count = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  uint64_t mib = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 64;
  Program program;
  program.target = llvm::cantFail(Target::preset("npu-base"));
  program.cores.resize(1);
  for (unsigned e = 0; e < kNumEngines; ++e) {
    Stream &stream = program.cores[0][e];
    stream.instructions.assign(count / kNumEngines,
                               sample(static_cast<Engine>(e)));
    stream.instructions.push_back(Instruction());
    stream.source.assign(stream.instructions.size(), 0);
  }
  program.source_ops.push_back({"layer", "nn.matmul", 1, 1, 1});
  if (mib)
    program.constants.push_back({0, std::vector<uint8_t>(mib << 20, 1)});
  uint64_t instructions = kNumEngines * (count / kNumEngines + 1);

  double t0 = cpuSeconds();
  if (llvm::Error err = validateProgram(program)) {
    llvm::errs() << llvm::toString(std::move(err)) << "\n";
    return 1;
  }
  double t1 = cpuSeconds();
  std::vector<uint8_t> bytes = llvm::cantFail(writeBinary(program));
  double t2 = cpuSeconds();
  llvm::StringRef text(reinterpret_cast<const char *>(bytes.data()),
                       bytes.size());
  llvm::Expected<Program> back =
      readBinary(llvm::MemoryBufferRef(text, "benchmark.npu"));
  double t3 = cpuSeconds();
  llvm::Expected<Program> encoded =
      readBinary(llvm::MemoryBuffer::getMemBuffer(text, "benchmark.npu",
                                                  /*RequiresNullTerminator=*/
                                                  false),
                 StreamForm::Encoded);
  double t4 = cpuSeconds();
  if (!back || *back != program || !encoded || *encoded != program) {
    llvm::errs() << "round trip failed\n";
    return 1;
  }
  llvm::outs() << llvm::format(
      "%llu instructions + %llu MiB constants (%.1f MB file): validate "
      "%.3f s, write %.3f s, read+validate %.3f s (%.2f M instructions/s), "
      "read+validate leaving the streams encoded %.3f s (%.2f M/s)\n",
      (unsigned long long)instructions, (unsigned long long)mib,
      bytes.size() / 1e6, t1 - t0, t2 - t1, t3 - t2,
      instructions / (t3 - t2) / 1e6, t4 - t3, instructions / (t4 - t3) / 1e6);
  return 0;
}
