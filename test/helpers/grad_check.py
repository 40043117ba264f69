#!/usr/bin/env python3
"""Gradient check of `nn-autodiff` output.

Usage: npu-opt --split-input-file --nn-autodiff --mlir-print-op-generic F.mlir
         | grad_check.py [--func forward] [--source F.mlir]

Reads the generic-form IR of one or more modules (separated by `// -----`),
each holding `@forward` and the `@forward_grad` the pass built. For each
module it draws random float64 inputs (float arguments ~ N(0, 1), integer
arguments uniform in [0, 4)), and compares the gradients `@forward_grad`
returns, evaluated op by op in float64:
  - with central finite differences of `@forward` (step 1e-6), and
  - with PyTorch autograd through the same evaluation of `@forward`.
The parameters are the arguments named by the results' `nn.name`
(`grad_argN`, the pass's label for an unnamed argument N). The evaluator
interprets nn ops with torch float64 tensors; PyTorch's own functional ops
(softmax, layer_norm, gelu, conv2d, ...) serve as the independent reference
for the composite ops. With --source, a `// LOSS-REFERENCE: name` comment in a module of the input
file also compares the loss with PyTorch's loss function `name` of the first
argument and the labels. Prints one line per module; exits 1 on a mismatch.
"""
import re
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

OP = re.compile(r'^(%[\w#]+)(?::(\d+))? = "([\w.]+)"\((.*?)\)'
                r'(?: <\{(.*)\}>)? : \((.*?)\) -> (.*)$')
FUNC = re.compile(r'sym_name = "(\w+)"')
RES_NAMES = re.compile(r'nn\.name = "(\w+)"')
BLOCK = re.compile(r'\^bb0\((.*)\):')
RETURN = re.compile(r'"func\.return"\((.*?)\)')


def split_top(text, sep=","):
    parts, depth, cur, quoted = [], 0, "", False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if not quoted:
            if ch in "<[({":
                depth += 1
            elif ch in ">])}":
                depth -= 1
        if ch == sep and depth == 0 and not quoted:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


def tensor_type(text):
    body = text.strip()[len("tensor<"):-1]
    *dims, element = body.split("x")
    return [int(d) for d in dims], element


def to_dtype(element):
    if element.startswith("f") or element.startswith("bf"):
        return torch.float64
    return torch.bool if element == "i1" else torch.int64


def dense(literal, type_text):
    shape, element = tensor_type(type_text)
    dtype = to_dtype(element)
    if literal.startswith('"0x'):
        import numpy as np
        raw = bytes.fromhex(literal[3:-1])
        np_type = {"f32": np.float32, "f16": np.float16, "i64": np.int64,
                   "i32": np.int32}[element]
        data = np.frombuffer(raw, dtype=np_type).astype(np.float64)
        value = torch.tensor(data, dtype=dtype)
        return value.expand(shape).clone() if value.numel() == 1 else value.reshape(shape)
    value = torch.tensor(eval(literal.replace("true", "True").replace(
        "false", "False")), dtype=dtype)
    if element == "f32":
        # The printed decimal is the shortest that round-trips in f32; the
        # constant's value is that f32 number.
        value = value.to(torch.float32).to(dtype)
    return value.expand(shape).clone() if value.dim() == 0 else value.reshape(shape)


def attributes(text):
    attrs = {}
    for item in split_top(text or ""):
        key, value = [s.strip() for s in item.split("=", 1)]
        if value.startswith("array<"):
            inner = value[value.index("<") + 1:-1]
            values = inner.split(":", 1)[1] if ":" in inner else ""
            attrs[key] = [int(v) for v in values.split(",") if v.strip()]
        elif value.startswith("dense<"):
            literal, type_text = value.rsplit(" : ", 1)
            attrs[key] = dense(literal[len("dense<"):-1], type_text)
        elif value in ("true", "false"):
            attrs[key] = value == "true"
        elif value.startswith('"'):
            attrs[key] = value.strip('"')
        else:
            number = value.split(":")[0].strip()
            attrs[key] = float(number) if ("." in number or "e" in number) else int(number)
    return attrs


def hash_uniform(bits, key_bits):
    """The chip's hash_uniform (VPU function 63, docs/isa.md) of uint32
    arrays of f32 bits: MurmurHash3's finalizer of bits ^ key, top 24
    bits times 2^-24."""
    import numpy as np
    h = (bits ^ np.uint32(key_bits)).astype(np.uint64)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return (h >> 8).astype(np.float64) * 2.0 ** -24


