//===- ConvTransposeKernels.cpp - nn.conv_transpose on the MXU and VPU ----===//
//
// The kernel of nn.conv_transpose (ONNX ConvTranspose, 2-D NCHW, and 1-D as
// 2-D with H = 1): strides, pads, dilations, output_padding, groups, bias,
// constant or runtime weights, fused bias/residual/activation epilogues.
//
// A transposed convolution scatters every input position into a window of
// the output. Computed that way, each output would be accumulated from
// partial products in DRAM; the kernel gathers instead. Along one axis,
// output o receives input (o + pad - tap * dilation) / stride from every
// kernel tap for which the division is exact. Outputs with the same residue
// modulo the stride (a phase) share the set of contributing taps, and the
// q-th output of a phase reads input q + shift(tap): each phase is an
// ordinary stride-1 convolution with a subset of the kernel (the sub-pixel
// decomposition), so no zero-inserted input is ever formed and no MAC is
// spent on an inserted zero. Each phase runs as im2col matmuls through the
// shared MXU loop (MxuGemm.h): A rows are the phase's output positions,
// gathered by one DMA box per tap clipped to the input (zero fills only
// where a tap reads padding); B holds the phase's taps of the weights
// (re-laid-out at compile time, or gathered per tile from a runtime weight
// tensor, as in a training step); output tiles are scattered back with the
// stride. A phase no tap reaches gets the bias alone.
//
// Depthwise transposed convolution (group = C = M: the pooling gradients'
// all-ones kernels) has no reduction across channels and runs on the VPU:
// channels across the lanes, a phase's positions down the rows, one
// multiply-add per tap into the accumulator memory, then the epilogue. When
// every output has at most one tap and the weights are one there (the
// gradient of non-overlapping pooling windows: a nearest-neighbour
// upsampling), the gathered window is the output and is stored without any
// VPU work. Kernel rows and columns whose constant weights are all zero are
// left out first, so the one-hot kernels of the overlapping max-pool
// gradient are such copies too.
//
//===----------------------------------------------------------------------===//
#include "MxuGemm.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::npu;
using npurt::DType;

namespace {

/// The geometry of one 2-D transposed convolution (1-D has h = kh = oh = 1).
struct Geometry {
  int64_t n, c, h, w; ///< Input.
  int64_t m, kh, kw;  ///< Output channels, kernel.
  int64_t oh, ow;     ///< Output.
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t group;
  int64_t cg() const { return c / group; }
  int64_t mg() const { return m / group; }
};

/// One axis of a phase: outputs residue + stride * q for q in [0, count);
/// kernel tap taps[t] adds input q + shifts[t] (taps that would only read
/// padding are left out).
struct PhaseAxis {
  int64_t residue = 0, count = 0;
  SmallVector<int64_t> taps, shifts;

  /// The q whose input q + shifts[t] lies in [0, size).
  std::pair<int64_t, int64_t> validRange(size_t t, int64_t size) const {
    int64_t begin = std::clamp<int64_t>(-shifts[t], 0, count);
    int64_t end = std::clamp<int64_t>(size - shifts[t], begin, count);
    return {begin, end};
  }
};

/// Where the weights come from: compile-time values or a DRAM tensor
/// [C, M/group, kh, kw].
struct Weights {
  std::optional<std::vector<float>> values;
  std::optional<TensorRef> tensor;
  /// Weight of input channel c, output channel m (within its group), kernel
  /// position (i, j).
  int64_t index(const Geometry &g, int64_t c, int64_t m, int64_t i,
                int64_t j) const {
    return ((c * g.mg() + m) * g.kh + i) * g.kw + j;
  }
  /// False when the weights are constant and kernel row `i` (`column` false)
  /// or column `i` is zero for every channel pair: its taps add nothing
  /// (the one-hot kernels of the overlapping max-pool gradient).
  bool used(const Geometry &g, bool column, int64_t i) const {
    if (!values)
      return true;
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t m = 0; m < g.mg(); ++m)
        for (int64_t k = 0; k < (column ? g.kh : g.kw); ++k)
          if ((*values)[column ? index(g, c, m, k, i) : index(g, c, m, i, k)] !=
              0.0f)
            return true;
    return false;
  }
  /// True when the weights are constant and one at kernel position (i, j)
  /// for every channel pair.
  bool onesAt(const Geometry &g, int64_t i, int64_t j) const {
    if (!values)
      return false;
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t m = 0; m < g.mg(); ++m)
        if ((*values)[index(g, c, m, i, j)] != 1.0f)
          return false;
    return true;
  }
};

PhaseAxis phaseAxis(int64_t residue, int64_t outSize, int64_t inSize,
                    int64_t stride, int64_t pad, int64_t kernel,
                    int64_t dilation, function_ref<bool(int64_t)> used) {
  PhaseAxis axis;
  axis.residue = residue;
  axis.count =
      residue < outSize ? llvm::divideCeil(outSize - residue, stride) : 0;
  for (int64_t tap = 0; tap < kernel; ++tap) {
    int64_t numerator = residue + pad - tap * dilation;
    if (llvm::mod(numerator, stride) != 0 || !used(tap))
      continue;
    int64_t shift = llvm::divideFloorSigned(numerator, stride);
    // Inputs q + shift for q in [0, count): keep the tap if one is in range.
    if (shift + axis.count <= 0 || shift >= inSize)
      continue;
    axis.taps.push_back(tap);
    axis.shifts.push_back(shift);
  }
  return axis;
}

