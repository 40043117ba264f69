//===- simulator_perf_only.cpp - synthesize a large program for npu-run ---===//
//
// Writes a chip binary of about `count` instructions (default 10 million): a
// pipeline of tiles, each DMA_LOAD -> MXU_LOAD_WEIGHTS + MXU_MATMUL ->
// VPU_EPILOGUE -> DMA_STORE, synchronized by semaphores. The companion
// script simulator_perf_only.sh times `npu-run --perf-only` on it.
// Usage: simulator_perf_only OUT.npu [count]
//        simulator_perf_only --in-process [count]   (times validation and
//        simulation separately, without writing a file)
//        simulator_perf_only --phases FILE.npu      (times what npu-run
//        --perf-only does with FILE: read + validate, then simulate)
// Times are CPU seconds of this process (user + sys).
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"
#include "npu/Runtime/Simulator.h"

#include "llvm/Support/Format.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <ctime>

using namespace npurt;

static double cpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

/// The two phases of `npu-run --perf-only FILE`, timed separately.
static int timePhases(const char *path) {
  double start = cpuSeconds();
  llvm::Expected<Program> program = readBinaryFile(path, StreamForm::Encoded);
  if (!program) {
    llvm::errs() << llvm::toString(program.takeError()) << "\n";
    return 1;
  }
  double read = cpuSeconds();
  SimulatorOptions options;
  options.perf_only = true;
  options.already_validated = true;
  auto simulator =
      llvm::cantFail(Simulator::create(std::move(*program), options));
  RunStats stats = llvm::cantFail(simulator->run());
  double done = cpuSeconds();
  double n = double(stats.instructions);
  llvm::outs() << llvm::format(
      "%llu instructions: read + validate %.3f s cpu (%.2f M/s), simulate "
      "%.3f s cpu (%.2f M/s), both %.3f s cpu (%.2f M/s)\n",
      (unsigned long long)stats.instructions, read - start,
      n / (read - start) / 1e6, done - read, n / (done - read) / 1e6,
      done - start, n / (done - start) / 1e6);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    llvm::errs() << "usage: simulator_perf_only OUT.npu [count]\n";
    return 1;
  }
  if (llvm::StringRef(argv[1]) == "--phases" && argc == 3)
    return timePhases(argv[2]);
  uint64_t count = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 10000000;
  uint64_t tiles = count / 6;
  Program program;
  program.target = llvm::cantFail(Target::preset("npu-base"));
  program.cores.resize(1);
  SourceOp op;
  op.name = "tiles";
  op.kind = "benchmark";
  program.source_ops.push_back(op);

  auto push = [&](Engine engine, Instruction inst) {
    Stream &stream = program.stream(0, engine);
    stream.instructions.push_back(inst);
    stream.source.push_back(0);
  };
  for (uint64_t t = 0; t < tiles; ++t) {
    uint32_t buffer = (t % 2) * (1 << 20); // double buffering in SRAM
    Instruction load;
    load.opcode = Opcode::DmaLoad;
    load.dram_addr = (t % 64) * (1 << 16);
    load.sram_addr = buffer;
    load.extents = {1, 1, 128, 128};
    load.dram_strides = {0, 0, 128, 1};
    load.sram_strides = {0, 0, 128, 1};
    load.dram_dtype = load.sram_dtype = DType::BF16;
    load.signal[0] = 0;
    push(Engine::DmaLoad, load);

    Instruction weights;
    weights.opcode = Opcode::MxuLoadWeights;
    weights.mxu_dtype = DType::BF16;
    weights.k = weights.n = 128;
    weights.row_stride = 128;
    weights.sram_addr = 4 << 20;
    weights.wait[0] = 0;
    push(Engine::Mxu, weights);
    Instruction matmul;
    matmul.opcode = Opcode::MxuMatmul;
    matmul.mxu_dtype = DType::BF16;
    matmul.m = 128;
    matmul.k = matmul.n = 128;
    matmul.row_stride = 128;
    matmul.sram_addr = buffer;
    matmul.acc_row_stride = 128;
    matmul.signal[0] = 1;
    push(Engine::Mxu, matmul);

    Instruction epilogue;
    epilogue.opcode = Opcode::VpuEpilogue;
    epilogue.func = VpuFunc::Relu;
    epilogue.rows = epilogue.cols = 128;
    epilogue.src0 = {Mem::Acc, DType::F32, 0, 128};
    epilogue.dst = {Mem::Sram, DType::BF16, uint32_t(2 << 20) + buffer, 128};
    epilogue.wait[0] = 1;
    epilogue.signal[0] = 2;
    push(Engine::Vpu, epilogue);

    Instruction store = load;
    store.opcode = Opcode::DmaStore;
    store.dram_addr = (64 + t % 64) * (1 << 16);
    store.sram_addr = epilogue.dst.addr;
    store.signal[0] = kNoSemaphore;
    store.wait[0] = 2;
    push(Engine::DmaStore, store);
  }
  for (Stream &stream : program.cores[0]) {
    stream.instructions.push_back(Instruction()); // HALT
    stream.source.push_back(kNoSource);
  }
  if (llvm::StringRef(argv[1]) == "--in-process") {
    // Times validation and simulation without the file round trip.
    double start = cpuSeconds();
    SimulatorOptions options;
    options.perf_only = true;
    auto simulator = llvm::cantFail(Simulator::create(program, options));
    double created = cpuSeconds();
    RunStats stats = llvm::cantFail(simulator->run());
    double done = cpuSeconds();
    double validate = created - start;
    double simulate = done - created;
    llvm::outs() << llvm::format(
        "%llu instructions in memory: validate %.3f s cpu (with a copy of "
        "the program), simulate %.3f s cpu = %.2f M instructions/s\n",
        (unsigned long long)stats.instructions, validate, simulate,
        stats.instructions / simulate / 1e6);
    return 0;
  }
  if (llvm::Error error = writeBinaryFile(program, argv[1])) {
    llvm::errs() << llvm::toString(std::move(error)) << "\n";
    return 1;
  }
  llvm::outs() << "wrote " << argv[1] << ": " << tiles * 5 + 4
               << " instructions\n";
  return 0;
}
