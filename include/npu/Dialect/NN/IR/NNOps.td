//===- NNOps.td - nn dialect ops ---------------------------*- tablegen -*-===//
#ifndef NPU_DIALECT_NN_IR_NNOPS_TD
#define NPU_DIALECT_NN_IR_NNOPS_TD

include "npu/Dialect/NN/IR/NNDialect.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def NN_ReluOp : NN_Op<"relu", [Pure, SameOperandsAndResultType]> {
  let summary = "rectified linear unit";
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

#endif // NPU_DIALECT_NN_IR_NNOPS_TD
