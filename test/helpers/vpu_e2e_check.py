"""End-to-end numerical checks of the VPU and data-movement kernels.

Every case is a small `func.func @main` of nn ops. It is compiled through the
whole pipeline

  npu-opt --npu-set-target=target=T [--nn-decompose] --npu-tile=precision=P
          --npu-place-memory --npu-lower-to-isa
  | npu-translate --serialize-npu ; npu-run --input ... --output ...

and the outputs are compared with numpy: fp32 within rtol 1e-3 / atol 1e-4,
bf16 within a relative L2 error of 2e-2. Shapes are deliberately not
multiples of the VPU lanes or of the tiles, and large enough on npu-tiny to
need several tiles.

Usage: vpu_e2e_check.py [--family F] [--targets npu-tiny,npu-base]
                        [--precisions fp32,bf16] [--case NAME] [--keep DIR]
Prints one line per (case, target, precision) and "all N runs passed" or
"FAILED: k of N runs"; the exit code is 0 only when everything passed.
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

RNG = np.random.default_rng(0)


def tensor_type(shape, dtype="f32"):
    dims = "x".join(str(d) for d in shape)
    return f"tensor<{dims}x{dtype}>" if shape else f"tensor<{dtype}>"


def arr(values):
    return ", ".join(str(v) for v in values)


class Case:
    """A function of nn ops with numpy inputs and a numpy reference."""

    def __init__(self, name, family, inputs, body, outputs, reference,
                 decompose=False, input_dtypes=None, tolerance=None):
        self.name = name
        self.family = family
        self.inputs = inputs            # list of (name, np.ndarray)
        self.body = body                # MLIR lines using %a0, %a1, ...
        self.outputs = outputs          # list of (name, ssa, shape, dtype)
        self.reference = reference      # fn(*arrays) -> list of arrays
        self.decompose = decompose
        self.input_dtypes = input_dtypes or ["f32"] * len(inputs)
        self.tolerance = tolerance or {}

    def mlir(self):
        args = ", ".join(
            f"%a{i}: {tensor_type(a.shape, t)} {{nn.name = \"{n}\"}}"
            for i, ((n, a), t) in enumerate(zip(self.inputs, self.input_dtypes)))
        results = ", ".join(
            f"{tensor_type(shape, dt)} {{nn.name = \"{n}\"}}"
            for n, _, shape, dt in self.outputs)
        ret_values = ", ".join(ssa for _, ssa, _, _ in self.outputs)
        ret_types = ", ".join(tensor_type(shape, dt)
                              for _, _, shape, dt in self.outputs)
        lines = [f"func.func @main({args}) -> ({results}) {{"]
        lines += ["  " + line for line in self.body]
        lines.append(f"  return {ret_values} : {ret_types}")
        lines.append("}")
        return "\n".join(lines) + "\n"


def rand(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


def unary_case(name, op, fn, shape, attrs="", low=-3.0, high=3.0):
    x = rand(*shape, low=low, high=high)
    t = tensor_type(shape)
    attr_text = f" {{{attrs}}}" if attrs else ""
    return Case(name, "unary", [("x", x)],
                [f"%r = nn.{op} %a0{attr_text} : {t}"],
                [("y", "%r", shape, "f32")], lambda x: [fn(x)])


def binary_case(name, op, fn, lshape, rshape, oshape, family="binary",
                low=-2.0, high=2.0, out_dtype="f32"):
    a = rand(*lshape, low=low, high=high)
    b = rand(*rshape, low=low, high=high)
    body = [f"%r = nn.{op} %a0, %a1 : ({tensor_type(lshape)}, "
            f"{tensor_type(rshape)}) -> {tensor_type(oshape, out_dtype)}"]
    outputs = [("y", "%r", oshape, out_dtype)]
    if out_dtype == "i1":
        # Booleans leave the chip as 0.0/1.0 floats through a cast.
        body.append(f"%f = nn.cast %r : {tensor_type(oshape, 'i1')} to "
                    f"{tensor_type(oshape)}")
        outputs = [("y", "%f", oshape, "f32")]
        return Case(name, family, [("a", a), ("b", b)], body, outputs,
                    lambda a, b: [fn(a, b).astype(np.float32)])
    return Case(name, family, [("a", a), ("b", b)], body, outputs,
                lambda a, b: [fn(a, b)])


def erf(x):
    return np.vectorize(math.erf)(x.astype(np.float64))


def gelu(x):
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype(np.float64)))


def reduce_case(name, op, fn, shape, axes, keepdims=True, low=-2.0, high=2.0):
    x = rand(*shape, low=low, high=high)
    ref = fn(x.astype(np.float64), axis=tuple(axes) if axes else None,
             keepdims=keepdims)
    oshape = list(np.shape(ref))
    keep = "true" if keepdims else "false"
    axes_attr = f"axes = array<i64: {arr(axes)}>, " if axes else ""
    return Case(name, "reduce", [("x", x)],
                [f"%r = nn.{op} %a0 {{{axes_attr}keepdims = {keep}}} : "
                 f"({tensor_type(shape)}) -> {tensor_type(oshape)}"],
                [("y", "%r", oshape, "f32")],
                lambda x: [fn(x.astype(np.float64),
                              axis=tuple(axes) if axes else None,
                              keepdims=keepdims)])


def pool_reference(x, kernel, strides, pads, is_max, count_include_pad,
                   oshape):
    """Pooling in float64, one strided slice per kernel position."""
    n, c, h, w = x.shape
    oh, ow = oshape[2], oshape[3]
    # Padded on both sides, far enough for every window (ceil_mode windows
    # may reach past the declared end padding).
    hp = max(h + pads[0] + pads[2], (oh - 1) * strides[0] + kernel[0])
    wp = max(w + pads[1] + pads[3], (ow - 1) * strides[1] + kernel[1])
    fill = -np.inf if is_max else 0.0
    xp = np.full((n, c, hp, wp), fill)
    xp[:, :, pads[0]:pads[0] + h, pads[1]:pads[1] + w] = x
    # Which padded positions an average counts.
    counted = np.zeros((hp, wp))
    if count_include_pad:
        counted[:h + pads[0] + pads[2], :w + pads[1] + pads[3]] = 1
    else:
        counted[pads[0]:pads[0] + h, pads[1]:pads[1] + w] = 1
    out = np.full((n, c, oh, ow), fill)
    count = np.zeros((oh, ow))
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            rows = slice(i, i + (oh - 1) * strides[0] + 1, strides[0])
            cols = slice(j, j + (ow - 1) * strides[1] + 1, strides[1])
            window = xp[:, :, rows, cols]
            out = np.maximum(out, window) if is_max else out + window
            count += counted[rows, cols]
    return out if is_max else out / count


def pool_case(name, is_max, shape, kernel, strides, pads, ceil_mode=False,
              count_include_pad=False):
    n, c, h, w = shape
    def size(d, k, s, pb, pe):
        span = d + pb + pe - k
        o = (-(-span // s) if ceil_mode else span // s) + 1
        if ceil_mode and (o - 1) * s >= d + pb:
            o -= 1
        return o
    oshape = [n, c, size(h, kernel[0], strides[0], pads[0], pads[2]),
              size(w, kernel[1], strides[1], pads[1], pads[3])]
    x = rand(*shape)
    op = "max_pool" if is_max else "avg_pool"
    attrs = (f"kernel_shape = array<i64: {arr(kernel)}>, "
             f"strides = array<i64: {arr(strides)}>, "
             f"pads = array<i64: {arr(pads)}>")
    if ceil_mode:
        attrs += ", ceil_mode = true"
    if count_include_pad:
        attrs += ", count_include_pad = true"
    return Case(name, "pool", [("x", x)],
                [f"%r = nn.{op} %a0 {{{attrs}}} : ({tensor_type(shape)}) -> "
                 f"{tensor_type(oshape)}"],
                [("y", "%r", oshape, "f32")],
                lambda x: [pool_reference(x.astype(np.float64), kernel,
                                          strides, pads, is_max,
                                          count_include_pad, oshape)])


def pool3d_case(name, is_max, shape, kernel, strides, pads, dilations,
                count_include_pad=False):
    """3-D pooling with an N-d reference (pads: begins then ends), through
    nn-decompose (two 2-D pools)."""
    x = rand(*shape)
    spatial = shape[2:]
    oshape = shape[:2] + [
        (spatial[i] + pads[i] + pads[i + 3] - dilations[i] *
         (kernel[i] - 1) - 1) // strides[i] + 1 for i in range(3)]

    def reference(x):
        out = np.zeros(oshape)
        for o in np.ndindex(*oshape[2:]):
            values, count = [], 0
            for k in np.ndindex(*kernel):
                at = [o[i] * strides[i] + k[i] * dilations[i] - pads[i]
                      for i in range(3)]
                inside = all(0 <= at[i] < spatial[i] for i in range(3))
                padded = all(-pads[i] <= at[i] < spatial[i] + pads[i + 3]
                             for i in range(3))
                if inside:
                    values.append(x[:, :, at[0], at[1], at[2]])
                count += inside or (count_include_pad and padded)
            stack = np.stack(values).astype(np.float64)
            out[(slice(None), slice(None)) + o] = (
                stack.max(axis=0) if is_max else stack.sum(axis=0) / count)
        return [out]

    op = "max_pool" if is_max else "avg_pool"
    attrs = (f"kernel_shape = array<i64: {arr(kernel)}>, "
             f"strides = array<i64: {arr(strides)}>, "
             f"pads = array<i64: {arr(pads)}>")
    if dilations != [1, 1, 1]:
        attrs += f", dilations = array<i64: {arr(dilations)}>"
    if count_include_pad:
        attrs += ", count_include_pad = true"
    return Case(name, "pool", [("x", x)],
                [f"%r = nn.{op} %a0 {{{attrs}}} : ({tensor_type(shape)}) -> "
                 f"{tensor_type(oshape)}"],
                [("y", "%r", oshape, "f32")], reference, decompose=True)


def cases():
    result = []
    # --- binary with numpy broadcasting -------------------------------
    result += [
        binary_case("add_full", "add", np.add, [300, 257], [300, 257],
                    [300, 257]),
        binary_case("add_row", "add", np.add, [3, 5, 37], [37], [3, 5, 37]),
        binary_case("sub_col", "sub", np.subtract, [33, 70], [33, 1],
                    [33, 70]),
        binary_case("sub_lhs_bcast", "sub", np.subtract, [1, 130], [65, 130],
                    [65, 130]),
        binary_case("mul_mixed", "mul", np.multiply, [2, 3, 17, 9],
                    [2, 1, 17, 1], [2, 3, 17, 9]),
        binary_case("mul_outer", "mul", np.multiply, [19, 1], [1, 23],
                    [19, 23]),
        binary_case("div_row", "div", np.divide, [5, 129], [1, 129], [5, 129],
                    low=0.5, high=2.0),
        binary_case("div_full", "div", np.divide, [7, 61], [7, 61], [7, 61],
                    low=0.5, high=2.0),
        binary_case("max_scalar_tensor", "max", np.maximum, [], [11, 13],
                    [11, 13]),
        binary_case("min_bcast", "min", np.minimum, [4, 1, 6], [5, 1],
                    [4, 5, 6]),
        binary_case("pow_full", "pow", np.power, [9, 31], [9, 31], [9, 31],
                    low=0.5, high=2.0),
    ]
    x = rand(40, 77)
    result.append(Case(
        "pow_square_const", "binary", [("x", x)],
        ["%c = nn.constant dense<2.0> : tensor<f32>",
         f"%r = nn.pow %a0, %c : ({tensor_type([40, 77])}, tensor<f32>) -> "
         f"{tensor_type([40, 77])}"],
        [("y", "%r", [40, 77], "f32")], lambda x: [x.astype(np.float64) ** 2]))
    result.append(Case(
        "div_scalar_const", "binary", [("x", x)],
        ["%c = nn.constant dense<1.41421354> : tensor<f32>",
         f"%r = nn.div %a0, %c : ({tensor_type([40, 77])}, tensor<f32>) -> "
         f"{tensor_type([40, 77])}",
         "%one = nn.constant dense<1.0> : tensor<f32>",
         f"%s = nn.sub %one, %r : (tensor<f32>, {tensor_type([40, 77])}) -> "
         f"{tensor_type([40, 77])}"],
        [("y", "%s", [40, 77], "f32")],
        lambda x: [1.0 - x.astype(np.float64) / np.float32(1.41421354)]))
    # --- comparisons, logic, where -------------------------------------
    result += [
        binary_case("less", "less", np.less, [6, 35], [6, 35], [6, 35],
                    family="compare", out_dtype="i1"),
        binary_case("greater_row", "greater", np.greater, [6, 35], [35],
                    [6, 35], family="compare", out_dtype="i1"),
        binary_case("greater_equal_lhs_bcast", "greater_or_equal",
                    np.greater_equal, [35], [6, 35], [6, 35],
                    family="compare", out_dtype="i1"),
        binary_case("less_equal_col", "less_or_equal", np.less_equal,
                    [6, 35], [6, 1], [6, 35], family="compare",
                    out_dtype="i1"),
    ]
    a = np.round(rand(12, 40)).astype(np.float32)
    b = np.round(rand(12, 40)).astype(np.float32)
    t = tensor_type([12, 40])
    ti1 = tensor_type([12, 40], "i1")
    result.append(Case(
        "equal_logic_where", "compare", [("a", a), ("b", b)],
        [f"%eq = nn.equal %a0, %a1 : ({t}, {t}) -> {ti1}",
         f"%lt = nn.less %a0, %a1 : ({t}, {t}) -> {ti1}",
         f"%gt = nn.greater %a0, %a1 : ({t}, {t}) -> {ti1}",
         f"%or = nn.or %eq, %lt : ({ti1}, {ti1}) -> {ti1}",
         f"%and = nn.and %or, %gt : ({ti1}, {ti1}) -> {ti1}",
         f"%xor = nn.xor %lt, %gt : ({ti1}, {ti1}) -> {ti1}",
         f"%not = nn.not %xor : {ti1}",
         f"%w = nn.where %not, %a0, %a1 : ({ti1}, {t}, {t}) -> {t}",
         f"%f = nn.cast %and : {ti1} to {t}",
         f"%s = nn.add %w, %f : ({t}, {t}) -> {t}"],
        [("y", "%s", [12, 40], "f32")],
        lambda a, b: [np.where(~((a < b) ^ (a > b)), a, b) +
                      (((a == b) | (a < b)) & (a > b)).astype(np.float32)]))
    # GPT-style causal mask: where(mask[1,1,S,S], -inf, scores) + softmax.
    s = rand(1, 4, 16, 16)
    mask = np.triu(np.ones((16, 16), dtype=bool), 1)
    mask_text = ", ".join(
        "[" + ", ".join("true" if m else "false" for m in row) + "]"
        for row in mask)
    ts = tensor_type([1, 4, 16, 16])
    result.append(Case(
        "masked_softmax", "compare", [("s", s)],
        [f"%m = nn.constant dense<[[[{mask_text}]]]> : "
         f"{tensor_type([1, 1, 16, 16], 'i1')}",
         "%ninf = nn.constant dense<0xFF800000> : tensor<f32>",
         f"%w = nn.where %m, %ninf, %a0 : ({tensor_type([1, 1, 16, 16], 'i1')}"
         f", tensor<f32>, {ts}) -> {ts}",
         f"%r = nn.softmax %w {{axis = 3 : i64}} : {ts}"],
        [("y", "%r", [1, 4, 16, 16], "f32")],
        lambda s: [softmax(np.where(mask, -np.inf, s.astype(np.float64)), 3)],
        decompose=True))
    # --- unary ----------------------------------------------------------
    shape = [37, 300]
    result += [
        unary_case("relu", "relu", lambda x: np.maximum(x, 0), shape),
        unary_case("leaky_relu", "leaky_relu",
                   lambda x: np.where(x < 0, np.float32(0.1) * x, x), shape,
                   "alpha = 0.1 : f32"),
        unary_case("clip", "clip", lambda x: np.clip(x, 0.0, 6.0), shape,
                   "min = 0.0 : f32, max = 6.0 : f32", low=-3, high=9),
        unary_case("clip_min_only", "clip", lambda x: np.maximum(x, -1.0),
                   [5, 7], "min = -1.0 : f32"),
        unary_case("sigmoid", "sigmoid", sigmoid, shape),
        unary_case("tanh", "tanh", np.tanh, shape),
        unary_case("gelu", "gelu", gelu, shape),
        unary_case("erf", "erf", erf, shape),
        unary_case("exp", "exp", np.exp, shape),
        unary_case("log", "log", np.log, shape, low=0.1, high=5.0),
        unary_case("sqrt", "sqrt", np.sqrt, shape, low=0.0, high=5.0),
        unary_case("neg", "neg", np.negative, [1001]),
        unary_case("abs", "abs", np.abs, [3, 1, 129]),
        unary_case("reciprocal", "reciprocal", lambda x: 1.0 / x, shape,
                   low=0.5, high=3.0),
        # Halves included: the rounding functions differ exactly there.
        unary_case("floor", "floor", np.floor, [9, 70], low=-6, high=6),
        unary_case("ceil", "ceil", np.ceil, [9, 70], low=-6, high=6),
        unary_case("round", "round", np.round, [9, 70], low=-6, high=6),
        unary_case("sign", "sign", np.sign, [9, 70]),
        unary_case("sin", "sin", np.sin, [9, 70], low=-6, high=6),
        unary_case("cos", "cos", np.cos, [9, 70], low=-6, high=6),
        unary_case("tan", "tan", np.tan, [9, 70], low=-1.2, high=1.2),
        unary_case("asin", "asin", np.arcsin, [9, 70], low=-1, high=1),
        unary_case("acos", "acos", np.arccos, [9, 70], low=-1, high=1),
        unary_case("atan", "atan", np.arctan, [9, 70], low=-9, high=9),
    ]
    for case in result[-10:-6]:
        x = case.inputs[0][1]
        x.flat[::3] = np.round(x.flat[::3] * 2) / 2
    x = rand(70, 333)
    t = tensor_type([70, 333])
    result.append(Case(
        "fused_chain", "unary", [("x", x), ("b", rand(333))],
        [f"%0 = nn.abs %a0 : {t}",
         f"%1 = nn.neg %0 : {t}",
         f"%2 = nn.add %1, %a1 : ({t}, {tensor_type([333])}) -> {t}",
         f"%3 = nn.exp %2 : {t}",
         f"%4 = nn.relu %3 : {t}"],
        [("y", "%4", [70, 333], "f32")],
        lambda x, b: [np.maximum(np.exp(-np.abs(x.astype(np.float64)) + b),
                                 0)]))
    # An Adam update: one group of elementwise ops with three stored
    # results (m' and v' are also read inside the group), g read by three
    # ops and loaded once.
    w, g, m = rand(70, 333), rand(70, 333), rand(70, 333)
    v = rand(70, 333, low=0.1, high=1.0)

    def adam(w, g, m, v):
        w, g, m, v = (a.astype(np.float64) for a in (w, g, m, v))
        m2 = m + (g - m) * np.float32(0.1)
        v2 = v + (g * g - v) * np.float32(0.001)
        return [w - m2 * np.float32(0.01) / (np.sqrt(v2) + np.float32(1e-7)),
                m2, v2]
    scalar = tensor_type([])
    result.append(Case(
        "fused_group_adam", "unary",
        [("w", w), ("g", g), ("m", m), ("v", v)],
        [f"%c1 = nn.constant dense<0.1> : {scalar}",
         f"%c2 = nn.constant dense<0.001> : {scalar}",
         f"%lr = nn.constant dense<0.01> : {scalar}",
         f"%eps = nn.constant dense<1.0e-7> : {scalar}",
         f"%0 = nn.sub %a1, %a2 : ({t}, {t}) -> {t}",
         f"%1 = nn.mul %0, %c1 : ({t}, {scalar}) -> {t}",
         f"%m2 = nn.add %a2, %1 : ({t}, {t}) -> {t}",
         f"%2 = nn.mul %a1, %a1 : ({t}, {t}) -> {t}",
         f"%3 = nn.sub %2, %a3 : ({t}, {t}) -> {t}",
         f"%4 = nn.mul %3, %c2 : ({t}, {scalar}) -> {t}",
         f"%v2 = nn.add %a3, %4 : ({t}, {t}) -> {t}",
         f"%5 = nn.sqrt %v2 : {t}",
         f"%6 = nn.add %5, %eps : ({t}, {scalar}) -> {t}",
         f"%7 = nn.mul %m2, %lr : ({t}, {scalar}) -> {t}",
         f"%8 = nn.div %7, %6 : ({t}, {t}) -> {t}",
         f"%w2 = nn.sub %a0, %8 : ({t}, {t}) -> {t}"],
        [("w2", "%w2", [70, 333], "f32"), ("m2", "%m2", [70, 333], "f32"),
         ("v2", "%v2", [70, 333], "f32")],
        adam))
    # --- reductions -----------------------------------------------------
    result += [
        reduce_case("reduce_sum_inner", "reduce_sum", np.sum, [30, 257], [1]),
        reduce_case("reduce_sum_outer", "reduce_sum", np.sum, [257, 30], [0]),
        reduce_case("reduce_mean_hw", "reduce_mean", np.mean, [2, 19, 7, 9],
                    [2, 3]),
        reduce_case("reduce_max_mixed", "reduce_max", np.max, [5, 6, 7, 8],
                    [0, 2]),
        reduce_case("reduce_min_all", "reduce_min", np.min, [33, 65], [],
                    keepdims=False),
        reduce_case("reduce_sum_big", "reduce_sum", np.sum, [3, 100000], [1],
                    low=0.0, high=1.0),
        reduce_case("reduce_prod_mixed", "reduce_prod", np.prod, [3, 4, 5, 6],
                    [1, 3], low=0.5, high=1.5),
    ]
    # Integer reductions are exact (int32 wrap-around).
    xi = RNG.integers(-(1 << 20), 1 << 20, size=(6, 40, 7)).astype(np.int32)
    ti = tensor_type([6, 40, 7], "i32")
    result.append(Case(
        "reduce_int", "reduce", [("x", xi)],
        [f"%s = nn.reduce_sum %a0 {{axes = array<i64: 1>}} : ({ti}) -> "
         f"{tensor_type([6, 1, 7], 'i32')}",
         f"%m = nn.reduce_max %a0 {{axes = array<i64: 0, 2>, keepdims = false}}"
         f" : ({ti}) -> {tensor_type([40], 'i32')}",
         f"%p = nn.reduce_prod %a0 {{axes = array<i64: 2>}} : ({ti}) -> "
         f"{tensor_type([6, 40, 1], 'i32')}"],
        [("s", "%s", [6, 1, 7], "i32"), ("m", "%m", [40], "i32"),
         ("p", "%p", [6, 40, 1], "i32")],
        lambda x: [x.astype(np.int64).sum(axis=1, keepdims=True),
                   x.max(axis=(0, 2)),
                   np.prod(x, axis=2, keepdims=True, dtype=np.int32)],
        input_dtypes=["i32"]))
    # arg_max / arg_min: ties, NaN (numpy: the first NaN wins), the last
    # index, inner axes, integers.
    x = np.round(rand(5, 9, 4) * 2).astype(np.float32)
    x[0, 3, 1] = np.nan
    x[0, 6, 1] = np.nan
    tx = tensor_type([5, 9, 4])

    def arg(fn, x, axis, last=False):
        if not last:
            return fn(x, axis=axis).astype(np.int64)
        flipped = np.flip(x, axis=axis)
        return x.shape[axis] - 1 - fn(flipped, axis=axis)

    result.append(Case(
        "arg_max_min", "reduce", [("x", x)],
        [f"%a = nn.arg_max %a0 {{axis = 1 : i64, keepdims = false}} : ({tx})"
         f" -> {tensor_type([5, 4], 'i64')}",
         f"%b = nn.arg_min %a0 {{axis = 2 : i64}} : ({tx}) -> "
         f"{tensor_type([5, 9, 1], 'i64')}",
         f"%c = nn.arg_max %a0 {{axis = 0 : i64, select_last_index = true}} :"
         f" ({tx}) -> {tensor_type([1, 9, 4], 'i64')}"],
        [("a", "%a", [5, 4], "i64"), ("b", "%b", [5, 9, 1], "i64"),
         ("c", "%c", [1, 9, 4], "i64")],
        lambda x: [arg(np.argmax, x, 1),
                   arg(np.argmin, x, 2)[:, :, None],
                   arg(np.argmax, x, 0, last=True)[None]]))
    xi = RNG.integers(-5, 5, size=(300, 37)).astype(np.int32)
    result.append(Case(
        "arg_min_int_last_index", "reduce", [("x", xi)],
        [f"%a = nn.arg_min %a0 {{axis = 1 : i64, select_last_index = true}} :"
         f" ({tensor_type([300, 37], 'i32')}) -> "
         f"{tensor_type([300, 1], 'i64')}"],
        [("a", "%a", [300, 1], "i64")],
        lambda x: [arg(np.argmin, x, 1, last=True)[:, None]],
        input_dtypes=["i32"]))
    x = rand(2, 19, 7, 9)
    result.append(Case(
        "global_avg_pool", "reduce", [("x", x)],
        [f"%r = nn.global_avg_pool %a0 : ({tensor_type([2, 19, 7, 9])}) -> "
         f"{tensor_type([2, 19, 1, 1])}"],
        [("y", "%r", [2, 19, 1, 1], "f32")],
        lambda x: [x.astype(np.float64).mean(axis=(2, 3), keepdims=True)]))
    x = rand(1, 16, 64)
    tl = tensor_type([1, 16, 64])
    g, bb = rand(64), rand(64)
    result.append(Case(
        "layer_norm", "reduce", [("x", x), ("g", g), ("b", bb)],
        [f"%r = nn.layer_norm %a0, %a1, %a2 {{axis = 2 : i64}} : ({tl}, "
         f"{tensor_type([64])}, {tensor_type([64])}) -> {tl}"],
        [("y", "%r", [1, 16, 64], "f32")],
        lambda x, g, b: [layer_norm(x, g, b)], decompose=True))
    # Row groups over several tiles: softmax and layer_norm on npu-tiny.
    x = rand(300, 257, low=-4, high=4)
    result.append(Case(
        "softmax_tiled", "reduce", [("x", x)],
        [f"%r = nn.softmax %a0 {{axis = 1 : i64}} : {tensor_type([300, 257])}"],
        [("y", "%r", [300, 257], "f32")],
        lambda x: [softmax(x.astype(np.float64), 1)], decompose=True))
    x = rand(2, 100, 130)
    tl = tensor_type([2, 100, 130])
    g, bb = rand(130), rand(130)
    result.append(Case(
        "layer_norm_tiled", "reduce", [("x", x), ("g", g), ("b", bb)],
        [f"%r = nn.layer_norm %a0, %a1, %a2 {{axis = 2 : i64}} : ({tl}, "
         f"{tensor_type([130])}, {tensor_type([130])}) -> {tl}",
         f"%s = nn.reduce_max %r {{axes = array<i64: 2>}} : ({tl}) -> "
         f"{tensor_type([2, 100, 1])}",
         f"%t = nn.mul %s, %s : ({tensor_type([2, 100, 1])}, "
         f"{tensor_type([2, 100, 1])}) -> {tensor_type([2, 100, 1])}"],
        [("y", "%r", [2, 100, 130], "f32"), ("m", "%t", [2, 100, 1], "f32")],
        lambda x, g, b: [layer_norm(x, g, b),
                         layer_norm(x, g, b).max(axis=2, keepdims=True) ** 2],
        decompose=True))
    # --- pooling --------------------------------------------------------
    result += [
        pool_case("max_pool_3x3s2", True, [1, 5, 17, 19], [3, 3], [2, 2],
                  [1, 1, 1, 1]),
        pool_case("max_pool_2x2", True, [2, 3, 8, 10], [2, 2], [2, 2],
                  [0, 0, 0, 0]),
        pool_case("max_pool_ceil", True, [1, 3, 10, 11], [3, 3], [2, 2],
                  [0, 0, 0, 0], ceil_mode=True),
        pool_case("avg_pool_exclude_pad", False, [1, 4, 13, 9], [3, 3],
                  [2, 2], [1, 1, 1, 1]),
        pool_case("avg_pool_include_pad", False, [1, 4, 13, 9], [3, 2],
                  [1, 2], [1, 0, 1, 1], count_include_pad=True),
        pool_case("max_pool_resnet", True, [1, 64, 112, 112], [3, 3],
                  [2, 2], [1, 1, 1, 1]),
        pool3d_case("max_pool_3d_dilated", True, [1, 3, 6, 7, 9], [2, 3, 2],
                    [2, 1, 2], [1, 1, 0, 0, 1, 1], [2, 1, 1]),
        pool3d_case("avg_pool_3d_include_pad", False, [2, 2, 5, 6, 7],
                    [3, 2, 3], [1, 2, 2], [1, 0, 1, 1, 1, 1], [1, 1, 1],
                    count_include_pad=True),
        pool3d_case("avg_pool_3d_exclude_pad", False, [1, 2, 4, 5, 5],
                    [2, 2, 2], [2, 2, 2], [1, 1, 1, 0, 0, 0], [1, 1, 1]),
        # Windows of more than 32 positions: nn-decompose also splits the
        # 2-D pools into a pool along the innermost axis and one along the
        # others.
        pool3d_case("max_pool_3d_separable", True, [1, 3, 7, 12, 30],
                    [2, 5, 7], [2, 2, 3], [1, 2, 3, 0, 1, 2], [2, 1, 3]),
        pool3d_case("avg_pool_separable_exclude_pad", False, [2, 3, 1, 20, 21],
                    [1, 6, 7], [1, 3, 2], [0, 2, 3, 0, 3, 1], [1, 1, 1]),
        pool3d_case("avg_pool_separable_include_pad", False, [1, 2, 1, 19, 23],
                    [1, 9, 5], [1, 2, 4], [0, 4, 2, 0, 3, 2], [1, 2, 1],
                    count_include_pad=True),
    ]
    # --- data movement --------------------------------------------------
    x = rand(2, 3, 5, 7)
    result.append(Case(
        "transpose_0231", "move", [("x", x)],
        [f"%r = nn.transpose %a0 {{perm = array<i64: 0, 2, 3, 1>}} : "
         f"({tensor_type([2, 3, 5, 7])}) -> {tensor_type([2, 5, 7, 3])}"],
        [("y", "%r", [2, 5, 7, 3], "f32")],
        lambda x: [x.transpose(0, 2, 3, 1)]))
    x = rand(3, 4, 5, 6, 7)
    result.append(Case(
        "transpose_rank5", "move", [("x", x)],
        [f"%r = nn.transpose %a0 {{perm = array<i64: 4, 2, 0, 3, 1>}} : "
         f"({tensor_type([3, 4, 5, 6, 7])}) -> "
         f"{tensor_type([7, 5, 3, 6, 4])}"],
        [("y", "%r", [7, 5, 3, 6, 4], "f32")],
        lambda x: [x.transpose(4, 2, 0, 3, 1)]))
    x = rand(300, 260)
    result.append(Case(
        "transpose_big", "move", [("x", x)],
        [f"%r = nn.transpose %a0 {{perm = array<i64: 1, 0>}} : "
         f"({tensor_type([300, 260])}) -> {tensor_type([260, 300])}"],
        [("y", "%r", [260, 300], "f32")], lambda x: [x.T]))
    p, q = rand(2, 3, 5), rand(2, 4, 5)
    result.append(Case(
        "concat", "move", [("p", p), ("q", q)],
        [f"%r = nn.concat %a0, %a1 {{axis = 1 : i64}} : "
         f"({tensor_type([2, 3, 5])}, {tensor_type([2, 4, 5])}) -> "
         f"{tensor_type([2, 7, 5])}"],
        [("y", "%r", [2, 7, 5], "f32")],
        lambda p, q: [np.concatenate([p, q], axis=1)]))
    x = rand(4, 9, 6)
    result.append(Case(
        "split", "move", [("x", x)],
        [f"%r:3 = nn.split %a0 {{axis = 1 : i64, sizes = array<i64: 2, 3, 4>}}"
         f" : {tensor_type([4, 9, 6])} -> {tensor_type([4, 2, 6])}, "
         f"{tensor_type([4, 3, 6])}, {tensor_type([4, 4, 6])}"],
        [("y0", "%r#0", [4, 2, 6], "f32"), ("y1", "%r#1", [4, 3, 6], "f32"),
         ("y2", "%r#2", [4, 4, 6], "f32")],
        lambda x: np.split(x, [2, 5], axis=1)))
    x = rand(10, 12)
    result.append(Case(
        "slice_steps", "move", [("x", x)],
        [f"%r = nn.slice %a0 {{starts = array<i64: 1, 10>, "
         f"ends = array<i64: 9, 1>, axes = array<i64: 0, 1>, "
         f"steps = array<i64: 3, -2>}} : ({tensor_type([10, 12])}) -> "
         f"{tensor_type([3, 5])}"],
        [("y", "%r", [3, 5], "f32")], lambda x: [x[1:9:3, 10:1:-2]]))
    x = rand(2, 3, 5)
    result.append(Case(
        "pad_constant", "move", [("x", x)],
        [f"%r = nn.pad %a0 {{pads = array<i64: 0, 1, -1, 1, 2, 3>, "
         f"value = 1.5 : f32}} : ({tensor_type([2, 3, 5])}) -> "
         f"{tensor_type([3, 6, 7])}"],
        [("y", "%r", [3, 6, 7], "f32")],
        lambda x: [np.pad(x[:, :, 1:], ((0, 1), (1, 2), (0, 3)),
                          constant_values=1.5)]))
    x = rand(2, 3, 5, 6)
    for mode in ("reflect", "edge"):
        result.append(Case(
            f"pad_{mode}", "move", [("x", x)],
            [f"%r = nn.pad %a0 {{pads = array<i64: 0, 1, 2, 3, 1, 0, 4, 2>, "
             f"mode = \"{mode}\"}} : ({tensor_type([2, 3, 5, 6])}) -> "
             f"{tensor_type([3, 4, 11, 11])}"],
            [("y", "%r", [3, 4, 11, 11], "f32")],
            lambda x, mode=mode: [np.pad(
                x, ((0, 1), (1, 0), (2, 4), (3, 2)), mode=mode)]))
    # Rank 1 (the tile's row strides once underflowed an unsigned rank).
    x = rand(37)
    result.append(Case(
        "pad_constant_1d", "move", [("x", x)],
        [f"%r = nn.pad %a0 {{pads = array<i64: 3, 1>}} : "
         f"({tensor_type([37])}) -> {tensor_type([41])}"],
        [("y", "%r", [41], "f32")], lambda x: [np.pad(x, (3, 1))]))
    xi = RNG.integers(-1000, 1000, size=(3, 7)).astype(np.int32)
    result.append(Case(
        "pad_constant_int", "move", [("x", xi)],
        [f"%r = nn.pad %a0 {{pads = array<i64: 1, 0, 0, 2>, value = -9.0 : "
         f"f32}} : ({tensor_type([3, 7], 'i32')}) -> "
         f"{tensor_type([4, 9], 'i32')}"],
        [("y", "%r", [4, 9], "i32")],
        lambda x: [np.pad(x, ((1, 0), (0, 2)), constant_values=-9)],
        input_dtypes=["i32"]))
    x = rand(3, 1, 5)
    result.append(Case(
        "expand", "move", [("x", x)],
        [f"%r = nn.expand %a0 {{shape = array<i64: 2, 3, 4, 5>}} : "
         f"({tensor_type([3, 1, 5])}) -> {tensor_type([2, 3, 4, 5])}"],
        [("y", "%r", [2, 3, 4, 5], "f32")],
        lambda x: [np.broadcast_to(x, (2, 3, 4, 5))]))
    x = rand(6, 7, 5)
    result.append(Case(
        "gather_const", "move", [("x", x)],
        ["%i = nn.constant dense<[4, 5, 6, -7, 2]> : tensor<5xi64>",
         f"%r = nn.gather %a0, %i {{axis = 1 : i64}} : "
         f"({tensor_type([6, 7, 5])}, tensor<5xi64>) -> "
         f"{tensor_type([6, 5, 5])}"],
        [("y", "%r", [6, 5, 5], "f32")],
        lambda x: [x[:, [4, 5, 6, 0, 2], :]]))
    table = rand(130, 70)
    idx = RNG.integers(-130, 130, size=(2, 9)).astype(np.int32)
    result.append(Case(
        "gather_runtime", "move", [("table", table), ("idx", idx)],
        [f"%r = nn.gather %a0, %a1 : ({tensor_type([130, 70])}, "
         f"{tensor_type([2, 9], 'i32')}) -> {tensor_type([2, 9, 70])}"],
        [("y", "%r", [2, 9, 70], "f32")],
        lambda t, i: [t[i]], input_dtypes=["f32", "i32"]))
    x = rand(9, 130)
    t = tensor_type([9, 130])
    result.append(Case(
        "cast_bf16_roundtrip", "move", [("x", x)],
        [f"%b = nn.cast %a0 : {t} to {tensor_type([9, 130], 'bf16')}",
         f"%r = nn.cast %b : {tensor_type([9, 130], 'bf16')} to {t}"],
        [("y", "%r", [9, 130], "f32")], lambda x: [bf16_round(x)]))
    i = RNG.integers(-1000, 1000, size=(5, 33)).astype(np.int32)
    result.append(Case(
        "cast_int_to_float", "move", [("i", i)],
        [f"%r = nn.cast %a0 : {tensor_type([5, 33], 'i32')} to "
         f"{tensor_type([5, 33])}"],
        [("y", "%r", [5, 33], "f32")], lambda i: [i.astype(np.float32)],
        input_dtypes=["i32"]))
    # --- working sets larger than the chip's memories (spilling) ---------
    # npu-tiny has 256 KiB of SRAM and 64 KiB of accumulator; a VPU
    # instruction has at most 65535 columns.
    # Embedding rows too wide for the accumulator (npu-tiny: 20000 f32
    # columns) or for one VPU instruction (70000): gathered a chunk of
    # columns at a time.
    for name, vocab, width, count in [("gather_wide_rows", 7, 20000, (3, 4)),
                                      ("gather_very_wide_rows", 3, 70000,
                                       (2,))]:
        table = rand(vocab, width)
        idx = RNG.integers(-vocab, vocab, size=count).astype(np.int32)
        result.append(Case(
            name, "spill", [("table", table), ("idx", idx)],
            [f"%r = nn.gather %a0, %a1 : ({tensor_type([vocab, width])}, "
             f"{tensor_type(list(count), 'i32')}) -> "
             f"{tensor_type(list(count) + [width])}"],
            [("y", "%r", list(count) + [width], "f32")],
            lambda t, i: [t[i]], input_dtypes=["f32", "i32"]))
    # Softmax / layer_norm rows too long for a row group in SRAM (400 KB
    # and 280 KB per f32 row; also more than 65535 columns): the ops run
    # one by one, intermediates through DRAM, each tiled along the row.
    x = rand(2, 100000, low=-4, high=4)
    result.append(Case(
        "softmax_long_row", "spill", [("x", x)],
        [f"%r = nn.softmax %a0 {{axis = 1 : i64}} : "
         f"{tensor_type([2, 100000])}"],
        [("y", "%r", [2, 100000], "f32")],
        lambda x: [softmax(x.astype(np.float64), 1)], decompose=True))
    x = rand(2, 70000)
    g, bb = rand(70000), rand(70000)
    tl = tensor_type([2, 70000])
    result.append(Case(
        "layer_norm_long_row", "spill", [("x", x), ("g", g), ("b", bb)],
        [f"%r = nn.layer_norm %a0, %a1, %a2 {{axis = 1 : i64}} : ({tl}, "
         f"{tensor_type([70000])}, {tensor_type([70000])}) -> {tl}"],
        [("y", "%r", [2, 70000], "f32")],
        lambda x, g, b: [layer_norm(x, g, b)], decompose=True))
    # Pooling output rows longer than a VPU instruction's 65535 columns
    # (70001 and 70000 outputs, padded max and average): each row is split.
    result.append(pool_case("max_pool_long_row", True, [1, 2, 1, 140001],
                            [1, 3], [1, 2], [0, 1, 0, 1]))
    result.append(pool_case("avg_pool_long_row", False, [2, 1, 1, 140000],
                            [1, 2], [1, 2], [0, 0, 0, 0]))
    result[-2].family = result[-1].family = "spill"
    # A reduction over 200000 elements: partial sums accumulate over tiles.
    result.append(reduce_case("reduce_sum_long_row", "reduce_sum",
                              np.sum, [3, 200000], [1]))
    result[-1].family = "spill"
    return result + integer_cases()


def integer_cases():
    """Integer tensors in the VPU's integer mode, casts, float mod."""
    result = []

    def ti(shape, dt="i32"):
        return tensor_type(shape, dt)

    def wrap(x):
        return np.asarray(x, dtype=np.int64).astype(np.int32)

    def trunc_div(x, y):
        x, y = x.astype(np.int64), y.astype(np.int64)
        return np.sign(x) * np.sign(y) * (np.abs(x) // np.abs(y))

    # Values beyond 2^24: fp32 arithmetic would round them.
    a = RNG.integers(-(1 << 30), 1 << 30, size=(7, 45)).astype(np.int32)
    b = RNG.integers(-9, 10, size=(45,)).astype(np.int32)
    b[b == 0] = 3
    a[0, :4] = [2**31 - 1, -2**31, 16777217, -16777219]
    for op, fn in [("add", lambda x, y: wrap(x.astype(np.int64) + y)),
                   ("sub", lambda x, y: wrap(x.astype(np.int64) - y)),
                   ("mul", lambda x, y: wrap(x.astype(np.int64) * y)),
                   ("div", lambda x, y: wrap(trunc_div(x, y))),
                   ("max", np.maximum), ("min", np.minimum),
                   ("mod", lambda x, y: wrap(np.mod(x.astype(np.int64), y)))]:
        result.append(Case(
            f"int_{op}_row", "integer", [("a", a), ("b", b)],
            [f"%r = nn.{op} %a0, %a1 : ({ti([7, 45])}, {ti([45])}) -> "
             f"{ti([7, 45])}"],
            [("y", "%r", [7, 45], "i32")], lambda x, y, fn=fn: [fn(x, y)],
            input_dtypes=["i32", "i32"]))
    result.append(Case(
        "int_fmod_scalar_const", "integer", [("a", a)],
        ["%c = nn.constant dense<-7> : tensor<i32>",
         f"%r = nn.mod %a0, %c {{fmod = true}} : ({ti([7, 45])}, "
         f"tensor<i32>) -> {ti([7, 45])}"],
        [("y", "%r", [7, 45], "i32")], lambda x: [np.fmod(x, -7)],
        input_dtypes=["i32"]))
    base = RNG.integers(-5, 6, size=(3, 40)).astype(np.int32)
    expo = RNG.integers(0, 12, size=(3, 40)).astype(np.int32)
    result.append(Case(
        "int_pow", "integer", [("a", base), ("b", expo)],
        [f"%r = nn.pow %a0, %a1 : ({ti([3, 40])}, {ti([3, 40])}) -> "
         f"{ti([3, 40])}"],
        [("y", "%r", [3, 40], "i32")],
        lambda x, y: [wrap(x.astype(np.int64) ** y)],
        input_dtypes=["i32", "i32"]))
    # A chain mixing integer and float steps: compare, select, casts.
    c = RNG.integers(-(1 << 28), 1 << 28, size=(9, 66)).astype(np.int32)
    d = RNG.integers(-(1 << 28), 1 << 28, size=(9, 66)).astype(np.int32)
    x = rand(9, 66, low=-40, high=40)
    t, tb, tf = ti([9, 66]), ti([9, 66], "i1"), tensor_type([9, 66])
    result.append(Case(
        "int_compare_where_cast", "integer", [("c", c), ("d", d), ("x", x)],
        [f"%lt = nn.less %a0, %a1 : ({t}, {t}) -> {tb}",
         f"%w = nn.where %lt, %a0, %a1 : ({tb}, {t}, {t}) -> {t}",
         f"%n = nn.neg %w : {t}",
         f"%xi = nn.cast %a2 : {tf} to {t}",
         f"%s = nn.add %n, %xi : ({t}, {t}) -> {t}",
         f"%f = nn.cast %s : {t} to {tf}",
         f"%ge = nn.greater_or_equal %a0, %a1 : ({t}, {t}) -> {tb}",
         f"%g = nn.cast %ge : {tb} to {t}"],
        [("y", "%s", [9, 66], "i32"), ("f", "%f", [9, 66], "f32"),
         ("g", "%g", [9, 66], "i32")],
        lambda c, d, x: [
            -np.minimum(c, d) + np.trunc(x).astype(np.int32),
            (-np.minimum(c, d).astype(np.int64) +
             np.trunc(x).astype(np.int64)).astype(np.float32),
            (c >= d).astype(np.int32)],
        input_dtypes=["i32", "i32", "f32"]))
    e = RNG.integers(-3000, 3000, size=(5, 37)).astype(np.int32)
    e[0, :3] = [-2**31, 0, 7]
    te = ti([5, 37])
    result.append(Case(
        "int_unary_clip", "integer", [("e", e)],
        [f"%a = nn.abs %a0 : {te}",
         f"%s = nn.sign %a0 : {te}",
         f"%r = nn.relu %a0 : {te}",
         f"%c = nn.clip %a0 {{min = -100.5 : f32, max = 250.0 : f32}} : {te}",
         f"%m = nn.mul %s, %c : ({te}, {te}) -> {te}",
         f"%t = nn.add %m, %r : ({te}, {te}) -> {te}"],
        [("y", "%a", [5, 37], "i32"), ("z", "%t", [5, 37], "i32")],
        lambda e: [wrap(np.abs(e.astype(np.int64))),
                   np.sign(e) * np.clip(e, -100, 250) + np.maximum(e, 0)],
        input_dtypes=["i32"]))
    # int8: computed in i32, wrapped to 8 bits on the way out (numpy).
    p = RNG.integers(-128, 128, size=(4, 50)).astype(np.int8)
    q = RNG.integers(-128, 128, size=(4, 50)).astype(np.int8)
    t8 = ti([4, 50], "i8")
    result.append(Case(
        "int8_add_mul_wraps", "integer", [("p", p), ("q", q)],
        [f"%s = nn.add %a0, %a1 : ({t8}, {t8}) -> {t8}",
         f"%m = nn.mul %s, %a1 : ({t8}, {t8}) -> {t8}",
         f"%x = nn.max %a0, %a1 : ({t8}, {t8}) -> {t8}"],
        [("y", "%m", [4, 50], "i8"), ("x", "%x", [4, 50], "i8")],
        lambda p, q: [((p.astype(np.int64) + q).astype(np.int8).astype(
            np.int64) * q).astype(np.int8), np.maximum(p, q)],
        input_dtypes=["i8", "i8"]))
    # An overflowing int8 sum read again by max and (truncating) div: they
    # must see the wrapped value, as numpy does.
    r = RNG.integers(2, 10, size=(4, 50)) * RNG.choice([-1, 1], size=(4, 50))
    r = r.astype(np.int8)
    p8 = np.where(RNG.random((4, 50)) < 0.5, 120, -120).astype(np.int8)
    result.append(Case(
        "int8_wrapped_sum_read_again", "integer", [("p", p8), ("r", r)],
        [f"%s = nn.add %a0, %a1 : ({t8}, {t8}) -> {t8}",
         f"%x = nn.max %s, %a1 : ({t8}, {t8}) -> {t8}",
         f"%d = nn.div %s, %a1 : ({t8}, {t8}) -> {t8}"],
        [("x", "%x", [4, 50], "i8"), ("d", "%d", [4, 50], "i8")],
        lambda p, r: [np.maximum((p.astype(np.int64) + r).astype(np.int8), r),
                      np.trunc((p.astype(np.int64) + r).astype(np.int8) /
                               r).astype(np.int8)],
        input_dtypes=["i8", "i8"]))
    # Float -> integer casts truncate toward zero.
    x = rand(6, 50, low=-1e4, high=1e4)
    x.flat[:4] = [2.5, -2.5, -0.75, 0.75]
    result.append(Case(
        "cast_float_to_int", "integer", [("x", x)],
        [f"%r = nn.cast %a0 : {tensor_type([6, 50])} to {ti([6, 50])}"],
        [("y", "%r", [6, 50], "i32")],
        lambda x: [np.trunc(x).astype(np.int32)]))
    # Float mod: the remainder takes the divisor's sign (fmod: dividend's).
    u = rand(8, 33, low=-20, high=20)
    v = rand(33, low=0.5, high=4)
    v[::2] *= -1
    for fmod in (False, True):
        result.append(Case(
            "float_mod" + ("_fmod" if fmod else ""), "integer",
            [("u", u), ("v", v)],
            [f"%r = nn.mod %a0, %a1 {{fmod = {str(fmod).lower()}}} : "
             f"({tensor_type([8, 33])}, {tensor_type([33])}) -> "
             f"{tensor_type([8, 33])}"],
            [("y", "%r", [8, 33], "f32")],
            lambda u, v, fmod=fmod: [np.fmod(u, v) if fmod else
                                     np.mod(u, v)]))
    return result


def softmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    e = np.exp(x - m)
    return e / e.sum(axis=axis, keepdims=True)


def layer_norm(x, g, b):
    x = x.astype(np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-5) * g + b


def bf16_round(x):
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) << 16
    return rounded.astype(np.uint32).view(np.float32)


