//===- ConvKernels.cpp - nn.conv on the MXU (im2col) and the VPU ----------===//
//
// The kernel of nn.conv (2-D NCHW, and 1-D as 2-D with H = 1): strides,
// pads, dilations and groups.
//
// group == 1 and general groups become matmuls of output positions by
// output channels: the A operand is the im2col matrix [positions x K] with
// K packed as (kh, kw, c) — c fastest — so a layer with few input channels
// (ResNet's 7x7x3 stem) still fills the array's 128 rows. im2col is never
// materialized in DRAM: each A tile is gathered by DMA, one 4-D box (image,
// output row, output column, channel) per kernel position the k-tile spans,
// clipped to the input so padding is never read; padding positions are
// zeroed by DMA boxes that read one zero element, only where a stale value
// could be there (ZeroTracker). Weights are re-laid-out at compile time into the packed
// [K x M] tile order, the bias and a following activation run in the
// epilogue, and output tiles are scattered back to NCHW by DMA.
//
// Depthwise convolution (group == C == M) has no reduction across channels,
// so it runs on the VPU: per kernel position the shifted input window
// [positions x channels] is gathered by the same DMA boxes and multiplied by
// that position's weight row (one weight per channel, broadcast down the
// rows) and accumulated in the accumulator memory, which the epilogue then
// drains with the bias and activation.
//
//===----------------------------------------------------------------------===//
#include "MxuGemm.h"
#include "PoolEmitter.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <memory>

using namespace mlir;
using namespace mlir::npu;
using npurt::DType;

namespace {
/// A rectangle of output positions: images [n0, n0 + images), rows
/// [oh0, oh0 + rows), columns [ow0, ow0 + cols). Tile rows are ordered
/// (image, row, column).
struct PositionTile {
  int64_t n0, images, oh0, rows, ow0, cols;
  uint64_t positions() const { return uint64_t(images * rows * cols); }
};

/// The geometry of one 2-D convolution (1-D has h = kh = oh = 1).
struct ConvGeometry {
  int64_t n, c, h, w; ///< Input.
  int64_t m, kh, kw;  ///< Output channels, kernel.
  int64_t oh, ow;     ///< Output.
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t group;
  int64_t cg() const { return c / group; }
  int64_t mg() const { return m / group; }
  bool padded() const;
  /// First and one-past-last output index whose input index
  /// o * stride - pad + tap * dilation lies in [0, size).
  static std::pair<int64_t, int64_t> validRange(int64_t outSize, int64_t size,
                                                int64_t stride, int64_t pad,
                                                int64_t tap, int64_t dilation);
};

bool ConvGeometry::padded() const {
  // A position reads padding iff some tap falls outside the input.
  for (int64_t i = 0; i < kh; ++i) {
    auto [b, e] = validRange(oh, h, sh, ph, i, dh);
    if (b != 0 || e != oh)
      return true;
  }
  for (int64_t j = 0; j < kw; ++j) {
    auto [b, e] = validRange(ow, w, sw, pw, j, dw);
    if (b != 0 || e != ow)
      return true;
  }
  return false;
}

std::pair<int64_t, int64_t>
ConvGeometry::validRange(int64_t outSize, int64_t size, int64_t stride,
                         int64_t pad, int64_t tap, int64_t dilation) {
  int64_t shift = tap * dilation - pad; // input = o * stride + shift
  int64_t begin = shift >= 0 ? 0 : llvm::divideCeil(-shift, stride);
  int64_t lastInput = size - 1 - shift;
  int64_t end = lastInput < 0 ? 0 : lastInput / stride + 1;
  begin = std::min(begin, outSize);
  end = std::max(begin, std::min(end, outSize));
  return {begin, end};
}

/// Splits all output positions into rectangles of at most `cap` positions:
/// whole images when one fits, else bands of whole rows, else pieces of one
/// row; balanced so the last tile is not tiny.
SmallVector<PositionTile> positionTiles(const ConvGeometry &g, uint64_t cap) {
  SmallVector<PositionTile> tiles;
  uint64_t perImage = uint64_t(g.oh * g.ow);
  if (cap == 0)
    return tiles;
  if (perImage <= cap) {
    for (uint64_t size : balancedTiles(g.n, cap / perImage))
      tiles.push_back(
          {tiles.empty() ? 0 : tiles.back().n0 + tiles.back().images,
           int64_t(size), 0, g.oh, 0, g.ow});
    return tiles;
  }
  if (uint64_t(g.ow) <= cap) {
    SmallVector<uint64_t> bands = balancedTiles(g.oh, cap / g.ow);
    for (int64_t n = 0; n < g.n; ++n) {
      int64_t oh0 = 0;
      for (uint64_t rows : bands) {
        tiles.push_back({n, 1, oh0, int64_t(rows), 0, g.ow});
        oh0 += int64_t(rows);
      }
    }
    return tiles;
  }
  SmallVector<uint64_t> pieces = balancedTiles(g.ow, cap);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t r = 0; r < g.oh; ++r) {
      int64_t ow0 = 0;
      for (uint64_t cols : pieces) {
        tiles.push_back({n, 1, r, 1, ow0, int64_t(cols)});
        ow0 += int64_t(cols);
      }
    }
  return tiles;
}

/// The positions of `tile` that read padding at some kernel position in
/// [firstTap, lastTap] (taps numbered row-major over the kernel).
uint64_t paddedPositions(const ConvGeometry &g, const PositionTile &tile,
                         int64_t firstTap, int64_t lastTap) {
  int64_t rowBegin = tile.oh0, rowEnd = tile.oh0 + tile.rows;
  int64_t colBegin = tile.ow0, colEnd = tile.ow0 + tile.cols;
  for (int64_t tap = firstTap; tap <= lastTap; ++tap) {
    auto [rb, re] =
        ConvGeometry::validRange(g.oh, g.h, g.sh, g.ph, tap / g.kw, g.dh);
    auto [cb, ce] =
        ConvGeometry::validRange(g.ow, g.w, g.sw, g.pw, tap % g.kw, g.dw);
    rowBegin = std::max(rowBegin, rb);
    rowEnd = std::min(rowEnd, re);
    colBegin = std::max(colBegin, cb);
    colEnd = std::min(colEnd, ce);
  }
  uint64_t valid = rowBegin < rowEnd && colBegin < colEnd
                       ? uint64_t(tile.images * (rowEnd - rowBegin) *
                                  (colEnd - colBegin))
                       : 0;
  return tile.positions() - valid;
}

SmallVector<uint64_t> rowCounts(ArrayRef<PositionTile> tiles) {
  SmallVector<uint64_t> rows;
  for (const PositionTile &t : tiles)
    rows.push_back(t.positions());
  return rows;
}

/// A run of im2col columns that packs (kernel position, channel) with the
/// channel fastest over one block of `channels` input channels starting at
/// `channelBase`: block columns [k0, k0 + kLen) land in tile columns
/// [col, col + kLen).
struct KSegment {
  int64_t channelBase, channels, k0, kLen, col;
};

/// The order of the im2col columns (K) of a conv: blocks of input channels,
/// and within a block (kernel position, channel) with the channel fastest.
/// A layer with at most `block` channels per group is one block, so a
/// k-tile spans several kernel positions when channels are few (ResNet's
/// 7x7x3 stem has K = 147: two k-tiles, not 49). With more channels, the
/// k-tiles of the first block come first: they read only the producer's
/// first output channels, so the layer can start before its producer has
/// written the rest (the producer's n-tiles finish in channel order).
struct ConvKOrder {
  int64_t channels; ///< Per group.
  int64_t taps;
  int64_t block;

