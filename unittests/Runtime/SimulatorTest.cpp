//===- SimulatorTest.cpp - functional model of every instruction ---------===//
//
// Programs built with ProgramBuilder run through the whole simulator (DRAM
// -> DMA -> SRAM -> MXU/VPU -> DMA -> DRAM) on npu-tiny; outputs are
// compared with references computed here with the C++ standard library.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include "npu/Runtime/Numerics.h"
#include "npu/Runtime/Simulator.h"

#include "llvm/ADT/bit.h"

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>

using namespace npurt;
using namespace npurt::testing;
using llvm::Expected;

namespace {

Target tiny() { return cantFail(Target::preset("npu-tiny")); }

HostTensor floats(const std::vector<float> &values,
                  std::vector<int64_t> shape) {
  HostTensor tensor;
  tensor.dtype = HostDType::F32;
  tensor.shape = std::move(shape);
  tensor.data.resize(values.size() * 4);
  std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

HostTensor int8s(const std::vector<int8_t> &values,
                 std::vector<int64_t> shape) {
  HostTensor tensor;
  tensor.dtype = HostDType::I8;
  tensor.shape = std::move(shape);
  tensor.data.assign(values.begin(), values.end());
  return tensor;
}

std::vector<float> asFloats(const HostTensor &tensor) {
  std::vector<float> values(tensor.data.size() / 4);
  std::memcpy(values.data(), tensor.data.data(), tensor.data.size());
  return values;
}

/// Runs `program` with `inputs` and returns output tensor "y".
Expected<HostTensor>
runOnce(Program program,
        const std::vector<std::pair<std::string, HostTensor>> &inputs) {
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(program));
  if (!simulator)
    return simulator.takeError();
  for (const auto &[name, tensor] : inputs)
    if (llvm::Error error = (*simulator)->setTensor(name, tensor))
      return std::move(error);
  Expected<RunStats> stats = (*simulator)->run();
  if (!stats)
    return stats.takeError();
  return (*simulator)->getTensor("y");
}

/// Runs `program` with `inputs` and returns output tensor "y" as floats.
/// Also checks that the program read back with its streams encoded
/// computes the same bytes.
std::vector<float>
run(Program program,
    const std::vector<std::pair<std::string, HostTensor>> &inputs) {
  Expected<HostTensor> y = runOnce(program, inputs);
  EXPECT_TRUE(static_cast<bool>(y)) << llvm::toString(y.takeError());
  if (!y)
    return {};
  Expected<HostTensor> fromEncoded =
      runOnce(cantFail(encodedCopy(program)), inputs);
  EXPECT_TRUE(fromEncoded && fromEncoded->data == y->data)
      << (fromEncoded ? "different output"
                      : llvm::toString(fromEncoded.takeError()));
  return asFloats(*y);
}

std::vector<float> randomValues(size_t count, float lo, float hi,
                                unsigned seed, bool integers = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> values(count);
  for (float &v : values)
    v = integers ? std::round(dist(rng)) : dist(rng);
  return values;
}

/// x [8 x 32] @ w [32 x 32] (+ bias, relu) with the given MXU dtype: DMA in
/// (converting f32 -> bf16 for bf16), load weights, matmul, epilogue, DMA
/// out.
Program matmulProgram(DType dtype, bool biasRelu, bool accumulateTwice) {
  ProgramBuilder b(tiny());
  DType fileType = dtype == DType::I8 ? DType::I8 : DType::F32;
  b.tensor("x", IoKind::Input, fileType, {8, 32}, 0);
  b.tensor("w", IoKind::Input, fileType, {32, 32}, 0x1000);
  b.tensor("bias", IoKind::Input, DType::F32, {1, 32}, 0x2000);
  b.tensor("y", IoKind::Output, DType::F32, {8, 32}, 0x3000);
  b.add(dma(Opcode::DmaLoad, 0, 0, 256, fileType, dtype), Engine::DmaLoad);
  b.add(dma(Opcode::DmaLoad, 0x1000, 4096, 1024, fileType, dtype),
        Engine::DmaLoad);
  signalTo(b.add(dma(Opcode::DmaLoad, 0x2000, 12288, 32), Engine::DmaLoad),
           0);
  waitOn(b.add(loadWeights(4096, 32, 32, 32, dtype), Engine::Mxu), 0);
  b.add(matmul(0, 8, 32, 32, 32, 0, 32, dtype), Engine::Mxu);
  if (accumulateTwice)
    b.add(matmul(0, 8, 32, 32, 32, 0, 32, dtype, /*accumulate=*/true),
          Engine::Mxu);
  signalTo(b.program.stream(0, Engine::Mxu).instructions.back(), 1);
  DType accType = dtype == DType::I8 ? DType::I32 : DType::F32;
  Instruction epilogue =
      vpu(Opcode::VpuEpilogue, biasRelu ? VpuFunc::Relu : VpuFunc::None, 8,
          32, sram(16384, 32), acc(0, 32, accType),
          biasRelu ? sram(12288, 32) : VpuOperand());
  if (biasRelu)
    epilogue.flags = kFlagBias;
  signalTo(waitOn(b.add(epilogue, Engine::Vpu), 1), 2);
  waitOn(b.add(dma(Opcode::DmaStore, 0x3000, 16384, 256), Engine::DmaStore),
         2);
  return b.finish();
}

TEST(Simulator, MatmulF32ExactWithEpilogueBiasRelu) {
  std::vector<float> x = randomValues(256, -4, 4, 1, true);
  std::vector<float> w = randomValues(1024, -4, 4, 2, true);
  std::vector<float> bias = randomValues(32, -50, 50, 3, true);
  std::vector<float> y = run(matmulProgram(DType::F32, true, false),
                             {{"x", floats(x, {8, 32})},
                              {"w", floats(w, {32, 32})},
                              {"bias", floats(bias, {1, 32})}});
  ASSERT_EQ(y.size(), 256u);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 32; ++j) {
      float sum = bias[j];
      for (int p = 0; p < 32; ++p)
        sum += x[i * 32 + p] * w[p * 32 + j];
      ASSERT_EQ(y[i * 32 + j], std::max(sum, 0.0f)) << i << "," << j;
    }
}

TEST(Simulator, MatmulBF16RoundsInputsToNearestEvenAndAccumulatesInFp32) {
  std::vector<float> x = randomValues(256, -2, 2, 4);
  std::vector<float> w = randomValues(1024, -2, 2, 5);
  std::vector<float> y = run(matmulProgram(DType::BF16, false, false),
                             {{"x", floats(x, {8, 32})},
                              {"w", floats(w, {32, 32})},
                              {"bias", floats(std::vector<float>(32), {1, 32})}});
  ASSERT_EQ(y.size(), 256u);
  double worstRounded = 0, worstUnrounded = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 32; ++j) {
      double rounded = 0, unrounded = 0;
      for (int p = 0; p < 32; ++p) {
        rounded += double(roundToBF16(x[i * 32 + p])) *
                   double(roundToBF16(w[p * 32 + j]));
        unrounded += double(x[i * 32 + p]) * double(w[p * 32 + j]);
      }
      worstRounded = std::max(worstRounded, std::fabs(y[i * 32 + j] - rounded));
      worstUnrounded =
          std::max(worstUnrounded, std::fabs(y[i * 32 + j] - unrounded));
    }
  // Exact products, fp32 accumulation: only accumulation rounding remains.
  EXPECT_LT(worstRounded, 1e-5);
  // The inputs really were rounded to bf16.
  EXPECT_GT(worstUnrounded, 1e-3);
}

TEST(Simulator, MatmulInt8AccumulatesExactlyInInt32) {
  std::mt19937 rng(6);
  std::uniform_int_distribution<int> dist(-128, 127);
  std::vector<int8_t> x(256), w(1024);
  for (int8_t &v : x)
    v = static_cast<int8_t>(dist(rng));
  for (int8_t &v : w)
    v = static_cast<int8_t>(dist(rng));
  x[0] = x[1] = -128;
  w[0] = w[32] = -128;
  // Two matmuls, the second with the accumulate flag: 2 * x @ w.
  std::vector<float> y = run(matmulProgram(DType::I8, false, true),
                             {{"x", int8s(x, {8, 32})},
                              {"w", int8s(w, {32, 32})},
                              {"bias", floats(std::vector<float>(32), {1, 32})}});
  ASSERT_EQ(y.size(), 256u);
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 32; ++j) {
      int32_t sum = 0;
      for (int p = 0; p < 32; ++p)
        sum += int32_t(x[i * 32 + p]) * int32_t(w[p * 32 + j]);
      ASSERT_EQ(y[i * 32 + j], float(2 * sum)) << i << "," << j;
    }
}

