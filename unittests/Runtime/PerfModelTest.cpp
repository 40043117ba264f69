//===- PerfModelTest.cpp - cost formulas and schedules vs closed forms ----===//
//
// The performance model checked against hand-computed cycle counts on the
// npu-tiny target (64 B/cycle DRAM port, 200-cycle DMA latency, 32x32 MXU,
// 32 VPU lanes), run in perf-only mode: costs, the DRAM port sharing, and
// the pipelining of the MXU and DMA queues (docs/isa.md "Cost").
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include "npu/Runtime/CostModel.h"
#include "npu/Runtime/Simulator.h"
#include "npu/Runtime/Stats.h"

#include "llvm/Support/JSON.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <deque>

using namespace npurt;
using namespace npurt::testing;
using llvm::Expected;

namespace {

Target tiny() { return cantFail(Target::preset("npu-tiny")); }

/// Records every instruction's issue/complete cycles and every stall. The
/// events point to copies of their instructions: the simulator's pointers
/// are valid only during the call.
struct Recorder : TraceSink {
  std::vector<TraceEvent> events;
  std::vector<StallEvent> stalls;
  std::deque<Instruction> instructions;
  void record(const TraceEvent &event) override {
    events.push_back(event);
    events.back().instruction = &instructions.emplace_back(*event.instruction);
  }
  void recordStall(const StallEvent &stall) override {
    stalls.push_back(stall);
    stalls.back().instruction = &instructions.emplace_back(*stall.instruction);
  }
  const TraceEvent &find(Engine engine, uint64_t index) const {
    for (const TraceEvent &event : events)
      if (event.engine == engine && event.index == index)
        return event;
    ADD_FAILURE() << "no event";
    return events.front();
  }
};

/// Both recordings are of the same schedule, event for event.
void expectSameEvents(const Recorder &a, const Recorder &b) {
  ASSERT_EQ(a.events.size(), b.events.size());
  for (size_t i = 0; i < a.events.size(); ++i) {
    const TraceEvent &x = a.events[i], &y = b.events[i];
    EXPECT_TRUE(x.core == y.core && x.engine == y.engine &&
                x.index == y.index && *x.instruction == *y.instruction &&
                x.source == y.source && x.issue_cycle == y.issue_cycle &&
                x.complete_cycle == y.complete_cycle)
        << "event " << i;
  }
  ASSERT_EQ(a.stalls.size(), b.stalls.size());
  for (size_t i = 0; i < a.stalls.size(); ++i) {
    const StallEvent &x = a.stalls[i], &y = b.stalls[i];
    EXPECT_TRUE(x.core == y.core && x.engine == y.engine &&
                x.index == y.index && *x.instruction == *y.instruction &&
                x.from_cycle == y.from_cycle && x.to_cycle == y.to_cycle)
        << "stall " << i;
  }
}

Expected<RunStats> runPerfOnce(Program program, Recorder *recorder) {
  SimulatorOptions options;
  options.perf_only = true;
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(program), options);
  if (!simulator)
    return simulator.takeError();
  return (*simulator)->run(recorder);
}

/// Runs `program` in perf-only mode. Every test that runs through this
/// also checks that the program read back with its streams encoded
/// (decoded one instruction at a time as the schedule reaches it) gives
/// the same schedule, stats and errors.
RunStats runPerf(Program program, Recorder *recorder = nullptr) {
  Program encoded = cantFail(encodedCopy(program));
  Recorder own, fromEncoded;
  Recorder &decodedEvents = recorder ? *recorder : own;
  Expected<RunStats> stats = runPerfOnce(program, &decodedEvents);
  EXPECT_TRUE(static_cast<bool>(stats)) << llvm::toString(stats.takeError());
  Expected<RunStats> encodedStats = runPerfOnce(encoded, &fromEncoded);
  EXPECT_TRUE(static_cast<bool>(encodedStats))
      << llvm::toString(encodedStats.takeError());
  if (stats && encodedStats) {
    EXPECT_EQ(statsToJSON(encoded, *encodedStats),
              statsToJSON(program, *stats));
  }
  expectSameEvents(decodedEvents, fromEncoded);
  return *stats;
}

