//===- Simulator.cpp - event-driven schedule of a program -----------------===//
//
// The performance model. Each (core, engine) queue issues its next
// instruction when the engine is free and every semaphore it waits on is
// positive (acquire = decrement); the instruction then occupies the engine
// for its cost and increments its signal semaphores when it completes.
// A DMA first spends dma_latency_cycles, then moves its bytes through the
// DRAM port, whose dram_bytes_per_cycle are shared equally by all transfers
// in flight (of every core). Time is continuous (double cycles): shared
// bandwidth makes transfer ends fractional.
//
// Within one instant, engines are visited in a fixed order (core, then
// dma_load, dma_store, mxu, vpu) until none can issue, which makes the
// schedule - and the order in which the functional model applies
// instructions - deterministic.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Simulator.h"

#include "npu/Runtime/CostModel.h"
#include "npu/Runtime/Numerics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace llvm;
using namespace npurt;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

TraceSink::~TraceSink() = default;

Simulator::Simulator(Program program, SimulatorOptions options)
    : prog(std::move(program)), options(options) {}

Simulator::~Simulator() = default;

Expected<std::unique_ptr<Simulator>>
Simulator::create(Program program, SimulatorOptions options) {
  if (!options.already_validated)
    if (Error error = validateProgram(program))
      return std::move(error);
  std::unique_ptr<Simulator> simulator(
      new Simulator(std::move(program), options));
  if (!options.perf_only) {
    Expected<std::unique_ptr<Executor>> executor =
        Executor::create(simulator->prog);
    if (!executor)
      return executor.takeError();
    simulator->executor = std::move(*executor);
  }
  return simulator;
}

bool Simulator::isState(const TensorEntry &entry) const {
  return &entry >= prog.state.data() &&
         &entry < prog.state.data() + prog.state.size();
}

const TensorEntry *Simulator::findTensor(StringRef name) const {
  for (const auto *table : {&prog.io, &prog.state})
    for (const TensorEntry &entry : *table)
      if (entry.name == name)
        return &entry;
  return nullptr;
}

static std::string shapeText(ArrayRef<uint64_t> shape) {
  if (shape.empty())
    return "scalar";
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text;
}

static std::optional<HostDType> hostDTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return HostDType::F32;
  case DType::BF16:
    return HostDType::BF16;
  case DType::I8:
    return HostDType::I8;
  case DType::I32:
    return HostDType::I32;
  }
  return std::nullopt;
}

Error npurt::checkTensorMatches(const TensorEntry &entry,
                               const HostTensor &tensor) {
  std::vector<uint64_t> shape(tensor.shape.begin(), tensor.shape.end());
  if (shape != entry.shape)
    return fail(formatv("'{0}' expects shape {1} but the tensor has shape {2}",
                        entry.name, shapeText(entry.shape),
                        tensor.shapeString()));
  bool widenedBF16 =
      entry.dtype == DType::BF16 && tensor.dtype == HostDType::F32;
  if (tensor.dtype != *hostDTypeOf(entry.dtype) && !widenedBF16)
    return fail(formatv("'{0}' expects dtype {1} but the tensor has dtype {2}",
                        entry.name, dtypeName(entry.dtype),
                        hostDTypeName(tensor.dtype)));
  return Error::success();
}

Error Simulator::setTensor(StringRef name, const HostTensor &tensor) {
  const TensorEntry *entry = findTensor(name);
  if (!entry)
    return fail("no input or state tensor named '" + name + "'");
  if (entry->kind == IoKind::Output && !isState(*entry))
    return fail("'" + name + "' is an output, not an input");
  if (Error error = checkTensorMatches(*entry, tensor))
    return error;
  bool widenedBF16 = entry->dtype == DType::BF16 && tensor.dtype == HostDType::F32;
  if (!executor)
    return fail("tensors cannot be set in perf-only mode");
  if (!widenedBF16)
    return executor->writeDram(entry->dram_addr, tensor.data);
  std::vector<uint8_t> bytes(tensor.data.size() / 2);
  for (size_t i = 0; i < bytes.size() / 2; ++i) {
    float value;
    std::memcpy(&value, tensor.data.data() + 4 * i, 4);
    uint16_t bits = floatToBF16Bits(value);
    std::memcpy(bytes.data() + 2 * i, &bits, 2);
  }
  return executor->writeDram(entry->dram_addr, bytes);
}

