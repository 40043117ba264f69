//===- TileCostModel.cpp - tile sizes for matmul-like work on the MXU -----===//
//
// Implements TileCostModel.h: enumerates tilings of a matmul-like problem,
// lays out each one's working set, rejects those that do not fit SRAM and the
// accumulator, and simulates the program of the rest with the chip's cost
// formulas (docs/isa.md "Cost", docs/tiling.md).
//
//===----------------------------------------------------------------------===//
#include "TileCostModel.h"

#include "GemmLoop.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

using namespace mlir;
using namespace mlir::npu;
using llvm::SmallVector;

uint64_t MatmulTiling::kAt(uint64_t k, uint64_t index) const {
  return std::min(kTile, k - index * kTile);
}
uint64_t MatmulTiling::nAt(uint64_t n, uint64_t index) const {
  return std::min(nTile, n - index * nTile);
}

SmallVector<uint64_t> mlir::npu::balancedTiles(uint64_t total,
                                               uint64_t maxRows) {
  SmallVector<uint64_t> tiles;
  if (total == 0 || maxRows == 0)
    return tiles;
  uint64_t count = (total + maxRows - 1) / maxRows;
  uint64_t size = (total + count - 1) / count;
  for (uint64_t begin = 0; begin < total; begin += size)
    tiles.push_back(std::min(size, total - begin));
  return tiles;
}

namespace {
/// Overflow-checked accumulation of buffer sizes.
struct Bytes {
  uint64_t value = 0;
  bool overflow = false;

  /// Appends a buffer of `size` bytes aligned to `alignment`; returns its
  /// offset.
  uint64_t add(uint64_t size, uint64_t alignment) {
    uint64_t offset = llvm::alignTo(value, alignment);
    if (offset < value || offset + size < offset)
      overflow = true;
    value = offset + size;
    return offset;
  }
};

/// a * b * c, or std::nullopt on overflow.
std::optional<uint64_t> product(uint64_t a, uint64_t b, uint64_t c = 1) {
  uint64_t ab, abc;
  if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc))
    return std::nullopt;
  return abc;
}

} // namespace

std::optional<MatmulLayout>
mlir::npu::layoutMatmul(const npurt::Target &target,
                        const MatmulProblem &problem,
                        const MatmulTiling &tiling) {
  MatmulLayout layout;
  uint64_t align = target.sram_alignment;
  unsigned cs = npurt::dtypeSize(problem.compute);
  uint64_t kTiles = tiling.kTiles(problem.k), nTiles = tiling.nTiles(problem.n);

  // An A slot: the k-slices of a panel, each its own aligned block, or one
  // slice of the widest k-tile.
  Bytes a;
  if (tiling.aPanel) {
    for (uint64_t kk = 0; kk < kTiles; ++kk) {
      auto size = product(tiling.maxRows, tiling.kAt(problem.k, kk), cs);
      if (!size)
        return std::nullopt;
      layout.aSliceOffsets.push_back(a.add(*size, align));
    }
  } else {
    auto size = product(tiling.maxRows, tiling.kTile, cs);
    if (!size)
      return std::nullopt;
    layout.aSliceOffsets.push_back(a.add(*size, align));
  }
  layout.aSlotBytes = llvm::alignTo(a.value, align);

  // A B slot: every weight tile of one problem in use order, or one tile.
  Bytes b;
  if (tiling.bResident) {
    for (uint64_t j = 0; j < nTiles; ++j)
      for (uint64_t kk = 0; kk < kTiles; ++kk)
        layout.bTileOffsets.push_back(b.add(
            tiling.kAt(problem.k, kk) * tiling.nAt(problem.n, j) * cs, align));
  } else {
    layout.bTileOffsets.push_back(
        b.add(tiling.kTile * tiling.nTile * cs, align));
  }
  layout.bSlotBytes = llvm::alignTo(b.value, align);

  auto acc = product(tiling.maxRows, tiling.nTile, 4);
  auto out =
      product(tiling.maxRows, tiling.nTile, npurt::dtypeSize(problem.outDram));
  if (!acc || !out)
    return std::nullopt;
  layout.accSlotBytes = llvm::alignTo(*acc, target.acc_alignment);
  layout.outSlotBytes = llvm::alignTo(*out, align);
  layout.cSlotBytes = problem.cTile ? llvm::alignTo(*acc, align) : 0;
  // One aligned row per n-tile (or column per row tile): a VPU bias
  // operand must start on an SRAM alignment boundary.
  layout.biasTileStride = llvm::alignTo(
      (problem.biasPerRow ? tiling.maxRows : tiling.nTile) * 4, align);
  auto bias = tiling.biasResident
                  ? product(layout.biasTileStride,
                            problem.biasPerRow ? tiling.rowTiles.size()
                                               : nTiles,
                            problem.biasPerProblem ? problem.count : 1)
                  : product(layout.biasTileStride, tiling.biasSlots);
  if (!bias)
    return std::nullopt;
  layout.biasBytes = problem.bias ? *bias : 0;

  auto sum = [](std::initializer_list<std::optional<uint64_t>> parts)
      -> std::optional<uint64_t> {
    uint64_t total = 0;
    for (std::optional<uint64_t> part : parts)
      if (!part || __builtin_add_overflow(total, *part, &total))
        return std::nullopt;
    return total;
  };
  std::optional<uint64_t> sram =
      sum({product(layout.aSlotBytes, tiling.aSlots),
           product(layout.bSlotBytes, tiling.bSlots),
           product(layout.outSlotBytes, tiling.outSlots),
           product(layout.cSlotBytes, tiling.cSlots), layout.biasBytes});
  std::optional<uint64_t> accTotal =
      product(layout.accSlotBytes, tiling.accSlots);
  if (!sram || !accTotal || a.overflow || b.overflow)
    return std::nullopt;
  layout.sramBytes = *sram;
  layout.accBytes = *accTotal;
  return layout;
}

