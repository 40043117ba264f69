//===- Simulator.cpp - event-driven schedule of a program -----------------===//
//
// The performance model (docs/isa.md "Cost", docs/simulator.md "Schedule").
// Each (core, engine) queue issues its instructions in program order, the
// next one as soon as the engine's resources are free for it and every
// semaphore it waits on is positive (acquire = decrement). Engines are
// pipelined: an MXU matmul holds the array's input path for its rows only
// (fill and drain overlap the next matmul), weight loads use a second,
// double-buffered path, and a DMA queue streams descriptors back to back,
// each completing dma_latency_cycles after its last byte crossed the DRAM
// port, whose dram_bytes_per_cycle are shared equally by all transfers in
// flight (of every core). The VPU is not pipelined. Instructions of one
// queue complete in program order; signals are incremented at completion.
// Time is continuous (double cycles): shared bandwidth makes transfer ends
// fractional.
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

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
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
  bool narrowedI64 =
      entry.dtype == DType::I32 && tensor.dtype == HostDType::I64;
  if (tensor.dtype != *hostDTypeOf(entry.dtype) && !widenedBF16 &&
      !narrowedI64)
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
  if (entry->dtype == DType::I32 && tensor.dtype == HostDType::I64) {
    // The chip's integers are i32: int64 values (token ids, indices, ONNX
    // int64 tensors) are narrowed, each checked to fit.
    std::vector<uint8_t> bytes(tensor.data.size() / 2);
    for (size_t i = 0; i < bytes.size() / 4; ++i) {
      int64_t value;
      std::memcpy(&value, tensor.data.data() + 8 * i, 8);
      if (value < std::numeric_limits<int32_t>::min() ||
          value > std::numeric_limits<int32_t>::max())
        return fail(formatv("'{0}' element {1} ({2}) is outside the chip's "
                            "i32 range (int64 tensors are narrowed to i32)",
                            name, i, value)
                        .str());
      int32_t narrow = static_cast<int32_t>(value);
      std::memcpy(bytes.data() + 4 * i, &narrow, 4);
    }
    return executor->writeDram(entry->dram_addr, bytes);
  }
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

/// An issued instruction waiting for its completion (its signals).
struct InFlight {
  size_t pc = 0;
  double issued = 0;
  double complete = 0;
};

/// Issued instructions awaiting completion, oldest first: a ring buffer
/// that grows by doubling (the queues are short and every instruction
/// passes through one, so it is kept simpler than std::deque).
class InFlightQueue {
public:
  InFlightQueue() : slots(8), mask(7) {}
  bool empty() const { return head == tail; }
  const InFlight &front() const { return slots[head & mask]; }
  void pop() { ++head; }
  void push(const InFlight &entry) {
    if (tail - head > mask)
      grow();
    slots[tail++ & mask] = entry;
  }

private:
  void grow() {
    std::vector<InFlight> larger(2 * slots.size());
    for (size_t i = head; i != tail; ++i)
      larger[i - head] = slots[i & mask];
    tail -= head;
    head = 0;
    slots = std::move(larger);
    mask = slots.size() - 1;
  }
  std::vector<InFlight> slots; ///< Size a power of two.
  size_t mask;                 ///< slots.size() - 1.
  size_t head = 0, tail = 0;   ///< Positions; slot = position & mask.
};

/// The decoded instructions of an encoded stream that the scheduler still
/// needs: from the oldest one issued and not completed to the next to issue.
/// A ring indexed by stream position that grows by doubling; a run decodes
/// each instruction once, into it, and needs no memory per instruction.
class DecodedWindow {
public:
  const Instruction &at(size_t pc) const { return slots[pc & mask]; }
  /// Decodes instruction `pc` of `stream` while keeping those from `oldest`
  /// to pc - 1; false if its bytes do not decode. `blank` is a
  /// default-constructed instruction, which decodeInto() starts from:
  /// copying one is several times faster than value-initializing the slot,
  /// which GCC compiles to `rep stos` (~40 cycles of start-up on this
  /// project's AMD host, for each of millions of instructions).
  bool load(const Stream &stream, size_t pc, size_t oldest,
            const Instruction &blank) {
    while (slots.empty() || pc - oldest > mask)
      grow(oldest, pc);
    Instruction &slot = slots[pc & mask];
    slot = blank;
    return decodeInto(stream.words(pc), slot);
  }

private:
  /// Allocated on first use: decoded streams (and every run of a small
  /// program through Python) need no window.
  void grow(size_t oldest, size_t pc) {
    std::vector<Instruction> larger(std::max<size_t>(8, 2 * slots.size()));
    size_t largerMask = larger.size() - 1;
    for (size_t i = oldest; i < pc && !slots.empty(); ++i)
      larger[i & largerMask] = slots[i & mask];
    slots = std::move(larger);
    mask = largerMask;
  }
  std::vector<Instruction> slots; ///< Empty, or a power of two.
  size_t mask = 0;                ///< slots.size() - 1.
};

