//===- DropoutKernels.cpp - nn.dropout on the VPU -------------------------===//
//
// Training-mode inverted dropout with its random numbers made on the chip:
// no mask crosses DRAM and the host supplies nothing but the step's seed.
// The generator is counter-based (docs/training.md, "Dropout"): element i
// of the flattened tensor, in block b = i / 2^22, gets the counter
// j = i mod 2^22 + 1; the step's seed becomes a factor c in [1, 2) (one
// hash_uniform of the seed), and u = hash_uniform((j * c) in f32, key of
// block b), the VPU function 63. The element is kept when u >= ratio and
// then scaled by 1 / (1 - ratio). j * c is exact enough that distinct
// counters of a block stay distinct values (j < 2^23), so every element of
// a step hashes a different input, and another seed moves every input.
//
// The tensor is cut into [rows x cols] tiles (powers of two, so a tile
// never straddles a block); the counters of a tile are a constant grid
// built once in SRAM plus the tile's first counter, so a tile costs six
// VPU passes (counter, times c, hash, compare, scale, select) and the DMA
// of its input and output.
//
//===----------------------------------------------------------------------===//
#include "MxuGemm.h"
#include "VpuKernelUtils.h"

#include "npu/Dialect/NN/IR/NN.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::npu;
using npurt::Broadcast;
using npurt::DType;
using npurt::Opcode;
using npurt::VpuFunc;