Expected<HostTensor> Simulator::getTensor(StringRef name) const {
  const TensorEntry *entry = findTensor(name);
  if (!entry)
    return fail("no tensor named '" + name + "'");
  if (!executor)
    return fail("tensors cannot be read in perf-only mode");
  Expected<uint64_t> bytes = tensorBytes(*entry, name);
  if (!bytes)
    return bytes.takeError();
  HostTensor tensor;
  tensor.dtype = *hostDTypeOf(entry->dtype);
  tensor.shape.assign(entry->shape.begin(), entry->shape.end());
  tensor.data.resize(*bytes);
  if (Error error = executor->readDram(entry->dram_addr, tensor.data))
    return std::move(error);
  return tensor;
}

//===----------------------------------------------------------------------===//
// The event loop
//===----------------------------------------------------------------------===//

namespace {

/// Where an engine is in executing its current instruction.
enum class Phase : uint8_t {
  Ready,    ///< Free: will try to issue stream[pc].
  Busy,     ///< Fixed-length work until `until`.
  Latency,  ///< DMA: fixed latency until `until`, then Transfer.
  Transfer, ///< DMA: `remaining` bytes to move through the DRAM port.
  Halted,
};

struct EngineState {
  unsigned core = 0;
  Engine engine = Engine::DmaLoad;
  const Stream *stream = nullptr;
  size_t pc = 0;
  Phase phase = Phase::Ready;
  double until = 0;
  double remaining = 0;
  double issued = 0;
  bool blocked = false;
  double blockedSince = 0;
  /// Wait slots of stream[pc] already acquired (0, 1 or 2).
  uint8_t acquired = 0;
};

/// Transfers whose remaining bytes fall below this are complete (absorbs
/// floating-point residue of the bandwidth sharing).
constexpr double kByteEpsilon = 1e-6;
constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr uint64_t kMaxDmaElements = uint64_t(1) << 32;

class Scheduler {
public:
  Scheduler(const Program &program, Executor *executor,
            const SimulatorOptions &options, TraceSink *trace)
      : program(program), target(program.target), executor(executor),
        options(options), trace(trace) {}

  Expected<RunStats> run();

private:
  Error issueReady(bool &progress);
  Error tryIssue(EngineState &engine, bool &issued);
  void complete(EngineState &engine);
  Error deadlock() const;

  const Program &program;
  const Target &target;
  Executor *executor;
  const SimulatorOptions &options;
  TraceSink *trace;