  /// The block of channel `c` and its first channel and size.
  std::pair<int64_t, int64_t> blockOf(int64_t c) const {
    int64_t begin = c / block * block;
    return {begin, std::min(block, channels - begin)};
  }
  /// The kernel position and channel of im2col column `k`.
  std::pair<int64_t, int64_t> at(int64_t k) const {
    int64_t begin = k / (block * taps) * block;
    int64_t size = std::min(block, channels - begin);
    int64_t inBlock = k - begin * taps;
    return {inBlock / size, begin + inBlock % size};
  }
  /// Columns [k0, k0 + kLen) split at block boundaries.
  SmallVector<KSegment> segments(int64_t k0, int64_t kLen) const {
    SmallVector<KSegment> result;
    for (int64_t k = k0; k < k0 + kLen;) {
      int64_t begin = k / (block * taps) * block;
      int64_t size = std::min(block, channels - begin);
      int64_t blockEnd = begin * taps + size * taps;
      int64_t end = std::min(k0 + kLen, blockEnd);
      result.push_back({begin, size, k - begin * taps, end - k, k - k0});
      k = end;
    }
    return result;
  }
};

/// Gathers, for `tile`, the im2col columns `segments` (of one group, whose
/// channels start at `groupBase`) into `dst` ([positions x cols] row-major
/// of `dtype`), zero-filling it first where padding positions might hold
/// stale data.
LogicalResult gatherIm2col(KernelContext &ctx, Operation *op,
                           const ConvGeometry &g, const TensorRef &input,
                           int64_t groupBase, ArrayRef<KSegment> segments,
                           const PositionTile &tile, int64_t cols,
                           BufferRef dst, DType dtype, ZeroTracker &zeros) {
  struct Box {
    int64_t i, j, channel, count, col;
    std::pair<int64_t, int64_t> rows, cols;
  };
  SmallVector<Box> boxes;
  for (const KSegment &seg : segments) {
    int64_t channels = seg.channels, k0 = seg.k0, kLen = seg.kLen;
    for (int64_t tap = k0 / channels; tap * channels < k0 + kLen; ++tap) {
      Box box;
      box.i = tap / g.kw;
      box.j = tap % g.kw;
      int64_t cBegin = std::max(k0, tap * channels) - tap * channels;
      int64_t cEnd = std::min(k0 + kLen, (tap + 1) * channels) - tap * channels;
      box.channel = groupBase + seg.channelBase + cBegin;
      box.count = cEnd - cBegin;
      box.col = seg.col + tap * channels + cBegin - k0;
      auto [rb, re] =
          ConvGeometry::validRange(g.oh, g.h, g.sh, g.ph, box.i, g.dh);
      auto [cb, ce] =
          ConvGeometry::validRange(g.ow, g.w, g.sw, g.pw, box.j, g.dw);
      box.rows = {std::max(rb, tile.oh0), std::min(re, tile.oh0 + tile.rows)};
      box.cols = {std::max(cb, tile.ow0), std::min(ce, tile.ow0 + tile.cols)};
      boxes.push_back(box);
    }
  }

  uint64_t positions = tile.positions();
  if (g.padded()) {
    SmallVector<ZeroTracker::Band> bands;
    for (const Box &box : boxes) {
      ZeroTracker::Band band;
      band.col = uint64_t(box.col);
      band.width = uint64_t(box.count);
      band.written.assign(positions, false);
      for (int64_t n = 0; n < tile.images; ++n)
        for (int64_t r = box.rows.first; r < box.rows.second; ++r)
          for (int64_t c = box.cols.first; c < box.cols.second; ++c)
            band.written[uint64_t((n * tile.rows + r - tile.oh0) * tile.cols +
                                  c - tile.ow0)] = true;
      bands.push_back(std::move(band));
    }
    if (failed(zeros.gather(ctx, op, dst, dtype, positions, uint64_t(cols),
                            uint64_t(cols), bands)))
      return failure();
  }

  int64_t hw = g.h * g.w;
  for (const Box &box : boxes) {
    if (box.rows.first >= box.rows.second || box.cols.first >= box.cols.second)
      continue;
    int64_t ih = box.rows.first * g.sh - g.ph + box.i * g.dh;
    int64_t iw = box.cols.first * g.sw - g.pw + box.j * g.dw;
    int64_t src = (tile.n0 * g.c + box.channel) * hw + ih * g.w + iw;
    int64_t row =
        (box.rows.first - tile.oh0) * tile.cols + (box.cols.first - tile.ow0);
    BufferRef at{dst.buffer, dst.offset + uint64_t(row * cols + box.col) *
                                              npurt::dtypeSize(dtype)};
    if (failed(emitCopy(
            ctx, op, true, input.at(src), input.dtype, at, dtype,
            {{tile.images, g.c * hw, tile.rows * tile.cols * cols},
             {box.rows.second - box.rows.first, g.sh * g.w, tile.cols * cols},
             {box.cols.second - box.cols.first, g.sw, cols},
             {box.count, hw, 1}})))
      return failure();
  }
  return success();
}

/// Copies the SRAM tile `sram` ([positions x cols], row stride `cols`, of
/// `sramType`) to (`toSram` = false) or from an NCHW tensor shaped like the
/// result of `g`. The tile's positions are groups of `packed` adjacent
/// output columns (PackedConv; 1: single positions) and its columns are
/// [col0, col0 + cols) of a row that holds `perPosition` channels for each
/// position of the group: column h * perPosition + c of group (n, r, t) is
/// channel `channel0` + c of output position (n, r, t * packed + h).
/// Positions past the last output column are skipped.
LogicalResult copyNchw(KernelContext &ctx, Operation *op, bool toSram,
                       const ConvGeometry &g, const TensorRef &tensor,
                       const PositionTile &tile, int64_t packed,
                       int64_t perPosition, int64_t channel0, int64_t col0,
                       int64_t cols, BufferRef sram, DType sramType) {
  int64_t ohw = g.oh * g.ow;
  for (int64_t h = 0; h < packed; ++h) {
    int64_t lo = std::max(col0, h * perPosition);
    int64_t hi = std::min(col0 + cols, (h + 1) * perPosition);
    // Groups t of the tile whose position t * packed + h exists.
    int64_t groups = std::min<int64_t>(
        tile.cols, llvm::divideCeil(g.ow - h, packed) - tile.ow0);
    if (lo >= hi || groups <= 0)
      continue;
    int64_t channel = channel0 + lo - h * perPosition;
    int64_t base = (tile.n0 * g.m + channel) * ohw + tile.oh0 * g.ow +
                   tile.ow0 * packed + h;
    BufferRef at{sram.buffer, sram.offset + uint64_t(lo - col0) *
                                                npurt::dtypeSize(sramType)};
    if (failed(emitCopy(ctx, op, toSram, tensor.at(base), tensor.dtype, at,
                        sramType,
                        {{tile.images, g.m * ohw, tile.rows * tile.cols * cols},
                         {hi - lo, ohw, 1},
                         {tile.rows, g.ow, tile.cols * cols},
                         {groups, packed, cols}})))
      return failure();
  }
  return success();
}

/// Stores the [positions x cols] tile `src` (row stride `cols`) to output
/// channels [channel0, channel0 + cols) of the NCHW result.
LogicalResult storeNchw(KernelContext &ctx, Operation *op,
                        const ConvGeometry &g, const TensorRef &out,
                        const PositionTile &tile, int64_t channel0,
                        int64_t cols, BufferRef src) {
  return copyNchw(ctx, op, /*toSram=*/false, g, out, tile, 1, cols, channel0,
                  0, cols, src, out.dtype);
}

/// Reads the conv attributes into a geometry (1-D as 2-D with H = 1).
FailureOr<ConvGeometry> convGeometry(nn::ConvOp conv) {
  auto inType = cast<RankedTensorType>(conv.getInput().getType());
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  auto outType = cast<RankedTensorType>(conv.getType());
  if (!inType.hasStaticShape() || !wType.hasStaticShape() ||
      !outType.hasStaticShape())
    return conv.emitError("nn.conv needs static shapes");
  int64_t spatial = inType.getRank() - 2;
  if (spatial != 1 && spatial != 2)
    return conv.emitError("nn.conv with ")
           << spatial
           << " spatial dimensions is not supported by the MXU kernels "
              "(1-D and 2-D only)";
  ArrayRef<int64_t> strides = conv.getStrides(), pads = conv.getPads(),
                    dilations = conv.getDilations();
  ConvGeometry g;
  g.n = inType.getDimSize(0);
  g.c = inType.getDimSize(1);
  g.m = wType.getDimSize(0);
  g.group = conv.getGroup();
  readSpatialGeometry(g, inType, wType, outType, strides, pads, dilations);
  if (g.group < 1 || g.c % g.group || g.m % g.group ||
      wType.getDimSize(1) != g.cg())
    return conv.emitError("nn.conv group does not divide its channels");
  return g;
}

