#!/usr/bin/python3
"""Measures one gradient step of the Keras-tutorial CNN on the simulated chip.

The model: conv3x3 32 + relu + maxpool 2 + conv3x3 64 + relu + maxpool 2 +
flatten + dense 128 + relu + dense 10 with sparse softmax cross-entropy on
28x28 images (with --bn-dropout: training-mode batch norm after each conv
and dropout 0.5 after flatten). Its @forward_grad (npu-opt --nn-autodiff) is
compiled with npu-opt --npu-compile-pipeline and npu-translate for each
target and precision, then run by npu-run on random inputs. Per
configuration it prints the simulated cycles, the roofline lower bound and
their ratio, the MXU utilization, the compile time and the host wall time
of one npu-run (functional + timing, best of --runs), and the ops that took
longest (their own cycles: layers overlap, so these do not add up).

Usage: benchmarks/cnn_grad.py [--bin build/bin] [--batch 32]
           [--targets npu-base,npu-tiny] [--precisions bf16,fp32]
           [--bn-dropout] [--runs 3] [--top 8] [--keep DIR]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def ttype(*shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


def forward_mlir(n, bn_dropout):
    """@forward(params..., [seed,] x, labels) -> loss."""
    c1, c2 = ttype(n, 32, 26, 26), ttype(n, 64, 11, 11)
    params = [("w1", ttype(32, 1, 3, 3))]
    body = []
    if bn_dropout:
        params += [("g1", ttype(32)), ("be1", ttype(32)), ("rm1", ttype(32)),
                   ("rv1", ttype(32)), ("w2", ttype(64, 32, 3, 3)),
                   ("g2", ttype(64)), ("be2", ttype(64)), ("rm2", ttype(64)),
                   ("rv2", ttype(64))]
        body += [
            f"%c1 = nn.conv %x, %w1 : ({ttype(n, 1, 28, 28)}, "
            f"{ttype(32, 1, 3, 3)}) -> {c1}",
            f"%n1:3 = nn.batch_norm_train %c1, %g1, %be1, %rm1, %rv1 "
            f"{{momentum = 0.99 : f32, epsilon = 1.0e-3 : f32}} : ({c1}, "
            + ", ".join([ttype(32)] * 4) + f") -> ({c1}, {ttype(32)}, "
            f"{ttype(32)})",
            f"%r1 = nn.relu %n1#0 : {c1}"]
    else:
        params += [("b1", ttype(32)), ("w2", ttype(64, 32, 3, 3)),
                   ("b2", ttype(64))]
        body += [f"%c1 = nn.conv %x, %w1, %b1 : ({ttype(n, 1, 28, 28)}, "
                 f"{ttype(32, 1, 3, 3)}, {ttype(32)}) -> {c1}",
                 f"%r1 = nn.relu %c1 : {c1}"]
    body.append(f"%p1 = nn.max_pool %r1 {{kernel_shape = array<i64: 2, 2>, "
                f"strides = array<i64: 2, 2>}} : ({c1}) -> {ttype(n, 32, 13, 13)}")
    if bn_dropout:
        body += [
            f"%c2 = nn.conv %p1, %w2 : ({ttype(n, 32, 13, 13)}, "
            f"{ttype(64, 32, 3, 3)}) -> {c2}",
            f"%n2:3 = nn.batch_norm_train %c2, %g2, %be2, %rm2, %rv2 "
            f"{{momentum = 0.99 : f32, epsilon = 1.0e-3 : f32}} : ({c2}, "
            + ", ".join([ttype(64)] * 4) + f") -> ({c2}, {ttype(64)}, "
            f"{ttype(64)})",
            f"%r2 = nn.relu %n2#0 : {c2}"]
    else:
        body += [f"%c2 = nn.conv %p1, %w2, %b2 : ({ttype(n, 32, 13, 13)}, "
                 f"{ttype(64, 32, 3, 3)}, {ttype(64)}) -> {c2}",
                 f"%r2 = nn.relu %c2 : {c2}"]
    body += [
        f"%p2 = nn.max_pool %r2 {{kernel_shape = array<i64: 2, 2>, "
        f"strides = array<i64: 2, 2>}} : ({c2}) -> {ttype(n, 64, 5, 5)}",
        f"%f = nn.flatten %p2 {{axis = 1 : i64}} : ({ttype(n, 64, 5, 5)}) "
        f"-> {ttype(n, 1600)}"]
    dense_in = "%f"
    if bn_dropout:
        body.append(f"%d = nn.dropout %f, %seed {{ratio = 0.5 : f32, key = 1}} "
                    f": ({ttype(n, 1600)}, tensor<i64>) -> {ttype(n, 1600)}")
        dense_in = "%d"
    params += [("w3", ttype(1600, 128)), ("b3", ttype(128)),
               ("w4", ttype(128, 10)), ("b4", ttype(10))]
    body += [
        f"%h = nn.gemm {dense_in}, %w3, %b3 : ({ttype(n, 1600)}, "
        f"{ttype(1600, 128)}, {ttype(128)}) -> {ttype(n, 128)}",
        f"%a = nn.relu %h : {ttype(n, 128)}",
        f"%logits = nn.gemm %a, %w4, %b4 : ({ttype(n, 128)}, "
        f"{ttype(128, 10)}, {ttype(10)}) -> {ttype(n, 10)}",
        f"%lsm = nn.log_softmax %logits {{axis = 1 : i64}} : {ttype(n, 10)}",
        f"%column = nn.reshape %labels {{shape = array<i64: {n}, 1>}} : "
        f"(tensor<{n}xi64>) -> tensor<{n}x1xi64>",
        "%classes = nn.constant dense<[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]> : "
        "tensor<1x10xi64>",
        f"%hit = nn.equal %column, %classes : (tensor<{n}x1xi64>, "
        f"tensor<1x10xi64>) -> tensor<{n}x10xi1>",
        f"%onehot = nn.cast %hit : tensor<{n}x10xi1> to {ttype(n, 10)}",
        f"%picked = nn.mul %lsm, %onehot : ({ttype(n, 10)}, {ttype(n, 10)}) "
        f"-> {ttype(n, 10)}",
        f"%sum = nn.reduce_sum %picked {{keepdims = false}} : "
        f"({ttype(n, 10)}) -> tensor<f32>",
        f"%scale = nn.constant dense<{-1.0 / n}> : tensor<f32>",
        "%loss = nn.mul %sum, %scale : (tensor<f32>, tensor<f32>) -> tensor<f32>",
        "return %loss : tensor<f32>"]
    args = [f"%{name}: {t}" for name, t in params]
    if bn_dropout:
        args.append("%seed: tensor<i64>")
    args += [f"%x: {ttype(n, 1, 28, 28)}", f"%labels: tensor<{n}xi64>"]
    trainable = [i for i, (name, _) in enumerate(params)
                 if not name.startswith(("rm", "rv"))]
    text = ("func.func @forward(" + ", ".join(args) + ") -> tensor<f32> {\n"
            + "".join(f"  {line}\n" for line in body) + "}\n")
    return text, trainable


def grad_as_main(path, tools):
    """The @forward_grad of `path` alone, renamed @main."""
    text = subprocess.run([tools["npu-opt"], path], check=True,
                          capture_output=True, text=True).stdout
    keep, skipping = [], False
    for line in text.splitlines():
        if re.match(r"\s*func\.func @forward\(", line):
            skipping = True
        if not skipping:
            keep.append(line.replace("@forward_grad(", "@main("))
        elif line.strip() == "}":
            skipping = False
    return "\n".join(keep) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default=os.path.join(HERE, "..", "build",
                                                      "bin"))
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--targets", default="npu-base,npu-tiny")
    parser.add_argument("--precisions", default="bf16,fp32")
    parser.add_argument("--bn-dropout", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--keep")
    args = parser.parse_args()
    tools = {t: os.path.join(args.bin, t)
             for t in ("npu-opt", "npu-translate", "npu-run")}
    work = args.keep or tempfile.mkdtemp(prefix="cnn_grad_")
    os.makedirs(work, exist_ok=True)

    forward, trainable = forward_mlir(args.batch, args.bn_dropout)
    open(os.path.join(work, "forward.mlir"), "w").write(forward)
    grad_path = os.path.join(work, "grad.mlir")
    subprocess.run([tools["npu-opt"], os.path.join(work, "forward.mlir"),
                    "--nn-autodiff=params=" + ",".join(map(str, trainable)),
                    "-o", grad_path], check=True)
    main_path = os.path.join(work, "main.mlir")
    open(main_path, "w").write(grad_as_main(grad_path, tools))

    # Random inputs in the function's argument order (weights ~ N(0, 1) /
    # sqrt(fan-in), x ~ N(0, 1), labels in [0, 10), seed 7).
    rng = np.random.default_rng(0)
    inputs = []
    signature = re.search(r"func\.func @main\((.*?)\) ->",
                          open(main_path).read()).group(1)
    for index, (shape_text, element) in enumerate(
            re.findall(r"tensor<((?:\d+x)*)(\w+)>", signature)):
        shape = [int(d) for d in shape_text.split("x") if d]
        if element == "i64" and shape:
            value = rng.integers(0, 10, shape).astype(np.int32)
        elif element == "i64":
            value = np.array(7, dtype=np.int32)
        else:
            value = rng.standard_normal(shape)
            if len(shape) >= 2 and shape[0] != args.batch:
                value /= np.sqrt(np.prod(shape[1:]) if len(shape) > 2
                                 else shape[0])
            value = value.astype(np.float32)
        path = os.path.join(work, f"arg{index}.npy")
        np.save(path, value)
        inputs += ["--input", f"arg{index}={path}"]

    print(f"Keras-tutorial CNN gradient step, batch {args.batch}"
          f"{' with batch norm and dropout' if args.bn_dropout else ''}")
    for target in args.targets.split(","):
        for precision in args.precisions.split(","):
            name = f"{target}.{precision}"
            start = time.perf_counter()
            isa = subprocess.run(
                [tools["npu-opt"], main_path,
                 f"--npu-compile-pipeline=target={target} "
                 f"precision={precision}"],
                check=True, capture_output=True, text=True).stdout
            binary = os.path.join(work, f"{name}.npu")
            subprocess.run([tools["npu-translate"], "--serialize-npu", "-o",
                            binary], input=isa, check=True, text=True)
            compile_s = time.perf_counter() - start
            stats_path = os.path.join(work, f"{name}.json")
            wall = []
            for _ in range(args.runs):
                start = time.perf_counter()
                subprocess.run([tools["npu-run"], binary, *inputs,
                                "--stats-json", stats_path], check=True,
                               stdout=subprocess.DEVNULL)
                wall.append(time.perf_counter() - start)
            stats = json.load(open(stats_path))
            cycles, bound = stats["total_cycles"], stats["lower_bound_cycles"]
            print(f"\n{name}: {cycles:,} cycles, bound {bound:,.0f} "
                  f"({stats['bound']}), bound/cycles {bound / cycles:.3f}, "
                  f"MXU utilization {stats['mxu_utilization']:.3f}, "
                  f"{stats['instructions']:,} instructions; compile "
                  f"{compile_s:.2f} s, npu-run {min(wall):.2f} s per step")
            ops = sorted(stats["ops"], key=lambda o: -o["cycles"])
            for op in ops[:args.top]:
                print(f"  {op['kind']:<20} {op['cycles']:>9,} cycles, bound "
                      f"{op['lower_bound_cycles']:>9,.0f}, busiest "
                      f"{op['busiest_engine']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
