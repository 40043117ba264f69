//===- MxuGemm.h - the tiled MXU loop shared by the kernels -----*- C++ -*-===//
//
// matmul, gemm and conv all reduce to C[M x N] = A[M x K] * B[K x N] (one or
// several independent problems) with an epilogue; they differ only in how A
// rows are gathered from DRAM (row-major slices, transposed reads, im2col
// windows) and how output tiles are scattered back (row-major, NCHW). This
// header declares that shared loop (implemented in MatmulKernels.cpp): it
// allocates the working set a MatmulTiling describes, emits the tiles in an
// order where the loads of the next tile never depend on the compute of the
// current one (buffers rotate), and leaves the operand-specific DMAs to
// callbacks. It also declares small emission helpers the kernels share (N-d
// DMA boxes, zero-fill tracking, activation fusion).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_CONVERSION_NNTONPU_MXUGEMM_H
#define NPU_CONVERSION_NNTONPU_MXUGEMM_H

#include "GemmLoop.h"
#include "TileCostModel.h"

#include "npu/Conversion/NNToNPU/KernelContext.h"

#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/DenseMap.h"

#include <functional>
#include <optional>
#include <vector>

namespace mlir::npu {

/// One dimension of a strided copy: `extent` elements, `dram` / `sram`
/// element strides.
struct CopyDim {
  int64_t extent;
  int64_t dram;
  int64_t sram;
};

/// Emits the DMA load (`toSram`) or store copying the box `dims` (outermost
/// first, any count) between `dram` and `sram`: dimensions of extent 1 are
/// dropped, more than four dimensions or extents above 65535 are split into
/// several descriptors. Fails with a diagnostic on `op` when a stride or an
/// offset does not fit the descriptor fields.
LogicalResult emitCopy(KernelContext &ctx, Operation *op, bool toSram,
                       BufferRef dram, npurt::DType dramType, BufferRef sram,
                       npurt::DType sramType, ArrayRef<CopyDim> dims);

/// Remembers which elements of SRAM regions are known to hold zero, so a
/// padded im2col tile is zero-filled only where a padding position could
/// hold stale data from an earlier tile in the same buffer, and only over
/// the rows that need it. The fills are DMA boxes that read one zero
/// element (zero DRAM strides): exactly the positions (no alignment to
/// respect, no whole-tile fills), and no VPU time, which the epilogues and
/// the depthwise conv need.
class ZeroTracker {
public:
  /// Columns [col, col + width) of a gathered tile, which the gather writes
  /// in exactly the rows marked in `written`.
  struct Band {
    uint64_t col = 0, width = 0;
    std::vector<bool> written;
  };
  /// Prepares to gather a [rows x cols] tile (row stride `ld`) at `where`
  /// whose columns are covered by `bands`: first fills, per band, the rows
  /// that are not written and may be non-zero, one DMA box per run of
  /// equally spaced rows (a padded border row of positions is a contiguous
  /// run, a padded border column one position per output row). Fails when
  /// a box does not fit a DMA descriptor.
  LogicalResult gather(KernelContext &ctx, Operation *op, BufferRef where,
                       npurt::DType dtype, uint64_t rows, uint64_t cols,
                       uint64_t ld, ArrayRef<Band> bands);

private:
  llvm::DenseMap<std::pair<void *, uint64_t>, std::vector<bool>> knownZero;
  /// The zero element DMA fills read.
  std::optional<TensorRef> zero;
};

/// An epilogue activation: the vpu function and its immediates.
struct Activation {
  npurt::VpuFunc func = npurt::VpuFunc::None;
  float imm0 = 0.0f, imm1 = 0.0f;
};

/// The activation `op` computes when it can run in a vpu_epilogue (relu,
/// clip, leaky_relu, sigmoid, tanh, gelu), else std::nullopt.
std::optional<Activation> epilogueActivation(Operation *op);

/// The single user of `value` when it is its only use, else null.
Operation *singleUser(Value value);

/// Consumers of a matmul/conv result folded into its epilogue, each the
/// single user of the value before it: at most one nn.add of a constant
/// that varies only along `axis` (a bias), then at most one nn.add of a
/// runtime tensor of the result's type (a residual, added to the
/// accumulator tile before the epilogue), then at most one activation.
struct FusedEpilogue {
  /// The value whose DRAM tensor the kernel writes (the last fused op's
  /// result, or the op's own).
  Value result;
  SmallVector<Operation *> ops;
  /// The fused add's constant, one value per index of `axis` (empty: none).
  std::vector<float> bias;
  /// The fused residual operand (null: none).
  Value residual;
  Activation activation;
};

/// Finds the consumers of `op`'s `result` (rank >= 1) the epilogue can
/// absorb; it does not mark them fused. A residual is taken only when
/// `allowResidual` and its tensor exists before `op` runs (a block argument
/// or the result of an op before `op`).
FusedEpilogue findFusedEpilogue(KernelContext &ctx, Operation *op, Value result,
                                int64_t axis, bool allowResidual = true);

/// VPU element passes the epilogue makes over every output element beyond
/// the mandatory accumulator drain: one when it adds a bias and/or applies
/// an activation (both happen in the same vpu_epilogue pass, so counting
/// two would overstate the work a lower bound may assume).
inline uint64_t epiloguePasses(bool bias, const Activation &act) {
  return bias || act.func != npurt::VpuFunc::None ? 1 : 0;
}

/// Marks `fused`'s consumers fused and defines the DRAM tensor the kernel
/// writes: the last fused value's. The op's own `result` and every
/// intermediate value of the chain become views of it (they have no other
/// user, so nothing reads them; the context only needs every value to map
/// to a tensor).
FailureOr<TensorRef> defineFusedOutput(KernelContext &ctx, Value result,
                                       const FusedEpilogue &fused);

/// Fills the spatial fields of a conv-like geometry `g` (h, w, kh, kw, oh,
/// ow, strides, begin pads, dilations) from the op's types and attributes;
/// 1-D is 2-D with H = 1. The caller has checked for 1 or 2 spatial dims.
template <typename Geometry>
void readSpatialGeometry(Geometry &g, RankedTensorType inType,
                         RankedTensorType wType, RankedTensorType outType,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> pads,
                         ArrayRef<int64_t> dilations) {
  auto attr = [&](ArrayRef<int64_t> values, int64_t index, int64_t dflt) {
    return values.empty() ? dflt : values[index];
  };
  if (inType.getRank() == 4) {
    g.h = inType.getDimSize(2);
    g.w = inType.getDimSize(3);
    g.kh = wType.getDimSize(2);
    g.kw = wType.getDimSize(3);
    g.oh = outType.getDimSize(2);
    g.ow = outType.getDimSize(3);
    g.sh = attr(strides, 0, 1);
    g.sw = attr(strides, 1, 1);
    g.ph = attr(pads, 0, 0);
    g.pw = attr(pads, 1, 0);
    g.dh = attr(dilations, 0, 1);
    g.dw = attr(dilations, 1, 1);
    return;
  }
  g.h = g.kh = g.oh = 1;
  g.sh = g.dh = 1;
  g.ph = 0;
  g.w = inType.getDimSize(2);
  g.kw = wType.getDimSize(2);
  g.ow = outType.getDimSize(2);
  g.sw = attr(strides, 0, 1);
  g.pw = attr(pads, 0, 0);
  g.dw = attr(dilations, 0, 1);
}

/// Splits rows [k0, k0 + kLen) of an im2col K dimension packed as (kernel
/// position, channel), `channels` per position, into the runs one DMA box
/// covers: a partial first position, whole positions, a partial last one.
/// Calls `fn(tap, taps, c0, cs, row)` per run: positions [tap, tap + taps),
/// channels [c0, c0 + cs) of each, landing at row `row` of the tile.
inline LogicalResult
forEachTapRun(int64_t k0, int64_t kLen, int64_t channels,
              function_ref<LogicalResult(int64_t tap, int64_t taps, int64_t c0,
                                         int64_t cs, int64_t row)>
                  fn) {
  int64_t k = k0, end = k0 + kLen;
  while (k < end) {
    int64_t tap = k / channels, c0 = k % channels;
    int64_t whole = c0 == 0 ? (end - k) / channels : 0;
    int64_t taps = std::max<int64_t>(whole, 1);
    int64_t cs = whole ? channels : std::min(channels - c0, end - k);
    if (failed(fn(tap, taps, c0, cs, k - k0)))
      return failure();
    k += whole ? whole * channels : cs;
  }
  return success();
}

/// The kernels of the MXU ops (MatmulKernels.cpp, ConvKernels.cpp).
LogicalResult lowerMatMul(Operation *op, KernelContext &ctx);
LogicalResult lowerGemm(Operation *op, KernelContext &ctx);
LogicalResult lowerConv(Operation *op, KernelContext &ctx);
/// nn.conv_transpose (ConvTransposeKernels.cpp).
LogicalResult lowerConvTranspose(Operation *op, KernelContext &ctx);

/// Where the B operand (weights) of every problem comes from.
struct WeightSource {
  TensorRef tensor;
  /// The tensor holds B re-laid-out by packWeights (tiles contiguous, in
  /// use order, compute dtype).
  bool packed = false;
  /// Unpacked: element strides of k and n.
  int64_t kStride = 0, nStride = 0;
  /// Element offset of a problem's B from `tensor`'s start (packed: of its
  /// first tile).
  std::function<int64_t(uint64_t problem)> problemOffset;
  /// When set, B is gathered by this instead: B whose layout no (k, n)
  /// stride pair describes (a conv computed transposed, whose B is the
  /// im2col of the input; a training step's conv weights, K packed as
  /// (kernel position, channel)). It writes weight tile (n-tile `j`, k-tile
  /// `kk`) of `problem` to `dst` and returns whether it stored the tile
  /// transposed ([nLen x kLen], row stride kLen) rather than [kLen x nLen].
  std::function<FailureOr<bool>(uint64_t problem, uint64_t j, uint64_t kk,
                                BufferRef dst)>
      gather;
};

/// Packs `values` (B of `count` problems, element (p, k, n) at
/// p * problemStride + k * kStride + n * nStride) into the tile order the
/// MXU loop reads, as raw bytes of `dtype` (f32 or bf16, rounded to nearest
/// even).
std::vector<uint8_t>
packWeights(const MatmulTiling &tiling, uint64_t count, uint64_t k, uint64_t n,
            npurt::DType dtype,
            const std::function<float(uint64_t p, uint64_t k, uint64_t n)> &at);

/// Raw little-endian bytes of `values` as `dtype` (f32 or bf16).
std::vector<uint8_t> encodeValues(ArrayRef<float> values, npurt::DType dtype);

/// Everything the shared MXU loop needs besides the tiling.
struct GemmSpec {
  MatmulProblem problem;
  MatmulTiling tiling;
  WeightSource weights;
  /// Gathers A rows `tile` of `problem`, columns [k0, k0 + kLen), into the
  /// SRAM tile `dst` ([rows x kLen], row stride kLen, compute dtype).
  std::function<LogicalResult(uint64_t problem, const RowTile &tile,
                              uint64_t k0, uint64_t kLen, BufferRef dst)>
      gatherA;
  /// Stores the epilogue output `src` ([rows x nLen], row stride nLen,
  /// outDram dtype) to the result.
  std::function<LogicalResult(uint64_t problem, const RowTile &tile,
                              uint64_t n0, uint64_t nLen, BufferRef src)>
      storeOut;
  /// Optional bias rows in DRAM (f32 or bf16): bias[n], or
  /// bias[problem * N + n] when problem.biasPerProblem (with
  /// problem.biasPerRow: bias[m], bias[problem * M + m]).
  std::optional<TensorRef> bias;
  /// Scale applied to every accumulator tile on the VPU (gemm alpha that
  /// could not be folded into constant weights); 1 = none.
  float accScale = 1.0f;
  /// Optional: loads gemm's c tile [rows x nLen] (f32, row stride nLen) into
  /// `dst`; it is scaled by `cScale` and added to the accumulator.
  std::function<LogicalResult(uint64_t problem, const RowTile &tile,
                              uint64_t n0, uint64_t nLen, BufferRef dst)>
      loadC;
  float cScale = 1.0f;
  Activation activation;
  /// Optional: called after the last output tile of every row tile (a conv
  /// emits the pooling of the rows it has stored, PoolEmitter.h).
  std::function<LogicalResult(uint64_t problem, const RowTile &tile)>
      afterRowTile;
};

/// Emits the whole tiled loop of `spec` (allocations, DMAs, weight loads,
/// matmuls, epilogues, stores) through `ctx`.
LogicalResult emitGemm(KernelContext &ctx, Operation *op, const GemmSpec &spec);

} // namespace mlir::npu

#endif // NPU_CONVERSION_NNTONPU_MXUGEMM_H
