//===- NNOps.td - nn dialect ops ---------------------------*- tablegen -*-===//
//
// The graph-level ops. Each follows the ONNX operator of the same name (in
// snake_case) with shape-like inputs turned into attributes. Ops are grouped:
// linear algebra and convolution, normalization and pooling, elementwise,
// reductions, data movement, constants.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_DIALECT_NN_IR_NNOPS_TD
#define NPU_DIALECT_NN_IR_NNOPS_TD

include "npu/Dialect/NN/IR/NNDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

//===----------------------------------------------------------------------===//
// Linear algebra and convolution
//===----------------------------------------------------------------------===//

def NN_MatMulOp : NN_ShapeOp<"matmul"> {
  let summary = "matrix product with numpy semantics (ONNX MatMul)";
  let description = [{
    Matrix product of `a` and `b` as `numpy.matmul` defines it: operands of
    rank >= 2 are stacks of matrices whose batch dimensions broadcast; a 1-D
    `a` is promoted to a row vector and a 1-D `b` to a column vector, and the
    promoted dimension is removed from the result. Both operands have the same
    element type, which is the result's.

    ```mlir
    %y = nn.matmul %a, %b : (tensor<8x1x4x16xf32>, tensor<3x16x32xf32>) -> tensor<8x3x4x32xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$a, NN_NumericTensor:$b);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat =
      "$a `,` $b attr-dict `:` functional-type(operands, results)";
}

def NN_GemmOp : NN_ShapeOp<"gemm"> {
  let summary = "general matrix multiply (ONNX Gemm)";
  let description = [{
    `output = alpha * op(a) * op(b) + beta * c` where `op(x)` transposes `x`
    when the matching `trans_*` attribute is set. `a` and `b` are 2-D; the
    optional `c` is unidirectionally broadcastable to the `[M, N]` result.

    Attributes:
    - `alpha` (f32, default 1.0): scale of the product.
    - `beta` (f32, default 1.0): scale of `c`.
    - `trans_a`, `trans_b` (bool, default false): transpose `a` / `b` first.
  }];
  let arguments = (ins NN_NumericTensor:$a, NN_NumericTensor:$b,
                       Optional<NN_NumericTensor>:$c,
                       DefaultValuedAttr<F32Attr, "1.0f">:$alpha,
                       DefaultValuedAttr<F32Attr, "1.0f">:$beta,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                       DefaultValuedAttr<BoolAttr, "false">:$trans_b);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`,` $c^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_ConvOp : NN_ShapeOp<"conv"> {
  let summary = "N-d grouped convolution (ONNX Conv)";
  let description = [{
    Convolution of `input` `[N, C, D1..Dn]` with `weight`
    `[M, C/group, k1..kn]`, plus the optional per-output-channel `bias`
    `[M]`. The result is `[N, M, O1..On]` with
    `Oi = floor((Di + pad_begin_i + pad_end_i - dilation_i*(ki-1) - 1) / stride_i) + 1`.
    Depthwise convolution is `group = C` with `M` a multiple of `C`.

    Attributes (an empty array means the ONNX default; canonicalization
    empties arrays that spell out the default):
    - `kernel_shape` (i64 array, default: from `weight`): must equal the
      weight's spatial dimensions when given.
    - `strides` (i64 array, default all 1): positive.
    - `pads` (i64 array `[b1..bn, e1..en]`, default all 0): non-negative,
      explicit (the importer resolves `auto_pad`).
    - `dilations` (i64 array, default all 1): positive.
    - `group` (i64, default 1): divides both `C` and `M`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$kernel_shape,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$strides,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$pads,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

def NN_ConvTransposeOp : NN_ShapeOp<"conv_transpose"> {
  let summary = "N-d transposed convolution (ONNX ConvTranspose)";
  let description = [{
    Transposed (fractionally strided) convolution of `input` `[N, C, D1..Dn]`
    with `weight` `[C, M/group, k1..kn]`, plus the optional `bias` `[M]`. The
    result is `[N, M, O1..On]` with
    `Oi = stride_i*(Di-1) + output_padding_i + dilation_i*(ki-1) + 1 - pad_begin_i - pad_end_i`.

    Attributes (an empty array means the ONNX default):
    - `kernel_shape` (i64 array, default: from `weight`).
    - `strides` (default all 1), `dilations` (default all 1): positive.
    - `pads` (`[b1..bn, e1..en]`, default all 0): non-negative, explicit (the
      importer resolves `auto_pad` and `output_shape` into pads).
    - `output_padding` (default all 0): non-negative, smaller than the stride
      or the dilation of its axis.
    - `group` (i64, default 1): divides `C`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight,
                       Optional<NN_FloatTensor>:$bias,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$kernel_shape,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$strides,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$pads,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$dilations,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$group);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and pooling
//===----------------------------------------------------------------------===//

def NN_BatchNormOp : NN_ShapeOp<"batch_norm"> {
  let summary = "batch normalization, inference mode (ONNX BatchNormalization)";
  let description = [{
    `output = (input - mean) / sqrt(var + epsilon) * scale + bias`, per
    channel (dimension 1). `input` is `[N, C, ...]` (rank >= 2); `scale`,
    `bias`, `mean` and `var` are `[C]`. All have the same element type.

    Attributes:
    - `epsilon` (f32, default 1e-5, non-negative): added to `var`.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$var,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_BatchNormTrainOp : NN_ShapeOp<"batch_norm_train"> {
  let summary = "batch normalization, training mode (ONNX BatchNormalization "
                "with training_mode = 1)";
  let description = [{
    Normalizes `input` `[N, C, ...]` (rank >= 2) per channel with the
    statistics of the batch: `batch_mean` and the biased `batch_var` over
    every dimension but 1,
    `output = (input - batch_mean) / sqrt(batch_var + epsilon) * scale + bias`,
    and updates the running statistics `mean` and `var` (`[C]`, like `scale`
    and `bias`; all of one element type) as ONNX and Keras do:
    `new_mean = mean * momentum + batch_mean * (1 - momentum)`,
    `new_var = var * momentum + batch_var * (1 - momentum)`.
    (PyTorch's `momentum` is 1 minus this one, and PyTorch updates its
    running variance with the unbiased batch variance.)

    Attributes:
    - `epsilon` (f32, default 1e-5, non-negative): added to the variance.
    - `momentum` (f32, default 0.9, in [0, 1]): weight of the old running
      statistics (Keras' default is 0.99).

    ```mlir
    %y, %m, %v = nn.batch_norm_train %x, %scale, %bias, %mean, %var {momentum = 0.99 : f32}
        : (tensor<32x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>)
        -> (tensor<32x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       NN_FloatTensor:$bias, NN_FloatTensor:$mean,
                       NN_FloatTensor:$var,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon,
                       DefaultValuedAttr<F32Attr, "0.9f">:$momentum);
  let results = (outs NN_FloatTensor:$output, NN_FloatTensor:$new_mean,
                      NN_FloatTensor:$new_var);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $var attr-dict `:`
    functional-type(operands, results)
  }];
}

