//===- NPUToNPUISA.cpp - npu-lower-to-isa: placed buffers to a chip program ===//
//
// Turns a placed `npu.program` (every buffer has an address) into the
// `npuisa.program` the serializer writes: absolute addresses, one stream per
// engine, the semaphores that order the engines, the I/O and constant
// tables and the source map.
//
// Synchronization. Instructions of one engine run in program order and
// complete in order (docs/isa.md "Cost"), so only hazards between engines
// need semaphores. Walking the program in order, each instruction's byte
// ranges (a strided access split into the ranges of its widest dimension,
// accessedIntervals, so tiles of one NCHW tensor do not look overlapping)
// are looked up in one
// interval map per memory that records, per byte range, the last writer and
// the last reader of each engine since that write: a read depends on the last
// writer (RAW), a write on the last writer (WAW) and on the readers (WAR).
// Only the latest producer per other engine matters (in-order completion),
// and one is dropped when the consumer already knows it completed: every
// instruction carries a vector clock of the highest instruction of each
// engine known complete when it issues, inherited from its engine
// predecessor and from the producers it waits on. Each remaining dependency
// is one signal on the producer and one wait on the consumer, through the
// semaphore of that ordered engine pair (at most 12 semaphores). Because
// both signals and waits of a pair are added in program order and signals
// fire in program order, the n-th wait consumes exactly the n-th signal; every
// signal is waited for, so all semaphores end at zero; and because every wait
// refers to an instruction earlier in program order, the streams cannot
// deadlock. Waits beyond an instruction's two slots go on NOPs just before it
// on its engine, signals beyond the two slots on NOPs just after the producer
// (which complete with it).
//
//===----------------------------------------------------------------------===//
#include "npu/Conversion/Passes.h"

#include "npu/Dialect/NPU/IR/NPU.h"
#include "npu/Dialect/NPUISA/IR/NPUISA.h"
#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Program.h"
#include "npu/Dialect/NPUISA/IR/ProgramConversion.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <array>
#include <limits>
#include <map>
#include <optional>

namespace mlir::npu {
#define GEN_PASS_DEF_NPULOWERTOISAPASS
#include "npu/Conversion/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

constexpr unsigned kEngines = npurt::kNumEngines;
/// Position of a (non-NOP) instruction in its engine's stream; -1 = none.
using Rank = int64_t;
/// Per engine, the highest rank known to have completed.
using Knowledge = std::array<Rank, kEngines>;
constexpr Knowledge kNothingKnown = {-1, -1, -1, -1};
/// The most byte ranges one strided access is split into for the hazard
/// analysis (accessedIntervals): enough for one range per channel plane of
/// a 256-channel tile.
constexpr unsigned kMaxIntervals = 256;

unsigned engineIndex(npurt::Engine engine) {
  return static_cast<unsigned>(engine);
}

/// One instruction of an engine's stream, with the NOPs that carry the waits
/// and signals its own slots cannot hold.
struct Node {
  npurt::Instruction inst;
  Location loc;
  uint32_t source = npurt::kNoSource;
  /// What this instruction knows to be complete when it issues.
  Knowledge known = kNothingKnown;
  SmallVector<npurt::Instruction, 0> nopsBefore;
  SmallVector<npurt::Instruction, 0> nopsAfter;
};

/// Puts `id` into the first free slot of `slots`; false if both are used.
bool addToSlot(std::array<uint8_t, 2> &slots, uint8_t id) {
  for (uint8_t &slot : slots) {
    if (slot == npurt::kNoSemaphore) {
      slot = id;
      return true;
    }
  }
  return false;
}

npurt::Instruction makeNop() {
  npurt::Instruction nop;
  nop.opcode = npurt::Opcode::Nop;
  return nop;
}

/// The engines' accesses to one memory: disjoint byte ranges, each with its
/// last writer and the last reader of each engine since that write.
class AccessMap {
public:
  struct Segment {
    uint64_t end = 0;
    int writerEngine = -1;
    Rank writerRank = -1;
    Knowledge readers = kNothingKnown;
  };