std::string runError(Program program) {
  Expected<Program> encoded = encodedCopy(program);
  Expected<RunStats> stats = runPerfOnce(program, nullptr);
  if (stats)
    return "<no error>";
  std::string message = llvm::toString(stats.takeError());
  if (encoded) {
    Expected<RunStats> encodedStats = runPerfOnce(*encoded, nullptr);
    EXPECT_FALSE(static_cast<bool>(encodedStats));
    if (!encodedStats) {
      EXPECT_EQ(llvm::toString(encodedStats.takeError()), message);
    }
  } else {
    llvm::consumeError(encoded.takeError());
  }
  return message;
}

// 4096 f32 elements = 16384 bytes = 256 cycles at 64 B/cycle.
constexpr uint16_t kElements = 4096;
constexpr double kTransfer = 16384.0 / 64.0;
constexpr double kLatency = 200;

TEST(PerfModel, LoneDmaCostsLatencyPlusBytesOverBandwidth) {
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad);
  RunStats stats = runPerf(b.finish());
  EXPECT_EQ(stats.totalCycles(), kLatency + kTransfer);
  EXPECT_EQ(stats.dram_read_bytes, 16384u);
  EXPECT_DOUBLE_EQ(stats.engines[0][0].busy_cycles, kLatency + kTransfer);
}

TEST(PerfModel, TwoDmasOnTheTwoQueuesShareBandwidth) {
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad);
  b.add(dma(Opcode::DmaStore, 1 << 20, 1 << 16, kElements), Engine::DmaStore);
  RunStats stats = runPerf(b.finish());
  // Both wait out their latency, then each gets half the port.
  EXPECT_EQ(stats.totalCycles(), kLatency + 2 * kTransfer);
  EXPECT_EQ(stats.dram_read_bytes + stats.dram_write_bytes, 32768u);
}

TEST(PerfModel, DmasOnOneQueueStreamAndPayTheLatencyOnce) {
  // The second descriptor issues when the first one's bytes have crossed
  // the port; its transfer overlaps the first one's latency.
  ProgramBuilder b(tiny());
  for (int i = 0; i < 3; ++i)
    b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  EXPECT_EQ(stats.totalCycles(), kLatency + 3 * kTransfer);
  for (int i = 0; i < 3; ++i) {
    const TraceEvent &event = recorder.find(Engine::DmaLoad, i);
    EXPECT_DOUBLE_EQ(event.issue_cycle, i * kTransfer) << i;
    EXPECT_DOUBLE_EQ(event.complete_cycle, kLatency + (i + 1) * kTransfer)
        << i;
  }
  // Busy = the time some descriptor was in flight.
  EXPECT_DOUBLE_EQ(stats.engines[0][0].busy_cycles, kLatency + 3 * kTransfer);
}

TEST(PerfModel, ADmaQueueKeepsManyDescriptorsInFlight) {
  // 40 one-cycle transfers (64 bytes each) behind each other: each completes
  // 200 cycles after its last byte, so all 40 are in flight at cycle 40.
  // (runPerf also runs it from the encoded binary, whose window of decoded
  // in-flight instructions then grows from 8 to 64.)
  ProgramBuilder b(tiny());
  for (uint32_t i = 0; i < 40; ++i)
    b.add(dma(Opcode::DmaLoad, 64 * i, 64 * i, 16), Engine::DmaLoad);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  EXPECT_EQ(stats.totalCycles(), 40 + kLatency);
  EXPECT_LT(recorder.find(Engine::DmaLoad, 39).issue_cycle,
            recorder.find(Engine::DmaLoad, 0).complete_cycle);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::DmaLoad, 39).complete_cycle,
                   40 + kLatency);
}

TEST(PerfModel, AnEncodedInstructionThatDoesNotDecodeIsAnError) {
  // Only a program that skipped validation can hold one.
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad);
  Program program = cantFail(encodedCopy(b.finish()));
  Stream &stream = program.stream(0, Engine::DmaLoad);
  std::vector<uint8_t> bytes(stream.encoded.begin(), stream.encoded.end());
  bytes[kInstructionBytes] = 0xEE; // the opcode of instruction 1
  stream.encoded = bytes;
  EXPECT_EQ(runError(program), "stream c0.dma_load instruction 1: unknown "
                               "opcode 0xee");
  for (bool perfOnly : {true, false}) {
    SimulatorOptions options;
    options.perf_only = perfOnly;
    options.already_validated = true;
    Expected<std::unique_ptr<Simulator>> simulator =
        Simulator::create(program, options);
    std::string message = simulator ? toString((*simulator)->run().takeError())
                                    : toString(simulator.takeError());
    EXPECT_EQ(message, "c0.dma_load instruction 1: unknown opcode 0xee");
  }
}

