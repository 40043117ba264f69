//===- Executor.cpp - DRAM image, DMA and MXU semantics -------------------===//
//
// Functional model of the memories and of the DMA and MXU instructions (the
// VPU instructions are in VpuSemantics.cpp). Instructions reaching execute()
// have passed validateInstruction, so every address range is known to lie
// inside its memory; the DRAM translation is still checked because the
// image only holds the reachable ranges.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Executor.h"

#include "npu/Runtime/Kernels.h"
#include "npu/Runtime/Numerics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <array>
#include <cstring>

using namespace llvm;
using namespace npurt;

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

std::pair<uint64_t, uint64_t> npurt::dmaDramRange(const Instruction &inst) {
  __int128 lo = 0, hi = 0;
  for (unsigned d = 0; d < 4; ++d) {
    __int128 span = static_cast<__int128>(inst.extents[d] - 1) *
                    inst.dram_strides[d];
    (span < 0 ? lo : hi) += span;
  }
  unsigned size = dtypeSize(inst.dram_dtype);
  __int128 begin = static_cast<__int128>(inst.dram_addr) + lo * size;
  __int128 end = static_cast<__int128>(inst.dram_addr) + (hi + 1) * size;
  return {static_cast<uint64_t>(begin), static_cast<uint64_t>(end)};
}

//===----------------------------------------------------------------------===//
// DramImage
//===----------------------------------------------------------------------===//

namespace {
using Range = std::pair<uint64_t, uint64_t>;

/// Sorts and merges overlapping or touching ranges in place.
void mergeRanges(std::vector<Range> &ranges) {
  llvm::sort(ranges);
  std::vector<Range> merged;
  for (const Range &range : ranges) {
    if (!merged.empty() && range.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, range.second);
    else
      merged.push_back(range);
  }
  ranges = std::move(merged);
}
} // namespace

Expected<DramImage> DramImage::create(const Program &program) {
  std::vector<Range> ranges;
  // Programs may have millions of DMAs over a few buffers: compact as we go
  // so the range list stays small.
  constexpr size_t kCompactThreshold = 1 << 16;
  auto add = [&](uint64_t begin, uint64_t end) {
    if (begin >= end)
      return;
    ranges.push_back({begin, end});
    if (ranges.size() >= kCompactThreshold)
      mergeRanges(ranges);
  };
  for (const ConstantSegment &segment : program.constants)
    add(segment.dram_addr, segment.dram_addr + segment.bytes.size());
  for (const auto *table : {&program.io, &program.state})
    for (const TensorEntry &tensor : *table) {
      Expected<uint64_t> bytes = tensorBytes(tensor, tensor.name);
      if (!bytes)
        return bytes.takeError();
      add(tensor.dram_addr, tensor.dram_addr + *bytes);
    }
  auto addDma = [&](const Instruction &inst) {
    if (inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore) {
      auto [begin, end] = dmaDramRange(inst);
      add(begin, end);
    }
  };
  for (unsigned core = 0; core < program.cores.size(); ++core)
    for (unsigned e = 0; e < kNumEngines; ++e) {
      const Stream &stream = program.cores[core][e];
      for (const Instruction &inst : stream.instructions)
        addDma(inst);
      for (size_t i = 0; stream.isEncoded() && i < stream.size(); ++i) {
        Expected<Instruction> inst = stream.instruction(i);
        // Only a program that was not validated gets here.
        if (!inst)
          return fail(formatv("c{0}.{1} instruction {2}: {3}", core,
                              engineName(static_cast<Engine>(e)), i,
                              toString(inst.takeError())));
        addDma(*inst);
      }
    }
  mergeRanges(ranges);

  DramImage image;
  for (const Range &range : ranges) {
    Region region;
    region.begin = range.first;
    region.end = range.second;
    if (!region.data.allocate(range.second - range.first))
      return fail(formatv("cannot allocate {0} bytes of host memory for DRAM "
                          "range [0x{1:x}, 0x{2:x})",
                          range.second - range.first, range.first,
                          range.second));
    image.regions.push_back(std::move(region));
  }
  return image;
}

