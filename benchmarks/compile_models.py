#!/usr/bin/python3
"""Measures what npu-compile produces and how fast: code quality, compile
time, simulator speed.

(a) Compiled-code quality: every model is compiled with npu-compile and run
    by npu-run (--perf-only: the timing model is identical to a full run);
    the simulated cycles are set against the roofline lower bound npu-run
    reports (bound / cycles), in total and for the slowest layers. ResNet-18
    and a 1024^3 matmul are also compiled with --no-double-buffer to show
    what the DMA/compute overlap is worth.
(b) Compile time: torchvision ResNet-50 (random weights, opset 14) from ONNX
    to binary, one core (taskset -c 0, --mlir-disable-threading), median of
    --runs.
(c) Simulator wall time: npu-run ResNet-18 (functional + timing, real input
    and output; the fp32 and the bf16 binary) against PyTorch CPU fp32
    inference of the same model with the same thread count (the simulator
    runs on one thread, so torch.set_num_threads(1)), best of --runs each;
    the rounds alternate PyTorch and the two npu-run processes.
A summary at the end sets the issue's bars beside the figures of this run.

Usage: benchmarks/compile_models.py [--bin build/bin] [--runs 3]
           [--precision bf16] [--target npu-base] [--only a,b,c]
           [--layers 5] [--json results.json] [--keep DIR]
Models are exported to a temporary folder (or --keep DIR); nothing is
downloaded.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "test", "helpers"))

import make_torch_models  # noqa: E402

MODELS = ["mlp", "small_cnn", "resnet18", "mobilenetv2", "gpt_decoder"]


def tool(args, name):
    path = os.path.join(args.bin, name)
    if not os.access(path, os.X_OK):
        sys.exit(f"{name} not found in {args.bin} (use --bin)")
    return path


def run(argv, **kwargs):
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stderr}")
    return result


def export_torch(name, path):
    """Exports a make_torch_models model; returns (module, example)."""
    import torch
    torch.manual_seed(0)
    module, example, _ = make_torch_models.build(name)
    module.eval()
    input_name = "idx" if name.startswith("gpt_decoder") else "x"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, path, opset_version=14,
                          input_names=[input_name], output_names=["y"],
                          do_constant_folding=True)
    return module, example


def export_matmul(path, size=1024):
    """y = x @ w with x [size, size] an input and w a constant."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(
        rng.standard_normal((size, size)).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"], name="matmul")],
        "matmul",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [size, size])],
        [w])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.save(model, path)


def compile_model(args, onnx_path, binary, extra=()):
    argv = [tool(args, "npu-compile"), onnx_path, "-o", binary, "--target",
            args.target, "--precision", args.precision] + list(extra)
    start = time.perf_counter()
    run(argv)
    return time.perf_counter() - start


def perf_stats(args, binary, folder):
    stats_path = os.path.join(folder, "stats.json")
    run([tool(args, "npu-run"), binary, "--perf-only", "--quiet",
         "--stats-json", stats_path])
    with open(stats_path) as f:
        return json.load(f)


def quality_row(label, stats, compile_s):
    return {
        "model": label,
        "cycles": stats["total_cycles"],
        "lower_bound": stats["lower_bound_cycles"],
        "bound": stats["bound"],
        "ratio": stats["lower_bound_cycles"] / max(stats["total_cycles"], 1),
        "mxu_utilization": stats["mxu_utilization"],
        "compile_s": compile_s,
        "layers": sorted(
            ({"name": op["name"], "kind": op["kind"], "cycles": op["cycles"],
              "lower_bound": op["lower_bound_cycles"], "bound": op["bound"],
              "ratio": op["utilization"], "busiest": op["busiest_engine"]}
             for op in stats["ops"]),
            key=lambda op: -op["cycles"]),
    }