/// One way to run a (non-depthwise) conv as matmuls.
///
/// Positions x channels (the usual orientation): the rows are output
/// positions, K the im2col columns, the weights stay in the array. With
/// `packed` > 1, adjacent output positions of a row share one im2col row:
/// the problem is the conv of `geometry`, with ceil(ow / packed) output
/// columns at stride packed * sw, a kernel (packed - 1) * sw + (kw - 1) *
/// dw + 1 columns wide at dilation 1, and packed * M output channels, the M
/// channels of each position of the group; its weights hold the original
/// kernel at each position's offset and zeros elsewhere. A layer with few
/// output channels then fills the array's columns (ResNet's 64-channel
/// layers use all 128) for a somewhat longer K, and its rows (positions)
/// shrink by `packed`.
///
/// Transposed (channels x positions): with few output positions (ResNet's
/// last stage has 49), each weight tile would serve only that many rows,
/// far fewer than the mxu_latency + k cycles its load takes. Instead the
/// im2col tile of all positions is loaded into the array (transposed) and
/// the weights stream through as rows, one per output channel: C^T = W .
/// A^T, with output channels down the rows and positions across the
/// columns, which is NCHW order. Only when all positions fit one n-tile.
struct ConvPlan {
  ConvPlan(const ConvGeometry &g, int64_t packed, bool transposed,
           uint64_t block)
      : original(g), geometry(g), packed(packed), transposed(transposed) {
    // Packed: a kernel at dilation 1 wide enough for the group's positions
    // (the original kernel's taps at each position's offset, zeros between).
    if (packed > 1) {
      geometry.ow = llvm::divideCeil(g.ow, packed);
      geometry.sw = packed * g.sw;
      geometry.kw = (packed - 1) * g.sw + (g.kw - 1) * g.dw + 1;
      geometry.dw = 1;
      geometry.m = packed * g.m;
    }
    int64_t taps = geometry.kh * geometry.kw;
    kOrder = {g.cg(), taps, std::min<int64_t>(g.cg(), int64_t(block))};
    uint64_t positions = uint64_t(geometry.n * geometry.oh * geometry.ow);
    problem.k = uint64_t(taps * g.cg());
    problem.m = transposed ? uint64_t(g.mg()) : positions;
    problem.n = transposed ? positions : uint64_t(packed * g.mg());
    if (!geometry.padded())
      return;
    if (transposed) {
      problem.bPaddedRows = [this](uint64_t, uint64_t k0, uint64_t kLen) {
        return paddedRows(allPositions(), k0, kLen);
      };
      return;
    }
    problem.aPaddedRows = [this](uint64_t maxRows, uint64_t tile, uint64_t k0,
                                 uint64_t kLen) {
      auto [it, inserted] = tilesByMaxRows.try_emplace(maxRows);
      if (inserted)
        it->second = positionTiles(geometry, maxRows);
      return paddedRows(it->second[tile], k0, kLen);
    };
  }
  ConvPlan(const ConvPlan &) = delete;
  ConvPlan &operator=(const ConvPlan &) = delete;

  /// Every output position: the one position tile of a transposed plan.
  PositionTile allPositions() const {
    return {0, geometry.n, 0, geometry.oh, 0, geometry.ow};
  }
  /// The positions of `tile` that read padding in im2col columns
  /// [k0, k0 + kLen).
  uint64_t paddedRows(const PositionTile &tile, uint64_t k0,
                      uint64_t kLen) const {
    uint64_t padded = 0;
    for (const KSegment &seg : kOrder.segments(int64_t(k0), int64_t(kLen)))
      padded = std::max(padded,
                        paddedPositions(geometry, tile, seg.k0 / seg.channels,
                                        (seg.k0 + seg.kLen - 1) / seg.channels));
    return padded;
  }
  /// The original kernel position that packed kernel position `tap` holds
  /// for position `h` of the group, or none (a zero weight).
  std::optional<int64_t> originalTap(int64_t tap, int64_t h) const {
    if (packed == 1)
      return tap;
    int64_t i = tap / geometry.kw, offset = tap % geometry.kw - h * original.sw;
    if (offset < 0 || offset % original.dw != 0 ||
        offset / original.dw >= original.kw)
      return std::nullopt;
    return i * original.kw + offset / original.dw;
  }

  ConvGeometry original, geometry;
  int64_t packed;
  bool transposed;
  ConvKOrder kOrder{};
  MatmulProblem problem;
  std::optional<MatmulTiling> tiling;
  llvm::DenseMap<uint64_t, SmallVector<PositionTile>> tilesByMaxRows;
};

/// The output channel's bias: the conv's own (constant) plus a fused add's.
struct ConvBias {
  std::vector<float> constant; ///< Empty: none or runtime.
  std::optional<TensorRef> runtime;
};

//===----------------------------------------------------------------------===//
// Depthwise convolution on the VPU
//===----------------------------------------------------------------------===//

/// The plan of a depthwise conv with channels down the VPU rows and output
/// positions across the lanes (NCHW order): for few channels (MobileNet's
/// 32-channel layers use a quarter of the lanes the other way round).
struct ChannelRowsPlan {
  uint64_t channelTile = 0; ///< Channels per tile (VPU rows).
  uint64_t positionCap = 0; ///< Positions per tile at most (VPU columns).
  double vpuCycles = 0;     ///< Estimated VPU time of the whole conv.
};

/// The VPU cycles of one instruction over [rows x cols].
double vpuInstructionCycles(const npurt::Target &target, uint64_t rows,
                            uint64_t cols) {
  return double(target.vpu_latency_cycles) +
         double(rows) * double((cols + target.vpu_lanes - 1) /
                               target.vpu_lanes);
}

/// The cheapest channels-down-rows tiling of depthwise conv `g` whose
/// working set fits, or std::nullopt.
std::optional<ChannelRowsPlan> planChannelRows(const npurt::Target &target,
                                               const ConvGeometry &g,
                                               unsigned computeSize,
                                               bool hasBias, unsigned two) {
  int64_t taps = g.kh * g.kw;
  uint64_t align = target.sram_alignment;
  std::optional<ChannelRowsPlan> best;
  for (uint64_t ct = std::min<uint64_t>(g.c, 1024); ct >= 1; ct /= 2) {
    uint64_t rowBytes = llvm::alignTo(ct * 4, align);
    uint64_t fixed = two * uint64_t(taps) * rowBytes + two * rowBytes;
    for (uint64_t cap = 65535; cap >= 1; cap /= 2) {
      SmallVector<PositionTile> tiles = positionTiles(g, cap);
      uint64_t positions = *llvm::max_element(rowCounts(tiles));
      uint64_t tile = ct * positions;
      uint64_t sram = fixed + two * llvm::alignTo(tile * computeSize, align) +
                      llvm::alignTo(tile * 4, align) +
                      two * llvm::alignTo(tile * 4, align);
      if (sram > target.sram_bytes || two * tile * 4 > target.acc_bytes)
        continue;
      // Per tile: a multiply and an add per kernel position (the first
      // only multiplies), the bias, the epilogue.
      double cycles = 0;
      uint64_t channelTiles = (g.c + ct - 1) / ct;
      for (const PositionTile &t : tiles)
        cycles += double(2 * taps + (hasBias ? 1 : 0)) *
                  vpuInstructionCycles(target, ct, t.positions());
      cycles *= double(channelTiles);
      if (!best || cycles < best->vpuCycles)
        best = ChannelRowsPlan{ct, cap, cycles};
      break; // Smaller position tiles only add instructions.
    }
    if (ct == 1)
      break;
  }
  return best;
}