uint8_t *DramImage::translate(uint64_t addr, uint64_t size) {
  auto it = llvm::upper_bound(regions, addr, [](uint64_t a, const Region &r) {
    return a < r.begin;
  });
  if (it == regions.begin())
    return nullptr;
  --it;
  if (addr < it->begin || addr > it->end || size > it->end - addr)
    return nullptr;
  return it->data.data() + (addr - it->begin);
}

uint64_t DramImage::allocatedBytes() const {
  uint64_t total = 0;
  for (const Region &region : regions)
    total += region.end - region.begin;
  return total;
}

//===----------------------------------------------------------------------===//
// Executor
//===----------------------------------------------------------------------===//

Executor::Executor(const Program &program, DramImage dram)
    : program(program), target(program.target), dram(std::move(dram)) {}

Expected<std::unique_ptr<Executor>> Executor::create(const Program &program) {
  Expected<DramImage> dram = DramImage::create(program);
  if (!dram)
    return dram.takeError();
  std::unique_ptr<Executor> executor(new Executor(program, std::move(*dram)));
  const Target &target = program.target;
  executor->cores.resize(target.cores);
  for (CoreState &core : executor->cores) {
    if (!core.sram.bytes.allocate(target.sram_bytes) ||
        !core.acc.bytes.allocate(target.acc_bytes))
      return fail(formatv("cannot allocate {0} bytes of host memory for SRAM "
                          "and accumulator",
                          target.sram_bytes + target.acc_bytes));
    core.weights.assign(target.mxu_rows * target.mxu_cols, 0.0f);
    core.weightsInt8.assign(target.mxu_rows * target.mxu_cols, 0);
  }
  for (const ConstantSegment &segment : program.constants)
    if (Error error = executor->writeDram(segment.dram_addr, segment.bytes))
      return std::move(error);
  return executor;
}

void Executor::resetCores() {
  for (CoreState &core : cores)
    for (CoreMemory *memory : {&core.sram, &core.acc}) {
      if (memory->dirtyBegin < memory->dirtyEnd)
        std::memset(memory->data() + memory->dirtyBegin, 0,
                    memory->dirtyEnd - memory->dirtyBegin);
      memory->dirtyBegin = UINT64_MAX;
      memory->dirtyEnd = 0;
    }
}

Error Executor::writeDram(uint64_t addr, ArrayRef<uint8_t> bytes) {
  if (bytes.empty())
    return Error::success();
  uint8_t *host = dram.translate(addr, bytes.size());
  if (!host)
    return fail(formatv("DRAM range [0x{0:x}, +{1}) is not reachable by the "
                        "program",
                        addr, bytes.size()));
  std::memcpy(host, bytes.data(), bytes.size());
  return Error::success();
}

Error Executor::readDram(uint64_t addr, MutableArrayRef<uint8_t> bytes) {
  if (bytes.empty())
    return Error::success();
  uint8_t *host = dram.translate(addr, bytes.size());
  if (!host)
    return fail(formatv("DRAM range [0x{0:x}, +{1}) is not reachable by the "
                        "program",
                        addr, bytes.size()));
  std::memcpy(bytes.data(), host, bytes.size());
  return Error::success();
}

Error Executor::execute(unsigned coreIndex, const Instruction &inst) {
  CoreState &core = cores[coreIndex];
  switch (inst.opcode) {
  case Opcode::Halt:
  case Opcode::Nop:
    return Error::success();
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    return executeDma(core, inst);
  case Opcode::MxuLoadWeights:
    loadWeights(core, inst);
    return Error::success();
  case Opcode::MxuMatmul:
    return matmul(core, inst);
  default:
    executeVpu(core, inst);
    return Error::success();
  }
}

