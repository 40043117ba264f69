#!/usr/bin/env python3
"""Checks nn.dropout on the simulated chip: the mask is the specified
counter-based one and behaves like independent coin flips.

Usage: dropout_check.py WORKDIR [--target T] [--precision fp32|bf16]
       [--shape 8x16x24x24] [--ratio 0.3] [--steps 6]

Compiles @main(x, seed) = nn.dropout(x, seed) with two layer keys
(npu-opt --npu-compile-pipeline, npu-translate, tools from PATH) and runs it
on x = 1 + |N(0, 1)| for the step seeds 0, 1, ..., steps-1. Checks, with
fixed seeds (so the outcome is deterministic, never flaky):
  - exact: every output equals x * keep / (1 - ratio) with keep the mask of
    grad_check.dropout_keep (the generator of docs/training.md) (bf16: the
    mask matches exactly, the values within bf16 rounding);
  - keep rate of every step within 6 binomial standard deviations of
    1 - ratio;
  - independence: the correlation of the masks of consecutive steps (same
    elements), of the two keys (same step), and of neighbouring elements
    along the last axis, the rows, the channels and the images is below
    6 / sqrt(n) in magnitude (for independent masks it is ~N(0, 1/n)).
Prints each figure; exits 1 when one check fails.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

import grad_check


def ttype(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def compile_dropout(workdir, shape, ratio, key, target, precision):
    source = os.path.join(workdir, f"dropout{key}.mlir")
    t = ttype(shape)
    open(source, "w").write(
        f'func.func @main(%x: {t} {{nn.name = "x"}}, '
        f'%seed: tensor<i64> {{nn.name = "seed"}}) -> ({t} {{nn.name = "y"}}) {{\n'
        f'  %y = nn.dropout %x, %seed {{ratio = {ratio} : f32, key = {key}}} '
        f': ({t}, tensor<i64>) -> {t}\n'
        f'  return %y : {t}\n}}\n')
    isa = subprocess.run(
        ["npu-opt", source, f"--npu-compile-pipeline=target={target} "
         f"precision={precision}"], check=True, capture_output=True,
        text=True).stdout
    binary = os.path.join(workdir, f"dropout{key}.npu")
    subprocess.run(["npu-translate", "--serialize-npu", "-o", binary],
                   input=isa, check=True, text=True)
    return binary


def run(workdir, binary, x, seed):
    np.save(os.path.join(workdir, "x.npy"), x)
    np.save(os.path.join(workdir, "seed.npy"), np.array(seed, dtype=np.int32))
    out = os.path.join(workdir, "y.npy")
    subprocess.run(["npu-run", binary,
                    "--input", f"x={workdir}/x.npy",
                    "--input", f"seed={workdir}/seed.npy",
                    "--output", f"y={out}"], check=True,
                   stdout=subprocess.DEVNULL)
    return np.load(out)


def correlation(a, b):
    a = a.astype(np.float64) - a.mean()
    b = b.astype(np.float64) - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("workdir")
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--shape", default="8x16x24x24")
    parser.add_argument("--ratio", type=float, default=0.3)
    parser.add_argument("--steps", type=int, default=6)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    shape = [int(d) for d in args.shape.split("x")]
    keys = (11, 12)
    binaries = {key: compile_dropout(args.workdir, shape, args.ratio, key,
                                     args.target, args.precision)
                for key in keys}
    x = (1 + np.abs(np.random.default_rng(0).standard_normal(shape))).astype(
        np.float32)
    scale = np.float32(1) / np.float32(1 - np.float32(args.ratio))
    ok = True
    masks = {}
    for key in keys:
        for step in range(args.steps):
            y = run(args.workdir, binaries[key], x, step)
            keep = grad_check.dropout_keep(shape, float(step), args.ratio, key)
            got = y != 0
            expected = np.where(keep, x * scale, 0).astype(np.float32)
            if args.precision == "fp32":
                exact = np.array_equal(y, expected)
            else:
                exact = np.array_equal(got, keep) and np.allclose(
                    y, expected, rtol=2 ** -7, atol=0)
            if not exact:
                print(f"key {key} step {step}: MISMATCH with the specified "
                      f"mask ({int((got != keep).sum())} elements differ)")
                ok = False
            masks[key, step] = got
    n = int(np.prod(shape))
    sigma = np.sqrt(args.ratio * (1 - args.ratio) / n)
    bound = 6 / np.sqrt(n)
    for step in range(args.steps):
        rate = masks[keys[0], step].mean()
        good = abs(rate - (1 - args.ratio)) < 6 * sigma
        ok &= good
        print(f"step {step}: keep rate {rate:.4f} "
              f"({'ok' if good else 'OFF'}, expected {1 - args.ratio:.4f} "
              f"+- {6 * sigma:.4f})")
    checks = []
    for step in range(args.steps - 1):
        checks.append((f"steps {step},{step + 1}", masks[keys[0], step],
                       masks[keys[0], step + 1]))
    checks.append(("keys", masks[keys[0], 0], masks[keys[1], 0]))
    mask = masks[keys[0], 0]
    for axis, name in enumerate(["images", "channels", "rows", "columns"]):
        if mask.shape[axis] > 1:
            checks.append((f"neighbouring {name}",
                           np.take(mask, range(mask.shape[axis] - 1), axis),
                           np.take(mask, range(1, mask.shape[axis]), axis)))
    for name, a, b in checks:
        r = correlation(a, b)
        good = abs(r) < 6 / np.sqrt(a.size)
        ok &= good
        print(f"correlation of {name}: {r:+.4f} "
              f"({'ok' if good else 'CORRELATED'}, bound {bound:.4f})")
    print("dropout: ok" if ok else "dropout: FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
