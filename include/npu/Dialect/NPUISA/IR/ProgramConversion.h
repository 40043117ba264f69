//===- ProgramConversion.h - npuisa IR <-> runtime Program --------*- C++ -*-===//
//
// The one mapping between the npuisa dialect and the runtime's decoded
// program (npu/Runtime/Program.h). The verifiers use it to check instructions
// with the runtime's validator; the --serialize-npu / --deserialize-npu
// translations use it to go to and from the binary.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPUISA_IR_PROGRAMCONVERSION_H
#define NPU_DIALECT_NPUISA_IR_PROGRAMCONVERSION_H

#include "npu/Dialect/NPUISA/IR/NPUISA.h"
#include "npu/Runtime/Program.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::npuisa {

/// The runtime dtype of an element type (f32, bf16, i8, i32); emits an error
/// naming `what` and returns failure for any other type.
FailureOr<npurt::DType> toDType(Type type, StringRef what,
                                function_ref<InFlightDiagnostic()> emitError);
/// The element type of a runtime dtype.
Type fromDType(MLIRContext *context, npurt::DType dtype);

/// Encodable form of one instruction op. Emits an error on `op` (and fails)
/// for fields that do not fit their encoding (e.g. a 70000 extent in a 16-bit
/// field); the target-dependent checks are validateInstruction's.
FailureOr<npurt::Instruction> toInstruction(InstructionOpInterface op);

/// Creates the op for `inst` at the builder's insertion point.
Operation *fromInstruction(OpBuilder &builder, Location loc,
                           const npurt::Instruction &inst, uint32_t source);

/// The whole program for the chip `target`. (core, engine) queues without an
/// engine block get a lone HALT. Errors are emitted on the offending op.
FailureOr<npurt::Program> toProgram(ProgramOp program,
                                    const npurt::Target &target);

/// Builds `module` contents for `program`: the `npu.target` attribute and a
/// program op named `name` with every table and every stream.
LogicalResult fromProgram(ModuleOp module, const npurt::Program &program,
                          StringRef name);

} // namespace mlir::npuisa

#endif // NPU_DIALECT_NPUISA_IR_PROGRAMCONVERSION_H
