//===- NNDialect.td - the nn dialect definition -----------*- tablegen -*-===//
//
// `nn` is the graph level: tensor ops with ONNX semantics, shape-checked.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_IR_NNDIALECT_TD
#define NPU_DIALECT_NN_IR_NNDIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::mlir::nn";
  let summary = "Tensor-level graph ops with ONNX semantics";
  let description = [{
    The `nn` dialect is the front end of npu-mlir: every op is a whole tensor
    operation with the semantics ONNX gives it, a verifier that checks shapes,
    dtypes and attributes, and result type inference.
  }];
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NPU_DIALECT_NN_IR_NNDIALECT_TD