TEST(PerfModel, DependentDmasPayTheLatencyPerHop) {
  // A store that waits for a load cannot hide the load's latency.
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad), 0);
  waitOn(b.add(dma(Opcode::DmaStore, 1 << 20, 0, kElements),
               Engine::DmaStore),
         0);
  EXPECT_EQ(runPerf(b.finish()).totalCycles(), 2 * (kLatency + kTransfer));
}

/// MXU work on tiny: load 32x32 f32 weights, then a 256-row f32 matmul.
double mxuCycles(const Target &t) {
  return double(t.mxu_latency_cycles + 32) +
         double(t.mxu_latency_cycles + 256 / 0.25 + 32 + 32);
}

void addMxuWork(ProgramBuilder &b, bool waitForDma) {
  Instruction &weights =
      b.add(loadWeights(0, 32, 32, 32, DType::F32), Engine::Mxu);
  if (waitForDma)
    waitOn(weights, 0);
  b.add(matmul(8192, 256, 32, 32, 32, 0, 32, DType::F32), Engine::Mxu);
}

TEST(PerfModel, DmaOverlappedWithMatmulCostsTheMax) {
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 1 << 17, kElements), Engine::DmaLoad);
  addMxuWork(b, /*waitForDma=*/false);
  double expected = std::max(kLatency + kTransfer, mxuCycles(tiny()));
  EXPECT_EQ(runPerf(b.finish()).totalCycles(), expected);
}

TEST(PerfModel, DmaThenMatmulThroughASemaphoreCostsTheSum) {
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 1 << 17, kElements), Engine::DmaLoad),
           0);
  addMxuWork(b, /*waitForDma=*/true);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  EXPECT_EQ(stats.totalCycles(), kLatency + kTransfer + mxuCycles(tiny()));
  // The MXU waited for the DMA: its stall is the DMA's duration.
  EXPECT_DOUBLE_EQ(stats.engines[0][2].stall_cycles, kLatency + kTransfer);
}

TEST(PerfModel, SemaphoreWaitBlocksUntilSignal) {
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad), 3);
  waitOn(b.add(vpu(Opcode::VpuUnary, VpuFunc::Relu, 1, 32, sram(4096, 32),
                   sram(0, 32)),
               Engine::Vpu),
         3);
  Recorder recorder;
  runPerf(b.finish(), &recorder);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Vpu, 0).issue_cycle,
                   kLatency + kTransfer);
}

TEST(PerfModel, CountingSemaphoreNeedsOneSignalPerWait) {
  // Two waits on the same semaphore in one instruction need two signals.
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad), 1);
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad), 1);
  Instruction &nop = b.add(Instruction(), Engine::Vpu);
  nop.opcode = Opcode::Nop;
  waitOn(waitOn(nop, 1), 1);
  Recorder recorder;
  runPerf(b.finish(), &recorder);
  double secondDma = recorder.find(Engine::DmaLoad, 1).complete_cycle;
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Vpu, 0).issue_cycle, secondDma);
}

TEST(PerfModel, WaitSlotsAreAcquiredInOrder) {
  // The mxu (visited before the vpu) takes semaphore 1 as soon as it is
  // signalled (its wait0) and then blocks on semaphore 2 (wait1), which is
  // never signalled; the vpu's wait on semaphore 1 therefore never succeeds:
  // a deadlock that an all-or-nothing acquisition would not have.
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad), 1);
  Instruction &both = b.add(Instruction(), Engine::Mxu);
  both.opcode = Opcode::Nop;
  waitOn(waitOn(both, 1), 2);
  Instruction &one = b.add(Instruction(), Engine::Vpu);
  one.opcode = Opcode::Nop;
  waitOn(one, 1);
  std::string error = runError(b.finish());
  EXPECT_NE(error.find("c0.mxu instruction 0 (nop) waits on semaphore 2 "
                       "(value 0), holding semaphore 1"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("c0.vpu instruction 0 (nop) waits on semaphore 1 "
                       "(value 0)"),
            std::string::npos)
      << error;
}