  /// Adds to `needs` (per engine, the latest rank that must complete first)
  /// the dependencies of an access to [begin, end) by engine `engine`: on
  /// the last writer for any access (RAW, WAW), and on the readers since
  /// that write when it `writes` (WAR).
  void collect(uint64_t begin, uint64_t end, bool writes, unsigned engine,
               Knowledge &needs) const {
    auto it = segments.upper_bound(begin);
    if (it != segments.begin())
      --it;
    for (; it != segments.end() && it->first < end; ++it) {
      const Segment &segment = it->second;
      if (segment.end <= begin)
        continue;
      if (segment.writerEngine >= 0 &&
          static_cast<unsigned>(segment.writerEngine) != engine)
        needs[segment.writerEngine] =
            std::max(needs[segment.writerEngine], segment.writerRank);
      if (!writes)
        continue;
      for (unsigned reader = 0; reader < kEngines; ++reader)
        if (reader != engine)
          needs[reader] = std::max(needs[reader], segment.readers[reader]);
    }
  }

  /// Records a read of [begin, end) by `rank` of `engine`.
  void recordRead(uint64_t begin, uint64_t end, unsigned engine, Rank rank) {
    split(begin);
    split(end);
    uint64_t cursor = begin;
    auto it = segments.lower_bound(begin);
    while (cursor < end) {
      if (it == segments.end() || it->first > cursor) {
        // A gap nobody touched yet: a segment without a writer.
        uint64_t gapEnd = it == segments.end() ? end : std::min(end, it->first);
        Segment gap;
        gap.end = gapEnd;
        gap.readers[engine] = rank;
        it = std::next(segments.emplace_hint(it, cursor, gap));
        cursor = gapEnd;
        continue;
      }
      it->second.readers[engine] = rank;
      cursor = it->second.end;
      ++it;
    }
  }

  /// Records a write of [begin, end) by `rank` of `engine`: it becomes the
  /// last writer and the readers before it no longer matter.
  void recordWrite(uint64_t begin, uint64_t end, unsigned engine, Rank rank) {
    split(begin);
    split(end);
    segments.erase(segments.lower_bound(begin), segments.lower_bound(end));
    Segment segment;
    segment.end = end;
    segment.writerEngine = static_cast<int>(engine);
    segment.writerRank = rank;
    segments.emplace(begin, segment);
  }

private:
  /// Makes `point` a segment boundary.
  void split(uint64_t point) {
    auto it = segments.upper_bound(point);
    if (it == segments.begin())
      return;
    --it;
    if (it->first == point || it->second.end <= point)
      return;
    Segment tail = it->second;
    it->second.end = point;
    segments.emplace_hint(std::next(it), point, tail);
  }

  std::map<uint64_t, Segment> segments; ///< Keyed by the start address.
};

/// The field of `inst` that `role` names, for adding the buffer address.
template <typename Fn>
auto withField(npurt::Instruction &inst, AddrRole role, Fn fn) {
  switch (role) {
  case AddrRole::Dram:
    return fn(inst.dram_addr);
  case AddrRole::Sram:
    return fn(inst.sram_addr);
  case AddrRole::Acc:
    return fn(inst.acc_addr);
  case AddrRole::Dst:
    return fn(inst.dst.addr);
  case AddrRole::Src0:
    return fn(inst.src0.addr);
  case AddrRole::Src1:
    return fn(inst.src1.addr);
  case AddrRole::Src2:
    return fn(inst.src2.addr);
  }
  return fn(inst.dram_addr);
}

StringRef spaceName(Space space) {
  switch (space) {
  case Space::Dram:
    return "dram";
  case Space::Sram:
    return "sram";
  case Space::Acc:
    return "acc";
  }
  return "<invalid>";
}

/// Names a buffer in messages: "sram buffer 'conv1.input'".
std::string describeBuffer(BufferOpInterface buffer) {
  std::string text = (spaceName(buffer.getSpace()) + " buffer").str();
  if (!buffer.getBufferName().empty())
    text += (" '" + buffer.getBufferName() + "'").str();
  return text;
}

/// The lowering of one npu.program.
class Lowering {
public:
  /// With `serialize`, every instruction also waits for the one before it
  /// in program order: no two engines ever overlap (the baseline that shows
  /// what the overlap buys, and a trivially correct reference schedule).
  Lowering(npu::ProgramOp program, const npurt::Target &target,
           bool serialize)
      : program(program), target(target), serialize(serialize) {}

  /// Builds the npuisa.program in place of the npu.program.
  LogicalResult run();

  struct Counts {
    std::array<uint64_t, kEngines> instructions = {0, 0, 0, 0};
    uint64_t semaphores = 0;
    uint64_t waits = 0;
    uint64_t nops = 0;
  };
  const Counts &counts() const { return counts_; }

private:
  LogicalResult lowerInstruction(InstructionOpInterface op, uint32_t source);
  FailureOr<uint8_t> semaphoreFor(unsigned producer, unsigned consumer,
                                  Operation *op);
  void signalFrom(unsigned producer, Rank rank, uint8_t id);
  void emit(OpBuilder &builder);

