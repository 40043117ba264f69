#!/usr/bin/python3
"""Measures the fixed cost of one run of a small binary through Python.

Training runs a small binary (a train step of a few hundred instructions)
tens of thousands of times through npu.Binary.run, so what one run costs
beyond its arithmetic matters: clearing the chip's memories, the schedule's
bookkeeping, copying inputs and outputs, building the stats. This script
compiles small models of test/helpers/make_torch_models.py (random weights:
the MLP 256-512-512-10 on a batch of 8, the small CNN on 1x3x32x32), plus
the 7-instruction relu of test/Runtime/Inputs/relu.mlir (npu-tiny), whose
run is almost only the fixed cost, and times, per binary, best of
--repeats rounds of --runs runs each:

  run          binary.run(inputs): outputs and the stats dict
  no stats     binary.run(inputs, stats=False): outputs only
  perf-only    binary.run(perf_only=True): the schedule and stats only

in runs per second of CPU time (and wall time). --pythonpath selects the
build whose npu package is measured, so two builds can be compared.

Usage: benchmarks/runtime_small_runs.py [--bin build/bin]
           [--pythonpath build/python] [--runs 2000] [--repeats 3]
           [--precision bf16] [--target npu-base]
"""
import argparse
import os
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "helpers"))

import make_torch_models  # noqa: E402

MODELS = ["mlp", "small_cnn"]


def export(name, path):
    import torch
    torch.manual_seed(0)
    module, example, _ = make_torch_models.build(name)
    module.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, path, opset_version=14,
                          input_names=["x"], output_names=["y"],
                          do_constant_folding=True)
    return tuple(example.shape)


def best_rate(call, runs, repeats):
    """Best (runs/s CPU, runs/s wall) over `repeats` rounds of `runs` calls."""
    cpu = wall = 0.0
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        for _ in range(runs):
            call()
        c1, w1 = time.process_time(), time.perf_counter()
        cpu = max(cpu, runs / max(c1 - c0, 1e-9))
        wall = max(wall, runs / max(w1 - w0, 1e-9))
    return cpu, wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(HERE, "..", "build",
                                                      "bin"))
    parser.add_argument("--pythonpath",
                        default=os.path.join(HERE, "..", "build", "python"))
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--precision", default="bf16",
                        choices=["fp32", "bf16"])
    parser.add_argument("--target", default="npu-base")
    args = parser.parse_args()
    sys.path.insert(0, args.pythonpath)
    import npu

    compile_tool = os.path.join(args.bin, "npu-compile")
    translate_tool = os.path.join(args.bin, "npu-translate")
    print(f"npu package: {os.path.dirname(npu.__file__)}; {args.precision} "
          f"on {args.target}; best of {args.repeats} x {args.runs} runs")
    with tempfile.TemporaryDirectory(prefix="npu-small-runs-") as folder:
        for name in ["relu"] + MODELS:
            binary_path = os.path.join(folder, name + ".npu")
            if name == "relu":
                source = os.path.join(HERE, "..", "test", "Runtime", "Inputs",
                                      "relu.mlir")
                shape = (4, 32)
                os.system(f"'{translate_tool}' --serialize-npu '{source}' "
                          f"-o '{binary_path}'")
            else:
                onnx_path = os.path.join(folder, name + ".onnx")
                shape = export(name, onnx_path)
                os.system(f"'{compile_tool}' '{onnx_path}' -o "
                          f"'{binary_path}' --target {args.target} "
                          f"--precision {args.precision}")
            binary = npu.load(binary_path)
            x = np.random.default_rng(0).standard_normal(shape).astype(
                np.float32)
            feeds = {"x": x}
            stats = binary.run(feeds).stats
            print(f"{name}: {stats['instructions']} instructions, "
                  f"{stats['macs']} MACs, {stats['total_cycles']} cycles")
            cases = [("run", lambda: binary.run(feeds))]
            try:
                binary.run(feeds, stats=False)
                cases.append(("no stats",
                              lambda: binary.run(feeds, stats=False)))
            except TypeError:  # a build without the stats option
                pass
            cases.append(("perf-only", lambda: binary.run(perf_only=True)))
            for label, call in cases:
                for _ in range(20):  # warm-up
                    call()
                cpu, wall = best_rate(call, args.runs, args.repeats)
                print(f"  {label:10} {cpu:8.0f} runs/s cpu "
                      f"({1e6 / cpu:7.1f} us per run), {wall:8.0f} runs/s "
                      "wall")


if __name__ == "__main__":
    main()