namespace {

/// Counters per key: j < 2^23 keeps j * c (c < 2) exact to the integer.
constexpr int64_t kCountersPerKey = int64_t(1) << 22;

/// The hash_uniform key (an f32 immediate in [1, 2)) of stream `stream` of
/// the layer key `key`: stream 0 hashes the seed, stream 1 + b block b.
float streamKey(int64_t key, uint32_t stream) {
  uint32_t h = uint32_t(key) * 0x9E3779B9u + stream;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return llvm::bit_cast<float>(0x3F800000u | (h >> 9));
}

npurt::Instruction vpuInst(Opcode opcode, VpuFunc func, uint64_t rows,
                           uint64_t cols) {
  npurt::Instruction inst;
  inst.opcode = opcode;
  inst.func = func;
  inst.rows = uint16_t(rows);
  inst.cols = uint16_t(cols);
  return inst;
}

LogicalResult lowerDropout(Operation *op, KernelContext &ctx) {
  auto dropout = cast<nn::DropoutOp>(op);
  const npurt::Target &target = ctx.target();
  FailureOr<TensorRef> input = ctx.lookup(dropout.getInput(), op);
  FailureOr<TensorRef> seed = ctx.lookup(dropout.getSeed(), op);
  if (failed(input) || failed(seed))
    return failure();
  TensorRef out = ctx.defineResult(dropout.getResult());
  int64_t count = input->numElements();
  float ratio = dropout.getRatio().convertToFloat();
  float scale = 1.0f / (1.0f - ratio);
  int64_t key = dropout.getKey();

  // Tiles: cols lanes-friendly, rows as many as half of SRAM holds with
  // double-buffered input and output.
  unsigned inSize = npurt::dtypeSize(input->dtype);
  unsigned outSize = npurt::dtypeSize(out.dtype);
  unsigned two = ctx.doubleBuffering() ? 2 : 1;
  uint64_t align = target.sram_alignment;
  int64_t cols = std::min<int64_t>(1024, int64_t(llvm::PowerOf2Ceil(count)));
  int64_t neededRows = llvm::divideCeil(count, cols);
  // Counter grid, zeros and the working tile (f32), the input and output
  // slots, per element.
  uint64_t perElement = 4 + 4 + 4 + two * (inSize + outSize);
  int64_t rows = int64_t(llvm::PowerOf2Ceil(uint64_t(neededRows)));
  rows = std::min<int64_t>(rows, kCountersPerKey / cols);
  while (rows > 1 && uint64_t(rows * cols) * perElement > target.sram_bytes / 2)
    rows /= 2;
  int64_t tileElements = rows * cols;

  SourceWork work;
  work.vectorOps = uint64_t(count) * 6;
  work.minDramBytes = input->bytes() + out.bytes() + seed->bytes();
  ctx.beginSourceOp(op, work);

  KernelBuilder &b = ctx.builder();
  auto sramBytes = [&](int64_t elements, unsigned size) {
    return llvm::alignTo(uint64_t(elements) * size, align);
  };
  auto f32 = [&](Value buffer, int64_t stride) {
    return KernelBuilder::VpuOperand{{buffer, 0}, uint32_t(stride), DType::F32};
  };

  // The step factor c = 1 + hash_uniform(seed) as a [1 x cols] row.
  Value seedSlot = b.alloc(Space::Sram, align, "seed");
  if (seed->dtype == DType::I32) {
    Value raw = b.alloc(Space::Sram, align, "seed_i32");
    b.dmaLoad(seed->at(0), DType::I32, {raw, 0}, DType::I32, {1, 1, 1, 1},
              {0, 0, 0, 1}, {0, 0, 0, 1});
    npurt::Instruction cast = vpuInst(Opcode::VpuCast, VpuFunc::None, 1, 1);
    cast.scale = 1.0f;
    b.vpu(cast, f32(seedSlot, 1), {{raw, 0}, 1, DType::I32});
  } else {
    b.dmaLoad(seed->at(0), seed->dtype, {seedSlot, 0}, DType::F32, {1, 1, 1, 1},
              {0, 0, 0, 1}, {0, 0, 0, 1});
  }
  npurt::Instruction hashSeed =
      vpuInst(Opcode::VpuUnary, VpuFunc::HashUniform, 1, 1);
  hashSeed.imm0 = streamKey(key, 0);
  b.vpu(hashSeed, f32(seedSlot, 1), f32(seedSlot, 1));
  npurt::Instruction plusOne = vpuInst(Opcode::VpuBinary, VpuFunc::Add, 1, 1);
  plusOne.broadcast = Broadcast::Scalar;
  plusOne.imm0 = 1.0f;
  b.vpu(plusOne, f32(seedSlot, 1), f32(seedSlot, 1));
  Value factorRow = b.alloc(Space::Sram, sramBytes(cols, 4), "step_factor");
  npurt::Instruction spread =
      vpuInst(Opcode::VpuBroadcast, VpuFunc::None, 1, cols);
  spread.broadcast = Broadcast::Col;
  b.vpu(spread, f32(factorRow, cols), f32(seedSlot, 1));

  // The counter grid r * cols + c + 1: a column of row starts broadcast
  // along the rows plus a row of column indices.
  std::vector<float> rowStarts(rows), columns(cols);
  for (int64_t r = 0; r < rows; ++r)
    rowStarts[r] = float(r * cols + 1);
  for (int64_t c = 0; c < cols; ++c)
    columns[c] = float(c);
  TensorRef rowStartTensor =
      ctx.constant("dropout_row_starts", {rows}, DType::F32,
                   encodeValues(rowStarts, DType::F32));
  TensorRef columnTensor = ctx.constant("dropout_columns", {cols}, DType::F32,
                                        encodeValues(columns, DType::F32));
  Value grid = b.alloc(Space::Sram, sramBytes(tileElements, 4), "counters");
  Value rowStartSlot = b.alloc(Space::Sram, sramBytes(rows, 4), "row_starts");
  Value columnSlot = b.alloc(Space::Sram, sramBytes(cols, 4), "columns");
  b.dmaLoad(rowStartTensor.at(0), DType::F32, {rowStartSlot, 0}, DType::F32,
            {1, 1, 1, uint16_t(rows)}, {0, 0, 0, 1}, {0, 0, 0, 1});
  b.dmaLoad(columnTensor.at(0), DType::F32, {columnSlot, 0}, DType::F32,
            {1, 1, 1, uint16_t(cols)}, {0, 0, 0, 1}, {0, 0, 0, 1});
  npurt::Instruction fillRows =
      vpuInst(Opcode::VpuBroadcast, VpuFunc::None, rows, cols);
  fillRows.broadcast = Broadcast::Col;
  b.vpu(fillRows, f32(grid, cols), f32(rowStartSlot, 1));
  npurt::Instruction addColumns =
      vpuInst(Opcode::VpuBinary, VpuFunc::Add, rows, cols);
  addColumns.broadcast = Broadcast::Row;
  b.vpu(addColumns, f32(grid, cols), f32(grid, cols), f32(columnSlot, cols));
  Value zeros = b.alloc(Space::Sram, sramBytes(tileElements, 4), "zeros");
  npurt::Instruction fillZeros =
      vpuInst(Opcode::VpuBroadcast, VpuFunc::None, rows, cols);
  fillZeros.broadcast = Broadcast::Scalar;
  b.vpu(fillZeros, f32(zeros, cols));

  Value work0 = b.alloc(Space::Sram, sramBytes(tileElements, 4), "uniform");
  SmallVector<Value> inSlots, outSlots;
  for (unsigned i = 0; i < two; ++i) {
    inSlots.push_back(b.alloc(Space::Sram, sramBytes(tileElements, inSize),
                              "x" + std::to_string(i)));
    outSlots.push_back(b.alloc(Space::Sram, sramBytes(tileElements, outSize),
                               "y" + std::to_string(i)));
  }

  // The [fullRows x cols] box and the tail row of `n` elements from `first`.
  auto copy = [&](bool toSram, const TensorRef &tensor, int64_t first,
                  int64_t n, Value slot, DType sramType) {
    int64_t fullRows = n / cols, tail = n % cols;
    std::array<int32_t, 4> strides = {0, 0, int32_t(cols), 1};
    if (fullRows) {
      std::array<uint16_t, 4> extents = {1, 1, uint16_t(fullRows),
                                         uint16_t(cols)};
      if (toSram)
        b.dmaLoad(tensor.at(first), tensor.dtype, {slot, 0}, sramType, extents,
                  strides, strides);
      else
        b.dmaStore({slot, 0}, sramType, tensor.at(first), tensor.dtype, extents,
                   strides, strides);
    }
    if (tail) {
      BufferRef at{slot,
                   uint64_t(fullRows * cols) * npurt::dtypeSize(sramType)};
      std::array<uint16_t, 4> extents = {1, 1, 1, uint16_t(tail)};
      if (toSram)
        b.dmaLoad(tensor.at(first + fullRows * cols), tensor.dtype, at,
                  sramType, extents, strides, strides);
      else
        b.dmaStore(at, sramType, tensor.at(first + fullRows * cols),
                   tensor.dtype, extents, strides, strides);
    }
  };

  for (int64_t first = 0, index = 0; first < count;
       first += tileElements, ++index) {
    int64_t n = std::min(tileElements, count - first);
    int64_t tileRows = llvm::divideCeil(n, cols);
    Value x = inSlots[index % two], y = outSlots[index % two];
    copy(/*toSram=*/true, *input, first, n, x, input->dtype);
    // u = hash_uniform((counter grid + first counter) * c, block key).
    KernelBuilder::VpuOperand counters = f32(grid, cols);
    if (int64_t base = first % kCountersPerKey) {
      npurt::Instruction offset =
          vpuInst(Opcode::VpuBinary, VpuFunc::Add, tileRows, cols);
      offset.broadcast = Broadcast::Scalar;
      offset.imm0 = float(base);
      b.vpu(offset, f32(work0, cols), counters);
      counters = f32(work0, cols);
    }
    npurt::Instruction times =
        vpuInst(Opcode::VpuBinary, VpuFunc::Mul, tileRows, cols);
    times.broadcast = Broadcast::Row;
    b.vpu(times, f32(work0, cols), counters, f32(factorRow, cols));
    npurt::Instruction hash =
        vpuInst(Opcode::VpuUnary, VpuFunc::HashUniform, tileRows, cols);
    hash.imm0 = streamKey(key, 1 + uint32_t(first / kCountersPerKey));
    b.vpu(hash, f32(work0, cols), f32(work0, cols));
    // Dropped where u < ratio; the kept elements are scaled.
    npurt::Instruction drop =
        vpuInst(Opcode::VpuBinary, VpuFunc::CmpLt, tileRows, cols);
    drop.broadcast = Broadcast::Scalar;
    drop.imm0 = ratio;
    b.vpu(drop, f32(work0, cols), f32(work0, cols));
    npurt::Instruction scaled =
        vpuInst(Opcode::VpuBinary, VpuFunc::Mul, tileRows, cols);
    scaled.broadcast = Broadcast::Scalar;
    scaled.imm0 = scale;
    KernelBuilder::VpuOperand yOperand{{y, 0}, uint32_t(cols), out.dtype};
    b.vpu(scaled, yOperand, {{x, 0}, uint32_t(cols), input->dtype});
    b.vpu(vpuInst(Opcode::VpuSelect, VpuFunc::None, tileRows, cols), yOperand,
          f32(work0, cols), f32(zeros, cols), yOperand);
    copy(/*toSram=*/false, out, first, n, y, out.dtype);
  }
  return success();
}

} // namespace

void vpu::registerDropoutKernels(KernelRegistry &registry) {
  registry["nn.dropout"] = lowerDropout;
}