def stream_key(key, stream):
    """The hash_uniform key bits of stream `stream` of a dropout layer key."""
    import numpy as np
    h = np.array([(key * 0x9E3779B9 + stream) & 0xFFFFFFFF], dtype=np.uint64)
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return int(0x3F800000 | (int(h[0]) >> 9))


def dropout_keep(shape, seed, ratio, key):
    """nn.dropout's keep mask (docs/training.md, "Dropout"): counter
    j = i mod 2^22 + 1 of flat index i, c = 1 + hash_uniform(f32(seed),
    stream 0), u = hash_uniform(f32(j * c), stream 1 + i / 2^22),
    keep = u >= ratio (all in f32 as on the chip)."""
    import numpy as np
    seed_bits = np.array([seed], dtype=np.float32).view(np.uint32)
    c = np.float32(1.0 + hash_uniform(seed_bits, stream_key(key, 0))[0])
    index = np.arange(int(np.prod(shape)), dtype=np.int64)
    counter = ((index % (1 << 22)) + 1).astype(np.float32)
    value = (counter * c).astype(np.float32)
    keep = np.zeros(index.shape, dtype=bool)
    for block in np.unique(index >> 22):
        where = (index >> 22) == block
        u = hash_uniform(value[where].view(np.uint32),
                         stream_key(key, 1 + int(block)))
        keep[where] = u >= np.float32(ratio)
    return keep.reshape(shape)


def reduce_axes(x, attrs):
    return tuple(attrs.get("axes") or range(x.dim()))


