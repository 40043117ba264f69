#!/usr/bin/python3
"""Measures the simulated cost of one train step and what writing state in
place saves.

Keras' Fashion-MNIST MLP (Dense 128 relu, Dense 64 relu, Dense 10 softmax on
784 features; batch --batch) is exported from PyTorch to ONNX and compiled
with `npu-compile --train` for every precision (fp32, bf16) and optimizer
(SGD with momentum 0.9, Adam); `npu-run --perf-only` gives the cycles, the
roofline lower bound, the efficiency, the MXU utilization, the DRAM traffic
and the slowest layers. The fp32 SGD step is also compiled without
npu-state-in-place (npu-opt with the same passes but that one) to show what
the in-place state updates save.

Usage: benchmarks/train_step.py [--bin build/bin] [--target npu-base]
           [--batch 32] [--layers 3] [--keep DIR]
Nothing is downloaded; the model has random weights.
"""
import argparse
import json
import os
import subprocess
import tempfile

import torch
from torch import nn


def perf(args, binary):
    stats_path = binary + ".stats.json"
    subprocess.run([os.path.join(args.bin, "npu-run"), binary, "--perf-only",
                    "--stats-json", stats_path, "--quiet"], check=True)
    return json.load(open(stats_path))


def describe(stats, layers):
    slowest = sorted(stats["ops"], key=lambda op: -op["cycles"])[:layers]
    return (f"{stats['total_cycles']:>8,.0f} cycles, bound "
            f"{stats['lower_bound_cycles']:,.0f} ({stats['bound']}), "
            f"efficiency {stats['efficiency']:.3f}, MXU "
            f"{stats['mxu_utilization']:.3f}, DRAM {stats['dram_bytes'] / 1e6:.2f} MB, "
            f"{len(stats['ops'])} layers; slowest: " +
            ", ".join(f"{op['kind']} {op['cycles']:,.0f}" for op in slowest))


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("--bin", default="build/bin")
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--keep")
    args = parser.parse_args()
    workdir = args.keep or tempfile.mkdtemp(prefix="train_step.")
    os.makedirs(workdir, exist_ok=True)

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64),
                          nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
    onnx_path = os.path.join(workdir, "mlp.onnx")
    torch.onnx.export(model, torch.zeros(args.batch, 784), onnx_path,
                      input_names=["x"], output_names=["probs"])

    print(f"One train step, {args.target}, batch {args.batch}, "
          "sparse categorical cross-entropy:")
    for precision in ("fp32", "bf16"):
        for optimizer, flags in (("sgd", ["--momentum=0.9"]), ("adam", [])):
            binary = os.path.join(workdir, f"{precision}-{optimizer}.npu")
            subprocess.run([os.path.join(args.bin, "npu-compile"), onnx_path,
                            "--train", f"--optimizer={optimizer}", *flags,
                            "--target", args.target, "--precision", precision,
                            "-o", binary], check=True)
            print(f"  {precision} {optimizer:4}: "
                  f"{describe(perf(args, binary), args.layers)}")

    # The same fp32 SGD step with and without npu-state-in-place.
    nn_path = os.path.join(workdir, "step.mlir")
    opt = os.path.join(args.bin, "npu-opt")
    translated = subprocess.run(
        [os.path.join(args.bin, "npu-translate"), "--import-onnx", onnx_path],
        check=True, capture_output=True).stdout
    subprocess.run([opt, f"--npu-set-target=target={args.target}",
                    "--nn-params-to-state", "--nn-append-loss",
                    "--nn-autodiff=func=main",
                    "--nn-optimizer=optimizer=sgd momentum=0.9", "-o", nn_path],
                   input=translated, check=True)
    # The graph passes of buildCompilePipeline (lib/Pipelines/Pipelines.cpp).
    graph = ("func.func(canonicalize,nn-fold-batch-norm,nn-decompose,nn-fuse,"
             "canonicalize,cse)")
    results = {}
    for name, in_place in (("in place", "npu-state-in-place,"), ("copies", "")):
        isa = subprocess.run(
            [opt, nn_path, "--pass-pipeline=builtin.module(" + graph +
             ",npu-tile," + in_place + "npu-place-memory,npu-lower-to-isa)"],
            check=True, capture_output=True).stdout
        binary = os.path.join(workdir, f"sgd-{name.replace(' ', '-')}.npu")
        subprocess.run([os.path.join(args.bin, "npu-translate"),
                        "--serialize-npu", "-o", binary], input=isa, check=True)
        results[name] = perf(args, binary)
    a, b = results["in place"], results["copies"]
    print(f"  fp32 sgd, state updates in place: {a['total_cycles']:,.0f} "
          f"cycles, DRAM {a['dram_bytes'] / 1e6:.2f} MB; as copies: "
          f"{b['total_cycles']:,.0f} cycles, DRAM {b['dram_bytes'] / 1e6:.2f} MB "
          f"({1 - a['total_cycles'] / b['total_cycles']:.1%} fewer cycles)")


if __name__ == "__main__":
    main()