/// A phase: the outputs whose (row, column) residues modulo the strides are
/// (rows.residue, cols.residue). Its taps are numbered t = th * cols.taps +
/// tw.
struct Phase {
  PhaseAxis rows, cols;
  int64_t taps() const { return int64_t(rows.taps.size() * cols.taps.size()); }
  bool empty() const { return rows.count == 0 || cols.count == 0; }
  /// True when some tap of some position reads padding (the gathered tile
  /// needs zeros there).
  bool padded(const Geometry &g) const {
    for (size_t t = 0; t < rows.taps.size(); ++t)
      if (rows.validRange(t, g.h) != std::make_pair(int64_t(0), rows.count))
        return true;
    for (size_t t = 0; t < cols.taps.size(); ++t)
      if (cols.validRange(t, g.w) != std::make_pair(int64_t(0), cols.count))
        return true;
    return false;
  }
};

/// True when the weights are one at every tap of every phase.
bool unitTaps(const Geometry &g, ArrayRef<Phase> phaseList,
              const Weights &weights) {
  for (const Phase &phase : phaseList)
    for (int64_t i : phase.rows.taps)
      for (int64_t j : phase.cols.taps)
        if (!weights.onesAt(g, i, j))
          return false;
  return true;
}

/// The phases with outputs, leaving out kernel rows and columns whose
/// constant weights are all zero.
std::vector<Phase> phases(const Geometry &g, const Weights &weights) {
  auto usedRow = [&](int64_t i) { return weights.used(g, false, i); };
  auto usedCol = [&](int64_t j) { return weights.used(g, true, j); };
  std::vector<Phase> result;
  for (int64_t rh = 0; rh < g.sh; ++rh)
    for (int64_t rw = 0; rw < g.sw; ++rw) {
      Phase phase{phaseAxis(rh, g.oh, g.h, g.sh, g.ph, g.kh, g.dh, usedRow),
                  phaseAxis(rw, g.ow, g.w, g.sw, g.pw, g.kw, g.dw, usedCol)};
      if (!phase.empty())
        result.push_back(std::move(phase));
    }
  return result;
}

/// A rectangle of a phase's positions: images [n0, n0 + images), q rows
/// [q0, q0 + rows), q columns [p0, p0 + cols); rows of a tile are ordered
/// (image, row, column).
struct Tile {
  int64_t n0, images, q0, rows, p0, cols;
  uint64_t positions() const { return uint64_t(images * rows * cols); }
};

/// All of a phase's positions in rectangles of at most `cap`: whole images
/// when one fits, else bands of whole rows, else pieces of one row;
/// balanced so the last tile is not tiny.
SmallVector<Tile> phaseTiles(const Geometry &g, const Phase &phase,
                             uint64_t cap) {
  SmallVector<Tile> tiles;
  int64_t qRows = phase.rows.count, qCols = phase.cols.count;
  uint64_t perImage = uint64_t(qRows * qCols);
  if (cap == 0)
    return tiles;
  if (perImage <= cap) {
    int64_t n0 = 0;
    for (uint64_t size : balancedTiles(g.n, cap / perImage)) {
      tiles.push_back({n0, int64_t(size), 0, qRows, 0, qCols});
      n0 += int64_t(size);
    }
    return tiles;
  }
  if (uint64_t(qCols) <= cap) {
    SmallVector<uint64_t> bands = balancedTiles(qRows, cap / qCols);
    for (int64_t n = 0; n < g.n; ++n) {
      int64_t q0 = 0;
      for (uint64_t rows : bands) {
        tiles.push_back({n, 1, q0, int64_t(rows), 0, qCols});
        q0 += int64_t(rows);
      }
    }
    return tiles;
  }
  SmallVector<uint64_t> pieces = balancedTiles(qCols, cap);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t q = 0; q < qRows; ++q) {
      int64_t p0 = 0;
      for (uint64_t cols : pieces) {
        tiles.push_back({n, 1, q, 1, p0, int64_t(cols)});
        p0 += int64_t(cols);
      }
    }
  return tiles;
}

SmallVector<uint64_t> rowCounts(ArrayRef<Tile> tiles) {
  SmallVector<uint64_t> rows;
  for (const Tile &t : tiles)
    rows.push_back(t.positions());
  return rows;
}

/// Channels [c0, c0 + cs) of phase tap (th, tw), written to columns
/// [col, col + cs) of a gathered tile.
struct TapBox {
  size_t th, tw;
  int64_t c0, cs, col;
};

