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
  let summary = "Decompose gelu, softmax, log_softmax, layer_norm, "
                "batch_norm (inference and training), N-d conv, inner "
                "run-time gathers, 3-D and large pools into simpler nn ops";
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
    - `nn.batch_norm` (inference; the compile pipeline folds the ones with
      constant parameters first, nn-fold-batch-norm):
      `(x - mean) * (scale / sqrt(var + epsilon)) + bias`, the [C] operands
      reshaped to `[1, C, 1, ...]`.
    - `nn.batch_norm_train`: `m = reduce_mean(x)`,
      `v = reduce_mean((x - m)^2)` over every axis but 1 (keepdims), the
      output as above with `m` and `v`, and the running statistics
      `mean * momentum + m * (1 - momentum)` (and `var` likewise).
    - `nn.conv` with n > 2 spatial dims: the sum over the first kernel axis
      `k` of convs with n - 1 spatial dims. The input is padded along the
      first spatial axis, the planes `k * dilation + o * stride` are sliced
      out and folded into the batch, and convolved with the weight's `k`-th
      slice; the bias is added once. Repeats until 2-D convs remain (the
      chip's kernels).
    - `nn.gather` along an axis `k > 0` with run-time indices: the data
      transposed to put `k` first, gathered along axis 0, the gathered dims
      transposed back to position `k`.
    - `nn.max_pool`/`nn.avg_pool` with three spatial dims: `[N, C, D, H, W]`
      viewed as `[N, C * D, H, W]` and pooled over H and W, then viewed as
      `[N, C, D, OH * OW]` and pooled along D alone (the VPU pool kernels
      are 1-D and 2-D; max and mean are separable over a box, ceil_mode
      and count_include_pad apply per axis).
    - `nn.max_pool`/`nn.avg_pool` whose window has more than 32 positions
      over two or more spatial axes: a pool along the innermost such axis
      (its kernel, stride, dilation and pads; 1 and 0 elsewhere), then a
      pool along the other axes. Max and mean are separable over a box (the
      mean's divisor is a product of per-axis counts); the VPU pool kernel's
      work and window buffers grow with the window's positions.

    Scalars are rank-0 `nn.constant`s of the op's element type (numpy
    broadcasting). `ops` restricts the rewrite to the listed op kinds.

    ```
    npu-opt --nn-decompose='ops=gelu,softmax' model.mlir
    ```
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "Op kinds to decompose: gelu, softmax, log_softmax, "
               "layer_norm, batch_norm, batch_norm_train, conv, gather, pool "
               "(default: all)">,
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

def NNFuse : Pass<"nn-fuse"> {
  let summary = "Fold constant bias, scale and per-channel ops into matmul, "
                "gemm and conv";
  let description = [{
    Folds elementwise consumers whose other operand is an f32 constant into
    the matrix op before them, so the MXU kernels apply them in their
    epilogue (bias) or at compile time (scales folded into weights). The
    producer's result must have no other user and the consumer must keep
    its type (no broadcast growth):

    - 2-D `nn.matmul` + a constant row vector (`[N]`, `[1, N]`, scalar)
      becomes `nn.gemm` with that `c`; `nn.gemm` + a row vector merges it
      into a constant `c` (`beta * c + v`, beta becomes 1).
    - 2-D `nn.matmul` multiplied (or divided) by a scalar constant becomes
      `nn.gemm` with `alpha`; on `nn.gemm` the scale multiplies `alpha`
      and `beta`; on an N-d `nn.matmul` with a constant `b` it scales `b`.
    - `nn.conv` + a per-output-channel constant (`[M, 1, 1]`,
      `[1, M, 1, 1]`, scalar) becomes the conv's bias (added to a constant
      bias); `nn.conv` with constant weights times a per-channel constant
      scales the weights and bias.

    Activations after these ops are fused later by the kernels themselves
    (npu-tile), which see the whole chain.

    ```
    npu-opt --nn-fold-batch-norm --nn-fuse model.mlir
    ```
  }];
}

