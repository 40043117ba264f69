//===- BufferLiveness.h - live ranges and the placement proof ---*- C++ -*-===//
//
// Shared by npu-place-memory (which assigns addresses from these live
// ranges) and npu-verify-placement (which proves an assignment sound), so
// both passes agree on what "live" means.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_DIALECT_NPU_TRANSFORMS_BUFFERLIVENESS_H
#define NPU_LIB_DIALECT_NPU_TRANSFORMS_BUFFERLIVENESS_H

#include "npu/Dialect/NPU/IR/NPU.h"

#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <vector>

namespace mlir::npu {

/// One buffer and the instructions it is live across: [first, last] in the
/// numbering of the program's instructions in program order (inclusive).
/// I/O and constants span the whole program; a buffer nothing uses is live
/// only at its definition point.
struct LiveBuffer {
  /// Op handles are mutable: querying an op through a const LiveBuffer is
  /// not a change of the LiveBuffer.
  mutable BufferOpInterface op;
  Space space = Space::Dram;
  uint64_t bytes = 0;
  uint64_t first = 0;
  uint64_t last = 0;
  /// The layer the buffer belongs to (its own, or the first one using it for
  /// top-level buffers); null if nothing uses it outside any layer.
  mutable LayerOp layer;

  bool overlapsInTime(const LiveBuffer &other) const {
    return first <= other.last && other.first <= last;
  }
};

/// Live ranges of every buffer of `program`, in program order of definition.
std::vector<LiveBuffer> computeLiveBuffers(ProgramOp program);

/// The alignment npu-place-memory gives addresses in `space`.
uint64_t placementAlignment(const npurt::Target &target, Space space);
/// The capacity of `space` on `target`.
uint64_t memoryCapacity(const npurt::Target &target, Space space);
/// "dram_bytes", "sram_bytes" or "acc_bytes".
StringRef capacityFieldName(Space space);

/// Proves the placement of `program` sound: every buffer has an address,
/// aligned for its memory, with its bytes inside the memory, and no two
/// buffers of the same memory whose live ranges intersect share a byte.
/// Emits a diagnostic naming both buffers on the first violation.
LogicalResult verifyPlacement(ProgramOp program, const npurt::Target &target);

/// The name of a buffer for messages: `'name' (npu.alloc sram)`.
std::string describeBuffer(BufferOpInterface op);

} // namespace mlir::npu

#endif // NPU_LIB_DIALECT_NPU_TRANSFORMS_BUFFERLIVENESS_H
