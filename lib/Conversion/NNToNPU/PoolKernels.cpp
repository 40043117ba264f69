//===- PoolKernels.cpp - max_pool and avg_pool on the VPU -----------------===//
//
// 1-D and 2-D pooling over NCHW planes (PoolEmitter.h). A tile is a run of
// planes times a run of output rows, laid out [planes x (rows * OW)] in
// SRAM; tiles are emitted in order of output rows, a band at a time, so a
// conv kernel can interleave them with its own tiles. For every
// kernel position the DMA gathers the strided input window that position
// reads (only its in-bounds part; the rest of the buffer is pre-filled with
// the padding value, -inf or 0) and one vpu_binary combines it into the
// accumulator tile: max, or add followed by a multiply with the reciprocal
// window sizes (a row vector, or an immediate when they are all equal).
// The VPU addresses only 64-byte-aligned operands, so the windows come from
// DRAM rather than from shifted reads of one SRAM copy. A max over
// undilated windows reads the nearest input row / column where a window
// reaches into the padding (zero-stride DMA boxes): the clamped element is
// in the same output's window, so it changes no maximum and the VPU only
// combines.
//
//===----------------------------------------------------------------------===//
#include "PoolEmitter.h"
#include "VpuKernelUtils.h"

#include "npu/Dialect/NN/IR/NN.h"

#include <algorithm>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::vpu;
using npurt::Broadcast;
using npurt::DType;
using npurt::Opcode;
using npurt::VpuFunc;

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

/// The output indices o in [lo, hi) whose input index o*s + k*d - p is in
/// [0, size).
std::pair<int64_t, int64_t> validRange(int64_t lo, int64_t hi, int64_t k,
                                       int64_t s, int64_t d, int64_t p,
                                       int64_t size) {
  int64_t first = std::max(lo, ceilDiv(p - k * d, s));
  int64_t last = std::min(hi, floorDiv(size - 1 + p - k * d, s) + 1);
  return {first, std::max(first, last)};
}

} // namespace

PoolEmitter::PoolEmitter(Operation *op, KernelContext &ctx, const TensorRef &in,
                         const TensorRef &out, bool isMax)
    : op(op), ctx(ctx), kb(ctx.builder()), in(in), out(out), isMax(isMax) {}

FailureOr<std::unique_ptr<PoolEmitter>>
PoolEmitter::create(Operation *op, KernelContext &ctx, const TensorRef &in,
                    const TensorRef &out, uint64_t sramBytes,
                    int64_t rowsPerTile) {
  std::unique_ptr<PoolEmitter> emitter(
      new PoolEmitter(op, ctx, in, out, isa<nn::MaxPoolOp>(op)));
  if (failed(emitter->plan(sramBytes, rowsPerTile)))
    return failure();
  return emitter;
}

/// The SRAM buffers of a pooling's tiles: per slot an accumulator, a window
/// per kernel position but the first, the reciprocal window sizes of an
/// average.
static uint64_t slotsPerTile(int64_t taps, unsigned numBuffers) {
  return uint64_t(2 + std::max<int64_t>(taps - 1, 1)) * numBuffers;
}

uint64_t PoolEmitter::minSramBytes(Operation *op, const KernelContext &ctx) {
  ArrayRef<int64_t> kernel = isa<nn::MaxPoolOp>(op)
                                 ? cast<nn::MaxPoolOp>(op).getKernelShape()
                                 : cast<nn::AvgPoolOp>(op).getKernelShape();
  int64_t taps = 1;
  for (int64_t k : kernel)
    taps *= k;
  return slotsPerTile(taps, ctx.doubleBuffering() ? 2 : 1) *
         std::max<uint64_t>(ctx.target().sram_alignment, 1);
}

bool PoolEmitter::accepts(Operation *op) {
  if (!isa_and_nonnull<nn::MaxPoolOp, nn::AvgPoolOp>(op))
    return false;
  ArrayRef<int64_t> inShape = shapeOf(op->getOperand(0));
  return inShape.size() >= 3 && inShape.size() <= 4 &&
         isFloatElement(elementTypeOf(op->getResult(0)));
}

