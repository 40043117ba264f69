//===- NPUISAInterfaces.td - what every instruction op has -*- tablegen -*-===//
#ifndef NPU_DIALECT_NPUISA_IR_NPUISAINTERFACES_TD
#define NPU_DIALECT_NPUISA_IR_NPUISAINTERFACES_TD

include "mlir/IR/OpBase.td"

def NPUISA_InstructionOpInterface : OpInterface<"InstructionOpInterface"> {
  let cppNamespace = "::mlir::npuisa";
  let description = [{
    An op that is one machine instruction: it has semaphore waits and
    signals (at most two each) and an optional index into the program's
    source map.
  }];
  let methods = [
    InterfaceMethod<"the semaphores waited on before issue",
      "::llvm::ArrayRef<int32_t>", "getWaitSemaphores", (ins), [{}], [{
        if (auto attr = $_op.getWaitAttr())
          return attr.asArrayRef();
        return {};
      }]>,
    InterfaceMethod<"the semaphores signalled on completion",
      "::llvm::ArrayRef<int32_t>", "getSignalSemaphores", (ins), [{}], [{
        if (auto attr = $_op.getSignalAttr())
          return attr.asArrayRef();
        return {};
      }]>,
    InterfaceMethod<"the source-map index of the op this instruction implements",
      "std::optional<uint32_t>", "getSourceIndex", (ins), [{}], [{
        if (auto attr = $_op.getSourceAttr())
          return static_cast<uint32_t>(attr.getInt());
        return std::nullopt;
      }]>,
  ];
}

#endif // NPU_DIALECT_NPUISA_IR_NPUISAINTERFACES_TD
