//===- CostModel.h - cycle and energy cost of each instruction --*- C++ -*-===//
//
// The one place where instruction costs are defined (docs/isa.md "Cost" is
// the prose version). The event-driven simulator asks these functions how
// long an instruction takes to complete, how long it keeps its engine from
// issuing the next one, and how much energy it dissipates; the
// unit tests check each formula against its closed form. DMA time is not a
// fixed number: the transfer shares the DRAM port with every other transfer
// in flight, so only its byte count and fixed latency are defined here and
// the simulator does the sharing.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_COSTMODEL_H
#define NPU_RUNTIME_COSTMODEL_H

#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Target.h"

#include <cstdint>

namespace npurt {

/// MACs per PE per cycle of the MXU for `dtype` (bf16, f32 or i8).
double mxuRate(const Target &target, DType dtype);

/// Energy of one MAC of `dtype`, in pJ.
double macEnergyPj(const Target &target, DType dtype);

// The simulator asks the small formulas below several times per
// instruction, so they are inline.

/// Elements moved by a DMA: the product of its four extents.
inline uint64_t dmaElements(const Instruction &inst) {
  return uint64_t(inst.extents[0]) * inst.extents[1] * inst.extents[2] *
         inst.extents[3];
}
/// Bytes a DMA moves across the DRAM port (elements x DRAM element size).
inline uint64_t dmaDramBytes(const Instruction &inst) {
  return dmaElements(inst) * dtypeSize(inst.dram_dtype);
}
/// Bytes a DMA reads or writes in SRAM (elements x SRAM element size).
inline uint64_t dmaSramBytes(const Instruction &inst) {
  return dmaElements(inst) * dtypeSize(inst.sram_dtype);
}

/// Multiply-accumulates of an MXU_MATMUL: m * k * n (0 for other opcodes).
inline uint64_t instructionMacs(const Instruction &inst) {
  if (inst.opcode != Opcode::MxuMatmul)
    return 0;
  return uint64_t(inst.m) * inst.k * inst.n;
}

/// Lane groups a VPU instruction processes: every row of its [rows x cols]
/// iteration space is split into ceil(cols / vpu_lanes) groups.
uint64_t vpuLaneGroups(const Target &target, const Instruction &inst);
/// Element operations of a VPU instruction: rows * cols.
uint64_t vpuElementOps(const Instruction &inst);
/// Cycles per lane group of a VPU instruction's function: 
/// vpu_transcendental_cycles for transcendental functions, else 1.
uint64_t vpuCyclesPerGroup(const Target &target, const Instruction &inst);

/// Cycles from issue to completion of a non-DMA instruction on an idle
/// engine:
///   HALT, NOP                 0
///   MXU_LOAD_WEIGHTS          mxu_latency_cycles + k
///   MXU_MATMUL                mxu_latency_cycles + ceil(m / rate(dtype))
///                             + k + n   (fill and drain of the array)
///   VPU_*                     vpu_latency_cycles
///                             + lane groups * cycles per group
/// For DMA opcodes it returns dma_latency_cycles (the fixed part only).
uint64_t fixedCycles(const Target &target, const Instruction &inst);

/// Cycles a non-DMA instruction keeps its engine's issue resource busy, i.e.
/// how soon the next instruction of the same kind can issue behind it
/// (docs/isa.md "Cost", pipelining):
///   HALT, NOP                 0
///   MXU_LOAD_WEIGHTS          k                 (the weight-load path)
///   MXU_MATMUL                ceil(m / rate)    (the array's input path)
///   VPU_*                     fixedCycles       (not pipelined)
/// For DMA opcodes it returns 0: a DMA holds its queue for its transfer,
/// whose length depends on the DRAM port sharing (the simulator's part).
uint64_t occupancyCycles(const Target &target, const Instruction &inst);
/// ceil(m / rate(mxu_dtype)): the cycles a matmul's rows take to enter the
/// array.
uint64_t mxuStreamCycles(const Target &target, const Instruction &inst);

/// Dynamic energy of an instruction in pJ, broken down by where it goes.
struct InstructionEnergy {
  double compute_pj = 0; ///< MACs and VPU element ops.
  double sram_pj = 0;
  double acc_pj = 0;
  double dram_pj = 0;
  double total() const { return compute_pj + sram_pj + acc_pj + dram_pj; }
};

/// Energy of one instruction: MACs x energy per MAC; VPU element ops x
/// energy_vpu_pj_per_op (x vpu_transcendental_cycles for transcendental
/// functions); every byte read or written in SRAM, ACC and DRAM x its
/// energy per byte. Static energy is added per run, not per instruction.
InstructionEnergy instructionEnergy(const Target &target,
                                    const Instruction &inst);

/// Schedule-independent lower bound of a piece of work, in cycles.
struct LowerBound {
  double mac_cycles = 0;    ///< macs / (cores * rows * cols * rate).
  double vector_cycles = 0; ///< vector_ops / (cores * vpu_lanes).
  double dram_cycles = 0;   ///< dram bytes / dram_bytes_per_cycle.
  double compute() const {
    return mac_cycles > vector_cycles ? mac_cycles : vector_cycles;
  }
  double cycles() const {
    return compute() > dram_cycles ? compute() : dram_cycles;
  }
  /// "compute" or "dram": which bound is the larger.
  const char *kind() const { return dram_cycles > compute() ? "dram" : "compute"; }
};

/// The roofline bound of `macs` MACs at `dtype`'s rate, `vectorOps` VPU
/// element ops and `dramBytes` bytes of DRAM traffic on the whole chip.
LowerBound lowerBound(const Target &target, DType dtype, uint64_t macs,
                      uint64_t vectorOps, uint64_t dramBytes);

} // namespace npurt

#endif // NPU_RUNTIME_COSTMODEL_H
