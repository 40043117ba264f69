//===- simulator_matmul.cpp - host GEMM throughput through the executor ---===//
//
// Measures how fast the functional simulator executes large MXU_MATMUL
// instructions on one host core: a program of `count` matmuls of
// [2048 x 128] x [128 x 128] (the largest that fits npu-base's 1 MiB
// accumulator) per dtype, run through Simulator::run, reported in GMAC/s of
// host wall time and of process CPU time (the simulator is single-threaded). Usage: simulator_matmul [count]   (default 100)
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Simulator.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <ctime>
#include <cstdlib>

using namespace npurt;

static Program makeProgram(DType dtype, unsigned count) {
  Program program;
  program.target = llvm::cantFail(Target::preset("npu-base"));
  program.cores.resize(1);
  Stream &mxu = program.stream(0, Engine::Mxu);
  Instruction weights;
  weights.opcode = Opcode::MxuLoadWeights;
  weights.mxu_dtype = dtype;
  weights.k = 128;
  weights.n = 128;
  weights.row_stride = 128;
  weights.sram_addr = 4 << 20;
  mxu.instructions.push_back(weights);
  for (unsigned i = 0; i < count; ++i) {
    Instruction matmul;
    matmul.opcode = Opcode::MxuMatmul;
    matmul.mxu_dtype = dtype;
    matmul.m = 2048;
    matmul.k = 128;
    matmul.n = 128;
    matmul.row_stride = 128;
    matmul.acc_row_stride = 128;
    matmul.flags = i ? kFlagAccumulate : 0;
    mxu.instructions.push_back(matmul);
  }
  for (Stream &stream : program.cores[0]) {
    stream.instructions.push_back(Instruction()); // HALT
    stream.source.assign(stream.instructions.size(), kNoSource);
  }
  return program;
}

int main(int argc, char **argv) {
  unsigned count = argc > 1 ? std::atoi(argv[1]) : 100;
  if (count == 0) {
    llvm::errs() << "usage: simulator_matmul [count > 0]\n";
    return 1;
  }
  for (DType dtype : {DType::F32, DType::BF16, DType::I8}) {
    auto simulator = Simulator::create(makeProgram(dtype, count));
    if (!simulator) {
      llvm::errs() << llvm::toString(simulator.takeError()) << "\n";
      return 1;
    }
    auto start = std::chrono::steady_clock::now();
    std::clock_t cpuStart = std::clock();
    llvm::Expected<RunStats> stats = (*simulator)->run();
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    // CPU time as well: on a loaded machine wall time includes waiting for
    // a core.
    double cpuSeconds = double(std::clock() - cpuStart) / CLOCKS_PER_SEC;
    if (!stats) {
      llvm::errs() << llvm::toString(stats.takeError()) << "\n";
      return 1;
    }
    double macs = double(stats->macs);
    llvm::outs() << llvm::format(
        "%-4s %u x mxu_matmul 2048x128x128: %.3f s wall, %.1f GMAC/s; "
        "%.3f s cpu, %.1f GMAC/s\n",
        dtypeName(dtype).str().c_str(), count, seconds, macs / seconds / 1e9,
        cpuSeconds, macs / cpuSeconds / 1e9);
  }
  return 0;
}