TEST(PerfModel, MatmulCyclesPerDtype) {
  Target t = tiny();
  for (auto [dtype, rate] : {std::pair<DType, double>{DType::BF16, 1.0},
                             {DType::F32, 0.25},
                             {DType::I8, 2.0}}) {
    Instruction inst = matmul(0, 1001, 32, 16, 32, 0, 16, dtype);
    uint64_t rows = static_cast<uint64_t>(std::ceil(1001 / rate));
    EXPECT_EQ(fixedCycles(t, inst), t.mxu_latency_cycles + rows + 32 + 16)
        << dtypeName(dtype).str();
    EXPECT_EQ(occupancyCycles(t, inst), rows) << dtypeName(dtype).str();
    EXPECT_EQ(instructionMacs(inst), 1001u * 32 * 16);
  }
  Instruction weights = loadWeights(0, 20, 32, 32, DType::BF16);
  EXPECT_EQ(fixedCycles(t, weights), t.mxu_latency_cycles + 20);
  EXPECT_EQ(occupancyCycles(t, weights), 20u);
}

// MXU pipelining on tiny (mxu_latency 16, 32 x 32 array, bf16: one row per
// cycle). lw = mxu_load_weights, mm = mxu_matmul.
constexpr double kMxuLatency = 16;

TEST(PerfModel, MatmulsWithTheSameWeightsStreamBackToBack) {
  // lw (ready at 16 + 32), then three m = 100 matmuls: each issues when the
  // previous one's rows have entered; only the last one's fill and drain
  // (k + n) and the latency are exposed.
  ProgramBuilder b(tiny());
  b.add(loadWeights(0, 32, 32, 32, DType::BF16), Engine::Mxu);
  for (int i = 0; i < 3; ++i)
    b.add(matmul(0, 100, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  double ready = kMxuLatency + 32;
  for (int i = 0; i < 3; ++i) {
    const TraceEvent &event = recorder.find(Engine::Mxu, 1 + i);
    EXPECT_DOUBLE_EQ(event.issue_cycle, ready + 100 * i) << i;
    EXPECT_DOUBLE_EQ(event.complete_cycle,
                     ready + 100 * i + kMxuLatency + 100 + 32 + 32)
        << i;
  }
  EXPECT_EQ(stats.totalCycles(), ready + 3 * 100 + kMxuLatency + 64);
  // Busy cycles are the union of in-flight time, not the sum of durations.
  EXPECT_DOUBLE_EQ(stats.engines[0][2].busy_cycles, stats.end_cycle);
}

TEST(PerfModel, WeightLoadsOverlapTheRunningMatmul) {
  // lw1 mm1 lw2 mm2: lw2 fills the second weight buffer while mm1 streams,
  // so mm2 follows mm1's rows directly.
  ProgramBuilder b(tiny());
  b.add(loadWeights(0, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 100, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  b.add(loadWeights(2048, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 100, 32, 32, 32, 4096, 32, DType::BF16), Engine::Mxu);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  double ready = kMxuLatency + 32;
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 2).issue_cycle, ready);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 3).issue_cycle, ready + 100);
  // lw2 completes in order, with mm1.
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 2).complete_cycle,
                   recorder.find(Engine::Mxu, 1).complete_cycle);
  EXPECT_EQ(stats.totalCycles(), ready + 2 * 100 + kMxuLatency + 64);
}

TEST(PerfModel, AWeightBufferIsReloadedOnlyAfterItsRowsEntered) {
  // lw1 mm1(m = 400) lw2 lw3 mm3: lw3 overwrites lw1's buffer, so it waits
  // until mm1's rows have entered the array; mm3 then waits for lw3.
  ProgramBuilder b(tiny());
  b.add(loadWeights(0, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 400, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  b.add(loadWeights(2048, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(loadWeights(4096, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 10, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  double ready = kMxuLatency + 32;
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 2).issue_cycle, ready);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 3).issue_cycle, ready + 400);
  double mm3 = ready + 400 + kMxuLatency + 32;
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 4).issue_cycle, mm3);
  EXPECT_EQ(stats.totalCycles(), mm3 + kMxuLatency + 10 + 64);
}