namespace {
/// The DRAM port's busy intervals. Transfers are simulated in program
/// order, which is not time order across the two DMA queues, so a transfer
/// takes the earliest gap long enough for it.
class PortCalendar {
public:
  /// Books `duration` cycles starting at `earliest` or later; returns the
  /// end of the booking.
  double reserve(double earliest, double duration) {
    double start = earliest;
    auto it = busy.upper_bound(start);
    if (it != busy.begin() && std::prev(it)->second > start)
      start = std::prev(it)->second;
    while (it != busy.end() && it->first < start + duration) {
      start = std::max(start, it->second);
      ++it;
    }
    if (duration > 0)
      busy.emplace(start, start + duration);
    return start + duration;
  }

private:
  std::map<double, double> busy; ///< Start -> end, disjoint.
};

/// Simulates the program of a tiling (the steps of walkGemmLoop) on one
/// core with the simulator's cost formulas (docs/isa.md "Cost"): every
/// engine issues in program order and completes in order; the MXU streams
/// a matmul's rows while the next weights load into the other weight
/// buffer; a DMA holds its queue while its bytes cross the DRAM port (the
/// two queues take turns on the port) and completes dma_latency_cycles
/// later; the VPU is not pipelined. An instruction waits for the
/// completion of the other engines' earlier accesses to the buffer slots
/// it uses (RAW, WAR, WAW), as the semaphores npu-lower-to-isa inserts
/// make it.
class ScheduleEstimator : public GemmLoopVisitor {
public:
  ScheduleEstimator(const npurt::Target &target, const MatmulProblem &p,
                    const MatmulTiling &t)
      : target(target), p(p), t(t), kTiles(t.kTiles(p.k)),
        nTiles(t.nTiles(p.n)) {
    rate = p.compute == npurt::DType::BF16 ? target.mxu_rate_bf16
           : p.compute == npurt::DType::I8 ? target.mxu_rate_int8
                                           : target.mxu_rate_fp32;
  }

  /// The completion of the last instruction.
  double finish() const {
    double end = 0;
    for (const Engine &engine : engines)
      end = std::max(end, engine.lastComplete);
    return end;
  }

  LogicalResult loadBias() override {
    uint64_t problems = p.biasPerProblem ? p.count : 1;
    dma(kLoad, double(problems * (p.biasPerRow ? p.m : p.n) * 4), {},
        {key(Kind::Bias, 0, 0)});
    return success();
  }