TEST(Simulator, Dma4DStridesPermuteAndConvertF32ToBF16) {
  // x [2x3x4x5] -> SRAM as [5x4x3x2] bf16 -> DRAM y [5x4x3x2] f32.
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, DType::F32, {2, 3, 4, 5}, 0);
  b.tensor("y", IoKind::Output, DType::F32, {5, 4, 3, 2}, 0x1000);
  Instruction load = dma(Opcode::DmaLoad, 0, 0, 1, DType::F32, DType::BF16);
  load.extents = {2, 3, 4, 5};
  load.dram_strides = {60, 20, 5, 1};
  load.sram_strides = {1, 2, 6, 24};
  signalTo(b.add(load, Engine::DmaLoad), 0);
  waitOn(b.add(dma(Opcode::DmaStore, 0x1000, 0, 120, DType::F32, DType::BF16),
               Engine::DmaStore),
         0);
  std::vector<float> x = randomValues(120, -10, 10, 7);
  std::vector<float> y = run(b.finish(), {{"x", floats(x, {2, 3, 4, 5})}});
  ASSERT_EQ(y.size(), 120u);
  for (int a = 0; a < 2; ++a)
    for (int bb = 0; bb < 3; ++bb)
      for (int c = 0; c < 4; ++c)
        for (int d = 0; d < 5; ++d)
          ASSERT_EQ(y[d * 24 + c * 6 + bb * 2 + a],
                    roundToBF16(x[a * 60 + bb * 20 + c * 5 + d]));
}

TEST(Simulator, DmaZeroDestinationStrideKeepsTheLastWriter) {
  // x [3x5x4] -> SRAM [5 x 4] with a zero stride on dim 1: each of the 5
  // SRAM rows is written by x[i][0..4][*] in turn, so it ends up holding
  // x[i = 2][4][*]... except that dims 0 and 1 both have stride 0, so the
  // whole box collapses onto one row of 4: x[2][4][*].
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, DType::F32, {3, 5, 4}, 0);
  b.tensor("y", IoKind::Output, DType::F32, {4}, 0x1000);
  Instruction load = dma(Opcode::DmaLoad, 0, 0, 1);
  load.extents = {1, 3, 5, 4};
  load.dram_strides = {0, 20, 4, 1};
  load.sram_strides = {0, 0, 0, 1};
  signalTo(b.add(load, Engine::DmaLoad), 0);
  waitOn(b.add(dma(Opcode::DmaStore, 0x1000, 0, 4), Engine::DmaStore), 0);
  std::vector<float> x = randomValues(60, -10, 10, 3);
  std::vector<float> y = run(b.finish(), {{"x", floats(x, {3, 5, 4})}});
  ASSERT_EQ(y.size(), 4u);
  for (int c = 0; c < 4; ++c)
    EXPECT_EQ(y[c], x[2 * 20 + 4 * 4 + c]);
}

TEST(Simulator, DmaReadingOneElement2To32TimesFinishesAtOnce) {
  // 65535 x 65535 copies of x[0] onto one SRAM element: last-writer-wins
  // makes all but the last copy unobservable, so they are not executed.
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, DType::F32, {1}, 0);
  b.tensor("y", IoKind::Output, DType::F32, {1}, 0x1000);
  Instruction load = dma(Opcode::DmaLoad, 0, 0, 1);
  load.extents = {65535, 65535, 1, 1};
  load.dram_strides = {0, 0, 0, 1};
  load.sram_strides = {0, 0, 0, 1};
  signalTo(b.add(load, Engine::DmaLoad), 0);
  waitOn(b.add(dma(Opcode::DmaStore, 0x1000, 0, 1), Engine::DmaStore), 0);
  std::vector<float> y = run(b.finish(), {{"x", floats({2.5f}, {1})}});
  ASSERT_EQ(y.size(), 1u);
  EXPECT_EQ(y[0], 2.5f);
}

HostDType hostDTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return HostDType::F32;
  case DType::BF16:
    return HostDType::BF16;
  case DType::I8:
    return HostDType::I8;
  case DType::I32:
    return HostDType::I32;
  }
  return HostDType::F32;
}

/// Converts one element as a DMA does (equal dtypes copy bits).
void convertElement(const uint8_t *from, DType fromType, uint8_t *to,
                    DType toType) {
  if (fromType == DType::F32 && toType == DType::BF16) {
    float value;
    std::memcpy(&value, from, 4);
    uint16_t bits = floatToBF16Bits(value);
    std::memcpy(to, &bits, 2);
  } else if (fromType == DType::BF16 && toType == DType::F32) {
    uint16_t bits;
    std::memcpy(&bits, from, 2);
    float value = bf16BitsToFloat(bits);
    std::memcpy(to, &value, 4);
  } else {
    std::memcpy(to, from, dtypeSize(fromType));
  }
}

/// Runs `box` (a DMA_LOAD or DMA_STORE whose extents, strides and dtypes
/// are set) on random bits (NaNs included) and compares the bytes it writes
/// with a reference that moves one element at a time in index order, the
/// last writer winning, straight from docs/isa.md. A load is followed by a
/// plain store of the SRAM it touched; a store is preceded by a plain load
/// of the SRAM it reads.
void expectDmaMatchesReference(Instruction box, std::mt19937 &rng,
                               const std::string &what) {
  constexpr uint64_t kBytes = 16384;     // x and y, each
  constexpr uint32_t kSramBase = 0x8000; // the box's side in SRAM
  bool isLoad = box.opcode == Opcode::DmaLoad;
  DType dramType = box.dram_dtype, sramType = box.sram_dtype;
  DType fromType = isLoad ? dramType : sramType;
  DType toType = isLoad ? sramType : dramType;
  std::array<int64_t, 2> lo = {0, 0}, hi = {0, 0}; // dram, sram elements
  for (unsigned d = 0; d < 4; ++d) {
    int64_t dramSpan = int64_t(box.extents[d] - 1) * box.dram_strides[d];
    int64_t sramSpan = int64_t(box.extents[d] - 1) * box.sram_strides[d];
    (dramSpan < 0 ? lo[0] : hi[0]) += dramSpan;
    (sramSpan < 0 ? lo[1] : hi[1]) += sramSpan;
  }
  // Place the box so its lowest element is at the start of its region.
  box.dram_addr = (isLoad ? 0 : kBytes) - lo[0] * dtypeSize(dramType);
  box.sram_addr = kSramBase - lo[1] * dtypeSize(sramType);
  uint64_t dramBytes = (hi[0] - lo[0] + 1) * dtypeSize(dramType);
  uint64_t sramBytes = (hi[1] - lo[1] + 1) * dtypeSize(sramType);
  ASSERT_LE(dramBytes, kBytes) << what;
  ASSERT_LE(sramBytes, kBytes) << what;

  // x: random bits in the source dtype; y: the destination region.
  DType xType = fromType, yType = toType;
  uint64_t xCount = kBytes / dtypeSize(xType);
  uint64_t yCount = (isLoad ? sramBytes : dramBytes) / dtypeSize(yType);
  HostTensor x;
  x.dtype = hostDTypeOf(xType);
  x.shape = {int64_t(xCount)};
  x.data.resize(kBytes);
  for (uint8_t &byte : x.data)
    byte = rng();
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, xType, {xCount}, 0);
  b.tensor("y", IoKind::Output, yType, {yCount}, kBytes);
  uint16_t sourceCount = (isLoad ? kBytes : sramBytes) / dtypeSize(xType);
  if (isLoad) {
    signalTo(b.add(box, Engine::DmaLoad), 0);
    waitOn(b.add(dma(Opcode::DmaStore, kBytes, kSramBase, yCount, yType, yType),
                 Engine::DmaStore),
           0);
  } else {
    signalTo(
        b.add(dma(Opcode::DmaLoad, 0, kSramBase, sourceCount, xType, xType),
              Engine::DmaLoad),
        0);
    waitOn(b.add(box, Engine::DmaStore), 0);
  }
  auto simulator = Simulator::create(b.finish());
  ASSERT_TRUE(static_cast<bool>(simulator))
      << what << ": " << llvm::toString(simulator.takeError());
  cantFail((*simulator)->setTensor("x", x));
  cantFail((*simulator)->run());
  HostTensor y = cantFail((*simulator)->getTensor("y"));

  std::vector<uint8_t> source(
      x.data.begin(), x.data.begin() + (isLoad ? dramBytes : sramBytes));
  std::vector<uint8_t> expected(y.data.size(), 0);
  int64_t fromBase = -lo[isLoad ? 0 : 1], toBase = -lo[isLoad ? 1 : 0];
  const std::array<int32_t, 4> &fromStrides =
      isLoad ? box.dram_strides : box.sram_strides;
  const std::array<int32_t, 4> &toStrides =
      isLoad ? box.sram_strides : box.dram_strides;
  for (int64_t i0 = 0; i0 < box.extents[0]; ++i0)
    for (int64_t i1 = 0; i1 < box.extents[1]; ++i1)
      for (int64_t i2 = 0; i2 < box.extents[2]; ++i2)
        for (int64_t i3 = 0; i3 < box.extents[3]; ++i3) {
          std::array<int64_t, 4> i = {i0, i1, i2, i3};
          int64_t from = fromBase, to = toBase;
          for (unsigned d = 0; d < 4; ++d) {
            from += i[d] * fromStrides[d];
            to += i[d] * toStrides[d];
          }
          convertElement(source.data() + from * dtypeSize(fromType), fromType,
                         expected.data() + to * dtypeSize(toType), toType);
        }
  ASSERT_EQ(y.data, expected) << what;
}

