#!/usr/bin/env python3
"""Numerical end-to-end checks of the chip kernels of nn.conv_transpose and
of nn.conv with runtime weights (the convolutions of a training step).

Usage: conv_transpose_check.py [--target T] [--precision fp32|bf16]
       [--double-buffer true|false] [--stats] [--keep DIR] CASE...
       conv_transpose_check.py list

Each case is a one-op function @main (weights either nn.constant blobs or
runtime inputs) compiled through
  npu-opt --npu-set-target=target=T --nn-fuse --npu-tile=precision=P
          --npu-place-memory --npu-lower-to-isa | npu-translate --serialize-npu
and run by npu-run on random inputs. The reference is a direct float64
transcription of the ONNX definitions in numpy (every input position times
every kernel tap added to its output position, independent of the kernel's
phase decomposition), checked against torch where torch has the same
operator. fp32 must match within rtol 1e-4 / atol 1e-5, bf16 within 1e-2
relative L2 error. Prints one line per case; exits non-zero on a mismatch.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import torch

from mxu_e2e_check import blob_hex, run, ttype


def arr(values):
    return "array<i64: " + ", ".join(map(str, values)) + ">"


def conv_transpose_reference(x, w, b, strides, pads, dilations, out_spatial,
                             group):
    """out[n, g*mg+m, o] += x[n, g*cg+c, i] * w[g*cg+c, m, k] where
    o = i*stride + k*dilation - pad_begin, for every in-range o."""
    spatial = x.ndim - 2
    n, c = x.shape[:2]
    mg = w.shape[1]
    cg = c // group
    out = np.zeros((n, mg * group) + tuple(out_spatial))
    for tap in np.ndindex(*w.shape[2:]):
        src, dst = [], []
        for d in range(spatial):
            i = np.arange(x.shape[2 + d])
            o = i * strides[d] + tap[d] * dilations[d] - pads[d]
            keep = (o >= 0) & (o < out_spatial[d])
            src.append(i[keep])
            dst.append(o[keep])
        for g in range(group):
            window = x[:, g * cg:(g + 1) * cg][(Ellipsis,) + np.ix_(*src)]
            taps = w[(slice(g * cg, (g + 1) * cg), slice(None)) + tap]
            out[(slice(None), slice(g * mg, (g + 1) * mg)) + np.ix_(*dst)] += \
                np.einsum("nc...,cm->nm...", window.astype(np.float64),
                          taps.astype(np.float64))
    if b is not None:
        out += b.reshape((1, -1) + (1,) * spatial)
    return out


def conv_reference(x, w, b, strides, pads, dilations, group):
    spatial = x.ndim - 2
    pad = []
    for d in reversed(range(spatial)):
        pad += [pads[d], pads[spatial + d]]
    xt = torch.nn.functional.pad(torch.from_numpy(x.astype(np.float64)), pad)
    fn = torch.nn.functional.conv2d if spatial == 2 else \
        torch.nn.functional.conv1d
    y = fn(xt, torch.from_numpy(w.astype(np.float64)),
           None if b is None else torch.from_numpy(b.astype(np.float64)),
           stride=strides, dilation=dilations, groups=group)
    return y.numpy()


class Case:
    """One nn.conv_transpose (or nn.conv) with its operands."""

    def __init__(self, op, n, c, hw, m, kernel, strides=None, pads=None,
                 dilations=None, output_padding=None, group=1, bias=True,
                 runtime_weights=False, weights="random", act=None,
                 residual=False, seed=1):
        spatial = len(hw)
        self.op, self.group, self.act, self.residual = op, group, act, residual
        self.strides = strides or [1] * spatial
        self.pads = pads or [0] * (2 * spatial)
        self.dilations = dilations or [1] * spatial
        self.output_padding = output_padding or [0] * spatial
        self.x_shape = [n, c] + list(hw)
        if op == "conv_transpose":
            self.w_shape = [c, m // group] + list(kernel)
            out = [self.strides[d] * (hw[d] - 1) + self.output_padding[d] +
                   self.dilations[d] * (kernel[d] - 1) + 1 - self.pads[d] -
                   self.pads[spatial + d] for d in range(spatial)]
        else:
            self.w_shape = [m, c // group] + list(kernel)
            out = [(hw[d] + self.pads[d] + self.pads[spatial + d] -
                    self.dilations[d] * (kernel[d] - 1) - 1) //
                   self.strides[d] + 1 for d in range(spatial)]
        self.out_shape = [n, m] + out
        self.bias, self.runtime = bias, runtime_weights
        rng = np.random.default_rng(seed)
        fan_in = int(np.prod(self.w_shape[1:]))
        if weights == "ones":
            self.w = np.ones(self.w_shape)
        elif weights == "onehot":  # one at kernel position (1, 2) only
            self.w = np.zeros(self.w_shape)
            self.w[:, :, 1, 2] = 1
        else:
            self.w = rng.standard_normal(self.w_shape) / np.sqrt(fan_in)
        self.w = self.w.astype(np.float32)
        self.b = rng.standard_normal(m).astype(np.float32) if bias else None
        self.x = rng.standard_normal(self.x_shape).astype(np.float32)
        self.r = rng.standard_normal(self.out_shape).astype(np.float32)

    def inputs(self):
        named = [("x", self.x)]
        if self.runtime:
            named.append(("w", self.w))
        if self.residual:
            named.append(("r", self.r))
        return named

    def mlir(self):
        args = [f'%x: {ttype(self.x_shape)} {{nn.name = "x"}}']
        lines, resources = [], {}
        if self.runtime:
            args.append(f'%w: {ttype(self.w_shape)} {{nn.name = "w"}}')
        else:
            resources["weight"] = self.w
            lines.append(f"%w = nn.constant dense_resource<weight> : "
                         f"{ttype(self.w_shape)}")
        if self.residual:
            args.append(f'%r: {ttype(self.out_shape)} {{nn.name = "r"}}')
        operands, types = "%x, %w", f"{ttype(self.x_shape)}, {ttype(self.w_shape)}"
        if self.bias:
            resources["bias"] = self.b
            lines.append(f"%b = nn.constant dense_resource<bias> : "
                         f"{ttype([self.out_shape[1]])}")
            operands += ", %b"
            types += f", {ttype([self.out_shape[1]])}"
        attrs = [f"dilations = {arr(self.dilations)}",
                 f"group = {self.group} : i64", f"pads = {arr(self.pads)}",
                 f"strides = {arr(self.strides)}"]
        if self.op == "conv_transpose":
            attrs.append(f"output_padding = {arr(self.output_padding)}")
        out = ttype(self.out_shape)
        lines.append(f"%y0 = nn.{self.op} {operands} {{{', '.join(attrs)}}} : "
                     f"({types}) -> {out}")
        value = "%y0"
        if self.residual:
            lines.append(f"%y1 = nn.add {value}, %r : ({out}, {out}) -> {out}")
            value = "%y1"
        if self.act:
            lines.append(f"%y2 = nn.{self.act} {value} : {out}")
            value = "%y2"
        text = [f"func.func @main({', '.join(args)}) -> "
                f'({out} {{nn.name = "y"}}) {{']
        text += [f"  {line}" for line in lines]
        text += [f"  return {value} : {out}", "}"]
        if resources:
            text += ["{-#", "  dialect_resources: {", "    builtin: {"]
            text += [f'      {k}: "{blob_hex(v)}",' for k, v in resources.items()]
            text[-1] = text[-1].rstrip(",")
            text += ["    }", "  }", "#-}"]
        return "\n".join(text) + "\n"

    def expected(self):
        if self.op == "conv_transpose":
            y = conv_transpose_reference(self.x, self.w, self.b, self.strides,
                                         self.pads, self.dilations,
                                         self.out_shape[2:], self.group)
            self.check_against_torch(y)
        else:
            y = conv_reference(self.x, self.w, self.b, self.strides, self.pads,
                               self.dilations, self.group)
        if self.residual:
            y = y + self.r
        if self.act == "relu":
            y = np.maximum(y, 0)
        return y

    def check_against_torch(self, y):
        """The numpy reference agrees with torch's conv_transpose where
        torch can express the case (symmetric pads)."""
        spatial = len(self.strides)
        if list(self.pads[:spatial]) != list(self.pads[spatial:]):
            return
        fn = torch.nn.functional.conv_transpose2d if spatial == 2 else \
            torch.nn.functional.conv_transpose1d
        t = fn(torch.from_numpy(self.x.astype(np.float64)),
               torch.from_numpy(self.w.astype(np.float64)),
               None if self.b is None else
               torch.from_numpy(self.b.astype(np.float64)),
               stride=self.strides, padding=self.pads[:spatial],
               output_padding=self.output_padding, groups=self.group,
               dilation=self.dilations).numpy()
        if not np.allclose(t, y, rtol=1e-9, atol=1e-9):
            sys.exit("error: the numpy reference disagrees with torch")


CASES = {
    # Strides with output_padding, asymmetric pads, bias.
    "ct_stride_pad": Case("conv_transpose", 2, 6, (7, 9), 5, (3, 3),
                          strides=[2, 2], pads=[1, 1, 0, 1],
                          output_padding=[1, 0]),
    "ct_dilation": Case("conv_transpose", 1, 4, (6, 5), 6, (3, 2),
                        strides=[1, 2], pads=[2, 0, 1, 1],
                        dilations=[2, 3], output_padding=[0, 1]),
    "ct_groups": Case("conv_transpose", 2, 8, (5, 6), 12, (3, 3),
                      strides=[2, 2], group=4, bias=False),
    # More than one k- and n-tile on npu-tiny (32x32 array) and npu-base.
    "ct_wide": Case("conv_transpose", 1, 150, (6, 6), 140, (3, 3),
                    pads=[1, 1, 1, 1], act="relu"),
    "ct_runtime_weights": Case("conv_transpose", 2, 20, (5, 7), 36, (3, 3),
                               strides=[2, 2], output_padding=[1, 1],
                               runtime_weights=True),
    "ct_residual": Case("conv_transpose", 1, 16, (8, 8), 24, (4, 4),
                        strides=[2, 2], pads=[1, 1, 1, 1], act="relu",
                        residual=True),
    # Stride 3, kernel 2: a third of the output rows and columns get no tap
    # (bias only).
    "ct_unreached": Case("conv_transpose", 1, 3, (4, 5), 4, (2, 2),
                         strides=[3, 3]),
    "ct_1d": Case("conv_transpose", 2, 6, (11,), 7, (5,), strides=[3],
                  pads=[2, 1], output_padding=[2]),
    # Depthwise (VPU): random weights, bias, relu; the max-pool gradient's
    # unit 2x2 stride-2 kernel (a pure copy); overlapping unit windows
    # (avg-pool gradient); runtime depthwise weights.
    "ct_depthwise": Case("conv_transpose", 2, 16, (6, 7), 16, (3, 3),
                         strides=[2, 2], pads=[1, 1, 1, 1], group=16,
                         act="relu"),
    "ct_unit_spread": Case("conv_transpose", 2, 8, (5, 5), 8, (2, 2),
                           strides=[2, 2], output_padding=[1, 1], group=8,
                           bias=False, weights="ones"),
    "ct_unit_overlap": Case("conv_transpose", 1, 10, (6, 6), 10, (3, 3),
                            strides=[2, 2], pads=[1, 1, 1, 1], group=10,
                            bias=False, weights="ones"),
    # The overlapping max-pool gradient's one-hot spread: the zero kernel
    # rows and columns are dropped, leaving a DMA-only copy.
    "ct_onehot": Case("conv_transpose", 2, 6, (4, 4), 6, (3, 3),
                      strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1],
                      group=6, bias=False, weights="onehot"),
    "ct_depthwise_runtime": Case("conv_transpose", 1, 12, (5, 5), 12, (3, 3),
                                 strides=[2, 1], group=12,
                                 runtime_weights=True),
    # nn.conv with runtime weights: a training step's forward conv and the
    # weight gradient's conv whose kernel is nearly as large as its input.
    "conv_runtime_weights": Case("conv", 2, 10, (9, 11), 20, (3, 3),
                                 strides=[2, 1], pads=[1, 1, 1, 0],
                                 runtime_weights=True),
    "conv_weight_grad": Case("conv", 3, 4, (12, 12), 5, (10, 10), bias=False,
                             runtime_weights=True),
    "conv_runtime_groups": Case("conv", 1, 12, (7, 7), 18, (3, 3), group=3,
                                pads=[1, 1, 1, 1], runtime_weights=True),
}


def run_case(name, case, args, workdir):
    source = os.path.join(workdir, f"{name}.mlir")
    open(source, "w").write(case.mlir())
    isa = os.path.join(workdir, f"{name}.isa.mlir")
    run(["npu-opt", source, f"--npu-set-target=target={args.target}",
         "--nn-fuse",
         f"--npu-tile=precision={args.precision} "
         f"double-buffer={'true' if args.double_buffer else 'false'}",
         "--npu-place-memory", "--npu-lower-to-isa", "-o", isa])
    binary = os.path.join(workdir, f"{name}.npu")
    run(["npu-translate", "--serialize-npu", isa, "-o", binary])
    command = ["npu-run", binary]
    for input_name, value in case.inputs():
        path = os.path.join(workdir, f"{name}.{input_name}.npy")
        np.save(path, value)
        command += ["--input", f"{input_name}={path}"]
    out_path = os.path.join(workdir, f"{name}.y.npy")
    stats_path = os.path.join(workdir, f"{name}.stats.json")
    command += ["--output", f"y={out_path}", "--stats-json", stats_path]
    run(command)
    got = np.load(out_path).astype(np.float64)
    expected = case.expected()
    if got.shape != expected.shape:
        return False, f"shape {got.shape}, expected {expected.shape}"
    if args.precision == "bf16":
        rel = float(np.linalg.norm(got - expected) /
                    max(np.linalg.norm(expected), 1e-30))
        ok, detail = rel < 1e-2, f"relative L2 error {rel:.2e}"
    else:
        error = np.abs(got - expected)
        ok = bool(np.all(error <= 1e-5 + 1e-4 * np.abs(expected)))
        detail = f"max abs error {float(error.max()):.2e}"
    if args.stats:
        import json
        stats = json.load(open(stats_path))
        cycles, bound = stats["total_cycles"], stats["lower_bound_cycles"]
        detail += (f", cycles {cycles}, bound {bound}, "
                   f"bound/cycles {bound / cycles:.3f}")
    return ok, detail


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--precision", choices=["fp32", "bf16"],
                        default="fp32")
    parser.add_argument("--double-buffer", type=lambda v: v == "true",
                        default=True)
    parser.add_argument("--stats", action="store_true")
    parser.add_argument("--keep", help="directory for the intermediate files")
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args()
    if args.cases == ["list"]:
        print("\n".join(CASES))
        return 0
    workdir = args.keep or tempfile.mkdtemp(prefix="conv_transpose_")
    os.makedirs(workdir, exist_ok=True)
    failed = False
    for name in args.cases:
        if name not in CASES:
            sys.exit(f"error: unknown case '{name}' (see 'list')")
        try:
            ok, detail = run_case(name, CASES[name], args, workdir)
        except RuntimeError as error:
            ok, detail = False, str(error)
        print(f"{name}: {'ok' if ok else 'MISMATCH'} ({detail})")
        sys.stdout.flush()
        failed |= not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