  LogicalResult loadWeights(uint64_t, uint64_t j, uint64_t kk,
                            GemmSlot b) override {
    uint64_t kLen = t.kAt(p.k, kk), nLen = t.nAt(p.n, j);
    uint64_t tile = key(Kind::B, b.slot, b.part);
    double gatherReady = ready(kLoad, {}, {tile});
    if (p.bPaddedRows)
      fill(tile, p.bPaddedRows(j, kk * t.kTile, kLen), kLen,
           npurt::dtypeSize(p.compute), gatherReady);
    dma(kLoad, double(kLen * nLen) * npurt::dtypeSize(p.bDram), {}, {tile},
        gatherReady);
    return success();
  }

  LogicalResult loadBiasTile(const GemmItem &item, uint64_t j,
                             unsigned slot) override {
    uint64_t values = p.biasPerRow ? item.tile.rows : t.nAt(p.n, j);
    dma(kLoad, double(values * 4), {}, {key(Kind::Bias, slot + 1, 0)});
    return success();
  }

  LogicalResult beginOutputTile(const GemmItem &, uint64_t,
                                unsigned) override {
    return success();
  }

  LogicalResult gatherA(const GemmItem &item, uint64_t kk,
                        GemmSlot a) override {
    uint64_t kLen = t.kAt(p.k, kk);
    uint64_t slice = key(Kind::A, a.slot, t.aPanel ? a.part : 0);
    // The fill and the gather write different bytes of the slice: each
    // waits for the earlier readers of the slice, not for the other.
    double gatherReady = ready(kLoad, {}, {slice});
    if (p.aPaddedRows)
      fill(slice,
           p.aPaddedRows(t.maxRows, item.tile.index, kk * t.kTile, kLen),
           kLen, npurt::dtypeSize(p.compute), gatherReady);
    dma(kLoad,
        double(item.tile.rows * kLen) * npurt::dtypeSize(p.aDram), {},
        {slice}, gatherReady);
    return success();
  }

  LogicalResult multiply(const GemmItem &item, uint64_t j, uint64_t kk,
                         GemmSlot a, GemmSlot b, unsigned acc) override {
    uint64_t kLen = t.kAt(p.k, kk), nLen = t.nAt(p.n, j);
    Engine &mxu = engines[kMxu];
    // The weight load: its own path, into the buffer the matmuls issued
    // before the previous load no longer stream from.
    double issue = std::max({mxu.lastIssue, weightPathFree, shadowFree,
                             ready(kMxu, {key(Kind::B, b.slot, b.part)}, {})});
    weightPathFree = issue + double(kLen);
    shadowFree = streamFree;
    weightsReady = issue + double(target.mxu_latency_cycles + kLen);
    complete(kMxu, issue, weightsReady, {key(Kind::B, b.slot, b.part)}, {});
    // The matmul: after the previous one's rows and its weights.
    uint64_t aKey = key(Kind::A, a.slot, t.aPanel ? a.part : 0);
    uint64_t accKey = key(Kind::Acc, acc, 0);
    double rows = std::ceil(double(item.tile.rows) / rate);
    issue = std::max({mxu.lastIssue, streamFree, weightsReady,
                      ready(kMxu, {aKey}, {accKey})});
    streamFree = issue + rows;
    complete(kMxu, issue,
             issue + double(target.mxu_latency_cycles + kLen + nLen) + rows,
             {aKey}, {accKey});
    return success();
  }

  LogicalResult finishOutputTile(const GemmItem &item, uint64_t j,
                                 const OutputSlots &slots) override {
    uint64_t nLen = t.nAt(p.n, j);
    double pass = double(item.tile.rows) * groups(nLen);
    uint64_t accKey = key(Kind::Acc, slots.acc, 0);
    // Resident bias rows are one buffer; streamed ones have their slots.
    uint64_t biasKey = key(Kind::Bias, slots.bias ? *slots.bias + 1 : 0, 0);
    const std::optional<unsigned> &c = slots.c;
    unsigned out = slots.out;
    for (unsigned i = 0; i < p.accPasses; ++i)
      vpu(pass, {accKey}, {accKey});
    if (p.biasPerRow)
      vpu(pass, {accKey, biasKey}, {accKey});
    if (c) {
      uint64_t cKey = key(Kind::C, *c, 0);
      dma(kLoad,
          double(item.tile.rows * nLen) * npurt::dtypeSize(p.cDram), {},
          {cKey});
      if (p.cScaled)
        vpu(pass, {cKey}, {cKey});
      vpu(pass, {cKey, accKey}, {accKey});
    }
    double transcendental = p.transcendentalEpilogue
                                ? double(target.vpu_transcendental_cycles)
                                : 1.0;
    uint64_t outKey = key(Kind::Out, out, 0);
    SmallVector<uint64_t, 2> reads = {accKey};
    if (p.bias && !p.biasPerRow)
      reads.push_back(biasKey);
    vpu(pass * transcendental, reads, {outKey});
    dma(kStore,
        double(item.tile.rows * nLen) * npurt::dtypeSize(p.outDram),
        {outKey}, {});
    return success();
  }

private:
  enum EngineIndex : unsigned { kLoad, kStore, kMxu, kVpu, kEngineCount };
  enum class Kind : uint64_t { A, B, Acc, Out, C, Bias };
  struct Engine {
    double lastIssue = 0;
    double lastComplete = 0;
    double queueFree = 0; ///< DMA: the queue's previous transfer ended.
  };
  /// The completions of the latest write and of the reads since, per
  /// engine, of one buffer slot (part).
  struct Access {
    std::array<double, kEngineCount> write{}, read{};
  };

