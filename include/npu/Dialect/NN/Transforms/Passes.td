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

def NNDecompose : Pass<"nn-decompose"> {
  let summary = "Decompose gelu, softmax, log_softmax and layer_norm into "
                "elementwise ops and reductions";
  let description = [{
    Rewrites composite nn ops into simpler nn ops with exactly the ONNX
    semantics and the same element type, so later lowerings only need the
    elementwise ops and reductions:

    - `nn.gelu` `approximate="none"`: `0.5 * x * (1 + erf(x / sqrt(2)))`;
      `approximate="tanh"`:
      `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`.
    - `nn.softmax`: `e = exp(x - reduce_max(x))`, `e / reduce_sum(e)` over
      `axis` (keepdims).
    - `nn.log_softmax`: `(x - m) - log(reduce_sum(exp(x - m)))`,
      `m = reduce_max(x)` over `axis`.
    - `nn.layer_norm`: `d = x - reduce_mean(x)`,
      `d / sqrt(reduce_mean(d * d) + epsilon) * scale (+ bias)` over the axes
      `[axis, rank)`.

    Scalars are rank-0 `nn.constant`s of the op's element type (numpy
    broadcasting). `ops` restricts the rewrite to the listed op kinds.

    ```
    npu-opt --nn-decompose='ops=gelu,softmax' model.mlir
    ```
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Op kinds to decompose: gelu, softmax, log_softmax, "
               "layer_norm (default: all)">,
  ];
}

def NNFoldBatchNorm : Pass<"nn-fold-batch-norm"> {
  let summary = "Fold inference batch_norm into the preceding conv, or into "
                "a per-channel mul/add";
  let description = [{
    An `nn.conv` whose only user is an `nn.batch_norm`, where the conv weight
    (and bias, if any) and the four batch-norm parameters are f32
    `nn.constant`s, becomes one `nn.conv` with, per output channel `m`,
    `s = scale[m] / sqrt(var[m] + epsilon)`,
    `w'[m] = w[m] * s` and `b'[m] = (b[m] - mean[m]) * s + bias[m]`
    (`b = 0` without a conv bias). The folded weight and bias are new
    `dense_resource` blobs, so large models stay compact.

    Any other `nn.batch_norm` with constant f32 parameters becomes
    `input * s' + b'` with `s'` and `b' = bias - mean * s'` as constants of
    shape `[C, 1, ..., 1]` (broadcasting over the spatial dimensions).
    Weights read from `dense_resource` blobs and inline dense constants are
    both accepted; elided blobs and other element types are left alone.

    ```
    npu-translate --import-onnx model.onnx | npu-opt --nn-fold-batch-norm
    ```
  }];
}

#endif // NPU_DIALECT_NN_TRANSFORMS_PASSES_TD
