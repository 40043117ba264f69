#!/usr/bin/env python3
"""End-to-end check of one model: PyTorch CPU vs npu-compile + npu-run.

Usage: e2e_compare.py MODEL WORKDIR [--target T] [--precision fp32|bf16]
                      [--spatial S] [--compile-arg ARG]... [--rtol R]
                      [--atol A] [--max-rel-l2 E]

MODEL is a name make_torch_models.py builds (mlp, small_cnn, resnet18,
mobilenetv2, gpt_decoder). The helper
  1. exports the model (random weights, torch.manual_seed(0), batch-norm
     statistics calibrated on random inputs) to WORKDIR/model.onnx; with
     --spatial S an image model is exported with symbolic height/width and
     compiled with --input-shape x=1x3xSxS, which keeps CI time sane and
     exercises the driver's shape binding;
  2. draws the input with a fixed seed (normal floats; token ids in
     [0, vocab) for the decoder) and runs PyTorch CPU fp32 for the reference;
  3. runs npu-compile and npu-run (found on PATH, as lit sets it up);
  4. compares: fp32 element-wise |actual - expected| <= atol + rtol*|expected|
     (rtol 1e-3, atol 1e-4); bf16 relative L2 error
     ||actual - expected|| / ||expected|| < 2e-2, or, with
     --torch-bf16-factor F, < F times the error of PyTorch's own bf16
     inference of the model when that is larger (docs/numerics.md).
Prints one "match:" line (with the errors and the simulated cycles) and exits
0, or a "mismatch:" / "error:" line and exits 1. Integer inputs are int64 in
PyTorch and ONNX and int32 on the chip (docs/numerics.md): the helper hands
npu-run an int32 copy.
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import make_torch_models  # noqa: E402

# Models whose input is an NCHW image (the ones --spatial applies to).
IMAGE_MODELS = {"small_cnn", "resnet18", "resnet50", "mobilenetv2"}
DEFAULT_TOLERANCES = {
    "fp32": {"rtol": 1e-3, "atol": 1e-4},
    "bf16": {"max_rel_l2": 2e-2},
}


def fail(message):
    print("error: " + message)
    sys.exit(1)


def run(argv, what):
    """Runs a tool; on failure prints its command line and stderr."""
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{what} failed (exit {result.returncode}): {' '.join(argv)}\n"
             f"{result.stderr.strip()}")
    return result


def calibrate_batch_norms(module, example, batches=4, batch_size=4):
    """Sets every batch norm's running statistics to those of the model's
    own activations on random inputs of the example's shape.

    Freshly initialized torchvision models have mean 0 / variance 1 running
    statistics, which in eval mode leave activations unnormalized: random
    MobileNetV2 outputs ~1e-9, which any tolerance accepts. Calibrated, every
    layer sees activations of order one and the comparison means something.
    """
    norms = [m for m in module.modules()
             if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative average over the batches
    generator = torch.Generator().manual_seed(2)
    module.train()
    with torch.no_grad():
        for _ in range(batches):
            module(torch.randn((batch_size,) + tuple(example.shape[1:]),
                               generator=generator))
    module.eval()


def export(model_name, spatial, workdir):
    """Exports the model; returns (module, example input, onnx path,
    input name, npu-compile shape arguments)."""
    torch.manual_seed(0)
    module, example, dynamic_axes = make_torch_models.build(model_name)
    module.eval()
    input_name = "idx" if model_name.startswith("gpt_decoder") else "x"
    shape_args = []
    if spatial is not None:
        if model_name not in IMAGE_MODELS:
            fail(f"--spatial applies to image models only, not {model_name}")
        example = torch.randn(example.shape[0], example.shape[1], spatial,
                              spatial)
        dynamic_axes = {input_name: {2: "height", 3: "width"}}
        shape_args = ["--input-shape",
                      f"{input_name}=" + "x".join(map(str, example.shape))]
    calibrate_batch_norms(module, example)
    path = os.path.join(workdir, "model.onnx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, path, opset_version=14,
                          input_names=[input_name], output_names=["y"],
                          dynamic_axes=dynamic_axes, do_constant_folding=True)
    return module, example, path, input_name, shape_args


def make_input(example, seed=1):
    """A fixed input of the example's shape and dtype."""
    rng = np.random.default_rng(seed)
    if example.dtype == torch.int64:
        vocab = 128
        return rng.integers(0, vocab, size=tuple(example.shape),
                            dtype=np.int64)
    return rng.standard_normal(tuple(example.shape)).astype(np.float32)


def chip_input(array):
    """The chip's I/O dtype for an input: integers are i32 on the chip."""
    if array.dtype == np.int64:
        if np.abs(array).max(initial=0) >= 2**31:
            fail("integer input does not fit the chip's int32")
        return array.astype(np.int32)
    return array