/// One (core, engine) queue. Instructions issue in program order; several
/// may be in flight (the MXU and DMA pipelines), and they complete in
/// program order (docs/isa.md "Cost", "Pipelining").
struct EngineState {
  unsigned core = 0;
  Engine engine = Engine::DmaLoad;
  const Stream *stream = nullptr;
  /// The stream's instructions if it is decoded, else null (`window` holds
  /// the ones in use).
  const Instruction *decoded = nullptr;
  DecodedWindow window;
  const uint32_t *source = nullptr;  ///< The stream's source ops.
  uint32_t *semaphores = nullptr;    ///< The core's semaphores.
  EngineStats *stats = nullptr;
  size_t pc = 0;           ///< Next instruction to issue.
  bool haltIssued = false; ///< Nothing more to issue.
  bool halted = false;     ///< The HALT completed.
  /// Issued instructions with a known completion time, in program order;
  /// completion times never decrease along the queue.
  InFlightQueue inFlight;
  /// inFlight.front().complete, or infinity when nothing is in flight: the
  /// event loop asks for it several times per event.
  double nextCompletion = std::numeric_limits<double>::infinity();
  /// Completion of the latest issued instruction: a later one completes no
  /// earlier (in-order completion).
  double lastComplete = 0;
  /// Busy time already credited: busy cycles are the union of the periods
  /// in which some instruction of the engine is in flight.
  double creditedUntil = 0;

  /// DMA: the descriptor whose bytes are moving (one per queue at a time).
  bool transferring = false;
  size_t transferPc = 0;
  double transferIssued = 0;
  double remaining = 0;
  /// When the transfer ends at the current bandwidth share, `now +
  /// remaining / share`, if it was computed at this instant for the share
  /// of `transferEndFor` transfers (0: not computed). The event loop needs
  /// it twice per event; a division is the slowest step of an event.
  double transferEnd = 0;
  unsigned transferEndFor = 0;

  /// MXU: the array's input path (rows of the running matmuls) is free.
  double streamFree = 0;
  /// MXU: the weight-load path is free.
  double weightPathFree = 0;
  /// MXU: the most recently loaded weights are in the array.
  double weightsReady = 0;
  /// MXU: the weight buffer the next mxu_load_weights overwrites is no
  /// longer read (the rows of the matmuls using it have all entered).
  double shadowFree = 0;

  /// earliestIssue() of stream[pc], kept up to date: only the engine's own
  /// issues and transfer ends change it.
  double readyAt = 0;

  bool blocked = false;
  double blockedSince = 0;
  /// Wait slots of stream[pc] already acquired (0, 1 or 2).
  uint8_t acquired = 0;

  /// Instruction `index`: pc, or one issued and not completed.
  const Instruction &at(size_t index) const {
    return decoded ? decoded[index] : window.at(index);
  }
  /// The oldest instruction still needed: the oldest in flight (or
  /// transferring), else pc.
  size_t oldest() const {
    if (!inFlight.empty())
      return inFlight.front().pc;
    return transferring ? transferPc : pc;
  }
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
  double earliestIssue(const EngineState &engine,
                       const Instruction &inst) const;
  void refreshReady(EngineState &engine) const;
  Error fetch(EngineState &engine);
  Error issueReady(bool &progress);
  Error tryIssue(EngineState &engine, bool &issued);
  bool retire(EngineState &engine);
  void pushInFlight(EngineState &engine, const InFlight &entry);
  bool complete(EngineState &engine, const InFlight &done);
  void endTransfer(EngineState &engine);
  Error deadlock() const;

  const Program &program;
  const Target &target;
  Executor *executor;
  const SimulatorOptions &options;
  TraceSink *trace;