namespace {
/// Moves one DMA row: `count` elements, `fromStride` / `toStride` elements
/// apart, converting between the DMA dtypes (equal, or f32 <-> bf16).
using RowMover = void (*)(const uint8_t *from, int64_t fromStride, uint8_t *to,
                          int64_t toStride, int64_t count);

/// Equal dtypes: a copy of `sizeof(T)`-byte elements.
template <typename T>
void copyRow(const uint8_t *from, int64_t fromStride, uint8_t *to,
             int64_t toStride, int64_t count) {
  constexpr int64_t size = sizeof(T);
  if (fromStride == 1 && toStride == 1) {
    std::memcpy(to, from, count * size);
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, from + i * fromStride * size, size);
    std::memcpy(to + i * toStride * size, &value, size);
  }
}

/// f32 -> bf16, round to nearest even.
void f32ToBF16Row(const uint8_t *from, int64_t fromStride, uint8_t *to,
                  int64_t toStride, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    float value;
    std::memcpy(&value, from + i * fromStride * 4, 4);
    uint16_t bits = floatToBF16Bits(value);
    std::memcpy(to + i * toStride * 2, &bits, 2);
  }
}

/// bf16 -> f32, exact.
void bf16ToF32Row(const uint8_t *from, int64_t fromStride, uint8_t *to,
                  int64_t toStride, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, from + i * fromStride * 2, 2);
    float value = bf16BitsToFloat(bits);
    std::memcpy(to + i * toStride * 4, &value, 4);
  }
}

RowMover rowMover(DType from, DType to) {
  if (from == DType::F32 && to == DType::BF16)
    return f32ToBF16Row;
  if (from == DType::BF16 && to == DType::F32)
    return bf16ToF32Row;
  switch (dtypeSize(from)) {
  case 1:
    return copyRow<uint8_t>;
  case 2:
    return copyRow<uint16_t>;
  default:
    return copyRow<uint32_t>;
  }
}

/// One dimension of a DMA box: `count` indices, strides in elements.
struct BoxDim {
  int64_t count;
  int64_t fromStride;
  int64_t toStride;
};

/// Copies the [rows x cols] transpose element (i, j) = from[i + j *
/// fromColStride] -> to[i * toRowStride + j] in square blocks, so both sides
/// stay within a few cache lines (element by element, every source element
/// of a destination row is in another line). Only for destinations whose
/// elements are all distinct: the order of the copies is then unobservable.
template <typename T>
void transposeBlocked(const uint8_t *from, int64_t fromColStride, uint8_t *to,
                      int64_t toRowStride, int64_t rows, int64_t cols) {
  constexpr int64_t kBlock = 16;
  constexpr int64_t size = sizeof(T);
  for (int64_t i0 = 0; i0 < rows; i0 += kBlock) {
    int64_t iEnd = std::min(i0 + kBlock, rows);
    for (int64_t j0 = 0; j0 < cols; j0 += kBlock) {
      int64_t jEnd = std::min(j0 + kBlock, cols);
      for (int64_t j = j0; j < jEnd; ++j)
        for (int64_t i = i0; i < iEnd; ++i) {
          T value;
          std::memcpy(&value, from + (i + j * fromColStride) * size, size);
          std::memcpy(to + (i * toRowStride + j) * size, &value, size);
        }
    }
  }
}
using Transposer = void (*)(const uint8_t *, int64_t, uint8_t *, int64_t,
                            int64_t, int64_t);
} // namespace