def NNAutodiff : Pass<"nn-autodiff", "ModuleOp"> {
  let summary = "Reverse-mode gradient of a scalar loss function, in nn ops";
  let description = [{
    Given `func.func @forward(params..., x, labels) -> loss` (one block, one
    scalar float result), adds `@forward_grad` with the same arguments
    returning `(loss, dloss/dparam...)` in the order of the parameters,
    computed by nn ops only (results named `loss`, `grad_<nn.name>` via
    `nn.name`). Each op kind's vector-Jacobian rule lives with the dialect
    (lib/Dialect/NN/IR/NNGradients.cpp); ops off the path from the
    parameters to the loss need none. Ops on that path without a rule are
    reported in one diagnostic. See docs/training.md.

    ```
    npu-opt --nn-autodiff='func=forward params=0,1,w2' train.mlir
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"forward\"",
           "The loss function to differentiate">,
    ListOption<"params", "params", "std::string",
               "Arguments to differentiate for: indices or nn.name values "
               "(default: every float argument but the last two)">,
  ];
}

def NNParamsToState : Pass<"nn-params-to-state", "ModuleOp"> {
  let summary = "Turn the model's weights into persistent state arguments";
  let description = [{
    Every float `nn.constant` of `@main` marked `nn.initializer` (the ONNX
    importer marks the constants holding graph initializers, i.e. the
    weights) becomes a new argument of `@main`, appended after the existing
    ones in order of appearance, with the argument attributes
    `nn.name = "<initializer name>"`, `nn.state`,
    `nn.initial_value = <the constant's value>` and, unless every use is the
    running mean or variance of an `nn.batch_norm` or `nn.batch_norm_train`,
    `nn.trainable`.
    npu-tile makes such arguments state tensors of the binary: kept in DRAM
    across runs, initialized from `nn.initial_value`, readable and writable
    by the host. Non-float constants (indices, shapes, masks) and constants
    the importer computed stay constants.

    Run it first, before passes that fold or merge constants. Used for
    training (the optimizer updates the `nn.trainable` state) and for
    inference binaries whose weights the host replaces
    (`npu-compile --weights-as-state`).

    ```
    npu-opt --nn-params-to-state model.mlir
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"main\"",
           "The model function">,
  ];
  let statistics = [
    Statistic<"numParams", "params", "constants turned into state">,
  ];
}

def NNTrainingState : Pass<"nn-training-state", "ModuleOp"> {
  let summary = "Keep what a training-mode model updates as persistent state: "
                "batch-norm running statistics and the dropout step counter";
  let description = [{
    Runs on a model in training mode (imported with
    `--onnx-training`, after nn-params-to-state made its weights state) and
    makes the state changes of its training-mode ops persistent, so the host
    only streams batches in:

    - every `nn.batch_norm_train` whose running `mean` / `var` is an
      `nn.state` argument stores its `new_mean` / `new_var` back: they become
      results marked `nn.state = "<name of the argument>"`;
    - the arguments that seed the `nn.dropout` ops (the importer's
      `dropout_seed`) are replaced by the state counter `dropout.step`
      (`tensor<1xf32>`, 0 initially): a run's masks use its value as the
      seed, and the run stores the value plus 1, so every step draws new
      masks (the layers' keys keep the layers apart).

    A batch norm whose statistics are not state (constants, computed values)
    and a dropout whose seed is not an argument keep their semantics and get
    no state.

    ```
    npu-opt --nn-params-to-state --nn-training-state model.mlir
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"main\"",
           "The model function">,
  ];
  let statistics = [
    Statistic<"numUpdates", "updates", "state results added">,
  ];
}

def NNAppendLoss : Pass<"nn-append-loss", "ModuleOp"> {
  let summary = "Make the model function return a training loss first";
  let description = [{
    Turns `@main(inputs..., state...) -> (outputs...)` into the loss
    function nn-autodiff differentiates:
    `@main(inputs..., state..., labels) -> (loss, outputs...)`, where `loss`
    is a `tensor<1xf32>` named `loss`, computed from the first output that is
    not a state result (the prediction `y`, batch size N) and the new
    argument `labels`, averaged over the batch as Keras does (reduction
    `sum_over_batch_size`):

    - `sparse-categorical-crossentropy`: `labels` i32 `[N]` class indices,
      `y` `[N, C]`; `-mean(log p[label])`.
    - `categorical-crossentropy`: `labels` `[N, C]` (one-hot or soft);
      `-mean(sum(labels * log p, axis -1))`.
    - `mse`: `labels` like `y`; `mean((y - labels)^2)`.
    - `binary-crossentropy`: `labels` like `y` in [0, 1];
      `-mean(labels * log p + (1 - labels) * log(1 - p))`.

    `from-logits` says `y` holds logits. Otherwise, as Keras does, when `y`
    is the result of a softmax over its last axis (sigmoid for binary
    cross-entropy) the loss is computed from the logits before it
    (log_softmax: exact and stable); any other `y` is taken as
    probabilities, normalized over the last axis (the cross-entropies) and
    clipped to [1e-7, 1 - 1e-7] before the log. Outputs stay results, so the
    train step returns the model's predictions on the batch too.

    ```
    npu-opt --nn-append-loss='loss=sparse-categorical-crossentropy' m.mlir
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"main\"",
           "The model function">,
    Option<"loss", "loss", "std::string",
           /*default=*/"\"sparse-categorical-crossentropy\"",
           "sparse-categorical-crossentropy, categorical-crossentropy, mse "
           "or binary-crossentropy">,
    Option<"fromLogits", "from-logits", "bool", /*default=*/"false",
           "the model's output holds logits, not probabilities">,
  ];
}

def NNOptimizer : Pass<"nn-optimizer", "ModuleOp"> {
  let summary = "Turn a gradient function into a train step that applies an "
                "optimizer to its state";
  let description = [{
    From `@main_grad(inputs..., state..., labels) -> (loss, grad_<p>...,
    aux...)` (nn-autodiff's output, whose parameters `p` are `nn.state`
    arguments) builds the train step `@main`, replacing `@main` and
    `@main_grad`:

    - arguments: the same, then `learning_rate` (`tensor<1xf32>`, a runtime
      input so schedules need no recompile), then the optimizer's state:
      per parameter its slots (`<p>.momentum` for SGD with momentum,
      `<p>.m` and `<p>.v` for Adam; zeros initially) and `optimizer.step`
      (`tensor<1xf32>`, the number of steps taken);
    - results: `loss`, the auxiliary results (the model's outputs), then the
      new value of every parameter, slot and the step counter (results with
      `nn.state = "<name>"`).

    SGD follows PyTorch (`torch.optim.SGD`): `b = momentum * b + g`,
    `p -= lr * b` (nesterov: `p -= lr * (g + momentum * b)`); without
    momentum `p -= lr * g` and no slot. Adam follows Keras
    (`keras.optimizers.Adam`, bias correction on the chip):
    `t = step + 1`, `a = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`,
    `m += (g - m) * (1 - beta1)`, `v += (g^2 - v) * (1 - beta2)`,
    `p -= a * m / (sqrt(v) + epsilon)`. See docs/training.md.

    ```
    npu-opt --nn-autodiff=func=main --nn-optimizer='optimizer=adam' m.mlir
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"main\"",
           "The model function; its gradient function is @<func>_grad">,
    Option<"optimizer", "optimizer", "std::string", /*default=*/"\"sgd\"",
           "sgd or adam">,
    Option<"momentum", "momentum", "double", /*default=*/"0.0",
           "SGD momentum (0: plain SGD, no slot)">,
    Option<"nesterov", "nesterov", "bool", /*default=*/"false",
           "SGD with Nesterov momentum">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9",
           "Adam: decay of the first moment">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999",
           "Adam: decay of the second moment">,
    Option<"epsilon", "epsilon", "double", /*default=*/"1e-7",
           "Adam: added to sqrt(v) (Keras' default)">,
  ];
}

#endif // NPU_DIALECT_NN_TRANSFORMS_PASSES_TD
