//===- ReductionKernels.cpp - reductions on the VPU -----------------------===//
//
// reduce_sum / reduce_mean / reduce_max / reduce_min / reduce_prod over any
// axes (integers in the VPU's integer mode), global_avg_pool (a mean over
// the spatial axes), and arg_max / arg_min. Softmax and layer_norm reach the
// chip as these plus elementwise ops (nn-decompose).
//
// The input's dims are collapsed into kept and reduced groups; the DMA
// gathers tiles of the view [kept x reduced] (vpu_reduce over cols) or
// [reduced x kept] (over rows), whichever wastes fewer VPU lanes: the DMA
// walks any strides at no extra cost, so the VPU never sees a narrow row
// when a wide one exists. Partial results of successive tiles along the
// reduced dims accumulate in place (the accumulate flag), in fp32.
//
// A reduction over the last axis is first offered to a *row group*: it and
// the ops after it that only combine whole rows, per-row values, broadcast
// rows and scalars (softmax, layer_norm) run as one kernel over [rows x C]
// tiles, every intermediate staying in SRAM.
//
//===----------------------------------------------------------------------===//
#include "VpuKernelUtils.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace mlir::npu;
using namespace mlir::npu::vpu;
using npurt::Broadcast;
using npurt::DType;
using npurt::Opcode;
using npurt::ReduceDim;
using npurt::VpuFunc;

