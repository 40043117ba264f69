//===- MatmulKernels.cpp - nn.matmul and nn.gemm on the MXU ---------------===//
//
// The kernels of nn.matmul (numpy semantics: N-d, batch dimensions
// broadcast, 1-D operands promoted) and nn.gemm (alpha, beta, trans_a,
// trans_b, c broadcast to [M, N]), and populateMxuKernels. Both reduce to
// the shared tiled loop of MxuGemm.h: A rows are read from the row-major
// DRAM tensor (or its transpose) by strided DMA, constant B operands are
// re-laid-out at compile time into the tile order the loop reads (so every
// weight DMA is contiguous), runtime B operands are gathered by strided DMA
// (a transposed B by a transposing weight load), and results leave the
// accumulator through vpu_epilogue with the bias and a following activation
// fused. It also implements MxuGemm.h, the tiled loop conv shares.
//
//===----------------------------------------------------------------------===//
#include "MxuGemm.h"

#include "npu/Dialect/NN/IR/NN.h"
#include "npu/Runtime/Numerics.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/Support/FormatVariadic.h"

#include <cfloat>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace mlir::npu;
using npurt::DType;

namespace {
/// Product of `dims`, or failure on overflow.
FailureOr<uint64_t> checkedProduct(ArrayRef<int64_t> dims) {
  uint64_t total = 1;
  for (int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(total, uint64_t(d), &total))
      return failure();
  return total;
}

/// Common tail of the MXU kernels: choose the tiling, report failure.
std::optional<MatmulTiling> tileOrDiagnose(KernelContext &ctx, Operation *op,
                                           const MatmulProblem &problem,
                                           const RowTiler &rowTiler) {
  std::string reason;
  std::optional<MatmulTiling> tiling = chooseMatmulTiling(
      ctx.target(), problem, rowTiler, ctx.doubleBuffering(), reason);
  if (!tiling)
    op->emitError() << "cannot tile the " << problem.m << "x" << problem.k
                    << "x" << problem.n << " matmul of " << op->getName()
                    << " for target '" << ctx.target().name << "': " << reason;
  return tiling;
}

/// True when `first` exists before `second` does: a function argument, or
/// the result of an earlier op.
bool producedBefore(Value first, Value second) {
  Operation *a = first.getDefiningOp(), *b = second.getDefiningOp();
  if (!a)
    return true;
  return b && a->getBlock() == b->getBlock() && a->isBeforeInBlock(b);
}

/// Bytes of a tensor of `elements` of `dtype`.
uint64_t bytesOf(uint64_t elements, DType dtype) {
  return elements * npurt::dtypeSize(dtype);
}
} // namespace

//===----------------------------------------------------------------------===//
// The shared MXU loop and helpers (MxuGemm.h)
//===----------------------------------------------------------------------===//

namespace {
/// `base` moved by `elements` elements of `size` bytes, or failure when the
/// result would be negative.
FailureOr<BufferRef> advance(BufferRef base, int64_t elements, unsigned size) {
  int64_t bytes = elements * int64_t(size);
  if (bytes < 0 && uint64_t(-bytes) > base.offset)
    return failure();
  return BufferRef{base.buffer, base.offset + uint64_t(bytes)};
}

LogicalResult copyBox(KernelContext &ctx, Operation *op, bool toSram,
                      BufferRef dram, DType dramType, BufferRef sram,
                      DType sramType, SmallVector<CopyDim> dims) {
  constexpr int64_t kMaxExtent = 65535;
  bool tooLarge = llvm::any_of(
      dims, [&](const CopyDim &d) { return d.extent > kMaxExtent; });
  if (dims.size() > 4 || tooLarge) {
    // Peel the outermost dimension: in chunks when it alone is too long,
    // index by index otherwise.
    CopyDim outer = dims.front();
    bool chunk = dims.size() <= 4 && outer.extent > kMaxExtent;
    int64_t step = chunk ? kMaxExtent : 1;
    SmallVector<CopyDim> rest(dims.begin() + (chunk ? 0 : 1), dims.end());
    if (rest.empty())
      rest.push_back({1, 0, 0});
    for (int64_t i = 0; i < outer.extent; i += step) {
      if (chunk)
        rest.front().extent = std::min(step, outer.extent - i);
      FailureOr<BufferRef> d =
          advance(dram, i * outer.dram, npurt::dtypeSize(dramType));
      FailureOr<BufferRef> s =
          advance(sram, i * outer.sram, npurt::dtypeSize(sramType));
      if (failed(d) || failed(s))
        return op->emitError("DMA box starts before its buffer");
      if (failed(copyBox(ctx, op, toSram, *d, dramType, *s, sramType, rest)))
        return failure();
    }
    return success();
  }
  std::array<uint16_t, 4> extents = {1, 1, 1, 1};
  std::array<int32_t, 4> dramStrides = {0, 0, 0, 0};
  std::array<int32_t, 4> sramStrides = {0, 0, 0, 0};
  size_t first = 4 - dims.size();
  for (size_t i = 0; i < dims.size(); ++i) {
    const CopyDim &d = dims[i];
    auto fits = [](int64_t v) {
      return v >= std::numeric_limits<int32_t>::min() &&
             v <= std::numeric_limits<int32_t>::max();
    };
    if (!fits(d.dram) || !fits(d.sram))
      return op->emitError(
          llvm::formatv("DMA stride {0} does not fit a 32-bit descriptor field",
                        fits(d.dram) ? d.sram : d.dram));
    extents[first + i] = static_cast<uint16_t>(d.extent);
    dramStrides[first + i] = static_cast<int32_t>(d.dram);
    sramStrides[first + i] = static_cast<int32_t>(d.sram);
  }
  KernelBuilder &b = ctx.builder();
  if (toSram)
    b.dmaLoad(dram, dramType, sram, sramType, extents, dramStrides,
              sramStrides);
  else
    b.dmaStore(sram, sramType, dram, dramType, extents, sramStrides,
               dramStrides);
  return success();
}
} // namespace