/// Gathers `boxes` of `tile` (input channels offset by `channelBase`) into
/// `dst` ([positions x ld] row-major of `dtype`): one DMA box per tap,
/// clipped to the input. With `zeroFill`, positions a box does not write
/// are zeroed first where stale data could be (ZeroTracker).
LogicalResult gatherTaps(KernelContext &ctx, Operation *op, const Geometry &g,
                         const Phase &phase, const TensorRef &input,
                         int64_t channelBase, const Tile &tile,
                         ArrayRef<TapBox> boxes, BufferRef dst, uint64_t ld,
                         DType dtype, bool zeroFill, ZeroTracker &zeros) {
  struct Window {
    std::pair<int64_t, int64_t> rows, cols;
  };
  SmallVector<Window> windows;
  for (const TapBox &box : boxes) {
    auto [rb, re] = phase.rows.validRange(box.th, g.h);
    auto [cb, ce] = phase.cols.validRange(box.tw, g.w);
    Window window;
    window.rows = {
        std::max(rb, tile.q0),
        std::max(std::max(rb, tile.q0), std::min(re, tile.q0 + tile.rows))};
    window.cols = {
        std::max(cb, tile.p0),
        std::max(std::max(cb, tile.p0), std::min(ce, tile.p0 + tile.cols))};
    windows.push_back(window);
  }
  uint64_t positions = tile.positions();
  if (zeroFill) {
    SmallVector<ZeroTracker::Band> bands;
    for (auto [box, window] : llvm::zip(boxes, windows)) {
      ZeroTracker::Band band;
      band.col = uint64_t(box.col);
      band.width = uint64_t(box.cs);
      band.written.assign(positions, false);
      for (int64_t n = 0; n < tile.images; ++n)
        for (int64_t r = window.rows.first; r < window.rows.second; ++r)
          for (int64_t c = window.cols.first; c < window.cols.second; ++c)
            band.written[uint64_t((n * tile.rows + r - tile.q0) * tile.cols +
                                  c - tile.p0)] = true;
      bands.push_back(std::move(band));
    }
    if (failed(zeros.gather(ctx, op, dst, dtype, positions, ld, ld, bands)))
      return failure();
  }
  int64_t hw = g.h * g.w;
  int64_t rowsStride = tile.cols * int64_t(ld);
  for (auto [box, window] : llvm::zip(boxes, windows)) {
    if (window.rows.first >= window.rows.second ||
        window.cols.first >= window.cols.second)
      continue;
    int64_t ih = window.rows.first + phase.rows.shifts[box.th];
    int64_t iw = window.cols.first + phase.cols.shifts[box.tw];
    int64_t src = (tile.n0 * g.c + channelBase + box.c0) * hw + ih * g.w + iw;
    int64_t row = (window.rows.first - tile.q0) * tile.cols +
                  (window.cols.first - tile.p0);
    BufferRef at{dst.buffer,
                 dst.offset + uint64_t(row * int64_t(ld) + box.col) *
                                  npurt::dtypeSize(dtype)};
    if (failed(
            emitCopy(ctx, op, true, input.at(src), input.dtype, at, dtype,
                     {{tile.images, g.c * hw, tile.rows * rowsStride},
                      {window.rows.second - window.rows.first, g.w, rowsStride},
                      {window.cols.second - window.cols.first, 1, int64_t(ld)},
                      {box.cs, hw, 1}})))
      return failure();
  }
  return success();
}

/// Copies the [positions x cols] SRAM tile `sram` (row stride `cols`, of
/// `sramType`) to (`toSram` = false) or from output channels [channel0,
/// channel0 + cols) of `tile`'s positions in an NCHW tensor shaped like
/// the result.
LogicalResult copyPhaseNchw(KernelContext &ctx, Operation *op, bool toSram,
                            const Geometry &g, const Phase &phase,
                            const TensorRef &tensor, const Tile &tile,
                            int64_t channel0, int64_t cols, BufferRef sram,
                            DType sramType) {
  int64_t ohw = g.oh * g.ow;
  int64_t base = (tile.n0 * g.m + channel0) * ohw +
                 (phase.rows.residue + g.sh * tile.q0) * g.ow +
                 phase.cols.residue + g.sw * tile.p0;
  return emitCopy(ctx, op, toSram, tensor.at(base), tensor.dtype, sram,
                  sramType,
                  {{tile.images, g.m * ohw, tile.rows * tile.cols * cols},
                   {cols, ohw, 1},
                   {tile.rows, g.sh * g.ow, tile.cols * cols},
                   {tile.cols, g.sw, cols}});
}

/// Reads the attributes into a geometry (1-D as 2-D with H = 1). nn ops
/// have static shapes.
FailureOr<Geometry> geometryOf(nn::ConvTransposeOp conv) {
  auto inType = cast<RankedTensorType>(conv.getInput().getType());
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  auto outType = cast<RankedTensorType>(conv.getType());
  int64_t spatial = inType.getRank() - 2;
  if (spatial != 1 && spatial != 2)
    return conv.emitError("nn.conv_transpose with ")
           << spatial
           << " spatial dimensions is not supported by the MXU kernels (1-D "
              "and 2-D only)";
  ArrayRef<int64_t> strides = conv.getStrides(), pads = conv.getPads(),
                    dilations = conv.getDilations();
  Geometry g;
  g.n = inType.getDimSize(0);
  g.c = inType.getDimSize(1);
  g.m = outType.getDimSize(1);
  g.group = conv.getGroup();
  // Only the begin pads matter: the output size (the result type) already
  // accounts for the end pads and output_padding.
  readSpatialGeometry(g, inType, wType, outType, strides, pads, dilations);
  return g;
}

/// The per-output-channel bias: the op's own plus a fused add's constant.
struct Bias {
  std::vector<float> constant; ///< Empty: none or runtime.
  std::optional<TensorRef> runtime;
  bool any() const { return !constant.empty() || runtime.has_value(); }
};