const std::pair<DType, DType> kDmaTypePairs[] = {
    {DType::F32, DType::F32},  {DType::BF16, DType::BF16},
    {DType::I8, DType::I8},    {DType::I32, DType::I32},
    {DType::F32, DType::BF16}, {DType::BF16, DType::F32}};

TEST(Simulator, DmaRandomBoxesMatchAnElementByElementReference) {
  // Random 4-D boxes (extents 1..4, strides -6..6 including zero, so
  // destinations overlap and dimensions are sometimes contiguous and
  // sometimes not) for every dtype pair a DMA allows, as loads and stores.
  std::mt19937 rng(42);
  for (int trial = 0; trial < 240; ++trial) {
    auto [dramType, sramType] = kDmaTypePairs[trial % 6];
    bool isLoad = (trial / 6) % 2 == 0;
    Instruction box = dma(isLoad ? Opcode::DmaLoad : Opcode::DmaStore, 0, 0, 1,
                          dramType, sramType);
    for (unsigned d = 0; d < 4; ++d) {
      box.extents[d] = 1 + rng() % 4;
      box.dram_strides[d] = int(rng() % 13) - 6;
      box.sram_strides[d] = int(rng() % 13) - 6;
      // A contiguous inner pair now and then, so rows merge.
      if (d == 3 && rng() % 2)
        box.dram_strides[2] = box.extents[3] * box.dram_strides[3];
      if (d == 3 && rng() % 2)
        box.sram_strides[2] = box.extents[3] * box.sram_strides[3];
    }
    expectDmaMatchesReference(box, rng, "trial " + std::to_string(trial));
    if (HasFatalFailure())
      return;
  }
}

TEST(Simulator, DmaTransposesMatchAnElementByElementReference) {
  // [rows x cols] transposes (source contiguous along rows, destination
  // along cols, as when a conv input goes from NCHW to pixel-major), large
  // enough for the blocked copy, under 1-2 outer dimensions; the destination
  // row stride is sometimes below cols, so destination rows overlap and the
  // index order must be kept.
  std::mt19937 rng(7);
  for (int trial = 0; trial < 96; ++trial) {
    auto [dramType, sramType] = kDmaTypePairs[trial % 6];
    bool isLoad = (trial / 6) % 2 == 0;
    Instruction box = dma(isLoad ? Opcode::DmaLoad : Opcode::DmaStore, 0, 0, 1,
                          dramType, sramType);
    int32_t rows = 1 + rng() % 40, cols = 1 + rng() % 40;
    bool overlap = rng() % 4 == 0;
    int32_t toRowStride = overlap ? std::max(1, cols - 1 - int(rng() % 4))
                                  : cols + int(rng() % 3);
    int32_t fromColStride = rows + int(rng() % 3);
    std::array<int32_t, 4> &fromStrides =
        isLoad ? box.dram_strides : box.sram_strides;
    std::array<int32_t, 4> &toStrides =
        isLoad ? box.sram_strides : box.dram_strides;
    box.extents = {uint16_t(1 + rng() % 2), uint16_t(1 + rng() % 2),
                   uint16_t(rows), uint16_t(cols)};
    fromStrides = {int32_t(rng() % 2) * 500, int32_t(rng() % 2) * 300, 1,
                   fromColStride};
    toStrides = {int32_t(rng() % 2) * 400, int32_t(rng() % 3) * 7, toRowStride,
                 1};
    expectDmaMatchesReference(box, rng, "trial " + std::to_string(trial));
    if (HasFatalFailure())
      return;
  }
}

//===----------------------------------------------------------------------===//
// VPU: one instruction between DMA in and DMA out
//===----------------------------------------------------------------------===//

constexpr uint16_t kRows = 4, kCols = 32;
constexpr uint32_t kIn0 = 0, kIn1 = 0x1000, kIn2 = 0x2000, kOut = 0x3000;

/// Loads a, b, c ([4 x 32] f32 each) to SRAM kIn0/kIn1/kIn2, runs `inst`,
/// stores `outCount` f32 elements from SRAM kOut.
std::vector<float> runVpu(Instruction inst, const std::vector<float> &a,
                          const std::vector<float> &b,
                          const std::vector<float> &c,
                          uint16_t outCount = kRows * kCols,
                          DType outType = DType::F32) {
  ProgramBuilder builder(tiny());
  uint16_t count = kRows * kCols;
  builder.tensor("a", IoKind::Input, DType::F32, {kRows, kCols}, kIn0);
  builder.tensor("b", IoKind::Input, DType::F32, {kRows, kCols}, kIn1);
  builder.tensor("c", IoKind::Input, DType::F32, {kRows, kCols}, kIn2);
  builder.tensor("y", IoKind::Output, DType::F32, {outCount}, kOut);
  builder.add(dma(Opcode::DmaLoad, kIn0, kIn0, count), Engine::DmaLoad);
  builder.add(dma(Opcode::DmaLoad, kIn1, kIn1, count), Engine::DmaLoad);
  signalTo(builder.add(dma(Opcode::DmaLoad, kIn2, kIn2, count),
                       Engine::DmaLoad),
           0);
  signalTo(waitOn(builder.add(inst, Engine::Vpu), 0), 1);
  waitOn(builder.add(dma(Opcode::DmaStore, kOut, kOut, outCount, DType::F32,
                         outType),
                     Engine::DmaStore),
         1);
  return run(builder.finish(), {{"a", floats(a, {kRows, kCols})},
                                {"b", floats(b, {kRows, kCols})},
                                {"c", floats(c, {kRows, kCols})}});
}

void expectClose(float actual, double expected, const std::string &what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what;
    return;
  }
  EXPECT_NEAR(actual, expected, 2e-6 * std::max(1.0, std::fabs(expected)))
      << what;
}