  std::vector<EngineState> engines;
  const Instruction blank;          ///< For DecodedWindow::load.
  std::vector<uint32_t> semaphores; ///< [core * target.semaphores + id]
  /// What each core's MXU weight registers hold (checked by matmuls).
  struct LoadedWeights {
    DType dtype;
    uint16_t k, n;
  };
  std::vector<std::optional<LoadedWeights>> weights; ///< Per core.
  unsigned transfers = 0; ///< DMA queues with a transfer in progress.
  double now = 0;
  RunStats stats;
};

/// The earliest time the engine's resources let `inst` (its next
/// instruction) issue; infinity while a DMA queue is still transferring
/// (the transfer's end is an event of its own).
double Scheduler::earliestIssue(const EngineState &engine,
                                const Instruction &inst) const {
  switch (engine.engine) {
  case Engine::DmaLoad:
  case Engine::DmaStore:
    return engine.transferring ? kInfinity : 0;
  case Engine::Vpu:
    return engine.lastComplete;
  case Engine::Mxu:
    break;
  }
  switch (inst.opcode) {
  case Opcode::MxuLoadWeights:
    return std::max(engine.weightPathFree, engine.shadowFree);
  case Opcode::MxuMatmul:
    return std::max(engine.streamFree, engine.weightsReady);
  default:
    return 0;
  }
}

void Scheduler::refreshReady(EngineState &engine) const {
  engine.readyAt = engine.haltIssued
                       ? kInfinity
                       : earliestIssue(engine, engine.at(engine.pc));
}

/// Makes instruction engine.pc available: an encoded stream's is decoded
/// into its window.
Error Scheduler::fetch(EngineState &engine) {
  const Stream &stream = *engine.stream;
  if (engine.decoded ||
      engine.window.load(stream, engine.pc, engine.oldest(), blank))
    return Error::success();
  // Only a program that was not validated gets here.
  return fail(formatv("c{0}.{1} instruction {2}: {3}", engine.core,
                      engineName(engine.engine), engine.pc,
                      toString(decode(stream.words(engine.pc)).takeError())));
}

Error Scheduler::tryIssue(EngineState &engine, bool &issued) {
  issued = false;
  if (engine.readyAt > now)
    return Error::success();
  const Instruction &inst = engine.at(engine.pc);
  uint32_t *sems = engine.semaphores;
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
  if (engine.blocked) {
    // A stall counts only while nothing else of the engine was in flight,
    // so busy, stall and idle cycles partition the run.
    double stall =
        std::max(0.0, now - std::max(engine.blockedSince, engine.lastComplete));
    engine.stats->stall_cycles += stall;
    uint32_t source = engine.source[engine.pc];
    (source == kNoSource ? stats.unattributed : stats.ops[source])
        .stall_cycles += stall;
    engine.blocked = false;
    if (trace && now > engine.blockedSince) {
      StallEvent stallEvent;
      stallEvent.core = engine.core;
      stallEvent.engine = engine.engine;
      stallEvent.index = engine.pc;
      stallEvent.instruction = &inst;
      stallEvent.from_cycle = engine.blockedSince;
      stallEvent.to_cycle = now;
      trace->recordStall(stallEvent);
    }
  }
  if (options.max_instructions && stats.instructions >= options.max_instructions)
    return fail(formatv("instruction limit of {0} reached at cycle {1} "
                        "(--max-instructions)",
                        options.max_instructions, uint64_t(now)));
  ++stats.instructions;
  issued = true;

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
  bool isDma = inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore;
  if (isDma && dmaElements(inst) > kMaxDmaElements)
    return fail(formatv("c{0}.{1} instruction {2} ({3}) moves {4} elements; "
                        "the simulator supports at most 2^32 per DMA",
                        engine.core, engineName(engine.engine), engine.pc,
                        opcodeName(inst.opcode), dmaElements(inst)));
  if (options.max_cycles) {
    double earliest =
        now + (isDma ? double(dmaDramBytes(inst)) / target.dram_bytes_per_cycle +
                           double(target.dma_latency_cycles)
                     : double(fixedCycles(target, inst)));
    if (earliest > double(options.max_cycles))
      return fail(formatv("cycle limit of {0} reached: c{1}.{2} instruction "
                          "{3} ({4}) issued at cycle {5} cannot complete "
                          "before cycle {6} (--max-cycles)",
                          options.max_cycles, engine.core,
                          engineName(engine.engine), engine.pc,
                          opcodeName(inst.opcode), uint64_t(now),
                          uint64_t(earliest)));
  }
  // Instructions take effect when they issue. Same-engine order is program
  // order, and another engine only learns of an instruction through a
  // signal, which comes at its completion, after its issue: a correctly
  // synchronized program cannot tell this from any other moment between
  // issue and completion.
  if (executor)
    if (Error error = executor->execute(engine.core, inst))
      return fail(formatv("c{0}.{1} instruction {2} ({3}): {4}", engine.core,
                          engineName(engine.engine), engine.pc,
                          opcodeName(inst.opcode), toString(std::move(error))));

  if (isDma) {
    engine.transferring = true;
    engine.transferPc = engine.pc;
    engine.transferIssued = now;
    engine.remaining = double(dmaDramBytes(inst));
    engine.transferEndFor = 0;
    ++transfers;
    ++engine.pc;
    engine.readyAt = kInfinity;
    return fetch(engine);
  }
  double finish = now;
  switch (inst.opcode) {
  case Opcode::Halt:
    engine.haltIssued = true;
    break;
  case Opcode::Nop:
    break;
  case Opcode::MxuLoadWeights:
    // docs/isa.md "Cost": the weight registers are double-buffered. This
    // load fills the buffer the matmuls issued so far do not read; the next
    // load overwrites the one they do read, so it waits until their rows
    // have all entered the array (streamFree as of now).
    engine.weightPathFree = now + double(occupancyCycles(target, inst));
    engine.shadowFree = engine.streamFree;
    finish = now + double(fixedCycles(target, inst));
    engine.weightsReady = finish;
    break;
  case Opcode::MxuMatmul:
    engine.streamFree = now + double(occupancyCycles(target, inst));
    finish = now + double(fixedCycles(target, inst));
    break;
  default:
    finish = now + double(fixedCycles(target, inst));
    break;
  }
  finish = std::max(finish, engine.lastComplete);
  engine.lastComplete = finish;
  pushInFlight(engine, {engine.pc, now, finish});
  ++engine.pc;
  if (!engine.haltIssued)
    if (Error error = fetch(engine))
      return error;
  refreshReady(engine);
  return Error::success();
}

