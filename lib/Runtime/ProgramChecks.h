//===- ProgramChecks.h - validateProgram in pieces (private) ----*- C++ -*-===//
//
// The binary reader validates each instruction right after decoding it,
// while it is in cache, instead of in a second pass over the whole program.
// These entry points let it do that without a second definition of the
// rules: passesInstructionRules() runs exactly the per-instruction checks of
// validateProgram (silently), and validateProgram(program, true) then skips
// them. On any failure the reader runs the full validateProgram, so the
// message is the one validateProgram gives.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_LIB_RUNTIME_PROGRAMCHECKS_H
#define NPU_LIB_RUNTIME_PROGRAMCHECKS_H

#include "npu/Runtime/Program.h"

namespace npurt {

/// True if instruction `index` of a stream of `count` instructions on
/// `engine` passes validateProgram's rules for it except the source-index
/// range: it runs on the engine, validateInstruction accepts it for
/// `target` (which must be valid), and HALT is exactly the last instruction.
bool passesInstructionRules(const Target &target, Engine engine,
                            const Instruction &inst, size_t index,
                            size_t count);

/// validateProgram(program). With `instructionsChecked` the caller
/// guarantees passesInstructionRules for every instruction of every stream,
/// and those checks are skipped (the source indices are still checked).
llvm::Error validateProgram(const Program &program, bool instructionsChecked);

} // namespace npurt

#endif // NPU_LIB_RUNTIME_PROGRAMCHECKS_H