  static uint64_t key(Kind kind, unsigned slot, uint64_t part) {
    return (uint64_t(kind) << 60) | (uint64_t(slot) << 40) | part;
  }
  double groups(uint64_t cols) const {
    return std::ceil(double(cols) / double(target.vpu_lanes));
  }

  /// When `engine` may access `reads` and `writes`: after the other
  /// engines' writes to all of them and, for `writes`, their reads.
  double ready(unsigned engine, ArrayRef<uint64_t> reads,
               ArrayRef<uint64_t> writes) {
    double at = 0;
    for (uint64_t k : reads) {
      const Access &access = accesses[k];
      for (unsigned e = 0; e < kEngineCount; ++e)
        if (e != engine)
          at = std::max(at, access.write[e]);
    }
    for (uint64_t k : writes) {
      const Access &access = accesses[k];
      for (unsigned e = 0; e < kEngineCount; ++e)
        if (e != engine)
          at = std::max({at, access.write[e], access.read[e]});
    }
    return at;
  }

  /// Records an instruction of `engine` issued at `issue` and done at
  /// `done` (completion is in order).
  void complete(unsigned engine, double issue, double done,
                ArrayRef<uint64_t> reads, ArrayRef<uint64_t> writes) {
    Engine &e = engines[engine];
    e.lastIssue = issue;
    e.lastComplete = std::max(e.lastComplete, done);
    for (uint64_t k : reads)
      accesses[k].read[engine] = e.lastComplete;
    for (uint64_t k : writes) {
      Access &access = accesses[k];
      access.read.fill(0);
      access.write[engine] = e.lastComplete;
    }
  }

  /// A DMA on `queue` moving `bytes`; it waits for the accesses before it
  /// to `reads` and `writes`, or until `readyAt` when given.
  void dma(unsigned queue, double bytes, ArrayRef<uint64_t> reads,
           ArrayRef<uint64_t> writes,
           std::optional<double> readyAt = std::nullopt) {
    Engine &e = engines[queue];
    double issue =
        std::max({e.lastIssue, e.queueFree,
                  readyAt ? *readyAt : ready(queue, reads, writes)});
    double end = port.reserve(issue, bytes / target.dram_bytes_per_cycle);
    e.queueFree = end;
    complete(queue, issue, end + double(target.dma_latency_cycles), reads,
             writes);
  }

  /// The zero fill of `padded` rows of `cols` columns a gather into
  /// `tile` needs: ZeroTracker fills (by DMA, reading one zero element)
  /// only where a slot may hold stale data, when the slot is new or its
  /// last tile had other padding.
  void fill(uint64_t tile, uint64_t padded, uint64_t cols, unsigned size,
            double readyAt) {
    auto [it, inserted] = lastPadding.try_emplace(tile, padded);
    if ((inserted || it->second != padded) && padded > 0)
      dma(kLoad, double(padded * cols * size), {}, {tile}, readyAt);
    it->second = padded;
  }

  void vpu(double cycles, ArrayRef<uint64_t> reads,
           ArrayRef<uint64_t> writes) {
    Engine &e = engines[kVpu];
    double issue = std::max(e.lastComplete, ready(kVpu, reads, writes));
    complete(kVpu, issue,
             issue + double(target.vpu_latency_cycles) + cycles, reads,
             writes);
  }

