#!/usr/bin/env python3
"""Numerical checks of the MXU kernels (matmul, gemm, conv) and of nn-fuse.

Subcommands:

  fuse BEFORE.mlir AFTER.mlir
      Evaluates every function of the two files in numpy on the same random
      inputs and compares them (rtol 1e-5): checks an nn-level rewrite.

  run [--target T] [--precision fp32|bf16] [--double-buffer B]
      [--keep DIR] [--stats] CASE...
      Compiles each named case (a small nn function, CASES below) through
      the whole pipeline
        npu-opt --npu-set-target=target=T --nn-fuse --npu-tile=precision=P
                --npu-place-memory --npu-lower-to-isa
        | npu-translate --serialize-npu ; npu-run
      on random inputs and compares the chip's output with an independent
      reference (numpy matmul; torch conv2d/conv1d): fp32 within rtol 1e-3 /
      atol 1e-4, bf16 within 2e-2 relative L2 error. Prints one line per
      case; with --stats also the simulated cycles, the roofline bound and
      their ratio. Exits non-zero on any mismatch or tool failure.

  overlap [--target T] [--precision P] [--not-slower] CASE...
      Runs each case with and without double buffering and prints both
      simulated cycle counts; exits non-zero unless double buffering is
      faster (the DMA of tile i+1 really overlaps the compute of tile i),
      or with --not-slower unless it is at least as fast (small problems
      may have a single tile, where there is nothing to overlap).

  list
      Prints the case names.

The interpreter understands the ops the cases and the fuse tests use:
nn.constant (inline dense, splat or dense_resource blobs in the file),
matmul, gemm, conv, add, sub, mul, div, relu, clip, leaky_relu, sigmoid,
tanh, gelu.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

DTYPES = {"f32": np.float32, "f16": np.float16}

FUNC = re.compile(r'func\.func @(\w+)\((.*?)\) ->')
ARG = re.compile(r'(%\w+): (tensor<[^>]*>)')
OP = re.compile(r'(%\w+) = nn\.(\w+) (.*?)(?: \{(.*)\})? : (.*)$')
RETURN = re.compile(r'return (.*?) :')
ATTR = re.compile(r'(\w+) = (array<i64(?:: ([^>]*))?>|"[^"]*"|true|false|'
                  r'[-+0-9.eE]+(?: : \w+)?)')


def tensor_type(text):
    body = text[len("tensor<"):-1]
    *dims, element = body.split("x")
    return [int(d) for d in dims], DTYPES[element]


def attributes(text):
    attrs = {}
    for key, value, ints in ATTR.findall(text or ""):
        if value.startswith("array"):
            attrs[key] = [int(v) for v in ints.split(",") if v.strip()]
        elif value.startswith('"'):
            attrs[key] = value.strip('"')
        elif value in ("true", "false"):
            attrs[key] = value == "true"
        else:
            attrs[key] = float(value.split(":")[0])
    return attrs


def blobs(text):
    """dense_resource blobs of the file: name -> raw bytes (no alignment)."""
    found = {}
    for name, hexdata in re.findall(r'(\w+): "0x([0-9A-Fa-f]*)"', text):
        found[name] = bytes.fromhex(hexdata)[4:]
    return found


def conv_reference(x, w, b, attrs):
    """Independent conv reference: torch when available, else numpy."""
    spatial = x.ndim - 2
    strides = attrs.get("strides") or [1] * spatial
    dilations = attrs.get("dilations") or [1] * spatial
    pads = attrs.get("pads") or [0] * (2 * spatial)
    group = int(attrs.get("group", 1))
    try:
        import torch
        import torch.nn.functional as F
        xt = torch.from_numpy(x.astype(np.float64))
        pad = []
        for d in reversed(range(spatial)):
            pad += [pads[d], pads[spatial + d]]
        xt = F.pad(xt, pad)
        wt = torch.from_numpy(w.astype(np.float64))
        bt = None if b is None else torch.from_numpy(b.astype(np.float64))
        fn = F.conv2d if spatial == 2 else F.conv1d
        y = fn(xt, wt, bt, stride=strides, dilation=dilations, groups=group)
        return y.numpy()
    except ImportError:
        pass
    if spatial == 1:
        x, w = x[:, :, None, :], w[:, :, None, :]
        strides, dilations = [1] + strides, [1] + dilations
        pads = [0, pads[0], 0, pads[1]]
    x = np.pad(x.astype(np.float64),
               ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    oh = (h - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    y = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                win = x[:, g * cg:(g + 1) * cg,
                        i * dilations[0]:i * dilations[0] + strides[0] * oh:strides[0],
                        j * dilations[1]:j * dilations[1] + strides[1] * ow:strides[1]]
                y[:, g * mg:(g + 1) * mg] += np.einsum(
                    "nchw,mc->nmhw", win, w[g * mg:(g + 1) * mg, :, i, j])
    if b is not None:
        y += b[None, :, None, None]
    return y if spatial == 2 else y[:, :, 0, :]


def erf(v):
    return np.vectorize(math.erf)(v)


def evaluate_op(name, args, attrs):
    """One nn op in float64."""
    x = args[0]
    binary = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
              "div": np.divide}
    if name in binary:
        return binary[name](x, args[1])
    if name == "matmul":
        return np.matmul(x, args[1])
    if name == "gemm":
        a = x.T if attrs.get("trans_a") else x
        b = args[1].T if attrs.get("trans_b") else args[1]
        y = attrs.get("alpha", 1.0) * (a @ b)
        if len(args) > 2:
            y = y + attrs.get("beta", 1.0) * args[2]
        return y
    if name == "conv":
        return conv_reference(x, args[1], args[2] if len(args) > 2 else None,
                              attrs)
    if name == "relu":
        return np.maximum(x, 0)
    if name == "clip":
        return np.clip(x, attrs.get("min", -np.inf), attrs.get("max", np.inf))
    if name == "leaky_relu":
        return np.where(x < 0, attrs.get("alpha", 0.01) * x, x)
    if name == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if name == "tanh":
        return np.tanh(x)
    if name == "gelu":
        if attrs.get("approximate") == "tanh":
            return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) *
                                          (x + 0.044715 * x ** 3)))
        return 0.5 * x * (1 + erf(x / math.sqrt(2)))
    if name == "max_pool":
        import torch
        import torch.nn.functional as F
        pads = attrs.get("pads", [0, 0, 0, 0])
        xt = F.pad(torch.from_numpy(x), [pads[1], pads[3], pads[0], pads[2]],
                   value=-math.inf)
        return F.max_pool2d(xt, attrs["kernel_shape"],
                            attrs.get("strides", 1)).numpy()
    sys.exit(f"error: nn.{name} is not interpreted")


def parse_functions(text):
    """name -> (argument list [(name, shape)], op lines, returned value)."""
    functions, current = {}, None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("//"):
            continue
        if m := FUNC.search(line):
            args = [(a, tensor_type(t)) for a, t in ARG.findall(m.group(2))]
            current = functions.setdefault(m.group(1), [args, [], None])
        elif current and (m := OP.match(line)):
            current[1].append(m.groups())
        elif current and (m := RETURN.match(line)):
            current[2] = m.group(1).strip()
    return functions


def evaluate(text, name, inputs):
    """Evaluates function `name` of `text` on `inputs` (list, in order);
    returns the list of its results."""
    args, ops, returned = parse_functions(text)[name]
    resources = blobs(text)
    values = {}
    for index, ((arg, _), value) in enumerate(zip(args, inputs)):
        values[arg] = values[f"%arg{index}"] = value.astype(np.float64)
    for result, op, operands, attr_text, types in ops:
        result_type = types.split("->")[-1].strip()
        if op == "constant":
            shape, dtype = tensor_type(result_type)
            if m := re.match(r'dense_resource<(\w+)>', operands):
                data = np.frombuffer(resources[m.group(1)], dtype=dtype)
                values[result] = data.reshape(shape).astype(np.float64)
            else:
                literal = re.match(r'dense<(.*)>', operands).group(1)
                values[result] = np.broadcast_to(
                    np.array(eval(literal), dtype=np.float64), shape)
            continue
        operand_list = [values[a.strip()] for a in operands.split(",")]
        values[result] = evaluate_op(op, operand_list, attributes(attr_text))
    return [values[v.strip()] for v in returned.split(",")]


def random_inputs(args, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape).astype(dtype)
            for _, (shape, dtype) in args]


def fuse_check(before_path, after_path):
    before, after = open(before_path).read(), open(after_path).read()
    failed = False
    for name, (args, _, _) in parse_functions(before).items():
        inputs = random_inputs(args, len(name))
        expected = evaluate(before, name, inputs)
        got = evaluate(after, name, inputs)
        ok = len(got) == len(expected) and all(
            g.shape == e.shape and np.allclose(g, e, rtol=1e-5, atol=1e-5)
            for g, e in zip(got, expected))
        error = max(float(np.max(np.abs(g - e))) if g.shape == e.shape
                    else math.inf for g, e in zip(got, expected))
        print(f"{name}: {'match' if ok else 'MISMATCH'} "
              f"(max abs error {error:.2e})")
        failed |= not ok
    return 1 if failed else 0


#===------------------------------------------------------------------------===#
# End-to-end cases
#===------------------------------------------------------------------------===#

def blob_hex(values):
    data = np.ascontiguousarray(values, dtype=np.float32).tobytes()
    return "0x04000000" + data.hex().upper()


class Case:
    """A function @main(inputs) -> y built from nn ops with random weights."""

    def __init__(self, inputs, body, result, seed):
        self.inputs = inputs      # [(name, shape)]
        self.body = body          # callable(const) -> (lines, result value)
        self.result = result      # result shape
        self.seed = seed

    def mlir(self):
        rng = np.random.default_rng(self.seed)
        constants, resources = [], {}

        def const(shape, scale=1.0):
            name = f"w{len(resources)}"
            values = (rng.standard_normal(shape) * scale).astype(np.float32)
            resources[name] = values
            value = f"%{name}"
            constants.append(f"    {value} = nn.constant dense_resource<{name}> "
                             f": {ttype(shape)}")
            return value

        lines, out = self.body(const)
        args = ", ".join(f'%{n}: {ttype(s)} {{nn.name = "{n}"}}'
                         for n, s in self.inputs)
        text = [f"func.func @main({args}) -> "
                f'({ttype(self.result)} {{nn.name = "y"}}) {{']
        text += constants + [f"    {l}" for l in lines]
        text += [f"    return {out} : {ttype(self.result)}", "}"]
        if resources:
            text += ["{-#", "  dialect_resources: {", "    builtin: {"]
            text += [f'      {n}: "{blob_hex(v)}",' for n, v in resources.items()]
            text[-1] = text[-1].rstrip(",")
            text += ["    }", "  }", "#-}"]
        return "\n".join(text) + "\n"


def ttype(shape):
    return "tensor<" + "".join(f"{d}x" for d in shape) + "f32>"


def matmul_case(m, k, n, constant_b=True, batch_a=(), batch_b=(), act=None,
                bias=False, residual=False, seed=1):
    a_shape = list(batch_a) + [m, k]
    b_shape = list(batch_b) + [k, n]
    out_batch = list(np.broadcast_shapes(tuple(batch_a), tuple(batch_b)))
    out = out_batch + [m, n]
    inputs = [("a", a_shape)] + ([] if constant_b else [("b", b_shape)])

    def body(const):
        b = const(b_shape, 1 / math.sqrt(k)) if constant_b else "%b"
        lines = [f"%mm = nn.matmul %a, {b} : ({ttype(a_shape)}, "
                 f"{ttype(b_shape)}) -> {ttype(out)}"]
        value = "%mm"
        if bias:
            c = const([n])
            lines.append(f"%biased = nn.add {value}, {c} : ({ttype(out)}, "
                         f"{ttype([n])}) -> {ttype(out)}")
            value = "%biased"
        if residual:  # out has a's shape: add the input back.
            lines.append(f"%res = nn.add %a, {value} : ({ttype(out)}, "
                         f"{ttype(out)}) -> {ttype(out)}")
            value = "%res"
        if act:
            lines.append(f"%act = nn.{act} {value} : {ttype(out)}")
            value = "%act"
        return lines, value
    return Case(inputs, body, out, seed)


def gemm_case(m, k, n, trans_a=False, trans_b=False, alpha=1.0, beta=1.0,
              c_shape=None, constant_b=True, constant_c=True, seed=2):
    a_shape = [k, m] if trans_a else [m, k]
    b_shape = [n, k] if trans_b else [k, n]
    inputs = [("a", a_shape)]
    if not constant_b:
        inputs.append(("b", b_shape))
    if c_shape is not None and not constant_c:
        inputs.append(("c", c_shape))

    def body(const):
        b = const(b_shape, 1 / math.sqrt(k)) if constant_b else "%b"
        operands, types = f"%a, {b}", f"{ttype(a_shape)}, {ttype(b_shape)}"
        if c_shape is not None:
            c = const(c_shape) if constant_c else "%c"
            operands += f", {c}"
            types += f", {ttype(c_shape)}"
        attrs = [f"alpha = {alpha:e} : f32", f"beta = {beta:e} : f32"]
        if trans_a:
            attrs.append("trans_a = true")
        if trans_b:
            attrs.append("trans_b = true")
        return [f"%y = nn.gemm {operands} {{{', '.join(attrs)}}} : ({types}) "
                f"-> {ttype([m, n])}"], "%y"
    return Case(inputs, body, [m, n], seed)


def conv_case(n, c, hw, m, kernel, strides=None, pads=None, dilations=None,
              group=1, bias=True, act=None, residual=False, pool=None,
              seed=3):
    spatial = len(hw)
    strides = strides or [1] * spatial
    pads = pads or [0] * (2 * spatial)
    dilations = dilations or [1] * spatial
    out_hw = [(hw[d] + pads[d] + pads[spatial + d] -
               dilations[d] * (kernel[d] - 1) - 1) // strides[d] + 1
              for d in range(spatial)]
    x_shape, w_shape = [n, c] + list(hw), [m, c // group] + list(kernel)
    out = [n, m] + out_hw
    # pool = (kernel, stride, pad): a square max_pool of the result.
    pooled = out if pool is None else [n, m] + [
        (size + 2 * pool[2] - pool[0]) // pool[1] + 1 for size in out_hw]

    def body(const):
        fan_in = (c // group) * int(np.prod(kernel))
        w = const(w_shape, 1 / math.sqrt(fan_in))
        operands, types = f"%x, {w}", f"{ttype(x_shape)}, {ttype(w_shape)}"
        if bias:
            operands += f", {const([m])}"
            types += f", {ttype([m])}"
        def arr(v):
            return "array<i64: " + ", ".join(map(str, v)) + ">"
        attrs = (f"{{dilations = {arr(dilations)}, group = {group} : i64, "
                 f"pads = {arr(pads)}, strides = {arr(strides)}}}")
        lines = [f"%conv = nn.conv {operands} {attrs} : ({types}) -> {ttype(out)}"]
        value = "%conv"
        if residual:  # out has x's shape: add the input back (ResNet).
            lines.append(f"%res = nn.add {value}, %x : ({ttype(out)}, "
                         f"{ttype(out)}) -> {ttype(out)}")
            value = "%res"
        if act:
            lines.append(f"%act = nn.{act} {value} : {ttype(out)}")
            value = "%act"
        if pool:
            k, st, pd = pool
            lines.append(
                f"%pool = nn.max_pool {value} {{kernel_shape = array<i64: "
                f"{k}, {k}>, pads = array<i64: {pd}, {pd}, {pd}, {pd}>, "
                f"strides = array<i64: {st}, {st}>}} : ({ttype(out)}) -> "
                f"{ttype(pooled)}")
            value = "%pool"
        return lines, value
    return Case([("x", x_shape)], body, pooled, seed)


CASES = {
    # Shapes that are not multiples of the tiles, constant and runtime B.
    "matmul_odd": matmul_case(37, 200, 70),
    "matmul_runtime_b": matmul_case(45, 130, 150, constant_b=False),
    "matmul_batched": matmul_case(9, 40, 33, constant_b=False,
                                  batch_a=(2, 3), batch_b=(3,)),
    "matmul_folded_batch": matmul_case(17, 64, 48, batch_a=(3,)),
    "matmul_vector": matmul_case(1, 300, 10, bias=True),
    "matmul_bias_gelu": matmul_case(20, 96, 40, bias=True, act="gelu"),
    "matmul_1024": matmul_case(1024, 1024, 1024),
    # A 100000-way classifier: on npu-tiny its bias rows (400 KB) do not
    # fit SRAM beside the tiles and are loaded with each output tile.
    "matmul_wide_bias": matmul_case(3, 8, 100000, bias=True),
    "gemm_trans": gemm_case(33, 70, 50, trans_a=True, trans_b=True,
                            alpha=0.5, beta=2.0, c_shape=[50]),
    "gemm_runtime": gemm_case(40, 50, 60, trans_b=True, alpha=1.5, beta=-0.5,
                              c_shape=[40, 60], constant_b=False,
                              constant_c=False),
    "gemm_column_c": gemm_case(21, 30, 19, beta=0.25, c_shape=[21, 1]),
    "conv_stride_pad": conv_case(1, 5, (17, 19), 12, (3, 3), strides=[2, 2],
                                 pads=[1, 1, 1, 1]),
    "conv_dilation": conv_case(2, 8, (12, 11), 6, (3, 2), dilations=[2, 3],
                               pads=[2, 1, 0, 2]),
    "conv_groups": conv_case(1, 12, (9, 9), 18, (3, 3), group=3,
                             pads=[1, 1, 1, 1]),
    "conv_depthwise": conv_case(1, 16, (10, 12), 16, (3, 3), group=16,
                                strides=[1, 2], pads=[1, 1, 1, 1], act="relu"),
    # Depthwise with many channels: channels across the VPU lanes (with few
    # channels, conv_depthwise, they go down the rows instead).
    "conv_depthwise_many_channels": conv_case(1, 256, (6, 7), 256, (3, 3),
                                              group=256, strides=[2, 1],
                                              pads=[1, 1, 1, 1], act="relu"),
    # A depthwise kernel so large (47 x 47) that on npu-tiny its weight
    # rows fit SRAM only a group of kernel positions at a time.
    "conv_depthwise_huge_kernel": conv_case(1, 8, (6, 6), 8, (47, 47),
                                            group=8, pads=[23, 23, 23, 23]),
    "conv_relu": conv_case(1, 3, (28, 28), 16, (7, 7), strides=[2, 2],
                           pads=[3, 3, 3, 3], act="relu"),
    "conv_1x1": conv_case(2, 64, (7, 7), 130, (1, 1), act="clip"),
    "conv_1d": conv_case(2, 6, (30,), 10, (5,), strides=[2], pads=[2, 1]),
    # 32 channels: k-slices of whole kernel positions whose padding is
    # zero-filled row by row (partial fills), stride 2 and pad 1.
    "conv_border_fill": conv_case(1, 32, (9, 11), 40, (3, 3), strides=[2, 1],
                                  pads=[1, 1, 1, 1]),
    # A ResNet layer2 conv (bias, residual, relu): big enough for the
    # overlap check.
    "conv_layer2": conv_case(1, 128, (28, 28), 128, (3, 3), pads=[1, 1, 1, 1],
                             act="relu", residual=True),
    # More input channels than the array has rows (npu-base: blocks of 128
    # and 32 channels; npu-tiny: five blocks of 32), K ordered by block.
    "conv_channel_blocks": conv_case(1, 160, (7, 9), 40, (3, 3),
                                     pads=[1, 1, 1, 1], act="relu"),
    # Few output channels: adjacent output positions share an im2col row
    # (packed), two images, an odd row width (the last group of positions
    # is partial), a residual gathered into the packed layout.
    "conv_packed_residual": conv_case(2, 16, (5, 7), 16, (3, 3),
                                      pads=[1, 1, 1, 1], act="relu",
                                      residual=True),
    # Few output positions (ResNet's last stage): the conv is computed
    # transposed (positions in the array, output channels streamed as rows;
    # npu-tiny: 30 positions in its 32 columns), two images, a residual.
    "conv_transposed": conv_case(2, 40, (3, 5), 40, (3, 3), pads=[1, 1, 1, 1],
                                 act="relu", residual=True),
    # A stem: conv, relu, 3x3 stride-2 max_pool; the pooling is emitted by
    # the conv kernel, band by band as the conv stores its rows.
    "conv_relu_pool": conv_case(1, 3, (36, 34), 16, (5, 5), strides=[2, 2],
                                pads=[2, 2, 2, 2], act="relu",
                                pool=(3, 2, 1)),
    # Dilation where positions are not packed: computed transposed (18
    # positions; the ONNX test_Conv2d_dilated shape) and as plain im2col
    # (80 output channels are too many to pack, 400 positions too many to
    # transpose).
    "conv_dilated_transposed": conv_case(2, 3, (8, 8), 2, (3, 3),
                                         strides=[2, 2], pads=[1, 1, 1, 1],
                                         dilations=[2, 2]),
    "conv_dilated_unpacked": conv_case(1, 4, (20, 20), 80, (3, 3),
                                       pads=[2, 2, 2, 2], dilations=[2, 2]),
    # Residual adds (ResNet, transformer) fused into the epilogue.
    "conv_residual": conv_case(1, 24, (14, 14), 24, (3, 3), pads=[1, 1, 1, 1],
                               act="relu", residual=True),
    "matmul_residual": matmul_case(30, 64, 64, batch_a=(2,), bias=True,
                                   residual=True),
}


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stderr}")
    return result


def run_case(name, case, args, workdir):
    text = case.mlir()
    if name == "conv_1x1":  # clip needs bounds: relu6.
        text = text.replace("nn.clip %conv", "nn.clip %conv {max = 6.0 : f32, "
                            "min = 0.0 : f32}")
    source = os.path.join(workdir, f"{name}.mlir")
    open(source, "w").write(text)
    isa = os.path.join(workdir, f"{name}.isa.mlir")
    run(["npu-opt", source, f"--npu-set-target=target={args.target}",
         "--nn-fuse",
         f"--npu-tile=precision={args.precision} "
         f"double-buffer={'true' if args.double_buffer else 'false'}",
         "--npu-place-memory", "--npu-lower-to-isa", "-o", isa])
    binary = os.path.join(workdir, f"{name}.npu")
    run(["npu-translate", "--serialize-npu", isa, "-o", binary])
    inputs = random_inputs([(n, (s, np.float32)) for n, s in case.inputs],
                           case.seed)
    command = ["npu-run", binary]
    for (input_name, _), value in zip(case.inputs, inputs):
        path = os.path.join(workdir, f"{name}.{input_name}.npy")
        np.save(path, value)
        command += ["--input", f"{input_name}={path}"]
    out_path = os.path.join(workdir, f"{name}.y.npy")
    stats_path = os.path.join(workdir, f"{name}.stats.json")
    command += ["--output", f"y={out_path}", "--stats-json", stats_path]
    run(command)
    got = np.load(out_path).astype(np.float64)
    expected = evaluate(text, "main", inputs)[0]
    if got.shape != expected.shape:
        return False, f"shape {got.shape}, expected {expected.shape}"
    if args.precision == "bf16":
        rel = float(np.linalg.norm(got - expected) /
                    max(np.linalg.norm(expected), 1e-30))
        ok = rel < 2e-2
        detail = f"relative L2 error {rel:.2e}"
    else:
        error = np.abs(got - expected)
        ok = bool(np.all(error <= 1e-4 + 1e-3 * np.abs(expected)))
        detail = f"max abs error {float(error.max()):.2e}"
    if args.stats:
        import json
        stats = json.load(open(stats_path))
        cycles = stats["total_cycles"]
        bound = stats["lower_bound_cycles"]
        detail += (f", cycles {cycles}, bound {bound}, "
                   f"bound/cycles {bound / cycles:.3f}")
    return ok, detail


def cycles_of(name, args, workdir, double_buffer):
    args.double_buffer, args.stats = double_buffer, True
    ok, detail = run_case(name, CASES[name], args, workdir)
    if not ok:
        raise RuntimeError(f"{name} is wrong: {detail}")
    return int(re.search(r"cycles (\d+)", detail).group(1))


def overlap_check(args):
    workdir = tempfile.mkdtemp(prefix="mxu_overlap_")
    failed = False
    for name in args.cases:
        try:
            single = cycles_of(name, args, workdir, False)
            double = cycles_of(name, args, workdir, True)
        except RuntimeError as error:
            print(f"{name}: FAILED ({error})")
            failed = True
            continue
        if args.not_slower:
            ok = double <= single
            verdict = "not slower" if ok else "SLOWER"
        else:
            ok = double < single
            verdict = "faster" if ok else "NOT FASTER"
        print(f"{name}: double buffering {verdict} "
              f"({double} vs {single} cycles, {single / double:.2f}x)")
        failed |= not ok
    return 1 if failed else 0


def run_cases(args):
    workdir = args.keep or tempfile.mkdtemp(prefix="mxu_e2e_")
    os.makedirs(workdir, exist_ok=True)
    failed = False
    for name in args.cases:
        try:
            ok, detail = run_case(name, CASES[name], args, workdir)
        except RuntimeError as error:
            ok, detail = False, str(error)
        print(f"{name}: {'ok' if ok else 'MISMATCH'} ({detail})")
        sys.stdout.flush()
        failed |= not ok
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    fuse = sub.add_parser("fuse")
    fuse.add_argument("before")
    fuse.add_argument("after")
    runner = sub.add_parser("run")
    runner.add_argument("--target", default="npu-base")
    runner.add_argument("--precision", choices=["fp32", "bf16"],
                        default="fp32")
    runner.add_argument("--double-buffer", type=lambda v: v == "true",
                        default=True)
    runner.add_argument("--keep", help="directory for the intermediate files")
    runner.add_argument("--stats", action="store_true")
    runner.add_argument("cases", nargs="+", choices=sorted(CASES))
    overlap = sub.add_parser("overlap")
    overlap.add_argument("--target", default="npu-base")
    overlap.add_argument("--precision", choices=["fp32", "bf16"],
                         default="bf16")
    overlap.add_argument("--not-slower", action="store_true")
    overlap.add_argument("cases", nargs="+", choices=sorted(CASES))
    sub.add_parser("list")
    args = parser.parse_args()
    if args.command == "fuse":
        return fuse_check(args.before, args.after)
    if args.command == "overlap":
        return overlap_check(args)
    if args.command == "list":
        print("\n".join(CASES))
        return 0
    return run_cases(args)


if __name__ == "__main__":
    sys.exit(main())
