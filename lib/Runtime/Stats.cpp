//===- Stats.cpp - derived figures, the stats JSON and the summary -------===//
//
// Turns the counters of a run into the figures users read: roofline lower
// bounds (from the source map's useful work, schedule-independent),
// utilizations, energy, power and efficiency. Numbers are printed with a
// fixed precision (6 significant digits) so the JSON is stable for tests.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Stats.h"

#include "npu/Runtime/CostModel.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <charconv>
#include <cmath>

using namespace llvm;
using namespace npurt;

uint64_t RunStats::totalCycles() const {
  return static_cast<uint64_t>(std::ceil(end_cycle - 1e-9));
}

namespace {

/// The fastest MXU dtype: the rate assumed for ops whose MACs did not run on
/// the MXU, so their bound stays a true lower bound.
DType fastestDtype(const Target &target) {
  DType best = DType::BF16;
  for (DType dtype : {DType::F32, DType::I8})
    if (mxuRate(target, dtype) > mxuRate(target, best))
      best = dtype;
  return best;
}

LowerBound opBound(const Program &program, const SourceOp &source,
                   const OpStats &op) {
  DType dtype = op.mxu_dtype.value_or(fastestDtype(program.target));
  return lowerBound(program.target, dtype, source.macs, source.vector_ops,
                    source.min_dram_bytes);
}

/// The whole program's bound: each resource must do all of its work.
LowerBound totalBound(const Program &program, const RunStats &stats) {
  LowerBound total;
  for (size_t i = 0; i < program.source_ops.size(); ++i) {
    LowerBound bound = opBound(program, program.source_ops[i], stats.ops[i]);
    total.mac_cycles += bound.mac_cycles;
    total.vector_cycles += bound.vector_cycles;
    total.dram_cycles += bound.dram_cycles;
  }
  return total;
}

/// Derived whole-run figures shared by the JSON and the summary.
struct Derived {
  uint64_t totalCycles = 0;
  double seconds = 0;
  LowerBound bound;
  uint64_t boundCycles = 0;
  double mxuUtilization = 0;
  double dramUtilization = 0;
  double staticEnergyJ = 0;
  double dynamicEnergyJ = 0;
  double energyJ = 0;
  double averagePowerW = 0;
  double topsPerW = 0;

  Derived(const Program &program, const RunStats &stats) {
    const Target &target = program.target;
    totalCycles = stats.totalCycles();
    seconds = double(totalCycles) / (target.clock_ghz * 1e9);
    bound = totalBound(program, stats);
    boundCycles = static_cast<uint64_t>(std::ceil(bound.cycles() - 1e-9));
    double cycles = std::max<double>(double(totalCycles), 1.0);
    mxuUtilization = stats.mxu_ideal_cycles / (cycles * double(target.cores));
    dramUtilization =
        double(stats.dram_read_bytes + stats.dram_write_bytes) /
        (cycles * target.dram_bytes_per_cycle);
    staticEnergyJ = target.static_power_w * seconds;
    dynamicEnergyJ = stats.dynamic_energy_pj * 1e-12;
    energyJ = staticEnergyJ + dynamicEnergyJ;
    averagePowerW = seconds > 0 ? energyJ / seconds : 0;
    double ops = 2.0 * double(stats.macs) + double(stats.vector_ops);
    topsPerW = energyJ > 0 ? ops / energyJ / 1e12 : 0;
  }
};

double opBusyCycles(const OpStats &op) {
  double busy = 0;
  for (double cycles : op.busy_cycles)
    busy += cycles;
  return busy;
}

} // namespace

StaticEnergy npurt::splitStaticEnergy(const Program &program,
                                      const RunStats &stats) {
  const Target &target = program.target;
  double seconds = double(stats.totalCycles()) / (target.clock_ghz * 1e9);
  StaticEnergy split;
  split.total_pj = target.static_power_w * seconds * 1e12;

  size_t engines = stats.engines.size() * kNumEngines;
  double perEngine = engines ? split.total_pj / double(engines) : 0;
  split.engines_pj.assign(stats.engines.size(), {});
  for (std::array<double, kNumEngines> &core : split.engines_pj)
    core.fill(perEngine);

  // Ops run concurrently, so wall-clock spans overlap and would count time
  // twice; busy cycles are disjoint per engine and add up.
  double busy = opBusyCycles(stats.unattributed);
  for (const OpStats &op : stats.ops)
    busy += opBusyCycles(op);
  split.ops_pj.assign(stats.ops.size(), 0);
  if (busy <= 0) {
    // Nothing ran for any time (then the run took no time either).
    split.unattributed_pj = split.total_pj;
    return split;
  }
  for (size_t i = 0; i < stats.ops.size(); ++i)
    split.ops_pj[i] = split.total_pj * (opBusyCycles(stats.ops[i]) / busy);
  split.unattributed_pj =
      split.total_pj * (opBusyCycles(stats.unattributed) / busy);
  return split;
}