LogicalResult mlir::npu::emitCopy(KernelContext &ctx, Operation *op,
                                  bool toSram, BufferRef dram, DType dramType,
                                  BufferRef sram, DType sramType,
                                  ArrayRef<CopyDim> dims) {
  SmallVector<CopyDim> kept;
  for (const CopyDim &d : dims) {
    if (d.extent <= 0)
      return success(); // An empty box moves nothing.
    if (d.extent > 1)
      kept.push_back(d);
  }
  if (kept.empty())
    kept.push_back({1, 0, 0});
  return copyBox(ctx, op, toSram, dram, dramType, sram, sramType, kept);
}

LogicalResult ZeroTracker::gather(KernelContext &ctx, Operation *op,
                                  BufferRef where, DType dtype, uint64_t rows,
                                  uint64_t cols, uint64_t ld,
                                  ArrayRef<Band> bands) {
  unsigned size = npurt::dtypeSize(dtype);
  std::vector<bool> &known =
      knownZero[{where.buffer.getAsOpaquePointer(), where.offset}];
  if (known.size() < rows * ld)
    known.resize(rows * ld, false);
  for (const Band &band : bands) {
    SmallVector<uint64_t> needed;
    for (uint64_t r = 0; r < rows; ++r) {
      if (band.written[r])
        continue;
      for (uint64_t c = band.col; c < band.col + band.width; ++c)
        if (!known[r * ld + c]) {
          needed.push_back(r);
          break;
        }
    }
    // Greedy runs of equally spaced rows: a border row of positions is a
    // contiguous run, a border column one row per output row.
    for (size_t i = 0; i < needed.size();) {
      size_t j = i + 1;
      uint64_t stride = j < needed.size() ? needed[j] - needed[i] : 1;
      while (j < needed.size() && needed[j] - needed[j - 1] == stride)
        ++j;
      if (!zero)
        zero = ctx.constant("im2col_zero", {1}, dtype,
                            encodeValues({0.0f}, dtype));
      BufferRef at{where.buffer,
                   where.offset + (needed[i] * ld + band.col) * size};
      if (failed(emitCopy(ctx, op, /*toSram=*/true, zero->at(0), dtype, at,
                          dtype,
                          {{int64_t(j - i), 0, int64_t(stride * ld)},
                           {int64_t(band.width), 0, 1}})))
        return failure();
      for (size_t k = i; k < j; ++k)
        for (uint64_t c = band.col; c < band.col + band.width; ++c)
          known[needed[k] * ld + c] = true;
      i = j;
    }
  }
  for (const Band &band : bands)
    for (uint64_t r = 0; r < rows; ++r)
      if (band.written[r])
        for (uint64_t c = band.col; c < band.col + band.width; ++c)
          known[r * ld + c] = false;
  return success();
}

std::optional<Activation> mlir::npu::epilogueActivation(Operation *op) {
  if (!op || op->getNumResults() != 1 ||
      !isa<FloatType>(getElementTypeOrSelf(op->getResult(0).getType())))
    return std::nullopt;
  Activation act;
  if (isa<nn::ReluOp>(op)) {
    act.func = npurt::VpuFunc::Relu;
  } else if (auto clip = dyn_cast<nn::ClipOp>(op)) {
    std::optional<APFloat> lo = clip.getMin(), hi = clip.getMax();
    if (!lo && !hi)
      return act; // No bounds: the identity.
    // The chip's clip takes finite bounds; a missing one is the float range.
    act.func = npurt::VpuFunc::Clip;
    act.imm0 = lo ? lo->convertToFloat() : -FLT_MAX;
    act.imm1 = hi ? hi->convertToFloat() : FLT_MAX;
    if (!std::isfinite(act.imm0) || !std::isfinite(act.imm1))
      return std::nullopt;
  } else if (auto leaky = dyn_cast<nn::LeakyReluOp>(op)) {
    act.func = npurt::VpuFunc::LeakyRelu;
    act.imm0 = leaky.getAlpha().convertToFloat();
    if (!std::isfinite(act.imm0))
      return std::nullopt;
  } else if (isa<nn::SigmoidOp>(op)) {
    act.func = npurt::VpuFunc::Sigmoid;
  } else if (isa<nn::TanhOp>(op)) {
    act.func = npurt::VpuFunc::Tanh;
  } else if (auto gelu = dyn_cast<nn::GeluOp>(op)) {
    act.func = gelu.getApproximate() == "tanh" ? npurt::VpuFunc::GeluTanh
                                               : npurt::VpuFunc::Gelu;
  } else {
    return std::nullopt;
  }
  return act;
}

Operation *mlir::npu::singleUser(Value value) {
  if (!value.hasOneUse())
    return nullptr;
  return *value.getUsers().begin();
}

