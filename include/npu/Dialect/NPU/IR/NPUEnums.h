//===- NPUEnums.h - memories, address roles and buffer accesses -*- C++ -*-===//
//
// The small vocabulary shared by the npu ops, the kernels (through
// KernelContext.h) and the passes after tiling: which memory a buffer is in,
// which address field of an instruction a buffer is bound to, and what byte
// range of the buffer that field touches.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPUENUMS_H
#define NPU_DIALECT_NPU_IR_NPUENUMS_H

#include "npu/Runtime/ISA.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <utility>

#include "npu/Dialect/NPU/IR/NPUEnums.h.inc"

namespace mlir::npu {

/// Which address field of an instruction a buffer is bound to. The field
/// holds the byte offset inside the buffer until npu-lower-to-isa adds the
/// buffer's placed address.
enum class AddrRole : uint8_t {
  Dram, ///< dram_addr (DMA).
  Sram, ///< sram_addr (DMA, MXU).
  Acc,  ///< acc_addr (mxu_matmul).
  Dst,  ///< dst.addr (VPU).
  Src0, ///< src0.addr (VPU).
  Src1, ///< src1.addr (VPU).
  Src2, ///< src2.addr (VPU).
};

/// "dram", "sram", "acc", "dst", "src0", "src1", "src2".
StringRef stringifyAddrRole(AddrRole role);

/// The bytes one address field of an instruction touches inside its bound
/// buffer: [begin, end) relative to the buffer's start (the bounding box of
/// a strided access), and whether the instruction reads and/or writes them.
struct BufferAccess {
  AddrRole role = AddrRole::Dram;
  Value buffer;
  int64_t begin = 0;
  int64_t end = 0;
  bool reads = false;
  bool writes = false;
};

/// The byte range [begin, end) field `role` of `inst` touches, relative to
/// the address in that field (begin may be negative for negative DMA
/// strides). Computed in 128-bit-safe arithmetic clamped to int64; an
/// unused field gives the empty range [0, 0).
std::pair<int64_t, int64_t> accessedRange(const npurt::Instruction &inst,
                                          AddrRole role);

/// A byte range [begin, end).
using ByteInterval = std::pair<int64_t, int64_t>;

/// The bytes field `role` of `inst` touches as sorted, disjoint ranges
/// relative to the address in that field: a superset of the exact set of
/// touched bytes that is never larger than accessedRange. Strided accesses
/// (a DMA box over NCHW channel planes, a VPU operand with a row stride
/// wider than its columns) are split along their widest strides into at
/// most about `maxIntervals` ranges, each the bounding range of the rest of
/// the box, so the hazard analysis sees that two tiles of one tensor, or a
/// padding fill and the DMA that writes the other rows, do not overlap.
SmallVector<ByteInterval> accessedIntervals(const npurt::Instruction &inst,
                                            AddrRole role,
                                            unsigned maxIntervals);

/// The accesses of `inst` for every binding (ranges relative to the start of
/// the bound buffer: the field's offset is added).
SmallVector<BufferAccess>
getBufferAccesses(const npurt::Instruction &inst,
                  ArrayRef<std::pair<AddrRole, Value>> bindings);

} // namespace mlir::npu

#endif // NPU_DIALECT_NPU_IR_NPUENUMS_H
