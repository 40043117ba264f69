//===- TileCostModel.h - tile sizes for matmul-like MXU work ----*- C++ -*-===//
//
// Chooses how a matmul-like problem (C[M x N] = A[M x K] * B[K x N], possibly
// several independent ones) is cut into MXU work: rows per accumulator tile,
// k- and n-tiles no larger than the systolic array, which operand stays
// resident in SRAM, and how many buffers each streamed operand gets. Every
// candidate is checked against the SRAM and accumulator capacities and
// scored by simulating its program (the steps of walkGemmLoop, GemmLoop.h)
// on the chip's engines with the simulator's cost formulas (docs/isa.md
// "Cost"): in-order queues, the pipelined MXU with double-buffered weight
// registers, DMA latency and the DRAM port, and the waits the buffer slots
// impose; the cheapest wins. docs/tiling.md describes the model and its
// working-set layout.
//
// The SRAM layout the kernels emit is computed here too (MatmulLayout), so
// the estimate and the emitted program cannot disagree about what fits.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_CONVERSION_NNTONPU_TILECOSTMODEL_H
#define NPU_CONVERSION_NNTONPU_TILECOSTMODEL_H

#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Target.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace mlir::npu {

/// Splits the M rows of one problem into accumulator tiles of at most
/// `maxRows` rows each; returns the row count of every tile, in order (an
/// empty list when no tile of at most `maxRows` rows can be formed). Conv
/// uses it to keep tiles rectangles of output positions.
using RowTiler = std::function<llvm::SmallVector<uint64_t>(uint64_t maxRows)>;

/// What the cost model needs to know about one matmul-like problem.
struct MatmulProblem {
  uint64_t m = 0, k = 0, n = 0;
  /// Independent problems of this shape (matmul batch, conv groups); each has
  /// its own A and, unless `sharedB`, its own B.
  uint64_t count = 1;
  /// True when every problem uses the same B (it can stay resident across
  /// problems).
  bool sharedB = true;
  /// B is ready before A: a compile-time constant (weights), or produced
  /// by an earlier op than A. A resident B's first column is then loaded
  /// ahead of A (it streams while A's producer drains); otherwise B is
  /// loaded tile by tile in order of use, so a tile waiting for its
  /// producer does not hold up A's loads behind it in the in-order DMA
  /// queue.
  bool bReadyFirst = true;
  npurt::DType aDram = npurt::DType::F32;   ///< A's dtype in DRAM.
  npurt::DType bDram = npurt::DType::F32;   ///< B's dtype in DRAM.
  npurt::DType outDram = npurt::DType::F32; ///< The result's dtype in DRAM.
  npurt::DType compute = npurt::DType::F32; ///< MXU input dtype.
  /// Padded convolution: the rows of row tile `tile` (of the tiling whose
  /// largest row tile has `maxRows` rows) that read padding in columns
  /// [k0, k0 + kLen) of A; those need a VPU zero fill when their slot may
  /// hold stale data. Null: A has no padding.
  std::function<uint64_t(uint64_t maxRows, uint64_t tile, uint64_t k0,
                         uint64_t kLen)>
      aPaddedRows;
  /// The same for B when B is gathered from a padded conv input (a conv
  /// computed transposed): the rows of n-tile `j`'s transposed tile
  /// ([n x k] in SRAM) that read padding in columns [k0, k0 + kLen).
  std::function<uint64_t(uint64_t j, uint64_t k0, uint64_t kLen)> bPaddedRows;
  /// A [1 x N] f32 bias row is added in the epilogue.
  bool bias = false;
  /// The bias varies along M instead (one value per row: a conv computed
  /// transposed, output channels down the rows); it is added by a VPU pass
  /// with a column broadcast before the epilogue.
  bool biasPerRow = false;
  /// Every problem has its own bias (conv groups); all stay in SRAM.
  bool biasPerProblem = false;
  /// The epilogue's activation is transcendental.
  bool transcendentalEpilogue = false;
  /// Extra VPU passes over every accumulator tile before the epilogue
  /// (gemm alpha when it cannot be folded into constant weights).
  unsigned accPasses = 0;
  /// A [rows x n-tile] f32 tile of gemm's `c` (or a residual) is loaded per
  /// output tile (c is neither a constant nor a row vector), from DRAM
  /// elements of `cDram`.
  bool cTile = false;
  npurt::DType cDram = npurt::DType::F32;
  /// c tiles are scaled by beta on the VPU.
  bool cScaled = false;
};