std::vector<uint8_t> mlir::npu::encodeValues(ArrayRef<float> values,
                                             DType dtype) {
  std::vector<uint8_t> bytes;
  if (dtype == DType::BF16) {
    bytes.resize(values.size() * 2);
    for (size_t i = 0; i < values.size(); ++i) {
      uint16_t bits = npurt::floatToBF16Bits(values[i]);
      bytes[2 * i] = uint8_t(bits);
      bytes[2 * i + 1] = uint8_t(bits >> 8);
    }
    return bytes;
  }
  bytes.resize(values.size() * 4);
  std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

std::vector<uint8_t> mlir::npu::packWeights(
    const MatmulTiling &tiling, uint64_t count, uint64_t k, uint64_t n,
    DType dtype, const std::function<float(uint64_t, uint64_t, uint64_t)> &at) {
  std::vector<float> packed;
  packed.reserve(count * k * n);
  for (uint64_t p = 0; p < count; ++p)
    for (uint64_t j = 0; j < tiling.nTiles(n); ++j)
      for (uint64_t kk = 0; kk < tiling.kTiles(k); ++kk)
        for (uint64_t r = 0; r < tiling.kAt(k, kk); ++r)
          for (uint64_t c = 0; c < tiling.nAt(n, j); ++c)
            packed.push_back(
                at(p, kk * tiling.kTile + r, j * tiling.nTile + c));
  return encodeValues(packed, dtype);
}

namespace {
/// A VPU instruction of `opcode` over [rows x cols].
npurt::Instruction vpuInst(npurt::Opcode opcode, uint64_t rows, uint64_t cols) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.rows = static_cast<uint16_t>(rows);
  inst.cols = static_cast<uint16_t>(cols);
  return inst;
}

/// The buffers of one operand's rotation slots, allocated when first used
/// (a single tile needs only one).
struct SlotBuffers {
  KernelBuilder *builder = nullptr;
  Space space = Space::Sram;
  uint64_t bytes = 0;
  std::string name;
  SmallVector<Value> buffers;

  SlotBuffers(KernelBuilder &b, Space where, uint64_t size, StringRef prefix)
      : builder(&b), space(where), bytes(size), name(prefix.str()) {}
  Value operator[](unsigned slot) {
    while (buffers.size() <= slot)
      buffers.push_back(builder->alloc(
          space, bytes, name + std::to_string(buffers.size())));
    return buffers[slot];
  }
};

/// Emits the steps of the MXU loop as instructions.
class GemmEmitter : public GemmLoopVisitor {
public:
  GemmEmitter(KernelContext &ctx, Operation *op, const GemmSpec &spec,
              const MatmulLayout &layout)
      : ctx(ctx), op(op), spec(spec), p(spec.problem), t(spec.tiling),
        layout(layout), b(ctx.builder()), kTiles(t.kTiles(p.k)),
        nTiles(t.nTiles(p.n)),
        aBuffers(b, Space::Sram, layout.aSlotBytes, "a"),
        bBuffers(b, Space::Sram, layout.bSlotBytes, "w"),
        accBuffers(b, Space::Acc, layout.accSlotBytes, "acc"),
        outBuffers(b, Space::Sram, layout.outSlotBytes, "out"),
        cBuffers(b, Space::Sram, layout.cSlotBytes, "c") {
    if (spec.bias)
      biasBuffer = b.alloc(Space::Sram, layout.biasBytes, "bias");
  }

  LogicalResult loadBias() override {
    uint64_t biasProblems = p.biasPerProblem ? p.count : 1;
    // One aligned row per n-tile, or with biasPerRow one column per row
    // tile.
    SmallVector<std::pair<uint64_t, uint64_t>> pieces; // (begin, length)
    if (p.biasPerRow) {
      uint64_t begin = 0;
      for (uint64_t rows : t.rowTiles) {
        pieces.push_back({begin, rows});
        begin += rows;
      }
    } else {
      for (uint64_t j = 0; j < nTiles; ++j)
        pieces.push_back({j * t.nTile, t.nAt(p.n, j)});
    }
    uint64_t extent = p.biasPerRow ? p.m : p.n;
    for (uint64_t q = 0; q < biasProblems; ++q)
      for (auto [i, piece] : llvm::enumerate(pieces)) {
        BufferRef src = spec.bias->at(int64_t(q * extent + piece.first));
        if (failed(emitCopy(
                ctx, op, true, src, spec.bias->dtype,
                {biasBuffer, (q * pieces.size() + i) * layout.biasTileStride},
                DType::F32, {{int64_t(piece.second), 1, 1}})))
          return failure();
      }
    return success();
  }

  LogicalResult loadWeights(uint64_t problem, uint64_t j, uint64_t kk,
                            GemmSlot slot) override {
    BufferRef dst = weightRef(slot);
    uint64_t kLen = t.kAt(p.k, kk), nLen = t.nAt(p.n, j);
    const WeightSource &w = spec.weights;
    if (w.gather) {
      FailureOr<bool> isTransposed = w.gather(problem, j, kk, dst);
      if (failed(isTransposed))
        return failure();
      transposed[{slot.slot, slot.part}] = *isTransposed;
      return success();
    }
    DType wt = w.tensor.dtype;
    if (w.packed) {
      int64_t offset = w.problemOffset(problem) +
                       int64_t(j * t.nTile * p.k + kk * t.kTile * nLen);
      transposed[{slot.slot, slot.part}] = false;
      return emitCopy(ctx, op, true, w.tensor.at(offset), wt, dst, p.compute,
                      {{int64_t(kLen * nLen), 1, 1}});
    }
    int64_t base = w.problemOffset(problem) +
                   int64_t(kk * t.kTile) * w.kStride +
                   int64_t(j * t.nTile) * w.nStride;
    BufferRef src = w.tensor.at(base);
    // A transposed source ([n x k] with unit k stride) is copied as stored
    // and transposed by the weight load.
    bool isTransposed = w.kStride == 1 && w.nStride != 1;
    transposed[{slot.slot, slot.part}] = isTransposed;
    if (isTransposed)
      return emitCopy(ctx, op, true, src, wt, dst, p.compute,
                      {{int64_t(nLen), w.nStride, int64_t(kLen)},
                       {int64_t(kLen), 1, 1}});
    return emitCopy(ctx, op, true, src, wt, dst, p.compute,
                    {{int64_t(kLen), w.kStride, int64_t(nLen)},
                     {int64_t(nLen), w.nStride, 1}});
  }

  LogicalResult loadBiasTile(const GemmItem &item, uint64_t j,
                             unsigned slot) override {
    uint64_t extent = p.biasPerRow ? p.m : p.n;
    uint64_t first = p.biasPerRow ? item.tile.begin : j * t.nTile;
    uint64_t length = p.biasPerRow ? item.tile.rows : t.nAt(p.n, j);
    BufferRef src = spec.bias->at(int64_t(
        (p.biasPerProblem ? item.problem * extent : 0) + first));
    return emitCopy(ctx, op, true, src, spec.bias->dtype,
                    {biasBuffer, slot * layout.biasTileStride}, DType::F32,
                    {{int64_t(length), 1, 1}});
  }

  LogicalResult beginOutputTile(const GemmItem &, uint64_t,
                                unsigned acc) override {
    accBuffers[acc];
    return success();
  }

  LogicalResult gatherA(const GemmItem &item, uint64_t kk,
                        GemmSlot slot) override {
    return spec.gatherA(item.problem, item.tile, kk * t.kTile, t.kAt(p.k, kk),
                        aRef(slot));
  }

  LogicalResult multiply(const GemmItem &item, uint64_t j, uint64_t kk,
                         GemmSlot a, GemmSlot w, unsigned acc) override {
    uint64_t kLen = t.kAt(p.k, kk), nLen = t.nAt(p.n, j);
    bool isTransposed = transposed.lookup({w.slot, w.part});
    b.mxuLoadWeights(weightRef(w), p.compute, unsigned(kLen), unsigned(nLen),
                     uint32_t(isTransposed ? kLen : nLen), isTransposed);
    b.mxuMatmul(aRef(a), p.compute, uint32_t(item.tile.rows), unsigned(kLen),
                unsigned(nLen), uint32_t(kLen), {accBuffers[acc], 0},
                uint32_t(nLen),
                /*accumulate=*/kk > 0);
    return success();
  }

  LogicalResult finishOutputTile(const GemmItem &item, uint64_t j,
                                 const OutputSlots &slots) override {
    const RowTile &tile = item.tile;
    uint64_t nLen = t.nAt(p.n, j), n0 = j * t.nTile;
    unsigned accSlot = slots.acc, outSlot = slots.out;
    const std::optional<unsigned> &c = slots.c;
    // The bias row (column) of this tile: its slot, or its place among the
    // resident ones.
    uint64_t biasIndex =
        slots.bias ? *slots.bias
        : p.biasPerRow
            ? (p.biasPerProblem ? item.problem : 0) * t.rowTiles.size() +
                  tile.index
            : (p.biasPerProblem ? item.problem * nTiles : 0) + j;
    KernelBuilder::VpuOperand acc{
        {accBuffers[accSlot], 0}, uint32_t(nLen), DType::F32};
    if (spec.accScale != 1.0f) {
      npurt::Instruction scale =
          vpuInst(npurt::Opcode::VpuBinary, tile.rows, nLen);
      scale.func = npurt::VpuFunc::Mul;
      scale.broadcast = npurt::Broadcast::Scalar;
      scale.imm0 = spec.accScale;
      b.vpu(scale, acc, acc);
    }
    if (biasBuffer && p.biasPerRow) {
      // One bias per accumulator row: a column broadcast.
      npurt::Instruction add =
          vpuInst(npurt::Opcode::VpuBinary, tile.rows, nLen);
      add.func = npurt::VpuFunc::Add;
      add.broadcast = npurt::Broadcast::Col;
      b.vpu(add, acc, acc,
            {{biasBuffer, biasIndex * layout.biasTileStride}, 1, DType::F32});
    }
    if (c) {
      Value cBuffer = cBuffers[*c];
      KernelBuilder::VpuOperand cOperand{
          {cBuffer, 0}, uint32_t(nLen), DType::F32};
      if (failed(spec.loadC(item.problem, tile, n0, nLen, {cBuffer, 0})))
        return failure();
      if (spec.cScale != 1.0f) {
        npurt::Instruction scale =
            vpuInst(npurt::Opcode::VpuBinary, tile.rows, nLen);
        scale.func = npurt::VpuFunc::Mul;
        scale.broadcast = npurt::Broadcast::Scalar;
        scale.imm0 = spec.cScale;
        b.vpu(scale, cOperand, cOperand);
      }
      npurt::Instruction add =
          vpuInst(npurt::Opcode::VpuBinary, tile.rows, nLen);
      add.func = npurt::VpuFunc::Add;
      b.vpu(add, acc, acc, cOperand);
    }
    Value out = outBuffers[outSlot];
    npurt::Instruction epilogue =
        vpuInst(npurt::Opcode::VpuEpilogue, tile.rows, nLen);
    epilogue.func = spec.activation.func;
    epilogue.imm0 = spec.activation.imm0;
    epilogue.imm1 = spec.activation.imm1;
    KernelBuilder::VpuOperand biasOperand;
    if (biasBuffer && !p.biasPerRow) {
      epilogue.flags = npurt::kFlagBias;
      biasOperand = {{biasBuffer, biasIndex * layout.biasTileStride},
                     uint32_t(nLen),
                     DType::F32};
    }
    b.vpu(epilogue, {{out, 0}, uint32_t(nLen), p.outDram}, acc, biasOperand);
    return spec.storeOut(item.problem, tile, n0, nLen, {out, 0});
  }

  LogicalResult endItem(const GemmItem &item) override {
    if (!spec.afterRowTile)
      return success();
    return spec.afterRowTile(item.problem, item.tile);
  }

private:
  BufferRef aRef(GemmSlot slot) {
    return {aBuffers[slot.slot], layout.aSliceOffsets[t.aPanel ? slot.part : 0]};
  }
  BufferRef weightRef(GemmSlot slot) {
    return {bBuffers[slot.slot],
            t.bResident ? layout.bTileOffsets[slot.part] : 0};
  }

  KernelContext &ctx;
  Operation *op;
  const GemmSpec &spec;
  const MatmulProblem &p;
  const MatmulTiling &t;
  const MatmulLayout &layout;
  KernelBuilder &b;
  uint64_t kTiles, nTiles;
  SlotBuffers aBuffers, bBuffers, accBuffers, outBuffers, cBuffers;
  Value biasBuffer;
  /// Whether the weight tile in a slot (part) was copied transposed.
  llvm::DenseMap<std::pair<unsigned, uint64_t>, bool> transposed;
};
} // namespace

