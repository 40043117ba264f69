//===- NPUInterfaces.td - buffers and instructions of npu --*- tablegen -*-===//
//
// The two views the npu passes take of the buffer-level IR: ops that define a
// buffer (its memory, size and placed address) and ops that are one chip
// instruction (its runtime form and the buffers its address fields point
// into).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NPU_IR_NPUINTERFACES_TD
#define NPU_DIALECT_NPU_IR_NPUINTERFACES_TD

include "mlir/IR/OpBase.td"

def NPU_BufferOpInterface : OpInterface<"BufferOpInterface"> {
  let cppNamespace = "::mlir::npu";
  let description = [{
    An op defining one `!npu.buffer`: `npu.alloc`, `npu.io`, `npu.constant`.
    The buffer is `getBytes()` bytes of `getSpace()`; npu-place-memory sets
    its `address`.
  }];
  let methods = [
    InterfaceMethod<"the memory the buffer lives in", "::mlir::npu::Space",
      "getSpace">,
    InterfaceMethod<"the size of the buffer in bytes (saturates at "
                    "UINT64_MAX, which no memory holds)",
      "uint64_t", "getBufferBytes">,
    InterfaceMethod<"a name for messages (the tensor or alloc name; may be "
                    "empty)",
      "::llvm::StringRef", "getBufferName">,
    InterfaceMethod<"the placed address, if placed", "std::optional<uint64_t>",
      "getPlacedAddress", (ins), [{}], [{
        if (auto attr = $_op.getAddressAttr())
          return static_cast<uint64_t>(attr.getInt());
        return std::nullopt;
      }]>,
    InterfaceMethod<"places the buffer at `address`", "void",
      "setPlacedAddress", (ins "uint64_t":$address), [{}], [{
        $_op.setAddressAttr(::mlir::IntegerAttr::get(
            ::mlir::IntegerType::get($_op->getContext(), 64),
            static_cast<int64_t>(address)));
      }]>,
    InterfaceMethod<"true for buffers that are never written (constants)",
      "bool", "isReadOnly", (ins), [{}], [{ return false; }]>,
    InterfaceMethod<"true for buffers live during the whole program (I/O, "
                    "constants)",
      "bool", "isLiveForWholeProgram", (ins), [{}], [{ return true; }]>,
  ];
}

def NPU_InstructionOpInterface : OpInterface<"InstructionOpInterface"> {
  let cppNamespace = "::mlir::npu";
  let description = [{
    An op that is one chip instruction whose address fields are byte offsets
    into buffers. `getInstruction()` is the runtime instruction with those
    offsets in the address fields (and `mem` of VPU operands from the bound
    buffer's space); npu-lower-to-isa adds each bound buffer's placed
    address.
  }];
  let methods = [
    InterfaceMethod<"the instruction, address fields holding the offsets "
                    "inside the bound buffers",
      "::npurt::Instruction", "getInstruction">,
    InterfaceMethod<"the buffer bound to each address field the instruction "
                    "uses",
      "::llvm::SmallVector<std::pair<::mlir::npu::AddrRole, ::mlir::Value>>",
      "getBufferBindings">,
  ];
  let extraSharedClassDeclaration = [{
    /// The byte range every bound field touches inside its buffer and
    /// whether it is read and/or written.
    ::llvm::SmallVector<::mlir::npu::BufferAccess> getBufferAccesses() {
      return ::mlir::npu::getBufferAccesses($_op.getInstruction(),
                                            $_op.getBufferBindings());
    }
  }];
}

#endif // NPU_DIALECT_NPU_IR_NPUINTERFACES_TD
