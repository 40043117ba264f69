//===- DataMovementKernels.cpp - ops that only move data ------------------===//
//
// transpose, concat, split, slice, pad, expand and gather with constant
// indices are strided boxes copied DRAM -> SRAM -> DRAM by the DMA (which
// walks any strides, zero for broadcast and negative for reversed steps):
// edge and reflect padding too (runs of repeated and mirrored border
// positions); only constant pad touches the VPU (to fill the border). gather with indices known
// only at run time (a token embedding) is a one-hot matrix built on the VPU
// (the index column compared with an iota row) times the table on the MXU.
// cast aliases when the chip dtype does not change, copies f32 <-> bf16 with
// the DMA and otherwise converts on the VPU (vpu_cast, or a comparison with
// zero for casts to i1).
//
//===----------------------------------------------------------------------===//
#include "VpuKernelUtils.h"

#include "npu/Dialect/NN/IR/NN.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::vpu;
using npurt::Broadcast;
using npurt::DType;
using npurt::Opcode;
using npurt::VpuFunc;

namespace {

/// Sets up a copier sized for `total` elements and declares the source op.
SramCopier startCopy(Operation *op, KernelContext &ctx, int64_t total,
                     uint64_t minDramBytes) {
  ctx.beginSourceOp(op, {0, 0, minDramBytes});
  return SramCopier(
      ctx, SramCopier::tileElements(ctx.target(), total,
                                    SramCopier::depth(ctx.doubleBuffering())));
}

LogicalResult lowerTranspose(Operation *op, KernelContext &ctx) {
  auto transpose = cast<nn::TransposeOp>(op);
  FailureOr<TensorRef> in = ctx.lookup(transpose.getInput(), op);
  if (failed(in))
    return failure();
  TensorRef out = ctx.defineResult(transpose.getOutput());
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  SmallVector<int64_t> srcStrides;
  for (int64_t axis : transpose.getPerm())
    srcStrides.push_back(inStrides[axis]);
  SramCopier copier =
      startCopy(op, ctx, out.numElements(), in->bytes() + out.bytes());
  return copier.copy(op, *in, 0, srcStrides, out, 0, rowMajorStrides(out.shape),
                     out.shape);
}

LogicalResult lowerConcat(Operation *op, KernelContext &ctx) {
  auto concat = cast<nn::ConcatOp>(op);
  int64_t axis = concat.getAxis();
  SmallVector<TensorRef> ins;
  uint64_t bytes = 0;
  for (Value input : concat.getInputs()) {
    FailureOr<TensorRef> in = ctx.lookup(input, op);
    if (failed(in))
      return failure();
    bytes += in->bytes();
    ins.push_back(*in);
  }
  TensorRef out = ctx.defineResult(concat.getOutput());
  SmallVector<int64_t> outStrides = rowMajorStrides(out.shape);
  SramCopier copier =
      startCopy(op, ctx, out.numElements(), bytes + out.bytes());
  int64_t position = 0;
  for (const TensorRef &in : ins) {
    if (failed(copier.copy(op, in, 0, rowMajorStrides(in.shape), out,
                           position * outStrides[axis], outStrides, in.shape)))
      return failure();
    position += in.shape[axis];
  }
  return success();
}

LogicalResult lowerSplit(Operation *op, KernelContext &ctx) {
  auto split = cast<nn::SplitOp>(op);
  int64_t axis = split.getAxis();
  FailureOr<TensorRef> in = ctx.lookup(split.getInput(), op);
  if (failed(in))
    return failure();
  SmallVector<TensorRef> outs;
  uint64_t bytes = in->bytes();
  for (Value result : split.getOutputs()) {
    outs.push_back(ctx.defineResult(result));
    bytes += outs.back().bytes();
  }
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  SramCopier copier = startCopy(op, ctx, in->numElements(), bytes);
  int64_t position = 0;
  for (const TensorRef &out : outs) {
    if (failed(copier.copy(op, *in, position * inStrides[axis], inStrides, out,
                           0, rowMajorStrides(out.shape), out.shape)))
      return failure();
    position += out.shape[axis];
  }
  return success();
}

LogicalResult lowerSlice(Operation *op, KernelContext &ctx) {
  auto slice = cast<nn::SliceOp>(op);
  FailureOr<TensorRef> in = ctx.lookup(slice.getInput(), op);
  if (failed(in))
    return failure();
  TensorRef out = ctx.defineResult(slice.getOutput());
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  SmallVector<int64_t> srcStrides = inStrides;
  int64_t srcOffset = 0;
  ArrayRef<int64_t> starts = slice.getStarts(), axes = slice.getAxes(),
                    steps = slice.getSteps();
  for (unsigned i = 0; i < starts.size(); ++i) {
    int64_t axis = i < axes.size() ? axes[i] : i;
    int64_t step = i < steps.size() ? steps[i] : 1;
    // An empty slice along this axis has no first element to point at.
    if (out.shape[axis] == 0)
      continue;
    srcOffset += starts[i] * inStrides[axis];
    srcStrides[axis] = inStrides[axis] * step;
  }
  SramCopier copier = startCopy(op, ctx, out.numElements(), 2 * out.bytes());
  return copier.copy(op, *in, srcOffset, srcStrides, out, 0,
                     rowMajorStrides(out.shape), out.shape);
}

LogicalResult lowerExpand(Operation *op, KernelContext &ctx) {
  auto expand = cast<nn::ExpandOp>(op);
  FailureOr<TensorRef> in = ctx.lookup(expand.getInput(), op);
  if (failed(in))
    return failure();
  TensorRef out = ctx.defineResult(expand.getOutput());
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  unsigned rank = out.shape.size();
  SmallVector<int64_t> srcStrides(rank, 0);
  for (unsigned d = 0; d < in->shape.size(); ++d)
    if (in->shape[d] != 1)
      srcStrides[rank - in->shape.size() + d] = inStrides[d];
  SramCopier copier =
      startCopy(op, ctx, out.numElements(), in->bytes() + out.bytes());
  return copier.copy(op, *in, 0, srcStrides, out, 0, rowMajorStrides(out.shape),
                     out.shape);
}

/// A run of output positions [outStart, outStart + length) along one axis
/// reading input positions srcStart + k * srcStride (stride -1, 0 or 1).
struct PadRun {
  int64_t outStart, length, srcStart, srcStride;
};

/// The runs of one axis of an edge or reflect pad: output position o reads
/// input position o - begin, clamped (edge) or mirrored without repeating
/// the border (reflect, as numpy's "reflect").
SmallVector<PadRun> padRuns(StringRef mode, int64_t size, int64_t begin,
                            int64_t outSize) {
  auto source = [&](int64_t o) {
    int64_t i = o - begin;
    if (mode == "edge" || size == 1)
      return std::clamp<int64_t>(i, 0, size - 1);
    int64_t period = 2 * (size - 1);
    i = ((i % period) + period) % period;
    return i < size ? i : period - i;
  };
  SmallVector<PadRun> runs;
  for (int64_t o = 0; o < outSize; ++o) {
    int64_t src = source(o);
    if (!runs.empty()) {
      PadRun &run = runs.back();
      int64_t step = src - (run.srcStart + (run.length - 1) * run.srcStride);
      if (run.length == 1 && step >= -1 && step <= 1) {
        run.srcStride = step;
        ++run.length;
        continue;
      }
      if (run.length > 1 && step == run.srcStride) {
        ++run.length;
        continue;
      }
    }
    runs.push_back({o, 1, src, 0});
  }
  return runs;
}

/// Edge and reflect padding: every output element is a copy of an input
/// element, so the output is a set of strided boxes (zero strides repeat
/// the border, negative ones mirror) moved by the DMA.
LogicalResult lowerMirrorPad(nn::PadOp pad, KernelContext &ctx) {
  Operation *op = pad;
  FailureOr<TensorRef> in = ctx.lookup(pad.getInput(), op);
  if (failed(in))
    return failure();
  TensorRef out = ctx.defineResult(pad.getOutput());
  unsigned rank = out.shape.size();
  // (The verifier guarantees reflect pads smaller than their dimension and
  // no edge padding of an empty one.)
  SmallVector<SmallVector<PadRun>> runs;
  for (unsigned d = 0; d < rank; ++d)
    runs.push_back(padRuns(pad.getMode(), in->shape[d], pad.getPads()[d],
                           out.shape[d]));
  SramCopier copier =
      startCopy(op, ctx, out.numElements(), in->bytes() + out.bytes());
  if (out.numElements() == 0)
    return success();
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  SmallVector<int64_t> outStrides = rowMajorStrides(out.shape);
  // Every combination of one run per axis is one box.
  SmallVector<size_t> pick(rank, 0);
  while (true) {
    int64_t srcOffset = 0, dstOffset = 0;
    SmallVector<int64_t> srcStrides, extents;
    for (unsigned d = 0; d < rank; ++d) {
      const PadRun &run = runs[d][pick[d]];
      srcOffset += run.srcStart * inStrides[d];
      dstOffset += run.outStart * outStrides[d];
      srcStrides.push_back(run.srcStride * inStrides[d]);
      extents.push_back(run.length);
    }
    if (failed(copier.copy(op, *in, srcOffset, srcStrides, out, dstOffset,
                           outStrides, extents)))
      return failure();
    int d = static_cast<int>(rank) - 1;
    while (d >= 0 && ++pick[d] == runs[d].size())
      pick[d--] = 0;
    if (d < 0)
      return success();
  }
}

LogicalResult lowerPad(Operation *op, KernelContext &ctx) {
  auto pad = cast<nn::PadOp>(op);
  if (pad.getMode() != "constant") // edge or reflect (the verifier's rule)
    return lowerMirrorPad(pad, ctx);
  FailureOr<TensorRef> in = ctx.lookup(pad.getInput(), op);
  if (failed(in))
    return failure();
  TensorRef out = ctx.defineResult(pad.getOutput());
  float value = pad.getValue().convertToFloat();
  if (!std::isfinite(value))
    return unsupported(op) << "the fill value " << value
                           << " is not finite (VPU immediates are)";
  // The border is written by the VPU: a float tile, or an i32 one filled in
  // its integer mode (an immediate integer, exact up to 2^24).
  DType tileType = out.dtype;
  DType fillType = out.dtype;
  bool integralFill =
      value == std::trunc(value) && std::fabs(value) <= 16777216.0f;
  if (!isVpuFloat(out.dtype) &&
      (out.dtype != DType::I32 || in->dtype != DType::I32 || !integralFill))
    return unsupported(op) << "padding a " << npurt::dtypeName(out.dtype)
                           << " tensor with " << value
                           << " needs a fill the VPU cannot write (an integer "
                              "up to 2^24 in an i32 tensor)";
  if (!stagingType(in->dtype, out.dtype))
    return unsupported(op) << "the DMA cannot convert "
                           << npurt::dtypeName(in->dtype) << " to "
                           << npurt::dtypeName(out.dtype);
  unsigned rank = out.shape.size();
  ArrayRef<int64_t> pads = pad.getPads();
  SmallVector<int64_t> inStrides = rowMajorStrides(in->shape);
  SmallVector<int64_t> outStrides = rowMajorStrides(out.shape);

  ctx.beginSourceOp(op, {0, 0, in->bytes() + out.bytes()});
  if (out.numElements() == 0)
    return success();
  KernelBuilder &kb = ctx.builder();
  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  int64_t maxElements = chooseTileElements(
      ctx.target(), out.numElements(), 4ull * numBuffers,
      npurt::dtypeSize(in->dtype) + npurt::dtypeSize(out.dtype));
  // Fills are [rows x fillCols] rectangles covering the tile.
  int64_t fillCols = std::min<int64_t>(maxElements, 4096);
  TileGrid grid = planTiles(out.shape, rank, maxElements,
                            std::numeric_limits<int64_t>::max(), 1);
  int64_t tileElements = grid.maxElements();
  int64_t fillRows = (tileElements + fillCols - 1) / fillCols;
  BufferRing ring(Space::Sram, fillRows * fillCols * npurt::dtypeSize(tileType),
                  numBuffers, "pad.tile");
  SmallVector<bool> all(rank, true);
  forEachTile(grid, false, [&](const Tile &tile) {
    Value buffer = ring.next(kb);
    // The part of the tile the input covers (pads may be negative: crop).
    SmallVector<int64_t> lo(rank), extents(rank);
    bool covered = true, empty = false;
    int64_t srcOffset = 0, sramOffset = 0;
    SmallVector<int64_t> tileStrides(rank, 1);
    for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
      tileStrides[d] = tileStrides[d + 1] * tile.size[d + 1];
    for (unsigned d = 0; d < rank; ++d) {
      int64_t begin = pads[d];
      int64_t first = std::max(tile.start[d], begin);
      int64_t last =
          std::min(tile.start[d] + tile.size[d], begin + in->shape[d]);
      if (first >= last) {
        empty = true;
        break;
      }
      covered &= first == tile.start[d] && last == tile.start[d] + tile.size[d];
      extents[d] = last - first;
      srcOffset += (first - begin) * inStrides[d];
      sramOffset += (first - tile.start[d]) * tileStrides[d];
    }
    if (!covered || empty) {
      int64_t elements = tile.rows * tile.cols;
      int64_t rows = (elements + fillCols - 1) / fillCols;
      int64_t cols = std::min(fillCols, elements);
      npurt::Instruction fill =
          vpuInst(Opcode::VpuBroadcast, VpuFunc::None, rows, cols);
      fill.broadcast = Broadcast::Scalar;
      fill.imm0 = value;
      kb.vpu(fill, operand(buffer, cols, fillType));
    }
    if (!empty) {
      SmallVector<CopyDim> box;
      for (unsigned d = 0; d < rank; ++d)
        box.push_back({extents[d], inStrides[d], tileStrides[d]});
      emitDmaBox(kb, /*load=*/true, elementOf(*in, srcOffset), in->dtype,
                 offsetBy({buffer, 0}, sramOffset, tileType), tileType, box);
    }
    emitDmaBox(kb, /*load=*/false, elementOf(out, tileOffset(tile, outStrides)),
               out.dtype, {buffer, 0}, tileType,
               tileBox(tile, outStrides, all));
  });
  return success();
}

/// Gather with compile-time indices: one box copy per run of consecutive
/// indices.
LogicalResult lowerConstantGather(nn::GatherOp gather, KernelContext &ctx,
                                  ArrayRef<float> indexValues) {
  Operation *op = gather;
  FailureOr<TensorRef> data = ctx.lookup(gather.getData(), op);
  if (failed(data))
    return failure();
  int64_t axis = gather.getAxis();
  ArrayRef<int64_t> shape = data->shape;
  int64_t outer = product(shape.take_front(axis));
  int64_t size = shape[axis];
  int64_t inner = product(shape.drop_front(axis + 1));
  int64_t count = indexValues.size();
  SmallVector<int64_t> indices;
  for (float value : indexValues) {
    int64_t index = static_cast<int64_t>(value);
    if (index < 0)
      index += size;
    if (index < 0 || index >= size)
      return unsupported(op) << "index " << static_cast<int64_t>(value)
                             << " is out of range for a dimension of " << size;
    indices.push_back(index);
  }
  TensorRef out = ctx.defineResult(gather.getOutput());
  SramCopier copier = startCopy(op, ctx, out.numElements(), 2 * out.bytes());
  for (int64_t i = 0; i < count;) {
    int64_t run = 1;
    while (i + run < count && indices[i + run] == indices[i] + run)
      ++run;
    if (failed(copier.copy(op, *data, indices[i] * inner,
                           {size * inner, inner, 1}, out, i * inner,
                           {count * inner, inner, 1}, {outer, run, inner})))
      return failure();
    i += run;
  }
  return success();
}

/// Gather along axis 0 with run-time indices: out = onehot(indices) x table.
LogicalResult lowerRuntimeGather(nn::GatherOp gather, KernelContext &ctx) {
  Operation *op = gather;
  const npurt::Target &target = ctx.target();
  if (gather.getAxis() != 0)
    return unsupported(op) << "a gather with run-time indices is only "
                              "implemented along axis 0 (an embedding)";
  FailureOr<TensorRef> table = ctx.lookup(gather.getData(), op);
  if (failed(table))
    return failure();
  FailureOr<TensorRef> indices = ctx.lookup(gather.getIndices(), op);
  if (failed(indices))
    return failure();
  DType mxuType = table->dtype;
  if (mxuType != DType::F32 && mxuType != DType::BF16)
    return unsupported(op) << "the embedding table dtype "
                           << npurt::dtypeName(mxuType)
                           << " is not an MXU float type";
  if (indices->dtype != DType::I32)
    return unsupported(op) << "indices of dtype "
                           << npurt::dtypeName(indices->dtype)
                           << " (expected i32 on the chip)";
  int64_t vocab = table->shape[0];
  int64_t width = product(ArrayRef<int64_t>(table->shape).drop_front());
  int64_t count = indices->numElements();
  unsigned mxuSize = npurt::dtypeSize(mxuType);
  TensorRef out = ctx.defineResult(gather.getOutput());
  if (!isVpuFloat(out.dtype))
    return unsupported(op) << "the result dtype " << npurt::dtypeName(out.dtype)
                           << " is not a VPU float";
  int64_t kMax = std::min<int64_t>(target.mxu_rows, vocab);
  int64_t nMax = std::min<int64_t>(target.mxu_cols, width);
  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  // Per index row: the spread index (f32), one-hot chunks, a chunk of
  // `columns` of the result row; the accumulator holds that chunk of one
  // row per index.
  auto perRow = [&](int64_t columns) -> uint64_t {
    return kMax * 4 + kMax * mxuSize * numBuffers +
           columns * npurt::dtypeSize(out.dtype) * numBuffers + 16;
  };
  uint64_t fixed = (kMax * nMax * mxuSize + kMax * 4) * numBuffers +
                   16 * target.sram_alignment;
  uint64_t budget = sramBudget(target);
  auto fits = [&](int64_t columns) {
    return columns <= kMaxExtent && budget > fixed + perRow(columns) &&
           target.acc_bytes >= 4ull * columns * numBuffers;
  };
  // Whole table rows when one fits the accumulator and SRAM; otherwise the
  // rows are split into chunks of columns (multiples of the array's
  // width), each gathered on its own: the one-hot rows are rebuilt per
  // chunk, the accumulator holds one chunk.
  int64_t columns = width;
  while (!fits(columns) && columns > nMax)
    columns = std::max(nMax, columns / 2 / nMax * nMax);
  if (!fits(columns))
    return unsupported(op) << "one table block and " << columns
                           << " columns of one index row do not fit SRAM "
                              "and the accumulator";
  int64_t mChunk = std::max<int64_t>(
      1,
      std::min({count, static_cast<int64_t>((budget - fixed) / perRow(columns)),
                static_cast<int64_t>(target.acc_bytes /
                                     (4ull * columns * numBuffers)),
                kMaxExtent}));

  SourceWork work;
  work.macs = static_cast<uint64_t>(count) * vocab * width;
  work.vectorOps = static_cast<uint64_t>(count) * vocab;
  work.minDramBytes = indices->bytes() + table->bytes() + out.bytes();
  // The iota row 0, 1, ..., vocab-1 the indices are compared with.
  std::vector<uint8_t> iotaBytes(vocab * 4);
  for (int64_t v = 0; v < vocab; ++v) {
    float f = static_cast<float>(v);
    std::memcpy(iotaBytes.data() + v * 4, &f, 4);
  }
  TensorRef iota =
      ctx.constant("gather.iota", {vocab}, DType::F32, std::move(iotaBytes));
  ctx.beginSourceOp(op, work);
  if (count == 0 || width == 0)
    return success();

  KernelBuilder &kb = ctx.builder();
  BufferRing indexRing(Space::Sram, mChunk * 4, numBuffers, "gather.index");
  BufferRing columnRing(Space::Sram, mChunk * 4, numBuffers, "gather.column");
  BufferRing maskRing(Space::Sram, mChunk * 4, 1, "gather.negative");
  BufferRing spreadRing(Space::Sram, mChunk * kMax * 4, 1, "gather.spread");
  BufferRing iotaRing(Space::Sram, kMax * 4, numBuffers, "gather.iota");
  BufferRing oneHotRing(Space::Sram, mChunk * kMax * mxuSize, numBuffers,
                        "gather.onehot");
  BufferRing weightRing(Space::Sram, kMax * nMax * mxuSize, numBuffers,
                        "gather.table");
  BufferRing accRing(Space::Acc, mChunk * columns * 4, numBuffers,
                     "gather.acc");
  BufferRing outRing(Space::Sram,
                     mChunk * columns * npurt::dtypeSize(out.dtype), numBuffers,
                     "gather.out");
  auto scalarOp = [&](VpuFunc func, int64_t rows, float imm) {
    npurt::Instruction inst = vpuInst(Opcode::VpuBinary, func, rows, 1);
    inst.broadcast = Broadcast::Scalar;
    inst.imm0 = imm;
    return inst;
  };
  for (int64_t m0 = 0; m0 < count; m0 += mChunk) {
    int64_t mc = std::min(mChunk, count - m0);
    Value raw = indexRing.next(kb);
    emitDmaBox(kb, /*load=*/true, elementOf(*indices, m0), DType::I32, {raw, 0},
               DType::I32, {{mc, 1, 1}});
    Value column = columnRing.next(kb);
    npurt::Instruction toFloat = vpuInst(Opcode::VpuCast, VpuFunc::None, mc, 1);
    toFloat.scale = 1.0f;
    kb.vpu(toFloat, operand(column, 1, DType::F32),
           operand(raw, 1, DType::I32));
    // Negative indices count from the end: index += vocab * (index < 0).
    Value negative = maskRing.get(kb, 0);
    kb.vpu(scalarOp(VpuFunc::CmpLt, mc, 0.0f), operand(negative, 1, DType::F32),
           operand(column, 1, DType::F32));
    kb.vpu(scalarOp(VpuFunc::Mul, mc, static_cast<float>(vocab)),
           operand(negative, 1, DType::F32), operand(negative, 1, DType::F32));
    kb.vpu(vpuInst(Opcode::VpuBinary, VpuFunc::Add, mc, 1),
           operand(column, 1, DType::F32), operand(column, 1, DType::F32),
           operand(negative, 1, DType::F32));
    // The index spread along a row, compared with each chunk of the iota row.
    Value spread = spreadRing.get(kb, 0);
    npurt::Instruction broadcast =
        vpuInst(Opcode::VpuBroadcast, VpuFunc::None, mc, kMax);
    broadcast.broadcast = Broadcast::Col;
    kb.vpu(broadcast, operand(spread, kMax, DType::F32),
           operand(column, 1, DType::F32));
    for (int64_t c0 = 0; c0 < width; c0 += columns) {
      int64_t cc = std::min(columns, width - c0);
      Value acc = accRing.next(kb);
      for (int64_t k0 = 0; k0 < vocab; k0 += kMax) {
        int64_t kc = std::min(kMax, vocab - k0);
        Value iotaChunk = iotaRing.next(kb);
        emitDmaBox(kb, /*load=*/true, elementOf(iota, k0), DType::F32,
                   {iotaChunk, 0}, DType::F32, {{kc, 1, 1}});
        Value oneHot = oneHotRing.next(kb);
        npurt::Instruction compare =
            vpuInst(Opcode::VpuBinary, VpuFunc::CmpEq, mc, kc);
        compare.broadcast = Broadcast::Row;
        kb.vpu(compare, operand(oneHot, kc, mxuType),
               operand(spread, kMax, DType::F32),
               operand(iotaChunk, kc, DType::F32));
        for (int64_t n0 = 0; n0 < cc; n0 += nMax) {
          int64_t nc = std::min(nMax, cc - n0);
          Value weights = weightRing.next(kb);
          emitDmaBox(kb, /*load=*/true, elementOf(*table, k0 * width + c0 + n0),
                     mxuType, {weights, 0}, mxuType,
                     {{kc, width, nc}, {nc, 1, 1}});
          kb.mxuLoadWeights({weights, 0}, mxuType, kc, nc, nc);
          kb.mxuMatmul({oneHot, 0}, mxuType, mc, kc, nc, kc,
                       {acc, static_cast<uint64_t>(n0 * 4)}, cc,
                       /*accumulate=*/k0 > 0);
        }
      }
      Value result = outRing.next(kb);
      kb.vpu(vpuInst(Opcode::VpuEpilogue, VpuFunc::None, mc, cc),
             operand(result, cc, out.dtype), operand(acc, cc, DType::F32));
      emitDmaBox(kb, /*load=*/false, elementOf(out, m0 * width + c0), out.dtype,
                 {result, 0}, out.dtype, {{mc, width, cc}, {cc, 1, 1}});
    }
  }
  return success();
}

LogicalResult lowerGather(Operation *op, KernelContext &ctx) {
  auto gather = cast<nn::GatherOp>(op);
  if (gather.getIndices().getDefiningOp<nn::ConstantOp>()) {
    FailureOr<std::vector<float>> values =
        ctx.constantValues(gather.getIndices());
    if (succeeded(values))
      return lowerConstantGather(gather, ctx, *values);
  }
  return lowerRuntimeGather(gather, ctx);
}

LogicalResult lowerCast(Operation *op, KernelContext &ctx) {
  auto castOp = cast<nn::CastOp>(op);
  Type from = elementTypeOf(castOp.getInput());
  Type to = elementTypeOf(castOp.getOutput());
  FailureOr<TensorRef> in = ctx.lookup(castOp.getInput(), op);
  if (failed(in))
    return failure();
  // The chip dtype the result gets (KernelContext::defineResult's rule).
  bool returned =
      llvm::any_of(castOp.getOutput().getUsers(), [](Operation *user) {
        return user->hasTrait<OpTrait::IsTerminator>();
      });
  DType resultType = DType::I32;
  if (to.isInteger(8))
    resultType = DType::I8;
  else if (to.isInteger(1) || (isFloatElement(to) && returned))
    resultType = DType::F32;
  else if (isFloatElement(to))
    resultType = ctx.computeType();
  // Casts between integers and floats, to i1, to bf16 where the chip holds
  // f32 (a rounding) and between i8 and i32 compute on the VPU.
  bool changesValue = isIntegerElement(from) != isIntegerElement(to) ||
                      to.isInteger(1) || (to.isBF16() && !from.isBF16());
  if (changesValue || !stagingType(in->dtype, resultType))
    return lowerElementwise(op, ctx);
  if (in->dtype == resultType) {
    ctx.beginSourceOp(op, {});
    return ctx.alias(castOp.getOutput(), *in);
  }
  TensorRef out = ctx.defineResult(castOp.getOutput());
  ctx.beginSourceOp(op, {0, 0, in->bytes() + out.bytes()});
  return copyTensor(ctx, op, *in, out);
}

} // namespace

void vpu::registerDataMovementKernels(KernelRegistry &registry) {
  registry["nn.transpose"] = lowerTranspose;
  registry["nn.concat"] = lowerConcat;
  registry["nn.split"] = lowerSplit;
  registry["nn.slice"] = lowerSlice;
  registry["nn.expand"] = lowerExpand;
  registry["nn.pad"] = lowerPad;
  registry["nn.gather"] = lowerGather;
  registry["nn.cast"] = lowerCast;
}
