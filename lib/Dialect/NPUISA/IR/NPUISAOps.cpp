//===- NPUISAOps.cpp - npuisa op verifiers and custom syntax ---------------===//
//
// Structural verification (engine blocks, tables) and per-instruction checks.
// What the hardware checks is decided by the runtime's validateInstruction /
// validateProgram: the program verifier converts the IR to the runtime form
// and reports their messages on the offending op.
//
//===----------------------------------------------------------------------===//
#include "npu/Dialect/NPUISA/IR/NPUISA.h"

#include "npu/Dialect/NPUISA/IR/ProgramConversion.h"
#include "npu/Runtime/ISA.h"
#include "npu/Runtime/Program.h"

#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::npuisa;

//===----------------------------------------------------------------------===//
// Custom directives
//===----------------------------------------------------------------------===//

/// Addresses print in hex: `0x1000`.
static ParseResult parseAddress(OpAsmParser &parser, IntegerAttr &address) {
  uint64_t value = 0;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseInteger(value))
    return failure();
  if (value > static_cast<uint64_t>(INT64_MAX))
    return parser.emitError(loc) << "address does not fit in 63 bits";
  address = parser.getBuilder().getI64IntegerAttr(static_cast<int64_t>(value));
  return success();
}

static void printAddress(OpAsmPrinter &printer, Operation *,
                         IntegerAttr address) {
  printer << "0x" << llvm::utohexstr(address.getValue().getZExtValue());
}

static ParseResult parseOperand(OpAsmParser &parser, OperandAttr &operand) {
  operand = OperandAttr::parseOperandBody(parser);
  return success(operand != nullptr);
}

static void printOperand(OpAsmPrinter &printer, Operation *,
                         OperandAttr operand) {
  operand.printOperandBody(printer);
}

#define GET_OP_CLASSES
#include "npu/Dialect/NPUISA/IR/NPUISAOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Program structure
//===----------------------------------------------------------------------===//

void ProgramOp::build(OpBuilder &builder, OperationState &state,
                      StringRef name) {
  state.getOrAddProperties<Properties>().sym_name =
      builder.getStringAttr(name);
  state.addRegion()->emplaceBlock();
}

void EngineOp::build(OpBuilder &builder, OperationState &state,
                     uint32_t core, Engine engine) {
  Properties &props = state.getOrAddProperties<Properties>();
  props.core = builder.getI32IntegerAttr(static_cast<int32_t>(core));
  props.engine = EngineAttr::get(builder.getContext(), engine);
  state.addRegion()->emplaceBlock();
}

LogicalResult ProgramOp::verifyRegions() {
  npu::TargetAttr targetAttr = npu::TargetAttr::lookup(*this);
  if (!targetAttr)
    return emitOpError("needs the chip: an 'npu.target' attribute on the "
                       "program or an enclosing module");
  npurt::Target target = targetAttr.getTarget();

  // Instruction checks against the chip, reported on the instruction.
  bool failedInstruction = false;
  walk([&](InstructionOpInterface op) {
    FailureOr<npurt::Instruction> inst = toInstruction(op);
    if (failed(inst)) {
      failedInstruction = true;
      return;
    }
    if (llvm::Error error = npurt::validateInstruction(*inst, target)) {
      op->emitOpError() << llvm::toString(std::move(error));
      failedInstruction = true;
    }
  });
  if (failedInstruction)
    return failure();

  // Everything else (tables, overlaps, streams) as the runtime sees it.
  FailureOr<npurt::Program> program = toProgram(*this, target);
  if (failed(program))
    return failure();
  if (llvm::Error error = npurt::validateProgram(*program))
    return emitOpError() << llvm::toString(std::move(error));
  return success();
}

LogicalResult EngineOp::verifyRegions() {
  Block &block = getBody().front();
  if (block.empty() || !isa<HaltOp>(block.back()))
    return emitOpError("must end with 'npuisa.halt'");
  for (Operation &op : block) {
    if (!isa<InstructionOpInterface>(op))
      return op.emitOpError("is not an instruction; engine blocks hold only "
                            "npuisa instructions");
    if (isa<HaltOp>(op) && &op != &block.back())
      return op.emitOpError("must be the last instruction of its engine");
  }
  return success();
}