/// The chosen tiling of a MatmulProblem and the estimate that chose it.
struct MatmulTiling {
  /// Rows of each accumulator tile (one list, the same for every problem).
  llvm::SmallVector<uint64_t> rowTiles;
  uint64_t maxRows = 0; ///< max(rowTiles).
  uint64_t kTile = 0;   ///< <= mxu_rows.
  uint64_t nTile = 0;   ///< <= mxu_cols.
  /// A's [rows x K] panel of the current row tile is loaded once and kept
  /// in SRAM across the n-tiles; otherwise every (n, k) step reloads its
  /// [rows x kTile] slice.
  bool aPanel = true;
  /// All of B (one problem's) is loaded once and kept in SRAM across row
  /// tiles; otherwise every (row tile, n, k) step reloads its weight tile.
  bool bResident = false;
  unsigned aSlots = 1;   ///< A buffers (panels or slices) used in rotation.
  unsigned bSlots = 1;   ///< Weight buffers (tiles, or resident copies).
  unsigned accSlots = 1; ///< Accumulator tiles in rotation.
  unsigned outSlots = 1; ///< Epilogue output tiles in rotation.
  unsigned cSlots = 0;   ///< gemm c tiles in rotation.
  /// All bias rows (columns) stay in SRAM, loaded once; otherwise each
  /// output tile loads its own into one of `biasSlots` slots (a bias too
  /// long to keep, e.g. a 200000-way classifier on a small chip).
  bool biasResident = true;
  unsigned biasSlots = 0;

  // Estimate: the simulated cycles of the tiling's program, and a lower
  // bound of them (the MXU steps, or the DRAM bytes over the port).
  double cycles = 0;
  double lowerBound = 0;
  uint64_t dramBytes = 0;
  uint64_t sramBytes = 0, accBytes = 0;

  uint64_t kTiles(uint64_t k) const { return (k + kTile - 1) / kTile; }
  uint64_t nTiles(uint64_t n) const { return (n + nTile - 1) / nTile; }
  /// Columns of k-tile `index` / n-tile `index`.
  uint64_t kAt(uint64_t k, uint64_t index) const;
  uint64_t nAt(uint64_t n, uint64_t index) const;
};

/// Byte offsets of every buffer of a tiling inside one SRAM and one ACC
/// region (each buffer aligned as the chip requires). Kernels allocate one
/// npu buffer per field, so the sizes below are exactly what they allocate.
struct MatmulLayout {
  uint64_t aSlotBytes = 0; ///< One A panel / slice.
  /// Byte offset of k-slice `kk` inside an A panel slot (panel mode); slices
  /// are [rows x kAt(kk)] row-major blocks so each one is a separate range.
  llvm::SmallVector<uint64_t> aSliceOffsets;
  uint64_t bSlotBytes = 0; ///< One weight tile, or all of B if resident.
  /// Offset of weight tile (j, kk) inside a resident B slot, index
  /// j * kTiles + kk (the order the m-outer loop uses them).
  llvm::SmallVector<uint64_t> bTileOffsets;
  uint64_t accSlotBytes = 0; ///< One accumulator tile.
  uint64_t outSlotBytes = 0; ///< One epilogue output tile.
  uint64_t cSlotBytes = 0;   ///< One gemm c tile (f32).
  /// Bytes between the f32 bias rows of consecutive n-tiles (problem p's
  /// n-tile j is row p * nTiles + j), or with biasPerRow between the bias
  /// columns of consecutive row tiles (p * rowTiles + tile).
  uint64_t biasTileStride = 0;
  /// The f32 bias rows (columns) of all tiles, or of the bias slots.
  uint64_t biasBytes = 0;
  uint64_t sramBytes = 0; ///< Total SRAM of all slots.
  uint64_t accBytes = 0;  ///< Total ACC of all slots.
};

/// The layout of `tiling` for `problem` on `target`, or std::nullopt when a
/// size overflows 64 bits.
std::optional<MatmulLayout> layoutMatmul(const npurt::Target &target,
                                         const MatmulProblem &problem,
                                         const MatmulTiling &tiling);

/// Picks the cheapest tiling whose working set fits the target's SRAM and
/// accumulator (double-buffered when `doubleBuffer`). On failure `reason`
/// says what the smallest tiling needs and what the chip has.
std::optional<MatmulTiling> chooseMatmulTiling(const npurt::Target &target,
                                               const MatmulProblem &problem,
                                               const RowTiler &rowTiler,
                                               bool doubleBuffer,
                                               std::string &reason);

/// Splits `total` rows into the fewest tiles of at most `maxRows`, of
/// balanced size (the last one no larger than the others).
llvm::SmallVector<uint64_t> balancedTiles(uint64_t total, uint64_t maxRows);

} // namespace mlir::npu

#endif // NPU_CONVERSION_NNTONPU_TILECOSTMODEL_H
