//===- NPUDialect.td - the npu dialect definition ---------*- tablegen -*-===//
//
// `npu` is the tiling level: buffers in the chip's memory spaces, tile loops,
// DMA / matmul / vector ops. For now it holds the chip description attribute
// every chip-aware pass reads; the tiling-level ops join it later.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPUDIALECT_TD
#define NPU_DIALECT_NPU_IR_NPUDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def NPU_Dialect : Dialect {
  let name = "npu";
  let cppNamespace = "::mlir::npu";
  let summary = "Chip-aware tiling level and the chip target description";
  let description = [{
    The `npu` dialect describes work placed on a concrete chip. Its
    `#npu.target<...>` attribute carries every chip parameter; a module
    carries it as the `npu.target` attribute so every pass reads the chip from
    the IR.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class NPU_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<NPU_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

class NPU_Op<string mnemonic, list<Trait> traits = []>
    : Op<NPU_Dialect, mnemonic, traits>;

#endif // NPU_DIALECT_NPU_IR_NPUDIALECT_TD
