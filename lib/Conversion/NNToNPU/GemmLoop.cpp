//===- GemmLoop.cpp - the order of the tiled MXU loop ---------------------===//
//
// Implements walkGemmLoop (GemmLoop.h): the program order of a tiling's
// steps and the rotation of every operand's buffer slots.
//
//===----------------------------------------------------------------------===//
#include "GemmLoop.h"

#include "llvm/ADT/SmallVector.h"

#include <algorithm>
#include <vector>

using namespace mlir;
using namespace mlir::npu;

GemmLoopVisitor::~GemmLoopVisitor() = default;

namespace {
/// Hands out the slots of one operand in rotation.
struct Rotation {
  unsigned count = 1;
  uint64_t next = 0;
  unsigned take() { return unsigned(next++ % count); }
};
} // namespace

LogicalResult mlir::npu::walkGemmLoop(const MatmulProblem &p,
                                      const MatmulTiling &t,
                                      GemmLoopVisitor &visitor) {
  uint64_t kTiles = t.kTiles(p.k), nTiles = t.nTiles(p.n);
  Rotation aSlots{std::max(t.aSlots, 1u)}, bSlots{std::max(t.bSlots, 1u)};
  Rotation accSlots{std::max(t.accSlots, 1u)};
  Rotation outSlots{std::max(t.outSlots, 1u)}, cSlots{std::max(t.cSlots, 1u)};
  Rotation biasSlots{std::max(t.biasSlots, 1u)};

  // The work in program order: every row tile of every problem.
  SmallVector<GemmItem> items;
  for (uint64_t problem = 0; problem < p.count; ++problem) {
    uint64_t rowBegin = 0;
    for (uint64_t ti = 0; ti < t.rowTiles.size(); ++ti) {
      items.push_back({problem, {ti, rowBegin, t.rowTiles[ti]}});
      rowBegin += t.rowTiles[ti];
    }
  }
  // A panels: slot and k-slices gathered so far, per item. With two slots
  // the next item's panel is gathered a slice at a time, spread over the
  // current item's steps, so the DMA queue never holds a whole panel in
  // front of the weight tiles the MXU is waiting for; with one slot a panel
  // can only be gathered once the previous one is dead (program order is
  // the semantics), so each slice is gathered just before its first use.
  std::vector<std::optional<unsigned>> panels(items.size());
  std::vector<uint64_t> gathered(items.size(), 0);
  auto gatherPanel = [&](size_t index, uint64_t slices) -> LogicalResult {
    for (; gathered[index] < slices; ++gathered[index]) {
      if (!panels[index])
        panels[index] = aSlots.take();
      if (failed(visitor.gatherA(items[index], gathered[index],
                                 {*panels[index], gathered[index]})))
        return failure();
    }
    return success();
  };
  bool prefetchPanels = t.aPanel && t.aSlots > 1;
  uint64_t steps = nTiles * kTiles;

  unsigned residentSlot = 0;
  std::vector<bool> residentLoaded;
  for (size_t index = 0; index < items.size(); ++index) {
    const GemmItem &item = items[index];
    // Bias rows: all of them before the first problem (a later reload would
    // wait for the previous problem's epilogues and stall the loads).
    if (p.bias && t.biasResident && index == 0 && failed(visitor.loadBias()))
      return failure();
    // A resident B that is ready first (weights) loads its first n-column
    // first: it streams while the producer of A (the previous layer)
    // drains.
    if (t.bResident && item.tile.index == 0 &&
        (item.problem == 0 || !p.sharedB)) {
      residentSlot = bSlots.take();
      residentLoaded.assign(nTiles * kTiles, false);
      for (uint64_t kk = 0; p.bReadyFirst && kk < kTiles; ++kk) {
        if (failed(visitor.loadWeights(item.problem, 0, kk,
                                       {residentSlot, kk})))
          return failure();
        residentLoaded[kk] = true;
      }
    }

    uint64_t step = 0;
    for (uint64_t j = 0; j < nTiles; ++j) {
      unsigned acc = accSlots.take();
      if (failed(visitor.beginOutputTile(item, j, acc)))
        return failure();
      for (uint64_t kk = 0; kk < kTiles; ++kk) {
        GemmSlot a;
        if (t.aPanel) {
          if (failed(gatherPanel(index, kk + 1)))
            return failure();
          a = {*panels[index], kk};
        } else {
          a = {aSlots.take(), 0};
          if (failed(visitor.gatherA(item, kk, a)))
            return failure();
        }
        GemmSlot b;
        if (t.bResident) {
          b = {residentSlot, j * kTiles + kk};
          if (!residentLoaded[b.part]) {
            if (failed(visitor.loadWeights(item.problem, j, kk, b)))
              return failure();
            residentLoaded[b.part] = true;
          }
        } else {
          b = {bSlots.take(), 0};
          if (failed(visitor.loadWeights(item.problem, j, kk, b)))
            return failure();
        }
        if (failed(visitor.multiply(item, j, kk, a, b, acc)))
          return failure();
        ++step;
        if (prefetchPanels && index + 1 < items.size() &&
            failed(gatherPanel(index + 1, (step * kTiles + steps - 1) / steps)))
          return failure();
      }
      OutputSlots slots;
      slots.acc = acc;
      if (p.bias && !t.biasResident) {
        slots.bias = biasSlots.take();
        if (failed(visitor.loadBiasTile(item, j, *slots.bias)))
          return failure();
      }
      if (p.cTile)
        slots.c = cSlots.take();
      slots.out = outSlots.take();
      if (failed(visitor.finishOutputTile(item, j, slots)))
        return failure();
    }
    if (failed(visitor.endItem(item)))
      return failure();
  }
  return success();
}
