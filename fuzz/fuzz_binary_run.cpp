//===- fuzz_binary_run.cpp - libFuzzer: chip binary -> loader + simulator -===//
//
// Loads arbitrary bytes as a chip binary and, when the loader accepts them,
// runs the program on the simulator (functional + performance model, inputs
// left zero) with bounded instruction and cycle counts, then in perf-only mode.
// Whatever the program does — deadlock, out-of-range DMA, semaphore misuse,
// NaNs — must end in a result or an error, not a crash or a hang. The
// perf-only run of the program read with its streams left encoded (as
// `npu-run --perf-only` reads it) must give the same stats or error.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"
#include "npu/Runtime/Simulator.h"
#include "npu/Runtime/Stats.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

/// Enough for every test program; small enough that one input runs in
/// milliseconds. The cycle limit bounds the work of the instructions
/// themselves (a single valid DMA may move 2^32 elements).
static constexpr uint64_t kMaxInstructions = 20000;
static constexpr uint64_t kMaxCycles = 200000;

/// The stats JSON of a run of `program`, or its error message.
static std::string runOnce(const npurt::Program &program, bool perfOnly) {
  npurt::SimulatorOptions options;
  options.perf_only = perfOnly;
  options.max_instructions = kMaxInstructions;
  options.max_cycles = kMaxCycles;
  options.already_validated = true;
  llvm::Expected<std::unique_ptr<npurt::Simulator>> simulator =
      npurt::Simulator::create(program, options);
  if (!simulator)
    return llvm::toString(simulator.takeError());
  llvm::Expected<npurt::RunStats> stats = (*simulator)->run();
  if (!stats)
    return llvm::toString(stats.takeError());
  return npurt::statsToJSON(program, *stats);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::unique_ptr<llvm::WritableMemoryBuffer> copy =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(size, "fuzz.npu",
                                                        llvm::Align(8));
  if (size)
    std::memcpy(copy->getBufferStart(), data, size);
  llvm::Expected<npurt::Program> program =
      npurt::readBinary(copy->getMemBufferRef());
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  runOnce(*program, /*perfOnly=*/false);
  std::string perfOnly = runOnce(*program, /*perfOnly=*/true);
  llvm::Expected<npurt::Program> encoded = npurt::readBinary(
      std::shared_ptr<const llvm::MemoryBuffer>(std::move(copy)),
      npurt::StreamForm::Encoded);
  if (!encoded) {
    llvm::errs() << "only the encoded read fails: "
                 << llvm::toString(encoded.takeError()) << "\n";
    std::abort();
  }
  if (runOnce(*encoded, /*perfOnly=*/true) != perfOnly) {
    llvm::errs() << "the encoded program runs differently\n";
    std::abort();
  }
  return 0;
}