TEST(PerfModel, InstructionsCompleteInProgramOrder) {
  // mm2 (1 x 1 x 1) would finish before mm1 (400 rows); it completes with
  // mm1 instead, so its signal also means "mm1 is done".
  ProgramBuilder b(tiny());
  b.add(loadWeights(0, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 400, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  b.add(loadWeights(2048, 1, 1, 32, DType::BF16), Engine::Mxu);
  signalTo(b.add(matmul(0, 1, 1, 1, 32, 8192, 32, DType::BF16), Engine::Mxu),
           0);
  waitOn(b.add(vpu(Opcode::VpuUnary, VpuFunc::Relu, 1, 32, sram(4096, 32),
                   acc(0, 32)),
               Engine::Vpu),
         0);
  Recorder recorder;
  runPerf(b.finish(), &recorder);
  double mm1 = kMxuLatency + 32 + kMxuLatency + 400 + 64;
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 1).complete_cycle, mm1);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Mxu, 3).complete_cycle, mm1);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::Vpu, 0).issue_cycle, mm1);
}

TEST(PerfModel, BusyStallAndIdlePartitionTheRun) {
  // The MXU's next matmul waits on a DMA while the previous one drains:
  // the drain is busy time, only the rest of the wait is a stall.
  ProgramBuilder b(tiny());
  signalTo(b.add(dma(Opcode::DmaLoad, 0, 1 << 17, kElements), Engine::DmaLoad),
           0);
  b.add(loadWeights(0, 32, 32, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 100, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  waitOn(b.add(matmul(0, 100, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu),
         0);
  RunStats stats = runPerf(b.finish());
  double mm1End = kMxuLatency + 32 + kMxuLatency + 100 + 64; // 228
  double dmaEnd = kLatency + kTransfer;                      // 456
  const EngineStats &mxu = stats.engines[0][2];
  EXPECT_DOUBLE_EQ(mxu.stall_cycles, dmaEnd - mm1End);
  EXPECT_DOUBLE_EQ(mxu.busy_cycles, mm1End + kMxuLatency + 100 + 64);
  EXPECT_EQ(stats.totalCycles(), dmaEnd + kMxuLatency + 100 + 64);
  EXPECT_DOUBLE_EQ(mxu.busy_cycles + mxu.stall_cycles, stats.end_cycle);
}

TEST(PerfModel, PipelinedScheduleKeepsResultsExact) {
  // Two row tiles of x [16 x 32] times w [32 x 32] into two accumulator
  // regions: mm2 issues while mm1 drains, each epilogue waits for its own
  // matmul. The result is the exact matmul, and the schedule did overlap.
  ProgramBuilder b(tiny());
  b.tensor("x", IoKind::Input, DType::F32, {16, 32}, 0);
  b.tensor("w", IoKind::Input, DType::F32, {32, 32}, 0x1000);
  b.tensor("y", IoKind::Output, DType::F32, {16, 32}, 0x3000);
  b.add(dma(Opcode::DmaLoad, 0, 0, 512), Engine::DmaLoad);
  signalTo(b.add(dma(Opcode::DmaLoad, 0x1000, 4096, 1024), Engine::DmaLoad),
           0);
  waitOn(b.add(loadWeights(4096, 32, 32, 32, DType::F32), Engine::Mxu), 0);
  signalTo(b.add(matmul(0, 8, 32, 32, 32, 0, 32, DType::F32), Engine::Mxu), 1);
  signalTo(b.add(matmul(1024, 8, 32, 32, 32, 1024, 32, DType::F32),
                 Engine::Mxu),
           1);
  for (uint32_t tile = 0; tile < 2; ++tile)
    signalTo(waitOn(b.add(vpu(Opcode::VpuEpilogue, VpuFunc::None, 8, 32,
                              sram(16384 + 1024 * tile, 32),
                              acc(1024 * tile, 32)),
                          Engine::Vpu),
                    1),
             2);
  waitOn(waitOn(b.add(dma(Opcode::DmaStore, 0x3000, 16384, 512),
                      Engine::DmaStore),
                2),
         2);
  Program program = b.finish();
  Recorder recorder;
  runPerf(program, &recorder);
  EXPECT_LT(recorder.find(Engine::Mxu, 2).issue_cycle,
            recorder.find(Engine::Mxu, 1).complete_cycle);

  std::vector<float> x(512), w(1024);
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(int(i % 7) - 3);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(int(i % 5) - 2);
  auto tensor = [](const std::vector<float> &values,
                   std::vector<int64_t> shape) {
    HostTensor t;
    t.dtype = HostDType::F32;
    t.shape = std::move(shape);
    t.data.resize(values.size() * 4);
    std::memcpy(t.data.data(), values.data(), t.data.size());
    return t;
  };
  auto simulator = cantFail(Simulator::create(program));
  cantFail(simulator->setTensor("x", tensor(x, {16, 32})));
  cantFail(simulator->setTensor("w", tensor(w, {32, 32})));
  cantFail(simulator->run().takeError());
  HostTensor y = cantFail(simulator->getTensor("y"));
  std::vector<float> values(512);
  std::memcpy(values.data(), y.data.data(), 2048);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 32; ++j) {
      float sum = 0;
      for (int p = 0; p < 32; ++p)
        sum += x[i * 32 + p] * w[p * 32 + j];
      ASSERT_EQ(values[i * 32 + j], sum) << i << "," << j;
    }
}

TEST(PerfModel, VpuCost) {
  Target t = tiny(); // 32 lanes
  Instruction add = vpu(Opcode::VpuBinary, VpuFunc::Add, 10, 33, sram(0, 64),
                        sram(4096, 64), sram(8192, 64));
  // 33 columns need 2 lane groups per row.
  EXPECT_EQ(vpuLaneGroups(t, add), 20u);
  EXPECT_EQ(fixedCycles(t, add), t.vpu_latency_cycles + 20);
  Instruction exp = vpu(Opcode::VpuUnary, VpuFunc::Exp, 4, 32, sram(0, 32),
                        sram(4096, 32));
  EXPECT_EQ(fixedCycles(t, exp),
            t.vpu_latency_cycles + 4 * t.vpu_transcendental_cycles);
  // Integer mode costs as float mode: mod is multi-cycle in both.
  Instruction mod =
      vpu(Opcode::VpuBinary, VpuFunc::Mod, 4, 32, sram(0, 32, DType::I32),
          sram(4096, 32, DType::I32), sram(8192, 32, DType::I32));
  EXPECT_EQ(fixedCycles(t, mod),
            t.vpu_latency_cycles + 4 * t.vpu_transcendental_cycles);
  // A rounding cast to i32 is a one-cycle conversion.
  Instruction floor = vpu(Opcode::VpuCast, VpuFunc::Floor, 4, 32,
                          sram(0, 32, DType::I32), sram(4096, 32));
  EXPECT_EQ(fixedCycles(t, floor), t.vpu_latency_cycles + 4);
}

TEST(PerfModel, InstructionEnergyClosedForm) {
  Target t = tiny();
  Instruction mm = matmul(0, 64, 32, 32, 32, 0, 32, DType::BF16, true);
  InstructionEnergy e = instructionEnergy(t, mm);
  EXPECT_DOUBLE_EQ(e.compute_pj, 64.0 * 32 * 32 * t.energy_mac_bf16_pj);
  EXPECT_DOUBLE_EQ(e.sram_pj, 64.0 * 32 * 2 * t.energy_sram_pj_per_byte);
  // Accumulate reads and writes every fp32 output.
  EXPECT_DOUBLE_EQ(e.acc_pj, 64.0 * 32 * 4 * 2 * t.energy_acc_pj_per_byte);
  InstructionEnergy d =
      instructionEnergy(t, dma(Opcode::DmaLoad, 0, 0, 100, DType::F32,
                               DType::BF16));
  EXPECT_DOUBLE_EQ(d.dram_pj, 400 * t.energy_dram_pj_per_byte);
  EXPECT_DOUBLE_EQ(d.sram_pj, 200 * t.energy_sram_pj_per_byte);
}

TEST(PerfModel, DeadlockNamesEnginesInstructionsAndSemaphores) {
  ProgramBuilder b(tiny());
  Instruction &load = b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad);
  signalTo(waitOn(load, 1), 2);
  Instruction &weights =
      b.add(loadWeights(0, 32, 32, 32, DType::F32), Engine::Mxu);
  signalTo(waitOn(weights, 2), 1);
  std::string error = runError(b.finish());
  EXPECT_NE(error.find("deadlock at cycle 0"), std::string::npos) << error;
  EXPECT_NE(error.find("c0.dma_load instruction 0 (dma_load) waits on "
                       "semaphore 1 (value 0)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("c0.mxu instruction 0 (mxu_load_weights) waits on "
                       "semaphore 2 (value 0)"),
            std::string::npos)
      << error;
}

TEST(PerfModel, MatmulWithoutWeightsIsAFault) {
  ProgramBuilder b(tiny());
  b.add(matmul(0, 4, 32, 32, 32, 0, 32, DType::F32), Engine::Mxu);
  EXPECT_NE(runError(b.finish()).find(
                "c0.mxu instruction 0: mxu_matmul runs before any "
                "mxu_load_weights"),
            std::string::npos);
}

TEST(PerfModel, MatmulMustMatchTheLoadedWeights) {
  ProgramBuilder b(tiny());
  b.add(loadWeights(0, 32, 16, 32, DType::BF16), Engine::Mxu);
  b.add(matmul(0, 4, 32, 32, 32, 0, 32, DType::BF16), Engine::Mxu);
  EXPECT_NE(runError(b.finish()).find(
                "c0.mxu instruction 1: mxu_matmul (bf16, k = 32, n = 32) does "
                "not match the loaded weights (bf16, k = 32, n = 16)"),
            std::string::npos);
}

TEST(PerfModel, HugeBroadcastDmaIsRejected) {
  ProgramBuilder b(tiny());
  Instruction huge = dma(Opcode::DmaLoad, 0, 0, 1);
  huge.extents = {65535, 65535, 65535, 65535};
  huge.dram_strides = {0, 0, 0, 0};
  huge.sram_strides = {0, 0, 0, 0};
  b.add(huge, Engine::DmaLoad);
  EXPECT_NE(runError(b.finish()).find("the simulator supports at most 2^32 "
                                      "per DMA"),
            std::string::npos);
}

TEST(PerfModel, CoresShareTheDramPort) {
  Target t = tiny();
  t.cores = 2;
  ProgramBuilder b(t);
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad, 0);
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad, 1);
  RunStats stats = runPerf(b.finish());
  EXPECT_EQ(stats.totalCycles(), kLatency + 2 * kTransfer);
  EXPECT_EQ(stats.engines.size(), 2u);
}