def compare(actual, expected, precision):
    expected = np.asarray(expected, dtype=np.float64)
    actual = actual.astype(np.float64)
    if actual.shape != expected.shape:
        return False, f"shape {actual.shape} != {expected.shape}"
    finite = np.isfinite(expected)
    if not np.array_equal(np.isfinite(actual), finite) or not np.array_equal(
            actual[~finite], expected[~finite]):
        return False, "non-finite values differ"
    a, e = actual[finite], expected[finite]
    if precision == "fp32":
        err = np.abs(a - e)
        bad = err > 1e-4 + 1e-3 * np.abs(e)
        if bad.any():
            k = int(np.argmax(err - 1e-3 * np.abs(e)))
            return False, (f"{int(bad.sum())} elements off; worst actual "
                           f"{a[k]} expected {e[k]}")
        return True, f"max_abs_err={err.max() if err.size else 0:.3g}"
    norm = np.linalg.norm(e)
    rel = np.linalg.norm(a - e) / norm if norm > 0 else np.linalg.norm(a)
    return rel < 2e-2, f"rel_l2={rel:.3g}"


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def run_case(case, target, precision, workdir, tools):
    mlir_path = os.path.join(workdir, "model.mlir")
    with open(mlir_path, "w") as f:
        f.write(case.mlir())
    passes = [f"--npu-set-target=target={target}"]
    if case.decompose:
        passes.append("--nn-decompose")
    passes += [f"--npu-tile=precision={precision}", "--npu-place-memory",
               "--npu-lower-to-isa"]
    opt = run([tools["npu-opt"], mlir_path] + passes)
    if opt.returncode != 0:
        return False, "npu-opt failed: " + opt.stderr.strip()[-800:]
    binary = os.path.join(workdir, "model.npu")
    translate = run([tools["npu-translate"], "--serialize-npu", "-o", binary],
                    input=opt.stdout)
    if translate.returncode != 0:
        return False, "npu-translate failed: " + translate.stderr.strip()[-800:]
    args = [tools["npu-run"], binary, "--quiet"]
    for name, value in case.inputs:
        path = os.path.join(workdir, f"in_{name}.npy")
        np.save(path, value)
        args += ["--input", f"{name}={path}"]
    for name, *_ in case.outputs:
        args += ["--output", f"{name}={os.path.join(workdir, name + '.npy')}"]
    sim = run(args)
    if sim.returncode != 0:
        return False, "npu-run failed: " + sim.stderr.strip()[-800:]
    expected = case.reference(*[v for _, v in case.inputs])
    notes = []
    for (name, _, _, dtype), ref in zip(case.outputs, expected):
        actual = np.load(os.path.join(workdir, name + ".npy"))
        if dtype in ("i8", "i32", "i64"):
            diff = actual.astype(np.int64) != np.asarray(ref).astype(np.int64)
            ok = actual.shape == np.shape(ref) and not diff.any()
            note = "exact" if ok else "%d integers differ" % int(diff.sum())
        else:
            ok, note = compare(actual, ref, precision)
        notes.append(f"{name}: {note}")
        if not ok:
            return False, "; ".join(notes)
    return True, "; ".join(notes)


