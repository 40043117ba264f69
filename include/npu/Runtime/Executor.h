//===- Executor.h - functional model of the chip's state --------*- C++ -*-===//
//
// The architectural state of a chip (DRAM, and per core SRAM, accumulator and
// MXU weight registers) and the exact effect of every instruction on it.
// The executor does not decide WHEN an instruction runs: the simulator
// (Simulator.h) calls execute() in the order its event-driven performance
// model issues instructions, so racy programs behave as the timing says.
//
// DRAM is never allocated at the target's full size: DramImage allocates only
// the byte ranges the program's tables and DMA instructions can touch.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_EXECUTOR_H
#define NPU_RUNTIME_EXECUTOR_H

#include "npu/Runtime/HostMemory.h"
#include "npu/Runtime/Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

namespace npurt {

/// Byte range [begin, end) of DRAM that a DMA instruction can touch (the
/// bounding box of its strided access). The instruction must be valid.
std::pair<uint64_t, uint64_t> dmaDramRange(const Instruction &inst);

/// The program-reachable part of DRAM: the union of the constant segments,
/// I/O and state tensors and every DMA's DRAM range, merged into disjoint
/// zero-initialized regions.
class DramImage {
public:
  /// Computes the reachable ranges of a validated program and allocates them
  /// (ZeroedMemory: pages the program never writes cost no host memory).
  static llvm::Expected<DramImage> create(const Program &program);

  /// Host pointer to DRAM byte `addr`, valid for `size` bytes, or nullptr if
  /// the range is not inside one region.
  uint8_t *translate(uint64_t addr, uint64_t size);
  /// Bytes allocated on the host.
  uint64_t allocatedBytes() const;

private:
  struct Region {
    uint64_t begin = 0, end = 0;
    ZeroedMemory data;
  };
  std::vector<Region> regions; ///< Sorted by begin, disjoint.
};

/// The functional state of a chip and the semantics of its instructions.
class Executor {
public:
  /// Allocates SRAM, accumulator and weight registers for every core and
  /// the reachable DRAM, and loads the constant segments.
  static llvm::Expected<std::unique_ptr<Executor>>
  create(const Program &program);

  /// Zeroes SRAM and accumulators (DRAM is kept: it holds constants, inputs
  /// and persistent state across runs). Only the bytes written since the
  /// last reset are cleared, so a run of a small program costs little
  /// however large the memories are. The weight registers are not cleared:
  /// a matmul before the run's first mxu_load_weights is a fault the
  /// simulator reports, so their old contents are never observable.
  void resetCores();

  /// Applies `inst` on `core`. The instruction must be valid for the target
  /// and, for MXU_MATMUL, match the loaded weights (the simulator checks
  /// that). Errors are faults of the DRAM image.
  llvm::Error execute(unsigned core, const Instruction &inst);

  /// Copies host bytes into DRAM / DRAM into host bytes.
  llvm::Error writeDram(uint64_t addr, llvm::ArrayRef<uint8_t> bytes);
  llvm::Error readDram(uint64_t addr, llvm::MutableArrayRef<uint8_t> bytes);

  /// Bytes of host memory the DRAM image uses.
  uint64_t dramAllocatedBytes() const { return dram.allocatedBytes(); }

private:
  /// A core memory and the byte range written since the last reset.
  struct CoreMemory {
    ZeroedMemory bytes;
    uint64_t dirtyBegin = UINT64_MAX;
    uint64_t dirtyEnd = 0;
    uint8_t *data() const { return bytes.data(); }
    void markWritten(uint64_t begin, uint64_t end) {
      dirtyBegin = begin < dirtyBegin ? begin : dirtyBegin;
      dirtyEnd = end > dirtyEnd ? end : dirtyEnd;
    }
  };
  struct CoreState {
    CoreMemory sram;
    CoreMemory acc;
    /// Weight registers [mxu_rows x mxu_cols], widened to fp32 (exact for
    /// bf16 and i8), and their int8 copy for the integer path.
    std::vector<float> weights;
    std::vector<int8_t> weightsInt8;
  };

  Executor(const Program &program, DramImage dram);
  llvm::Error executeDma(CoreState &core, const Instruction &inst);
  void loadWeights(CoreState &core, const Instruction &inst);
  llvm::Error matmul(CoreState &core, const Instruction &inst);
  void executeVpu(CoreState &core, const Instruction &inst);
  /// The integer mode of the VPU opcodes (i32 sources, docs/isa.md).
  void executeVpuInteger(CoreState &core, const Instruction &inst);
  uint8_t *operandBase(CoreState &core, const VpuOperand &operand);

  const Program &program;
  const Target &target;
  DramImage dram;
  std::vector<CoreState> cores;
  std::vector<float> scratch; ///< Widened bf16 matmul input.
  std::vector<float> vpuRows; ///< A VPU instruction's row buffers.
  std::vector<float> vpuResult; ///< A VPU reduction's results.
};

} // namespace npurt

#endif // NPU_RUNTIME_EXECUTOR_H
