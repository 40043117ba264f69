//===- DeadlockCheck.cpp - prove a chip program cannot deadlock -----------===//
//
// Model. Each core has in-order engine queues and counting semaphores that
// start at zero. An instruction issues once, for every id in its wait list,
// the semaphore's count is positive (it then decrements it, once per listed
// occurrence); when it completes it increments each id in its signal list.
// Completion never depends on other engines, so for progress an instruction
// that issues may be treated as completing at once. Semaphores are per core,
// so cores are checked independently.
//
// Why a greedy simulation decides deadlock freedom exactly. We first require
// every semaphore to be waited on by a single engine of its core (its
// consumer); a program where two engines wait on one semaphore is rejected,
// because which of them wins would depend on timing. With single consumers
// the system is persistent: a step of one engine only increments semaphores
// other engines wait on, so an instruction that can issue stays able to issue
// until its own engine issues it. For such systems every maximal run ends in
// the same state (the classic confluence argument: two enabled steps of
// different engines commute, and each run performs, per engine, a prefix of
// the same fixed queue). So simulating one run -- repeatedly advance any
// engine whose next instruction's waits are available -- and checking that
// every engine reached its end proves that no interleaving the hardware can
// pick gets stuck; and if the simulation gets stuck, every interleaving
// gets stuck at exactly those instructions, which the error names.
//
// The simulation is O(instructions * engines) per core.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPUISA/Analysis/DeadlockCheck.h"

#include "npu/Dialect/NPUISA/IR/NPUISA.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

#include <map>

using namespace mlir;
using namespace mlir::npuisa;

namespace {

/// One engine's queue and how far the simulation got in it.
struct Queue {
  EngineOp engine;
  SmallVector<InstructionOpInterface> instructions;
  size_t next = 0;

  bool finished() const { return next == instructions.size(); }
};

/// "engine mxu (core 0)".
std::string describeEngine(EngineOp engine) {
  return ("engine " + stringifyEngine(engine.getEngine()) + " (core " +
          Twine(engine.getCore()) + ")")
      .str();
}

/// How many of each semaphore an instruction acquires.
std::map<int32_t, int64_t> countWaits(InstructionOpInterface inst) {
  std::map<int32_t, int64_t> needed;
  for (int32_t id : inst.getWaitSemaphores())
    ++needed[id];
  return needed;
}

/// Checks the queues of one core.
LogicalResult checkCore(ProgramOp program, uint32_t core,
                        MutableArrayRef<Queue> queues) {
  // Single-consumer requirement (see the file comment).
  llvm::DenseMap<int32_t, EngineOp> consumer;
  for (Queue &queue : queues) {
    for (InstructionOpInterface inst : queue.instructions) {
      for (int32_t id : inst.getWaitSemaphores()) {
        auto [it, inserted] = consumer.try_emplace(id, queue.engine);
        if (!inserted && it->second != queue.engine) {
          return inst->emitError()
                 << "semaphore " << id << " is waited on by both "
                 << describeEngine(it->second) << " and "
                 << describeEngine(queue.engine)
                 << "; each semaphore needs a single waiting engine, "
                    "otherwise which engine acquires it depends on timing";
        }
      }
    }
  }

  std::map<int32_t, int64_t> counts;
  bool progress = true;
  while (progress) {
    progress = false;
    for (Queue &queue : queues) {
      while (!queue.finished()) {
        InstructionOpInterface inst = queue.instructions[queue.next];
        std::map<int32_t, int64_t> needed = countWaits(inst);
        bool ready = llvm::all_of(needed, [&](const auto &entry) {
          return counts[entry.first] >= entry.second;
        });
        if (!ready)
          break;
        for (const auto &[id, amount] : needed)
          counts[id] -= amount;
        for (int32_t id : inst.getSignalSemaphores())
          ++counts[id];
        ++queue.next;
        progress = true;
      }
    }
  }

  bool deadlocked = false;
  for (Queue &queue : queues) {
    if (queue.finished())
      continue;
    deadlocked = true;
    InstructionOpInterface inst = queue.instructions[queue.next];
    // Name the first semaphore that is missing, and who could still signal it.
    for (const auto &[id, amount] : countWaits(inst)) {
      if (counts[id] >= amount)
        continue;
      SmallVector<std::string> signallers;
      for (Queue &other : queues) {
        for (size_t i = other.next; i < other.instructions.size(); ++i) {
          if (llvm::is_contained(other.instructions[i].getSignalSemaphores(),
                                 id))
            signallers.push_back("instruction " + std::to_string(i) + " of " +
                                 describeEngine(other.engine));
        }
      }
      InFlightDiagnostic diag = inst->emitError();
      diag << "deadlock: " << describeEngine(queue.engine)
           << " blocks at instruction " << queue.next << " ("
           << inst->getName() << ") waiting on semaphore " << id;
      if (signallers.empty()) {
        diag << ", which no remaining instruction signals";
      } else {
        diag << ", which only blocked instructions would signal later ("
             << llvm::join(signallers, ", ") << ")";
      }
      break;
    }
  }
  if (deadlocked)
    return failure();

  for (const auto &[id, count] : counts) {
    if (count > 0) {
      program.emitWarning() << "semaphore " << id << " (core " << core
                            << ") is signalled " << count
                            << " more time(s) than it is waited on";
    }
  }
  return success();
}

} // namespace

LogicalResult mlir::npuisa::verifyNoDeadlock(ProgramOp program) {
  llvm::MapVector<uint32_t, SmallVector<Queue>> queuesByCore;
  for (EngineOp engine : program.getBody().getOps<EngineOp>()) {
    Queue queue{engine, {}, 0};
    for (Operation &op : engine.getBody().front())
      if (auto inst = dyn_cast<InstructionOpInterface>(&op))
        queue.instructions.push_back(inst);
    queuesByCore[engine.getCore()].push_back(std::move(queue));
  }
  bool failed = false;
  for (auto &[core, queues] : queuesByCore)
    failed |= ::failed(checkCore(program, core, queues));
  return failure(failed);
}