LogicalResult PoolEmitter::plan(uint64_t sramBytes, int64_t rowsPerTile) {
  ArrayRef<int64_t> kernel, strides, pads, dilations;
  bool countIncludePad = false;
  if (auto pool = dyn_cast<nn::MaxPoolOp>(op)) {
    kernel = pool.getKernelShape();
    strides = pool.getStrides();
    pads = pool.getPads();
    dilations = pool.getDilations();
  } else {
    auto avg = cast<nn::AvgPoolOp>(op);
    kernel = avg.getKernelShape();
    strides = avg.getStrides();
    pads = avg.getPads();
    dilations = avg.getDilations();
    countIncludePad = avg.getCountIncludePad();
  }
  ArrayRef<int64_t> inShape = shapeOf(op->getOperand(0)),
                    outShape = shapeOf(op->getResult(0));
  unsigned spatial = inShape.size() - 2;
  if (!isVpuFloat(in.dtype))
    return unsupported(op) << "input dtype " << npurt::dtypeName(in.dtype)
                           << " is not a VPU float";
  auto at = [](ArrayRef<int64_t> values, unsigned i, int64_t fallback) {
    return i < values.size() ? values[i] : fallback;
  };

  p.planes = inShape[0] * inShape[1];
  // 1-D pooling is 2-D pooling with a height of one.
  unsigned off = spatial == 2 ? 0 : 1;
  auto dim = [&](ArrayRef<int64_t> shape, unsigned i) {
    return i < off ? 1 : shape[2 + i - off];
  };
  auto attr = [&](ArrayRef<int64_t> values, unsigned i, int64_t fallback) {
    return i < off ? fallback : at(values, i - off, fallback);
  };
  p.h = dim(inShape, 0), p.w = dim(inShape, 1);
  p.oh = dim(outShape, 0), p.ow = dim(outShape, 1);
  p.kh = attr(kernel, 0, 1), p.kw = attr(kernel, 1, 1);
  p.sh = attr(strides, 0, 1), p.sw = attr(strides, 1, 1);
  p.dh = attr(dilations, 0, 1), p.dw = attr(dilations, 1, 1);
  p.ph = attr(pads, 0, 0), p.pw = attr(pads, 1, 0);
  p.eh = spatial == 2 ? at(pads, 2, 0) : 0;
  p.ew = at(pads, spatial == 2 ? 3 : 1, 0);

  // Window sizes for the average: positions inside the input (or inside
  // the padded input with count_include_pad).
  bool uniform = true;
  if (!isMax) {
    recipCounts.resize(p.oh * p.ow);
    for (int64_t y = 0; y < p.oh; ++y)
      for (int64_t x = 0; x < p.ow; ++x) {
        int64_t lowH = countIncludePad ? -p.ph : 0;
        int64_t highH = countIncludePad ? p.h + p.eh : p.h;
        int64_t lowW = countIncludePad ? -p.pw : 0;
        int64_t highW = countIncludePad ? p.w + p.ew : p.w;
        int64_t count = 0;
        for (int64_t i = 0; i < p.kh; ++i)
          for (int64_t j = 0; j < p.kw; ++j) {
            int64_t hh = y * p.sh + i * p.dh - p.ph;
            int64_t ww = x * p.sw + j * p.dw - p.pw;
            count += hh >= lowH && hh < highH && ww >= lowW && ww < highW;
          }
        recipCounts[y * p.ow + x] = count ? 1.0f / count : 0.0f;
        uniform &= recipCounts[y * p.ow + x] == recipCounts[0];
      }
  }

  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  int64_t total = p.planes * p.oh * p.ow;
  // Every kernel position but the first gets its own window buffer, so all
  // window DMAs of a tile are in flight before the VPU combines them.
  int64_t windows = std::max<int64_t>(p.kh * p.kw - 1, 1);
  uint64_t perElement = 4 * (1 + windows) * numBuffers + 4;
  int64_t maxElements = chooseTileElements(
      ctx.target(), total, perElement,
      npurt::dtypeSize(in.dtype) * p.kh * p.kw + npurt::dtypeSize(out.dtype));
  // Every buffer starts on its own SRAM line: `sramBytes` holds this many
  // equal buffers of whole lines.
  uint64_t align = std::max<uint64_t>(ctx.target().sram_alignment, 1);
  uint64_t perBuffer = sramBytes / slotsPerTile(p.kh * p.kw, numBuffers);
  perBuffer -= perBuffer % align;
  maxElements =
      std::min<int64_t>(maxElements, std::max<uint64_t>(perBuffer / 4, 1));
  // Tile = [planes x (rows * OW)]: rows of one plane are the cols (at most
  // the 65535 a VPU instruction has: a longer output row is split).
  grid = planTiles({p.planes, p.oh, p.ow}, 1, maxElements, kMaxExtent,
                   rowsPerTile > 0 ? std::min(kMaxExtent, rowsPerTile * p.ow)
                                   : kMaxExtent);
  if (grid.chunk[2] < p.ow)
    grid.chunk[1] = 1;

  workDone.vectorOps = static_cast<uint64_t>(total) * p.kh * p.kw;
  workDone.minDramBytes = in.bytes() + out.bytes();

  accRing =
      BufferRing(Space::Sram, grid.maxElements() * 4, numBuffers, "pool.acc");
  winRing = BufferRing(Space::Sram, grid.maxElements() * 4,
                       windows * numBuffers, "pool.window");
  countRing = BufferRing(Space::Sram, grid.maxCols() * 4, numBuffers,
                         "pool.recip_count");
  if (!isMax && !uniform) {
    std::vector<uint8_t> bytes(recipCounts.size() * 4);
    std::memcpy(bytes.data(), recipCounts.data(), bytes.size());
    counts = ctx.constant("pool.recip_count", {p.oh, p.ow}, DType::F32,
                          std::move(bytes));
  }
  // Padding never wins a max: the padded part of a window is pre-filled with
  // the first window's values, which belong to the same output's window.
  // Only when no kernel position covers the whole tile does the accumulator
  // start from the lowest finite float (VPU immediates are finite), which
  // differs from -inf only for outputs whose every input is -inf.
  padValue = isMax ? std::numeric_limits<float>::lowest() : 0.0f;
  combine = isMax ? VpuFunc::Max : VpuFunc::Add;
  lanes = std::max<int64_t>(ctx.target().vpu_lanes, 1);
  // In order of output rows, so a band of rows is a prefix.
  forEachTile(grid, /*colsOuter=*/true,
              [&](const Tile &tile) { tiles.push_back(tile); });

  return success();
}

