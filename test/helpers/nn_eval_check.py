#!/usr/bin/env python3
"""Numerical check of an nn rewrite: evaluates every function of two MLIR
files (before and after a pass) in numpy on the same random inputs and
compares the results.

Usage: nn_eval_check.py BEFORE.mlir AFTER.mlir

Only the ops the nn-decompose tests use are interpreted: nn.constant (inline
dense), the elementwise binary ops with numpy broadcasting, erf / exp / log /
sqrt / tanh, reduce_sum / reduce_mean / reduce_max, reshape, and — as
independent references for the composite ops — gelu (x * Phi(x) or its tanh
form), softmax / log_softmax (no max shift), layer_norm (np.var) and
batch_norm / batch_norm_train (np.mean, np.var). Prints one
line per function; exits non-zero on a mismatch (rtol 1e-5 for f32, 1e-2 for
f16) or an op it does not know.
"""
import math
import re
import sys

import numpy as np

DTYPES = {"f32": np.float32, "f16": np.float16}
TOLERANCE = {np.float32: 1e-5, np.float16: 1e-2}

FUNC = re.compile(r'func\.func @(\w+)\((.*?)\) ->')
ARG = re.compile(r'(%\w+): (tensor<[^>]*>)')
OP = re.compile(r'(%\w+)(?::(\d+))? = nn\.(\w+) (.*?)(?: \{(.*)\})? : (.*)$')
RETURN = re.compile(r'return (.*?) :')


def tensor_type(text):
    body = text[len("tensor<"):-1]
    *dims, element = body.split("x")
    return [int(d) for d in dims], DTYPES[element]


def attributes(text):
    attrs = {}
    for key, value in re.findall(r'(\w+) = ([^,]*(?:array<[^>]*>)?)',
                                 text or ""):
        if value.startswith("array<i64"):
            inner = re.search(r'array<i64: ?([^>]*)>', text[text.index(key):])
            value = [int(v) for v in inner.group(1).split(",") if v.strip()]
        elif value.startswith('"'):
            value = value.strip('"')
        else:
            value = float(value.split(":")[0])
        attrs[key] = value
    return attrs


def gelu(x, approximate):
    x64 = x.astype(np.float64)
    if approximate == "tanh":
        y = 0.5 * x64 * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                     (x64 + 0.044715 * x64 ** 3)))
    else:
        y = x64 * 0.5 * (1 + np.vectorize(math.erf)(x64 / math.sqrt(2)))
    return y.astype(x.dtype)


def reduce(fn, x, attrs):
    axes = tuple(attrs.get("axes") or range(x.ndim))
    return fn(x, axis=axes, keepdims=True).astype(x.dtype)


def evaluate_op(name, args, attrs, result_shape):
    x = args[0]
    binary = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
              "div": np.divide}
    unary = {"exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh,
             "erf": lambda v: np.vectorize(math.erf)(v.astype(np.float64))}
    if name in binary:
        return binary[name](x, args[1]).astype(x.dtype)
    if name in unary:
        return unary[name](x).astype(x.dtype)
    if name == "reduce_sum":
        return reduce(np.sum, x, attrs)
    if name == "reduce_mean":
        return reduce(np.mean, x, attrs)
    if name == "reduce_max":
        return reduce(np.max, x, attrs)
    if name == "reshape":
        return x.reshape(result_shape)
    if name == "gelu":
        return gelu(x, attrs.get("approximate", "none"))
    if name in ("batch_norm", "batch_norm_train"):
        x64 = x.astype(np.float64)
        scale, bias, mean, var = (a.astype(np.float64) for a in args[1:5])
        axes = (0,) + tuple(range(2, x.ndim))
        view = (1, -1) + (1,) * (x.ndim - 2)
        if name == "batch_norm_train":
            momentum = attrs.get("momentum", 0.9)
            batch_mean, batch_var = x64.mean(axis=axes), x64.var(axis=axes)
            new_mean = mean * momentum + batch_mean * (1 - momentum)
            new_var = var * momentum + batch_var * (1 - momentum)
            mean, var = batch_mean, batch_var
        y = ((x64 - mean.reshape(view)) /
             np.sqrt(var.reshape(view) + attrs.get("epsilon", 1e-5)) *
             scale.reshape(view) + bias.reshape(view)).astype(x.dtype)
        if name == "batch_norm":
            return y
        return [y, new_mean.astype(x.dtype), new_var.astype(x.dtype)]
    if name in ("softmax", "log_softmax"):
        x64 = x.astype(np.float64)
        e = np.exp(x64)
        y = e / e.sum(axis=int(attrs["axis"]), keepdims=True)
        return (y if name == "softmax" else np.log(y)).astype(x.dtype)
    if name == "layer_norm":
        x64 = x.astype(np.float64)
        axes = tuple(range(int(attrs["axis"]), x.ndim))
        y = ((x64 - x64.mean(axis=axes, keepdims=True)) /
             np.sqrt(x64.var(axis=axes, keepdims=True) +
                     attrs.get("epsilon", 1e-5)) * args[1])
        if len(args) > 2:
            y = y + args[2]
        return y.astype(x.dtype)
    sys.exit(f"error: nn.{name} is not interpreted")


def run(path):
    results = {}
    rng = np.random.default_rng(0)
    lines = open(path).read().splitlines()
    values, name = {}, None
    for line in lines:
        line = line.strip()
        if line.startswith("//"):
            continue
        if m := FUNC.search(line):
            name, values = m.group(1), {}
            rng = np.random.default_rng(len(name))
            for arg, type_text in ARG.findall(m.group(2)):
                shape, dtype = tensor_type(type_text)
                values[arg] = rng.standard_normal(shape).astype(dtype) * 3
            # Arguments are renamed %argN when printed: key them both ways.
            for index, arg in enumerate(ARG.findall(m.group(2))):
                values[f"%arg{index}"] = values[arg[0]]
        elif m := OP.match(line):
            result, count, op, operands, attr_text, types = m.groups()
            result_type = types.split("->")[-1].strip()
            if op == "constant":
                shape, dtype = tensor_type(result_type)
                literal = re.match(r'dense<(.*)>', operands).group(1)
                values[result] = np.broadcast_to(
                    np.array(eval(literal), dtype=dtype), shape)
                continue
            args = [values[a.strip()] for a in operands.split(",")]
            shape = tensor_type(result_type.strip("()").split(", ")[0])[0]
            value = evaluate_op(op, args, attributes(attr_text), shape)
            if count:
                for index, part in enumerate(value):
                    values[f"{result}#{index}"] = part
            else:
                values[result] = value
        elif m := RETURN.match(line):
            results[name] = [values[v.strip()] for v in m.group(1).split(",")]
    return results


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    before, after = run(sys.argv[1]), run(sys.argv[2])
    failed = False
    for name, expected_values in before.items():
        ok, error = len(after[name]) == len(expected_values), 0.0
        for got, expected in zip(after[name], expected_values):
            rtol = TOLERANCE[expected.dtype.type]
            error = max(error, float(np.max(np.abs(got.astype(np.float64) -
                                                   expected))))
            ok &= got.shape == expected.shape and np.allclose(
                got, expected, rtol=rtol, atol=rtol)
        print(f"{name}: {'match' if ok else 'MISMATCH'} "
              f"(max abs error {error:.2e})")
        failed |= not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