TEST(Simulator, EveryUnaryFunctionMatchesTheStandardLibrary) {
  std::vector<float> signedValues = randomValues(128, -3, 3, 8);
  std::vector<float> positive = randomValues(128, 0.05f, 4, 9);
  std::vector<float> unit = randomValues(128, -1, 1, 16);
  // Halves and integers, where the rounding functions differ.
  std::vector<float> halves = randomValues(128, -8, 8, 17, true);
  for (size_t i = 0; i < halves.size(); i += 2)
    halves[i] += 0.5f;
  halves[1] = -0.0f;
  enum Domain { Signed, Positive, Unit, Halves };
  struct Case {
    VpuFunc func;
    Domain domain;
    std::function<double(double)> reference;
  };
  const float lo = -0.5f, hi = 1.5f, slope = 0.125f;
  const Case cases[] = {
      {VpuFunc::Copy, Signed, [](double x) { return x; }},
      {VpuFunc::Relu, Signed, [](double x) { return x < 0 ? 0 : x; }},
      {VpuFunc::LeakyRelu, Signed,
       [&](double x) { return x < 0 ? slope * x : x; }},
      {VpuFunc::Exp, Signed, [](double x) { return std::exp(x); }},
      {VpuFunc::Log, Positive, [](double x) { return std::log(x); }},
      {VpuFunc::Tanh, Signed, [](double x) { return std::tanh(x); }},
      {VpuFunc::Sigmoid, Signed,
       [](double x) { return 1 / (1 + std::exp(-x)); }},
      {VpuFunc::Erf, Signed, [](double x) { return std::erf(x); }},
      {VpuFunc::Sqrt, Positive, [](double x) { return std::sqrt(x); }},
      {VpuFunc::Rsqrt, Positive, [](double x) { return 1 / std::sqrt(x); }},
      {VpuFunc::Recip, Positive, [](double x) { return 1 / x; }},
      {VpuFunc::Neg, Signed, [](double x) { return -x; }},
      {VpuFunc::Abs, Signed, [](double x) { return std::fabs(x); }},
      {VpuFunc::Gelu, Signed,
       [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {VpuFunc::GeluTanh, Signed,
       [](double x) {
         return 0.5 * x *
                (1 + std::tanh(std::sqrt(2 / M_PI) *
                               (x + 0.044715 * x * x * x)));
       }},
      {VpuFunc::Clip, Signed,
       [&](double x) { return x < lo ? lo : (x > hi ? hi : x); }},
      {VpuFunc::Square, Signed, [](double x) { return x * x; }},
      {VpuFunc::Floor, Halves, [](double x) { return std::floor(x); }},
      {VpuFunc::Ceil, Halves, [](double x) { return std::ceil(x); }},
      // Ties to even: 2.5 -> 2, -3.5 -> -4.
      {VpuFunc::RoundEven, Halves,
       [](double x) { return x - std::remainder(x, 1.0); }},
      {VpuFunc::Trunc, Halves, [](double x) { return std::trunc(x); }},
      {VpuFunc::Sign, Halves,
       [](double x) { return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0); }},
      {VpuFunc::Sin, Signed, [](double x) { return std::sin(x); }},
      {VpuFunc::Cos, Signed, [](double x) { return std::cos(x); }},
      {VpuFunc::Tan, Unit, [](double x) { return std::tan(x); }},
      {VpuFunc::Asin, Unit, [](double x) { return std::asin(x); }},
      {VpuFunc::Acos, Unit, [](double x) { return std::acos(x); }},
      {VpuFunc::Atan, Signed, [](double x) { return std::atan(x); }},
  };
  for (const Case &test : cases) {
    const std::vector<float> &input = test.domain == Positive ? positive
                                      : test.domain == Unit   ? unit
                                      : test.domain == Halves ? halves
                                                              : signedValues;
    Instruction inst = vpu(Opcode::VpuUnary, test.func, kRows, kCols,
                           sram(kOut, kCols), sram(kIn0, kCols));
    if (test.func == VpuFunc::LeakyRelu)
      inst.imm0 = slope;
    if (test.func == VpuFunc::Clip) {
      inst.imm0 = lo;
      inst.imm1 = hi;
    }
    std::vector<float> y = runVpu(inst, input, input, input);
    ASSERT_EQ(y.size(), input.size());
    for (size_t i = 0; i < y.size(); ++i)
      expectClose(y[i], test.reference(input[i]),
                  vpuFuncName(test.func).str() + " at " + std::to_string(i));
  }
}

TEST(Simulator, HashUniformIsACounterBasedUniformGenerator) {
  // Known answers (computed independently with Python's integers): the
  // f32 bits of x xor the bits of 1.5f through MurmurHash3's finalizer,
  // top 24 bits times 2^-24.
  std::vector<float> counters(kRows * kCols);
  for (size_t i = 0; i < counters.size(); ++i)
    counters[i] = float(i);
  counters[4] = 1000.0f;
  counters[5] = -1.0f;
  Instruction inst = vpu(Opcode::VpuUnary, VpuFunc::HashUniform, kRows, kCols,
                         sram(kOut, kCols), sram(kIn0, kCols));
  inst.imm0 = 1.5f;
  std::vector<float> u = runVpu(inst, counters, counters, counters);
  ASSERT_EQ(u.size(), counters.size());
  EXPECT_EQ(u[0], 0.06083434820175171f);
  EXPECT_EQ(u[1], 0.7496368288993835f);
  EXPECT_EQ(u[2], 0.4153830409049988f);
  EXPECT_EQ(u[3], 0.677690327167511f);
  EXPECT_EQ(u[4], 0.488341748714447f);
  EXPECT_EQ(u[5], 0.6073923110961914f);
  // Another key gives another sequence.
  inst.imm0 = 2.5f;
  std::vector<float> other = runVpu(inst, counters, counters, counters);
  EXPECT_NE(other[0], u[0]);

  // Statistics of 2^16 consecutive counters (deterministic: fixed key).
  // Mean 1/2 and variance 1/12 within 6 standard errors, 16 equal bins
  // within a chi-square far above its 15-degree mean, neighbours
  // uncorrelated, every value in [0, 1).
  const int n = 1 << 16;
  std::vector<double> values(n);
  for (int i = 0; i < n; ++i) {
    float x = float(i);
    uint32_t bits, key;
    float k = 1.5f;
    std::memcpy(&bits, &x, 4);
    std::memcpy(&key, &k, 4);
    values[i] = hashUniform(bits, key);
  }
  double mean = 0, var = 0, lag = 0;
  std::vector<int> bins(16, 0);
  for (int i = 0; i < n; ++i) {
    ASSERT_GE(values[i], 0.0);
    ASSERT_LT(values[i], 1.0);
    mean += values[i];
    ++bins[int(values[i] * 16)];
  }
  mean /= n;
  for (int i = 0; i < n; ++i) {
    var += (values[i] - mean) * (values[i] - mean);
    if (i > 0)
      lag += (values[i] - mean) * (values[i - 1] - mean);
  }
  var /= n;
  double correlation = lag / (n * var);
  EXPECT_NEAR(mean, 0.5, 6 * std::sqrt(1.0 / 12 / n));
  EXPECT_NEAR(var, 1.0 / 12, 0.002);
  EXPECT_NEAR(correlation, 0.0, 6 / std::sqrt(double(n)));
  double chi2 = 0, expected = n / 16.0;
  for (int count : bins)
    chi2 += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi2, 50.0); // P(chi2_15 > 50) < 2e-5.
}

TEST(Simulator, EveryBinaryFunctionAndBroadcastMode) {
  std::vector<float> a = randomValues(128, 0.5f, 3, 10);
  std::vector<float> b = randomValues(128, 0.5f, 3, 11, true);
  a[5] = b[5]; // make the comparisons see an equal pair
  const std::pair<VpuFunc, std::function<double(double, double)>> cases[] = {
      {VpuFunc::Add, [](double x, double y) { return float(x) + float(y); }},
      {VpuFunc::Sub, [](double x, double y) { return float(x) - float(y); }},
      {VpuFunc::Mul, [](double x, double y) { return float(x) * float(y); }},
      {VpuFunc::Div, [](double x, double y) { return float(x) / float(y); }},
      {VpuFunc::Max, [](double x, double y) { return std::max(x, y); }},
      {VpuFunc::Min, [](double x, double y) { return std::min(x, y); }},
      {VpuFunc::Pow, [](double x, double y) { return std::pow(x, y); }},
      {VpuFunc::CmpLt, [](double x, double y) { return x < y ? 1.0 : 0.0; }},
      {VpuFunc::CmpLe, [](double x, double y) { return x <= y ? 1.0 : 0.0; }},
      {VpuFunc::CmpEq, [](double x, double y) { return x == y ? 1.0 : 0.0; }},
      {VpuFunc::CmpNe, [](double x, double y) { return x != y ? 1.0 : 0.0; }},
      {VpuFunc::Mod,
       [](double x, double y) { return x - std::floor(x / y) * y; }},
      {VpuFunc::FMod, [](double x, double y) { return std::fmod(x, y); }},
  };
  for (const auto &[func, reference] : cases)
    for (Broadcast mode : {Broadcast::None, Broadcast::Row, Broadcast::Col,
                           Broadcast::Scalar}) {
      Instruction inst = vpu(Opcode::VpuBinary, func, kRows, kCols,
                             sram(kOut, kCols), sram(kIn0, kCols),
                             mode == Broadcast::Scalar ? VpuOperand()
                                                       : sram(kIn1, kCols));
      inst.broadcast = mode;
      if (mode == Broadcast::Scalar)
        inst.imm0 = 1.75f;
      std::vector<float> y = runVpu(inst, a, b, b);
      ASSERT_EQ(y.size(), 128u);
      for (int i = 0; i < kRows; ++i)
        for (int j = 0; j < kCols; ++j) {
          double other = mode == Broadcast::None  ? b[i * kCols + j]
                         : mode == Broadcast::Row ? b[j]
                         : mode == Broadcast::Col ? b[i * kCols]
                                                  : 1.75;
          expectClose(y[i * kCols + j], reference(a[i * kCols + j], other),
                      vpuFuncName(func).str() + "/" +
                          broadcastName(mode).str());
        }
    }
}

