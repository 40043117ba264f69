//===- CostModel.cpp - cycle and energy formulas per instruction ----------===//
//
// Implements CostModel.h. Every number comes from a Target field, so design
// space sweeps only change the target. docs/isa.md "Cost" mirrors this file.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/CostModel.h"

#include <cmath>

using namespace npurt;

double npurt::mxuRate(const Target &target, DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return target.mxu_rate_bf16;
  case DType::I8:
    return target.mxu_rate_int8;
  default:
    return target.mxu_rate_fp32;
  }
}

double npurt::macEnergyPj(const Target &target, DType dtype) {
  switch (dtype) {
  case DType::BF16:
    return target.energy_mac_bf16_pj;
  case DType::I8:
    return target.energy_mac_int8_pj;
  default:
    return target.energy_mac_fp32_pj;
  }
}

uint64_t npurt::vpuLaneGroups(const Target &target, const Instruction &inst) {
  uint64_t groupsPerRow = (uint64_t(inst.cols) + target.vpu_lanes - 1) /
                          target.vpu_lanes;
  return uint64_t(inst.rows) * groupsPerRow;
}

uint64_t npurt::vpuElementOps(const Instruction &inst) {
  return uint64_t(inst.rows) * inst.cols;
}

uint64_t npurt::vpuCyclesPerGroup(const Target &target,
                                  const Instruction &inst) {
  return isTranscendental(inst.func) ? target.vpu_transcendental_cycles : 1;
}

uint64_t npurt::fixedCycles(const Target &target, const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::Halt:
  case Opcode::Nop:
    return 0;
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    return target.dma_latency_cycles;
  case Opcode::MxuLoadWeights:
    return target.mxu_latency_cycles + inst.k;
  case Opcode::MxuMatmul:
    return target.mxu_latency_cycles + mxuStreamCycles(target, inst) + inst.k +
           inst.n;
  default:
    return target.vpu_latency_cycles +
           vpuLaneGroups(target, inst) * vpuCyclesPerGroup(target, inst);
  }
}

uint64_t npurt::mxuStreamCycles(const Target &target, const Instruction &inst) {
  double rows = std::ceil(double(inst.m) / mxuRate(target, inst.mxu_dtype));
  return static_cast<uint64_t>(rows);
}

uint64_t npurt::occupancyCycles(const Target &target, const Instruction &inst) {
  switch (inst.opcode) {
  case Opcode::Halt:
  case Opcode::Nop:
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    return 0;
  case Opcode::MxuLoadWeights:
    return inst.k;
  case Opcode::MxuMatmul:
    return mxuStreamCycles(target, inst);
  default:
    return fixedCycles(target, inst);
  }
}

namespace {
/// Adds the traffic of one VPU operand of `elements` elements.
void addOperandTraffic(const Target &target, const VpuOperand &operand,
                       uint64_t elements, InstructionEnergy &energy) {
  double bytes = double(elements) * dtypeSize(operand.dtype);
  if (operand.mem == Mem::Acc)
    energy.acc_pj += bytes * target.energy_acc_pj_per_byte;
  else
    energy.sram_pj += bytes * target.energy_sram_pj_per_byte;
}
} // namespace

InstructionEnergy npurt::instructionEnergy(const Target &target,
                                           const Instruction &inst) {
  InstructionEnergy energy;
  uint64_t rows = inst.rows, cols = inst.cols, full = rows * cols;
  switch (inst.opcode) {
  case Opcode::Halt:
  case Opcode::Nop:
    return energy;
  case Opcode::DmaLoad:
  case Opcode::DmaStore:
    energy.dram_pj = double(dmaDramBytes(inst)) * target.energy_dram_pj_per_byte;
    energy.sram_pj = double(dmaSramBytes(inst)) * target.energy_sram_pj_per_byte;
    return energy;
  case Opcode::MxuLoadWeights:
    energy.sram_pj = double(inst.k) * inst.n * dtypeSize(inst.mxu_dtype) *
                     target.energy_sram_pj_per_byte;
    return energy;
  case Opcode::MxuMatmul: {
    double outputs = double(inst.m) * inst.n;
    energy.compute_pj =
        double(instructionMacs(inst)) * macEnergyPj(target, inst.mxu_dtype);
    energy.sram_pj = double(inst.m) * inst.k * dtypeSize(inst.mxu_dtype) *
                     target.energy_sram_pj_per_byte;
    double accBytes = outputs * 4 * ((inst.flags & kFlagAccumulate) ? 2 : 1);
    energy.acc_pj = accBytes * target.energy_acc_pj_per_byte;
    return energy;
  }
  default:
    break;
  }

  energy.compute_pj = double(vpuElementOps(inst)) *
                      target.energy_vpu_pj_per_op *
                      double(vpuCyclesPerGroup(target, inst));
  auto vectorElements = [&](Broadcast mode) -> uint64_t {
    switch (mode) {
    case Broadcast::Row:
      return cols;
    case Broadcast::Col:
      return rows;
    case Broadcast::Scalar:
      return 0;
    case Broadcast::None:
      break;
    }
    return full;
  };
  switch (inst.opcode) {
  case Opcode::VpuBinary:
    addOperandTraffic(target, inst.dst, full, energy);
    addOperandTraffic(target, inst.src0, full, energy);
    addOperandTraffic(target, inst.src1, vectorElements(inst.broadcast),
                      energy);
    break;
  case Opcode::VpuUnary:
  case Opcode::VpuCast:
    addOperandTraffic(target, inst.dst, full, energy);
    addOperandTraffic(target, inst.src0, full, energy);
    break;
  case Opcode::VpuReduce: {
    uint64_t outputs = inst.reduce_dim == ReduceDim::Cols ? rows : cols;
    addOperandTraffic(target, inst.src0, full, energy);
    addOperandTraffic(target, inst.dst,
                      outputs * ((inst.flags & kFlagAccumulate) ? 2 : 1),
                      energy);
    break;
  }
  case Opcode::VpuBroadcast:
    addOperandTraffic(target, inst.dst, full, energy);
    addOperandTraffic(target, inst.src0, vectorElements(inst.broadcast),
                      energy);
    break;
  case Opcode::VpuSelect:
    addOperandTraffic(target, inst.dst, full, energy);
    addOperandTraffic(target, inst.src0, full, energy);
    addOperandTraffic(target, inst.src1, full, energy);
    addOperandTraffic(target, inst.src2, full, energy);
    break;
  case Opcode::VpuEpilogue:
    addOperandTraffic(target, inst.dst, full, energy);
    addOperandTraffic(target, inst.src0, full, energy);
    if (inst.flags & kFlagBias)
      addOperandTraffic(target, inst.src1, cols, energy);
    break;
  default:
    break;
  }
  return energy;
}

LowerBound npurt::lowerBound(const Target &target, DType dtype, uint64_t macs,
                             uint64_t vectorOps, uint64_t dramBytes) {
  LowerBound bound;
  double cores = double(target.cores);
  bound.mac_cycles = double(macs) / (cores * double(target.mxu_rows) *
                                     double(target.mxu_cols) *
                                     mxuRate(target, dtype));
  bound.vector_cycles = double(vectorOps) / (cores * double(target.vpu_lanes));
  bound.dram_cycles = double(dramBytes) / target.dram_bytes_per_cycle;
  return bound;
}