TEST(PerfModel, UnequalTransfersReshareWhenOneEnds) {
  // 1024 B and 16384 B start together: the small one ends after 2 * 16
  // cycles of half bandwidth, then the large one gets the full port.
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 0, 256), Engine::DmaLoad);
  b.add(dma(Opcode::DmaStore, 1 << 20, 1 << 16, kElements), Engine::DmaStore);
  Recorder recorder;
  RunStats stats = runPerf(b.finish(), &recorder);
  EXPECT_DOUBLE_EQ(recorder.find(Engine::DmaLoad, 0).complete_cycle,
                   kLatency + 32);
  EXPECT_EQ(stats.totalCycles(), kLatency + (1024.0 + 16384.0) / 64.0);
}

TEST(PerfModel, InstructionLimit) {
  ProgramBuilder b(tiny());
  for (int i = 0; i < 5; ++i)
    b.add(dma(Opcode::DmaLoad, 0, 0, 16), Engine::DmaLoad);
  SimulatorOptions options;
  options.perf_only = true;
  options.max_instructions = 3;
  auto simulator = cantFail(Simulator::create(b.finish(), options));
  Expected<RunStats> stats = simulator->run();
  ASSERT_FALSE(static_cast<bool>(stats));
  EXPECT_NE(llvm::toString(stats.takeError()).find("instruction limit of 3"),
            std::string::npos);
}