def torch_bf16_error(module, x, expected):
    """Relative L2 error of PyTorch's own bf16 inference (weights and
    activations in bf16, as the chip stores them) against its fp32 output:
    how much of the error is the model's sensitivity to bf16 rounding."""
    low = copy.deepcopy(module).to(torch.bfloat16)
    inputs = torch.from_numpy(x)
    if inputs.is_floating_point():
        inputs = inputs.to(torch.bfloat16)
    with torch.no_grad():
        result = low(inputs).double().numpy()
    reference = expected.astype(np.float64)
    return float(np.linalg.norm(result - reference) /
                 np.linalg.norm(reference))


def compare(actual, expected, precision, args):
    """Returns (ok, summary) for the precision's criterion."""
    if actual.shape != expected.shape:
        return False, (f"shape {list(actual.shape)} differs from "
                       f"PyTorch's {list(expected.shape)}")
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    if np.abs(e).max(initial=0) < 1e-3:
        return False, ("the PyTorch output is degenerate (max |y| "
                       f"{np.abs(e).max(initial=0):.3g}): the comparison "
                       "would accept anything")
    if not np.isfinite(a).all():
        return False, f"{int((~np.isfinite(a)).sum())} non-finite outputs"
    error = np.abs(a - e)
    norm = np.linalg.norm(e)
    rel_l2 = np.linalg.norm(a - e) / norm if norm > 0 else np.linalg.norm(a)
    summary = (f"max_abs_err={error.max():.3g} rel_l2={rel_l2:.3g} "
               f"max_abs_ref={np.abs(e).max():.3g}")
    if precision == "fp32":
        bad = error > args.atol + args.rtol * np.abs(e)
        if bad.any():
            index = np.unravel_index(np.argmax(error - args.rtol * np.abs(e)),
                                     error.shape)
            return False, (f"{int(bad.sum())} of {e.size} elements outside "
                           f"rtol {args.rtol:g} / atol {args.atol:g}; worst "
                           f"at {list(index)}: npu {a[index]:.6g} torch "
                           f"{e[index]:.6g}; {summary}")
        return True, f"rtol {args.rtol:g} atol {args.atol:g}: {summary}"
    if rel_l2 >= args.max_rel_l2:
        return False, (f"relative L2 error {rel_l2:.3g} >= "
                       f"{args.max_rel_l2:g}; {summary}")
    return True, f"rel_l2 < {args.max_rel_l2:g}: {summary}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("workdir")
    parser.add_argument("--target", default="npu-base")
    parser.add_argument("--precision", choices=["fp32", "bf16"],
                        default="fp32")
    parser.add_argument("--spatial", type=int,
                        help="image height = width (image models)")
    parser.add_argument("--compile-arg", action="append", default=[],
                        help="extra npu-compile argument (repeatable)")
    parser.add_argument("--rtol", type=float)
    parser.add_argument("--atol", type=float)
    parser.add_argument("--max-rel-l2", type=float)
    parser.add_argument("--torch-bf16-factor", type=float,
                        help="bf16: also accept a relative L2 error up to "
                        "this multiple of PyTorch's own bf16 inference error "
                        "on the same model and input (for ill-conditioned "
                        "models, docs/numerics.md)")
    args = parser.parse_args()
    defaults = DEFAULT_TOLERANCES[args.precision]
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    torch.set_num_threads(1)

    workdir = args.workdir
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    module, example, onnx_path, input_name, shape_args = export(
        args.model, args.spatial, workdir)

    x = make_input(example)
    with torch.no_grad():
        expected = module(torch.from_numpy(x)).numpy()
    if args.precision == "bf16" and args.torch_bf16_factor is not None:
        torch_bf16 = torch_bf16_error(module, x, expected)
        print(f"PyTorch CPU bf16 relative L2 error: {torch_bf16:.3g}")
        args.max_rel_l2 = max(args.max_rel_l2,
                              args.torch_bf16_factor * torch_bf16)
    x_path = os.path.join(workdir, "x.npy")
    np.save(x_path, chip_input(x))

    binary = os.path.join(workdir, "model.npu")
    run(["npu-compile", onnx_path, "-o", binary, "--target", args.target,
         "--precision", args.precision] + shape_args + args.compile_arg,
        "npu-compile")
    y_path = os.path.join(workdir, "y.npy")
    stats_path = os.path.join(workdir, "stats.json")
    run(["npu-run", binary, "--input", f"{input_name}={x_path}",
         "--output", f"y={y_path}", "--stats-json", stats_path, "--quiet"],
        "npu-run")

    actual = np.load(y_path)
    ok, summary = compare(actual, expected, args.precision, args)
    with open(stats_path) as f:
        stats = json.load(f)
    where = (f"{args.model} {args.target} {args.precision} input "
             f"{'x'.join(map(str, x.shape))}")
    perf = (f"cycles={stats['total_cycles']} "
            f"lower_bound={stats['lower_bound_cycles']} "
            f"efficiency={stats['efficiency']}")
    print(f"{'match' if ok else 'mismatch'}: {where}: {summary}; {perf}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
