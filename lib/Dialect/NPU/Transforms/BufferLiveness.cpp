//===- BufferLiveness.cpp - live ranges and the placement proof -----------===//
//
// Liveness is positional: instructions are numbered in program order (the
// order the chip's engines receive them after npu-lower-to-isa) and a buffer
// is live from its first to its last user. Reusing an address after the last
// use is safe because npu-lower-to-isa orders every pair of instructions
// whose placed byte ranges conflict, including accesses to different
// buffers that share an address.
//
//===----------------------------------------------------------------------===//
#include "BufferLiveness.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::npu;

uint64_t mlir::npu::placementAlignment(const npurt::Target &target,
                                       Space space) {
  switch (space) {
  case Space::Sram:
    return std::max<uint64_t>(target.sram_alignment, 1);
  case Space::Acc:
    return std::max<uint64_t>(target.acc_alignment, 1);
  case Space::Dram:
    break;
  }
  return 64;
}

uint64_t mlir::npu::memoryCapacity(const npurt::Target &target, Space space) {
  switch (space) {
  case Space::Sram:
    return target.sram_bytes;
  case Space::Acc:
    return target.acc_bytes;
  case Space::Dram:
    break;
  }
  return target.dram_bytes;
}

StringRef mlir::npu::capacityFieldName(Space space) {
  switch (space) {
  case Space::Sram:
    return "sram_bytes";
  case Space::Acc:
    return "acc_bytes";
  case Space::Dram:
    break;
  }
  return "dram_bytes";
}

std::string mlir::npu::describeBuffer(BufferOpInterface op) {
  std::string text;
  if (!op.getBufferName().empty())
    text = "'" + op.getBufferName().str() + "' ";
  text += "(" + op->getName().getStringRef().str() + " " +
          stringifySpace(op.getSpace()).str() + ")";
  return text;
}

std::vector<LiveBuffer> mlir::npu::computeLiveBuffers(ProgramOp program) {
  // Number the instructions; remember, for each buffer, where it is defined
  // (the number of instructions before it).
  DenseMap<Operation *, uint64_t> position;
  std::vector<LiveBuffer> buffers;
  uint64_t count = 0;
  program.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (isa<InstructionOpInterface>(op)) {
      position[op] = count++;
    } else if (auto buffer = dyn_cast<BufferOpInterface>(op)) {
      LiveBuffer live;
      live.op = buffer;
      live.space = buffer.getSpace();
      live.bytes = buffer.getBufferBytes();
      live.first = live.last = count;
      live.layer = op->getParentOfType<LayerOp>();
      buffers.push_back(live);
    }
  });
  uint64_t end = count == 0 ? 0 : count - 1;
  for (LiveBuffer &live : buffers) {
    if (live.op.isLiveForWholeProgram()) {
      live.first = 0;
      live.last = end;
      continue;
    }
    bool used = false;
    for (Operation *user : live.op->getResult(0).getUsers()) {
      auto it = position.find(user);
      if (it == position.end())
        continue;
      if (!used) {
        live.first = live.last = it->second;
        used = true;
      } else {
        live.first = std::min(live.first, it->second);
        live.last = std::max(live.last, it->second);
      }
    }
    // Top-level buffers are attributed to the first layer using them.
    if (!live.layer && used) {
      uint64_t best = UINT64_MAX;
      for (Operation *user : live.op->getResult(0).getUsers()) {
        auto it = position.find(user);
        if (it != position.end() && it->second < best) {
          best = it->second;
          live.layer = user->getParentOfType<LayerOp>();
        }
      }
    }
  }
  return buffers;
}

LogicalResult mlir::npu::verifyPlacement(ProgramOp program,
                                         const npurt::Target &target) {
  std::vector<LiveBuffer> buffers = computeLiveBuffers(program);
  for (const LiveBuffer &live : buffers) {
    std::optional<uint64_t> address = live.op.getPlacedAddress();
    if (!address)
      return live.op->emitOpError("has no address; run npu-place-memory");
    uint64_t alignment = placementAlignment(target, live.space);
    if (*address % alignment != 0)
      return live.op->emitOpError()
             << "address 0x" << llvm::utohexstr(*address)
             << " is not aligned to " << alignment << " bytes as "
             << stringifySpace(live.space) << " buffers must be";
    uint64_t capacity = memoryCapacity(target, live.space);
    if (live.bytes > capacity || *address > capacity - live.bytes)
      return live.op->emitOpError()
             << "range [0x" << llvm::utohexstr(*address) << ", +" << live.bytes
             << ") exceeds the chip's " << stringifySpace(live.space) << " ("
             << capacityFieldName(live.space) << " = " << capacity << ")";
  }

  // Sweep in order of first use; `active` holds the buffers still live.
  std::vector<const LiveBuffer *> order;
  for (const LiveBuffer &live : buffers)
    if (live.bytes > 0)
      order.push_back(&live);
  llvm::stable_sort(order, [](const LiveBuffer *a, const LiveBuffer *b) {
    return a->first < b->first;
  });
  // One active list per memory (indexed by Space).
  std::vector<const LiveBuffer *> activeBySpace[3];
  for (const LiveBuffer *live : order) {
    std::vector<const LiveBuffer *> &active =
        activeBySpace[static_cast<unsigned>(live->space) % 3];
    llvm::erase_if(active, [&](const LiveBuffer *other) {
      return other->last < live->first;
    });
    uint64_t begin = *live->op.getPlacedAddress();
    uint64_t end = begin + live->bytes;
    for (const LiveBuffer *other : active) {
      uint64_t otherBegin = *other->op.getPlacedAddress();
      uint64_t otherEnd = otherBegin + other->bytes;
      if (begin < otherEnd && otherBegin < end) {
        InFlightDiagnostic diag =
            live->op->emitOpError()
            << "overlaps " << describeBuffer(other->op) << " in "
            << stringifySpace(live->space) << " while both are live: [0x"
            << llvm::utohexstr(begin) << ", 0x" << llvm::utohexstr(end)
            << ") and [0x" << llvm::utohexstr(otherBegin) << ", 0x"
            << llvm::utohexstr(otherEnd) << ") during instructions "
            << std::max(live->first, other->first) << ".."
            << std::min(live->last, other->last);
        diag.attachNote(other->op->getLoc()) << "the other buffer";
        return diag;
      }
    }
    active.push_back(live);
  }
  return success();
}
