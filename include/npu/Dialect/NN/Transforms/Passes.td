//===- Passes.td - nn dialect passes -----------------------*- tablegen -*-===//
//
// Passes that work on the graph-level nn dialect.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_TRANSFORMS_PASSES_TD
#define NPU_DIALECT_NN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NNModelSummary : Pass<"nn-model-summary", "ModuleOp"> {
  let summary = "Print a summary of each function's model to stdout";
  let description = [{
    For every `func.func` in the module, prints to standard output: the
    inputs and outputs (with their `nn.name` when the importer set one) and
    their types, the number of ops of each kind, the parameter count and size
    in bytes (every `nn.constant` with more than one element, including
    `dense_resource` weight blobs, which are never read), and the
    multiply-accumulate count of `nn.matmul`, `nn.gemm`, `nn.conv` and
    `nn.conv_transpose`, in total and per op kind. With `per-layer`, it also
    lists every one of those ops with its source name (the ONNX node name the
    importer stores as the op's location), result type and MACs. With `json`,
    the same content is printed as one JSON object for scripts. The IR is
    left unchanged.

    ```
    npu-translate --import-onnx model.onnx | npu-opt --nn-model-summary -o /dev/null
    ```
  }];
  let options = [
    Option<"perLayer", "per-layer", "bool", /*default=*/"false",
           "Also list every matmul/gemm/conv/conv_transpose with its MACs">,
    Option<"json", "json", "bool", /*default=*/"false",
           "Print one JSON object ({\"functions\": [...]}) instead of text">,
  ];
}

#endif // NPU_DIALECT_NN_TRANSFORMS_PASSES_TD
