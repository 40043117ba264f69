#!/usr/bin/env python3
"""Trains a model with BatchNormalization and Dropout on the simulated chip
and in float64 PyTorch with the same semantics, side by side.

Usage: train_bn_dropout_check.py WORKDIR --model mlp|cnn
       [--form inference|training] [--target npu-tiny] [--precision fp32]
       [--optimizer sgd|adam] [--steps 6] [--rtol R]

Builds the model with onnx.helper from fixed random weights:
- mlp: Gemm(20->32, no bias), BatchNormalization, Relu, Dropout(0.25,
  seed 7), Gemm(32->24, no bias), BatchNormalization, Relu, Dropout(0.5), Gemm(24->10),
  Softmax; batch 16;
- cnn: Conv(1->4, 3x3, no bias), BatchNormalization, Relu, MaxPool 2,
  Conv(4->8, 3x3), BatchNormalization, Relu, MaxPool 2, Flatten,
  Dropout(0.5), Gemm(32->10), Softmax; batch 4 of 14x14 images.
Keras' batch-norm momentum 0.99 and epsilon 1e-3. (A bias before a batch
norm has a zero gradient, which Adam would turn into noise-driven steps.) `--form inference`
writes the nodes as an inference model has them (BatchNormalization with
training_mode 0, Dropout without training_mode), `--form training` as
PyTorch's training export (training_mode 1 with the running statistics as
outputs, Dropout with training_mode true): `npu-compile --train` imports
either in training mode.

The train step (`--train --loss=sparse-categorical-crossentropy`, SGD
momentum 0.9 or Keras' Adam) runs `--steps` steps through the `npu` Python
package; the reference is float64 torch autograd of the same model in
training mode: batch statistics (biased variance) normalize, the running
statistics follow ONNX/Keras' `running * momentum + batch * (1 - momentum)`,
and every Dropout applies the chip's mask for its key (seed attribute, else
position among the Dropout nodes) and the step's seed = the value of the
state `dropout.step` (grad_check.dropout_keep, docs/training.md). Checks,
one line each (FileCheck reads them):
- the state table: weights, running statistics (not trainable: no slots),
  slots, `dropout.step`, `optimizer.step`;
- the loss of every step, then every final weight and running statistic,
  within rtol (relative to the largest magnitude of the reference);
- `dropout.step` counts the steps; the masks differ between steps (two
  steps on the same batch give different losses) and between layers;
- an inference binary (`--weights-as-state`, the inference form) loaded
  with the train binary's state predicts as the reference in eval mode
  (running statistics, no dropout).
Exits 1 on the first failure.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

import grad_check
import npu

MOMENTUM, EPSILON = 0.99, 1e-3
CLASSES = 10


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def relative_error(actual, expected):
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    return float(np.max(np.abs(np.asarray(actual, np.float64) - expected))) / scale


class Builder:
    """Writes the ONNX graph and, layer by layer, the same model as a float64
    torch function."""

    def __init__(self, form, rng):
        self.form, self.rng = form, rng
        self.nodes, self.inits, self.layers = [], {}, []
        self.dropouts = 0
        self.tensor = "x"

    def weight(self, name, shape, scale):
        value = (self.rng.standard_normal(shape) * scale).astype(np.float32)
        self.inits[name] = value
        return name

    def node(self, op, inputs, name, outputs=1, **attrs):
        names = [f"{name}_out"] + [f"{name}_out{i}" for i in range(1, outputs)]
        self.nodes.append(helper.make_node(op, inputs, names, name=name, **attrs))
        self.tensor = names[0]

    def gemm(self, name, fan_in, fan_out, bias=True):
        w = self.weight(f"{name}.weight", (fan_out, fan_in), fan_in ** -0.5)
        b = [self.weight(f"{name}.bias", (fan_out,), 0.1)] if bias else []
        self.node("Gemm", [self.tensor, w, *b], name, transB=1)
        self.layers.append(("gemm", w, *b))

    def conv(self, name, cin, cout):
        w = self.weight(f"{name}.weight", (cout, cin, 3, 3), (9 * cin) ** -0.5)
        self.node("Conv", [self.tensor, w], name, kernel_shape=[3, 3])
        self.layers.append(("conv", w))

    def batch_norm(self, name, channels):
        scale = self.weight(f"{name}.gamma", (channels,), 0.2)
        self.inits[scale] += 1
        bias = self.weight(f"{name}.beta", (channels,), 0.1)
        mean = self.weight(f"{name}.moving_mean", (channels,), 0.1)
        var = f"{name}.moving_variance"
        self.inits[var] = (1 + 0.5 * self.rng.random(channels)).astype(np.float32)
        training = self.form == "training"
        self.node("BatchNormalization", [self.tensor, scale, bias, mean, var],
                  name, outputs=3 if training else 1, epsilon=EPSILON,
                  momentum=MOMENTUM, training_mode=int(training))
        self.layers.append(("bn", scale, bias, mean, var))

    def dropout(self, name, ratio, seed=None):
        ratio_name = f"{name}.ratio"
        self.nodes.append(helper.make_node(
            "Constant", [], [ratio_name], name=ratio_name,
            value=numpy_helper.from_array(np.array(ratio, np.float32))))
        inputs = [self.tensor, ratio_name]
        if self.form == "training":
            mode = f"{name}.training_mode"
            self.nodes.append(helper.make_node(
                "Constant", [], [mode], name=mode,
                value=numpy_helper.from_array(np.array(True))))
            inputs.append(mode)
        attrs = {} if seed is None else {"seed": seed}
        self.node("Dropout", inputs, name, **attrs)
        key = self.dropouts if seed is None else seed
        self.dropouts += 1
        self.layers.append(("dropout", ratio, key))

    def simple(self, op, kind, **attrs):
        self.node(op, [self.tensor], f"{kind}{len(self.layers)}", **attrs)
        self.layers.append((kind, attrs))

    def model(self, input_shape):
        graph = helper.make_graph(
            self.nodes, "g",
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, input_shape)],
            [helper.make_tensor_value_info(self.tensor, TensorProto.FLOAT,
                                           [input_shape[0], CLASSES])],
            [numpy_helper.from_array(v, k) for k, v in self.inits.items()])
        proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
        proto.ir_version = 8
        onnx.checker.check_model(proto)
        return proto


def build(kind, form, rng):
    b = Builder(form, rng)
    if kind == "mlp":
        shape = [16, 20]
        b.gemm("fc1", 20, 32, bias=False)
        b.batch_norm("bn1", 32)
        b.simple("Relu", "relu")
        b.dropout("drop1", 0.25, seed=7)
        b.gemm("fc2", 32, 24, bias=False)
        b.batch_norm("bn2", 24)
        b.simple("Relu", "relu")
        b.dropout("drop2", 0.5)
        b.gemm("fc3", 24, CLASSES)
    else:
        shape = [4, 1, 14, 14]
        b.conv("conv1", 1, 4)
        b.batch_norm("bn1", 4)
        b.simple("Relu", "relu")
        b.simple("MaxPool", "pool", kernel_shape=[2, 2], strides=[2, 2])
        b.conv("conv2", 4, 8)
        b.batch_norm("bn2", 8)
        b.simple("Relu", "relu")
        b.simple("MaxPool", "pool", kernel_shape=[2, 2], strides=[2, 2])
        b.simple("Flatten", "flatten")
        b.dropout("drop", 0.5)
        b.gemm("fc", 32, CLASSES)
    b.simple("Softmax", "softmax", axis=1)
    return b, shape


def forward(layers, params, stats, x, seed, training):
    """The model in float64 torch ops: logits, and the new running
    statistics in training mode."""
    new_stats = {}
    h = x
    for layer in layers:
        kind = layer[0]
        if kind == "gemm":
            h = h @ params[layer[1]].T
            if len(layer) == 3:
                h = h + params[layer[2]]
        elif kind == "conv":
            h = torch.nn.functional.conv2d(h, params[layer[1]])
        elif kind == "bn":
            _, scale, bias, mean, var = layer
            shape = [1, -1] + [1] * (h.dim() - 2)
            if training:
                axes = [0] + list(range(2, h.dim()))
                m = h.mean(dim=axes)
                v = ((h - m.reshape(shape)) ** 2).mean(dim=axes)
                new_stats[mean] = stats[mean] * MOMENTUM + m.detach() * (1 - MOMENTUM)
                new_stats[var] = stats[var] * MOMENTUM + v.detach() * (1 - MOMENTUM)
            else:
                m, v = stats[mean], stats[var]
            h = ((h - m.reshape(shape)) / torch.sqrt(v.reshape(shape) + EPSILON)
                 * params[scale].reshape(shape) + params[bias].reshape(shape))
        elif kind == "dropout":
            if training:
                _, ratio, key = layer
                keep = grad_check.dropout_keep(tuple(h.shape), float(seed), ratio, key)
                scale = 1.0 / (1.0 - float(np.float32(ratio)))
                h = h * torch.from_numpy(keep.astype(np.float64)) * scale
        elif kind == "relu":
            h = torch.relu(h)
        elif kind == "pool":
            h = torch.nn.functional.max_pool2d(h, 2)
        elif kind == "flatten":
            h = h.reshape(h.shape[0], -1)
        elif kind == "softmax":
            pass  # The loss uses the logits; the probabilities are softmax.
    return h, new_stats


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("workdir")
    parser.add_argument("--model", choices=["mlp", "cnn"], required=True)
    parser.add_argument("--form", choices=["inference", "training"],
                        default="inference")
    parser.add_argument("--target", default="npu-tiny")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--rtol", type=float, default=1e-4)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    lr = 0.05 if args.optimizer == "sgd" else 0.01

    rng = np.random.default_rng(0)
    builder, input_shape = build(args.model, args.form, rng)
    onnx_path = os.path.join(args.workdir, f"{args.model}.onnx")
    onnx.save(builder.model(input_shape), onnx_path)
    stat_names = [n for layer in builder.layers if layer[0] == "bn"
                  for n in layer[3:]]
    param_names = [n for n in builder.inits if n not in stat_names]

    train_path = os.path.join(args.workdir, "train.npu")
    flags = (["--optimizer=sgd", "--momentum=0.9"] if args.optimizer == "sgd"
             else ["--optimizer=adam"])
    subprocess.run(["npu-compile", onnx_path, "--train", *flags,
                    "--target", args.target, "--precision", args.precision,
                    "-o", train_path], check=True)
    train = npu.load(train_path)
    state = [info.name for info in train.state]
    print("inputs:", ", ".join(sorted(info.name for info in train.inputs)))
    print("state:", ", ".join(sorted(state)))
    expected_state = set(builder.inits) | {"dropout.step", "optimizer.step"}
    slots = [".momentum"] if args.optimizer == "sgd" else [".m", ".v"]
    expected_state |= {p + s for p in param_names for s in slots}
    if set(state) != expected_state:
        fail(f"state {sorted(state)} is not {sorted(expected_state)}")

    params = {n: torch.tensor(builder.inits[n], dtype=torch.float64,
                              requires_grad=True) for n in param_names}
    stats = {n: torch.tensor(builder.inits[n], dtype=torch.float64)
             for n in stat_names}
    if args.optimizer == "sgd":
        optimizer = torch.optim.SGD(params.values(), lr=lr, momentum=0.9)
    else:
        adam = {}

    batches = [(rng.standard_normal(input_shape).astype(np.float32),
                rng.integers(0, CLASSES, input_shape[0]).astype(np.int32))
               for _ in range(args.steps)]
    lr_input = np.array([lr], np.float32)
    worst = 0.0
    for step, (x, labels) in enumerate(batches):
        result = train.run({"x": x, "labels": labels,
                            "learning_rate": lr_input}).outputs
        logits, new_stats = forward(builder.layers, params, stats,
                                    torch.from_numpy(x).double(), step, True)
        loss = torch.nn.functional.cross_entropy(
            logits, torch.from_numpy(labels).long())
        for p in params.values():
            p.grad = None
        loss.backward()
        if args.optimizer == "sgd":
            optimizer.step()
        else:
            t = step + 1
            alpha = lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            with torch.no_grad():
                for name, p in params.items():
                    m, v = adam.get(name, (torch.zeros_like(p), torch.zeros_like(p)))
                    m = m + (p.grad - m) * 0.1
                    v = v + (p.grad * p.grad - v) * 0.001
                    adam[name] = (m, v)
                    p -= alpha * m / (torch.sqrt(v) + 1e-7)
        stats.update(new_stats)
        error = abs(float(result["loss"][0]) - float(loss)) / abs(float(loss))
        worst = max(worst, error)
        if error > args.rtol:
            fail(f"step {step}: loss {float(result['loss'][0])} vs the "
                 f"reference {float(loss)}")
    print(f"losses: {args.steps} steps match (worst relative error {worst:.2e})")

    worst = 0.0
    for name in param_names + stat_names:
        reference = (params[name] if name in params else stats[name]).detach().numpy()
        error = relative_error(train.get_state(name), reference)
        worst = max(worst, error)
        if error > args.rtol:
            fail(f"state '{name}' is off by {error:.2e} (relative)")
    print(f"weights and running statistics: match (worst relative error "
          f"{worst:.2e})")

    counter = float(train.get_state("dropout.step")[0])
    if counter != args.steps:
        fail(f"dropout.step is {counter} after {args.steps} steps")
    print(f"dropout.step = {counter:g}")
    # Masks change from step to step: the same batch at learning rate 0 (the
    # weights stay) gives another loss at every step.
    x, labels = batches[0]
    zero = np.zeros(1, np.float32)
    losses = {float(train.run({"x": x, "labels": labels,
                               "learning_rate": zero}).outputs["loss"][0])
              for _ in range(3)}
    if len(losses) != 3:
        fail(f"three steps on one batch gave the losses {sorted(losses)}")
    print("masks: a new mask every step")
    keys = [layer[2] for layer in builder.layers if layer[0] == "dropout"]
    if len(set(keys)) != len(keys):
        fail(f"dropout layers share keys {keys}")

    # The trained state in an inference binary of the inference form.
    snapshot = train.state_dict()
    if args.form == "inference":
        infer_path = os.path.join(args.workdir, "infer.npu")
        subprocess.run(["npu-compile", onnx_path, "--weights-as-state",
                        "--target", args.target, "--precision", args.precision,
                        "-o", infer_path], check=True)
        infer = npu.load(infer_path)
        infer.load_state_dict({info.name: snapshot[info.name]
                               for info in infer.state})
        x = rng.standard_normal(input_shape).astype(np.float32)
        output = next(iter(infer.run({"x": x}).outputs.values()))
        trained = {n: torch.from_numpy(snapshot[n]).double() for n in snapshot}
        logits, _ = forward(builder.layers, trained, trained,
                            torch.from_numpy(x).double(), 0, False)
        expected = torch.softmax(logits, dim=1).numpy()
        error = relative_error(output, expected)
        if error > args.rtol * 10:
            fail(f"inference with the trained state is off by {error:.2e}")
        print(f"inference: running statistics, no dropout (relative error "
              f"{error:.2e})")


if __name__ == "__main__":
    main()
