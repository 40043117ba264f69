//===- Simulator.h - event-driven functional + performance model -*- C++ -*-===//
//
// Runs a validated Program: the event-driven performance model decides when
// every instruction issues and completes (in-order engine queues, counting
// semaphores, DMA latency and a DRAM port shared by all transfers in flight,
// per-instruction costs from CostModel.h), and the functional executor
// (Executor.h) applies each instruction when it issues, in that order.
// In perf-only mode the executor is skipped: nothing is allocated and only
// timing, traffic and energy are computed. Streams may be decoded or encoded
// (Program.h); an encoded one is decoded an instruction at a time as the
// schedule reaches it.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_SIMULATOR_H
#define NPU_RUNTIME_SIMULATOR_H

#include "npu/Runtime/Executor.h"
#include "npu/Runtime/Program.h"
#include "npu/Runtime/Stats.h"
#include "npu/Runtime/TensorIO.h"

#include "llvm/Support/Error.h"

#include <memory>

namespace npurt {

/// One executed instruction, as reported to a TraceSink.
struct TraceEvent {
  unsigned core = 0;
  Engine engine = Engine::DmaLoad;
  uint64_t index = 0; ///< Position in its stream.
  const Instruction *instruction = nullptr;
  uint32_t source = kNoSource;
  double issue_cycle = 0;
  double complete_cycle = 0;
};

/// A period in which an engine's next instruction waited on semaphores.
struct StallEvent {
  unsigned core = 0;
  Engine engine = Engine::DmaLoad;
  uint64_t index = 0; ///< The waiting instruction's position in its stream.
  const Instruction *instruction = nullptr;
  double from_cycle = 0;
  double to_cycle = 0;
};

/// Receives every instruction as it completes (e.g. a Chrome trace writer)
/// and every semaphore stall as it ends. An event's `instruction` is valid
/// during the call only (an encoded stream's instructions are decoded into
/// a small window that is reused).
class TraceSink {
public:
  virtual ~TraceSink();
  virtual void record(const TraceEvent &event) = 0;
  virtual void recordStall(const StallEvent &stall) {}
};

/// Checks that `tensor` can be written to `entry`: same shape, same dtype
/// (a bf16 entry also accepts f32, rounded to nearest even, because .npy has
/// no bf16). The message names the tensor and the mismatch.
llvm::Error checkTensorMatches(const TensorEntry &entry,
                               const HostTensor &tensor);

/// Options of a run.
struct SimulatorOptions {
  /// Skip the functional model: timing, traffic and energy only.
  bool perf_only = false;
  /// Stop with an error after this many instructions (0: no limit).
  uint64_t max_instructions = 0;
  /// Stop with an error before an instruction that cannot complete by this
  /// simulated cycle (0: no limit). Host work per simulated cycle is bounded
  /// (a DMA moves at most dram_bytes_per_cycle, the MXU a bounded array),
  /// so this bounds the wall time of any run, however large its
  /// instructions are.
  uint64_t max_cycles = 0;
  /// The program was returned by readBinary, which already ran
  /// validateProgram on it: create() skips the second validation.
  bool already_validated = false;
};

/// A program loaded on a simulated chip.
class Simulator {
public:
  /// Validates `program` (validateProgram) and, unless perf-only, builds the
  /// functional state with the constants loaded.
  static llvm::Expected<std::unique_ptr<Simulator>>
  create(Program program, SimulatorOptions options = {});
  ~Simulator();

  const Program &program() const { return prog; }

  /// Writes input or state tensor `name` into DRAM after checkTensorMatches.
  /// Unavailable in perf-only mode.
  llvm::Error setTensor(llvm::StringRef name, const HostTensor &tensor);

  /// Reads I/O or state tensor `name` from DRAM in its table dtype.
  llvm::Expected<HostTensor> getTensor(llvm::StringRef name) const;

  /// Runs every stream to its HALT. Errors: deadlock (naming every blocked
  /// engine, its instruction and semaphores), the instruction limit, and
  /// run-time faults of the functional model. DRAM persists across runs;
  /// SRAM, accumulators, weights and semaphores start from zero each run.
  llvm::Expected<RunStats> run(TraceSink *trace = nullptr);

private:
  Simulator(Program program, SimulatorOptions options);
  const TensorEntry *findTensor(llvm::StringRef name) const;
  bool isState(const TensorEntry &entry) const;

  Program prog;
  SimulatorOptions options;
  std::unique_ptr<Executor> executor; ///< Null in perf-only mode.
};

} // namespace npurt

#endif // NPU_RUNTIME_SIMULATOR_H