def measure_quality(args, folder, results):
    print(f"== (a) compiled-code quality: {args.precision} on {args.target} "
          f"(bound / cycles; npu-run --perf-only) ==")
    cases = [(name, False) for name in MODELS]
    cases.insert(cases.index(("resnet18", False)) + 1, ("resnet18", True))
    cases += [("matmul1024", False), ("matmul1024", True)]
    rows = []
    for name, serial in cases:
        onnx_path = os.path.join(folder, name + ".onnx")
        if not os.path.exists(onnx_path):
            if name == "matmul1024":
                export_matmul(onnx_path)
            else:
                export_torch(name, onnx_path)
        label = name + (" --no-double-buffer" if serial else "")
        binary = os.path.join(folder, label.replace(" ", "") + ".npu")
        try:
            seconds = compile_model(
                args, onnx_path, binary,
                ["--no-double-buffer"] if serial else [])
            row = quality_row(label, perf_stats(args, binary, folder), seconds)
        except RuntimeError as error:
            print(f"{label}: FAILED\n{error}")
            rows.append({"model": label, "error": str(error)})
            continue
        rows.append(row)
        print(f"{label:32} cycles {row['cycles']:>12}  bound "
              f"{row['lower_bound']:>12} ({row['bound']})  bound/cycles "
              f"{row['ratio']:.3f}  mxu {row['mxu_utilization']:.3f}")
        for layer in row["layers"][:args.layers]:
            print(f"    {layer['name'][:40]:40} {layer['kind']:18} "
                  f"cycles {layer['cycles']:>10}  bound "
                  f"{layer['lower_bound']:>10} ({layer['bound']})  "
                  f"{layer['ratio']:.3f}  busiest {layer['busiest']}")
    results["quality"] = rows


def measure_compile_time(args, folder, results):
    print("== (b) compile time: ResNet-50 ONNX -> binary, one core ==")
    onnx_path = os.path.join(folder, "resnet50.onnx")
    export_torch("resnet50", onnx_path)
    binary = os.path.join(folder, "resnet50.npu")
    argv = ["taskset", "-c", "0", tool(args, "npu-compile"), onnx_path, "-o",
            binary, "--target", args.target, "--precision", args.precision,
            "--mlir-disable-threading"]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        run(argv)
        times.append(time.perf_counter() - start)
    timing = run(argv + ["--mlir-timing"]).stderr
    median = statistics.median(times)
    print(f"runs {', '.join(f'{t:.2f}' for t in times)} s; median "
          f"{median:.2f} s (bar: < 20 s); binary "
          f"{os.path.getsize(binary) / 1e6:.1f} MB")
    print(timing)
    results["compile_time"] = {"runs_s": times, "median_s": median,
                               "binary_mb": os.path.getsize(binary) / 1e6,
                               "timing": timing}


