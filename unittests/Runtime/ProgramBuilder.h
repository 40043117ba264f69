//===- ProgramBuilder.h - terse Program construction for tests --*- C++ -*-===//
//
// Helpers that build Program structs directly (no MLIR, no binary) so the
// simulator tests can state a schedule in a few lines.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_UNITTESTS_RUNTIME_PROGRAMBUILDER_H
#define NPU_UNITTESTS_RUNTIME_PROGRAMBUILDER_H

#include "npu/Runtime/Binary.h"
#include "npu/Runtime/Program.h"

#include "llvm/Support/MemoryBuffer.h"

namespace npurt::testing {

/// A program under construction: instructions are appended per engine of
/// core 0 and finish() appends the HALTs.
struct ProgramBuilder {
  Program program;

  explicit ProgramBuilder(const Target &target) {
    program.target = target;
    program.cores.resize(target.cores);
  }

  Instruction &add(Instruction inst, Engine engine, unsigned core = 0,
                   uint32_t source = kNoSource) {
    Stream &stream = program.stream(core, engine);
    stream.instructions.push_back(inst);
    stream.source.push_back(source);
    return stream.instructions.back();
  }

  void tensor(const std::string &name, IoKind kind, DType dtype,
              std::vector<uint64_t> shape, uint64_t dramAddr) {
    TensorEntry entry;
    entry.name = name;
    entry.kind = kind;
    entry.dtype = dtype;
    entry.shape = std::move(shape);
    entry.dram_addr = dramAddr;
    program.io.push_back(entry);
  }

  Program finish() {
    for (CoreStreams &core : program.cores)
      for (Stream &stream : core) {
        stream.instructions.push_back(Instruction());
        stream.source.push_back(kNoSource);
      }
    return program;
  }
};

/// `program` written as a binary and read back with its streams left encoded
/// (StreamForm::Encoded), or an error if it is not valid.
inline llvm::Expected<Program> encodedCopy(const Program &program) {
  llvm::Expected<std::vector<uint8_t>> bytes = writeBinary(program);
  if (!bytes)
    return bytes.takeError();
  return readBinary(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(bytes->data()),
                          bytes->size()),
          "encoded.npu"),
      StreamForm::Encoded);
}

/// A 1-D contiguous DMA of `count` elements.
inline Instruction dma(Opcode opcode, uint64_t dramAddr, uint32_t sramAddr,
                       uint16_t count, DType dramType = DType::F32,
                       DType sramType = DType::F32) {
  Instruction inst;
  inst.opcode = opcode;
  inst.dram_addr = dramAddr;
  inst.sram_addr = sramAddr;
  inst.dram_dtype = dramType;
  inst.sram_dtype = sramType;
  inst.extents = {1, 1, 1, count};
  inst.dram_strides = {0, 0, 0, 1};
  inst.sram_strides = {0, 0, 0, 1};
  return inst;
}

inline Instruction loadWeights(uint32_t sramAddr, uint16_t k, uint16_t n,
                               uint32_t rowStride, DType dtype) {
  Instruction inst;
  inst.opcode = Opcode::MxuLoadWeights;
  inst.sram_addr = sramAddr;
  inst.k = k;
  inst.n = n;
  inst.row_stride = rowStride;
  inst.mxu_dtype = dtype;
  return inst;
}

inline Instruction matmul(uint32_t sramAddr, uint32_t m, uint16_t k,
                          uint16_t n, uint32_t rowStride, uint32_t accAddr,
                          uint32_t accRowStride, DType dtype,
                          bool accumulate = false) {
  Instruction inst;
  inst.opcode = Opcode::MxuMatmul;
  inst.sram_addr = sramAddr;
  inst.m = m;
  inst.k = k;
  inst.n = n;
  inst.row_stride = rowStride;
  inst.acc_addr = accAddr;
  inst.acc_row_stride = accRowStride;
  inst.mxu_dtype = dtype;
  inst.flags = accumulate ? kFlagAccumulate : 0;
  return inst;
}

inline VpuOperand sram(uint32_t addr, uint32_t rowStride,
                       DType dtype = DType::F32) {
  return VpuOperand{Mem::Sram, dtype, addr, rowStride};
}
inline VpuOperand acc(uint32_t addr, uint32_t rowStride,
                      DType dtype = DType::F32) {
  return VpuOperand{Mem::Acc, dtype, addr, rowStride};
}

/// A VPU instruction over [rows x cols].
inline Instruction vpu(Opcode opcode, VpuFunc func, uint16_t rows,
                       uint16_t cols, VpuOperand dst, VpuOperand src0,
                       VpuOperand src1 = VpuOperand()) {
  Instruction inst;
  inst.opcode = opcode;
  inst.func = func;
  inst.rows = rows;
  inst.cols = cols;
  inst.dst = dst;
  inst.src0 = src0;
  inst.src1 = src1;
  return inst;
}

inline Instruction &waitOn(Instruction &inst, uint8_t id) {
  inst.wait[inst.wait[0] == kNoSemaphore ? 0 : 1] = id;
  return inst;
}
inline Instruction &signalTo(Instruction &inst, uint8_t id) {
  inst.signal[inst.signal[0] == kNoSemaphore ? 0 : 1] = id;
  return inst;
}

} // namespace npurt::testing

#endif // NPU_UNITTESTS_RUNTIME_PROGRAMBUILDER_H