/// Checks a table entry's dtype and shape.
static LogicalResult verifyTensorEntry(Operation *op, Type dtype,
                                       ArrayRef<int64_t> shape) {
  if (failed(toDType(dtype, "dtype", [&] { return op->emitOpError(); })))
    return failure();
  if (shape.size() > npurt::kMaxRank)
    return op->emitOpError() << "has rank " << shape.size()
                             << "; at most " << npurt::kMaxRank
                             << " dimensions are supported";
  for (int64_t dim : shape)
    if (dim < 0)
      return op->emitOpError() << "has negative dimension " << dim;
  return success();
}

LogicalResult IOOp::verify() {
  return verifyTensorEntry(*this, getDtype(), getShape());
}

LogicalResult StateOp::verify() {
  return verifyTensorEntry(*this, getDtype(), getShape());
}

FailureOr<std::vector<uint8_t>> ConstantOp::getBytes() {
  Attribute data = getData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(data)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob)
      return failure();
    ArrayRef<char> raw = blob->getData();
    return std::vector<uint8_t>(raw.begin(), raw.end());
  }
  auto dense = dyn_cast<DenseIntOrFPElementsAttr>(data);
  if (!dense)
    return failure();
  Type elementType = dense.getElementType();
  unsigned bits = elementType.getIntOrFloatBitWidth();
  if (bits % 8 != 0)
    return failure();
  ArrayRef<char> raw = dense.getRawData();
  std::vector<uint8_t> bytes;
  if (dense.isSplat()) {
    size_t elementBytes = bits / 8;
    size_t count = static_cast<size_t>(dense.getNumElements());
    bytes.reserve(count * elementBytes);
    for (size_t i = 0; i < count; ++i)
      bytes.insert(bytes.end(), raw.begin(), raw.begin() + elementBytes);
  } else {
    bytes.assign(raw.begin(), raw.end());
  }
  return bytes;
}

LogicalResult ConstantOp::verify() {
  Attribute data = getData();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(data)) {
    if (!resource.getRawHandle().getBlob())
      return emitOpError("has no data: the dense_resource blob is missing");
    return success();
  }
  auto dense = dyn_cast<DenseIntOrFPElementsAttr>(data);
  if (!dense)
    return emitOpError("data must be a dense or dense_resource elements "
                       "attribute");
  if (dense.getElementType().getIntOrFloatBitWidth() % 8 != 0)
    return emitOpError() << "element type " << dense.getElementType()
                         << " has no byte layout; use whole-byte elements";
  if (dense.getNumElements() == 0)
    return emitOpError("has no data");
  return success();
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

/// Field encodability (toInstruction) and placement in the right engine.
static LogicalResult verifyInstruction(InstructionOpInterface op) {
  FailureOr<npurt::Instruction> inst = toInstruction(op);
  if (failed(inst))
    return failure();
  auto engine = op->getParentOfType<EngineOp>();
  if (!engine)
    return success();
  auto engineKind = static_cast<npurt::Engine>(engine.getEngine());
  if (!npurt::runsOn(inst->opcode, engineKind))
    return op->emitOpError()
           << "runs on engine "
           << npurt::engineName(*npurt::engineOf(inst->opcode))
           << ", not in the " << stringifyEngine(engine.getEngine())
           << " block";
  return success();
}

#define NPUISA_INSTRUCTION_VERIFIER(OpClass)                                   \
  LogicalResult OpClass::verify() { return verifyInstruction(*this); }
NPUISA_INSTRUCTION_VERIFIER(HaltOp)
NPUISA_INSTRUCTION_VERIFIER(NopOp)
NPUISA_INSTRUCTION_VERIFIER(DmaLoadOp)
NPUISA_INSTRUCTION_VERIFIER(DmaStoreOp)
NPUISA_INSTRUCTION_VERIFIER(MxuLoadWeightsOp)
NPUISA_INSTRUCTION_VERIFIER(MxuMatmulOp)
NPUISA_INSTRUCTION_VERIFIER(VpuBinaryOp)
NPUISA_INSTRUCTION_VERIFIER(VpuUnaryOp)
NPUISA_INSTRUCTION_VERIFIER(VpuReduceOp)
NPUISA_INSTRUCTION_VERIFIER(VpuBroadcastOp)
NPUISA_INSTRUCTION_VERIFIER(VpuCastOp)
NPUISA_INSTRUCTION_VERIFIER(VpuSelectOp)
NPUISA_INSTRUCTION_VERIFIER(VpuEpilogueOp)
#undef NPUISA_INSTRUCTION_VERIFIER