/// Depthwise conv with channels down the VPU rows and positions across the
/// lanes: per kernel position the input window [channels x positions] is
/// gathered by one DMA box (its padding positions zeroed by DMA boxes that
/// read one zero element), multiplied by that position's weight column
/// (one weight per channel, broadcast along the row) and accumulated in the
/// accumulator memory; a column-broadcast add applies the bias, the
/// epilogue the activation, and the [channels x positions] tile is stored
/// to NCHW as it is.
LogicalResult lowerDepthwiseChannelRows(nn::ConvOp conv, KernelContext &ctx,
                                        const ConvGeometry &g,
                                        const TensorRef &input,
                                        const std::vector<float> &weights,
                                        const std::vector<float> &bias,
                                        const FusedEpilogue &fused,
                                        const ChannelRowsPlan &plan) {
  Operation *op = conv;
  const npurt::Target &target = ctx.target();
  DType compute = ctx.computeType();
  unsigned cs = npurt::dtypeSize(compute);
  int64_t taps = g.kh * g.kw;
  uint64_t align = target.sram_alignment;
  unsigned two = ctx.doubleBuffering() ? 2 : 1;
  bool hasBias = !bias.empty();
  uint64_t ct = plan.channelTile;
  SmallVector<PositionTile> tiles = positionTiles(g, plan.positionCap);
  uint64_t maxPositions = *llvm::max_element(rowCounts(tiles));
  uint64_t rowBytes = llvm::alignTo(ct * 4, align);

  uint64_t outputs = uint64_t(g.n * g.m * g.oh * g.ow);
  SourceWork work;
  work.macs = outputs * uint64_t(taps);
  // Every MAC is a VPU multiply and add (the first tap only multiplies).
  work.vectorOps = outputs * uint64_t(2 * taps - 1) +
                   outputs * epiloguePasses(hasBias, fused.activation);
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, conv.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  work.minDramBytes = input.bytes() + outputs * npurt::dtypeSize(out.dtype) +
                      uint64_t(taps * g.c + (hasBias ? g.c : 0)) * 4;
  ctx.beginSourceOp(op, work);

  // Weights as [taps x C] f32 rows: a channel tile's weights for one kernel
  // position are a contiguous column operand.
  std::vector<float> rows(size_t(taps * g.c));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t t = 0; t < taps; ++t)
      rows[t * g.c + c] = weights[c * taps + t];
  TensorRef weightRows =
      ctx.constant("depthwise_weights", {taps, g.c}, DType::F32,
                   encodeValues(rows, DType::F32));
  std::optional<TensorRef> biasTensor;
  if (hasBias)
    biasTensor = ctx.constant("depthwise_bias", {g.c}, DType::F32,
                              encodeValues(bias, DType::F32));
  TensorRef zero = ctx.constant("depthwise_zero", {1}, compute,
                                encodeValues({0.0f}, compute));

  KernelBuilder &b = ctx.builder();
  uint64_t tileBytes = ct * maxPositions;
  SmallVector<Value> windows, outs, weightSlots, biasSlots, accs;
  for (unsigned i = 0; i < two; ++i) {
    std::string n = std::to_string(i);
    windows.push_back(b.alloc(Space::Sram,
                              llvm::alignTo(tileBytes * cs, align),
                              "window" + n));
    outs.push_back(
        b.alloc(Space::Sram, llvm::alignTo(tileBytes * 4, align), "out" + n));
    weightSlots.push_back(
        b.alloc(Space::Sram, uint64_t(taps) * rowBytes, "w" + n));
    if (hasBias)
      biasSlots.push_back(b.alloc(Space::Sram, rowBytes, "bias" + n));
    accs.push_back(b.alloc(Space::Acc,
                           llvm::alignTo(tileBytes * 4, target.acc_alignment),
                           "acc" + n));
  }
  Value tmp = b.alloc(Space::Sram, llvm::alignTo(tileBytes * 4, align),
                      "product");

  auto vpuInst = [](npurt::Opcode opcode, uint64_t r, uint64_t c) {
    npurt::Instruction inst;
    inst.opcode = opcode;
    inst.rows = uint16_t(r);
    inst.cols = uint16_t(c);
    return inst;
  };
  int64_t hw = g.h * g.w, ohw = g.oh * g.ow;
  uint64_t windowCount = 0, tileCount = 0;
  uint64_t channelTiles = (uint64_t(g.c) + ct - 1) / ct;
  for (uint64_t cti = 0; cti < channelTiles; ++cti) {
    int64_t c0 = int64_t(cti * ct);
    int64_t len = std::min<int64_t>(int64_t(ct), g.c - c0);
    Value wSlot = weightSlots[cti % two];
    if (failed(emitCopy(ctx, op, true, weightRows.at(c0), DType::F32,
                        {wSlot, 0}, DType::F32,
                        {{taps, g.c, int64_t(rowBytes / 4)}, {len, 1, 1}})))
      return failure();
    Value biasSlot;
    if (hasBias) {
      biasSlot = biasSlots[cti % two];
      if (failed(emitCopy(ctx, op, true, biasTensor->at(c0), DType::F32,
                          {biasSlot, 0}, DType::F32, {{len, 1, 1}})))
        return failure();
    }
    for (const PositionTile &tile : tiles) {
      int64_t positions = int64_t(tile.positions());
      int64_t rc = tile.rows * tile.cols;
      Value acc = accs[tileCount % two];
      KernelBuilder::VpuOperand accOperand{
          {acc, 0}, uint32_t(positions), DType::F32};
      for (int64_t t = 0; t < taps; ++t) {
        int64_t i = t / g.kw, j = t % g.kw;
        Value window = windows[windowCount++ % two];
        auto [rb, re] = ConvGeometry::validRange(g.oh, g.h, g.sh, g.ph, i, g.dh);
        auto [cb, ce] = ConvGeometry::validRange(g.ow, g.w, g.sw, g.pw, j, g.dw);
        int64_t r0 = std::max(rb, tile.oh0),
                r1 = std::min(re, tile.oh0 + tile.rows);
        int64_t q0 = std::max(cb, tile.ow0),
                q1 = std::min(ce, tile.ow0 + tile.cols);
        // Zero the positions this kernel position reads in the padding:
        // whole rows above and below, columns left and right between.
        auto zeroFill = [&](int64_t rowBegin, int64_t rowEnd, int64_t colBegin,
                            int64_t colEnd) -> LogicalResult {
          if (rowBegin >= rowEnd || colBegin >= colEnd)
            return success();
          uint64_t at = uint64_t((rowBegin - tile.oh0) * tile.cols +
                                 colBegin - tile.ow0) *
                        cs;
          return emitCopy(ctx, op, true, zero.at(0), compute,
                          {window, at}, compute,
                          {{len, 0, positions},
                           {tile.images, 0, rc},
                           {rowEnd - rowBegin, 0, tile.cols},
                           {colEnd - colBegin, 0, 1}});
        };
        int64_t rowsEnd = tile.oh0 + tile.rows, colsEnd = tile.ow0 + tile.cols;
        bool empty = r0 >= r1 || q0 >= q1;
        if (empty) {
          if (failed(zeroFill(tile.oh0, rowsEnd, tile.ow0, colsEnd)))
            return failure();
        } else if (failed(zeroFill(tile.oh0, r0, tile.ow0, colsEnd)) ||
                   failed(zeroFill(r1, rowsEnd, tile.ow0, colsEnd)) ||
                   failed(zeroFill(r0, r1, tile.ow0, q0)) ||
                   failed(zeroFill(r0, r1, q1, colsEnd))) {
          return failure();
        }
        if (!empty) {
          int64_t ih = r0 * g.sh - g.ph + i * g.dh;
          int64_t iw = q0 * g.sw - g.pw + j * g.dw;
          int64_t src = (tile.n0 * g.c + c0) * hw + ih * g.w + iw;
          uint64_t at =
              uint64_t((r0 - tile.oh0) * tile.cols + q0 - tile.ow0) * cs;
          if (failed(emitCopy(ctx, op, true, input.at(src), input.dtype,
                              {window, at}, compute,
                              {{len, hw, positions},
                               {tile.images, g.c * hw, rc},
                               {r1 - r0, g.sh * g.w, tile.cols},
                               {q1 - q0, g.sw, 1}})))
            return failure();
        }
        npurt::Instruction mul =
            vpuInst(npurt::Opcode::VpuBinary, uint64_t(len), positions);
        mul.func = npurt::VpuFunc::Mul;
        mul.broadcast = npurt::Broadcast::Col;
        KernelBuilder::VpuOperand weightColumn{
            {wSlot, uint64_t(t) * rowBytes}, 1, DType::F32};
        KernelBuilder::VpuOperand product =
            t == 0 ? accOperand
                   : KernelBuilder::VpuOperand{
                         {tmp, 0}, uint32_t(positions), DType::F32};
        b.vpu(mul, product, {{window, 0}, uint32_t(positions), compute},
              weightColumn);
        if (t > 0) {
          npurt::Instruction add =
              vpuInst(npurt::Opcode::VpuBinary, uint64_t(len), positions);
          add.func = npurt::VpuFunc::Add;
          b.vpu(add, accOperand, accOperand, product);
        }
      }
      if (hasBias) {
        npurt::Instruction add =
            vpuInst(npurt::Opcode::VpuBinary, uint64_t(len), positions);
        add.func = npurt::VpuFunc::Add;
        add.broadcast = npurt::Broadcast::Col;
        b.vpu(add, accOperand, accOperand, {{biasSlot, 0}, 1, DType::F32});
      }
      Value outSlot = outs[tileCount++ % two];
      npurt::Instruction epilogue =
          vpuInst(npurt::Opcode::VpuEpilogue, uint64_t(len), positions);
      epilogue.func = fused.activation.func;
      epilogue.imm0 = fused.activation.imm0;
      epilogue.imm1 = fused.activation.imm1;
      b.vpu(epilogue, {{outSlot, 0}, uint32_t(positions), out.dtype},
            accOperand);
      int64_t base = (tile.n0 * g.m + c0) * ohw + tile.oh0 * g.ow + tile.ow0;
      if (failed(emitCopy(ctx, op, false, out.at(base), out.dtype,
                          {outSlot, 0}, out.dtype,
                          {{tile.images, g.m * ohw, rc},
                           {len, ohw, positions},
                           {tile.rows, g.ow, tile.cols},
                           {tile.cols, 1, 1}})))
        return failure();
    }
  }
  return success();
}

