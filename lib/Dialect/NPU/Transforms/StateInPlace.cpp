//===- StateInPlace.cpp - npu-state-in-place: drop provably useless copies ===//
//
// npu-tile writes the new value of a persistent state tensor into a DRAM
// temporary and copies it over the state at the end (a `state_update`
// layer): correct whatever kernel computed it. This pass makes the
// instructions write the state tensor directly when it can prove, on the
// exact byte ranges every instruction reads and writes, that no instruction
// can observe the difference. The proof is kernel-agnostic: it looks at
// instructions, not at which nn op they came from, so a new kernel needs no
// annotation and a kernel that reads an element after writing another one
// of the same tensor simply keeps its copy.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPU/IR/NPU.h"
#include "npu/Dialect/NPU/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/STLExtras.h"

#include <map>

namespace mlir::npu {
#define GEN_PASS_DEF_NPUSTATEINPLACEPASS
#include "npu/Dialect/NPU/Transforms/Passes.h.inc"
} // namespace mlir::npu

using namespace mlir;
using namespace mlir::npu;

namespace {

/// A set of byte ranges [begin, end), kept merged.
class ByteRanges {
public:
  void add(int64_t begin, int64_t end) {
    if (begin >= end)
      return;
    auto it = ranges.upper_bound(begin);
    if (it != ranges.begin() && std::prev(it)->second >= begin)
      --it;
    while (it != ranges.end() && it->first <= end) {
      begin = std::min(begin, it->first);
      end = std::max(end, it->second);
      it = ranges.erase(it);
    }
    ranges[begin] = end;
  }
  bool overlaps(int64_t begin, int64_t end) const {
    auto it = ranges.upper_bound(begin);
    if (it != ranges.begin() && std::prev(it)->second > begin)
      return true;
    return it != ranges.end() && it->first < end;
  }
  /// True if the set is exactly [0, bytes).
  bool coversExactly(int64_t bytes) const {
    return ranges.size() == 1 && ranges.begin()->first == 0 &&
           ranges.begin()->second == bytes;
  }

private:
  std::map<int64_t, int64_t> ranges;
};

/// One state update: the copy layer, the temporary and the state tensor.
struct StateUpdate {
  LayerOp layer;
  AllocOp temporary;
  IOOp state;
};

/// Recognizes `layer` as a whole, unconverted copy of a top-level DRAM
/// temporary into a state tensor (what npu-tile emits); a reason otherwise.
FailureOr<StateUpdate> matchUpdate(LayerOp layer, std::string &reason) {
  Value source, dest;
  ByteRanges copied;
  SmallVector<npurt::Instruction> loads, stores;
  for (Operation &op : layer.getBody().front()) {
    auto inst = dyn_cast<InstructionOpInterface>(op);
    if (!inst)
      continue;
    npurt::Instruction machine = inst.getInstruction();
    if (machine.opcode != npurt::Opcode::DmaLoad &&
        machine.opcode != npurt::Opcode::DmaStore) {
      reason = "the update layer holds more than DMA copies";
      return failure();
    }
    bool isLoad = machine.opcode == npurt::Opcode::DmaLoad;
    for (const BufferAccess &access : inst.getBufferAccesses()) {
      if (access.role != AddrRole::Dram)
        continue;
      Value &side = isLoad ? source : dest;
      if (side && side != access.buffer) {
        reason = "the update layer copies between more than two tensors";
        return failure();
      }
      side = access.buffer;
      if (!isLoad)
        copied.add(access.begin, access.end);
    }
    (isLoad ? loads : stores).push_back(machine);
  }
  auto state = dest ? dest.getDefiningOp<IOOp>() : IOOp();
  auto temporary = source ? source.getDefiningOp<AllocOp>() : AllocOp();
  if (!state || state.getKind() != IOKind::state) {
    reason = "the update layer does not write a state tensor";
    return failure();
  }
  if (!temporary || temporary.getSpace() != Space::Dram ||
      !isa<ProgramOp>(temporary->getParentOp())) {
    reason = "the new value is not a DRAM temporary (an input, constant or "
             "other table tensor)";
    return failure();
  }
  // Each load must be mirrored by a store of the same box at the same
  // offset and dtype, and the stores must cover the whole state: then the
  // temporary's bytes are the state's bytes, one for one.
  bool mirrored = loads.size() == stores.size();
  for (auto [load, store] : llvm::zip(loads, stores))
    mirrored &= load.dram_addr == store.dram_addr &&
                load.dram_dtype == store.dram_dtype &&
                load.extents == store.extents &&
                load.dram_strides == store.dram_strides;
  int64_t bytes = static_cast<int64_t>(state.getBufferBytes());
  if (!mirrored || temporary.getBytes() != state.getBufferBytes() ||
      !copied.coversExactly(bytes)) {
    reason = "the update is not a whole, unconverted copy of the temporary";
    return failure();
  }
  return StateUpdate{layer, temporary, state};
}

/// Whether writing `update.temporary`'s bytes straight into the state is
/// unobservable; a reason otherwise. In program order, excluding the copy
/// layer: no state byte is read after the temporary's byte at the same
/// offset was written, nothing else writes the state, and nothing writes
/// the temporary after the copy.
LogicalResult proveInPlace(ProgramOp program, StateUpdate update,
                           std::string &reason) {
  Value state = update.state.getBuffer();
  Value temporary = update.temporary.getBuffer();
  ByteRanges written;
  bool afterCopy = false;
  WalkResult result = program.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (op == update.layer.getOperation()) {
      afterCopy = true;
      return WalkResult::skip();
    }
    auto inst = dyn_cast<InstructionOpInterface>(op);
    if (!inst)
      return WalkResult::advance();
    SmallVector<BufferAccess> accesses = inst.getBufferAccesses();
    for (const BufferAccess &access : accesses) {
      if (access.buffer == state && access.writes) {
        reason = "another instruction writes the state";
        return WalkResult::interrupt();
      }
      if (access.buffer == state && access.reads && !afterCopy &&
          written.overlaps(access.begin, access.end)) {
        reason = "the old value is read after the new value's first write "
                 "to the same bytes";
        return WalkResult::interrupt();
      }
    }
    for (const BufferAccess &access : accesses) {
      if (access.buffer != temporary || !access.writes)
        continue;
      if (afterCopy) {
        reason = "the temporary is written after the copy";
        return WalkResult::interrupt();
      }
      written.add(access.begin, access.end);
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

struct NPUStateInPlacePass
    : npu::impl::NPUStateInPlacePassBase<NPUStateInPlacePass> {
  using Base::Base;

  void runOnOperation() override {
    for (ProgramOp program : getOperation().getOps<ProgramOp>()) {
      SmallVector<LayerOp> updates;
      for (auto layer : program.getBody().front().getOps<LayerOp>())
        if (layer.getKind() == kStateUpdateKind)
          updates.push_back(layer);
      // One at a time: each rewrite changes what the next proof sees.
      for (LayerOp layer : updates) {
        std::string reason;
        FailureOr<StateUpdate> update = matchUpdate(layer, reason);
        if (succeeded(update) &&
            succeeded(proveInPlace(program, *update, reason))) {
          if (report)
            layer.emitRemark() << "npu-state-in-place: '"
                               << update->state.getName()
                               << "' is written in place";
          update->temporary.getBuffer().replaceAllUsesWith(
              update->state.getBuffer());
          layer.erase();
          update->temporary.erase();
          ++numInPlace;
          continue;
        }
        if (report)
          layer.emitRemark() << "npu-state-in-place: '" << layer.getName()
                             << "' stays a copy: " << reason;
        ++numCopied;
      }
    }
  }
};

} // namespace