TEST(PerfModel, StatsJsonHasTheDocumentedKeysAndBounds) {
  ProgramBuilder b(tiny());
  SourceOp op;
  op.name = "load_x";
  op.kind = "nn.copy";
  op.min_dram_bytes = 16384;
  b.program.source_ops.push_back(op);
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad, 0, 0);
  Program program = b.finish();
  RunStats stats = runPerf(program);
  std::string text = statsToJSON(program, stats);
  Expected<llvm::json::Value> json = llvm::json::parse(text);
  ASSERT_TRUE(static_cast<bool>(json)) << llvm::toString(json.takeError());
  const llvm::json::Object &root = *json->getAsObject();
  for (const char *key :
       {"total_cycles", "lower_bound_cycles", "dram_bytes", "mxu_utilization",
        "engines", "ops", "energy_mj", "average_power_w", "tops_per_w"})
    EXPECT_TRUE(root.get(key)) << key;
  EXPECT_EQ(*root.getInteger("total_cycles"), 456);
  // DRAM-bound: 16384 B / 64 B per cycle.
  EXPECT_EQ(*root.getInteger("lower_bound_cycles"), 256);
  EXPECT_EQ(*root.getString("bound"), "dram");
  const llvm::json::Object &ops =
      *(*root.getArray("ops"))[0].getAsObject();
  EXPECT_EQ(*ops.getString("name"), "load_x");
  EXPECT_EQ(*ops.getInteger("cycles"), 456);
  EXPECT_NEAR(*ops.getNumber("utilization"), 256.0 / 456.0, 1e-5);
  const llvm::json::Object &engine =
      *root.getObject("engines")->getObject("c0.dma_load");
  EXPECT_EQ(*engine.getInteger("busy_cycles"), 456);
  EXPECT_EQ(*engine.getInteger("instructions"), 2); // the DMA and its HALT
  // Static energy: 0.1 W for 456 ns; dynamic: DRAM + SRAM bytes.
  double expectedMj = (0.1 * 456e-9 + 16384.0 * (31.0 + 1.0) * 1e-12) * 1e3;
  EXPECT_NEAR(*root.getNumber("energy_mj"), expectedMj, expectedMj * 1e-5);
}