LogicalResult lowerDepthwise(nn::ConvOp conv, KernelContext &ctx,
                             const ConvGeometry &g, const TensorRef &input,
                             const std::vector<float> &weights,
                             std::vector<float> bias,
                             const FusedEpilogue &fused) {
  Operation *op = conv;
  const npurt::Target &target = ctx.target();
  DType compute = ctx.computeType();
  unsigned cs = npurt::dtypeSize(compute);
  int64_t taps = g.kh * g.kw;
  uint64_t align = target.sram_alignment;
  unsigned two = ctx.doubleBuffering() ? 2 : 1;

  // Channels across the VPU lanes, positions down the rows. The widest
  // channel tile and the most rows that fit the accumulator and SRAM; the
  // weight rows of a channel tile are loaded all at once unless a huge
  // kernel only fits in groups of kernel positions (loaded per position
  // tile, then).
  bool hasBias = !bias.empty();
  struct Sizes {
    uint64_t gather, tmp, out, weights, bias, acc, sram;
  } sizes{};
  auto sizesFor = [&](uint64_t rows, uint64_t ct, uint64_t tapGroup) {
    Sizes s;
    uint64_t rowBytes = llvm::alignTo(ct * 4, align);
    s.gather = llvm::alignTo(rows * ct * cs, align);
    s.tmp = llvm::alignTo(rows * ct * 4, align);
    s.out = llvm::alignTo(rows * ct * 4, align);
    s.weights = tapGroup * rowBytes;
    s.bias = hasBias ? rowBytes : 0;
    s.acc = llvm::alignTo(rows * ct * 4, target.acc_alignment);
    s.sram = two * (s.gather + s.out + s.weights + s.bias) + s.tmp;
    return s;
  };
  // The most rows (at most `cap`) that fit with a channel tile and a group
  // of kernel positions; 0 if none does.
  auto rowsFitting = [&](uint64_t ct, uint64_t group) -> uint64_t {
    uint64_t cap =
        std::min<uint64_t>(65535, target.acc_bytes / (two * ct * 4));
    for (; cap >= 1; cap /= 2) {
      Sizes s = sizesFor(cap, ct, group);
      if (s.sram <= target.sram_bytes && two * s.acc <= target.acc_bytes)
        return cap;
    }
    return 0;
  };
  uint64_t channelTile = std::min<uint64_t>(g.c, 4 * target.vpu_lanes);
  uint64_t tapGroup = uint64_t(taps), rowCap = 0;
  while (true) {
    for (tapGroup = uint64_t(taps);; tapGroup = (tapGroup + 1) / 2) {
      rowCap = rowsFitting(channelTile, tapGroup);
      if (rowCap || tapGroup == 1)
        break;
    }
    if (rowCap || channelTile == 1)
      break;
    channelTile /= 2;
  }
  if (!rowCap) {
    Sizes s = sizesFor(1, 1, 1);
    return op->emitError(llvm::formatv(
        "cannot tile the depthwise nn.conv for target '{0}': one position, "
        "one channel and one kernel position per tile need {1} bytes of SRAM "
        "and {2} bytes of accumulator, but the target has sram_bytes = {3} "
        "and acc_bytes = {4}",
        target.name, s.sram, two * s.acc, target.sram_bytes, target.acc_bytes));
  }
  SmallVector<PositionTile> tiles = positionTiles(g, rowCap);
  uint64_t maxRows = *llvm::max_element(rowCounts(tiles));
  sizes = sizesFor(maxRows, channelTile, tapGroup);
  uint64_t channelTiles = (g.c + channelTile - 1) / channelTile;

  // Channels across the lanes wastes most of them when the channels are
  // few: take the other orientation when its VPU time is lower.
  double cycles = 0;
  for (uint64_t ct = 0; ct < channelTiles; ++ct) {
    uint64_t len = std::min<uint64_t>(channelTile, g.c - ct * channelTile);
    for (const PositionTile &tile : tiles)
      cycles += double(2 * taps) *
                vpuInstructionCycles(target, tile.positions(), len);
  }
  if (std::optional<ChannelRowsPlan> rowsPlan =
          planChannelRows(target, g, cs, hasBias, two);
      rowsPlan && rowsPlan->vpuCycles < cycles)
    return lowerDepthwiseChannelRows(conv, ctx, g, input, weights, bias, fused,
                                     *rowsPlan);

  uint64_t outputs = uint64_t(g.n * g.m * g.oh * g.ow);
  SourceWork work;
  work.macs = outputs * uint64_t(taps);
  // Every MAC is a VPU multiply and add (the first tap only multiplies).
  work.vectorOps = outputs * uint64_t(2 * taps - 1) +
                   outputs * epiloguePasses(hasBias, fused.activation);
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, conv.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  work.minDramBytes = input.bytes() + outputs * npurt::dtypeSize(out.dtype) +
                      uint64_t(taps * g.c + (hasBias ? g.c : 0)) * 4;
  ctx.beginSourceOp(op, work);

  // Weights as [taps x C] f32 rows (one weight per channel per position).
  std::vector<float> rows(size_t(taps * g.c));
  for (int64_t c = 0; c < g.c; ++c)
    for (int64_t t = 0; t < taps; ++t)
      rows[t * g.c + c] = weights[c * taps + t];
  TensorRef weightRows =
      ctx.constant("depthwise_weights", {taps, g.c}, DType::F32,
                   encodeValues(rows, DType::F32));
  std::optional<TensorRef> biasTensor;
  if (hasBias)
    biasTensor = ctx.constant("depthwise_bias", {g.c}, DType::F32,
                              encodeValues(bias, DType::F32));

  KernelBuilder &b = ctx.builder();
  uint64_t rowStride = llvm::alignTo(channelTile * 4, align);
  SmallVector<Value> gathers, outs, weightSlots, biasSlots, accs;
  for (unsigned i = 0; i < two; ++i) {
    gathers.push_back(
        b.alloc(Space::Sram, sizes.gather, "window" + std::to_string(i)));
    outs.push_back(b.alloc(Space::Sram, sizes.out, "out" + std::to_string(i)));
    weightSlots.push_back(
        b.alloc(Space::Sram, sizes.weights, "w" + std::to_string(i)));
    if (hasBias)
      biasSlots.push_back(
          b.alloc(Space::Sram, sizes.bias, "bias" + std::to_string(i)));
    accs.push_back(b.alloc(Space::Acc, sizes.acc, "acc" + std::to_string(i)));
  }
  Value tmp = b.alloc(Space::Sram, sizes.tmp, "product");
  // Weight rows [t0, t0 + count) of the channel tile at c0 into a slot.
  uint64_t weightLoads = 0;
  auto loadWeightRows = [&](int64_t c0, int64_t len, int64_t t0,
                            int64_t count) -> FailureOr<Value> {
    Value slot = weightSlots[weightLoads++ % two];
    if (failed(emitCopy(ctx, op, true, weightRows.at(t0 * g.c + c0),
                        DType::F32, {slot, 0}, DType::F32,
                        {{count, g.c, int64_t(rowStride / 4)}, {len, 1, 1}})))
      return failure();
    return slot;
  };

  ZeroTracker zeros;
  uint64_t gatherCount = 0, tileCount = 0;
  auto vpuInst = [](npurt::Opcode opcode, uint64_t rows, uint64_t cols) {
    npurt::Instruction inst;
    inst.opcode = opcode;
    inst.rows = uint16_t(rows);
    inst.cols = uint16_t(cols);
    return inst;
  };
  bool allTaps = tapGroup == uint64_t(taps);
  for (uint64_t ct = 0; ct < channelTiles; ++ct) {
    int64_t c0 = int64_t(ct * channelTile);
    int64_t len = std::min<int64_t>(channelTile, g.c - c0);
    // All kernel positions' weights once per channel tile when they fit;
    // otherwise a group at a time, per position tile.
    Value wSlot;
    if (allTaps) {
      FailureOr<Value> slot = loadWeightRows(c0, len, 0, taps);
      if (failed(slot))
        return failure();
      wSlot = *slot;
    }
    Value biasSlot;
    if (hasBias) {
      biasSlot = biasSlots[ct % two];
      if (failed(emitCopy(ctx, op, true, biasTensor->at(c0), DType::F32,
                          {biasSlot, 0}, DType::F32, {{len, 1, 1}})))
        return failure();
    }
    for (const PositionTile &tile : tiles) {
      uint64_t positions = tile.positions();
      Value acc = accs[tileCount % two];
      KernelBuilder::VpuOperand accOperand{{acc, 0}, uint32_t(len), DType::F32};
      for (int64_t t = 0; t < taps; ++t) {
        if (!allTaps && t % int64_t(tapGroup) == 0) {
          FailureOr<Value> slot = loadWeightRows(
              c0, len, t, std::min<int64_t>(int64_t(tapGroup), taps - t));
          if (failed(slot))
            return failure();
          wSlot = *slot;
        }
        BufferRef window{gathers[gatherCount++ % two], 0};
        // The window of position t is the im2col column block of that tap.
        KSegment tap{0, len, t * len, len, 0};
        if (failed(gatherIm2col(ctx, op, g, input, c0, tap, tile, len, window,
                                compute, zeros)))
          return failure();
        npurt::Instruction mul =
            vpuInst(npurt::Opcode::VpuBinary, positions, len);
        mul.func = npurt::VpuFunc::Mul;
        mul.broadcast = npurt::Broadcast::Row;
        KernelBuilder::VpuOperand weightRow{
            {wSlot, uint64_t(t % int64_t(tapGroup)) * rowStride},
            uint32_t(len),
            DType::F32};
        KernelBuilder::VpuOperand product =
            t == 0 ? accOperand
                   : KernelBuilder::VpuOperand{
                         {tmp, 0}, uint32_t(len), DType::F32};
        b.vpu(mul, product, {window, uint32_t(len), compute}, weightRow);
        if (t > 0) {
          npurt::Instruction add =
              vpuInst(npurt::Opcode::VpuBinary, positions, len);
          add.func = npurt::VpuFunc::Add;
          b.vpu(add, accOperand, accOperand, product);
        }
      }
      Value outSlot = outs[tileCount++ % two];
      npurt::Instruction epilogue =
          vpuInst(npurt::Opcode::VpuEpilogue, positions, len);
      epilogue.func = fused.activation.func;
      epilogue.imm0 = fused.activation.imm0;
      epilogue.imm1 = fused.activation.imm1;
      KernelBuilder::VpuOperand biasOperand;
      if (hasBias) {
        epilogue.flags = npurt::kFlagBias;
        biasOperand = {{biasSlot, 0}, uint32_t(len), DType::F32};
      }
      b.vpu(epilogue, {{outSlot, 0}, uint32_t(len), out.dtype}, accOperand,
            biasOperand);
      if (failed(storeNchw(ctx, op, g, out, tile, c0, len, {outSlot, 0})))
        return failure();
    }
  }
  return success();
}
} // namespace

