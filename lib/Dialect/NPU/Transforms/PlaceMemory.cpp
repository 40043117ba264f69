//===- PlaceMemory.cpp - npu-place-memory: addresses by liveness ----------===//
//
// Interval packing per memory: buffers are taken in order of first use and
// each goes to the lowest aligned address not held by a buffer still live
// (first fit), so a dead activation's DRAM or a finished tile's SRAM is
// reused by the next one. DRAM starts with the tensors that live for the
// whole run (inputs, outputs, constants: the host-visible tables), laid out
// in that order. The result is proven with the same check
// npu-verify-placement runs.
//
//===----------------------------------------------------------------------===//
#include "BufferLiveness.h"

#include "npu/Dialect/NPU/Transforms/Passes.h"

#include "llvm/ADT/STLExtras.h"

namespace mlir::npu {
#define GEN_PASS_DEF_NPUPLACEMEMORYPASS
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

/// Rounds `value` up to a multiple of `alignment`; nullopt on overflow.
std::optional<uint64_t> alignUp(uint64_t value, uint64_t alignment) {
  uint64_t rem = value % alignment;
  if (rem == 0)
    return value;
  if (value > UINT64_MAX - (alignment - rem))
    return std::nullopt;
  return value + (alignment - rem);
}

/// The placed buffers of one memory that are still live, by address.
class MemoryPacker {
public:
  /// With `ring`, each search starts where the previous buffer ended
  /// (next fit) instead of at address 0 (first fit).
  MemoryPacker(Space space, const npurt::Target &target, bool ring)
      : space(space), alignment(placementAlignment(target, space)),
        capacity(memoryCapacity(target, space)), ring(ring) {}

  /// Places `live` at the first fitting address (from the ring cursor, then
  /// from 0); fails, reporting nothing, when no gap fits.
  LogicalResult place(const LiveBuffer &live) {
    llvm::erase_if(active, [&](const Slot &slot) {
      if (slot.last >= live.first)
        return false;
      liveBytes -= slot.end - slot.begin;
      return true;
    });
    std::optional<std::pair<uint64_t, size_t>> fit;
    if (ring)
      fit = findFit(live.bytes, cursor);
    if (!fit)
      fit = findFit(live.bytes, 0);
    if (!fit)
      return failure();
    auto [address, insertAt] = *fit;
    live.op.setPlacedAddress(address);
    active.insert(active.begin() + insertAt,
                  {address, address + live.bytes, live.last});
    peak = std::max(peak, address + live.bytes);
    liveBytes += live.bytes;
    peakLive = std::max(peakLive, liveBytes);
    cursor = address + live.bytes;
    return success();
  }

  /// The end of the highest buffer placed.
  uint64_t peak = 0;
  /// The most bytes live at once.
  uint64_t peakLive = 0;

  struct Slot {
    uint64_t begin, end, last;
  };

  /// The lowest aligned address >= `from` where `bytes` fit between the live
  /// slots and below the capacity, with the index to insert its slot at.
  std::optional<std::pair<uint64_t, size_t>> findFit(uint64_t bytes,
                                                     uint64_t from) const {
    std::optional<uint64_t> candidate = alignUp(from, alignment);
    for (size_t i = 0; candidate && i <= active.size(); ++i) {
      uint64_t limit = i < active.size() ? active[i].begin : capacity;
      if (bytes <= limit && *candidate <= limit - bytes)
        return std::make_pair(*candidate, i);
      if (i == active.size())
        break;
      std::optional<uint64_t> next = alignUp(active[i].end, alignment);
      if (!next)
        break;
      candidate = std::max(*candidate, *next);
    }
    return std::nullopt;
  }

