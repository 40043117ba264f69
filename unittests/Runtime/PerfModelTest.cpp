//===- PerfModelTest.cpp - cost formulas and schedules vs closed forms ----===//
//
// The performance model checked against hand-computed cycle counts on the
// npu-tiny target (64 B/cycle DRAM port, 200-cycle DMA latency, 32x32 MXU,
// 32 VPU lanes), run in perf-only mode.
//
//===----------------------------------------------------------------------===//
#include "ProgramBuilder.h"

#include "npu/Runtime/CostModel.h"
#include "npu/Runtime/Simulator.h"

#include "llvm/Support/JSON.h"
#include "gtest/gtest.h"

#include <cmath>

using namespace npurt;
using namespace npurt::testing;
using llvm::Expected;

namespace {

Target tiny() { return cantFail(Target::preset("npu-tiny")); }

/// Records issue/complete cycles of every instruction.
struct Recorder : TraceSink {
  std::vector<TraceEvent> events;
  void record(const TraceEvent &event) override { events.push_back(event); }
  const TraceEvent &find(Engine engine, uint64_t index) const {
    for (const TraceEvent &event : events)
      if (event.engine == engine && event.index == index)
        return event;
    ADD_FAILURE() << "no event";
    return events.front();
  }
};

RunStats runPerf(Program program, Recorder *recorder = nullptr) {
  SimulatorOptions options;
  options.perf_only = true;
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(program), options);
  EXPECT_TRUE(static_cast<bool>(simulator))
      << llvm::toString(simulator.takeError());
  Expected<RunStats> stats = (*simulator)->run(recorder);
  EXPECT_TRUE(static_cast<bool>(stats)) << llvm::toString(stats.takeError());
  return *stats;
}

std::string runError(Program program) {
  SimulatorOptions options;
  options.perf_only = true;
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(program), options);
  if (!simulator)
    return "create: " + llvm::toString(simulator.takeError());
  Expected<RunStats> stats = (*simulator)->run();
  if (stats)
    return "<no error>";
  return llvm::toString(stats.takeError());
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

TEST(PerfModel, SequentialDmasOnOneQueueAdd) {
  ProgramBuilder b(tiny());
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad);
  b.add(dma(Opcode::DmaLoad, 0, 0, kElements), Engine::DmaLoad);
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
    uint64_t expected = t.mxu_latency_cycles +
                        static_cast<uint64_t>(std::ceil(1001 / rate)) + 32 +
                        16;
    EXPECT_EQ(fixedCycles(t, inst), expected) << dtypeName(dtype).str();
    EXPECT_EQ(instructionMacs(inst), 1001u * 32 * 16);
  }
  EXPECT_EQ(fixedCycles(t, loadWeights(0, 20, 32, 32, DType::BF16)),
            t.mxu_latency_cycles + 20);
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