//===----------------------------------------------------------------------===//
// Transposed conv (channels x positions)
//===----------------------------------------------------------------------===//

namespace {
/// Emits `plan` (transposed, ConvPlan): the rows are the output channels of
/// a group, streamed from a compile-time [group x M x K] copy of the
/// weights in `plan`'s K order; the array holds the im2col tile of all
/// positions, gathered as [positions x k-tile] and loaded transposed; the
/// bias is added per row; outputs and residuals are [channels x positions]
/// tiles, NCHW order.
LogicalResult emitTransposedConv(KernelContext &ctx, Operation *op,
                                 const ConvPlan &plan, GemmSpec &spec,
                                 const std::vector<float> &w,
                                 const ConvBias &bias, const TensorRef &input,
                                 const std::optional<TensorRef> &residual,
                                 const TensorRef &out) {
  const ConvGeometry &g = plan.original;
  const MatmulProblem &problem = spec.problem;
  DType compute = problem.compute;
  int64_t cg = g.cg(), mg = g.mg(), taps = g.kh * g.kw;
  int64_t k = int64_t(problem.k), ohw = g.oh * g.ow;
  int64_t positions = g.n * ohw;

  std::vector<float> rows(size_t(g.m * k));
  for (int64_t m = 0; m < g.m; ++m)
    for (int64_t kIndex = 0; kIndex < k; ++kIndex) {
      auto [tap, c] = plan.kOrder.at(kIndex);
      rows[m * k + kIndex] = w[(m * cg + c) * taps + tap];
    }
  TensorRef weightRows = ctx.constant("conv_weight_rows", {g.m, k}, compute,
                                      encodeValues(rows, compute));
  spec.gatherA = [&, weightRows](uint64_t grp, const RowTile &tile,
                                 uint64_t k0, uint64_t kLen, BufferRef dst) {
    int64_t first = (int64_t(grp) * mg + int64_t(tile.begin)) * k + int64_t(k0);
    return emitCopy(ctx, op, true, weightRows.at(first), compute, dst, compute,
                    {{int64_t(tile.rows), k, int64_t(kLen)},
                     {int64_t(kLen), 1, 1}});
  };
  ZeroTracker zeros;
  PositionTile all = plan.allPositions();
  spec.weights.gather = [&, all](uint64_t grp, uint64_t, uint64_t kk,
                                 BufferRef dst) -> FailureOr<bool> {
    int64_t k0 = int64_t(kk * spec.tiling.kTile);
    int64_t kLen = int64_t(spec.tiling.kAt(problem.k, kk));
    if (failed(gatherIm2col(ctx, op, g, input, int64_t(grp) * cg,
                            plan.kOrder.segments(k0, kLen), all, kLen, dst,
                            compute, zeros)))
      return failure();
    return true;
  };
  if (!bias.constant.empty())
    spec.bias = ctx.constant("conv_bias", {g.m}, DType::F32,
                             encodeValues(bias.constant, DType::F32));
  else if (bias.runtime)
    spec.bias = *bias.runtime;

  // [channels x positions] tiles of an NCHW tensor shaped like the result.
  auto copyChannels = [&](bool toSram, const TensorRef &tensor, uint64_t grp,
                          const RowTile &tile, BufferRef sram, DType sramType) {
    int64_t channel = int64_t(grp) * mg + int64_t(tile.begin);
    return emitCopy(ctx, op, toSram, tensor.at(channel * ohw), tensor.dtype,
                    sram, sramType,
                    {{g.n, g.m * ohw, ohw},
                     {int64_t(tile.rows), ohw, positions},
                     {ohw, 1, 1}});
  };
  if (residual)
    spec.loadC = [&](uint64_t grp, const RowTile &tile, uint64_t, uint64_t,
                     BufferRef dst) {
      return copyChannels(true, *residual, grp, tile, dst, DType::F32);
    };
  spec.storeOut = [&](uint64_t grp, const RowTile &tile, uint64_t, uint64_t,
                      BufferRef src) {
    return copyChannels(false, out, grp, tile, src, out.dtype);
  };
  return emitGemm(ctx, op, spec);
}
} // namespace