LogicalResult mlir::npu::emitGemm(KernelContext &ctx, Operation *op,
                                  const GemmSpec &spec) {
  std::optional<MatmulLayout> layout =
      layoutMatmul(ctx.target(), spec.problem, spec.tiling);
  if (!layout)
    return op->emitError("tile sizes overflow 64-bit arithmetic");
  GemmEmitter emitter(ctx, op, spec, *layout);
  return walkGemmLoop(spec.problem, spec.tiling, emitter);
}

FailureOr<TensorRef> mlir::npu::defineFusedOutput(KernelContext &ctx,
                                                  Value result,
                                                  const FusedEpilogue &fused) {
  for (Operation *consumer : fused.ops)
    ctx.markFused(consumer);
  TensorRef out = ctx.defineResult(fused.result);
  SmallVector<Value> chain = {result};
  for (Operation *consumer : fused.ops)
    chain.push_back(consumer->getResult(0));
  chain.pop_back();
  for (Value value : chain)
    if (failed(ctx.alias(value, out)))
      return failure();
  return out;
}

FusedEpilogue mlir::npu::findFusedEpilogue(KernelContext &ctx, Operation *op,
                                           Value result, int64_t axis,
                                           bool allowResidual) {
  FusedEpilogue fused;
  fused.result = result;
  auto type = cast<RankedTensorType>(result.getType());
  int64_t rank = type.getRank();
  int64_t extent = type.getDimSize(axis);
  // The other operand of a single-use nn.add of the current value that
  // keeps its type.
  auto addend = [&]() -> std::pair<nn::AddOp, Value> {
    auto add = dyn_cast_or_null<nn::AddOp>(singleUser(fused.result));
    if (!add || add.getType() != type || add.getLhs() == add.getRhs())
      return {};
    return {add, add.getLhs() == fused.result ? add.getRhs() : add.getLhs()};
  };

  if (auto [add, other] = addend(); add) {
    auto otherType = dyn_cast<RankedTensorType>(other.getType());
    // Right-aligned numpy broadcasting: every dimension of the constant but
    // the one facing `axis` is 1.
    bool rowLike = otherType && otherType.getRank() <= rank;
    if (rowLike) {
      int64_t shift = rank - otherType.getRank();
      for (int64_t d = 0; d < otherType.getRank(); ++d) {
        int64_t size = otherType.getDimSize(d);
        if (size != 1 && (d + shift != axis || size != extent))
          rowLike = false;
      }
    }
    if (rowLike) {
      if (FailureOr<std::vector<float>> values = ctx.constantValues(other);
          succeeded(values) && !values->empty()) {
        fused.bias.assign(extent, 0.0f);
        for (int64_t i = 0; i < extent; ++i)
          fused.bias[i] = (*values)[values->size() == 1 ? 0 : i];
        fused.ops.push_back(add);
        fused.result = add.getResult();
      }
    }
  }
  if (auto [add, other] = addend(); add && allowResidual &&
                                    other.getType() == type &&
                                    failed(ctx.constantValues(other))) {
    Operation *producer = other.getDefiningOp();
    bool ready = !producer || (producer->getBlock() == op->getBlock() &&
                               producer->isBeforeInBlock(op));
    if (ready) {
      fused.residual = other;
      fused.ops.push_back(add);
      fused.result = add.getResult();
    }
  }
  Operation *next = singleUser(fused.result);
  if (std::optional<Activation> act = epilogueActivation(next);
      act && next->getResult(0).getType() == fused.result.getType()) {
    fused.activation = *act;
    fused.ops.push_back(next);
    fused.result = next->getResult(0);
  }
  return fused;
}