def evaluate(op, args, attrs, result_type):
    x = args[0] if args else None
    shape, element = tensor_type(result_type)
    if op == "constant":
        return attrs["value"]
    binary = {"add": torch.add, "sub": torch.sub, "mul": torch.mul,
              "div": torch.div, "greater": torch.gt, "greater_or_equal": torch.ge,
              "equal": torch.eq, "less": torch.lt, "max": torch.maximum,
              "min": torch.minimum, "pow": torch.pow}
    unary = {"neg": torch.neg, "relu": torch.relu, "sigmoid": torch.sigmoid,
             "tanh": torch.tanh, "exp": torch.exp, "log": torch.log,
             "sqrt": torch.sqrt, "erf": torch.erf, "abs": torch.abs,
             "reciprocal": torch.reciprocal}
    if op in binary:
        return binary[op](x, args[1])
    if op in unary:
        return unary[op](x)
    if op == "leaky_relu":
        return torch.where(x >= 0, x, x * attrs.get("alpha", 0.01))
    if op == "gelu":
        return F.gelu(x, approximate=attrs.get("approximate", "none"))
    if op == "softmax":
        return torch.softmax(x, attrs["axis"])
    if op == "log_softmax":
        return torch.log_softmax(x, attrs["axis"])
    keep = attrs.get("keepdims", True)
    if op == "reduce_sum":
        return x.sum(dim=reduce_axes(x, attrs), keepdim=keep)
    if op == "reduce_mean":
        return x.mean(dim=reduce_axes(x, attrs), keepdim=keep)
    if op == "reduce_max":
        return x.amax(dim=reduce_axes(x, attrs), keepdim=keep)
    if op == "matmul":
        return torch.matmul(x, args[1])
    if op == "gemm":
        a = x.T if attrs.get("trans_a") else x
        b = args[1].T if attrs.get("trans_b") else args[1]
        y = attrs.get("alpha", 1.0) * (a @ b)
        if len(args) > 2:
            y = y + attrs.get("beta", 1.0) * args[2]
        return y
    if op == "layer_norm":
        axis = attrs["axis"]
        y = F.layer_norm(x, x.shape[axis:], eps=attrs.get("epsilon", 1e-5))
        y = y * args[1]
        return y + args[2] if len(args) > 2 else y
    if op == "batch_norm":
        scale, bias, mean, var = args[1:5]
        view = [1, -1] + [1] * (x.dim() - 2)
        return ((x - mean.view(view)) / torch.sqrt(var.view(view) + attrs.get("epsilon", 1e-5))
                * scale.view(view) + bias.view(view))
    if op == "batch_norm_train":
        scale, bias, mean, var = args[1:5]
        axes = [0] + list(range(2, x.dim()))
        momentum = attrs.get("momentum", 0.9)
        y = F.batch_norm(x, None, None, scale, bias, training=True,
                         eps=attrs.get("epsilon", 1e-5))
        batch_mean = x.mean(dim=axes)
        batch_var = x.var(dim=axes, unbiased=False)
        return [y, mean * momentum + batch_mean * (1 - momentum),
                var * momentum + batch_var * (1 - momentum)]
    if op == "dropout":
        ratio = attrs.get("ratio", 0.5)
        keep = torch.from_numpy(dropout_keep(
            list(x.shape), float(args[1]), ratio, attrs.get("key", 0)))
        return x * keep * (1.0 / float(torch.tensor(1 - ratio,
                                                    dtype=torch.float32)))
    if op == "global_avg_pool":
        return x.mean(dim=tuple(range(2, x.dim())), keepdim=True)
    if op in ("reshape", "flatten"):
        return x.reshape(shape)
    if op == "transpose":
        return x.permute(attrs["perm"])
    if op == "expand":
        return x.expand(shape)
    if op == "concat":
        return torch.cat(args, dim=attrs["axis"])
    if op == "slice":
        axes = attrs.get("axes") or list(range(len(attrs["starts"])))
        steps = attrs.get("steps") or [1] * len(axes)
        index = [slice(None)] * x.dim()
        for axis, start, end, step in zip(axes, attrs["starts"], attrs["ends"], steps):
            assert step > 0, "negative slice steps are not interpreted"
            index[axis] = slice(start, end, step)
        return x[tuple(index)]
    if op == "pad":
        pads = attrs["pads"]
        rank = x.dim()
        torch_pads = []
        for axis in reversed(range(rank)):
            torch_pads += [pads[axis], pads[rank + axis]]
        return F.pad(x, torch_pads, value=attrs.get("value", 0.0))
    if op == "where":
        return torch.where(x, args[1], args[2])
    if op == "cast":
        return x.to(to_dtype(element))
    if op == "conv":
        spatial = x.dim() - 2
        conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[spatial]
        pads = attrs.get("pads") or [0] * (2 * spatial)
        assert pads[:spatial] == pads[spatial:], "asymmetric pads"
        return conv(x, args[1], args[2] if len(args) > 2 else None,
                    stride=attrs.get("strides") or 1, padding=pads[:spatial],
                    dilation=attrs.get("dilations") or 1,
                    groups=attrs.get("group", 1))
    if op == "conv_transpose":
        spatial = x.dim() - 2
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d}[spatial]
        pads = attrs.get("pads") or [0] * (2 * spatial)
        assert pads[:spatial] == pads[spatial:], "asymmetric pads"
        return conv(x, args[1], args[2] if len(args) > 2 else None,
                    stride=attrs.get("strides") or 1, padding=pads[:spatial],
                    output_padding=attrs.get("output_padding") or 0,
                    dilation=attrs.get("dilations") or 1,
                    groups=attrs.get("group", 1))
    if op in ("avg_pool", "max_pool"):
        spatial = x.dim() - 2
        pads = attrs.get("pads") or [0] * (2 * spatial)
        assert pads[:spatial] == pads[spatial:], "asymmetric pads"
        if op == "max_pool":
            return F.max_pool2d(x, attrs["kernel_shape"], attrs.get("strides") or 1,
                                pads[:spatial], attrs.get("dilations") or 1,
                                attrs.get("ceil_mode", False))
        return F.avg_pool2d(x, attrs["kernel_shape"], attrs.get("strides") or 1,
                            pads[:spatial], attrs.get("ceil_mode", False),
                            attrs.get("count_include_pad", False))
    sys.exit(f"error: nn.{op} is not interpreted")


def parse(text):
    """Returns {name: (arg types, ops, return values, result names)}."""
    funcs, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if '"func.func"' in line:
            current = {"args": [], "ops": [], "ret": [],
                       "names": RES_NAMES.findall(line.split("sym_name")[0].split("res_attrs")[-1])
                       if "res_attrs" in line else []}
            funcs[FUNC.search(line).group(1)] = current
        elif m := BLOCK.match(line):
            current["args"] = [a.split(": ", 1) for a in split_top(m.group(1))]
        elif m := OP.match(line):
            result, count, op, operands, attr_text, _, result_type = m.groups()
            assert op.startswith("nn."), f"unexpected op {op}"
            operands = [o.strip() for o in operands.split(",") if o.strip()]
            results = [f"{result}#{i}" for i in range(int(count))] \
                if count else [result]
            result_type = result_type.strip()
            if count:  # (t0, t1, ...): the first result's type
                result_type = split_top(result_type[1:-1])[0]
            current["ops"].append((results, op[3:], operands,
                                   attributes(attr_text), result_type))
        elif m := RETURN.match(line):
            current["ret"] = [o.strip() for o in m.group(1).split(",")]
    return funcs