int64_t PoolEmitter::rowsReadyAfter(int64_t inputRows) const {
  if (inputRows >= p.h)
    return p.oh;
  // Output row y reads input rows up to y * sh - ph + (kh - 1) * dh.
  int64_t reach = (p.kh - 1) * p.dh - p.ph;
  if (inputRows - 1 < reach)
    return 0;
  return std::min<int64_t>(p.oh, (inputRows - 1 - reach) / p.sh + 1);
}

LogicalResult PoolEmitter::emitUpTo(int64_t rowEnd) {
  for (; next < tiles.size(); ++next) {
    const Tile &tile = tiles[next];
    if (tile.start[1] + tile.size[1] > rowEnd)
      break;
    emitTile(tile);
  }
  return success();
}

void PoolEmitter::emitTile(const Tile &tile) {
  int64_t p0 = tile.start[0], pc = tile.size[0];
  int64_t o0 = tile.start[1], t = tile.size[1];
  int64_t x0 = tile.start[2], xc = tile.size[2];
  int64_t cols = t * xc;
  // The in-bounds part of each kernel position's window.
  struct Window {
    int64_t i, j, ylo, yhi, xlo, xhi;
    bool whole;
    Value buffer;
  };
  SmallVector<Window> all;
  for (int64_t i = 0; i < p.kh; ++i)
    for (int64_t j = 0; j < p.kw; ++j) {
      auto [ylo, yhi] = validRange(o0, o0 + t, i, p.sh, p.dh, p.ph, p.h);
      auto [xlo, xhi] = validRange(x0, x0 + xc, j, p.sw, p.dw, p.pw, p.w);
      if (ylo == yhi || xlo == xhi)
        continue; // Only padding: contributes nothing.
      all.push_back({i, j, ylo, yhi, xlo, xhi,
                     yhi - ylo == t && xhi - xlo == xc, Value()});
    }
  // Max over undilated windows: an output's window is a contiguous range
  // of rows and columns, so where a kernel position falls into the
  // padding the nearest input row / column (clamped) is inside the same
  // window, and reading it instead changes no maximum. Every window is
  // then gathered whole (clamped parts by zero-stride DMA boxes), with no
  // VPU pre-fill.
  bool clamp = isMax && p.dh == 1 && p.dw == 1;
  if (clamp)
    for (Window &w : all)
      w.whole = true;
  // Whole windows first (the first one initializes the accumulator).
  std::stable_partition(all.begin(), all.end(),
                        [](const Window &w) { return w.whole; });
  auto fill = [&](Value buffer, int64_t fillCols) {
    npurt::Instruction inst =
        vpuInst(Opcode::VpuBroadcast, VpuFunc::None, pc, fillCols);
    inst.broadcast = Broadcast::Scalar;
    inst.imm0 = padValue;
    kb.vpu(inst, operand(buffer, cols, DType::F32));
  };
  // Output rows [lo, hi) of the tile reading input rows from `first` with
  // `step` (0: one clamped row); likewise for columns.
  struct Span {
    int64_t lo, hi, first, step;
  };
  auto spans = [&](int64_t begin, int64_t end, int64_t lo, int64_t hi,
                   int64_t tap, int64_t stride, int64_t pad, int64_t size) {
    SmallVector<Span, 3> result;
    if (clamp && begin < lo)
      result.push_back({begin, lo, 0, 0});
    result.push_back({lo, hi, lo * stride + tap - pad, stride});
    if (clamp && hi < end)
      result.push_back({hi, end, size - 1, 0});
    return result;
  };
  auto load = [&](const Window &w, Value buffer) {
    for (const Span &rows :
         spans(o0, o0 + t, w.ylo, w.yhi, w.i * p.dh, p.sh, p.ph, p.h))
      for (const Span &xs :
           spans(x0, x0 + xc, w.xlo, w.xhi, w.j * p.dw, p.sw, p.pw, p.w)) {
        int64_t src = p0 * p.h * p.w + rows.first * p.w + xs.first;
        int64_t dstOffset = (rows.lo - o0) * xc + (xs.lo - x0);
        emitDmaBox(kb, /*load=*/true, elementOf(in, src), in.dtype,
                   offsetBy({buffer, 0}, dstOffset, DType::F32), DType::F32,
                   {{pc, p.h * p.w, cols},
                    {rows.hi - rows.lo, rows.step * p.w, xc},
                    {xs.hi - xs.lo, xs.step, 1}});
      }
  };
  Value acc = accRing.next(kb);
  if (all.empty()) {
    fill(acc, cols); // Every window position is padding.
  } else {
    if (!all.front().whole)
      fill(acc, cols);
    load(all.front(), acc);
    for (Window &w : llvm::drop_begin(all))
      w.buffer = winRing.next(kb);
    // DMAs that need no pre-fill go first, so the queue never waits for
    // the VPU while it has independent windows to fetch.
    for (Window &w : llvm::drop_begin(all))
      if (w.whole)
        load(w, w.buffer);
    for (Window &w : llvm::drop_begin(all)) {
      if (w.whole)
        continue;
      // Only the leading rows out of bounds: pre-fill just those (an
      // aligned prefix); otherwise the whole window. Windows are f32 (the
      // DMA widens bf16 exactly), so a copy of the maximum is exact.
      int64_t prefix = (w.ylo - o0) * xc;
      bool rowsOnly = w.yhi == o0 + t && w.xlo == x0 && w.xhi == x0 + xc;
      int64_t fillCols =
          rowsOnly && (prefix + lanes - 1) / lanes < (cols + lanes - 1) / lanes
              ? prefix
              : cols;
      if (isMax)
        kb.vpu(vpuInst(Opcode::VpuUnary, VpuFunc::Copy, pc, fillCols),
               operand(w.buffer, cols, DType::F32),
               operand(acc, cols, DType::F32));
      else
        fill(w.buffer, fillCols);
    }
    for (Window &w : llvm::drop_begin(all))
      if (!w.whole)
        load(w, w.buffer);
    for (Window &w : llvm::drop_begin(all))
      kb.vpu(vpuInst(Opcode::VpuBinary, combine, pc, cols),
             operand(acc, cols, DType::F32), operand(acc, cols, DType::F32),
             operand(w.buffer, cols, DType::F32));
  }
  if (!isMax) {
    npurt::Instruction scale =
        vpuInst(Opcode::VpuBinary, VpuFunc::Mul, pc, cols);
    KernelBuilder::VpuOperand recip;
    if (counts) {
      Value vector = countRing.next(kb);
      emitDmaBox(kb, /*load=*/true, elementOf(*counts, o0 * p.ow + x0),
                 DType::F32, {vector, 0}, DType::F32,
                 {{t, p.ow, xc}, {xc, 1, 1}});
      scale.broadcast = Broadcast::Row;
      recip = operand(vector, cols, DType::F32);
    } else {
      scale.broadcast = Broadcast::Scalar;
      scale.imm0 = recipCounts.empty() ? 1.0f : recipCounts[0];
    }
    kb.vpu(scale, operand(acc, cols, DType::F32),
           operand(acc, cols, DType::F32), recip);
  }
  emitDmaBox(kb, /*load=*/false,
             elementOf(out, p0 * p.oh * p.ow + o0 * p.ow + x0), out.dtype,
             {acc, 0}, DType::F32,
             {{pc, p.oh * p.ow, cols}, {t, p.ow, xc}, {xc, 1, 1}});
}