  const npurt::Target &target;
  const MatmulProblem &p;
  const MatmulTiling &t;
  uint64_t kTiles, nTiles;
  double rate = 1;
  std::array<Engine, kEngineCount> engines{};
  PortCalendar port;
  // MXU paths (docs/isa.md "Cost").
  double streamFree = 0, weightPathFree = 0, shadowFree = 0, weightsReady = 0;
  llvm::DenseMap<uint64_t, Access> accesses;
  /// Padded rows of the last tile gathered into each A slot (part).
  llvm::DenseMap<uint64_t, uint64_t> lastPadding;
};

/// DRAM bytes of tiling `t` and a lower bound of its simulated cycles: the
/// MXU steps (each at least a weight load, mxu_latency + k, and the
/// matmul's rows) and the bytes over the DRAM port.
void lowerBound(const npurt::Target &target, const MatmulProblem &p,
                MatmulTiling &t) {
  double rate = p.compute == npurt::DType::BF16 ? target.mxu_rate_bf16
                : p.compute == npurt::DType::I8 ? target.mxu_rate_int8
                                                : target.mxu_rate_fp32;
  uint64_t kTiles = t.kTiles(p.k), nTiles = t.nTiles(p.n);
  double mxu = 0;
  for (uint64_t rows : t.rowTiles)
    for (uint64_t kk = 0; kk < kTiles; ++kk)
      mxu += double(nTiles) *
             std::max(double(target.mxu_latency_cycles + t.kAt(p.k, kk)),
                      std::ceil(double(rows) / rate));
  mxu *= double(p.count);
  double count = double(p.count), rowTiles = double(t.rowTiles.size());
  double mk = double(p.m) * double(p.k), kn = double(p.k) * double(p.n),
         mn = double(p.m) * double(p.n);
  double aBytes = mk * npurt::dtypeSize(p.aDram) *
                  (t.aPanel ? 1.0 : double(nTiles)) * count;
  double bLoads = t.bResident ? (p.sharedB ? 1.0 : count) : rowTiles * count;
  double bBytes = kn * npurt::dtypeSize(p.bDram) * bLoads;
  double cBytes = p.cTile ? mn * npurt::dtypeSize(p.cDram) * count : 0;
  // A streamed bias is loaded again for every output tile.
  double biasLoads =
      t.biasResident ? 1.0 : p.biasPerRow ? double(nTiles) : rowTiles;
  double biasBytes =
      p.bias ? double(p.biasPerRow ? p.m : p.n) * 4 * count * biasLoads : 0;
  double storeBytes = mn * npurt::dtypeSize(p.outDram) * count;
  double bytes = aBytes + bBytes + cBytes + biasBytes + storeBytes;
  t.dramBytes = static_cast<uint64_t>(bytes);
  t.lowerBound = std::max(mxu, bytes / target.dram_bytes_per_cycle);
}

/// Candidate row caps: powers of two, the problem's rows and the largest the
/// accumulator allows.
SmallVector<uint64_t> rowCandidates(uint64_t m, uint64_t accCap) {
  SmallVector<uint64_t> caps;
  // VPU row counts and DMA extents are 16-bit.
  accCap = std::min<uint64_t>(accCap, 65535);
  for (uint64_t r = 1; r < m && r <= accCap; r *= 2) {
    caps.push_back(r);
    if (r >= 2 && r + r / 2 < m && r + r / 2 <= accCap)
      caps.push_back(r + r / 2);
  }
  caps.push_back(std::min(m, accCap));
  llvm::sort(caps);
  caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
  return caps;
}
} // namespace