Error Executor::executeDma(CoreState &core, const Instruction &inst) {
  auto [begin, end] = dmaDramRange(inst);
  uint8_t *dramLow = dram.translate(begin, end - begin);
  if (!dramLow)
    return fail(formatv("{0}: DRAM range [0x{1:x}, 0x{2:x}) is not in the "
                        "DRAM image",
                        opcodeName(inst.opcode), begin, end));
  uint8_t *dramBase = dramLow + (inst.dram_addr - begin);
  uint8_t *sramBase = core.sram.data() + inst.sram_addr;
  bool isLoad = inst.opcode == Opcode::DmaLoad;
  const uint8_t *from = isLoad ? dramBase : sramBase;
  uint8_t *to = isLoad ? sramBase : dramBase;
  DType fromType = isLoad ? inst.dram_dtype : inst.sram_dtype;
  DType toType = isLoad ? inst.sram_dtype : inst.dram_dtype;
  const std::array<int32_t, 4> &fromStrides =
      isLoad ? inst.dram_strides : inst.sram_strides;
  const std::array<int32_t, 4> &toStrides =
      isLoad ? inst.sram_strides : inst.dram_strides;
  int64_t fromSize = dtypeSize(fromType), toSize = dtypeSize(toType);
  if (isLoad) {
    int64_t lo = 0, hi = 0;
    for (unsigned d = 0; d < 4; ++d) {
      int64_t span = static_cast<int64_t>(inst.extents[d] - 1) * toStrides[d];
      (span < 0 ? lo : hi) += span;
    }
    core.sram.markWritten(inst.sram_addr + lo * toSize,
                          inst.sram_addr + (hi + 1) * toSize);
  }

  // Elements are moved in index order (i0, i1, i2, i3), so when several
  // source elements land on the same destination the last one wins. Along a
  // dimension whose destination stride is zero every index writes the same
  // elements, so only its last index can be a last writer: start there.
  // Dimensions left with one index fold into the base addresses, and a
  // dimension that continues the next inner one on both sides merges with
  // it (same index order), so most DMAs become a few long rows.
  std::array<BoxDim, 4> dims;
  unsigned rank = 0;
  int64_t fromOffset = 0, toOffset = 0; // bytes
  for (unsigned d = 0; d < 4; ++d) {
    int64_t first = toStrides[d] == 0 ? inst.extents[d] - 1 : 0;
    fromOffset += first * fromStrides[d] * fromSize;
    toOffset += first * toStrides[d] * toSize;
    int64_t count = inst.extents[d] - first;
    if (count == 1)
      continue;
    BoxDim dim{count, fromStrides[d], toStrides[d]};
    if (rank > 0) {
      BoxDim &outer = dims[rank - 1];
      if (outer.fromStride == count * dim.fromStride &&
          outer.toStride == count * dim.toStride) {
        outer = {outer.count * count, dim.fromStride, dim.toStride};
        continue;
      }
    }
    dims[rank++] = dim;
  }
  RowMover move = rowMover(fromType, toType);
  if (rank == 0) {
    move(from + fromOffset, 1, to + toOffset, 1, 1);
    return Error::success();
  }
  // The innermost dimension is one row; the outer ones count like an
  // odometer. A transposing pair of inner dimensions (the row strided in
  // the source and contiguous in the destination, the next dimension the
  // other way round, destination rows not overlapping) of equal dtypes is
  // copied as one blocked transpose per outer index instead.
  unsigned inner = 1;
  Transposer transpose = nullptr;
  if (rank >= 2 && fromType == toType && dtypeSize(fromType) >= 2) {
    const BoxDim &rows = dims[rank - 2], &cols = dims[rank - 1];
    if (cols.toStride == 1 && rows.fromStride == 1 && cols.fromStride != 1 &&
        rows.toStride >= cols.count && rows.count >= 8 && cols.count >= 8) {
      inner = 2;
      transpose = dtypeSize(fromType) == 2 ? transposeBlocked<uint16_t>
                                           : transposeBlocked<uint32_t>;
    }
  }
  const BoxDim &row = dims[rank - 1];
  std::array<int64_t, 3> index = {0, 0, 0};
  while (true) {
    if (transpose)
      transpose(from + fromOffset, row.fromStride, to + toOffset,
                dims[rank - 2].toStride, dims[rank - 2].count, row.count);
    else
      move(from + fromOffset, row.fromStride, to + toOffset, row.toStride,
           row.count);
    int d = static_cast<int>(rank) - 1 - static_cast<int>(inner);
    for (; d >= 0; --d) {
      fromOffset += dims[d].fromStride * fromSize;
      toOffset += dims[d].toStride * toSize;
      if (++index[d] < dims[d].count)
        break;
      fromOffset -= dims[d].count * dims[d].fromStride * fromSize;
      toOffset -= dims[d].count * dims[d].toStride * toSize;
      index[d] = 0;
    }
    if (d < 0)
      return Error::success();
  }
}