namespace {

LogicalResult lowerPool(Operation *op, KernelContext &ctx) {
  ArrayRef<int64_t> inShape = shapeOf(op->getOperand(0));
  unsigned spatial = inShape.size() - 2;
  if (inShape.size() < 3 || spatial > 2)
    return unsupported(op) << "only 1-D and 2-D pooling is implemented (got "
                           << spatial << " spatial dims)";
  if (!isFloatElement(elementTypeOf(op->getResult(0))))
    return unsupported(op) << "the VPU pools floating-point tensors only";
  FailureOr<TensorRef> in = ctx.lookup(op->getOperand(0), op);
  if (failed(in))
    return failure();
  if (!isVpuFloat(in->dtype))
    return unsupported(op) << "input dtype " << npurt::dtypeName(in->dtype)
                           << " is not a VPU float";
  TensorRef out = ctx.defineResult(op->getResult(0));
  FailureOr<std::unique_ptr<PoolEmitter>> emitter =
      PoolEmitter::create(op, ctx, *in, out, sramBudget(ctx.target()));
  if (failed(emitter))
    return failure();
  ctx.beginSourceOp(op, (*emitter)->work());
  return (*emitter)->emitUpTo((*emitter)->outputRows());
}

} // namespace

void vpu::registerPoolKernels(KernelRegistry &registry) {
  registry["nn.max_pool"] = lowerPool;
  registry["nn.avg_pool"] = lowerPool;
}