std::optional<MatmulTiling> mlir::npu::chooseMatmulTiling(
    const npurt::Target &target, const MatmulProblem &problem,
    const RowTiler &rowTiler, bool doubleBuffer, std::string &reason) {
  std::vector<MatmulTiling> fitting;
  uint64_t smallestSram = std::numeric_limits<uint64_t>::max();
  uint64_t smallestAcc = 0;
  unsigned two = doubleBuffer ? 2 : 1;
  llvm::DenseMap<uint64_t, SmallVector<uint64_t>> tilesByCap;

  // Full-size k- and n-tiles first; smaller ones only when nothing fits.
  uint64_t kFull = std::min<uint64_t>(problem.k, target.mxu_rows);
  uint64_t nFull = std::min<uint64_t>(problem.n, target.mxu_cols);
  for (uint64_t shrink = 1;
       fitting.empty() && (kFull / shrink >= 1 || nFull / shrink >= 1);
       shrink *= 2) {
    uint64_t kTile = std::max<uint64_t>(1, kFull / shrink);
    uint64_t nTile = std::max<uint64_t>(1, nFull / shrink);
    uint64_t accCap = target.acc_bytes / (uint64_t(two) * nTile * 4);
    accCap = std::min<uint64_t>(accCap, std::numeric_limits<uint32_t>::max());
    for (uint64_t cap :
         rowCandidates(problem.m, std::max<uint64_t>(accCap, 1))) {
      auto [it, inserted] = tilesByCap.try_emplace(cap);
      if (inserted)
        it->second = rowTiler(cap);
      const SmallVector<uint64_t> &rowTiles = it->second;
      if (rowTiles.empty())
        continue;
      for (unsigned aChoice : {0u, 1u, 2u}) {
        // 0: streamed slices; 1: one panel slot; 2: panels double-buffered.
        bool aPanel = aChoice != 0;
        unsigned aSlots = aChoice == 1 ? 1 : two;
        if (aChoice == 1 && !doubleBuffer)
          continue;
        for (bool bResident : {true, false}) {
          for (unsigned bSlots : {2u, 4u, 8u}) {
            if ((bResident || !doubleBuffer) && bSlots != 2)
              continue;
            MatmulTiling t;
            t.rowTiles = rowTiles;
            t.maxRows = *llvm::max_element(rowTiles);
            t.kTile = kTile;
            t.nTile = nTile;
            t.aPanel = aPanel;
            t.bResident = bResident;
            t.aSlots = aSlots;
            t.bSlots = bResident ? (problem.sharedB ? 1 : two)
                                 : (doubleBuffer ? bSlots : 1);
            t.accSlots = two;
            t.outSlots = two;
            t.cSlots = problem.cTile ? two : 0;
            std::optional<MatmulLayout> layout =
                layoutMatmul(target, problem, t);
            if (!layout)
              continue;
            // Bias rows that do not fit beside the tiles are streamed with
            // the output tiles instead of kept.
            if (problem.bias && layout->sramBytes > target.sram_bytes) {
              t.biasResident = false;
              t.biasSlots = two;
              layout = layoutMatmul(target, problem, t);
              if (!layout)
                continue;
            }
            if (layout->sramBytes < smallestSram) {
              smallestSram = layout->sramBytes;
              smallestAcc = layout->accBytes;
            }
            if (layout->sramBytes > target.sram_bytes ||
                layout->accBytes > target.acc_bytes)
              continue;
            t.sramBytes = layout->sramBytes;
            t.accBytes = layout->accBytes;
            lowerBound(target, problem, t);
            fitting.push_back(std::move(t));
          }
        }
      }
    }
    if (kTile == 1 && nTile == 1)
      break;
  }
  if (fitting.empty()) {
    if (smallestSram == std::numeric_limits<uint64_t>::max())
      reason = "its tile sizes overflow 64-bit arithmetic";
    else
      reason = llvm::formatv(
                   "the smallest tiling ({0}one row, one k and one n column "
                   "per tile) needs {1} bytes of SRAM and {2} bytes of "
                   "accumulator, but the target has sram_bytes = {3} and "
                   "acc_bytes = {4}",
                   doubleBuffer ? "double-buffered, " : "", smallestSram,
                   smallestAcc, target.sram_bytes, target.acc_bytes)
                   .str();
    return std::nullopt;
  }
  // Simulate in order of the lower bound; a candidate whose bound is no
  // better than the best simulated cycles cannot win.
  llvm::stable_sort(fitting, [](const MatmulTiling &a, const MatmulTiling &b) {
    return a.lowerBound < b.lowerBound;
  });
  std::optional<MatmulTiling> best;
  for (MatmulTiling &t : fitting) {
    if (best && t.lowerBound >= best->cycles)
      break;
    ScheduleEstimator estimator(target, problem, t);
    (void)walkGemmLoop(problem, t, estimator);
    t.cycles = estimator.finish();
    if (!best || t.cycles < best->cycles ||
        (t.cycles == best->cycles && t.sramBytes < best->sramBytes))
      best = std::move(t);
  }
  return best;
}