//===----------------------------------------------------------------------===//
// nn.matmul
//===----------------------------------------------------------------------===//

LogicalResult mlir::npu::lowerMatMul(Operation *op, KernelContext &ctx) {
  auto matmul = cast<nn::MatMulOp>(op);
  auto aType = cast<RankedTensorType>(matmul.getA().getType());
  auto bType = cast<RankedTensorType>(matmul.getB().getType());
  auto outType = cast<RankedTensorType>(matmul.getType());
  if (!isa<FloatType>(aType.getElementType()))
    return op->emitError("nn.matmul on ")
           << aType.getElementType()
           << " is not supported by the MXU kernels (float element types only)";
  if (!aType.hasStaticShape() || !bType.hasStaticShape() ||
      !outType.hasStaticShape())
    return op->emitError("nn.matmul needs static shapes");

  // Promote 1-D operands as numpy does: a -> [1, K], b -> [K, 1].
  SmallVector<int64_t> aShape(aType.getShape()), bShape(bType.getShape());
  if (aShape.size() == 1)
    aShape.insert(aShape.begin(), 1);
  if (bShape.size() == 1)
    bShape.push_back(1);
  int64_t m = aShape[aShape.size() - 2], k = aShape.back();
  int64_t n = bShape.back();
  if (bShape[bShape.size() - 2] != k)
    return op->emitError("nn.matmul operands disagree on K");
  ArrayRef<int64_t> aBatch = ArrayRef(aShape).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef(bShape).drop_back(2);
  size_t batchRank = std::max(aBatch.size(), bBatch.size());
  SmallVector<int64_t> outBatch(batchRank, 1);
  // Strides (in matrices) of each broadcast batch dimension in a and b; 0
  // where the operand is broadcast.
  SmallVector<int64_t> aBatchStride(batchRank, 0), bBatchStride(batchRank, 0);
  auto fill = [&](ArrayRef<int64_t> batch, SmallVector<int64_t> &strides) {
    int64_t stride = 1;
    for (size_t i = 0; i < batch.size(); ++i) {
      size_t d = batchRank - 1 - i;
      int64_t size = batch[batch.size() - 1 - i];
      if (size != 1) {
        outBatch[d] = size;
        strides[d] = stride;
      }
      stride *= size;
    }
  };
  fill(aBatch, aBatchStride);
  fill(bBatch, bBatchStride);
  FailureOr<uint64_t> batchCount = checkedProduct(outBatch);
  FailureOr<uint64_t> aMatrices = checkedProduct(aBatch);
  FailureOr<uint64_t> bMatrices = checkedProduct(bBatch);
  if (failed(batchCount) || failed(aMatrices) || failed(bMatrices))
    return op->emitError("nn.matmul batch size overflows");

  // With one B for the whole batch, a's batch folds into M: its rows are
  // contiguous in DRAM and so are the result's.
  bool foldBatch = *bMatrices == 1;
  uint64_t count = foldBatch ? 1 : *batchCount;
  uint64_t rows = foldBatch ? uint64_t(m) * *aMatrices : uint64_t(m);
  auto batchOffset = [&](uint64_t problem, ArrayRef<int64_t> strides) {
    int64_t offset = 0;
    for (int64_t d = int64_t(batchRank) - 1; d >= 0; --d) {
      offset += int64_t(problem % outBatch[d]) * strides[d];
      problem /= outBatch[d];
    }
    return offset;
  };

  FailureOr<TensorRef> a = ctx.lookup(matmul.getA(), op);
  if (failed(a))
    return failure();
  DType compute = ctx.computeType();
  FailureOr<std::vector<float>> bValues = ctx.constantValues(matmul.getB());
  std::optional<TensorRef> bTensor;
  if (failed(bValues)) {
    FailureOr<TensorRef> b = ctx.lookup(matmul.getB(), op);
    if (failed(b))
      return failure();
    bTensor = *b;
  }

  FusedEpilogue fused =
      findFusedEpilogue(ctx, op, matmul.getResult(), outType.getRank() - 1);
  std::optional<TensorRef> residual;
  if (fused.residual) {
    FailureOr<TensorRef> tensor = ctx.lookup(fused.residual, op);
    if (failed(tensor))
      return failure();
    residual = *tensor;
  }

  MatmulProblem problem;
  problem.m = rows;
  problem.k = uint64_t(k);
  problem.n = uint64_t(n);
  problem.count = count;
  problem.sharedB = *bMatrices == 1;
  problem.bReadyFirst = !bTensor || producedBefore(matmul.getB(), matmul.getA());
  problem.aDram = a->dtype;
  problem.bDram = bTensor ? bTensor->dtype : compute;
  problem.compute = compute;
  problem.bias = !fused.bias.empty();
  problem.cTile = residual.has_value();
  if (residual)
    problem.cDram = residual->dtype;
  problem.transcendentalEpilogue =
      npurt::isTranscendental(fused.activation.func);
  // The result's DRAM dtype is known only once it is defined; the chip
  // dtype of a float result is computeType inside the model, f32 at the
  // I/O. Plan with the wider one: the estimate only gets safer.
  problem.outDram = DType::F32;
  std::optional<MatmulTiling> tiling =
      tileOrDiagnose(ctx, op, problem, [&](uint64_t cap) {
        return balancedTiles(problem.m, cap);
      });
  if (!tiling)
    return failure();

  uint64_t outputs = *batchCount * uint64_t(m) * uint64_t(n);
  SourceWork work;
  work.macs = *batchCount * uint64_t(m) * uint64_t(k) * uint64_t(n);
  work.vectorOps = outputs * (epiloguePasses(problem.bias, fused.activation) +
                              (residual ? 1 : 0));
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, matmul.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  problem.outDram = out.dtype;
  work.minDramBytes =
      a->bytes() + bytesOf(outputs, out.dtype) +
      (bTensor ? bTensor->bytes() : bytesOf(*bMatrices * k * n, compute)) +
      (problem.bias ? bytesOf(n, DType::F32) : 0) +
      (residual ? residual->bytes() : 0);
  ctx.beginSourceOp(op, work);

  GemmSpec spec;
  spec.problem = problem;
  spec.tiling = *tiling;
  spec.activation = fused.activation;
  if (bTensor) {
    spec.weights.tensor = *bTensor;
    spec.weights.kStride = n;
    spec.weights.nStride = 1;
    spec.weights.problemOffset = [&, kn = k * n](uint64_t p) {
      return batchOffset(p, bBatchStride) * kn;
    };
  } else {
    const std::vector<float> &values = *bValues;
    std::vector<uint8_t> packed =
        packWeights(*tiling, *bMatrices, k, n, compute,
                    [&](uint64_t p, uint64_t kk, uint64_t nn) {
                      return values[(p * k + kk) * n + nn];
                    });
    spec.weights.tensor =
        ctx.constant("matmul_weights", {int64_t(*bMatrices), k, n}, compute,
                     std::move(packed));
    spec.weights.packed = true;
    spec.weights.problemOffset = [&, kn = k * n](uint64_t p) {
      return batchOffset(p, bBatchStride) * kn;
    };
  }
  if (problem.bias) {
    spec.bias = ctx.constant("matmul_bias", {n}, DType::F32,
                             encodeValues(fused.bias, DType::F32));
  }
  int64_t mk = m * k, mn = m * n;
  if (residual)
    spec.loadC = [&](uint64_t p, const RowTile &tile, uint64_t n0,
                     uint64_t nLen, BufferRef dst) {
      int64_t base = int64_t(p) * mn + int64_t(tile.begin) * n + int64_t(n0);
      return emitCopy(
          ctx, op, true, residual->at(base), residual->dtype, dst, DType::F32,
          {{int64_t(tile.rows), n, int64_t(nLen)}, {int64_t(nLen), 1, 1}});
    };
  spec.gatherA = [&](uint64_t p, const RowTile &tile, uint64_t k0,
                     uint64_t kLen, BufferRef dst) {
    int64_t base = (foldBatch ? 0 : batchOffset(p, aBatchStride) * mk) +
                   int64_t(tile.begin) * k + int64_t(k0);
    return emitCopy(
        ctx, op, true, a->at(base), a->dtype, dst, compute,
        {{int64_t(tile.rows), k, int64_t(kLen)}, {int64_t(kLen), 1, 1}});
  };
  spec.storeOut = [&](uint64_t p, const RowTile &tile, uint64_t n0,
                      uint64_t nLen, BufferRef src) {
    int64_t base = int64_t(p) * mn + int64_t(tile.begin) * n + int64_t(n0);
    return emitCopy(
        ctx, op, false, out.at(base), out.dtype, src, out.dtype,
        {{int64_t(tile.rows), n, int64_t(nLen)}, {int64_t(nLen), 1, 1}});
  };
  return emitGemm(ctx, op, spec);
}