void Scheduler::pushInFlight(EngineState &engine, const InFlight &entry) {
  if (engine.inFlight.empty())
    engine.nextCompletion = entry.complete;
  engine.inFlight.push(entry);
}

void Scheduler::endTransfer(EngineState &engine) {
  engine.transferring = false;
  --transfers;
  // The last bytes were requested now; they land dma_latency_cycles later.
  double finish =
      std::max(now + double(target.dma_latency_cycles), engine.lastComplete);
  engine.lastComplete = finish;
  pushInFlight(engine, {engine.transferPc, engine.transferIssued, finish});
  refreshReady(engine);
}

/// Completes the engine's instructions whose time has come; true if one of
/// them signalled (which may let another engine issue).
bool Scheduler::retire(EngineState &engine) {
  bool signalled = false;
  while (engine.nextCompletion <= now) {
    InFlight done = engine.inFlight.front();
    engine.inFlight.pop();
    engine.nextCompletion =
        engine.inFlight.empty() ? kInfinity : engine.inFlight.front().complete;
    signalled |= complete(engine, done);
  }
  return signalled;
}

bool Scheduler::complete(EngineState &engine, const InFlight &done) {
  const Instruction &inst = engine.at(done.pc);
  uint32_t source = engine.source[done.pc];
  double end = done.complete;

  bool signalled = false;
  for (uint8_t id : inst.signal) {
    if (id != kNoSemaphore) {
      ++engine.semaphores[id];
      signalled = true;
    }
  }

  EngineStats &engineStats = *engine.stats;
  // Only the part of [issue, end) no earlier instruction covered is new
  // busy time (completion is in order, so the covered time is a prefix).
  double busy = std::max(0.0, end - std::max(done.issued, engine.creditedUntil));
  engine.creditedUntil = std::max(engine.creditedUntil, end);
  double energy = instructionEnergy(target, inst).total();
  ++engineStats.instructions;
  engineStats.busy_cycles += busy;
  engineStats.energy_pj += energy;
  stats.dynamic_energy_pj += energy;
  stats.end_cycle = std::max(stats.end_cycle, end);

  OpStats &op = source == kNoSource ? stats.unattributed : stats.ops[source];
  ++op.instructions;
  if (op.first_issue < 0 || done.issued < op.first_issue)
    op.first_issue = done.issued;
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
  case Opcode::Nop:
    break;
  case Opcode::Halt:
    engine.halted = true;
    break;
  default:
    stats.vector_ops += vpuElementOps(inst);
    break;
  }
  if (trace) {
    TraceEvent event;
    event.core = engine.core;
    event.engine = engine.engine;
    event.index = done.pc;
    event.instruction = &inst;
    event.source = source;
    event.issue_cycle = done.issued;
    event.complete_cycle = end;
    trace->record(event);
  }
  return signalled;
}