TEST(Simulator, ModTakesTheSignOfTheDivisorAndFModOfTheDividend) {
  std::vector<float> a = {-4.25f, 7.0f, 5.0f, -7.0f, 0.0f, -6.0f, 1.0f, 3.0f};
  std::vector<float> b = {2.0f, -3.0f, 5.0f, 2.5f, -2.0f, 3.0f, 0.0f, -1.0f};
  a.resize(128, 1.0f);
  b.resize(128, 1.0f);
  Instruction mod =
      vpu(Opcode::VpuBinary, VpuFunc::Mod, kRows, kCols, sram(kOut, kCols),
          sram(kIn0, kCols), sram(kIn1, kCols));
  std::vector<float> y = runVpu(mod, a, b, b);
  const float modExpected[] = {1.75f, -2.0f, 0.0f, 0.5f,
                               -0.0f, 0.0f,  NAN,  -0.0f};
  for (int i = 0; i < 8; ++i)
    expectClose(y[i], modExpected[i], "mod at " + std::to_string(i));
  EXPECT_TRUE(std::signbit(y[4]) && std::signbit(y[7])) << "sign of b";
  Instruction fmod = mod;
  fmod.func = VpuFunc::FMod;
  y = runVpu(fmod, a, b, b);
  const float fmodExpected[] = {-0.25f, 1.0f,  0.0f, -2.0f,
                                0.0f,   -0.0f, NAN,  0.0f};
  for (int i = 0; i < 8; ++i)
    expectClose(y[i], fmodExpected[i], "fmod at " + std::to_string(i));
}

TEST(Simulator, ReductionsAlongRowsAndColumns) {
  std::vector<float> a = randomValues(128, -8, 8, 12, true);
  // Factors in [-2, 2]: every product is 0 or +-2^k, exact in fp32.
  std::vector<float> factors = randomValues(128, -2, 2, 18, true);
  for (VpuFunc func : {VpuFunc::Add, VpuFunc::Mul, VpuFunc::Max, VpuFunc::Min})
    for (ReduceDim dim : {ReduceDim::Cols, ReduceDim::Rows}) {
      bool overCols = dim == ReduceDim::Cols;
      Instruction inst =
          vpu(Opcode::VpuReduce, func, kRows, kCols,
              sram(kOut, overCols ? 1 : kCols), sram(kIn0, kCols));
      inst.reduce_dim = dim;
      uint16_t outputs = overCols ? kRows : kCols;
      const std::vector<float> &in = func == VpuFunc::Mul ? factors : a;
      std::vector<float> y = runVpu(inst, in, in, in, outputs);
      ASSERT_EQ(y.size(), outputs);
      for (int o = 0; o < outputs; ++o) {
        double result = func == VpuFunc::Add   ? 0
                        : func == VpuFunc::Mul ? 1
                        : func == VpuFunc::Max ? -1e30
                                               : 1e30;
        for (int k = 0; k < (overCols ? kCols : kRows); ++k) {
          double v = overCols ? in[o * kCols + k] : in[k * kCols + o];
          result = func == VpuFunc::Add   ? result + v
                   : func == VpuFunc::Mul ? result * v
                   : func == VpuFunc::Max ? std::max(result, v)
                                          : std::min(result, v);
        }
        EXPECT_EQ(y[o], result) << vpuFuncName(func).str();
      }
    }
}

TEST(Simulator, SelectBroadcastAndCasts) {
  std::vector<float> cond(128), a = randomValues(128, -5, 5, 13),
                                b = randomValues(128, -5, 5, 14);
  for (int i = 0; i < 128; ++i)
    cond[i] = i % 3 == 0 ? 1.0f : 0.0f;
  Instruction select = vpu(Opcode::VpuSelect, VpuFunc::None, kRows, kCols,
                           sram(kOut, kCols), sram(kIn0, kCols),
                           sram(kIn1, kCols));
  select.src2 = sram(kIn2, kCols);
  std::vector<float> y = runVpu(select, cond, a, b);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], i % 3 == 0 ? a[i] : b[i]);

  Instruction fill = vpu(Opcode::VpuBroadcast, VpuFunc::None, kRows, kCols,
                         sram(kOut, kCols), VpuOperand());
  fill.broadcast = Broadcast::Scalar;
  fill.imm0 = -2.5f;
  y = runVpu(fill, a, a, a);
  for (float v : y)
    ASSERT_EQ(v, -2.5f);

  Instruction column = vpu(Opcode::VpuBroadcast, VpuFunc::None, kRows, kCols,
                           sram(kOut, kCols), sram(kIn0, kCols));
  column.broadcast = Broadcast::Col;
  y = runVpu(column, a, a, a);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], a[(i / kCols) * kCols]);

  // f32 -> bf16 cast (rounded) into a bf16 destination, read back as f32 by
  // the converting store.
  Instruction toBF16 = vpu(Opcode::VpuCast, VpuFunc::None, kRows, kCols,
                           sram(kOut, kCols, DType::BF16), sram(kIn0, kCols));
  y = runVpu(toBF16, a, a, a, 128, DType::BF16);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], roundToBF16(a[i]));
}

TEST(Simulator, QuantizeAndDequantizeCasts) {
  // f32 -> i8 (scale 10, zero point 3) -> f32 (scale 0.1, zero point 3).
  std::vector<float> a = randomValues(128, -20, 20, 15);
  a[0] = 0.25f; // 2.5 + 3 -> round half even: 2 + 3 = 5
  ProgramBuilder builder(tiny());
  builder.tensor("a", IoKind::Input, DType::F32, {kRows, kCols}, 0);
  builder.tensor("y", IoKind::Output, DType::F32, {128}, 0x3000);
  signalTo(builder.add(dma(Opcode::DmaLoad, 0, 0, 128), Engine::DmaLoad), 0);
  Instruction quantize = vpu(Opcode::VpuCast, VpuFunc::None, kRows, kCols,
                             sram(0x1000, kCols, DType::I8), sram(0, kCols));
  quantize.scale = 10.0f;
  quantize.zero_point = 3;
  waitOn(builder.add(quantize, Engine::Vpu), 0);
  Instruction dequantize =
      vpu(Opcode::VpuCast, VpuFunc::None, kRows, kCols, sram(0x3000, kCols),
          sram(0x1000, kCols, DType::I8));
  dequantize.scale = 0.1f;
  dequantize.zero_point = 3;
  signalTo(builder.add(dequantize, Engine::Vpu), 1);
  waitOn(builder.add(dma(Opcode::DmaStore, 0x3000, 0x3000, 128),
                     Engine::DmaStore),
         1);
  std::vector<float> y =
      run(builder.finish(), {{"a", floats(a, {kRows, kCols})}});
  ASSERT_EQ(y.size(), 128u);
  for (int i = 0; i < 128; ++i) {
    int8_t q = quantizeToInt8(a[i], 10.0f, 3);
    ASSERT_EQ(y[i], float((double(q) - 3) * double(0.1f))) << i;
  }
  EXPECT_EQ(y[0], float(2 * double(0.1f)));
}

//===----------------------------------------------------------------------===//
// VPU integer mode (i32 sources) and float <-> integer casts
//===----------------------------------------------------------------------===//

constexpr int32_t kI32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kI32Max = std::numeric_limits<int32_t>::max();

HostTensor int32s(const std::vector<int32_t> &values,
                  std::vector<int64_t> shape) {
  HostTensor tensor;
  tensor.dtype = HostDType::I32;
  tensor.shape = std::move(shape);
  tensor.data.resize(values.size() * 4);
  std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
  return tensor;
}

/// runVpu for i32 inputs a, b, c; the output y ([outCount] of `outType`,
/// i32 or f32, stored without conversion) is returned as doubles (exact).
std::vector<double> runVpuI32(Instruction inst, const std::vector<int32_t> &a,
                              const std::vector<int32_t> &b,
                              const std::vector<int32_t> &c,
                              uint16_t outCount = kRows * kCols,
                              DType outType = DType::I32) {
  ProgramBuilder builder(tiny());
  uint16_t count = kRows * kCols;
  for (auto [name, addr] :
       {std::pair<const char *, uint32_t>{"a", kIn0}, {"b", kIn1}, {"c", kIn2}})
    builder.tensor(name, IoKind::Input, DType::I32, {kRows, kCols}, addr);
  builder.tensor("y", IoKind::Output, outType, {outCount}, kOut);
  builder.add(dma(Opcode::DmaLoad, kIn0, kIn0, count, DType::I32, DType::I32),
              Engine::DmaLoad);
  builder.add(dma(Opcode::DmaLoad, kIn1, kIn1, count, DType::I32, DType::I32),
              Engine::DmaLoad);
  signalTo(builder.add(
               dma(Opcode::DmaLoad, kIn2, kIn2, count, DType::I32, DType::I32),
               Engine::DmaLoad),
           0);
  signalTo(waitOn(builder.add(inst, Engine::Vpu), 0), 1);
  waitOn(
      builder.add(dma(Opcode::DmaStore, kOut, kOut, outCount, outType, outType),
                  Engine::DmaStore),
      1);
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(builder.finish());
  EXPECT_TRUE(static_cast<bool>(simulator))
      << llvm::toString(simulator.takeError());
  if (!simulator)
    return {};
  for (auto [name, values] :
       {std::pair<const char *, const std::vector<int32_t> *>{"a", &a},
        {"b", &b},
        {"c", &c}}) {
    llvm::Error error =
        (*simulator)->setTensor(name, int32s(*values, {kRows, kCols}));
    EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  }
  Expected<RunStats> stats = (*simulator)->run();
  EXPECT_TRUE(static_cast<bool>(stats)) << llvm::toString(stats.takeError());
  Expected<HostTensor> y = (*simulator)->getTensor("y");
  EXPECT_TRUE(static_cast<bool>(y)) << llvm::toString(y.takeError());
  std::vector<double> values;
  for (uint64_t i = 0; y && i < y->numElements(); ++i) {
    int32_t bits;
    std::memcpy(&bits, y->data.data() + 4 * i, 4);
    values.push_back(outType == DType::I32 ? double(bits)
                                           : double(floatFromBits(bits)));
  }
  return values;
}