def NN_DropoutOp : NN_ShapeOp<"dropout"> {
  let summary = "inverted dropout, training mode (ONNX Dropout with "
                "training_mode = true)";
  let description = [{
    `output = input * keep / (1 - ratio)` where `keep` is 1 for an element
    whose uniform random number `u >= ratio`, else 0. The numbers are
    counter-based: a function of the element's row-major index, of the
    rank-0 `seed` (float or integer; a new value per training step gives a
    new mask, e.g. the step number) and of `key` (distinct per dropout
    layer, so layers of the same shape get independent masks). The same
    operands always give the same mask, so the gradient is the same op
    applied to the output gradient. The exact generator (the chip's
    `hash_uniform` VPU function) is specified in docs/training.md.

    Attributes:
    - `ratio` (f32, default 0.5, in [0, 1)): the drop probability.
    - `key` (i64, default 0, in [0, 2^31)): the layer's key.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_Tensor:$seed,
                       DefaultValuedAttr<F32Attr, "0.5f">:$ratio,
                       DefaultValuedAttr<I64Attr, "0">:$key);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $seed attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

def NN_LayerNormOp : NN_ShapeOp<"layer_norm"> {
  let summary = "layer normalization (ONNX LayerNormalization)";
  let description = [{
    Normalizes `input` over the dimensions `[axis, rank)` to zero mean and unit
    variance, then applies `scale` and the optional `bias`, both of shape
    `input.shape[axis:]` (or unidirectionally broadcastable to it). Only the
    normalized output is produced (not ONNX's optional mean / inv_std_dev).

    Attributes:
    - `axis` (i64, required, non-negative, < rank): first normalized axis.
    - `epsilon` (f32, default 1e-5): added to the variance.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$scale,
                       Optional<NN_FloatTensor>:$bias,
                       I64Attr:$axis,
                       DefaultValuedAttr<F32Attr, "1e-5f">:$epsilon);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def NN_MaxPoolOp : NN_ShapeOp<"max_pool"> {
  let summary = "N-d max pooling (ONNX MaxPool)";
  let description = [{
    Max over windows of `input` `[N, C, D1..Dn]`. The result is
    `[N, C, O1..On]` with
    `Oi = floor_or_ceil((Di + pad_begin_i + pad_end_i - dilation_i*(ki-1) - 1) / stride_i) + 1`
    (ceil when `ceil_mode`, in which case a window starting in the end padding
    is dropped, as PyTorch and ONNX Runtime do).

    Attributes:
    - `kernel_shape` (i64 array, required): one positive size per spatial dim.
    - `strides` (default all 1), `dilations` (default all 1): positive.
    - `pads` (`[b1..bn, e1..en]`, default all 0): non-negative, smaller than
      the dilated kernel.
    - `ceil_mode` (bool, default false).
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$strides,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$pads,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs NN_NumericTensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_AvgPoolOp : NN_ShapeOp<"avg_pool"> {
  let summary = "N-d average pooling (ONNX AveragePool)";
  let description = [{
    Mean over windows of `input` `[N, C, D1..Dn]`; output size as for
    `nn.max_pool`.

    Attributes:
    - `kernel_shape` (i64 array, required): one positive size per spatial dim.
    - `strides` (default all 1), `dilations` (default all 1): positive.
    - `pads` (`[b1..bn, e1..en]`, default all 0): non-negative, smaller than
      the dilated kernel.
    - `ceil_mode` (bool, default false).
    - `count_include_pad` (bool, default false): whether padded elements count
      in the divisor.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$strides,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$pads,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let hasFolder = 1;
}

def NN_GlobalAvgPoolOp : NN_ShapeOp<"global_avg_pool"> {
  let summary = "mean over all spatial dimensions (ONNX GlobalAveragePool)";
  let description = [{
    `input` `[N, C, D1..Dn]` (rank >= 3) gives `[N, C, 1..1]`.
  }];
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (numpy broadcasting)
//===----------------------------------------------------------------------===//

def NN_AddOp : NN_BinaryOp<"add", NN_NumericTensor, [Commutative]> {
  let summary = "elementwise addition with broadcasting (ONNX Add)";
}
def NN_SubOp : NN_BinaryOp<"sub", NN_NumericTensor> {
  let summary = "elementwise subtraction with broadcasting (ONNX Sub)";
}
def NN_MulOp : NN_BinaryOp<"mul", NN_NumericTensor, [Commutative]> {
  let summary = "elementwise multiplication with broadcasting (ONNX Mul)";
}
def NN_DivOp : NN_BinaryOp<"div", NN_NumericTensor> {
  let summary = "elementwise division with broadcasting (ONNX Div)";
  let description = [{
    Integer division truncates toward zero; a constant integer division by
    zero is not folded.
  }];
}
def NN_PowOp : NN_BinaryOp<"pow", NN_NumericTensor> {
  let summary = "elementwise power with broadcasting (ONNX Pow)";
  let description = [{
    `lhs ** rhs`. Unlike ONNX, base and exponent have the same element type
    (the importer casts the exponent).
  }];
}
def NN_ModOp : NN_BinaryOp<"mod", NN_NumericTensor> {
  let summary = "elementwise remainder with broadcasting (ONNX Mod)";
  let description = [{
    `fmod = false` (the ONNX default, integers only in ONNX): the remainder
    takes the sign of the divisor (`numpy.mod`); `fmod = true`: the sign of
    the dividend (C `fmod`, required by ONNX for floats). An integer
    remainder by zero is not folded (the chip gives 0).

    ```mlir
    %r = nn.mod %a, %b {fmod = true} : (tensor<6xf32>, tensor<6xf32>) -> tensor<6xf32>
    ```
  }];
  let arguments = (ins NN_NumericTensor:$lhs, NN_NumericTensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$fmod);
}
def NN_MaxOp : NN_BinaryOp<"max", NN_NumericTensor, [Commutative]> {
  let summary = "elementwise maximum of two tensors (ONNX Max)";
  let description = [{
    The two-operand form of ONNX Max; the importer chains variadic Max.
  }];
}
def NN_MinOp : NN_BinaryOp<"min", NN_NumericTensor, [Commutative]> {
  let summary = "elementwise minimum of two tensors (ONNX Min)";
  let description = [{
    The two-operand form of ONNX Min; the importer chains variadic Min.
  }];
}

def NN_WhereOp : NN_ShapeOp<"where"> {
  let summary = "elementwise select with broadcasting (ONNX Where)";
  let description = [{
    `output[i] = cond[i] ? x[i] : y[i]`, with `cond` (i1), `x` and `y`
    broadcast together numpy-style. `x` and `y` have the same element type.
  }];
  let arguments = (ins NN_BoolTensor:$cond, NN_Tensor:$x, NN_Tensor:$y);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = [{
    $cond `,` $x `,` $y attr-dict `:` functional-type(operands, results)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Comparisons and logic (numpy broadcasting, i1 results)
//===----------------------------------------------------------------------===//

/// An elementwise comparison with multidirectional (numpy) broadcasting. Both
/// operands have the same element type; the result is i1.
class NN_CompareOp<string mnemonic, Type operandType, list<Trait> traits = []>
    : NN_ShapeOp<mnemonic, traits> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs NN_BoolTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_EqualOp : NN_CompareOp<"equal", NN_Tensor, [Commutative]> {
  let summary = "elementwise lhs == rhs with broadcasting (ONNX Equal)";
}
def NN_LessOp : NN_CompareOp<"less", NN_NumericTensor> {
  let summary = "elementwise lhs < rhs with broadcasting (ONNX Less)";
}
def NN_LessOrEqualOp : NN_CompareOp<"less_or_equal", NN_NumericTensor> {
  let summary = "elementwise lhs <= rhs with broadcasting (ONNX LessOrEqual)";
}
def NN_GreaterOp : NN_CompareOp<"greater", NN_NumericTensor> {
  let summary = "elementwise lhs > rhs with broadcasting (ONNX Greater)";
}
def NN_GreaterOrEqualOp : NN_CompareOp<"greater_or_equal", NN_NumericTensor> {
  let summary =
      "elementwise lhs >= rhs with broadcasting (ONNX GreaterOrEqual)";
}

def NN_AndOp : NN_BinaryOp<"and", NN_BoolTensor, [Commutative]> {
  let summary = "elementwise logical and with broadcasting (ONNX And)";
}
def NN_OrOp : NN_BinaryOp<"or", NN_BoolTensor, [Commutative]> {
  let summary = "elementwise logical or with broadcasting (ONNX Or)";
}
def NN_XorOp : NN_BinaryOp<"xor", NN_BoolTensor, [Commutative]> {
  let summary = "elementwise logical xor with broadcasting (ONNX Xor)";
}
def NN_NotOp : NN_UnaryOp<"not", NN_BoolTensor> {
  let summary = "elementwise logical negation (ONNX Not)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

def NN_ReluOp : NN_UnaryOp<"relu", NN_NumericTensor> {
  let summary = "rectified linear unit: max(x, 0) (ONNX Relu)";
  let hasFolder = 1;
}

def NN_LeakyReluOp : NN_UnaryOp<"leaky_relu", NN_FloatTensor> {
  let summary = "x >= 0 ? x : alpha * x (ONNX LeakyRelu)";
  let description = [{
    Attributes:
    - `alpha` (f32, default 0.01): slope for negative inputs.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<F32Attr, "0.01f">:$alpha);
}

def NN_ClipOp : NN_UnaryOp<"clip", NN_NumericTensor> {
  let summary = "clamp to [min, max] (ONNX Clip)";
  let description = [{
    Attributes (ONNX passes them as optional constant inputs):
    - `min` (f32, optional): lower bound; none when absent.
    - `max` (f32, optional): upper bound; none when absent.
    `min <= max` when both are given.
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       OptionalAttr<F32Attr>:$min,
                       OptionalAttr<F32Attr>:$max);
  let hasVerifier = 1;
  let hasFolder = 1;
}

def NN_SigmoidOp : NN_UnaryOp<"sigmoid", NN_FloatTensor> {
  let summary = "logistic function 1 / (1 + exp(-x)) (ONNX Sigmoid)";
}
def NN_TanhOp : NN_UnaryOp<"tanh", NN_FloatTensor> {
  let summary = "hyperbolic tangent (ONNX Tanh)";
}
def NN_GeluOp : NN_UnaryOp<"gelu", NN_FloatTensor> {
  let summary = "Gaussian error linear unit (ONNX Gelu)";
  let description = [{
    Attributes:
    - `approximate` (string, default "none"): "none" for the exact erf form,
      "tanh" for the tanh approximation.
  }];
  let arguments = (ins NN_FloatTensor:$input,
                       DefaultValuedAttr<StrAttr, "\"none\"">:$approximate);
  let hasVerifier = 1;
}
def NN_ErfOp : NN_UnaryOp<"erf", NN_FloatTensor> {
  let summary = "Gauss error function (ONNX Erf)";
}
def NN_ExpOp : NN_UnaryOp<"exp", NN_FloatTensor> {
  let summary = "natural exponential (ONNX Exp)";
}
def NN_LogOp : NN_UnaryOp<"log", NN_FloatTensor> {
  let summary = "natural logarithm (ONNX Log)";
}
def NN_SqrtOp : NN_UnaryOp<"sqrt", NN_FloatTensor> {
  let summary = "square root (ONNX Sqrt)";
}
def NN_NegOp : NN_UnaryOp<"neg", NN_NumericTensor> {
  let summary = "negation (ONNX Neg)";
  let hasFolder = 1;
}
def NN_AbsOp : NN_UnaryOp<"abs", NN_NumericTensor> {
  let summary = "absolute value (ONNX Abs)";
  let hasFolder = 1;
}
def NN_ReciprocalOp : NN_UnaryOp<"reciprocal", NN_FloatTensor> {
  let summary = "1 / x (ONNX Reciprocal)";
  let hasFolder = 1;
}
def NN_FloorOp : NN_UnaryOp<"floor", NN_FloatTensor> {
  let summary = "round toward negative infinity (ONNX Floor)";
  let hasFolder = 1;
}
def NN_CeilOp : NN_UnaryOp<"ceil", NN_FloatTensor> {
  let summary = "round toward positive infinity (ONNX Ceil)";
  let hasFolder = 1;
}
def NN_RoundOp : NN_UnaryOp<"round", NN_FloatTensor> {
  let summary = "round to the nearest integer, ties to even (ONNX Round)";
  let hasFolder = 1;
}
def NN_SinOp : NN_UnaryOp<"sin", NN_FloatTensor> {
  let summary = "sine of radians (ONNX Sin)";
}
def NN_CosOp : NN_UnaryOp<"cos", NN_FloatTensor> {
  let summary = "cosine of radians (ONNX Cos)";
}
def NN_TanOp : NN_UnaryOp<"tan", NN_FloatTensor> {
  let summary = "tangent of radians (ONNX Tan)";
}
def NN_AsinOp : NN_UnaryOp<"asin", NN_FloatTensor> {
  let summary = "arcsine, NaN outside [-1, 1] (ONNX Asin)";
}
def NN_AcosOp : NN_UnaryOp<"acos", NN_FloatTensor> {
  let summary = "arccosine, NaN outside [-1, 1] (ONNX Acos)";
}
def NN_AtanOp : NN_UnaryOp<"atan", NN_FloatTensor> {
  let summary = "arctangent (ONNX Atan)";
}
def NN_SignOp : NN_UnaryOp<"sign", NN_NumericTensor> {
  let summary = "-1, 0 or 1 by the sign of x (ONNX Sign)";
  let description = [{
    Zero (of either sign) gives 0; NaN gives NaN.
  }];
  let hasFolder = 1;
}

def NN_SoftmaxOp : NN_UnaryOp<"softmax", NN_FloatTensor> {
  let summary = "softmax along one axis (ONNX Softmax, opset 13)";
  let description = [{
    Attributes:
    - `axis` (i64, required, non-negative, < rank): the normalized axis.
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let hasVerifier = 1;
}
def NN_LogSoftmaxOp : NN_UnaryOp<"log_softmax", NN_FloatTensor> {
  let summary = "log of softmax along one axis (ONNX LogSoftmax, opset 13)";
  let description = [{
    Attributes:
    - `axis` (i64, required, non-negative, < rank): the normalized axis.
  }];
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis);
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class NN_ReduceOp<string mnemonic, Type operandType>
    : NN_ShapeOp<mnemonic> {
  let description = [{
    Attributes:
    - `axes` (i64 array, default empty): distinct non-negative axes < rank to
      reduce; empty reduces every axis.
    - `keepdims` (bool, default true): keep reduced axes as size 1.
  }];
  let arguments = (ins operandType:$input,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs operandType:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ReduceSumOp : NN_ReduceOp<"reduce_sum", NN_NumericTensor> {
  let summary = "sum over axes (ONNX ReduceSum)";
}
def NN_ReduceMeanOp : NN_ReduceOp<"reduce_mean", NN_NumericTensor> {
  let summary = "mean over axes (ONNX ReduceMean)";
}
def NN_ReduceMaxOp : NN_ReduceOp<"reduce_max", NN_NumericTensor> {
  let summary = "maximum over axes (ONNX ReduceMax)";
}
def NN_ReduceMinOp : NN_ReduceOp<"reduce_min", NN_NumericTensor> {
  let summary = "minimum over axes (ONNX ReduceMin)";
}
def NN_ReduceProdOp : NN_ReduceOp<"reduce_prod", NN_NumericTensor> {
  let summary = "product over axes (ONNX ReduceProd)";
}

/// Index of the maximum / minimum along one axis.
class NN_ArgReduceOp<string mnemonic> : NN_ShapeOp<mnemonic> {
  let description = [{
    The result holds i64 indices along `axis`; ties give the first index, or
    the last one with `select_last_index`.

    Attributes:
    - `axis` (i64, default 0, non-negative, < rank).
    - `keepdims` (bool, default true): keep `axis` as size 1.
    - `select_last_index` (bool, default false).
  }];
  let arguments = (ins NN_NumericTensor:$input,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs StaticShapeTensorOf<[I64]>:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
}
def NN_ArgMaxOp : NN_ArgReduceOp<"arg_max"> {
  let summary = "index of the maximum along an axis (ONNX ArgMax)";
}
def NN_ArgMinOp : NN_ArgReduceOp<"arg_min"> {
  let summary = "index of the minimum along an axis (ONNX ArgMin)";
}

//===----------------------------------------------------------------------===//
// Data movement and shape ops
//===----------------------------------------------------------------------===//

def NN_TransposeOp : NN_ShapeOp<"transpose"> {
  let summary = "permute dimensions (ONNX Transpose)";
  let description = [{
    `output.shape[i] = input.shape[perm[i]]`. Canonicalization turns a
    transpose that only moves size-1 dimensions into an `nn.reshape`.

    Attributes:
    - `perm` (i64 array, required): a permutation of `[0, rank)` (the
      importer fills in ONNX's default reversal).
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_ReshapeOp : NN_ShapeOp<"reshape"> {
  let summary = "change shape, keep elements in row-major order (ONNX Reshape)";
  let description = [{
    Attributes:
    - `shape` (i64 array, required): the result shape, fully resolved (no
      `-1` or `0` placeholders), with the input's element count.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_FlattenOp : NN_ShapeOp<"flatten"> {
  let summary = "reshape to 2-D around an axis (ONNX Flatten)";
  let description = [{
    `[d0..d(axis-1)] x [d(axis)..dn]` products give the 2-D result shape.
    Canonicalization rewrites it to the equivalent `nn.reshape`, so that
    later passes see one reshaping op.

    Attributes:
    - `axis` (i64, default 1, in `[0, rank]`).
  }];
  let arguments = (ins NN_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def NN_ConcatOp : NN_ShapeOp<"concat"> {
  let summary = "concatenate along an axis (ONNX Concat)";
  let description = [{
    All inputs have the same rank, element type and sizes except along `axis`.

    Attributes:
    - `axis` (i64, required, non-negative, < rank).
  }];
  let arguments = (ins Variadic<NN_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def NN_SplitOp : NN_ShapeOp<"split"> {
  let summary = "split along an axis into pieces (ONNX Split)";
  let description = [{
    One result per entry of `sizes`.

    Attributes:
    - `axis` (i64, default 0, non-negative, < rank).
    - `sizes` (i64 array, required): non-negative sizes summing to the
      input's size along `axis`.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<NN_Tensor>:$outputs);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($outputs)";
  let hasFolder = 1;
}

def NN_SliceOp : NN_ShapeOp<"slice"> {
  let summary = "strided slice (ONNX Slice)";
  let description = [{
    For each listed axis `a`, takes `start, start+step, ...` while before
    `end` (after it for negative steps). Bounds are normalized by the importer:
    for a positive step `0 <= start <= end <= dim`; for a negative step
    `-1 <= end <= start <= dim-1`, with `end = -1` meaning "through index 0".

    Attributes:
    - `starts`, `ends` (i64 arrays, required, same length).
    - `axes` (i64 array, default `[0, len(starts))`): distinct, < rank.
    - `steps` (i64 array, default all 1): non-zero.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$axes,
                       DefaultValuedOptionalAttr<DenseI64ArrayAttr, "{}">:$steps);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_GatherOp : NN_ShapeOp<"gather"> {
  let summary = "gather slices along an axis (ONNX Gather, embeddings)";
  let description = [{
    The result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`. Negative
    indices count from the end, as in ONNX.

    Attributes:
    - `axis` (i64, default 0, non-negative, < rank of `data`).
  }];
  let arguments = (ins NN_Tensor:$data, NN_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_ExpandOp : NN_ShapeOp<"expand"> {
  let summary = "broadcast to a shape (ONNX Expand)";
  let description = [{
    The result shape is the numpy broadcast of the input shape and `shape`
    (so `shape` may be smaller than the input in places, as ONNX allows).

    Attributes:
    - `shape` (i64 array, required): positive sizes.
  }];
  let arguments = (ins NN_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_PadOp : NN_ShapeOp<"pad"> {
  let summary = "pad a tensor (ONNX Pad)";
  let description = [{
    Attributes:
    - `pads` (i64 array, required, `[b1..bn, e1..en]`): elements added before
      and after each axis; negative values crop, but no dimension may become
      negative.
    - `mode` (string, default "constant"): "constant", "reflect" or "edge".
      "reflect" needs pads smaller than the dimension; "edge" needs a
      non-empty dimension where it pads.
    - `value` (f32, default 0.0): the fill value of "constant" mode.
  }];
  let arguments = (ins NN_Tensor:$input,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<StrAttr, "\"constant\"">:$mode,
                       DefaultValuedAttr<F32Attr, "0.0f">:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def NN_CastOp : NN_Op<"cast", [Pure, SameOperandsAndResultShape]> {
  let summary = "convert element type (ONNX Cast)";
  let description = [{
    The result type carries the target element type; the shape is unchanged.
    Float to integer truncates toward zero; to i1 is `x != 0`.
  }];
  let arguments = (ins NN_Tensor:$input);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `to` type($output)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def NN_ConstantOp : NN_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>,
     DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "a constant tensor (ONNX Constant / initializers)";
  let description = [{
    `value` is a dense elements attribute, or a `dense_resource` blob for
    weights (which prints elided and is never expanded by folders). The
    result type is the value's type.

    ```mlir
    %w = nn.constant dense_resource<conv1_w> : tensor<64x3x7x7xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs NN_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

#endif // NPU_DIALECT_NN_IR_NNOPS_TD
