//===- NPUISADialect.cpp - npuisa dialect registration and attributes ------===//
#include "npu/Dialect/NPUISA/IR/NPUISA.h"

#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::npuisa;

#include "npu/Dialect/NPUISA/IR/NPUISADialect.cpp.inc"
#include "npu/Dialect/NPUISA/IR/NPUISAEnums.cpp.inc"
#include "npu/Dialect/NPUISA/IR/NPUISAInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "npu/Dialect/NPUISA/IR/NPUISAAttrs.cpp.inc"

void NPUISADialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "npu/Dialect/NPUISA/IR/NPUISAAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "npu/Dialect/NPUISA/IR/NPUISAOps.cpp.inc"
      >();
}

/// Parses `sram[0x200] f32 stride 128` (shared with the op directive).
Attribute OperandAttr::parse(AsmParser &parser, Type) {
  if (parser.parseLess())
    return {};
  Attribute result = parseOperandBody(parser);
  if (!result || parser.parseGreater())
    return {};
  return result;
}

void OperandAttr::print(AsmPrinter &printer) const {
  printer << "<";
  printOperandBody(printer);
  printer << ">";
}

OperandAttr OperandAttr::parseOperandBody(AsmParser &parser) {
  StringRef memName;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&memName))
    return {};
  std::optional<Mem> mem = symbolizeMem(memName);
  if (!mem) {
    parser.emitError(loc) << "expected 'sram' or 'acc', got '" << memName
                          << "'";
    return {};
  }
  uint64_t addr = 0, rowStride = 0;
  Type dtype;
  SMLoc addrLoc;
  if (parser.parseLSquare())
    return {};
  addrLoc = parser.getCurrentLocation();
  if (parser.parseInteger(addr) || parser.parseRSquare() ||
      parser.parseType(dtype) || parser.parseKeyword("stride"))
    return {};
  SMLoc strideLoc = parser.getCurrentLocation();
  if (parser.parseInteger(rowStride))
    return {};
  if (addr > UINT32_MAX) {
    parser.emitError(addrLoc) << "operand address does not fit in 32 bits";
    return {};
  }
  if (rowStride > UINT32_MAX) {
    parser.emitError(strideLoc) << "row stride does not fit in 32 bits";
    return {};
  }
  return OperandAttr::get(parser.getContext(), *mem,
                          static_cast<uint32_t>(addr), dtype,
                          static_cast<uint32_t>(rowStride));
}

void OperandAttr::printOperandBody(AsmPrinter &printer) const {
  printer << stringifyMem(getMem()) << "[0x" << llvm::utohexstr(getAddr())
          << "] ";
  printer.printType(getDtype());
  printer << " stride " << getRowStride();
}