//===----------------------------------------------------------------------===//
// nn.conv
//===----------------------------------------------------------------------===//

LogicalResult mlir::npu::lowerConv(Operation *op, KernelContext &ctx) {
  auto conv = cast<nn::ConvOp>(op);
  FailureOr<ConvGeometry> geometry = convGeometry(conv);
  if (failed(geometry))
    return failure();
  const ConvGeometry &g = *geometry;
  // Constant weights are re-laid-out at compile time; runtime ones (a
  // training step's parameters) are gathered tile by tile.
  FailureOr<std::vector<float>> weights = ctx.constantValues(conv.getWeight());
  std::optional<TensorRef> runtimeWeights;
  if (failed(weights)) {
    FailureOr<TensorRef> tensor = ctx.lookup(conv.getWeight(), op);
    if (failed(tensor))
      return failure();
    runtimeWeights = *tensor;
  }
  FailureOr<TensorRef> input = ctx.lookup(conv.getInput(), op);
  if (failed(input))
    return failure();

  ConvBias bias;
  if (Value b = conv.getBias()) {
    if (FailureOr<std::vector<float>> values = ctx.constantValues(b);
        succeeded(values)) {
      bias.constant = std::move(*values);
    } else {
      FailureOr<TensorRef> tensor = ctx.lookup(b, op);
      if (failed(tensor))
        return failure();
      bias.runtime = *tensor;
    }
  }
  bool depthwise = g.group == g.c && g.m == g.c && g.group > 1;
  FusedEpilogue fused = findFusedEpilogue(ctx, op, conv.getResult(), 1,
                                          /*allowResidual=*/!depthwise);
  if (!fused.bias.empty() && bias.runtime) {
    // A runtime conv bias and a fused constant cannot share the epilogue's
    // one bias row: keep only the activation (if it follows the conv).
    fused = FusedEpilogue();
    fused.result = conv.getResult();
    Operation *next = singleUser(conv.getResult());
    if (std::optional<Activation> act = epilogueActivation(next)) {
      fused.activation = *act;
      fused.ops.push_back(next);
      fused.result = next->getResult(0);
    }
  }
  if (!fused.bias.empty()) {
    bias.constant.resize(g.m, 0.0f);
    for (int64_t i = 0; i < g.m; ++i)
      bias.constant[i] += fused.bias[i];
  }

  if (depthwise && !bias.runtime && !runtimeWeights)
    return lowerDepthwise(conv, ctx, g, *input, *weights, bias.constant, fused);

  DType compute = ctx.computeType();
  int64_t cg = g.cg(), mg = g.mg();
  int64_t taps = g.kh * g.kw;
  // A pooling of the result (ResNet's stem: conv, relu, max_pool) is
  // emitted by this kernel too, band by band as the conv stores the rows it
  // reads: its VPU work then runs while the MXU computes the next conv
  // tiles instead of after them. Its tiles get an eighth of the SRAM (not
  // on a chip so small that this would not hold the pool's smallest tiles).
  Operation *pool = singleUser(fused.result);
  npurt::Target target = ctx.target();
  if (!PoolEmitter::accepts(pool) ||
      cast<RankedTensorType>(pool->getOperand(0).getType()).getRank() != 4 ||
      PoolEmitter::minSramBytes(pool, ctx) > target.sram_bytes / 8)
    pool = nullptr;
  uint64_t poolSram = pool ? target.sram_bytes / 8 : 0;
  target.sram_bytes -= poolSram;
  std::optional<TensorRef> residual;
  if (fused.residual) {
    FailureOr<TensorRef> tensor = ctx.lookup(fused.residual, op);
    if (failed(tensor))
      return failure();
    residual = *tensor;
  }

  // The plans: single output positions; groups of adjacent positions
  // sharing one im2col row when the output channels fill at most half the
  // array's columns; transposed when all positions fit the array's
  // columns. The cheapest simulated tiling wins. Runtime weights are
  // gathered as they are laid out: single positions only.
  std::unique_ptr<ConvPlan> best;
  std::string reason;
  SmallVector<std::pair<int64_t, bool>> candidates; // (packed, transposed)
  int64_t maxPacked =
      bias.runtime || runtimeWeights ? 1 : std::min<int64_t>(4, g.ow);
  for (int64_t packed = 1; packed <= maxPacked; ++packed)
    if (packed == 1 || uint64_t(packed * mg) <= target.mxu_cols)
      candidates.push_back({packed, false});
  if (!runtimeWeights && uint64_t(g.n * g.oh * g.ow) <= target.mxu_cols)
    candidates.push_back({1, true});
  for (auto [packed, transposed] : candidates) {
    auto plan =
        std::make_unique<ConvPlan>(g, packed, transposed, target.mxu_rows);
    MatmulProblem &problem = plan->problem;
    problem.count = uint64_t(g.group);
    problem.sharedB = g.group == 1 && !transposed;
    problem.bReadyFirst = !transposed;
    problem.aDram = transposed ? compute : input->dtype;
    problem.bDram = transposed       ? input->dtype
                    : runtimeWeights ? runtimeWeights->dtype
                                     : compute;
    problem.compute = compute;
    problem.bias = !bias.constant.empty() || bias.runtime.has_value();
    problem.biasPerRow = transposed && problem.bias;
    problem.biasPerProblem = g.group > 1;
    problem.cTile = residual.has_value();
    if (residual)
      problem.cDram = residual->dtype;
    problem.transcendentalEpilogue =
        npurt::isTranscendental(fused.activation.func);
    // The result's DRAM dtype is known only once it is defined; plan with
    // the wider one.
    problem.outDram = DType::F32;
    std::string planReason;
    plan->tiling = chooseMatmulTiling(
        target, problem,
        [&, p = plan.get()](uint64_t cap) {
          if (p->transposed)
            return balancedTiles(p->problem.m, cap);
          return rowCounts(positionTiles(p->geometry, cap));
        },
        ctx.doubleBuffering(), planReason);
    if (!plan->tiling) {
      if (packed == 1 && !transposed)
        reason = planReason;
      continue;
    }
    if (!best || plan->tiling->cycles < best->tiling->cycles)
      best = std::move(plan);
  }
  if (!best) {
    uint64_t m = uint64_t(g.n * g.oh * g.ow), k = uint64_t(taps * cg);
    return op->emitError() << "cannot tile the " << m << "x" << k << "x" << mg
                           << " im2col matmul of nn.conv for target '"
                           << target.name << "': " << reason;
  }
  const ConvPlan &plan = *best;
  const ConvGeometry &pg = plan.geometry;
  int64_t packed = plan.packed;
  MatmulProblem problem = plan.problem;
  const MatmulTiling &tiling = *plan.tiling;
  SmallVector<PositionTile> tiles = plan.transposed
                                        ? SmallVector<PositionTile>()
                                        : positionTiles(pg, tiling.maxRows);
  if (!plan.transposed && rowCounts(tiles) != tiling.rowTiles)
    return op->emitError("internal error: conv tiles changed between "
                         "planning and emission");

  uint64_t outputs = uint64_t(g.n * g.m * g.oh * g.ow);
  SourceWork work;
  work.macs = outputs * uint64_t(cg * taps);
  work.vectorOps = outputs * (epiloguePasses(problem.bias, fused.activation) +
                              (residual ? 1 : 0));
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, conv.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  problem.outDram = out.dtype;
  DType weightDram = runtimeWeights ? runtimeWeights->dtype : compute;
  work.minDramBytes = input->bytes() + outputs * npurt::dtypeSize(out.dtype) +
                      uint64_t(g.m * cg * taps) * npurt::dtypeSize(weightDram) +
                      (problem.bias ? uint64_t(g.m) * 4 : 0) +
                      (residual ? residual->bytes() : 0);
  std::unique_ptr<PoolEmitter> pooling;
  if (pool) {
    ctx.markFused(pool);
    TensorRef pooled = ctx.defineResult(pool->getResult(0));
    // Pool tiles of the rows one conv row tile completes.
    int64_t rowsPerTile = 0;
    if (!plan.transposed) {
      auto poolStrides = isa<nn::MaxPoolOp>(pool)
                             ? cast<nn::MaxPoolOp>(pool).getStrides()
                             : cast<nn::AvgPoolOp>(pool).getStrides();
      int64_t stride = poolStrides.empty() ? 1 : poolStrides[0];
      rowsPerTile = std::max<int64_t>(1, tiles.front().rows / stride);
    }
    FailureOr<std::unique_ptr<PoolEmitter>> emitter =
        PoolEmitter::create(pool, ctx, out, pooled, poolSram, rowsPerTile);
    if (failed(emitter))
      return failure();
    pooling = std::move(*emitter);
    // The conv's own result is an intermediate of the fused op: only the
    // pooled result must reach DRAM.
    work.vectorOps += pooling->work().vectorOps;
    work.minDramBytes += pooled.bytes() - out.bytes();
  }
  ctx.beginSourceOp(op, work);

  GemmSpec spec;
  spec.problem = problem;
  spec.tiling = tiling;
  spec.activation = fused.activation;
  if (plan.transposed) {
    if (failed(emitTransposedConv(ctx, op, plan, spec, *weights, bias, *input,
                                  residual, out)))
      return failure();
    return pooling ? pooling->emitUpTo(pooling->outputRows()) : success();
  }
  // With one image, after each row tile the pooling of the rows stored by
  // the row tile before it: their stores have completed by then, so the
  // pooling's loads do not hold up the conv's next loads in the DMA queue.
  int64_t rowsStored = 0;
  if (pooling && g.n == 1)
    spec.afterRowTile = [&](uint64_t, const RowTile &rowTile) {
      const PositionTile &tile = tiles[rowTile.index];
      LogicalResult emitted =
          pooling->emitUpTo(pooling->rowsReadyAfter(rowsStored));
      // A row is stored once its last piece is.
      rowsStored =
          tile.ow0 + tile.cols == pg.ow ? tile.oh0 + tile.rows : tile.oh0;
      return emitted;
    };
  if (runtimeWeights) {
    spec.weights.gather = [&, w = *runtimeWeights](
                              uint64_t grp, uint64_t j, uint64_t kk,
                              BufferRef dst) -> FailureOr<bool> {
      uint64_t nLen = tiling.nAt(problem.n, j);
      int64_t n0 = int64_t(j * tiling.nTile);
      int64_t rowBytes = int64_t(nLen * npurt::dtypeSize(compute));
      // B[(tap, c), m] of group grp is weight[grp * mg + m, c, tap]: per
      // run of k rows of one channel block, one DMA box (taps, channels,
      // output channels).
      for (const KSegment &seg : plan.kOrder.segments(
               int64_t(kk * tiling.kTile),
               int64_t(tiling.kAt(problem.k, kk)))) {
        LogicalResult copied = forEachTapRun(
            seg.k0, seg.kLen, seg.channels,
            [&](int64_t tap, int64_t runTaps, int64_t c0, int64_t cs,
                int64_t row) {
              int64_t c = seg.channelBase + c0;
              int64_t src = ((int64_t(grp) * mg + n0) * cg + c) * taps + tap;
              BufferRef at{dst.buffer,
                           dst.offset + uint64_t((seg.col + row) * rowBytes)};
              return emitCopy(ctx, op, true, w.at(src), w.dtype, at, compute,
                              {{runTaps, 1, seg.channels * int64_t(nLen)},
                               {cs, taps, int64_t(nLen)},
                               {int64_t(nLen), cg * taps, 1}});
            });
        if (failed(copied))
          return failure();
      }
      return false; // [kLen x nLen]: not transposed.
    };
  } else {
    const std::vector<float> &w = *weights;
    std::vector<uint8_t> packedWeights = packWeights(
        tiling, uint64_t(g.group), problem.k, problem.n, compute,
        [&](uint64_t grp, uint64_t kIndex, uint64_t col) -> float {
          auto [tap, c] = plan.kOrder.at(int64_t(kIndex));
          std::optional<int64_t> original =
              plan.originalTap(tap, int64_t(col) / mg);
          if (!original)
            return 0.0f;
          int64_t mIndex = int64_t(grp) * mg + int64_t(col) % mg;
          return w[(mIndex * cg + c) * taps + *original];
        });
    spec.weights.tensor = ctx.constant(
        "conv_weights", {g.group, int64_t(problem.k), int64_t(problem.n)},
        compute, std::move(packedWeights));
    spec.weights.packed = true;
    spec.weights.problemOffset = [kn = int64_t(problem.k * problem.n)](
                                     uint64_t grp) { return int64_t(grp) * kn; };
  }
  if (!bias.constant.empty()) {
    // One bias per column of the packed problem: each position's channels.
    std::vector<float> columns;
    for (int64_t grp = 0; grp < g.group; ++grp)
      for (int64_t h = 0; h < packed; ++h)
        for (int64_t m = 0; m < mg; ++m)
          columns.push_back(bias.constant[grp * mg + m]);
    spec.bias = ctx.constant("conv_bias", {int64_t(columns.size())},
                             DType::F32, encodeValues(columns, DType::F32));
  } else if (bias.runtime) {
    spec.bias = *bias.runtime;
  }

  if (residual)
    spec.loadC = [&](uint64_t grp, const RowTile &tile, uint64_t n0,
                     uint64_t nLen, BufferRef dst) {
      return copyNchw(ctx, op, /*toSram=*/true, g, *residual, tiles[tile.index],
                      packed, mg, int64_t(grp) * mg, int64_t(n0),
                      int64_t(nLen), dst, DType::F32);
    };

  ZeroTracker zeros;
  spec.gatherA = [&](uint64_t grp, const RowTile &tile, uint64_t k0,
                     uint64_t kLen, BufferRef dst) {
    return gatherIm2col(ctx, op, pg, *input, int64_t(grp) * cg,
                        plan.kOrder.segments(int64_t(k0), int64_t(kLen)),
                        tiles[tile.index], int64_t(kLen), dst, compute, zeros);
  };
  spec.storeOut = [&](uint64_t grp, const RowTile &tile, uint64_t n0,
                      uint64_t nLen, BufferRef src) {
    return copyNchw(ctx, op, /*toSram=*/false, g, out, tiles[tile.index],
                    packed, mg, int64_t(grp) * mg, int64_t(n0), int64_t(nLen),
                    src, out.dtype);
  };
  if (failed(emitGemm(ctx, op, spec)))
    return failure();
  return pooling ? pooling->emitUpTo(pooling->outputRows()) : success();
}