/// Random i32 values in [lo, hi] with the extremes at the front.
std::vector<int32_t> randomInts(int32_t lo, int32_t hi, unsigned seed,
                                std::vector<int32_t> front) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(lo, hi);
  std::vector<int32_t> values = std::move(front);
  while (values.size() < kRows * kCols)
    values.push_back(dist(rng));
  return values;
}

/// The int32 result of `value` computed in int64 (two's-complement wrap).
int32_t wrapped(int64_t value) {
  return static_cast<int32_t>(static_cast<uint32_t>(value));
}

TEST(Simulator, IntegerModeBinaryFunctionsWrapAndTruncate) {
  std::vector<int32_t> a = randomInts(
      -1000, 1000, 20, {kI32Min, kI32Max, 7, -7, 7, -7, kI32Min, 5, 0, -9});
  std::vector<int32_t> b =
      randomInts(-1000, 1000, 21, {-1, 1, 2, 2, -2, -2, 2, 0, 0, 3});
  auto floorDiv = [](int64_t x, int64_t y) {
    int64_t q = x / y;
    return (x % y != 0 && ((x < 0) != (y < 0))) ? q - 1 : q;
  };
  const std::pair<VpuFunc, std::function<int64_t(int64_t, int64_t)>> cases[] = {
      {VpuFunc::Add, [](int64_t x, int64_t y) { return x + y; }},
      {VpuFunc::Sub, [](int64_t x, int64_t y) { return x - y; }},
      {VpuFunc::Mul, [](int64_t x, int64_t y) { return x * y; }},
      {VpuFunc::Div, [](int64_t x, int64_t y) { return y == 0 ? 0 : x / y; }},
      {VpuFunc::Max, [](int64_t x, int64_t y) { return std::max(x, y); }},
      {VpuFunc::Min, [](int64_t x, int64_t y) { return std::min(x, y); }},
      {VpuFunc::CmpLt, [](int64_t x, int64_t y) { return x < y; }},
      {VpuFunc::CmpLe, [](int64_t x, int64_t y) { return x <= y; }},
      {VpuFunc::CmpEq, [](int64_t x, int64_t y) { return x == y; }},
      {VpuFunc::CmpNe, [](int64_t x, int64_t y) { return x != y; }},
      {VpuFunc::Mod,
       [&](int64_t x, int64_t y) {
         return y == 0 ? 0 : x - floorDiv(x, y) * y;
       }},
      {VpuFunc::FMod, [](int64_t x, int64_t y) { return y == 0 ? 0 : x % y; }},
  };
  for (const auto &[func, reference] : cases) {
    Instruction inst = vpu(
        Opcode::VpuBinary, func, kRows, kCols, sram(kOut, kCols, DType::I32),
        sram(kIn0, kCols, DType::I32), sram(kIn1, kCols, DType::I32));
    std::vector<double> y = runVpuI32(inst, a, b, b);
    ASSERT_EQ(y.size(), 128u);
    for (int i = 0; i < 128; ++i)
      ASSERT_EQ(y[i], wrapped(reference(a[i], b[i])))
          << vpuFuncName(func).str() << " of " << a[i] << " and " << b[i];
  }
  // INT32_MIN / -1 wraps to INT32_MIN; 7 div 2 truncates, 7 mod -2 = -1.
  Instruction div =
      vpu(Opcode::VpuBinary, VpuFunc::Div, kRows, kCols,
          sram(kOut, kCols, DType::I32), sram(kIn0, kCols, DType::I32),
          sram(kIn1, kCols, DType::I32));
  std::vector<double> y = runVpuI32(div, a, b, b);
  EXPECT_EQ(y[0], double(kI32Min));
  EXPECT_EQ(y[3], -3.0);
}

TEST(Simulator, IntegerPowByRepeatedMultiplication) {
  std::vector<int32_t> a = randomInts(-6, 6, 22, {2, -2, 3, 1, -1, -1, 0, 5});
  std::vector<int32_t> b =
      randomInts(-3, 40, 23, {10, 3, 31, -5, -3, -4, -2, -1});
  Instruction pow =
      vpu(Opcode::VpuBinary, VpuFunc::Pow, kRows, kCols,
          sram(kOut, kCols, DType::I32), sram(kIn0, kCols, DType::I32),
          sram(kIn1, kCols, DType::I32));
  std::vector<double> y = runVpuI32(pow, a, b, b);
  ASSERT_EQ(y.size(), 128u);
  for (int i = 0; i < 128; ++i) {
    uint32_t expected = 1;
    if (b[i] < 0)
      expected = a[i] == 1 ? 1 : a[i] == -1 ? ((-b[i]) % 2 ? -1 : 1) : 0;
    else
      for (int e = 0; e < b[i]; ++e)
        expected *= static_cast<uint32_t>(a[i]);
    ASSERT_EQ(y[i], double(static_cast<int32_t>(expected)))
        << a[i] << " ^ " << b[i];
  }
  EXPECT_EQ(y[0], 1024.0);
  EXPECT_EQ(y[1], -8.0);
}

TEST(Simulator, IntegerModeScalarsFloatResultsAndComparisons) {
  std::vector<int32_t> a =
      randomInts(-100, 100, 24, {16777217, -16777219, 3, -3});
  // Scalar immediate (an integral float) and an f32 destination: the int32
  // result is rounded to nearest even once.
  Instruction add =
      vpu(Opcode::VpuBinary, VpuFunc::Add, kRows, kCols,
          sram(kOut, kCols, DType::F32), sram(kIn0, kCols, DType::I32));
  add.broadcast = Broadcast::Scalar;
  add.imm0 = -3.0f;
  std::vector<double> y = runVpuI32(add, a, a, a, 128, DType::F32);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], double(static_cast<float>(a[i] - 3)));
  EXPECT_EQ(y[0], 16777214.0);
  EXPECT_EQ(y[1], -16777222.0);
  // A comparison writes 1.0 / 0.0 (booleans as the compiler keeps them).
  Instruction less =
      vpu(Opcode::VpuBinary, VpuFunc::CmpLt, kRows, kCols,
          sram(kOut, kCols, DType::F32), sram(kIn0, kCols, DType::I32),
          sram(kIn1, 1, DType::I32));
  less.broadcast = Broadcast::Col;
  std::vector<int32_t> b = randomInts(-100, 100, 25, {});
  y = runVpuI32(less, a, b, b, 128, DType::F32);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], a[i] < b[(i / kCols)] ? 1.0 : 0.0) << i;
}