def find_tools():
    tools = {}
    for name in ("npu-opt", "npu-translate", "npu-run"):
        path = shutil.which(name)
        if path is None:
            sys.exit(f"vpu_e2e_check.py: {name} not found on PATH")
        tools[name] = path
    return tools


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--family", default="all",
                        help="binary, compare, unary, reduce, pool, move, "
                        "spill, integer, all")
    parser.add_argument("--targets", default="npu-tiny,npu-base")
    parser.add_argument("--precisions", default="fp32,bf16")
    parser.add_argument("--case", action="append", default=[])
    parser.add_argument("--keep", help="keep the work files of failures here")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--print-mlir", action="store_true",
                        help="print every selected case's function")
    args = parser.parse_args()
    selected = [c for c in cases()
                if (args.family == "all" or c.family == args.family)
                and (not args.case or c.name in args.case)]
    if args.list or args.print_mlir:
        for c in selected:
            print(f"// {c.family} {c.name}")
            if args.print_mlir:
                print(c.mlir())
        return 0
    tools = find_tools()
    total = failed = 0
    for case in selected:
        for target in args.targets.split(","):
            for precision in args.precisions.split(","):
                total += 1
                with tempfile.TemporaryDirectory() as workdir:
                    ok, note = run_case(case, target, precision, workdir,
                                        tools)
                    if not ok and args.keep:
                        dest = os.path.join(args.keep,
                                            f"{case.name}-{target}-{precision}")
                        shutil.copytree(workdir, dest, dirs_exist_ok=True)
                status = "ok" if ok else "FAIL"
                failed += not ok
                print(f"{status} {case.name} {target} {precision}: {note}")
    if failed:
        print(f"FAILED: {failed} of {total} runs")
        return 1
    print(f"all {total} runs passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