def measure_simulator(args, folder, results):
    import torch
    print("== (c) simulator wall time: ResNet-18 1x3x224x224, one thread ==")
    onnx_path = os.path.join(folder, "resnet18.onnx")
    module, example = export_torch("resnet18", onnx_path)
    x = np.random.default_rng(1).standard_normal(
        tuple(example.shape)).astype(np.float32)
    x_path = os.path.join(folder, "x.npy")
    y_path = os.path.join(folder, "y.npy")
    np.save(x_path, x)

    # Both binaries: the functional cost differs (bf16 operands are widened
    # by the simulator's host kernels), the reference is the same.
    precisions = ["fp32", "bf16"]
    commands = {}
    for precision in precisions:
        binary = os.path.join(folder, f"resnet18-{precision}.npu")
        run([tool(args, "npu-compile"), onnx_path, "-o", binary, "--target",
             args.target, "--precision", precision])
        commands[precision] = [tool(args, "npu-run"), binary, "--input",
                               f"x={x_path}", "--output", f"y={y_path}",
                               "--quiet"]

    # The simulator runs on the calling thread: give PyTorch one thread too.
    threads = 1
    torch.set_num_threads(threads)
    tensor = torch.from_numpy(x)
    ref = []
    sim = {precision: [] for precision in precisions}
    with torch.no_grad():
        module(tensor)  # warm-up: first-call allocation and dispatch
        # Rounds alternate the three measurements, so a change in the load of
        # a shared machine affects all of them alike.
        for _ in range(args.runs):
            start = time.perf_counter()
            module(tensor)
            ref.append(time.perf_counter() - start)
            for precision in precisions:
                start = time.perf_counter()
                run(commands[precision])
                sim[precision].append(time.perf_counter() - start)
    # Best of the runs on both sides: on a shared machine the minimum is the
    # estimate least disturbed by other load.
    ref_s = min(ref)
    print(f"PyTorch CPU fp32, {threads} thread: "
          f"{', '.join(f'{t:.3f}' for t in ref)} s; best {ref_s:.3f} s")
    results["simulator"] = {"torch_s": ref, "threads": threads}
    for precision in precisions:
        sim_s = min(sim[precision])
        print(f"npu-run {precision} binary (whole process: load, functional "
              f"+ timing, write): "
              f"{', '.join(f'{t:.3f}' for t in sim[precision])} s; "
              f"best {sim_s:.3f} s; simulator / PyTorch "
              f"{sim_s / ref_s:.2f}x (bar: <= 3x)")
        results["simulator"][precision] = {"npu_run_s": sim[precision],
                                           "ratio": sim_s / ref_s}


def print_summary(results):
    """The issue's bars next to the measured figures, from this one run."""
    rows = []
    quality = {row["model"]: row for row in results.get("quality", [])
               if "error" not in row}
    where = f"{results['precision']} on {results['target']}"

    def ratio(label, bar):
        row = quality.get(label)
        if row:
            ok = "" if bar is None else (
                " ok" if row["ratio"] >= bar else " MISSED")
            rows.append((f"{label}: bound/cycles ({where})",
                         f"{row['ratio']:.3f}",
                         "" if bar is None else f">= {bar}", ok))

    ratio("resnet18", 0.5)
    ratio("resnet18 --no-double-buffer", None)
    ratio("matmul1024", 0.85)
    ratio("matmul1024 --no-double-buffer", None)
    if "compile_time" in results:
        median = results["compile_time"]["median_s"]
        rows.append(("ResNet-50 ONNX -> binary, one core", f"{median:.2f} s",
                     "< 20 s", " ok" if median < 20 else " MISSED"))
    for precision in ["fp32", "bf16"]:
        sim = results.get("simulator", {}).get(precision)
        if sim:
            rows.append((f"npu-run ResNet-18 ({precision} binary) / PyTorch "
                         "fp32, 1 thread", f"{sim['ratio']:.2f}x", "<= 3x",
                         " ok" if sim["ratio"] <= 3 else " MISSED"))
    if not rows:
        return
    print("== summary ==")
    width = max(len(r[0]) for r in rows)
    for name, value, bar, ok in rows:
        print(f"{name:{width}}  {value:>8}  {bar:>7}{ok}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(HERE, "..", "build",
                                                      "bin"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--precision", default="bf16",
                        choices=["fp32", "bf16"])
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--only", default="a,b,c",
                        help="comma-separated subset of a, b, c")
    parser.add_argument("--layers", type=int, default=5,
                        help="slowest layers listed per model")
    parser.add_argument("--json", help="also write the figures here")
    parser.add_argument("--keep", help="export into this folder and keep it")
    args = parser.parse_args()
    parts = set(args.only.split(","))

    folder = args.keep or tempfile.mkdtemp(prefix="npu-bench-")
    os.makedirs(folder, exist_ok=True)
    results = {"target": args.target, "precision": args.precision}
    try:
        if "a" in parts:
            measure_quality(args, folder, results)
        if "b" in parts:
            measure_compile_time(args, folder, results)
        if "c" in parts:
            measure_simulator(args, folder, results)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print_summary(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
