#!/usr/bin/env python3
"""Runs an nn-autodiff gradient function on the simulated chip and compares
its outputs with the float64 evaluation of the same IR (grad_check.py).

Usage: grad_chip_check.py GRAD.mlir WORKDIR [--func forward] [--precision fp32]
       [--target npu-base] [--rtol R] [--metric max|l2] [--init normal|fan-in]
       [--stats]

GRAD.mlir is `npu-opt --nn-autodiff --mlir-print-op-generic` output. The
`@<func>_grad` function alone, renamed @main, is compiled with
`npu-opt --npu-compile-pipeline`, serialized with npu-translate and run with
npu-run (tools from PATH) on random inputs (floats ~ N(0, 1), integer args
uniform in [0, 4) as int32; with --init fan-in, the weights of a network
keep activations near unit scale: every argument but the last two that is
a conv weight [M, C, k...] is divided by sqrt(C k...), a matrix [K, N] by
sqrt(K)). Prints each output's max abs error relative to
its largest reference magnitude (--metric max) or its relative L2 error
(--metric l2); exits 1 when one exceeds --rtol. --stats also prints the
simulated cycles and the roofline bound.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np
import torch

import grad_check


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("grad")
    parser.add_argument("workdir")
    parser.add_argument("--func", default="forward")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--rtol", type=float, default=1e-5)
    parser.add_argument("--metric", choices=["max", "l2"], default="max")
    parser.add_argument("--init", choices=["normal", "fan-in"],
                        default="normal")
    parser.add_argument("--stats", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    text = open(args.grad).read()
    grad = grad_check.parse(text)[args.func + "_grad"]

    # Keep only @<func>_grad, as @main (the pipeline compiles @main).
    subprocess.run(["npu-opt", args.grad, "-o", f"{args.workdir}/all.mlir"], check=True)
    lines, keep, depth = open(f"{args.workdir}/all.mlir").read().splitlines(), [], 0
    skipping = False
    for line in lines:
        if re.match(rf"\s*func\.func @{args.func}\(", line):
            skipping = True
        if not skipping:
            keep.append(line.replace(f"@{args.func}_grad(", "@main("))
        elif line.strip() == "}":
            skipping = False
    main_path = f"{args.workdir}/main.mlir"
    open(main_path, "w").write("\n".join(keep) + "\n")
    binary = f"{args.workdir}/grad.npu"
    pipeline = subprocess.run(
        ["npu-opt", f"--npu-compile-pipeline=target={args.target} "
         f"precision={args.precision}", main_path],
        check=True, capture_output=True, text=True).stdout
    subprocess.run(["npu-translate", "--serialize-npu", "-o", binary],
                   input=pipeline, check=True, text=True)

    rng = np.random.default_rng(0)
    run_args, inputs = [binary], []
    for index, (_, type_text) in enumerate(grad["args"]):
        shape, element = grad_check.tensor_type(type_text)
        if grad_check.to_dtype(element) == torch.float64:
            value = rng.standard_normal(shape)
            parameter = index < len(grad["args"]) - 2
            if args.init == "fan-in" and parameter and len(shape) >= 2:
                fan_in = np.prod(shape[1:]) if len(shape) > 2 else shape[0]
                value /= np.sqrt(fan_in)
            value = value.astype(np.float32)
        else:
            value = rng.integers(0, 4, shape).astype(np.int32)
        inputs.append(value)
        np.save(f"{args.workdir}/arg{index}.npy", value)
        run_args += ["--input", f"arg{index}={args.workdir}/arg{index}.npy"]
    names = re.findall(r'nn\.name = "(\w+)"', text.split(f'sym_name = "{args.func}_grad"')[0].split("res_attrs")[-1])
    for name in names:
        run_args += ["--output", f"{name}={args.workdir}/{name}.npy"]
    stats_path = f"{args.workdir}/stats.json"
    subprocess.run(["npu-run"] + run_args + ["--stats-json", stats_path],
                   check=True, stdout=subprocess.DEVNULL)

    reference = grad_check.run(grad, [
        torch.tensor(x.astype(np.float64 if x.dtype == np.float32 else np.int64))
        for x in inputs])
    ok = True
    for name, expected in zip(names, reference):
        expected = expected.numpy()
        got = np.load(f"{args.workdir}/{name}.npy")
        if args.metric == "max":
            error = float(np.max(np.abs(got - expected)) /
                          max(np.max(np.abs(expected)), 1e-30))
            what = "max abs error / max |ref|"
        else:
            error = float(np.linalg.norm(got - expected) /
                          max(np.linalg.norm(expected), 1e-30))
            what = "relative L2 error"
        good = got.shape == expected.shape and error <= args.rtol
        ok &= good
        print(f"{name}: {'ok' if good else 'MISMATCH'} ({what} {error:.1e})")
    if args.stats:
        import json
        stats = json.load(open(stats_path))
        cycles, bound = stats["total_cycles"], stats["lower_bound_cycles"]
        print(f"cycles {cycles}, bound {bound}, bound/cycles {bound / cycles:.3f}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