TEST(Simulator, IntegerModeUnaryReduceBroadcastAndSelect) {
  std::vector<int32_t> a =
      randomInts(-50000, 50000, 26, {kI32Min, kI32Max, 0, -1, 70000});
  const std::pair<VpuFunc, std::function<int64_t(int64_t)>> unary[] = {
      {VpuFunc::Copy, [](int64_t x) { return x; }},
      {VpuFunc::Relu, [](int64_t x) { return std::max<int64_t>(x, 0); }},
      {VpuFunc::Neg, [](int64_t x) { return -x; }},
      {VpuFunc::Abs, [](int64_t x) { return x < 0 ? -x : x; }},
      {VpuFunc::Square, [](int64_t x) { return x * x; }},
      {VpuFunc::Sign, [](int64_t x) { return (x > 0) - (x < 0); }},
      {VpuFunc::Clip,
       [](int64_t x) { return std::clamp<int64_t>(x, -7, 20000); }},
  };
  for (const auto &[func, reference] : unary) {
    Instruction inst =
        vpu(Opcode::VpuUnary, func, kRows, kCols, sram(kOut, kCols, DType::I32),
            sram(kIn0, kCols, DType::I32));
    if (func == VpuFunc::Clip) {
      inst.imm0 = -7.0f;
      inst.imm1 = 20000.0f;
    }
    std::vector<double> y = runVpuI32(inst, a, a, a);
    for (int i = 0; i < 128; ++i)
      ASSERT_EQ(y[i], wrapped(reference(a[i])))
          << vpuFuncName(func).str() << " of " << a[i];
  }
  // Neg and Abs of INT32_MIN wrap to INT32_MIN.
  Instruction abs =
      vpu(Opcode::VpuUnary, VpuFunc::Abs, kRows, kCols,
          sram(kOut, kCols, DType::I32), sram(kIn0, kCols, DType::I32));
  EXPECT_EQ(runVpuI32(abs, a, a, a)[0], double(kI32Min));

  for (VpuFunc func :
       {VpuFunc::Add, VpuFunc::Mul, VpuFunc::Max, VpuFunc::Min}) {
    Instruction reduce =
        vpu(Opcode::VpuReduce, func, kRows, kCols, sram(kOut, 1, DType::I32),
            sram(kIn0, kCols, DType::I32));
    std::vector<double> y = runVpuI32(reduce, a, a, a, kRows);
    for (int r = 0; r < kRows; ++r) {
      int32_t expected = a[r * kCols];
      for (int k = 1; k < kCols; ++k) {
        int64_t v = a[r * kCols + k];
        expected = func == VpuFunc::Add   ? wrapped(expected + v)
                   : func == VpuFunc::Mul ? wrapped(expected * v)
                   : func == VpuFunc::Max ? std::max<int64_t>(expected, v)
                                          : std::min<int64_t>(expected, v);
      }
      ASSERT_EQ(y[r], double(expected)) << vpuFuncName(func).str();
    }
  }

  Instruction fill = vpu(Opcode::VpuBroadcast, VpuFunc::None, kRows, kCols,
                         sram(kOut, kCols, DType::I32), VpuOperand());
  fill.broadcast = Broadcast::Scalar;
  fill.imm0 = -123456.0f;
  for (double v : runVpuI32(fill, a, a, a))
    ASSERT_EQ(v, -123456.0);
  Instruction row =
      vpu(Opcode::VpuBroadcast, VpuFunc::None, kRows, kCols,
          sram(kOut, kCols, DType::I32), sram(kIn0, kCols, DType::I32));
  row.broadcast = Broadcast::Row;
  std::vector<double> y = runVpuI32(row, a, a, a);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], double(a[i % kCols]));

  // Select copies i32 values bit-exactly (beyond fp32's 24 bits).
  std::vector<int32_t> cond(128), b = randomInts(-5, 5, 27, {16777217});
  for (int i = 0; i < 128; ++i)
    cond[i] = i % 3 == 0 ? 0 : -4;
  Instruction select =
      vpu(Opcode::VpuSelect, VpuFunc::None, kRows, kCols,
          sram(kOut, kCols, DType::I32), sram(kIn0, kCols, DType::I32),
          sram(kIn1, kCols, DType::I32));
  select.src2 = sram(kIn2, kCols, DType::I32);
  y = runVpuI32(select, cond, a, b);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], double(i % 3 == 0 ? b[i] : a[i]));
  EXPECT_EQ(y[0], 16777217.0);
}

TEST(Simulator, CastsBetweenFloatsAndI32RoundAndSaturate) {
  std::vector<float> a = {
      2.5f, -2.5f,    3.5f,      -0.5f,         1e10f,          -1e10f,
      NAN,  INFINITY, -INFINITY, 2147483520.0f, -2147483648.0f, 0.75f};
  a.resize(128, 1.25f);
  struct Case {
    VpuFunc rounding;
    std::vector<double> front;
  };
  const double max = kI32Max, min = kI32Min;
  const Case cases[] = {
      {VpuFunc::Trunc,
       {2, -2, 3, 0, max, min, 0, max, min, 2147483520.0, min, 0}},
      {VpuFunc::Floor,
       {2, -3, 3, -1, max, min, 0, max, min, 2147483520.0, min, 0}},
      {VpuFunc::Ceil,
       {3, -2, 4, 0, max, min, 0, max, min, 2147483520.0, min, 1}},
      {VpuFunc::RoundEven,
       {2, -2, 4, 0, max, min, 0, max, min, 2147483520.0, min, 1}},
  };
  for (const Case &c : cases) {
    Instruction cast = vpu(Opcode::VpuCast, c.rounding, kRows, kCols,
                           sram(kOut, kCols, DType::I32), sram(kIn0, kCols));
    std::vector<float> bits = runVpu(cast, a, a, a);
    ASSERT_EQ(bits.size(), 128u);
    for (size_t i = 0; i < c.front.size(); ++i) {
      int32_t value;
      std::memcpy(&value, &bits[i], 4);
      EXPECT_EQ(double(value), c.front[i])
          << vpuFuncName(c.rounding).str() << " of " << a[i];
    }
  }
  // i8 -> i32 widens exactly.
  ProgramBuilder builder(tiny());
  builder.tensor("q", IoKind::Input, DType::I8, {8}, 0);
  builder.tensor("y", IoKind::Output, DType::I32, {8}, 0x100);
  signalTo(builder.add(dma(Opcode::DmaLoad, 0, 0, 8, DType::I8, DType::I8),
                       Engine::DmaLoad),
           0);
  signalTo(
      waitOn(builder.add(vpu(Opcode::VpuCast, VpuFunc::None, 1, 8,
                             sram(0x100, 8, DType::I32), sram(0, 8, DType::I8)),
                         Engine::Vpu),
             0),
      1);
  waitOn(builder.add(
             dma(Opcode::DmaStore, 0x100, 0x100, 8, DType::I32, DType::I32),
             Engine::DmaStore),
         1);
  std::vector<float> y = run(
      builder.finish(), {{"q", int8s({-128, -1, 0, 1, 127, 5, -5, 9}, {8})}});
  const int32_t widened[] = {-128, -1, 0, 1, 127, 5, -5, 9};
  for (int i = 0; i < 8; ++i) {
    int32_t value;
    std::memcpy(&value, &y[i], 4);
    EXPECT_EQ(value, widened[i]);
  }
}

TEST(Simulator, Int64InputsAreNarrowedToI32WithARangeCheck) {
  ProgramBuilder builder(tiny());
  builder.tensor("a", IoKind::Input, DType::I32, {4}, 0);
  builder.tensor("y", IoKind::Output, DType::I32, {4}, 0x100);
  signalTo(builder.add(dma(Opcode::DmaLoad, 0, 0, 4, DType::I32, DType::I32),
                       Engine::DmaLoad),
           0);
  waitOn(builder.add(dma(Opcode::DmaStore, 0x100, 0, 4, DType::I32,
                         DType::I32),
                     Engine::DmaStore),
         0);
  auto simulator = cantFail(Simulator::create(builder.finish()));
  auto int64s = [](std::vector<int64_t> values) {
    HostTensor tensor;
    tensor.dtype = HostDType::I64;
    tensor.shape = {static_cast<int64_t>(values.size())};
    tensor.data.resize(values.size() * 8);
    std::memcpy(tensor.data.data(), values.data(), tensor.data.size());
    return tensor;
  };
  ASSERT_FALSE(static_cast<bool>(simulator->setTensor(
      "a", int64s({1, -2, kI32Max, kI32Min}))));
  ASSERT_TRUE(static_cast<bool>(simulator->run()));
  HostTensor y = cantFail(simulator->getTensor("y"));
  std::vector<int32_t> values(4);
  std::memcpy(values.data(), y.data.data(), 16);
  EXPECT_EQ(values, (std::vector<int32_t>{1, -2, kI32Max, kI32Min}));
  llvm::Error tooLarge =
      simulator->setTensor("a", int64s({0, 0, int64_t(1) << 31, 0}));
  EXPECT_EQ(llvm::toString(std::move(tooLarge)),
            "'a' element 2 (2147483648) is outside the chip's i32 range "
            "(int64 tensors are narrowed to i32)");
}