  std::vector<EngineState> engines;
  std::vector<uint32_t> semaphores; ///< [core * target.semaphores + id]
  /// What each core's MXU weight registers hold (checked by matmuls).
  struct LoadedWeights {
    DType dtype;
    uint16_t k, n;
  };
  std::vector<std::optional<LoadedWeights>> weights; ///< Per core.
  unsigned transfers = 0; ///< Engines in Phase::Transfer.
  double now = 0;
  RunStats stats;
};

Error Scheduler::tryIssue(EngineState &engine, bool &issued) {
  issued = false;
  const Instruction &inst = engine.stream->instructions[engine.pc];
  uint32_t *sems = semaphores.data() + engine.core * target.semaphores;
  // docs/isa.md: the wait slots are acquired in order, each as soon as its
  // semaphore is positive, so a held wait0 is not released while wait1 is
  // unavailable.
  while (engine.acquired < 2) {
    uint8_t id = inst.wait[engine.acquired];
    if (id != kNoSemaphore) {
      if (sems[id] == 0) {
        if (!engine.blocked) {
          engine.blocked = true;
          engine.blockedSince = now;
        }
        return Error::success();
      }
      --sems[id];
    }
    ++engine.acquired;
  }
  engine.acquired = 0;
  EngineStats &engineStats =
      stats.engines[engine.core][static_cast<unsigned>(engine.engine)];
  if (engine.blocked) {
    engineStats.stall_cycles += now - engine.blockedSince;
    uint32_t source = engine.stream->source[engine.pc];
    (source == kNoSource ? stats.unattributed : stats.ops[source])
        .stall_cycles += now - engine.blockedSince;
    engine.blocked = false;
    if (trace && now > engine.blockedSince) {
      StallEvent stall;
      stall.core = engine.core;
      stall.engine = engine.engine;
      stall.index = engine.pc;
      stall.instruction = &inst;
      stall.from_cycle = engine.blockedSince;
      stall.to_cycle = now;
      trace->recordStall(stall);
    }
  }
  if (options.max_instructions && stats.instructions >= options.max_instructions)
    return fail(formatv("instruction limit of {0} reached at cycle {1} "
                        "(--max-instructions)",
                        options.max_instructions, uint64_t(now)));
  ++stats.instructions;
  issued = true;
  engine.issued = now;

  // What the MXU weight registers hold is tracked here, not in the
  // executor, so perf-only runs report the same faults.
  if (inst.opcode == Opcode::MxuLoadWeights) {
    weights[engine.core] = LoadedWeights{inst.mxu_dtype, inst.k, inst.n};
  } else if (inst.opcode == Opcode::MxuMatmul) {
    const std::optional<LoadedWeights> &loaded = weights[engine.core];
    if (!loaded || loaded->dtype != inst.mxu_dtype || loaded->k != inst.k ||
        loaded->n != inst.n) {
      std::string where = formatv("c{0}.mxu instruction {1}", engine.core,
                                  engine.pc);
      if (!loaded)
        return fail(where + ": mxu_matmul runs before any mxu_load_weights");
      return fail(formatv("{0}: mxu_matmul ({1}, k = {2}, n = {3}) does not "
                          "match the loaded weights ({4}, k = {5}, n = {6})",
                          where, dtypeName(inst.mxu_dtype), inst.k, inst.n,
                          dtypeName(loaded->dtype), loaded->k, loaded->n));
    }
  }
  // Zero strides let a valid DMA re-read one element up to 2^64 times; no
  // real transfer is that large and executing it would never finish.
  if ((inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore) &&
      dmaElements(inst) > kMaxDmaElements)
    return fail(formatv("c{0}.{1} instruction {2} ({3}) moves {4} elements; "
                        "the simulator supports at most 2^32 per DMA",
                        engine.core, engineName(engine.engine), engine.pc,
                        opcodeName(inst.opcode), dmaElements(inst)));
  if (executor)
    if (Error error = executor->execute(engine.core, inst))
      return fail(formatv("c{0}.{1} instruction {2} ({3}): {4}", engine.core,
                          engineName(engine.engine), engine.pc,
                          opcodeName(inst.opcode), toString(std::move(error))));

  if (inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore) {
    engine.remaining = double(dmaDramBytes(inst));
    if (target.dma_latency_cycles > 0) {
      engine.phase = Phase::Latency;
      engine.until = now + double(target.dma_latency_cycles);
    } else {
      engine.phase = Phase::Transfer;
      ++transfers;
    }
    return Error::success();
  }
  uint64_t cycles = fixedCycles(target, inst);
  engine.phase = Phase::Busy;
  engine.until = now + double(cycles);
  if (cycles == 0)
    complete(engine);
  return Error::success();
}

void Scheduler::complete(EngineState &engine) {
  const Instruction &inst = engine.stream->instructions[engine.pc];
  uint32_t source = engine.stream->source[engine.pc];
  double end = engine.phase == Phase::Transfer ? now : engine.until;
  if (engine.phase == Phase::Transfer)
    --transfers;

  uint32_t *sems = semaphores.data() + engine.core * target.semaphores;
  for (uint8_t id : inst.signal)
    if (id != kNoSemaphore)
      ++sems[id];

  EngineStats &engineStats =
      stats.engines[engine.core][static_cast<unsigned>(engine.engine)];
  double busy = end - engine.issued;
  double energy = instructionEnergy(target, inst).total();
  ++engineStats.instructions;
  engineStats.busy_cycles += busy;
  engineStats.energy_pj += energy;
  stats.dynamic_energy_pj += energy;
  stats.end_cycle = std::max(stats.end_cycle, end);

  OpStats &op = source == kNoSource ? stats.unattributed : stats.ops[source];
  ++op.instructions;
  if (op.first_issue < 0)
    op.first_issue = engine.issued;
  op.last_complete = std::max(op.last_complete, end);
  op.busy_cycles[static_cast<unsigned>(engine.engine)] += busy;
  op.energy_pj += energy;
  switch (inst.opcode) {
  case Opcode::DmaLoad:
    stats.dram_read_bytes += dmaDramBytes(inst);
    op.dram_bytes += dmaDramBytes(inst);
    break;
  case Opcode::DmaStore:
    stats.dram_write_bytes += dmaDramBytes(inst);
    op.dram_bytes += dmaDramBytes(inst);
    break;
  case Opcode::MxuMatmul: {
    uint64_t macs = instructionMacs(inst);
    stats.macs += macs;
    op.executed_macs += macs;
    if (!op.mxu_dtype)
      op.mxu_dtype = inst.mxu_dtype;
    stats.mxu_ideal_cycles +=
        double(macs) / (double(target.mxu_rows) * double(target.mxu_cols) *
                        mxuRate(target, inst.mxu_dtype));
    break;
  }
  case Opcode::MxuLoadWeights:
  case Opcode::Halt:
  case Opcode::Nop:
    break;
  default:
    stats.vector_ops += vpuElementOps(inst);
    break;
  }
  if (trace) {
    TraceEvent event;
    event.core = engine.core;
    event.engine = engine.engine;
    event.index = engine.pc;
    event.instruction = &inst;
    event.source = source;
    event.issue_cycle = engine.issued;
    event.complete_cycle = end;
    trace->record(event);
  }

  engine.phase = inst.opcode == Opcode::Halt ? Phase::Halted : Phase::Ready;
  ++engine.pc;
}

Error Scheduler::issueReady(bool &progress) {
  progress = false;
  for (EngineState &engine : engines) {
    while (engine.phase == Phase::Ready) {
      bool issued;
      if (Error error = tryIssue(engine, issued))
        return error;
      if (!issued)
        break;
      // A zero-cycle instruction (NOP, HALT) completed at once and may have
      // signalled an engine visited earlier: visit all engines again.
      if (engine.phase == Phase::Ready || engine.phase == Phase::Halted)
        progress = true;
    }
  }
  return Error::success();
}

Error Scheduler::deadlock() const {
  std::string message =
      formatv("deadlock at cycle {0}: every unfinished engine waits on a "
              "semaphore that nothing will signal",
              uint64_t(std::ceil(now)));
  for (const EngineState &engine : engines) {
    if (engine.phase != Phase::Ready)
      continue;
    const Instruction &inst = engine.stream->instructions[engine.pc];
    const uint32_t *sems =
        semaphores.data() + engine.core * target.semaphores;
    message += formatv("\n  c{0}.{1} instruction {2} ({3}) waits on",
                       engine.core, engineName(engine.engine), engine.pc,
                       opcodeName(inst.opcode));
    // The slot it is blocked on (earlier slots are already acquired).
    uint8_t id = inst.wait[engine.acquired];
    message += formatv(" semaphore {0} (value {1})", id, sems[id]);
    if (engine.acquired == 1)
      message += formatv(", holding semaphore {0}", inst.wait[0]);
  }
  return fail(message);
}

Expected<RunStats> Scheduler::run() {
  unsigned numCores = program.cores.size();
  semaphores.assign(numCores * target.semaphores, 0);
  weights.assign(numCores, std::nullopt);
  stats.engines.assign(numCores, {});
  stats.ops.assign(program.source_ops.size(), {});
  for (unsigned core = 0; core < numCores; ++core)
    for (unsigned e = 0; e < kNumEngines; ++e) {
      EngineState engine;
      engine.core = core;
      engine.engine = static_cast<Engine>(e);
      engine.stream = &program.cores[core][e];
      engines.push_back(engine);
    }
  const double bandwidth = target.dram_bytes_per_cycle;

  while (true) {
    bool progress = true;
    while (progress)
      if (Error error = issueReady(progress))
        return std::move(error);

    // Next event: the earliest fixed-length completion or transfer end.
    double next = kInfinity;
    double share = transfers ? bandwidth / transfers : 0;
    bool running = false;
    for (const EngineState &engine : engines) {
      switch (engine.phase) {
      case Phase::Busy:
      case Phase::Latency:
        next = std::min(next, engine.until);
        running = true;
        break;
      case Phase::Transfer:
        next = std::min(next, now + engine.remaining / share);
        running = true;
        break;
      case Phase::Ready:
        running = true;
        break;
      case Phase::Halted:
        break;
      }
    }
    if (!running)
      break;
    if (next == kInfinity)
      return deadlock();

    double elapsed = next - now;
    now = next;
    if (transfers)
      for (EngineState &engine : engines)
        if (engine.phase == Phase::Transfer)
          engine.remaining -= elapsed * share;
    for (EngineState &engine : engines) {
      switch (engine.phase) {
      case Phase::Busy:
        if (engine.until <= now)
          complete(engine);
        break;
      case Phase::Latency:
        if (engine.until <= now) {
          engine.phase = Phase::Transfer;
          ++transfers;
        }
        break;
      case Phase::Transfer:
        // Late in a long run the time left may be below the resolution of
        // `now`; the transfer is then complete too (or time would stall).
        if (engine.remaining <= kByteEpsilon ||
            now + engine.remaining / share <= now)
          complete(engine);
        break;
      default:
        break;
      }
    }
  }
  // Engines that halted early are idle, not stalled; nothing else to close.
  return std::move(stats);
}

} // namespace

Expected<RunStats> Simulator::run(TraceSink *trace) {
  if (executor)
    executor->resetCores();
  Scheduler scheduler(prog, executor.get(), options, trace);
  return scheduler.run();
}