namespace {

/// One collapsed dim of the input.
struct ViewDim {
  int64_t extent;
  int64_t stride;
  bool reduced;
};

LogicalResult lowerReduction(Operation *op, KernelContext &ctx, VpuFunc func,
                             bool mean, ArrayRef<int64_t> axes) {
  Value input = op->getOperand(0);
  Value result = op->getResult(0);
  // Integers reduce in the VPU's integer mode, with wrap-around.
  bool integer = isIntegerElement(elementTypeOf(result));
  if (integer && mean)
    return unsupported(op) << "a mean of integers is not implemented";
  FailureOr<TensorRef> in = ctx.lookup(input, op);
  if (failed(in))
    return failure();
  DType partialType = integer ? DType::I32 : DType::F32;
  // The VPU reads i8 through a widening vpu_cast.
  bool widen = in->dtype == DType::I8;
  ArrayRef<int64_t> shape = shapeOf(input);
  SmallVector<bool> isReduced(shape.size(), axes.empty());
  for (int64_t axis : axes)
    if (axis >= 0 && axis < static_cast<int64_t>(shape.size()))
      isReduced[axis] = true;

  // Collapse: drop size-1 dims, merge neighbours of the same kind.
  SmallVector<int64_t> strides = rowMajorStrides(shape);
  SmallVector<ViewDim> dims;
  int64_t reducedCount = 1;
  for (unsigned d = 0; d < shape.size(); ++d) {
    if (isReduced[d])
      reducedCount *= shape[d];
    if (shape[d] == 1)
      continue;
    if (!dims.empty() && dims.back().reduced == isReduced[d]) {
      dims.back().extent *= shape[d];
      dims.back().stride = strides[d];
      continue;
    }
    dims.push_back({shape[d], strides[d], static_cast<bool>(isReduced[d])});
  }
  int64_t total = product(shape);
  bool anyReduced =
      llvm::any_of(dims, [](const ViewDim &d) { return d.reduced; });
  if (total == 0 || !anyReduced) {
    // Nothing to combine (or nothing at all): the values pass through.
    TensorRef out = ctx.defineResult(result);
    ctx.beginSourceOp(op, {0, 0, in->bytes() + out.bytes()});
    if (total == 0)
      return success();
    return copyTensor(ctx, op, *in, out);
  }
  TensorRef out = ctx.defineResult(result);
  if (out.dtype == DType::I8)
    return unsupported(op) << "an int8 reduction result is not implemented "
                              "(reduce to a wider integer type)";

  SmallVector<ViewDim> kept, reduced;
  for (const ViewDim &dim : dims)
    (dim.reduced ? reduced : kept).push_back(dim);
  int64_t keptCount = 1;
  for (const ViewDim &dim : kept)
    keptCount *= dim.extent;
  int64_t lanes = std::max<int64_t>(ctx.target().vpu_lanes, 1);
  auto groups = [&](int64_t n) { return (n + lanes - 1) / lanes; };
  // [kept x reduced] reduces along rows of the VPU; [reduced x kept] across
  // them. Ties go to the view whose innermost dim is the input's.
  int64_t colsCost = keptCount * groups(reducedCount);
  int64_t rowsCost = reducedCount * groups(keptCount);
  bool overCols =
      colsCost < rowsCost || (colsCost == rowsCost && dims.back().reduced);

  SmallVector<int64_t> extents, inStrides;
  SmallVector<bool> keptMask;
  auto append = [&](ArrayRef<ViewDim> group, bool keep) {
    for (const ViewDim &dim : group) {
      extents.push_back(dim.extent);
      inStrides.push_back(dim.stride);
      keptMask.push_back(keep);
    }
  };
  unsigned numRowDims;
  if (overCols) {
    append(kept, true);
    append(reduced, false);
    numRowDims = kept.size();
  } else {
    append(reduced, false);
    append(kept, true);
    numRowDims = reduced.size();
  }
  // Output strides: the kept dims, dense in their input order.
  SmallVector<int64_t> outStrides(extents.size(), 0);
  {
    int64_t stride = 1;
    for (int64_t d = static_cast<int64_t>(extents.size()) - 1; d >= 0; --d)
      if (keptMask[d]) {
        outStrides[d] = stride;
        stride *= extents[d];
      }
  }

  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  // Per tile element: the input tile (and its widened copy), and at most
  // one fp32/i32 partial.
  uint64_t perElement =
      (npurt::dtypeSize(in->dtype) + (widen ? 4 : 0) + 4) * numBuffers;
  int64_t maxElements = chooseTileElements(ctx.target(), total, perElement,
                                           npurt::dtypeSize(in->dtype));
  TileGrid grid = planTiles(extents, numRowDims, maxElements);
  int64_t vectorElements = overCols ? grid.maxRows() : grid.maxCols();

  SourceWork work;
  work.vectorOps = static_cast<uint64_t>(total) +
                   (mean ? static_cast<uint64_t>(out.numElements()) : 0);
  work.minDramBytes = in->bytes() + out.bytes();
  ctx.beginSourceOp(op, work);

  KernelBuilder &kb = ctx.builder();
  BufferRing inRing(Space::Sram,
                    grid.maxElements() * npurt::dtypeSize(in->dtype),
                    numBuffers, "reduce.in");
  BufferRing wideRing(Space::Sram, widen ? grid.maxElements() * 4 : 0,
                      numBuffers, "reduce.wide");
  BufferRing outRing(Space::Sram, vectorElements * 4, numBuffers, "reduce.out");
  SmallVector<bool> all(extents.size(), true);
  Value partial;
  forEachTile(grid, /*colsOuter=*/!overCols, [&](const Tile &tile) {
    Value buffer = inRing.next(kb);
    emitDmaBox(kb, /*load=*/true, elementOf(*in, tileOffset(tile, inStrides)),
               in->dtype, {buffer, 0}, in->dtype,
               tileBox(tile, inStrides, all));
    DType tileType = in->dtype;
    if (widen) {
      Value wide = wideRing.next(kb);
      kb.vpu(vpuInst(Opcode::VpuCast, VpuFunc::None, tile.rows, tile.cols),
             operand(wide, tile.cols, DType::I32),
             operand(buffer, tile.cols, DType::I8));
      buffer = wide;
      tileType = DType::I32;
    }
    if (tile.firstInner)
      partial = outRing.next(kb);
    int64_t vectorRows = overCols ? tile.rows : 1;
    int64_t vectorCols = overCols ? 1 : tile.cols;
    int64_t vectorStride = overCols ? 1 : tile.cols;
    npurt::Instruction reduce =
        vpuInst(Opcode::VpuReduce, func, tile.rows, tile.cols);
    reduce.reduce_dim = overCols ? ReduceDim::Cols : ReduceDim::Rows;
    if (!tile.firstInner)
      reduce.flags = npurt::kFlagAccumulate;
    kb.vpu(reduce, operand(partial, vectorStride, partialType),
           operand(buffer, tile.cols, tileType));
    if (!tile.lastInner)
      return;
    if (mean) {
      npurt::Instruction divide =
          vpuInst(Opcode::VpuBinary, VpuFunc::Div, vectorRows, vectorCols);
      divide.broadcast = Broadcast::Scalar;
      divide.imm0 = static_cast<float>(reducedCount);
      kb.vpu(divide, operand(partial, vectorStride, DType::F32),
             operand(partial, vectorStride, DType::F32));
    }
    emitDmaBox(kb, /*load=*/false, elementOf(out, tileOffset(tile, outStrides)),
               out.dtype, {partial, 0}, partialType,
               tileBox(tile, outStrides, keptMask));
  });
  return success();
}

/// arg_max / arg_min along one axis: per row of the view [kept x axis], the
/// extreme value m (vpu_reduce), the positions equal to it (for floats,
/// also the NaNs: NaN is the extreme when present, as in numpy), then the
/// first (or last) such index as the min (max) over `eq * (k - n) + n`
/// (`eq * (k + 1) - 1`), converted to i32. Each row holds the whole axis.
LogicalResult lowerArgReduction(Operation *op, KernelContext &ctx,
                                bool isMax) {
  auto adaptor = [&]() -> std::tuple<Value, int64_t, bool> {
    if (auto arg = dyn_cast<nn::ArgMaxOp>(op))
      return {arg.getInput(), arg.getAxis(), arg.getSelectLastIndex()};
    auto arg = cast<nn::ArgMinOp>(op);
    return {arg.getInput(), arg.getAxis(), arg.getSelectLastIndex()};
  };
  auto [input, axis, lastIndex] = adaptor();
  FailureOr<TensorRef> in = ctx.lookup(input, op);
  if (failed(in))
    return failure();
  ArrayRef<int64_t> shape = in->shape;
  int64_t outer = product(shape.take_front(axis));
  int64_t n = shape[axis];
  int64_t inner = product(shape.drop_front(axis + 1));
  TensorRef out = ctx.defineResult(op->getResult(0));
  bool integer = !isVpuFloat(in->dtype);
  DType valueType = integer ? DType::I32 : in->dtype;
  const npurt::Target &target = ctx.target();
  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  if (n > kMaxExtent)
    return unsupported(op) << "its axis of " << n
                           << " elements exceeds the VPU's 65535 columns";
  // Per row: the input row (and its widened copy), the mask row, the
  // extreme, the index.
  uint64_t perRow = (n * (npurt::dtypeSize(in->dtype) + 4) + 16) * numBuffers +
                    n * 4 + 64;
  uint64_t budget = sramBudget(target);
  if (perRow + 4 * alignSram(target, n * 4) >= budget)
    return unsupported(op) << "one row of its " << n
                           << "-element axis does not fit SRAM";
  int64_t positions = outer * inner;
  int64_t rowsPerTile = std::min<int64_t>(
      {std::max<int64_t>(positions, 1),
       static_cast<int64_t>((budget - 4 * alignSram(target, n * 4)) / perRow),
       std::max<int64_t>(
           chooseTileElements(target, positions * n,
                              (npurt::dtypeSize(in->dtype) + 8) * numBuffers,
                              npurt::dtypeSize(in->dtype)) /
               n,
           1),
       kMaxExtent});

  SourceWork work;
  work.vectorOps = static_cast<uint64_t>(outer * inner * n) * 3;
  work.minDramBytes = in->bytes() + out.bytes();
  // The index row: k - n (first index) or k + 1 (last index), exact in f32.
  std::vector<uint8_t> rowBytes(n * 4);
  for (int64_t k = 0; k < n; ++k) {
    float v = static_cast<float>(lastIndex ? k + 1 : k - n);
    std::memcpy(rowBytes.data() + 4 * k, &v, 4);
  }
  TensorRef indexRow =
      ctx.constant("arg.index_row", {n}, DType::F32, std::move(rowBytes));
  ctx.beginSourceOp(op, work);
  if (out.numElements() == 0)
    return success();

  KernelBuilder &kb = ctx.builder();
  Value row = kb.alloc(Space::Sram, n * 4, "arg.index_row");
  emitDmaBox(kb, /*load=*/true, elementOf(indexRow, 0), DType::F32, {row, 0},
             DType::F32, {{n, 1, 1}});
  BufferRing inRing(Space::Sram, rowsPerTile * n * npurt::dtypeSize(in->dtype),
                    numBuffers, "arg.in");
  BufferRing wideRing(Space::Sram, in->dtype == DType::I8 ? rowsPerTile * n * 4
                                                          : 0,
                      numBuffers, "arg.wide");
  BufferRing maskRing(Space::Sram, rowsPerTile * n * 4, 1, "arg.mask");
  BufferRing nanRing(Space::Sram, integer ? 0 : rowsPerTile * n * 4, 1,
                     "arg.nan");
  BufferRing extremeRing(Space::Sram, rowsPerTile * 4, numBuffers,
                         "arg.extreme");
  BufferRing indexRing(Space::Sram, rowsPerTile * 4, numBuffers, "arg.index");
  VpuFunc extreme = isMax ? VpuFunc::Max : VpuFunc::Min;
  for (int64_t p0 = 0; p0 < positions; p0 += rowsPerTile) {
    int64_t rows = std::min(rowsPerTile, positions - p0);
    Value x = inRing.next(kb);
    // Rows are positions (o, i) in order; each row walks the axis. With
    // inner = 1 the rows are consecutive in DRAM: one box.
    for (int64_t p = p0; p < p0 + rows;) {
      int64_t o = p / inner, i = p % inner;
      int64_t run = inner == 1 ? rows : std::min(inner - i, p0 + rows - p);
      emitDmaBox(kb, /*load=*/true, elementOf(*in, (o * n) * inner + i),
                 in->dtype, offsetBy({x, 0}, (p - p0) * n, in->dtype),
                 in->dtype,
                 {{run, inner == 1 ? n : 1, n}, {n, inner, 1}});
      p += run;
    }
    if (in->dtype == DType::I8) {
      Value wide = wideRing.next(kb);
      kb.vpu(vpuInst(Opcode::VpuCast, VpuFunc::None, rows, n),
             operand(wide, n, DType::I32), operand(x, n, DType::I8));
      x = wide;
    }
    Value m = extremeRing.next(kb);
    npurt::Instruction reduce = vpuInst(Opcode::VpuReduce, extreme, rows, n);
    reduce.reduce_dim = npurt::ReduceDim::Cols;
    DType mType = integer ? DType::I32 : DType::F32;
    kb.vpu(reduce, operand(m, 1, mType), operand(x, n, valueType));
    Value mask = maskRing.get(kb, 0);
    npurt::Instruction equal = vpuInst(Opcode::VpuBinary, VpuFunc::CmpEq, rows,
                                       n);
    equal.broadcast = Broadcast::Col;
    kb.vpu(equal, operand(mask, n, DType::F32), operand(x, n, valueType),
           operand(m, 1, mType));
    if (!integer) {
      Value nan = nanRing.get(kb, 0);
      kb.vpu(vpuInst(Opcode::VpuBinary, VpuFunc::CmpNe, rows, n),
             operand(nan, n, DType::F32), operand(x, n, valueType),
             operand(x, n, valueType));
      kb.vpu(vpuInst(Opcode::VpuBinary, VpuFunc::Max, rows, n),
             operand(mask, n, DType::F32), operand(mask, n, DType::F32),
             operand(nan, n, DType::F32));
    }
    npurt::Instruction scale = vpuInst(Opcode::VpuBinary, VpuFunc::Mul, rows, n);
    scale.broadcast = Broadcast::Row;
    kb.vpu(scale, operand(mask, n, DType::F32), operand(mask, n, DType::F32),
           operand(row, n, DType::F32));
    Value index = indexRing.next(kb);
    npurt::Instruction pick = vpuInst(
        Opcode::VpuReduce, lastIndex ? VpuFunc::Max : VpuFunc::Min, rows, n);
    pick.reduce_dim = npurt::ReduceDim::Cols;
    kb.vpu(pick, operand(index, 1, DType::F32), operand(mask, n, DType::F32));
    npurt::Instruction shift =
        vpuInst(Opcode::VpuBinary, VpuFunc::Add, rows, 1);
    shift.broadcast = Broadcast::Scalar;
    shift.imm0 = lastIndex ? -1.0f : static_cast<float>(n);
    kb.vpu(shift, operand(index, 1, DType::F32), operand(index, 1, DType::F32));
    kb.vpu(vpuInst(Opcode::VpuCast, VpuFunc::Trunc, rows, 1),
           operand(index, 1, DType::I32), operand(index, 1, DType::F32));
    emitDmaBox(kb, /*load=*/false, elementOf(out, p0), out.dtype, {index, 0},
               DType::I32, {{rows, 1, 1}});
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Row groups: a last-axis reduction fused with what follows it
//===----------------------------------------------------------------------===//

/// How a value of a row group sits in a [rows x C] tile.
enum class RowForm { Full, Col, Row, Scalar };

/// A row group computes in f32: no integers, conversions or bf16 rounding.
bool isFloatStep(const Step &step) {
  return !step.integer && !step.integerResult && !step.roundToBf16 &&
         step.kind != Step::Kind::Convert;
}

/// A last-axis reduction (keepdims) and the later ops computed from it that
/// only combine full rows [.., C], per-row values [.., 1], rows broadcast
/// from [C] and scalars: softmax and layer_norm after nn-decompose, a
/// softmax cross-entropy with its gradient. The whole group runs on one
/// [rows x C] tile at a time with every intermediate in SRAM; the values
/// read outside the group are stored. An op joins when its operands are
/// values of the group or available before the group's first op (it moves
/// up to there), so unrelated ops in between do not end the group.
class RowGroupLowering {
public:
  RowGroupLowering(KernelContext &ctx, Operation *reduce)
      : ctx(ctx), kb(ctx.builder()), target(ctx.target()), first(reduce) {}

  /// Collects the group; false when fewer than two ops qualify.
  bool collect();
  LogicalResult run();

private:
  struct Member {
    Operation *op;
    bool isReduce = false;
    VpuFunc reduceFunc = VpuFunc::Add;
    bool mean = false;
    Step step;
    RowForm form = RowForm::Full;
    /// Read outside the group: stored to `tensor`.
    bool stored = false;
    TensorRef tensor;
    BufferRing ring;
    Value buffer;
  };
  struct External {
    Value value;
    RowForm form = RowForm::Full;
    std::optional<float> scalar;
    TensorRef tensor;
    BufferRing ring;
    Value buffer;
  };

  std::optional<RowForm> formOfShape(ArrayRef<int64_t> shape) const;
  /// Reduction kind of `op` if it is a last-axis keepdims float reduction.
  std::optional<std::pair<VpuFunc, bool>>
  lastAxisReduction(Operation *op) const;
  bool availableBefore(Value value) const;
  /// The form and buffer of an operand in the current tile.
  struct Operand {
    RowForm form;
    Value buffer;
    DType dtype = DType::F32;
    float scalar = 0.0f;
  };
  Operand operandOf(Value value);
  Value materialize(const Operand &value, RowForm to, unsigned slot);
  /// VPU shape and row stride of a value of `form` in the current tile.
  struct Geom {
    int64_t rows, cols, stride;
  };
  Geom geom(RowForm form) const;
  /// The broadcast mode of a per-row value or broadcast row against a full
  /// tile.
  Broadcast vectorMode(RowForm form) const;
  SmallVector<CopyDim> fullBox() const;
  void emitTile(int64_t row0, int64_t rows, unsigned tileIndex);

  KernelContext &ctx;
  KernelBuilder &kb;
  const npurt::Target &target;
  Operation *first;
  SmallVector<int64_t> shape;
  int64_t cols = 0, totalRows = 0, rows = 0;
  /// Tiles are laid out [C x rows] (reductions over VPU rows) when rows
  /// shorter than the lanes would waste them.
  bool transposed = false;
  SmallVector<Member, 0> members;
  SmallVector<External, 0> externals;
  llvm::DenseMap<Value, unsigned> memberOf, externalOf;
  SmallVector<BufferRing, 3> matRings;
};

/// How far past the first op of a row group later ops are considered.
constexpr unsigned kMaxRowGroupScan = 128;

std::optional<RowForm>
RowGroupLowering::formOfShape(ArrayRef<int64_t> other) const {
  if (other == ArrayRef<int64_t>(shape))
    return RowForm::Full;
  if (product(other) == 1)
    return RowForm::Scalar;
  if (other.size() == shape.size() && other.back() == 1 &&
      other.drop_back() == ArrayRef<int64_t>(shape).drop_back())
    return RowForm::Col;
  if (!other.empty() && other.back() == cols && product(other) == cols &&
      other.size() <= shape.size())
    return RowForm::Row;
  return std::nullopt;
}

std::optional<std::pair<VpuFunc, bool>>
RowGroupLowering::lastAxisReduction(Operation *op) const {
  auto match = [&](auto reduce) -> bool {
    ArrayRef<int64_t> axes = reduce.getAxes();
    int64_t rank = shapeOf(reduce.getInput()).size();
    return reduce.getKeepdims() && rank >= 1 && axes.size() == 1 &&
           axes[0] == rank - 1 &&
           isFloatElement(elementTypeOf(reduce.getOutput()));
  };
  if (auto r = dyn_cast<nn::ReduceSumOp>(op); r && match(r))
    return std::make_pair(VpuFunc::Add, false);
  if (auto r = dyn_cast<nn::ReduceMeanOp>(op); r && match(r))
    return std::make_pair(VpuFunc::Add, true);
  if (auto r = dyn_cast<nn::ReduceMaxOp>(op); r && match(r))
    return std::make_pair(VpuFunc::Max, false);
  if (auto r = dyn_cast<nn::ReduceMinOp>(op); r && match(r))
    return std::make_pair(VpuFunc::Min, false);
  return std::nullopt;
}

bool RowGroupLowering::availableBefore(Value value) const {
  Operation *def = value.getDefiningOp();
  if (!def || isa<nn::ConstantOp>(def))
    return true;
  return def->getBlock() == first->getBlock() && def->isBeforeInBlock(first);
}

bool RowGroupLowering::collect() {
  std::optional<std::pair<VpuFunc, bool>> kind = lastAxisReduction(first);
  Member head;
  head.op = first;
  if (kind) {
    head.isReduce = true;
    head.reduceFunc = kind->first;
    head.mean = kind->second;
    head.form = RowForm::Col;
    Value input = first->getOperand(0);
    shape.assign(shapeOf(input).begin(), shapeOf(input).end());
  } else {
    // An elementwise op whose full-shaped result feeds a reduction (the
    // causal-mask select before a softmax).
    std::string why;
    FailureOr<Step> step = describeElementwise(first, ctx, why);
    if (failed(step) || !isFloatStep(*step) || first->getNumResults() != 1)
      return false;
    head.step = *step;
    head.form = RowForm::Full;
    Value result = first->getResult(0);
    shape.assign(shapeOf(result).begin(), shapeOf(result).end());
    if (shape.empty())
      return false;
  }
  cols = shape.back();
  totalRows = product(shape) / std::max<int64_t>(cols, 1);
  if (cols < 2 || cols > kMaxExtent || totalRows < 1)
    return false;
  auto addExternal = [&](Value value, RowForm form) {
    if (externalOf.count(value))
      return;
    External external;
    external.value = value;
    external.form = form;
    if (form == RowForm::Scalar)
      external.scalar = scalarConstant(value, ctx);
    externalOf[value] = externals.size();
    externals.push_back(std::move(external));
  };
  if (!kind)
    for (Value operand : head.step.operands) {
      std::optional<RowForm> form = formOfShape(shapeOf(operand));
      if (!form || (!isFloatElement(elementTypeOf(operand)) &&
                    !elementTypeOf(operand).isInteger(1)))
        return false;
    }
  memberOf[first->getResult(0)] = 0;
  members.push_back(head);

  unsigned scanned = 0;
  for (Operation *op = first->getNextNode();
       op && !op->hasTrait<OpTrait::IsTerminator>() &&
       scanned < kMaxRowGroupScan;
       op = op->getNextNode(), ++scanned) {
    if (isa<nn::ConstantOp>(op))
      continue;
    if (ctx.isFused(op) || op->getNumResults() != 1)
      continue;
    Member member;
    member.op = op;
    SmallVector<Value, 3> operands;
    if (auto reduce = lastAxisReduction(op)) {
      member.isReduce = true;
      member.reduceFunc = reduce->first;
      member.mean = reduce->second;
      member.form = RowForm::Col;
      operands = {op->getOperand(0)};
    } else {
      std::string why;
      FailureOr<Step> step = describeElementwise(op, ctx, why);
      if (failed(step) || !isFloatStep(*step))
        continue;
      member.step = *step;
      operands.assign(step->operands.begin(), step->operands.end());
    }
    bool uses = false, ok = true;
    bool anyFull = false;
    for (Value operand : operands) {
      std::optional<RowForm> form = formOfShape(shapeOf(operand));
      auto it = memberOf.find(operand);
      if (it != memberOf.end()) {
        uses = true;
        form = members[it->second].form;
      } else if (!form || !availableBefore(operand) ||
                 (!isFloatElement(elementTypeOf(operand)) &&
                  !elementTypeOf(operand).isInteger(1))) {
        ok = false;
      }
      if (form && (*form == RowForm::Full || *form == RowForm::Row))
        anyFull = true;
      if (member.isReduce && form != RowForm::Full)
        ok = false;
    }
    if (!ok || !uses)
      continue;
    if (!member.isReduce)
      member.form = anyFull ? RowForm::Full : RowForm::Col;
    std::optional<RowForm> resultForm = formOfShape(shapeOf(op->getResult(0)));
    if (!resultForm || *resultForm != member.form)
      continue;
    memberOf[op->getResult(0)] = members.size();
    members.push_back(std::move(member));
  }
  if (members.size() < 2)
    return false;
  // Without a reduction an elementwise group does the same job.
  if (llvm::none_of(members, [](const Member &m) { return m.isReduce; }))
    return false;
  // Values read outside the group are stored.
  SmallPtrSet<Operation *, 16> inside;
  for (const Member &member : members)
    inside.insert(member.op);
  for (Member &member : members) {
    Value result = member.op->getResult(0);
    member.stored = result.use_empty() ||
                    llvm::any_of(result.getUsers(), [&](Operation *user) {
                      return !inside.contains(user);
                    });
  }
  for (Member &member : members) {
    SmallVector<Value, 3> operands(member.op->getOperands());
    if (!member.isReduce)
      operands.assign(member.step.operands.begin(), member.step.operands.end());
    for (Value operand : operands)
      if (!memberOf.count(operand))
        addExternal(operand, *formOfShape(shapeOf(operand)));
  }
  // Rows per tile: every member and external keeps its own buffers.
  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;
  uint64_t perRow = 0, fixed = 0;
  for (const Member &member : members)
    perRow += (member.form == RowForm::Full ? cols * 4 : 4) * numBuffers;
  for (const External &external : externals) {
    if (external.form == RowForm::Full)
      perRow += cols * 4 * numBuffers;
    else if (external.form == RowForm::Row)
      fixed += alignSram(target, cols * 4) * numBuffers;
    else
      perRow += 4 * numBuffers;
  }
  perRow += 3 * cols * 4 + cols * 4; // Broadcast temporaries, reciprocals.
  fixed += 64 * target.sram_alignment * (members.size() + externals.size());
  uint64_t budget = sramBudget(target);
  if (budget <= fixed + perRow)
    return false;
  int64_t fit = static_cast<int64_t>((budget - fixed) / perRow);
  int64_t total = totalRows * cols;
  int64_t pipelined =
      chooseTileElements(target, total, perRow / cols + 1, 8) / cols;
  rows = std::max<int64_t>(1, std::min({totalRows, fit, kMaxExtent,
                                        std::max<int64_t>(pipelined, 1)}));
  return true;
}

RowGroupLowering::Operand RowGroupLowering::operandOf(Value value) {
  auto member = memberOf.find(value);
  if (member != memberOf.end())
    return {members[member->second].form, members[member->second].buffer,
            DType::F32, 0.0f};
  External &external = externals[externalOf.lookup(value)];
  if (external.scalar)
    return {RowForm::Scalar, Value(), DType::F32, *external.scalar};
  return {external.form, external.buffer, external.tensor.dtype, 0.0f};
}

RowGroupLowering::Geom RowGroupLowering::geom(RowForm form) const {
  // Normal: a tile is [rows x C]; transposed: [C x rows] (narrow rows would
  // waste VPU lanes). Per-row values follow the rows, broadcast rows C.
  switch (form) {
  case RowForm::Full:
    return transposed ? Geom{cols, rows, rows} : Geom{rows, cols, cols};
  case RowForm::Col:
  case RowForm::Scalar:
    return transposed ? Geom{1, rows, rows} : Geom{rows, 1, 1};
  case RowForm::Row:
    return transposed ? Geom{cols, 1, 1} : Geom{1, cols, cols};
  }
  return {1, 1, 1};
}

Broadcast RowGroupLowering::vectorMode(RowForm form) const {
  bool perRow = form == RowForm::Col;
  return perRow != transposed ? Broadcast::Col : Broadcast::Row;
}

Value RowGroupLowering::materialize(const Operand &value, RowForm to,
                                    unsigned slot) {
  Geom shape = geom(to);
  Value buffer = matRings[slot].get(kb, 0);
  npurt::Instruction inst =
      vpuInst(Opcode::VpuBroadcast, VpuFunc::None, shape.rows, shape.cols);
  KernelBuilder::VpuOperand src;
  if (value.form == RowForm::Scalar) {
    inst.broadcast = Broadcast::Scalar;
    inst.imm0 = value.scalar;
  } else {
    inst.broadcast = vectorMode(value.form);
    src = operand(value.buffer, geom(value.form).stride, value.dtype);
  }
  kb.vpu(inst, operand(buffer, shape.stride, DType::F32), src);
  return buffer;
}

/// The DMA box of a full [rows x C] block in the tile's layout.
SmallVector<CopyDim> RowGroupLowering::fullBox() const {
  if (transposed)
    return {{cols, 1, rows}, {rows, cols, 1}};
  return {{rows * cols, 1, 1}};
}

void RowGroupLowering::emitTile(int64_t row0, int64_t tileRows,
                                unsigned tileIndex) {
  rows = tileRows;
  for (External &external : externals) {
    if (external.scalar)
      continue;
    if (external.form == RowForm::Row) {
      if (tileIndex == 0) {
        external.buffer = external.ring.get(kb, 0);
        emitDmaBox(kb, /*load=*/true, elementOf(external.tensor, 0),
                   external.tensor.dtype, {external.buffer, 0},
                   external.tensor.dtype, {{cols, 1, 1}});
      }
      continue;
    }
    external.buffer = external.ring.get(kb, tileIndex);
    if (external.form == RowForm::Full)
      emitDmaBox(kb, /*load=*/true, elementOf(external.tensor, row0 * cols),
                 external.tensor.dtype, {external.buffer, 0},
                 external.tensor.dtype, fullBox());
    else // Col, or a run-time scalar replicated down the column.
      emitDmaBox(kb, /*load=*/true,
                 elementOf(external.tensor,
                           external.tensor.numElements() == 1 ? 0 : row0),
                 external.tensor.dtype, {external.buffer, 0},
                 external.tensor.dtype,
                 {{rows, external.tensor.numElements() == 1 ? 0 : 1, 1}});
  }
  for (Member &member : members) {
    Geom shape = geom(member.form);
    Value dst = member.ring.get(kb, tileIndex);
    member.buffer = dst;
    KernelBuilder::VpuOperand dstOperand =
        operand(dst, shape.stride, DType::F32);
    if (member.isReduce) {
      Operand src = operandOf(member.op->getOperand(0));
      Geom full = geom(RowForm::Full);
      npurt::Instruction reduce =
          vpuInst(Opcode::VpuReduce, member.reduceFunc, full.rows, full.cols);
      reduce.reduce_dim = transposed ? ReduceDim::Rows : ReduceDim::Cols;
      kb.vpu(reduce, dstOperand, operand(src.buffer, full.stride, src.dtype));
      if (member.mean) {
        npurt::Instruction divide =
            vpuInst(Opcode::VpuBinary, VpuFunc::Div, shape.rows, shape.cols);
        divide.broadcast = Broadcast::Scalar;
        divide.imm0 = static_cast<float>(cols);
        kb.vpu(divide, dstOperand, dstOperand);
      }
      continue;
    }
    const Step &step = member.step;
    auto asForm = [&](Operand value, unsigned slot) {
      if (value.form != member.form)
        value = {member.form, materialize(value, member.form, slot),
                 DType::F32};
      return operand(value.buffer, shape.stride, value.dtype);
    };
    switch (step.kind) {
    case Step::Kind::Convert:
      llvm_unreachable("collect() admits only isFloatStep members");
    case Step::Kind::Unary: {
      npurt::Instruction inst =
          vpuInst(Opcode::VpuUnary, step.func, shape.rows, shape.cols);
      if (step.func == VpuFunc::LeakyRelu || step.func == VpuFunc::Clip)
        inst.imm0 = step.imm0;
      if (step.func == VpuFunc::Clip)
        inst.imm1 = step.imm1;
      kb.vpu(inst, dstOperand, asForm(operandOf(step.operands[0]), 0));
      break;
    }
    case Step::Kind::BinaryImm: {
      npurt::Instruction inst =
          vpuInst(Opcode::VpuBinary, step.func, shape.rows, shape.cols);
      inst.broadcast = Broadcast::Scalar;
      inst.imm0 = step.imm0;
      kb.vpu(inst, dstOperand, asForm(operandOf(step.operands[0]), 0));
      break;
    }
    case Step::Kind::Binary: {
      Operand lhs = operandOf(step.operands[0]);
      Operand rhs = operandOf(step.operands[1]);
      VpuFunc func = step.func;
      if (lhs.form != member.form && rhs.form == member.form &&
          isCommutative(func))
        std::swap(lhs, rhs);
      npurt::Instruction inst =
          vpuInst(Opcode::VpuBinary, func, shape.rows, shape.cols);
      KernelBuilder::VpuOperand src1;
      if (rhs.form == member.form) {
        src1 = operand(rhs.buffer, shape.stride, rhs.dtype);
      } else if (rhs.form == RowForm::Scalar) {
        inst.broadcast = Broadcast::Scalar;
        inst.imm0 = rhs.scalar;
        if (func == VpuFunc::Div && rhs.scalar != 0.0f &&
            std::isfinite(1.0 / rhs.scalar)) {
          inst.func = VpuFunc::Mul;
          inst.imm0 = static_cast<float>(1.0 / rhs.scalar);
        }
      } else {
        // A per-row value or a broadcast row across a full tile.
        inst.broadcast = vectorMode(rhs.form);
        Geom vectorShape = geom(rhs.form);
        KernelBuilder::VpuOperand vector =
            operand(rhs.buffer, vectorShape.stride, rhs.dtype);
        if (func == VpuFunc::Div) {
          Value recip = matRings[2].get(kb, 0);
          kb.vpu(vpuInst(Opcode::VpuUnary, VpuFunc::Recip, vectorShape.rows,
                         vectorShape.cols),
                 operand(recip, vectorShape.stride, DType::F32), vector);
          vector = operand(recip, vectorShape.stride, DType::F32);
          inst.func = VpuFunc::Mul;
        }
        src1 = vector;
      }
      kb.vpu(inst, dstOperand, asForm(lhs, 0), src1);
      break;
    }
    case Step::Kind::Select: {
      KernelBuilder::VpuOperand srcs[3];
      for (unsigned o = 0; o < 3; ++o)
        srcs[o] = asForm(operandOf(step.operands[o]), o);
      kb.vpu(vpuInst(Opcode::VpuSelect, VpuFunc::None, shape.rows, shape.cols),
             dstOperand, srcs[0], srcs[1], srcs[2]);
      break;
    }
    }
  }
  for (const Member &member : members) {
    if (!member.stored)
      continue;
    bool full = member.form == RowForm::Full;
    emitDmaBox(kb, /*load=*/false,
               elementOf(member.tensor, row0 * (full ? cols : 1)),
               member.tensor.dtype, {member.buffer, 0}, DType::F32,
               full ? fullBox() : SmallVector<CopyDim>{{rows, 1, 1}});
  }
}

LogicalResult RowGroupLowering::run() {
  for (External &external : externals) {
    if (external.scalar)
      continue;
    FailureOr<TensorRef> tensor = ctx.lookup(external.value, first);
    if (failed(tensor))
      return failure();
    external.tensor = *tensor;
    if (external.form == RowForm::Scalar)
      external.form = RowForm::Col;
  }
  std::optional<TensorRef> placeholder;
  for (Member &member : members)
    if (member.stored) {
      member.tensor = ctx.defineResult(member.op->getResult(0));
      if (!placeholder)
        placeholder = member.tensor;
    }
  unsigned numBuffers = ctx.doubleBuffering() ? 2 : 1;

  SourceWork work;
  uint64_t fullElements = static_cast<uint64_t>(totalRows * cols);
  for (const Member &member : members) {
    if (member.isReduce)
      work.vectorOps += fullElements + (member.mean ? totalRows : 0);
    else if (!(member.step.kind == Step::Kind::Unary &&
               member.step.func == VpuFunc::Copy))
      work.vectorOps += member.form == RowForm::Full ? fullElements : totalRows;
  }
  for (const Member &member : members)
    if (member.stored)
      work.minDramBytes += member.tensor.bytes();
  for (const External &external : externals)
    if (!external.scalar)
      work.minDramBytes += external.tensor.bytes();
  ctx.beginSourceOp(first, work);
  // Intermediates never reach DRAM: each gets a placeholder view nobody
  // reads (npu-tile wants a tensor per result).
  for (const Member &member : members) {
    if (member.stored)
      continue;
    TensorRef view = *placeholder;
    view.shape.assign(shapeOf(member.op->getResult(0)).begin(),
                      shapeOf(member.op->getResult(0)).end());
    (void)ctx.alias(member.op->getResult(0), view);
  }
  for (unsigned i = 1; i < members.size(); ++i)
    ctx.markFused(members[i].op);

  for (auto [i, member] : llvm::enumerate(members))
    member.ring = BufferRing(
        Space::Sram, rows * (member.form == RowForm::Full ? cols : 1) * 4,
        numBuffers, "rows.v" + std::to_string(i));
  for (auto [i, external] : llvm::enumerate(externals)) {
    if (external.scalar)
      continue;
    int64_t elements = external.form == RowForm::Full  ? rows * cols
                       : external.form == RowForm::Row ? cols
                                                       : rows;
    external.ring = BufferRing(
        Space::Sram, elements * npurt::dtypeSize(external.tensor.dtype),
        external.form == RowForm::Row ? 1 : numBuffers,
        "rows.in" + std::to_string(i));
  }
  for (unsigned slot = 0; slot < 3; ++slot)
    matRings.emplace_back(Space::Sram, rows * cols * 4, 1,
                          "rows.tmp" + std::to_string(slot));
  int64_t tileRows = rows;
  int64_t lanes = std::max<int64_t>(target.vpu_lanes, 1);
  auto groups = [&](int64_t n) { return (n + lanes - 1) / lanes; };
  transposed = cols * groups(tileRows) < tileRows * groups(cols);
  unsigned index = 0;
  for (int64_t row0 = 0; row0 < totalRows; row0 += tileRows)
    emitTile(row0, std::min(tileRows, totalRows - row0), index++);
  return success();
}

} // namespace

FailureOr<bool> vpu::tryLowerRowGroup(Operation *op, KernelContext &ctx) {
  RowGroupLowering group(ctx, op);
  if (!group.collect())
    return false;
  if (failed(group.run()))
    return failure();
  return true;
}

namespace {

template <typename OpTy> KernelFn reduceKernel(VpuFunc func, bool mean) {
  return [func, mean](Operation *op, KernelContext &ctx) {
    RowGroupLowering group(ctx, op);
    if (group.collect())
      return group.run();
    return lowerReduction(op, ctx, func, mean, cast<OpTy>(op).getAxes());
  };
}

LogicalResult lowerGlobalAvgPool(Operation *op, KernelContext &ctx) {
  int64_t rank = shapeOf(op->getOperand(0)).size();
  SmallVector<int64_t> axes;
  for (int64_t axis = 2; axis < rank; ++axis)
    axes.push_back(axis);
  if (axes.empty())
    return unsupported(op) << "global_avg_pool needs a rank >= 3 input";
  return lowerReduction(op, ctx, VpuFunc::Add, /*mean=*/true, axes);
}

} // namespace

void vpu::registerReductionKernels(KernelRegistry &registry) {
  registry["nn.reduce_sum"] =
      reduceKernel<nn::ReduceSumOp>(VpuFunc::Add, false);
  registry["nn.reduce_mean"] =
      reduceKernel<nn::ReduceMeanOp>(VpuFunc::Add, true);
  registry["nn.reduce_max"] =
      reduceKernel<nn::ReduceMaxOp>(VpuFunc::Max, false);
  registry["nn.reduce_min"] =
      reduceKernel<nn::ReduceMinOp>(VpuFunc::Min, false);
  registry["nn.global_avg_pool"] = lowerGlobalAvgPool;
  registry["nn.reduce_prod"] =
      reduceKernel<nn::ReduceProdOp>(VpuFunc::Mul, false);
  registry["nn.arg_max"] = [](Operation *op, KernelContext &ctx) {
    return lowerArgReduction(op, ctx, /*isMax=*/true);
  };
  registry["nn.arg_min"] = [](Operation *op, KernelContext &ctx) {
    return lowerArgReduction(op, ctx, /*isMax=*/false);
  };
}