TEST(Simulator, RowBroadcastRereadsARowTheDestinationOverwrote) {
  // dst row i = a row i + dst row 0: the broadcast row is read again for
  // every row, after row 0 was written (in-place semantics, docs/isa.md).
  std::vector<float> a = randomValues(128, -5, 5, 21);
  Instruction add =
      vpu(Opcode::VpuBinary, VpuFunc::Add, kRows, kCols, sram(kOut, kCols),
          sram(kIn0, kCols), sram(kOut, kCols));
  add.broadcast = Broadcast::Row;
  std::vector<float> y = runVpu(add, a, a, a);
  ASSERT_EQ(y.size(), 128u);
  for (int i = 0; i < 128; ++i)
    ASSERT_EQ(y[i], i < kCols ? a[i] : a[i] + a[i % kCols]) << i;
}

TEST(Simulator, EpilogueIsTheExactSumRoundedOnce) {
  // y = act(float(double(acc) + double(bias))) over random finite floats
  // of every magnitude (so acc and bias often differ by more than 24
  // binary orders), -0 included (-0 + no bias = +0), for f32 and bf16
  // destinations, with and without bias and relu.
  std::mt19937 rng(5);
  auto randomFloat = [&] {
    while (true) {
      float value = llvm::bit_cast<float>(uint32_t(rng()));
      if (std::isfinite(value))
        return value;
    }
  };
  std::vector<float> accValues(128), bias(128);
  for (int i = 0; i < 128; ++i) {
    accValues[i] = i % 17 == 0 ? -0.0f : randomFloat();
    bias[i] = i % 5 == 0 ? 0.0f : randomFloat();
  }
  for (int variant = 0; variant < 8; ++variant) {
    bool withBias = variant & 1, relu = variant & 2;
    DType outType = variant & 4 ? DType::BF16 : DType::F32;
    ProgramBuilder b(tiny());
    b.tensor("acc", IoKind::Input, DType::F32, {kRows, kCols}, kIn0);
    b.tensor("bias", IoKind::Input, DType::F32, {kRows, kCols}, kIn1);
    b.tensor("y", IoKind::Output, outType, {kRows, kCols}, kOut);
    b.add(dma(Opcode::DmaLoad, kIn0, kIn0, 128), Engine::DmaLoad);
    signalTo(b.add(dma(Opcode::DmaLoad, kIn1, kIn1, 128), Engine::DmaLoad), 0);
    waitOn(b.add(vpu(Opcode::VpuUnary, VpuFunc::Copy, kRows, kCols,
                     acc(0, kCols), sram(kIn0, kCols)),
                 Engine::Vpu),
           0);
    Instruction epilogue =
        vpu(Opcode::VpuEpilogue, relu ? VpuFunc::Relu : VpuFunc::None, kRows,
            kCols, sram(kOut, kCols, outType), acc(0, kCols),
            withBias ? sram(kIn1, kCols) : VpuOperand());
    if (withBias)
      epilogue.flags = kFlagBias;
    signalTo(b.add(epilogue, Engine::Vpu), 1);
    waitOn(b.add(dma(Opcode::DmaStore, kOut, kOut, 128, outType, outType),
                 Engine::DmaStore),
           1);
    auto simulator = cantFail(Simulator::create(b.finish()));
    cantFail(simulator->setTensor("acc", floats(accValues, {kRows, kCols})));
    cantFail(simulator->setTensor("bias", floats(bias, {kRows, kCols})));
    cantFail(simulator->run());
    HostTensor y = cantFail(simulator->getTensor("y"));
    for (int i = 0; i < 128; ++i) {
      float value = static_cast<float>(
          double(accValues[i]) + (withBias ? double(bias[i % kCols]) : 0.0));
      if (relu)
        value = value < 0.0f ? 0.0f : value;
      uint32_t bits = 0;
      std::memcpy(&bits, y.data.data() + i * dtypeSize(outType),
                  dtypeSize(outType));
      uint32_t expected =
          outType == DType::BF16 ? floatToBF16Bits(value) : floatBits(value);
      ASSERT_EQ(bits, expected) << "variant " << variant << " element " << i;
    }
  }
}

TEST(Simulator, SramAndAccumulatorStartFromZeroInEveryRun) {
  // Each run first copies SRAM and ACC out, then writes them: the copies
  // must be zero in the second run too. SRAM is written near its top, so
  // a partial clear would show.
  constexpr uint32_t kHigh = (256u << 10) - 256; // npu-tiny sram_bytes - 256
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, DType::F32, {64}, 0);
  b.tensor("y", IoKind::Output, DType::F32, {64}, 0x1000);
  b.tensor("z", IoKind::Output, DType::F32, {64}, 0x2000);
  waitOn(
      signalTo(b.add(dma(Opcode::DmaLoad, 0, kHigh, 64), Engine::DmaLoad), 1),
      0);
  signalTo(b.add(dma(Opcode::DmaStore, 0x1000, kHigh, 64), Engine::DmaStore),
           0);
  signalTo(b.add(vpu(Opcode::VpuUnary, VpuFunc::Copy, 1, 64, sram(0, 64),
                     acc(0x100, 64)),
                 Engine::Vpu),
           2);
  waitOn(b.add(vpu(Opcode::VpuUnary, VpuFunc::Copy, 1, 64, acc(0x100, 64),
                   sram(kHigh, 64)),
               Engine::Vpu),
         1);
  waitOn(b.add(dma(Opcode::DmaStore, 0x2000, 0, 64), Engine::DmaStore), 2);
  auto simulator = cantFail(Simulator::create(b.finish()));
  std::vector<float> x = randomValues(64, 1, 2, 22);
  for (int run = 0; run < 2; ++run) {
    cantFail(simulator->setTensor("x", floats(x, {64})));
    cantFail(simulator->run());
    for (const char *name : {"y", "z"})
      for (float value : asFloats(cantFail(simulator->getTensor(name))))
        ASSERT_EQ(value, 0.0f) << name << " in run " << run;
  }
}

TEST(Simulator, StatePersistsAcrossRuns) {
  // counter += 1 in DRAM state: two runs of the loaded program add 2.
  ProgramBuilder b(tiny());
  TensorEntry counter;
  counter.name = "counter";
  counter.dtype = DType::F32;
  counter.shape = {32};
  b.program.state.push_back(counter);
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, 32), Engine::DmaLoad), 0);
  Instruction increment = vpu(Opcode::VpuBinary, VpuFunc::Add, 1, 32,
                              sram(0, 32), sram(0, 32));
  increment.broadcast = Broadcast::Scalar;
  increment.imm0 = 1.0f;
  signalTo(waitOn(b.add(increment, Engine::Vpu), 0), 1);
  waitOn(b.add(dma(Opcode::DmaStore, 0, 0, 32), Engine::DmaStore), 1);
  auto simulator = cantFail(Simulator::create(b.finish()));
  std::vector<float> start = randomValues(32, -3, 3, 16, true);
  cantFail(simulator->setTensor("counter", floats(start, {32})));
  cantFail(simulator->run());
  cantFail(simulator->run());
  std::vector<float> end = asFloats(cantFail(simulator->getTensor("counter")));
  for (int i = 0; i < 32; ++i)
    ASSERT_EQ(end[i], start[i] + 2);
}

TEST(Simulator, Bf16EntryAcceptsF32TensorsRoundedToNearestEven) {
  ProgramBuilder b(tiny());
  b.tensor("h", IoKind::Input, DType::BF16, {4}, 0);
  auto simulator = cantFail(Simulator::create(b.finish()));
  std::vector<float> values = {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f, -0.0f,
                               3.14159f};
  cantFail(simulator->setTensor("h", floats(values, {4})));
  HostTensor stored = cantFail(simulator->getTensor("h"));
  ASSERT_EQ(stored.dtype, HostDType::BF16);
  ASSERT_EQ(stored.data.size(), 8u);
  for (int i = 0; i < 4; ++i) {
    uint16_t bits;
    std::memcpy(&bits, stored.data.data() + 2 * i, 2);
    EXPECT_EQ(bits, floatToBF16Bits(values[i])) << i;
  }
}

TEST(Simulator, InputShapeAndDtypeAreChecked) {
  auto simulator =
      cantFail(Simulator::create(matmulProgram(DType::F32, false, false)));
  llvm::Error shape = simulator->setTensor("x", floats({1, 2}, {2}));
  EXPECT_EQ(llvm::toString(std::move(shape)),
            "'x' expects shape 8x32 but the tensor has shape 2");
  llvm::Error dtype =
      simulator->setTensor("x", int8s(std::vector<int8_t>(256), {8, 32}));
  EXPECT_EQ(llvm::toString(std::move(dtype)),
            "'x' expects dtype f32 but the tensor has dtype i8");
  llvm::Error unknown = simulator->setTensor("nope", floats({1}, {1}));
  EXPECT_EQ(llvm::toString(std::move(unknown)),
            "no input or state tensor named 'nope'");
}

} // namespace