Error Scheduler::issueReady(bool &progress) {
  progress = false;
  // Whether an engine visited earlier in this pass is blocked on a
  // semaphore: a later signal may unblock it, so the pass is repeated.
  // (Issuing alone enables no other engine; engines visited later see the
  // signal in this pass.)
  bool blockedEarlier = false;
  for (EngineState &engine : engines) {
    // Completions first: a zero-cycle NOP or HALT completes at once.
    while (engine.nextCompletion <= now || engine.readyAt <= now) {
      if (retire(engine) && blockedEarlier)
        progress = true;
      bool issued;
      if (Error error = tryIssue(engine, issued))
        return error;
      if (!issued)
        break;
    }
    blockedEarlier |= engine.blocked;
  }
  return Error::success();
}

Error Scheduler::deadlock() const {
  std::string message =
      formatv("deadlock at cycle {0}: every unfinished engine waits on a "
              "semaphore that nothing will signal",
              uint64_t(std::ceil(now)));
  for (const EngineState &engine : engines) {
    if (engine.halted)
      continue;
    const Instruction &inst = engine.at(engine.pc);
    const uint32_t *sems = engine.semaphores;
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
  engines.reserve(numCores * kNumEngines);
  for (unsigned core = 0; core < numCores; ++core)
    for (unsigned e = 0; e < kNumEngines; ++e) {
      EngineState engine;
      engine.core = core;
      engine.engine = static_cast<Engine>(e);
      const Stream &stream = program.cores[core][e];
      engine.stream = &stream;
      if (!stream.isEncoded())
        engine.decoded = stream.instructions.data();
      engine.source = stream.source.data();
      engine.semaphores = semaphores.data() + core * target.semaphores;
      engine.stats = &stats.engines[core][e];
      engines.push_back(std::move(engine));
    }
  for (EngineState &engine : engines) {
    if (Error error = fetch(engine))
      return std::move(error);
    refreshReady(engine);
  }
  // The DRAM bandwidth share of each of n transfers in flight, by n (one
  // transfer per DMA queue at most).
  SmallVector<double, 9> shareOf(2 * numCores + 1, 0.0);
  for (unsigned n = 1; n < shareOf.size(); ++n)
    shareOf[n] = target.dram_bytes_per_cycle / n;

  while (true) {
    bool progress = true;
    while (progress)
      if (Error error = issueReady(progress))
        return std::move(error);

    // Next event: the earliest completion, transfer end, or time at which
    // an engine's resources free up for its next instruction.
    double next = kInfinity;
    double share = shareOf[transfers];
    bool finished = true;
    for (EngineState &engine : engines) {
      if (engine.halted)
        continue;
      finished = false;
      next = std::min(next, engine.nextCompletion);
      if (engine.transferring) {
        if (engine.transferEndFor != transfers) {
          engine.transferEnd = now + engine.remaining / share;
          engine.transferEndFor = transfers;
        }
        next = std::min(next, engine.transferEnd);
      } else if (engine.readyAt > now) {
        next = std::min(next, engine.readyAt);
      }
    }
    if (finished)
      break;
    if (next == kInfinity)
      return deadlock();

    double elapsed = next - now;
    now = next;
    if (transfers) {
      // Transfers that end now still take their share of this step.
      unsigned sharing = transfers;
      for (EngineState &engine : engines) {
        if (!engine.transferring)
          continue;
        engine.remaining -= elapsed * share;
        // Late in a long run the time left may be below the resolution of
        // `now`; the transfer is then complete too (or time would stall).
        if (engine.remaining <= kByteEpsilon) {
          endTransfer(engine);
          continue;
        }
        engine.transferEnd = now + engine.remaining / share;
        engine.transferEndFor = sharing;
        if (engine.transferEnd <= now)
          endTransfer(engine);
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