def run(func, inputs):
    values = {name: value for (name, _), value in zip(func["args"], inputs)}
    for results, op, operands, attrs, result_type in func["ops"]:
        value = evaluate(op, [values[o] for o in operands], attrs, result_type)
        for result, part in zip(results, value if len(results) > 1 else [value]):
            values[result] = part
    return [values[r] for r in func["ret"]]


def reference_loss(kind, inputs):
    """PyTorch's loss function `kind` of the first argument and the labels."""
    first, labels = inputs[0], inputs[-1]
    if kind == "sparse_softmax_cross_entropy":
        return F.cross_entropy(first, labels)
    if kind == "softmax_cross_entropy":
        return F.cross_entropy(first, labels)  # probability targets
    if kind == "mse":
        return F.mse_loss(first, labels)
    if kind == "binary_cross_entropy":
        return F.binary_cross_entropy(torch.sigmoid(first), labels)
    sys.exit(f"error: unknown LOSS-REFERENCE {kind}")


def check(index, funcs, name, kind=None):
    forward, grad = funcs[name], funcs[name + "_grad"]
    gen = torch.Generator().manual_seed(index)
    inputs = []
    for _, type_text in forward["args"]:
        shape, element = tensor_type(type_text)
        if to_dtype(element) == torch.float64:
            inputs.append(torch.randn(shape, generator=gen))
        else:
            inputs.append(torch.randint(0, 4, shape, generator=gen))
    if kind == "binary_cross_entropy":  # targets are probabilities
        inputs[-1] = torch.rand(inputs[-1].shape, generator=gen)
    params = [int(n[len("grad_arg"):]) for n in grad["names"][1:]]
    outputs = run(grad, inputs)
    loss = run(forward, inputs)[0]
    worst_fd = worst_torch = 0.0
    ok = torch.allclose(outputs[0], loss, rtol=1e-12, atol=1e-12)
    loss_note = ""
    if kind:
        reference_value = reference_loss(kind, inputs)
        # The IR's f32 constants (e.g. -1/N) limit the agreement to ~1e-7.
        loss_ok = torch.allclose(loss, reference_value, rtol=1e-6, atol=1e-7)
        ok &= loss_ok
        loss_note = " loss matches torch" if loss_ok else " loss DIFFERS from torch"
    # PyTorch autograd through the forward IR.
    leaves = [x.clone().requires_grad_(i in params) for i, x in enumerate(inputs)]
    torch_loss = run(forward, leaves)[0].sum()
    reference = torch.autograd.grad(torch_loss, [leaves[i] for i in params],
                                    allow_unused=True)
    for position, param in enumerate(params):
        got = outputs[position + 1]
        expected = reference[position]
        if expected is None:
            expected = torch.zeros_like(inputs[param])
        fd = torch.zeros_like(inputs[param]).reshape(-1)
        flat = inputs[param].reshape(-1)
        for element in range(flat.numel()):
            saved = flat[element].item()
            flat[element] = saved + 1e-6
            up = run(forward, inputs)[0].sum().item()
            flat[element] = saved - 1e-6
            down = run(forward, inputs)[0].sum().item()
            flat[element] = saved
            fd[element] = (up - down) / 2e-6
        fd = fd.reshape(got.shape)
        ok &= got.shape == expected.shape
        error_fd = (got - fd).abs().max().item()
        error_torch = (got - expected).abs().max().item()
        ok &= torch.allclose(got, fd, rtol=1e-4, atol=1e-5)
        ok &= torch.allclose(got, expected, rtol=1e-5, atol=1e-6)
        worst_fd, worst_torch = max(worst_fd, error_fd), max(worst_torch, error_torch)
    print(f"module {index}: {'ok' if ok else 'MISMATCH'}{loss_note} params {params} "
          f"(max abs error vs finite differences {worst_fd:.1e}, "
          f"vs torch autograd {worst_torch:.1e})")
    return ok


def main():
    import argparse
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--func", default="forward")
    parser.add_argument("--source", help="the input .mlir, for its "
                        "LOSS-REFERENCE comments (the pass drops comments)")
    args = parser.parse_args()
    name = args.func
    sources = open(args.source).read().split("// -----") if args.source else []
    ok = True
    for index, chunk in enumerate(sys.stdin.read().split("// -----")):
        if "func.func" in chunk:
            source = sources[index] if index < len(sources) else ""
            kind = re.search(r"LOSS-REFERENCE: (\w+)", source)
            kind = kind.group(1) if kind and kind.group(1) != "none" else None
            ok &= check(index, parse(chunk), name, kind)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
