//===- GemmLoop.h - the order of the tiled MXU loop --------------*- C++ -*-===//
//
// The tiled MXU loop (MxuGemm.h) as a sequence of abstract steps, each
// naming the rotating buffer slots it uses: gather an A slice, load a weight
// tile, multiply, finish an output tile (epilogue and store). The walk is
// the one place that decides the program order of a tiling; emitGemm turns
// the steps into instructions and the tile cost model simulates them on the
// chip's engines, so the estimate is of exactly the program that is emitted.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_CONVERSION_NNTONPU_GEMMLOOP_H
#define NPU_CONVERSION_NNTONPU_GEMMLOOP_H

#include "TileCostModel.h"

#include "mlir/Support/LLVM.h"

#include <cstdint>
#include <optional>

namespace mlir::npu {

/// A range of rows of one problem: tile `index` covers [begin, begin + rows).
struct RowTile {
  uint64_t index;
  uint64_t begin;
  uint64_t rows;
};

/// One row tile of one problem: the unit of the m-outer loop.
struct GemmItem {
  uint64_t problem;
  RowTile tile;
};

/// A place in the working set: rotation slot `slot` of an operand and, for
/// a multi-part slot (an A panel's k-slices, a resident B's tiles), the part.
struct GemmSlot {
  unsigned slot = 0;
  uint64_t part = 0;
};

/// The slots an output tile's epilogue uses.
struct OutputSlots {
  unsigned acc = 0;
  /// The c / residual tile's slot, when the problem has one.
  std::optional<unsigned> c;
  unsigned out = 0;
  /// The bias slot when the bias is streamed (MatmulTiling::biasResident
  /// false); resident bias rows are indexed by the tile.
  std::optional<unsigned> bias;
};

/// Receives the steps of the loop in program order.
class GemmLoopVisitor {
public:
  virtual ~GemmLoopVisitor();
  /// Loads the bias rows of every problem (once, before the first tile),
  /// when they stay resident.
  virtual LogicalResult loadBias() = 0;
  /// Loads the bias of output tile (`item`, n-tile `j`) into bias slot
  /// `slot`, when the bias is streamed.
  virtual LogicalResult loadBiasTile(const GemmItem &item, uint64_t j,
                                     unsigned slot) = 0;
  /// Loads weight tile (n-tile `j`, k-tile `kk`) of `problem` into `b`.
  virtual LogicalResult loadWeights(uint64_t problem, uint64_t j, uint64_t kk,
                                    GemmSlot b) = 0;
  /// Starts output tile (`item`, n-tile `j`) in accumulator slot `acc`.
  virtual LogicalResult beginOutputTile(const GemmItem &item, uint64_t j,
                                        unsigned acc) = 0;
  /// Gathers k-slice `kk` of `item`'s A rows into `a`.
  virtual LogicalResult gatherA(const GemmItem &item, uint64_t kk,
                                GemmSlot a) = 0;
  /// Loads the weights in `b` into the MXU and multiplies the A slice in
  /// `a` into accumulator slot `acc` (accumulating after the first k-tile).
  virtual LogicalResult multiply(const GemmItem &item, uint64_t j, uint64_t kk,
                                 GemmSlot a, GemmSlot b, unsigned acc) = 0;
  /// Drains the accumulator into the output slot through the epilogue
  /// (after loading and adding a c / residual tile when the problem has
  /// one) and stores it.
  virtual LogicalResult finishOutputTile(const GemmItem &item, uint64_t j,
                                         const OutputSlots &slots) = 0;
  /// After the last output tile of `item`.
  virtual LogicalResult endItem(const GemmItem &item) { return success(); }
};

/// Walks the loop of `tiling` for `problem`: m-outer (every row tile of
/// every problem), then n-tiles, then k-tiles. Buffers rotate through their
/// slots so the loads of one tile never write what the previous tile reads;
/// a double-buffered A panel is gathered a slice at a time, spread over the
/// previous row tile's steps; a resident B is loaded tile by tile just
/// before each tile's first use (its first n-column before the first A
/// gather). Stops at the first step that fails.
LogicalResult walkGemmLoop(const MatmulProblem &problem,
                           const MatmulTiling &tiling,
                           GemmLoopVisitor &visitor);

} // namespace mlir::npu

#endif // NPU_CONVERSION_NNTONPU_GEMMLOOP_H