namespace {
/// Widens `count` elements of an MXU operand (f32 or bf16), `stride`
/// elements apart, to fp32 (exact).
void widenRow(const uint8_t *from, DType dtype, int64_t stride, float *to,
              int64_t count) {
  if (dtype == DType::F32) {
    if (stride == 1) {
      std::memcpy(to, from, count * 4);
      return;
    }
    for (int64_t i = 0; i < count; ++i)
      std::memcpy(&to[i], from + i * stride * 4, 4);
    return;
  }
  if (stride == 1) {
    for (int64_t i = 0; i < count; ++i) {
      uint16_t bits;
      std::memcpy(&bits, from + i * 2, 2);
      to[i] = bf16BitsToFloat(bits);
    }
    return;
  }
  for (int64_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, from + i * stride * 2, 2);
    to[i] = bf16BitsToFloat(bits);
  }
}
} // namespace

void Executor::loadWeights(CoreState &core, const Instruction &inst) {
  // Only the [k x n] block is written: a matmul reads exactly that block
  // (the simulator checks that its k and n match the loaded ones).
  const uint8_t *base = core.sram.data() + inst.sram_addr;
  bool transposed = inst.flags & kFlagTranspose;
  int64_t cols = target.mxu_cols, rowStride = inst.row_stride;
  // Element (p, j) of the weights is at p * pStride + j * jStride in SRAM.
  int64_t pStride = transposed ? 1 : rowStride;
  int64_t jStride = transposed ? rowStride : 1;
  for (int64_t p = 0; p < inst.k; ++p) {
    if (inst.mxu_dtype == DType::I8) {
      // Only int8 weights have an int8 form.
      int8_t *row = core.weightsInt8.data() + p * cols;
      for (int64_t j = 0; j < inst.n; ++j)
        row[j] = static_cast<int8_t>(base[p * pStride + j * jStride]);
      continue;
    }
    unsigned size = dtypeSize(inst.mxu_dtype);
    widenRow(base + p * pStride * size, inst.mxu_dtype, jStride,
             core.weights.data() + p * cols, inst.n);
  }
}

Error Executor::matmul(CoreState &core, const Instruction &inst) {
  // The simulator has checked that weights of this dtype and shape are
  // loaded (docs/isa.md: a run-time fault otherwise).
  bool accumulate = inst.flags & kFlagAccumulate;
  const uint8_t *input = core.sram.data() + inst.sram_addr;
  uint8_t *output = core.acc.data() + inst.acc_addr;
  int64_t m = inst.m, k = inst.k, n = inst.n;
  int64_t ldw = static_cast<int64_t>(target.mxu_cols);
  core.acc.markWritten(inst.acc_addr,
                       inst.acc_addr + ((m - 1) * inst.acc_row_stride + n) * 4);
  switch (inst.mxu_dtype) {
  case DType::F32:
    gemmF32(m, n, k, reinterpret_cast<const float *>(input), inst.row_stride,
            core.weights.data(), ldw, reinterpret_cast<float *>(output),
            inst.acc_row_stride, accumulate);
    break;
  case DType::BF16: {
    // bf16 -> fp32 is exact; products of bf16 values are exact in fp32, so
    // the fp32 GEMM computes the bf16 matmul with fp32 accumulation.
    scratch.resize(static_cast<size_t>(m * k));
    for (int64_t i = 0; i < m; ++i)
      widenRow(input + i * inst.row_stride * 2, DType::BF16, 1,
               scratch.data() + i * k, k);
    gemmF32(m, n, k, scratch.data(), k, core.weights.data(), ldw,
            reinterpret_cast<float *>(output), inst.acc_row_stride,
            accumulate);
    break;
  }
  default:
    gemmI8(m, n, k, reinterpret_cast<const int8_t *>(input), inst.row_stride,
           core.weightsInt8.data(), ldw, reinterpret_cast<int32_t *>(output),
           inst.acc_row_stride, accumulate);
    break;
  }
  return Error::success();
}

uint8_t *Executor::operandBase(CoreState &core, const VpuOperand &operand) {
  return (operand.mem == Mem::Acc ? core.acc.data() : core.sram.data()) +
         operand.addr;
}