namespace {

/// A double with 6 significant digits ("0" for zero, no exponent for the
/// usual magnitudes), as a raw JSON number.
void number(json::OStream &json, StringRef key, double value) {
  if (!std::isfinite(value))
    value = 0;
  // std::to_chars with a precision prints exactly what printf's %.6g does,
  // several times faster (stats are built for every run of a binary).
  char digits[32];
  std::to_chars_result end = std::to_chars(
      digits, digits + sizeof(digits), value, std::chars_format::general, 6);
  json.attributeBegin(key);
  json.rawValue([&](raw_ostream &os) { os.write(digits, end.ptr - digits); });
  json.attributeEnd();
}

void integer(json::OStream &json, StringRef key, uint64_t value) {
  json.attribute(key, static_cast<int64_t>(value));
}

uint64_t roundCycles(double cycles) {
  return static_cast<uint64_t>(std::llround(std::max(cycles, 0.0)));
}

} // namespace

std::string npurt::statsToJSON(const Program &program, const RunStats &stats) {
  const Target &target = program.target;
  Derived derived(program, stats);
  StaticEnergy staticEnergy = splitStaticEnergy(program, stats);
  std::string text;
  raw_string_ostream os(text);
  json::OStream json(os, 2);
  json.object([&] {
    integer(json, "schema_version", 1);
    json.attribute("target", target.name);
    number(json, "clock_ghz", target.clock_ghz);
    integer(json, "cores", target.cores);
    integer(json, "total_cycles", derived.totalCycles);
    number(json, "time_us", derived.seconds * 1e6);
    integer(json, "lower_bound_cycles", derived.boundCycles);
    json.attribute("bound", derived.bound.kind());
    number(json, "lower_bound_mac_cycles", derived.bound.mac_cycles);
    number(json, "lower_bound_vector_cycles", derived.bound.vector_cycles);
    number(json, "lower_bound_dram_cycles", derived.bound.dram_cycles);
    number(json, "efficiency",
           derived.totalCycles
               ? double(derived.boundCycles) / double(derived.totalCycles)
               : 0);
    integer(json, "instructions", stats.instructions);
    integer(json, "dram_bytes", stats.dram_read_bytes + stats.dram_write_bytes);
    integer(json, "dram_read_bytes", stats.dram_read_bytes);
    integer(json, "dram_write_bytes", stats.dram_write_bytes);
    number(json, "dram_bandwidth_utilization", derived.dramUtilization);
    integer(json, "macs", stats.macs);
    integer(json, "vector_ops", stats.vector_ops);
    number(json, "mxu_utilization", derived.mxuUtilization);
    number(json, "energy_mj", derived.energyJ * 1e3);
    number(json, "dynamic_energy_mj", derived.dynamicEnergyJ * 1e3);
    number(json, "static_energy_mj", derived.staticEnergyJ * 1e3);
    number(json, "average_power_w", derived.averagePowerW);
    number(json, "tops_per_w", derived.topsPerW);

    json.attributeObject("engines", [&] {
      for (size_t core = 0; core < stats.engines.size(); ++core)
        for (unsigned e = 0; e < kNumEngines; ++e) {
          const EngineStats &engine = stats.engines[core][e];
          std::string key = formatv("c{0}.{1}", core,
                                    engineName(static_cast<Engine>(e)));
          json.attributeObject(key, [&] {
            uint64_t busy = roundCycles(engine.busy_cycles);
            uint64_t stall = roundCycles(engine.stall_cycles);
            uint64_t total = derived.totalCycles;
            integer(json, "instructions", engine.instructions);
            integer(json, "busy_cycles", busy);
            integer(json, "stall_cycles", stall);
            integer(json, "idle_cycles",
                    total > busy + stall ? total - busy - stall : 0);
            number(json, "utilization",
                   total ? engine.busy_cycles / double(total) : 0);
            double staticPj = staticEnergy.engines_pj[core][e];
            number(json, "energy_mj", (engine.energy_pj + staticPj) * 1e-9);
            number(json, "dynamic_energy_mj", engine.energy_pj * 1e-9);
            number(json, "static_energy_mj", staticPj * 1e-9);
          });
        }
    });

    auto opFields = [&](const OpStats &op, double staticPj) {
      integer(json, "instructions", op.instructions);
      double start = std::max(op.first_issue, 0.0);
      integer(json, "start_cycle", roundCycles(start));
      integer(json, "end_cycle", roundCycles(op.last_complete));
      integer(json, "cycles",
              op.instructions ? roundCycles(op.last_complete - start) : 0);
      json.attributeObject("engine_busy_cycles", [&] {
        for (unsigned e = 0; e < kNumEngines; ++e)
          integer(json, engineName(static_cast<Engine>(e)),
                  roundCycles(op.busy_cycles[e]));
      });
      // The engine that did the most work for the op: with the bound kind it
      // says what limits the op (e.g. dma_load busiest = waiting on DRAM).
      unsigned busiest = 0;
      for (unsigned e = 1; e < kNumEngines; ++e)
        if (op.busy_cycles[e] > op.busy_cycles[busiest])
          busiest = e;
      json.attribute("busiest_engine",
                     op.instructions
                         ? engineName(static_cast<Engine>(busiest)).str()
                         : std::string("none"));
      integer(json, "stall_cycles", roundCycles(op.stall_cycles));
      integer(json, "dram_bytes", op.dram_bytes);
      integer(json, "executed_macs", op.executed_macs);
      number(json, "energy_mj", (op.energy_pj + staticPj) * 1e-9);
      number(json, "dynamic_energy_mj", op.energy_pj * 1e-9);
      number(json, "static_energy_mj", staticPj * 1e-9);
    };
    json.attributeArray("ops", [&] {
      for (size_t i = 0; i < program.source_ops.size(); ++i) {
        const SourceOp &source = program.source_ops[i];
        const OpStats &op = stats.ops[i];
        LowerBound bound = opBound(program, source, op);
        json.object([&] {
          integer(json, "index", i);
          json.attribute("name", source.name);
          json.attribute("kind", source.kind);
          integer(json, "macs", source.macs);
          integer(json, "vector_ops", source.vector_ops);
          integer(json, "min_dram_bytes", source.min_dram_bytes);
          opFields(op, staticEnergy.ops_pj[i]);
          number(json, "lower_bound_cycles", bound.cycles());
          json.attribute("bound", bound.kind());
          double span = op.last_complete - std::max(op.first_issue, 0.0);
          number(json, "utilization",
                 op.instructions && span > 0 ? bound.cycles() / span : 0);
        });
      }
    });
    json.attributeObject("unattributed", [&] {
      opFields(stats.unattributed, staticEnergy.unattributed_pj);
    });
  });
  os << "\n";
  return text;
}

std::string npurt::statsSummary(const Program &program,
                                const RunStats &stats) {
  const Target &target = program.target;
  Derived derived(program, stats);
  std::string text;
  raw_string_ostream os(text);
  os << formatv("cycles: {0} ({1:f3} us at ", derived.totalCycles,
                derived.seconds * 1e6)
     << format("%g", target.clock_ghz)
     << formatv(" GHz), {0} instructions\n", stats.instructions);
  os << formatv("lower bound: {0} cycles ({1}-bound), efficiency {2:f1}%\n",
                derived.boundCycles, derived.bound.kind(),
                derived.totalCycles ? 100.0 * double(derived.boundCycles) /
                                          double(derived.totalCycles)
                                    : 0.0);
  os << formatv("mxu utilization: {0:f1}%, dram: {1} bytes ({2:f1}% of "
                "bandwidth)\n",
                100.0 * derived.mxuUtilization,
                stats.dram_read_bytes + stats.dram_write_bytes,
                100.0 * derived.dramUtilization);
  os << formatv("energy: {0:f6} mJ, average power {1:f3} W, {2:f3} TOPS/W\n",
                derived.energyJ * 1e3, derived.averagePowerW,
                derived.topsPerW);
  return text;
}
