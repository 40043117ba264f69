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

#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <functional>
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

/// Runs `program` with `inputs` and returns output tensor "y" as floats.
std::vector<float>
run(Program program,
    const std::vector<std::pair<std::string, HostTensor>> &inputs) {
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(program));
  EXPECT_TRUE(static_cast<bool>(simulator))
      << llvm::toString(simulator.takeError());
  if (!simulator)
    return {};
  for (const auto &[name, tensor] : inputs) {
    llvm::Error error = (*simulator)->setTensor(name, tensor);
    EXPECT_FALSE(static_cast<bool>(error)) << llvm::toString(std::move(error));
  }
  Expected<RunStats> stats = (*simulator)->run();
  EXPECT_TRUE(static_cast<bool>(stats)) << llvm::toString(stats.takeError());
  Expected<HostTensor> y = (*simulator)->getTensor("y");
  EXPECT_TRUE(static_cast<bool>(y)) << llvm::toString(y.takeError());
  return y ? asFloats(*y) : std::vector<float>();
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
  struct Case {
    VpuFunc func;
    bool positiveOnly;
    std::function<double(double)> reference;
  };
  const float lo = -0.5f, hi = 1.5f, slope = 0.125f;
  const Case cases[] = {
      {VpuFunc::Copy, false, [](double x) { return x; }},
      {VpuFunc::Relu, false, [](double x) { return x < 0 ? 0 : x; }},
      {VpuFunc::LeakyRelu, false,
       [&](double x) { return x < 0 ? slope * x : x; }},
      {VpuFunc::Exp, false, [](double x) { return std::exp(x); }},
      {VpuFunc::Log, true, [](double x) { return std::log(x); }},
      {VpuFunc::Tanh, false, [](double x) { return std::tanh(x); }},
      {VpuFunc::Sigmoid, false,
       [](double x) { return 1 / (1 + std::exp(-x)); }},
      {VpuFunc::Erf, false, [](double x) { return std::erf(x); }},
      {VpuFunc::Sqrt, true, [](double x) { return std::sqrt(x); }},
      {VpuFunc::Rsqrt, true, [](double x) { return 1 / std::sqrt(x); }},
      {VpuFunc::Recip, true, [](double x) { return 1 / x; }},
      {VpuFunc::Neg, false, [](double x) { return -x; }},
      {VpuFunc::Abs, false, [](double x) { return std::fabs(x); }},
      {VpuFunc::Gelu, false,
       [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }},
      {VpuFunc::GeluTanh, false,
       [](double x) {
         return 0.5 * x *
                (1 + std::tanh(std::sqrt(2 / M_PI) *
                               (x + 0.044715 * x * x * x)));
       }},
      {VpuFunc::Clip, false,
       [&](double x) { return x < lo ? lo : (x > hi ? hi : x); }},
      {VpuFunc::Square, false, [](double x) { return x * x; }},
  };
  for (const Case &test : cases) {
    const std::vector<float> &input =
        test.positiveOnly ? positive : signedValues;
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

TEST(Simulator, ReductionsAlongRowsAndColumns) {
  std::vector<float> a = randomValues(128, -8, 8, 12, true);
  for (VpuFunc func : {VpuFunc::Add, VpuFunc::Max, VpuFunc::Min})
    for (ReduceDim dim : {ReduceDim::Cols, ReduceDim::Rows}) {
      bool overCols = dim == ReduceDim::Cols;
      Instruction inst =
          vpu(Opcode::VpuReduce, func, kRows, kCols,
              sram(kOut, overCols ? 1 : kCols), sram(kIn0, kCols));
      inst.reduce_dim = dim;
      uint16_t outputs = overCols ? kRows : kCols;
      std::vector<float> y = runVpu(inst, a, a, a, outputs);
      ASSERT_EQ(y.size(), outputs);
      for (int o = 0; o < outputs; ++o) {
        double result = func == VpuFunc::Add ? 0
                        : func == VpuFunc::Max ? -1e30
                                               : 1e30;
        for (int k = 0; k < (overCols ? kCols : kRows); ++k) {
          double v = overCols ? a[o * kCols + k] : a[k * kCols + o];
          result = func == VpuFunc::Add   ? result + v
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