TEST(PerfModel, StaticEnergyIsSplitOverEnginesAndOpsWithoutLoss) {
  // Two source ops (a load-bound one and a compute one on two engines) plus
  // unattributed HALTs, on two cores so the engine split spans cores.
  Target target = tiny();
  target.cores = 2;
  ProgramBuilder b(target);
  b.program.source_ops.push_back({"load", "nn.copy", 0, 0, 16384});
  b.program.source_ops.push_back({"relu", "nn.relu", 0, 1024, 0});
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad, 0, 0);
  b.add(vpu(Opcode::VpuUnary, VpuFunc::Relu, 32, 32, sram(32768, 32),
            sram(0, 32)),
        Engine::Vpu, 1, 1);
  b.add(loadWeights(0, 32, 32, 32, DType::F32), Engine::Mxu, 1, 1);
  Program program = b.finish();
  RunStats stats = runPerf(program);

  StaticEnergy split = splitStaticEnergy(program, stats);
  double seconds = double(stats.totalCycles()) / (target.clock_ghz * 1e9);
  ASSERT_GT(split.total_pj, 0);
  EXPECT_DOUBLE_EQ(split.total_pj, target.static_power_w * seconds * 1e12);
  double engines = 0, ops = split.unattributed_pj;
  for (const auto &core : split.engines_pj)
    for (double pj : core) {
      EXPECT_DOUBLE_EQ(pj, split.total_pj / 8); // 2 cores x 4 engines
      engines += pj;
    }
  for (double pj : split.ops_pj)
    ops += pj;
  EXPECT_NEAR(engines, split.total_pj, split.total_pj * 1e-12);
  EXPECT_NEAR(ops, split.total_pj, split.total_pj * 1e-12);
  // Proportional to busy cycles: the load (456 busy cycles) vs the relu and
  // the weight load.
  auto busy = [](const OpStats &op) {
    return op.busy_cycles[0] + op.busy_cycles[1] + op.busy_cycles[2] +
           op.busy_cycles[3];
  };
  EXPECT_DOUBLE_EQ(split.ops_pj[0] / split.ops_pj[1],
                   busy(stats.ops[0]) / busy(stats.ops[1]));

  // The JSON: engines' and ops' energy_mj (dynamic + static share) each add
  // up to the run's energy_mj.
  Expected<llvm::json::Value> json =
      llvm::json::parse(statsToJSON(program, stats));
  ASSERT_TRUE(static_cast<bool>(json)) << llvm::toString(json.takeError());
  const llvm::json::Object &root = *json->getAsObject();
  double total = *root.getNumber("energy_mj");
  double engineSum = 0, engineStatic = 0;
  for (const auto &entry : *root.getObject("engines")) {
    const llvm::json::Object &engine = *entry.second.getAsObject();
    engineSum += *engine.getNumber("energy_mj");
    engineStatic += *engine.getNumber("static_energy_mj");
    EXPECT_NEAR(*engine.getNumber("energy_mj"),
                *engine.getNumber("dynamic_energy_mj") +
                    *engine.getNumber("static_energy_mj"),
                total * 1e-5);
  }
  double opSum =
      *root.getObject("unattributed")->getNumber("energy_mj");
  for (const llvm::json::Value &op : *root.getArray("ops"))
    opSum += *op.getAsObject()->getNumber("energy_mj");
  // The JSON prints 6 significant digits per number.
  EXPECT_NEAR(engineSum, total, total * 1e-5);
  EXPECT_NEAR(opSum, total, total * 1e-5);
  EXPECT_NEAR(engineStatic, *root.getNumber("static_energy_mj"),
              total * 1e-5);
}

} // namespace