  /// Reports that `live` does not fit next to the buffers live now.
  LogicalResult reportOverflow(const LiveBuffer &live) {
    // What the live set needs, each buffer aligned as placement requires.
    uint64_t needed = 0;
    auto add = [&](uint64_t bytes) {
      uint64_t aligned = alignUp(bytes, alignment).value_or(UINT64_MAX);
      needed = aligned > UINT64_MAX - needed ? UINT64_MAX : needed + aligned;
    };
    for (const Slot &slot : active)
      add(slot.end - slot.begin);
    add(live.bytes);
    Operation *anchor =
        live.layer ? live.layer.getOperation() : live.op.getOperation();
    InFlightDiagnostic diag = anchor->emitError();
    if (live.layer)
      diag << "layer '" << live.layer.getName() << "'";
    else
      diag << "the program";
    diag << " needs " << needed << " bytes of " << stringifySpace(space)
         << " live at once but the chip has " << capacity << " ("
         << capacityFieldName(space) << "): cannot place "
         << describeBuffer(live.op) << " of " << live.bytes << " bytes";
    if (needed <= capacity)
      diag << " (the free space is fragmented)";
    diag.attachNote(live.op->getLoc()) << "the buffer that does not fit";
    return failure();
  }

private:
  Space space;
  uint64_t alignment;
  uint64_t capacity;
  bool ring;
  uint64_t cursor = 0;
  uint64_t liveBytes = 0;
  std::vector<Slot> active; ///< Sorted by begin, disjoint.
};

/// The rank of buffers that are no table (intermediates, on-chip buffers):
/// they come after the tables, by first use.
constexpr int kNotATable = 4;

/// The order DRAM tables are laid out in: inputs, outputs, state,
/// constants; then everything else.
int tableRank(BufferOpInterface op) {
  if (auto io = dyn_cast<IOOp>(op.getOperation())) {
    switch (io.getKind()) {
    case IOKind::input:
      return 0;
    case IOKind::output:
      return 1;
    case IOKind::state:
      return 2;
    }
  }
  if (isa<ConstantOp>(op.getOperation()))
    return 3;
  return kNotATable;
}

struct NPUPlaceMemoryPass
    : npu::impl::NPUPlaceMemoryPassBase<NPUPlaceMemoryPass> {
  using Base::Base;

  /// How SRAM and ACC buffers are packed (DRAM is always first fit).
  enum class Strategy { Ring, FirstFit, BySize };
  struct Strategies {
    Strategy sram = Strategy::Ring, acc = Strategy::Ring;
  };

  /// What the report says about a memory packed by `strategy`.
  StringRef describe(Strategy strategy) const {
    if (strategy == Strategy::FirstFit && ring)
      return "first fit: the ring did not fit";
    if (strategy == Strategy::BySize)
      return "largest first: first fit did not fit";
    return "";
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    TargetAttr targetAttr = TargetAttr::lookup(module);
    if (!targetAttr) {
      module.emitError("npu-place-memory needs the chip: the module has no "
                       "'npu.target' attribute; run npu-set-target first");
      return signalPassFailure();
    }
    npurt::Target target = targetAttr.getTarget();
    for (auto program : module.getOps<ProgramOp>()) {
      std::vector<LiveBuffer> buffers = computeLiveBuffers(program);
      // A ring can fragment on-chip memory where first fit would not (long
      // lived buffers end up scattered), and first fit where packing the
      // largest buffers first would not: fall back rather than fail, each
      // memory on its own (the accumulator filled to the brim must not cost
      // the SRAM its ring). Only when every strategy fails is the first-fit
      // failure reported.
      Strategies chosen;
      for (Space space : {Space::Sram, Space::Acc}) {
        Strategy &strategy = space == Space::Sram ? chosen.sram : chosen.acc;
        bool placed = false;
        for (Strategy candidate :
             {Strategy::Ring, Strategy::FirstFit, Strategy::BySize}) {
          if (candidate == Strategy::Ring && !ring)
            continue;
          strategy = candidate;
          if (succeeded(place(program, buffers, target, chosen,
                              /*reportFailure=*/false, space))) {
            placed = true;
            break;
          }
        }
        if (!placed) {
          strategy = Strategy::FirstFit;
          (void)place(program, buffers, target, chosen,
                      /*reportFailure=*/true, space);
          return signalPassFailure();
        }
      }
      if (failed(place(program, buffers, target, chosen,
                       /*reportFailure=*/true)) ||
          failed(verifyPlacement(program, target)))
        return signalPassFailure();
    }
  }

  /// Places every buffer of `program` (only those in `only`, when given);
  /// on failure reports the working set that does not fit if
  /// `reportFailure`.
  LogicalResult place(ProgramOp program, ArrayRef<LiveBuffer> buffers,
                      const npurt::Target &target, Strategies strategies,
                      bool reportFailure,
                      std::optional<Space> only = std::nullopt) {
    // Tables first (whole-program, host-visible), then everything else by
    // first use; stable, so ties keep definition order.
    std::vector<const LiveBuffer *> order;
    for (const LiveBuffer &live : buffers)
      order.push_back(&live);
    llvm::stable_sort(order, [](const LiveBuffer *a, const LiveBuffer *b) {
      int rankA = tableRank(a->op), rankB = tableRank(b->op);
      if (rankA != rankB)
        return rankA < rankB;
      return rankA == kNotATable && a->first < b->first;
    });
    // On-chip memories are used as rings: an address is reused as late as
    // possible, so a buffer rarely waits (write-after-read) for an unrelated
    // buffer that just died there. DRAM is packed first-fit, keeping the
    // program's footprint small.
    MemoryPacker dram(Space::Dram, target, /*ring=*/false),
        sram(Space::Sram, target, strategies.sram == Strategy::Ring),
        acc(Space::Acc, target, strategies.acc == Strategy::Ring);
    std::vector<const LiveBuffer *> bySize[2];
    for (const LiveBuffer *live : order) {
      if (only && live->space != *only)
        continue;
      Strategy strategy = live->space == Space::Sram ? strategies.sram
                                                     : strategies.acc;
      if (live->space != Space::Dram && strategy == Strategy::BySize) {
        bySize[live->space == Space::Sram ? 0 : 1].push_back(live);
        continue;
      }
      MemoryPacker &packer = live->space == Space::Dram   ? dram
                             : live->space == Space::Sram ? sram
                                                          : acc;
      if (failed(packer.place(*live)))
        return reportFailure ? packer.reportOverflow(*live) : failure();
    }
    if (failed(packBySize(bySize[0], target, Space::Sram, sram)) ||
        failed(packBySize(bySize[1], target, Space::Acc, acc)))
      return failure();
    if (only)
      return success();
    numPlacedBuffers += buffers.size();
    if (report) {
      InFlightDiagnostic remark = program.emitRemark();
      remark << "npu-place-memory: most bytes live at once: sram "
             << sram.peakLive << ", acc " << acc.peakLive << ", dram "
             << dram.peakLive << "; highest byte used: sram " << sram.peak
             << ", acc " << acc.peak << ", dram " << dram.peak << " ("
             << buffers.size() << " buffers";
      if (!describe(strategies.sram).empty())
        remark << ", sram " << describe(strategies.sram);
      if (!describe(strategies.acc).empty())
        remark << ", acc " << describe(strategies.acc);
      remark << ")";
    }
    peakSramBytes = std::max<uint64_t>(peakSramBytes, sram.peak);
    peakLiveSramBytes = std::max<uint64_t>(peakLiveSramBytes, sram.peakLive);
    peakAccBytes = std::max<uint64_t>(peakAccBytes, acc.peak);
    peakDramBytes = std::max<uint64_t>(peakDramBytes, dram.peak);
    return success();
  }

  /// Offline packing of one on-chip memory, largest buffer first (as TFLite's
  /// greedy-by-size planner): each goes to the lowest aligned address free
  /// of every already placed buffer whose live range meets its own. Large
  /// buffers then never wait for a contiguous gap between small ones.
  /// Quadratic in the buffer count, so it is only the last resort.
  static LogicalResult packBySize(std::vector<const LiveBuffer *> buffers,
                                  const npurt::Target &target, Space space,
                                  MemoryPacker &stats) {
    uint64_t alignment = placementAlignment(target, space);
    uint64_t capacity = memoryCapacity(target, space);
    llvm::stable_sort(buffers, [](const LiveBuffer *a, const LiveBuffer *b) {
      return a->bytes != b->bytes ? a->bytes > b->bytes : a->first < b->first;
    });
    struct Placed {
      const LiveBuffer *live;
      uint64_t begin, end;
    };
    std::vector<Placed> placed;
    std::vector<std::pair<uint64_t, uint64_t>> taken;
    for (const LiveBuffer *live : buffers) {
      taken.clear();
      for (const Placed &other : placed)
        if (other.live->overlapsInTime(*live))
          taken.push_back({other.begin, other.end});
      llvm::sort(taken);
      std::optional<uint64_t> candidate = 0;
      for (auto [begin, end] : taken) {
        if (live->bytes <= begin && *candidate <= begin - live->bytes)
          break;
        candidate = alignUp(std::max(*candidate, end), alignment);
        if (!candidate)
          return failure();
      }
      if (live->bytes > capacity || *candidate > capacity - live->bytes)
        return failure();
      live->op.setPlacedAddress(*candidate);
      placed.push_back({live, *candidate, *candidate + live->bytes});
      stats.peak = std::max(stats.peak, *candidate + live->bytes);
    }
    // The most bytes live at once, by a sweep over first/last uses.
    std::vector<std::pair<uint64_t, int64_t>> events;
    for (const LiveBuffer *live : buffers) {
      events.push_back(
          {live->first * 2 + 1, static_cast<int64_t>(live->bytes)});
      events.push_back(
          {live->last * 2 + 2, -static_cast<int64_t>(live->bytes)});
    }
    llvm::sort(events);
    int64_t liveBytes = 0;
    for (auto [time, delta] : events) {
      liveBytes += delta;
      stats.peakLive =
          std::max(stats.peakLive,
                   static_cast<uint64_t>(std::max<int64_t>(liveBytes, 0)));
    }
    return success();
  }
};

} // namespace
