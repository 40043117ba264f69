//===- NPUISADialect.td - the npuisa dialect definition ---*- tablegen -*-===//
//
// `npuisa` is the machine level: one op per chip instruction, with physical
// addresses, the engine queue it runs on and its semaphore waits / signals.
// It maps one-to-one onto the runtime's `Program` (lib/Runtime), which is what
// `npu-translate --serialize-npu` writes and `--deserialize-npu` reads.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPUISA_IR_NPUISADIALECT_TD
#define NPU_DIALECT_NPUISA_IR_NPUISADIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def NPUISA_Dialect : Dialect {
  let name = "npuisa";
  let cppNamespace = "::mlir::npuisa";
  let summary = "The chip's instruction set: one op per machine instruction";
  let description = [{
    A chip program is an `npuisa.program` holding its I/O table
    (`npuisa.io`), persistent state (`npuisa.state`), read-only constants
    (`npuisa.constant`), source map (`npuisa.source_op`) and one
    `npuisa.engine` block per (core, engine) instruction queue. Every op in an
    engine block is one machine instruction; each may wait on and signal up
    to two of the core's counting semaphores. The chip is the enclosing
    module's `npu.target` attribute: the verifiers check every instruction
    against it with the runtime's own validator, so the compiler and the
    simulator agree on what a legal instruction is.

    A (core, engine) queue without an `npuisa.engine` block only halts; the
    disassembler (`npu-translate --deserialize-npu`) prints every queue.
    Addresses print in hex; VPU operands print as
    `sram[0x200] f32 stride 128` (memory, byte address, dtype, row stride in
    elements).

    Synchronization. Semaphores are per core and start at zero; waiting
    acquires (blocks until the count is positive, then decrements), a
    signal increments when the instruction completes. The
    `npuisa-verify-sync` pass (also run by `--serialize-npu`) proves that
    every engine reaches its halt under every interleaving. It requires
    each semaphore to be waited on by one engine only; with that rule the
    engines cannot steal each other's signals, so one greedy simulation of
    the counts decides deadlock exactly (argument in
    lib/Dialect/NPUISA/Analysis/DeadlockCheck.cpp). A deadlock is reported
    per blocked engine, e.g. `deadlock: engine mxu (core 0) blocks at
    instruction 3 (npuisa.mxu_matmul) waiting on semaphore 2, which no
    remaining instruction signals`. Semaphores signalled more often than
    waited on get a warning (a signal nobody consumes usually means a
    missing wait, i.e. a race).

    docs/isa.md gives the fields' semantics, encoding and cycle costs;
    docs/binary-format.md the chip binary.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

class NPUISA_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPUISA_Dialect, mnemonic, traits>;

#endif // NPU_DIALECT_NPUISA_IR_NPUISADIALECT_TD