//===----------------------------------------------------------------------===//
// nn.gemm
//===----------------------------------------------------------------------===//

LogicalResult mlir::npu::lowerGemm(Operation *op, KernelContext &ctx) {
  auto gemm = cast<nn::GemmOp>(op);
  auto aType = cast<RankedTensorType>(gemm.getA().getType());
  auto bType = cast<RankedTensorType>(gemm.getB().getType());
  if (!isa<FloatType>(aType.getElementType()))
    return op->emitError("nn.gemm on ")
           << aType.getElementType()
           << " is not supported by the MXU kernels (float element types only)";
  if (!aType.hasStaticShape() || !bType.hasStaticShape() ||
      aType.getRank() != 2 || bType.getRank() != 2)
    return op->emitError("nn.gemm needs static 2-D operands");
  bool transA = gemm.getTransA(), transB = gemm.getTransB();
  int64_t m = transA ? aType.getDimSize(1) : aType.getDimSize(0);
  int64_t k = transA ? aType.getDimSize(0) : aType.getDimSize(1);
  int64_t n = transB ? bType.getDimSize(0) : bType.getDimSize(1);
  float alpha = gemm.getAlpha().convertToFloat();
  float beta = gemm.getBeta().convertToFloat();

  FailureOr<TensorRef> a = ctx.lookup(gemm.getA(), op);
  if (failed(a))
    return failure();
  DType compute = ctx.computeType();
  FailureOr<std::vector<float>> bValues = ctx.constantValues(gemm.getB());
  std::optional<TensorRef> bTensor;
  if (failed(bValues)) {
    FailureOr<TensorRef> b = ctx.lookup(gemm.getB(), op);
    if (failed(b))
      return failure();
    bTensor = *b;
  }

  // c broadcast to [M, N]: element strides along m and n (0 = broadcast).
  Value c = gemm.getC();
  int64_t cRowStride = 0, cColStride = 0;
  std::optional<std::vector<float>> cValues;
  std::optional<TensorRef> cTensor;
  if (c && beta != 0.0f) {
    auto cType = cast<RankedTensorType>(c.getType());
    if (!cType.hasStaticShape() || cType.getRank() > 2)
      return op->emitError("nn.gemm c must be a static tensor of rank <= 2");
    ArrayRef<int64_t> shape = cType.getShape();
    int64_t cm = shape.size() == 2 ? shape[0] : 1;
    int64_t cn = shape.empty() ? 1 : shape.back();
    cColStride = cn == 1 ? 0 : 1;
    cRowStride = cm == 1 ? 0 : cn;
    if (FailureOr<std::vector<float>> values = ctx.constantValues(c);
        succeeded(values)) {
      cValues = std::move(*values);
    } else {
      FailureOr<TensorRef> tensor = ctx.lookup(c, op);
      if (failed(tensor))
        return failure();
      cTensor = *tensor;
    }
  }
  bool cIsRow = (cValues || cTensor) && cRowStride == 0;
  // A residual add shares the accumulator-tile path with a c that is not a
  // constant row, so it is fused only when c does not need it.
  FusedEpilogue fused =
      findFusedEpilogue(ctx, op, gemm.getResult(), 1,
                        /*allowResidual=*/!cTensor && (!cValues || cIsRow));
  std::optional<TensorRef> residual;
  if (fused.residual) {
    FailureOr<TensorRef> tensor = ctx.lookup(fused.residual, op);
    if (failed(tensor))
      return failure();
    residual = *tensor;
  }

  // The epilogue's f32 bias row: beta * c when c is a constant row vector,
  // plus a fused add's constant.
  std::vector<float> bias = fused.bias;
  if (cValues && cIsRow) {
    bias.resize(n, 0.0f);
    for (int64_t j = 0; j < n; ++j)
      bias[j] += beta * (*cValues)[cColStride ? j : 0];
  }
  // Runtime row-vector c with beta == 1 is the bias row itself.
  bool cAsBiasTensor =
      cTensor && cIsRow && cColStride == 1 && beta == 1.0f && bias.empty();
  bool cAsTile = (cTensor && !cAsBiasTensor) || (cValues && !cIsRow);

  MatmulProblem problem;
  problem.m = uint64_t(m);
  problem.k = uint64_t(k);
  problem.n = uint64_t(n);
  problem.aDram = a->dtype;
  problem.bDram = bTensor ? bTensor->dtype : compute;
  problem.bReadyFirst = !bTensor || producedBefore(gemm.getB(), gemm.getA());
  problem.compute = compute;
  problem.bias = !bias.empty() || cAsBiasTensor;
  problem.transcendentalEpilogue =
      npurt::isTranscendental(fused.activation.func);
  // alpha folds into constant weights; otherwise the VPU scales each tile.
  problem.accPasses = (bTensor && alpha != 1.0f) ? 1 : 0;
  problem.cTile = cAsTile || residual;
  problem.cDram = residual ? residual->dtype
                  : cTensor ? cTensor->dtype
                            : DType::F32;
  problem.cScaled = cTensor && cAsTile && beta != 1.0f;
  problem.outDram = DType::F32;
  std::optional<MatmulTiling> tiling = tileOrDiagnose(
      ctx, op, problem, [&](uint64_t cap) { return balancedTiles(m, cap); });
  if (!tiling)
    return failure();

  uint64_t outputs = uint64_t(m) * uint64_t(n);
  SourceWork work;
  work.macs = outputs * uint64_t(k);
  work.vectorOps = outputs * (epiloguePasses(problem.bias, fused.activation) +
                              problem.accPasses + (problem.cTile ? 1 : 0) +
                              (problem.cScaled ? 1 : 0));
  FailureOr<TensorRef> defined =
      defineFusedOutput(ctx, gemm.getResult(), fused);
  if (failed(defined))
    return failure();
  TensorRef out = *defined;
  problem.outDram = out.dtype;
  uint64_t cBytes = cTensor ? cTensor->bytes()
                    : (cValues && cAsTile)
                        ? bytesOf(cValues->size(), DType::F32)
                        : 0;
  work.minDramBytes = a->bytes() + bytesOf(outputs, out.dtype) +
                      (bTensor ? bTensor->bytes() : bytesOf(k * n, compute)) +
                      cBytes + (bias.empty() ? 0 : bytesOf(n, DType::F32)) +
                      (residual ? residual->bytes() : 0);
  ctx.beginSourceOp(op, work);

  GemmSpec spec;
  spec.problem = problem;
  spec.tiling = *tiling;
  spec.activation = fused.activation;
  spec.weights.problemOffset = [](uint64_t) { return int64_t(0); };
  if (bTensor) {
    spec.weights.tensor = *bTensor;
    spec.weights.kStride = transB ? 1 : n;
    spec.weights.nStride = transB ? k : 1;
    spec.accScale = alpha;
  } else {
    const std::vector<float> &values = *bValues;
    std::vector<uint8_t> packed = packWeights(
        *tiling, 1, k, n, compute, [&](uint64_t, uint64_t kk, uint64_t nn) {
          return alpha * values[transB ? nn * k + kk : kk * n + nn];
        });
    spec.weights.tensor =
        ctx.constant("gemm_weights", {k, n}, compute, std::move(packed));
    spec.weights.packed = true;
  }
  if (!bias.empty())
    spec.bias = ctx.constant("gemm_bias", {n}, DType::F32,
                             encodeValues(bias, DType::F32));
  else if (cAsBiasTensor)
    spec.bias = *cTensor;

  std::optional<TensorRef> cSource = cTensor;
  if (cAsTile && cValues) {
    // A constant column or full c: stored once with beta applied.
    std::vector<float> scaled(*cValues);
    for (float &v : scaled)
      v *= beta;
    cSource = ctx.constant("gemm_c", {int64_t(scaled.size())}, DType::F32,
                           encodeValues(scaled, DType::F32));
  }
  if (cAsTile) {
    spec.cScale = cTensor ? beta : 1.0f;
    spec.loadC = [&](uint64_t, const RowTile &tile, uint64_t n0, uint64_t nLen,
                     BufferRef dst) {
      int64_t base =
          int64_t(tile.begin) * cRowStride + int64_t(n0) * cColStride;
      return emitCopy(ctx, op, true, cSource->at(base), cSource->dtype, dst,
                      DType::F32,
                      {{int64_t(tile.rows), cRowStride, int64_t(nLen)},
                       {int64_t(nLen), cColStride, 1}});
    };
  }
  if (residual)
    spec.loadC = [&](uint64_t, const RowTile &tile, uint64_t n0, uint64_t nLen,
                     BufferRef dst) {
      return emitCopy(
          ctx, op, true, residual->at(int64_t(tile.begin) * n + int64_t(n0)),
          residual->dtype, dst, DType::F32,
          {{int64_t(tile.rows), n, int64_t(nLen)}, {int64_t(nLen), 1, 1}});
    };
  spec.gatherA = [&](uint64_t, const RowTile &tile, uint64_t k0, uint64_t kLen,
                     BufferRef dst) {
    if (transA) // A is stored [K x M].
      return emitCopy(
          ctx, op, true, a->at(int64_t(k0) * m + int64_t(tile.begin)), a->dtype,
          dst, compute,
          {{int64_t(tile.rows), 1, int64_t(kLen)}, {int64_t(kLen), m, 1}});
    return emitCopy(
        ctx, op, true, a->at(int64_t(tile.begin) * k + int64_t(k0)), a->dtype,
        dst, compute,
        {{int64_t(tile.rows), k, int64_t(kLen)}, {int64_t(kLen), 1, 1}});
  };
  spec.storeOut = [&](uint64_t, const RowTile &tile, uint64_t n0, uint64_t nLen,
                      BufferRef src) {
    return emitCopy(
        ctx, op, false, out.at(int64_t(tile.begin) * n + int64_t(n0)),
        out.dtype, src, out.dtype,
        {{int64_t(tile.rows), n, int64_t(nLen)}, {int64_t(nLen), 1, 1}});
  };
  return emitGemm(ctx, op, spec);
}

void mlir::npu::populateMxuKernels(KernelRegistry &registry) {
  registry["nn.matmul"] = lowerMatMul;
  registry["nn.gemm"] = lowerGemm;
  registry["nn.conv"] = lowerConv;
  registry["nn.conv_transpose"] = lowerConvTranspose;
}