  npu::ProgramOp program;
  const npurt::Target &target;
  bool serialize;
  /// The previous instruction in program order (engine, rank).
  std::optional<std::pair<unsigned, Rank>> previous;
  std::array<SmallVector<Node, 0>, kEngines> streams;
  /// Semaphore of each ordered engine pair (producer, consumer), if used.
  std::array<std::array<std::optional<uint8_t>, kEngines>, kEngines> pairs;
  unsigned nextSemaphore = 0;
  /// Accesses to DRAM, SRAM and the accumulator.
  std::array<AccessMap, 3> memories;
  Counts counts_;
};

FailureOr<uint8_t> Lowering::semaphoreFor(unsigned producer, unsigned consumer,
                                          Operation *op) {
  std::optional<uint8_t> &id = pairs[producer][consumer];
  if (id)
    return *id;
  // Pair semaphores are numbered in order of first use, so a program that
  // synchronizes few engine pairs fits a chip with few semaphores.
  if (nextSemaphore >= target.semaphores || nextSemaphore >= 0xFF) {
    return op->emitError()
           << "needs a semaphore for engine pair "
           << npurt::engineName(static_cast<npurt::Engine>(producer)) << " -> "
           << npurt::engineName(static_cast<npurt::Engine>(consumer))
           << " but all " << target.semaphores << " semaphores of target '"
           << target.name
           << "' are in use (one per ordered pair of engines that "
              "synchronize, up to 12)";
  }
  id = static_cast<uint8_t>(nextSemaphore++);
  ++counts_.semaphores;
  return *id;
}

void Lowering::signalFrom(unsigned producer, Rank rank, uint8_t id) {
  Node &node = streams[producer][rank];
  if (addToSlot(node.inst.signal, id))
    return;
  // A NOP right after the producer completes with it (in-order completion).
  for (npurt::Instruction &nop : node.nopsAfter)
    if (addToSlot(nop.signal, id))
      return;
  npurt::Instruction nop = makeNop();
  nop.signal[0] = id;
  node.nopsAfter.push_back(nop);
  ++counts_.nops;
}

LogicalResult Lowering::lowerInstruction(InstructionOpInterface op,
                                         uint32_t source) {
  npurt::Instruction inst = op.getInstruction();
  std::optional<npurt::Engine> engineOrNone = npurt::engineOf(inst.opcode);
  if (!engineOrNone)
    return op->emitError("is not an engine instruction (halt and nop are "
                         "added by npu-lower-to-isa itself)");
  unsigned engine = engineIndex(*engineOrNone);
  Rank rank = static_cast<Rank>(streams[engine].size());

  // Absolute addresses, and every accessed byte range in its memory.
  struct Range {
    unsigned memory;
    uint64_t begin, end;
    bool reads, writes;
  };
  SmallVector<Range, 16> ranges;
  for (const BufferAccess &access : op.getBufferAccesses()) {
    BufferOpInterface buffer = getBufferOp(access.buffer);
    if (!buffer)
      return op->emitError() << "field " << stringifyAddrRole(access.role)
                             << " is not bound to a buffer defined by "
                                "npu.alloc, npu.io or npu.constant";
    std::optional<uint64_t> address = buffer.getPlacedAddress();
    if (!address) {
      InFlightDiagnostic diag = op->emitError()
                                << "uses " << describeBuffer(buffer)
                                << ", which has no address: run "
                                   "npu-place-memory before npu-lower-to-isa";
      diag.attachNote(buffer->getLoc()) << "buffer defined here";
      return diag;
    }
    uint64_t offset = 0;
    unsigned fieldBits = 0;
    bool fits = withField(inst, access.role, [&](auto &field) {
      using FieldType = std::remove_reference_t<decltype(field)>;
      offset = static_cast<uint64_t>(field);
      fieldBits = 8 * sizeof(FieldType);
      uint64_t sum = offset + *address;
      if (sum < *address || sum > std::numeric_limits<FieldType>::max())
        return false;
      field = static_cast<FieldType>(sum);
      return true;
    });
    if (!fits)
      return op->emitError()
             << "field " << stringifyAddrRole(access.role) << " ("
             << describeBuffer(buffer) << " at 0x" << llvm::utohexstr(*address)
             << " + offset 0x" << llvm::utohexstr(offset)
             << ") does not fit its " << fieldBits << "-bit address field";
    if (access.begin >= access.end)
      continue;
    // Ranges start inside the buffer for verified IR (negative DMA strides
    // included); clamp so a malformed one cannot wrap around.
    int64_t base = static_cast<int64_t>(std::min<uint64_t>(
        *address + offset, std::numeric_limits<int64_t>::max() / 4));
    for (auto [lo, hi] :
         accessedIntervals(op.getInstruction(), access.role, kMaxIntervals)) {
      uint64_t begin = static_cast<uint64_t>(std::max<int64_t>(0, base + lo));
      uint64_t end = static_cast<uint64_t>(std::max<int64_t>(0, base + hi));
      ranges.push_back({static_cast<unsigned>(buffer.getSpace()), begin, end,
                        access.reads, access.writes});
    }
  }

  // The latest instruction of each other engine this one must follow.
  Knowledge needs = kNothingKnown;
  for (const Range &range : ranges)
    memories[range.memory].collect(range.begin, range.end, range.writes,
                                   engine, needs);
  if (serialize && previous)
    needs[previous->first] = std::max(needs[previous->first], previous->second);
  needs[engine] = -1;

  Node node{inst, op->getLoc(), source, kNothingKnown, {}, {}};
  if (rank > 0)
    node.known = streams[engine].back().known;
  node.known[engine] = rank - 1;

  // Drop the dependencies the engine already knows about, and those that
  // waiting on another needed producer will imply.
  SmallVector<unsigned, 3> producers;
  for (unsigned other = 0; other < kEngines; ++other)
    if (other != engine && needs[other] > node.known[other])
      producers.push_back(other);
  SmallVector<unsigned, 3> waitsOn;
  for (unsigned producer : producers) {
    bool implied = llvm::any_of(producers, [&](unsigned via) {
      return via != producer &&
             streams[via][needs[via]].known[producer] >= needs[producer];
    });
    if (!implied)
      waitsOn.push_back(producer);
  }

  SmallVector<uint8_t, 3> waitIds;
  for (unsigned producer : waitsOn) {
    FailureOr<uint8_t> id = semaphoreFor(producer, engine, op);
    if (failed(id))
      return failure();
    Rank producerRank = needs[producer];
    signalFrom(producer, producerRank, *id);
    waitIds.push_back(*id);
    const Knowledge &learned = streams[producer][producerRank].known;
    for (unsigned e = 0; e < kEngines; ++e)
      node.known[e] = std::max(node.known[e], learned[e]);
    node.known[producer] = std::max(node.known[producer], producerRank);
  }
  counts_.waits += waitIds.size();
  // The instruction's two slots take the last waits; earlier ones go on
  // NOPs just before it.
  while (waitIds.size() > 2) {
    npurt::Instruction nop = makeNop();
    for (unsigned slot = 0; slot < 2 && waitIds.size() > 2; ++slot) {
      nop.wait[slot] = waitIds.front();
      waitIds.erase(waitIds.begin());
    }
    node.nopsBefore.push_back(nop);
    ++counts_.nops;
  }
  for (auto [slot, id] : llvm::enumerate(waitIds))
    node.inst.wait[slot] = id;
  node.known[engine] = rank - 1;

  for (const Range &range : ranges)
    if (range.reads)
      memories[range.memory].recordRead(range.begin, range.end, engine, rank);
  for (const Range &range : ranges)
    if (range.writes)
      memories[range.memory].recordWrite(range.begin, range.end, engine, rank);
  streams[engine].push_back(std::move(node));
  previous = {engine, rank};
  return success();
}

LogicalResult Lowering::run() {
  OpBuilder builder(program);
  auto isaProgram =
      npuisa::ProgramOp::create(builder, program.getLoc(), program.getSymName());
  Block &body = isaProgram.getBody().front();
  builder.setInsertionPointToEnd(&body);

  auto failWith = [&](LogicalResult result) {
    isaProgram.erase();
    return result;
  };
  auto placedAddress = [&](BufferOpInterface buffer) -> FailureOr<int64_t> {
    std::optional<uint64_t> address = buffer.getPlacedAddress();
    if (!address)
      return buffer->emitError()
             << describeBuffer(buffer)
             << " has no address: run npu-place-memory before "
                "npu-lower-to-isa";
    return static_cast<int64_t>(*address);
  };

  // Tables: I/O, constants, then the source map (one entry per layer).
  SmallVector<npu::LayerOp> layers;
  for (Operation &op : program.getBody().front()) {
    if (auto io = dyn_cast<npu::IOOp>(op)) {
      FailureOr<int64_t> address = placedAddress(io);
      if (failed(address))
        return failWith(failure());
      if (io.getKind() != npu::IOKind::state) {
        npuisa::IOOp::create(builder, io.getLoc(), io.getName(),
                             io.getKind() == npu::IOKind::input
                                 ? npuisa::IOKind::input
                                 : npuisa::IOKind::output,
                             io.getDtype(), io.getShape(), *address);
        continue;
      }
      // State keeps its value across runs; its initial value is a constant
      // loaded at the same address when the binary is loaded (absent: the
      // loader's zero-filled DRAM).
      npuisa::StateOp::create(builder, io.getLoc(), io.getName(),
                              io.getDtype(), io.getShape(), *address);
      if (ElementsAttr init = io.getInitialValueAttr())
        npuisa::ConstantOp::create(builder, io.getLoc(), *address, init);
    } else if (auto constant = dyn_cast<npu::ConstantOp>(op)) {
      FailureOr<int64_t> address = placedAddress(constant);
      if (failed(address))
        return failWith(failure());
      npuisa::ConstantOp::create(builder, constant.getLoc(), *address,
                                 constant.getData());
    } else if (auto layer = dyn_cast<npu::LayerOp>(op)) {
      layers.push_back(layer);
    }
  }
  for (auto [index, layer] : llvm::enumerate(layers))
    npuisa::SourceOp::create(builder, layer.getLoc(),
                             static_cast<int64_t>(index), layer.getName(),
                             layer.getKind(), layer.getMacs(),
                             layer.getVectorOps(), layer.getMinDramBytes());

  for (auto [index, layer] : llvm::enumerate(layers))
    for (Operation &op : layer.getBody().front())
      if (auto inst = dyn_cast<InstructionOpInterface>(op))
        if (failed(lowerInstruction(inst, static_cast<uint32_t>(index))))
          return failWith(failure());

  builder.setInsertionPointToEnd(&body);
  emit(builder);
  program.erase();
  return success();
}

void Lowering::emit(OpBuilder &builder) {
  Location loc = program.getLoc();
  for (unsigned engine = 0; engine < kEngines; ++engine) {
    auto engineOp = npuisa::EngineOp::create(
        builder, loc, /*core=*/0, static_cast<npuisa::Engine>(engine));
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToEnd(&engineOp.getBody().front());
    uint64_t &count = counts_.instructions[engine];
    for (const Node &node : streams[engine]) {
      for (const npurt::Instruction &nop : node.nopsBefore)
        npuisa::fromInstruction(builder, node.loc, nop, node.source);
      npuisa::fromInstruction(builder, node.loc, node.inst, node.source);
      for (const npurt::Instruction &nop : node.nopsAfter)
        npuisa::fromInstruction(builder, node.loc, nop, node.source);
      count += 1 + node.nopsBefore.size() + node.nopsAfter.size();
    }
    npurt::Instruction halt;
    halt.opcode = npurt::Opcode::Halt;
    npuisa::fromInstruction(builder, loc, halt, npurt::kNoSource);
    ++count;
  }
}

struct NPULowerToISAPass
    : npu::impl::NPULowerToISAPassBase<NPULowerToISAPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<npu::ProgramOp> programs(module.getOps<npu::ProgramOp>());
    if (programs.empty())
      return;
    TargetAttr targetAttr = TargetAttr::lookup(module);
    if (!targetAttr) {
      module.emitError("npu-lower-to-isa needs the chip: an 'npu.target' "
                       "attribute on the module (see npu-set-target)");
      return signalPassFailure();
    }
    npurt::Target target = targetAttr.getTarget();
    for (npu::ProgramOp program : programs) {
      Location loc = program.getLoc();
      Lowering lowering(program, target, serialize);
      if (failed(lowering.run()))
        return signalPassFailure();
      const Lowering::Counts &counts = lowering.counts();
      if (summary)
        emitRemark(loc) << "npu-lower-to-isa: instructions dma_load "
                        << counts.instructions[0] << ", dma_store "
                        << counts.instructions[1] << ", mxu "
                        << counts.instructions[2] << ", vpu "
                        << counts.instructions[3] << "; " << counts.semaphores
                        << " semaphores, " << counts.waits << " waits, "
                        << counts.nops << " NOPs";
      numDmaLoadInstructions += counts.instructions[0];
      numDmaStoreInstructions += counts.instructions[1];
      numMxuInstructions += counts.instructions[2];
      numVpuInstructions += counts.instructions[3];
      numSemaphores += counts.semaphores;
      numWaits += counts.waits;
      numNops += counts.nops;
    }
  }
};

} // namespace