/// Fills output channels [channel0, channel0 + len) of a phase no tap
/// reaches with the bias (or zero): one broadcast tile stored to every
/// position tile.
LogicalResult fillUnreachedPhase(KernelContext &ctx, Operation *op,
                                 const Geometry &g, const Phase &phase,
                                 const TensorRef &out,
                                 std::optional<TensorRef> biasRows,
                                 int64_t channel0, int64_t len) {
  const npurt::Target &target = ctx.target();
  unsigned size = npurt::dtypeSize(out.dtype);
  uint64_t cap = std::max<uint64_t>(
      1, std::min<uint64_t>(65535, target.sram_bytes / 4 / (len * size)));
  SmallVector<Tile> tiles = phaseTiles(g, phase, cap);
  uint64_t rows = *llvm::max_element(rowCounts(tiles));
  KernelBuilder &b = ctx.builder();
  Value fill = b.alloc(Space::Sram,
                       llvm::alignTo(rows * len * size, target.sram_alignment),
                       "unreached");
  npurt::Instruction inst;
  inst.opcode = npurt::Opcode::VpuBroadcast;
  inst.rows = uint16_t(rows);
  inst.cols = uint16_t(len);
  KernelBuilder::VpuOperand src;
  if (biasRows) {
    Value row = b.alloc(Space::Sram,
                        llvm::alignTo(len * 4, target.sram_alignment), "bias");
    if (failed(emitCopy(ctx, op, true, biasRows->at(channel0), biasRows->dtype,
                        {row, 0}, DType::F32, {{len, 1, 1}})))
      return failure();
    inst.broadcast = npurt::Broadcast::Row;
    src = {{row, 0}, uint32_t(len), DType::F32};
  } else {
    inst.broadcast = npurt::Broadcast::Scalar;
  }
  b.vpu(inst, {{fill, 0}, uint32_t(len), out.dtype}, src);
  for (const Tile &tile : tiles)
    if (failed(copyPhaseNchw(ctx, op, /*toSram=*/false, g, phase, out, tile,
                             channel0, len, {fill, 0}, out.dtype)))
      return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// Nearest-neighbour upsampling by DMA
//===----------------------------------------------------------------------===//

/// True when every output receives at most one input, with weight one, and
/// nothing else: the gradient of non-overlapping pooling windows.
bool isUpsampleCopy(const Geometry &g, ArrayRef<Phase> phaseList,
                    const Weights &weights, const Bias &bias,
                    const FusedEpilogue &fused) {
  return g.group == g.c && g.m == g.c && unitTaps(g, phaseList, weights) &&
         !bias.any() && fused.ops.empty() &&
         llvm::all_of(phaseList, [](const Phase &p) { return p.taps() <= 1; });
}

/// The upsampling copy: DMA only. Phases that read the same input window
/// (the same shifts and sizes) share one gather, stored once per phase; a
/// phase no tap reaches is zero-filled.
LogicalResult lowerUpsampleCopy(Operation *op, KernelContext &ctx,
                                const Geometry &g, ArrayRef<Phase> phaseList,
                                const TensorRef &input, const TensorRef &out) {
  const npurt::Target &target = ctx.target();
  unsigned size = npurt::dtypeSize(out.dtype);
  unsigned two = ctx.doubleBuffering() ? 2 : 1;
  // [positions x channels] windows, at most half of SRAM in flight (a
  // valid target holds at least one fp32 MXU tile, so one row fits).
  uint64_t channelTile = std::min<uint64_t>(g.c, 4 * target.vpu_lanes);
  auto rowsFor = [&](uint64_t ct) {
    return std::min<uint64_t>(65535, target.sram_bytes / 2 / (two * ct * size));
  };
  while (channelTile > 1 && rowsFor(channelTile) == 0)
    channelTile /= 2;
  uint64_t rowCap = std::max<uint64_t>(rowsFor(channelTile), 1);

  std::vector<SmallVector<const Phase *>> groups;
  for (const Phase &phase : phaseList) {
    if (phase.taps() == 0)
      continue;
    auto same = [&](const SmallVector<const Phase *> &group) {
      const Phase &p = *group.front();
      return p.rows.count == phase.rows.count &&
             p.cols.count == phase.cols.count &&
             p.rows.shifts == phase.rows.shifts &&
             p.cols.shifts == phase.cols.shifts;
    };
    auto it = llvm::find_if(groups, same);
    if (it == groups.end())
      groups.push_back({&phase});
    else
      it->push_back(&phase);
  }
  uint64_t maxRows = 1;
  std::vector<SmallVector<Tile>> tilesOf;
  for (const SmallVector<const Phase *> &group : groups) {
    tilesOf.push_back(phaseTiles(g, *group.front(), rowCap));
    maxRows = std::max(maxRows, *llvm::max_element(rowCounts(tilesOf.back())));
  }
  // Windows rotate through `two` buffers, allocated when first used.
  SmallVector<Value> windows;
  uint64_t count = 0;
  auto nextWindow = [&]() -> BufferRef {
    unsigned index = count++ % two;
    if (index == windows.size())
      windows.push_back(ctx.builder().alloc(
          Space::Sram,
          llvm::alignTo(maxRows * channelTile * size, target.sram_alignment),
          "window" + std::to_string(index)));
    return {windows[index], 0};
  };
  ZeroTracker zeros;
  for (int64_t c0 = 0; c0 < g.c; c0 += int64_t(channelTile)) {
    int64_t len = std::min<int64_t>(channelTile, g.c - c0);
    for (const Phase &phase : phaseList)
      if (phase.taps() == 0 &&
          failed(fillUnreachedPhase(ctx, op, g, phase, out, std::nullopt, c0,
                                    len)))
        return failure();
    for (auto [group, tiles] : llvm::zip(groups, tilesOf)) {
      const Phase &first = *group.front();
      for (const Tile &tile : tiles) {
        BufferRef window = nextWindow();
        TapBox box{0, 0, 0, len, 0};
        if (failed(gatherTaps(ctx, op, g, first, input, c0, tile, box, window,
                              uint64_t(len), out.dtype, first.padded(g),
                              zeros)))
          return failure();
        for (const Phase *phase : group)
          if (failed(copyPhaseNchw(ctx, op, /*toSram=*/false, g, *phase, out,
                                   tile, c0, len, window, out.dtype)))
            return failure();
      }
    }
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Depthwise on the VPU
//===----------------------------------------------------------------------===//

LogicalResult lowerDepthwise(nn::ConvTransposeOp conv, KernelContext &ctx,
                             const Geometry &g, ArrayRef<Phase> phaseList,
                             const TensorRef &input, const Weights &weights,
                             const Bias &bias, const FusedEpilogue &fused,
                             const TensorRef &out) {
  Operation *op = conv;
  const npurt::Target &target = ctx.target();
  DType compute = ctx.computeType();
  unsigned cs = npurt::dtypeSize(compute);
  int64_t taps = g.kh * g.kw;
  uint64_t align = target.sram_alignment;
  unsigned two = ctx.doubleBuffering() ? 2 : 1;
  bool hasBias = bias.any();
  bool unit = unitTaps(g, phaseList, weights);

  // Channels across the lanes, positions down the rows: the widest channel
  // tile and the most rows whose buffers fit SRAM and the accumulator.
  struct Sizes {
    uint64_t gather, tmp, out, weights, bias, acc, sram;
  };
  auto sizesFor = [&](uint64_t rows, uint64_t ct) {
    Sizes s;
    s.gather = llvm::alignTo(rows * ct * cs, align);
    s.tmp = llvm::alignTo(rows * ct * 4, align);
    s.out = llvm::alignTo(rows * ct * 4, align);
    s.weights = uint64_t(taps) * llvm::alignTo(ct * 4, align);
    s.bias = hasBias ? llvm::alignTo(ct * 4, align) : 0;
    s.acc = llvm::alignTo(rows * ct * 4, target.acc_alignment);
    s.sram = two * s.gather + s.tmp + two * s.out + two * s.weights + s.bias;
    return s;
  };
  uint64_t channelTile = std::min<uint64_t>(g.c, 4 * target.vpu_lanes);
  uint64_t rowCap = 0;
  for (; channelTile >= 1 && !rowCap; channelTile /= 2) {
    uint64_t cap =
        std::min<uint64_t>(65535, target.acc_bytes / (two * channelTile * 4));
    for (; cap >= 1; cap /= 2) {
      Sizes s = sizesFor(cap, channelTile);
      if (s.sram <= target.sram_bytes && two * s.acc <= target.acc_bytes) {
        rowCap = cap;
        break;
      }
    }
    if (rowCap || channelTile == 1)
      break;
  }
  if (!rowCap) {
    Sizes s = sizesFor(1, 1);
    return op->emitError(llvm::formatv(
        "cannot tile the depthwise nn.conv_transpose for target '{0}': one "
        "position and one channel per tile need {1} bytes of SRAM and {2} "
        "bytes of accumulator, but the target has sram_bytes = {3} and "
        "acc_bytes = {4}",
        target.name, s.sram, two * s.acc, target.sram_bytes, target.acc_bytes));
  }
  uint64_t channelTiles = llvm::divideCeil(g.c, channelTile);
  KernelBuilder &b = ctx.builder();
  uint64_t rowStride = llvm::alignTo(channelTile * 4, align);

  // Weights as [taps x C] f32 rows (one weight per channel per position).
  std::optional<TensorRef> weightRows, biasRows;
  if (weights.values) {
    std::vector<float> rows(size_t(taps * g.c));
    for (int64_t c = 0; c < g.c; ++c)
      for (int64_t t = 0; t < taps; ++t)
        rows[t * g.c + c] = (*weights.values)[c * taps + t];
    weightRows = ctx.constant("depthwise_weights", {taps, g.c}, DType::F32,
                              encodeValues(rows, DType::F32));
  }
  if (!bias.constant.empty())
    biasRows = ctx.constant("depthwise_bias", {g.c}, DType::F32,
                            encodeValues(bias.constant, DType::F32));
  else if (bias.runtime)
    biasRows = bias.runtime;

  uint64_t maxRows = 0;
  std::vector<SmallVector<Tile>> tilesOf;
  for (const Phase &phase : phaseList) {
    tilesOf.push_back(phaseTiles(g, phase, rowCap));
    maxRows = std::max(maxRows, *llvm::max_element(rowCounts(tilesOf.back())));
  }
  Sizes sizes = sizesFor(maxRows, channelTile);
  SmallVector<Value> gathers, outs, weightSlots, accs;
  for (unsigned i = 0; i < two; ++i) {
    gathers.push_back(
        b.alloc(Space::Sram, sizes.gather, "window" + std::to_string(i)));
    outs.push_back(b.alloc(Space::Sram, sizes.out, "out" + std::to_string(i)));
    weightSlots.push_back(
        b.alloc(Space::Sram, sizes.weights, "w" + std::to_string(i)));
    accs.push_back(b.alloc(Space::Acc, sizes.acc, "acc" + std::to_string(i)));
  }
  Value tmp = b.alloc(Space::Sram, sizes.tmp, "product");

  auto vpuInst = [](npurt::Opcode opcode, uint64_t rows, uint64_t cols) {
    npurt::Instruction inst;
    inst.opcode = opcode;
    inst.rows = uint16_t(rows);
    inst.cols = uint16_t(cols);
    return inst;
  };
  ZeroTracker zeros;
  uint64_t gatherCount = 0, tileCount = 0;
  for (uint64_t ct = 0; ct < channelTiles; ++ct) {
    int64_t c0 = int64_t(ct * channelTile);
    int64_t len = std::min<int64_t>(channelTile, g.c - c0);
    Value wSlot = weightSlots[ct % two];
    if (weightRows) {
      if (failed(emitCopy(ctx, op, true, weightRows->at(c0), DType::F32,
                          {wSlot, 0}, DType::F32,
                          {{taps, g.c, int64_t(rowStride / 4)}, {len, 1, 1}})))
        return failure();
    } else {
      // Runtime [C, 1, kh, kw]: taps of a channel are contiguous.
      if (failed(emitCopy(ctx, op, true, weights.tensor->at(c0 * taps),
                          weights.tensor->dtype, {wSlot, 0}, DType::F32,
                          {{taps, 1, int64_t(rowStride / 4)}, {len, taps, 1}})))
        return failure();
    }
    Value biasBuffer;
    if (hasBias) {
      biasBuffer = b.alloc(Space::Sram, sizes.bias, "bias");
      if (failed(emitCopy(ctx, op, true, biasRows->at(c0), biasRows->dtype,
                          {biasBuffer, 0}, DType::F32, {{len, 1, 1}})))
        return failure();
    }
    for (auto [phase, tiles] : llvm::zip(phaseList, tilesOf)) {
      if (phase.taps() == 0) {
        if (failed(
                fillUnreachedPhase(ctx, op, g, phase, out, biasRows, c0, len)))
          return failure();
        continue;
      }
      bool zeroFill = phase.padded(g);
      for (const Tile &tile : tiles) {
        uint64_t positions = tile.positions();
        Value acc = accs[tileCount % two];
        KernelBuilder::VpuOperand accOperand{
            {acc, 0}, uint32_t(len), DType::F32};
        for (int64_t t = 0; t < phase.taps(); ++t) {
          size_t th = size_t(t) / phase.cols.taps.size();
          size_t tw = size_t(t) % phase.cols.taps.size();
          BufferRef window{gathers[gatherCount++ % two], 0};
          TapBox box{th, tw, 0, len, 0};
          if (failed(gatherTaps(ctx, op, g, phase, input, c0, tile, box, window,
                                uint64_t(len), compute, zeroFill, zeros)))
            return failure();
          KernelBuilder::VpuOperand windowOperand{window, uint32_t(len),
                                                  compute};
          if (unit) {
            // Weight one: the window is the product.
            npurt::Instruction inst = vpuInst(t == 0 ? npurt::Opcode::VpuUnary
                                                     : npurt::Opcode::VpuBinary,
                                              positions, len);
            inst.func = t == 0 ? npurt::VpuFunc::Copy : npurt::VpuFunc::Add;
            if (t == 0)
              b.vpu(inst, accOperand, windowOperand);
            else
              b.vpu(inst, accOperand, accOperand, windowOperand);
            continue;
          }
          int64_t kernelTap = phase.rows.taps[th] * g.kw + phase.cols.taps[tw];
          npurt::Instruction mul =
              vpuInst(npurt::Opcode::VpuBinary, positions, len);
          mul.func = npurt::VpuFunc::Mul;
          mul.broadcast = npurt::Broadcast::Row;
          KernelBuilder::VpuOperand weightRow{
              {wSlot, uint64_t(kernelTap) * rowStride},
              uint32_t(len),
              DType::F32};
          KernelBuilder::VpuOperand product =
              t == 0 ? accOperand
                     : KernelBuilder::VpuOperand{
                           {tmp, 0}, uint32_t(len), DType::F32};
          b.vpu(mul, product, windowOperand, weightRow);
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
          biasOperand = {{biasBuffer, 0}, uint32_t(len), DType::F32};
        }
        b.vpu(epilogue, {{outSlot, 0}, uint32_t(len), out.dtype}, accOperand,
              biasOperand);
        if (failed(copyPhaseNchw(ctx, op, /*toSram=*/false, g, phase, out, tile,
                                 c0, len, {outSlot, 0}, out.dtype)))
          return failure();
      }
    }
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// nn.conv_transpose
//===----------------------------------------------------------------------===//

LogicalResult mlir::npu::lowerConvTranspose(Operation *op, KernelContext &ctx) {
  auto conv = cast<nn::ConvTransposeOp>(op);
  FailureOr<Geometry> geometry = geometryOf(conv);
  if (failed(geometry))
    return failure();
  const Geometry &g = *geometry;
  FailureOr<TensorRef> input = ctx.lookup(conv.getInput(), op);
  if (failed(input))
    return failure();
  Weights weights;
  if (FailureOr<std::vector<float>> values =
          ctx.constantValues(conv.getWeight());
      succeeded(values)) {
    weights.values = std::move(*values);
  } else {
    FailureOr<TensorRef> tensor = ctx.lookup(conv.getWeight(), op);
    if (failed(tensor))
      return failure();
    weights.tensor = *tensor;
  }
  Bias bias;
  if (Value value = conv.getBias()) {
    if (FailureOr<std::vector<float>> values = ctx.constantValues(value);
        succeeded(values)) {
      bias.constant = std::move(*values);
    } else {
      FailureOr<TensorRef> tensor = ctx.lookup(value, op);
      if (failed(tensor))
        return failure();
      bias.runtime = *tensor;
    }
  }

  std::vector<Phase> phaseList = phases(g, weights);
  bool unreached =
      llvm::any_of(phaseList, [](const Phase &p) { return p.taps() == 0; });
  bool depthwise = g.group == g.c && g.m == g.c && g.group > 1;
  // A phase no tap reaches holds only the bias, which the MXU epilogue
  // cannot give a fused residual or activation: fuse nothing then.
  FusedEpilogue fused;
  fused.result = conv.getResult();
  if (!unreached)
    fused = findFusedEpilogue(ctx, op, conv.getResult(), 1,
                              /*allowResidual=*/!depthwise);
  if (!fused.bias.empty() && bias.runtime) {
    // A runtime bias and a fused constant cannot share one bias row: keep
    // only the activation (if it directly follows).
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

  // Useful work: every in-bounds (input, tap) pair of every phase.
  int64_t cg = g.cg(), mg = g.mg();
  uint64_t pairs = 0;
  for (const Phase &phase : phaseList)
    for (size_t th = 0; th < phase.rows.taps.size(); ++th)
      for (size_t tw = 0; tw < phase.cols.taps.size(); ++tw) {
        auto [rb, re] = phase.rows.validRange(th, g.h);
        auto [cb, ce] = phase.cols.validRange(tw, g.w);
        pairs += uint64_t((re - rb) * (ce - cb));
      }
  uint64_t outputs = uint64_t(g.n * g.m * g.oh * g.ow);
  SourceWork work;
  std::optional<TensorRef> residual;
  if (fused.residual) {
    FailureOr<TensorRef> tensor = ctx.lookup(fused.residual, op);
    if (failed(tensor))
      return failure();
    residual = *tensor;
  }
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, conv.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  bool upsampleCopy = isUpsampleCopy(g, phaseList, weights, bias, fused);
  uint64_t weightBytes =
      upsampleCopy ? 0
                   : uint64_t(g.c * mg * g.kh * g.kw) *
                         npurt::dtypeSize(weights.tensor ? weights.tensor->dtype
                                                         : ctx.computeType());
  work.minDramBytes = input->bytes() + outputs * npurt::dtypeSize(out.dtype) +
                      weightBytes + (bias.any() ? uint64_t(g.m) * 4 : 0) +
                      (residual ? residual->bytes() : 0);

  if (upsampleCopy) {
    ctx.beginSourceOp(op, work); // Data movement only.
    return lowerUpsampleCopy(op, ctx, g, phaseList, *input, out);
  }
  if (depthwise) {
    work.macs = uint64_t(g.n * g.c) * pairs;
    // A multiply and an add per MAC (unit weights: the add only).
    work.vectorOps = work.macs * (unitTaps(g, phaseList, weights) ? 1 : 2) +
                     outputs * epiloguePasses(bias.any(), fused.activation);
    ctx.beginSourceOp(op, work);
    return lowerDepthwise(conv, ctx, g, phaseList, *input, weights, bias, fused,
                          out);
  }

  work.macs = uint64_t(g.n * g.group * cg * mg) * pairs;
  work.vectorOps = outputs * (epiloguePasses(bias.any(), fused.activation) +
                              (residual ? 1 : 0));
  ctx.beginSourceOp(op, work);

  DType compute = ctx.computeType();
  std::optional<TensorRef> biasTensor = bias.runtime;
  if (!bias.constant.empty())
    biasTensor = ctx.constant("conv_transpose_bias", {g.m}, DType::F32,
                              encodeValues(bias.constant, DType::F32));
  ZeroTracker zeros;
  for (const Phase &phase : phaseList) {
    if (phase.taps() == 0) {
      for (int64_t grp = 0; grp < g.group; ++grp)
        if (failed(fillUnreachedPhase(ctx, op, g, phase, out, biasTensor,
                                      grp * mg, mg)))
          return failure();
      continue;
    }
    size_t tapCols = phase.cols.taps.size();
    MatmulProblem problem;
    problem.m = uint64_t(g.n * phase.rows.count * phase.cols.count);
    problem.k = uint64_t(phase.taps() * cg);
    problem.n = uint64_t(mg);
    problem.count = uint64_t(g.group);
    problem.sharedB = g.group == 1;
    problem.aDram = input->dtype;
    problem.bDram = weights.tensor ? weights.tensor->dtype : compute;
    problem.compute = compute;
    bool zeroFill = phase.padded(g);
    // For the cost model: at most every row of a tile reads padding.
    if (zeroFill)
      problem.aPaddedRows = [](uint64_t maxRows, uint64_t, uint64_t,
                               uint64_t) { return maxRows; };
    problem.bias = bias.any();
    problem.biasPerProblem = g.group > 1;
    problem.cTile = residual.has_value();
    problem.transcendentalEpilogue =
        npurt::isTranscendental(fused.activation.func);
    problem.outDram = out.dtype;
    std::string reason;
    std::optional<MatmulTiling> tiling = chooseMatmulTiling(
        ctx.target(), problem,
        [&](uint64_t cap) { return rowCounts(phaseTiles(g, phase, cap)); },
        ctx.doubleBuffering(), reason);
    if (!tiling)
      return op->emitError() << "cannot tile the " << problem.m << "x"
                             << problem.k << "x" << problem.n
                             << " im2col matmul of nn.conv_transpose for "
                                "target '"
                             << ctx.target().name << "': " << reason;
    SmallVector<Tile> tiles = phaseTiles(g, phase, tiling->maxRows);

    GemmSpec spec;
    spec.problem = problem;
    spec.tiling = *tiling;
    spec.activation = fused.activation;
    spec.bias = biasTensor;
    // B[(t, c), m] of group grp is weight[grp * cg + c, m, tap t].
    auto kernelTap = [&](int64_t t) {
      return std::make_pair(phase.rows.taps[size_t(t) / tapCols],
                            phase.cols.taps[size_t(t) % tapCols]);
    };
    if (weights.values) {
      const std::vector<float> &w = *weights.values;
      std::vector<uint8_t> packed =
          packWeights(*tiling, uint64_t(g.group), problem.k, problem.n, compute,
                      [&](uint64_t grp, uint64_t kIndex, uint64_t col) {
                        auto [i, j] = kernelTap(int64_t(kIndex) / cg);
                        int64_t c = int64_t(grp) * cg + int64_t(kIndex) % cg;
                        return w[weights.index(g, c, int64_t(col), i, j)];
                      });
      spec.weights.tensor = ctx.constant("conv_transpose_weights",
                                         {g.group, int64_t(problem.k), mg},
                                         compute, std::move(packed));
      spec.weights.packed = true;
      spec.weights.problemOffset = [kn =
                                        int64_t(problem.k) * mg](uint64_t grp) {
        return int64_t(grp) * kn;
      };
    } else {
      spec.weights.gather = [&, tl = *tiling](uint64_t grp, uint64_t nIndex,
                                              uint64_t kk,
                                              BufferRef dst) -> FailureOr<bool> {
        const TensorRef &w = *weights.tensor;
        uint64_t k0 = kk * tl.kTile, kLen = tl.kAt(problem.k, kk);
        uint64_t n0 = nIndex * tl.nTile, nLen = tl.nAt(problem.n, nIndex);
        // One box (channels, output channels) per tap.
        LogicalResult gathered = forEachTapRun(
            int64_t(k0), int64_t(kLen), cg,
            [&](int64_t tap, int64_t taps, int64_t c0, int64_t cs,
                int64_t row) -> LogicalResult {
              for (int64_t t = tap; t < tap + taps; ++t) {
                auto [i, j] = kernelTap(t);
                int64_t c = int64_t(grp) * cg + c0;
                BufferRef at{dst.buffer,
                             dst.offset + uint64_t(row + (t - tap) * cg) *
                                              nLen * npurt::dtypeSize(compute)};
                if (failed(
                        emitCopy(ctx, op, true,
                                 w.at(weights.index(g, c, int64_t(n0), i, j)),
                                 w.dtype, at, compute,
                                 {{cs, mg * g.kh * g.kw, int64_t(nLen)},
                                  {int64_t(nLen), g.kh * g.kw, 1}})))
                  return failure();
              }
              return success();
            });
        if (failed(gathered))
          return failure();
        return false; // [kLen x nLen]: not transposed.
      };
    }
    if (residual)
      spec.loadC = [&](uint64_t grp, const RowTile &tile, uint64_t n0,
                       uint64_t nLen, BufferRef dst) {
        return copyPhaseNchw(ctx, op, /*toSram=*/true, g, phase, *residual,
                             tiles[tile.index], int64_t(grp) * mg + int64_t(n0),
                             int64_t(nLen), dst, DType::F32);
      };
    spec.gatherA = [&](uint64_t grp, const RowTile &tile, uint64_t k0,
                       uint64_t kLen, BufferRef dst) {
      SmallVector<TapBox> boxes;
      if (failed(forEachTapRun(int64_t(k0), int64_t(kLen), cg,
                               [&](int64_t tap, int64_t taps, int64_t c0,
                                   int64_t cs, int64_t row) {
                                 for (int64_t t = tap; t < tap + taps; ++t)
                                   boxes.push_back({size_t(t) / tapCols,
                                                    size_t(t) % tapCols, c0, cs,
                                                    row + (t - tap) * cg});
                                 return success();
                               })))
        return failure();
      return gatherTaps(ctx, op, g, phase, *input, int64_t(grp) * cg,
                        tiles[tile.index], boxes, dst, kLen, compute,
                        zeroFill, zeros);
    };
    spec.storeOut = [&](uint64_t grp, const RowTile &tile, uint64_t n0,
                        uint64_t nLen, BufferRef src) {
      return copyPhaseNchw(ctx, op, /*toSram=*/false, g, phase, out,
                           tiles[tile.index], int64_t(grp) * mg + int64_t(n0),
                           int64_t(nLen), src, out.dtype);
    };
    if (failed(emitGemm(ctx, op, spec)))
      return failure();
  }
  return success();
}
