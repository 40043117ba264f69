//===- Stats.h - what a simulated run measured ------------------*- C++ -*-===//
//
// The raw counters the simulator collects during a run, and their two
// renderings: the stats JSON (`npu-run --stats-json`, schema in
// docs/simulator.md) and the short human summary npu-run prints. Derived
// figures (lower bounds, utilizations, energy, power) are computed here, in
// one place, from the counters and the program's source map.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_STATS_H
#define NPU_RUNTIME_STATS_H

#include "npu/Runtime/Program.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace npurt {

/// Counters of one engine of one core.
struct EngineStats {
  uint64_t instructions = 0;
  /// Cycles in which at least one instruction was in flight, from issue to
  /// completion (DMA: transfer + latency); overlapping instructions of a
  /// pipelined engine count once.
  double busy_cycles = 0;
  /// Cycles the next instruction waited for its semaphores while no
  /// instruction of the engine was in flight.
  double stall_cycles = 0;
  double energy_pj = 0;
};

/// Counters of the instructions attributed to one source op.
struct OpStats {
  uint64_t instructions = 0;
  double first_issue = -1; ///< Cycle the first instruction issued (-1: none).
  double last_complete = 0;
  /// Per engine: each instruction's issue-to-completion time minus the part
  /// earlier instructions of its queue already covered.
  std::array<double, kNumEngines> busy_cycles = {0, 0, 0, 0};
  /// Cycles the op's instructions waited on semaphores before issuing.
  double stall_cycles = 0;
  uint64_t executed_macs = 0;
  uint64_t dram_bytes = 0;
  double energy_pj = 0;
  /// dtype of the op's MXU_MATMULs (sets the rate of its compute bound).
  std::optional<DType> mxu_dtype;
};

/// Everything measured in one run.
struct RunStats {
  double end_cycle = 0; ///< Completion of the last instruction.
  uint64_t instructions = 0;
  uint64_t dram_read_bytes = 0;  ///< DMA_LOAD traffic.
  uint64_t dram_write_bytes = 0; ///< DMA_STORE traffic.
  uint64_t macs = 0;
  uint64_t vector_ops = 0;
  /// Sum over MXU_MATMULs of macs / (mxu_rows * mxu_cols * rate(dtype)):
  /// the cycles a perfectly used array would need.
  double mxu_ideal_cycles = 0;
  double dynamic_energy_pj = 0;
  std::vector<std::array<EngineStats, kNumEngines>> engines; ///< Per core.
  std::vector<OpStats> ops;  ///< Indexed like Program::source_ops.
  OpStats unattributed;      ///< Instructions with no source op.

  /// total_cycles: the end cycle rounded up.
  uint64_t totalCycles() const;
};

/// Static energy (target.static_power_w x run time) attributed to where it
/// was spent, so that per-engine and per-op energies add up to the total:
/// every engine of every core gets an equal share (the Target has no area
/// or per-engine leakage figures to weight them by), and each source op -
/// and the unattributed bucket - a share proportional to the busy cycles of
/// its instructions (summed over engines). docs/simulator.md "Energy".
struct StaticEnergy {
  double total_pj = 0;
  std::vector<std::array<double, kNumEngines>> engines_pj; ///< Per core.
  std::vector<double> ops_pj; ///< Indexed like Program::source_ops.
  double unattributed_pj = 0;
};

/// Splits the static energy of the run `stats` measured for `program`.
StaticEnergy splitStaticEnergy(const Program &program, const RunStats &stats);

/// Renders the stats JSON (schema version 1, docs/simulator.md). Keys are
/// printed in a fixed order and numbers with fixed precision so the output
/// is stable for tests.
std::string statsToJSON(const Program &program, const RunStats &stats);

/// A few lines for humans: cycles, time, lower bound, utilization, energy.
std::string statsSummary(const Program &program, const RunStats &stats);

} // namespace npurt

#endif // NPU_RUNTIME_STATS_H
