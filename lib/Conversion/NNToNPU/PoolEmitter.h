//===- PoolEmitter.h - pooling emitted a band of rows at a time -*- C++ -*-===//
//
// nn.max_pool and nn.avg_pool (1-D and 2-D) on the VPU, planned once and
// emitted in order of output rows, a band at a time: the pooling kernel
// emits all of it, and the conv kernel that produces a pool's input emits
// the pool's rows as soon as its own tiles have stored the input rows they
// read, so the VPU pools while the MXU computes the next conv tiles
// (ResNet's stem). Implemented in PoolKernels.cpp.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_CONVERSION_NNTONPU_POOLEMITTER_H
#define NPU_CONVERSION_NNTONPU_POOLEMITTER_H

#include "VpuKernelUtils.h"

#include <memory>
#include <optional>
#include <vector>

namespace mlir::npu {

/// The geometry of one pooling op over NCHW planes (1-D as 2-D with H = 1).
struct PoolParams {
  int64_t planes, h, w, oh, ow;
  int64_t kh, kw, sh, sw, dh, dw, ph, pw, eh, ew;
};

/// A planned pooling op.
class PoolEmitter {
public:
  /// True for a 1-D or 2-D float max / avg pool (false for null).
  static bool accepts(Operation *op);
  /// Plans pooling op `op` from DRAM tensor `in` to `out` with tiles that
  /// need at most about `sramBytes` of SRAM and span at most `rowsPerTile`
  /// output rows (0: any); fails with a diagnostic on `op` when it cannot
  /// be lowered.
  static FailureOr<std::unique_ptr<PoolEmitter>>
  create(Operation *op, KernelContext &ctx, const TensorRef &in,
         const TensorRef &out, uint64_t sramBytes, int64_t rowsPerTile = 0);

  /// The least SRAM the tiles of pooling op `op` (accepted) take: one
  /// element per buffer, every buffer on its own SRAM line.
  static uint64_t minSramBytes(Operation *op, const KernelContext &ctx);

  /// The useful work of the op (docs/isa.md, "Lower bound").
  const SourceWork &work() const { return workDone; }
  int64_t outputRows() const { return p.oh; }
  /// How many output rows (from the first) read only the first `inputRows`
  /// input rows.
  int64_t rowsReadyAfter(int64_t inputRows) const;
  /// Emits, in row order, every tile not emitted yet whose output rows all
  /// lie below `rowEnd` (all planes).
  LogicalResult emitUpTo(int64_t rowEnd);

private:
  PoolEmitter(Operation *op, KernelContext &ctx, const TensorRef &in,
              const TensorRef &out, bool isMax);
  LogicalResult plan(uint64_t sramBytes, int64_t rowsPerTile);
  void emitTile(const vpu::Tile &tile);

  Operation *op;
  KernelContext &ctx;
  KernelBuilder &kb;
  TensorRef in, out;
  bool isMax;
  PoolParams p{};
  SourceWork workDone;
  /// Reciprocal window sizes of an average, per output position, and the
  /// constant holding them when they differ.
  std::vector<float> recipCounts;
  std::optional<TensorRef> counts;
  float padValue = 0.0f;
  npurt::VpuFunc combine = npurt::VpuFunc::Max;
  int64_t lanes = 1;
  vpu::TileGrid grid;
  vpu::BufferRing accRing, winRing, countRing;
  std::vector<vpu::Tile> tiles;
  size_t next = 0;
};

} // namespace mlir::npu

#endif // NPU_CONVERSION_NNTONPU_POOLEMITTER_H
