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
  for (const CoreStreams &core : program.cores)
    for (const Stream &stream : core)
      for (const Instruction &inst : stream.instructions)
        if (inst.opcode == Opcode::DmaLoad || inst.opcode == Opcode::DmaStore) {
          auto [begin, end] = dmaDramRange(inst);
          add(begin, end);
        }
  mergeRanges(ranges);

  DramImage image;
  for (const Range &range : ranges) {
    Region region;
    region.begin = range.first;
    region.end = range.second;
    region.data.reset(
        static_cast<uint8_t *>(std::calloc(range.second - range.first, 1)));
    if (!region.data)
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
  return it->data.get() + (addr - it->begin);
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
    core.sram.assign(target.sram_bytes, 0);
    core.acc.assign(target.acc_bytes, 0);
    core.weights.assign(target.mxu_rows * target.mxu_cols, 0.0f);
    core.weightsInt8.assign(target.mxu_rows * target.mxu_cols, 0);
  }
  for (const ConstantSegment &segment : program.constants)
    if (Error error = executor->writeDram(segment.dram_addr, segment.bytes))
      return std::move(error);
  return executor;
}

void Executor::resetCores() {
  for (CoreState &core : cores) {
    std::fill(core.sram.begin(), core.sram.end(), 0);
    std::fill(core.acc.begin(), core.acc.end(), 0);
    std::fill(core.weights.begin(), core.weights.end(), 0.0f);
    std::fill(core.weightsInt8.begin(), core.weightsInt8.end(), 0);
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
/// Converts `count` elements between the DMA dtypes (equal, or f32<->bf16).
void convertElements(const uint8_t *from, DType fromType, int64_t fromStride,
                     uint8_t *to, DType toType, int64_t toStride,
                     uint64_t count) {
  unsigned fromSize = dtypeSize(fromType), toSize = dtypeSize(toType);
  if (fromType == toType && fromStride == 1 && toStride == 1) {
    std::memmove(to, from, count * fromSize);
    return;
  }
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t *src = from + static_cast<int64_t>(i) * fromStride * fromSize;
    uint8_t *dst = to + static_cast<int64_t>(i) * toStride * toSize;
    if (fromType == toType) {
      std::memcpy(dst, src, fromSize);
    } else if (fromType == DType::F32) { // f32 -> bf16, round to nearest even
      float value;
      std::memcpy(&value, src, 4);
      uint16_t bits = floatToBF16Bits(value);
      std::memcpy(dst, &bits, 2);
    } else { // bf16 -> f32, exact
      uint16_t bits;
      std::memcpy(&bits, src, 2);
      float value = bf16BitsToFloat(bits);
      std::memcpy(dst, &value, 4);
    }
  }
}
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
  unsigned dramSize = dtypeSize(inst.dram_dtype);
  unsigned sramSize = dtypeSize(inst.sram_dtype);
  // Elements are moved in index order (i0, i1, i2, i3), so when several
  // source elements land on the same destination the last one wins.
  for (int64_t i0 = 0; i0 < inst.extents[0]; ++i0)
    for (int64_t i1 = 0; i1 < inst.extents[1]; ++i1)
      for (int64_t i2 = 0; i2 < inst.extents[2]; ++i2) {
        int64_t dramOffset = i0 * inst.dram_strides[0] +
                             i1 * inst.dram_strides[1] +
                             i2 * inst.dram_strides[2];
        int64_t sramOffset = i0 * inst.sram_strides[0] +
                             i1 * inst.sram_strides[1] +
                             i2 * inst.sram_strides[2];
        uint8_t *dramRow = dramBase + dramOffset * dramSize;
        uint8_t *sramRow = sramBase + sramOffset * sramSize;
        if (isLoad)
          convertElements(dramRow, inst.dram_dtype, inst.dram_strides[3],
                          sramRow, inst.sram_dtype, inst.sram_strides[3],
                          inst.extents[3]);
        else
          convertElements(sramRow, inst.sram_dtype, inst.sram_strides[3],
                          dramRow, inst.dram_dtype, inst.dram_strides[3],
                          inst.extents[3]);
      }
  return Error::success();
}

namespace {
/// Reads element `index` of an MXU operand as fp32 (exact for every dtype).
float readMxuElement(const uint8_t *base, DType dtype, uint64_t index) {
  switch (dtype) {
  case DType::BF16: {
    uint16_t bits;
    std::memcpy(&bits, base + index * 2, 2);
    return bf16BitsToFloat(bits);
  }
  case DType::I8:
    return static_cast<float>(static_cast<int8_t>(base[index]));
  default: {
    float value;
    std::memcpy(&value, base + index * 4, 4);
    return value;
  }
  }
}
} // namespace

void Executor::loadWeights(CoreState &core, const Instruction &inst) {
  std::fill(core.weights.begin(), core.weights.end(), 0.0f);
  std::fill(core.weightsInt8.begin(), core.weightsInt8.end(), 0);
  const uint8_t *base = core.sram.data() + inst.sram_addr;
  bool transposed = inst.flags & kFlagTranspose;
  uint64_t cols = target.mxu_cols;
  for (uint64_t p = 0; p < inst.k; ++p)
    for (uint64_t j = 0; j < inst.n; ++j) {
      uint64_t index = transposed ? j * inst.row_stride + p
                                  : p * inst.row_stride + j;
      float value = readMxuElement(base, inst.mxu_dtype, index);
      core.weights[p * cols + j] = value;
      core.weightsInt8[p * cols + j] = static_cast<int8_t>(value);
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
      for (int64_t p = 0; p < k; ++p)
        scratch[i * k + p] =
            readMxuElement(input, DType::BF16, i * inst.row_stride + p);
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
