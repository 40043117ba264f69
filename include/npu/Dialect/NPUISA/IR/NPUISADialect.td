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

    docs/isa.md gives the fields' semantics, encoding and cycle costs.
  }];
  let useDefaultAttributePrinterParser = 1;
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

class NPUISA_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPUISA_Dialect, mnemonic, traits>;

#endif // NPU_DIALECT_NPUISA_IR_NPUISADIALECT_TD
