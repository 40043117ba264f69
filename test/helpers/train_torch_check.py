#!/usr/bin/env python3
"""Trains an MLP on the simulated chip and with PyTorch, side by side.

Usage: train_torch_check.py WORKDIR --target npu-tiny --precision fp32
       --optimizer sgd|adam [--steps 20] [--rtol R] [--atol A]

Builds a 64-32-10 MLP (Linear, ReLU, Linear, Softmax) with fixed random
weights, exports it to ONNX (batch 16), compiles a train step with
`npu-compile --train --loss=sparse-categorical-crossentropy` (SGD: momentum
0.9, nesterov off; Adam: Keras defaults) and runs it on the simulator
through the `npu` Python package, on the same batches and learning rate as
the PyTorch reference:

- SGD: `torch.optim.SGD(momentum=0.9)`, whose formulation nn-optimizer uses;
- Adam: Keras' formulation (epsilon added to sqrt(v) after the bias
  correction is folded into the step size), written with torch ops, since
  `torch.optim.Adam` adds epsilon to the bias-corrected sqrt(v) instead.
  The script also reports how far `torch.optim.Adam` itself lands.

Checks, printing one line each (FileCheck reads them):
- the loss of every step within rtol/atol of PyTorch's;
- every final parameter within rtol/atol (max abs error relative to the
  largest magnitude of the reference tensor);
- the state persists across runs (the step counter equals the steps run);
- the learning rate is an input: a step with learning_rate 0 leaves the
  parameters unchanged, one with a larger rate moves them further;
- an inference binary compiled with --weights-as-state, given the train
  binary's state_dict, predicts what the trained PyTorch model predicts.
Exits 1 on the first failure.
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import torch
from torch import nn

import npu

BATCH, FEATURES, HIDDEN, CLASSES = 16, 64, 32, 10


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def relative_error(actual, expected):
    scale = max(float(np.max(np.abs(expected))), 1e-30)
    return float(np.max(np.abs(actual - expected))) / scale


def keras_adam_step(params, grads, state, lr, t, beta1=0.9, beta2=0.999,
                    epsilon=1e-7):
    """keras.optimizers.Adam.update_step, in float32 torch ops."""
    alpha = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    for p, g in zip(params, grads):
        m, v = state.setdefault(id(p), (torch.zeros_like(p), torch.zeros_like(p)))
        m = m + (g - m) * (1 - beta1)
        v = v + (g * g - v) * (1 - beta2)
        state[id(p)] = (m, v)
        with torch.no_grad():
            p -= (m * np.float32(alpha)) / (torch.sqrt(v) + epsilon)


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("workdir")
    parser.add_argument("--target", default="npu-tiny")
    parser.add_argument("--precision", default="fp32")
    parser.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-6)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    lr = 0.05 if args.optimizer == "sgd" else 0.01

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(),
                          nn.Linear(HIDDEN, CLASSES), nn.Softmax(dim=1))
    onnx_path = os.path.join(args.workdir, "mlp.onnx")
    torch.onnx.export(model, torch.zeros(BATCH, FEATURES), onnx_path,
                      input_names=["x"], output_names=["probs"])
    initial = {name: p.detach().numpy().copy()
               for name, p in model.named_parameters()}

    train_path = os.path.join(args.workdir, "train.npu")
    flags = (["--optimizer=sgd", "--momentum=0.9"] if args.optimizer == "sgd"
             else ["--optimizer=adam"])
    subprocess.run(["npu-compile", onnx_path, "--train",
                    "--loss=sparse-categorical-crossentropy", *flags,
                    "--target", args.target, "--precision", args.precision,
                    "-o", train_path], check=True)
    train = npu.load(train_path)
    inputs = sorted(info.name for info in train.inputs)
    outputs = sorted(info.name for info in train.outputs)
    state = sorted(info.name for info in train.state)
    print("inputs:", ", ".join(inputs))
    print("outputs:", ", ".join(outputs))
    print("state:", ", ".join(state))
    for name, value in initial.items():
        if not np.array_equal(train.get_state(name), value):
            fail(f"initial value of state '{name}' is not the initializer")

    rng = np.random.default_rng(1)
    batches = [(rng.standard_normal((BATCH, FEATURES)).astype(np.float32),
                rng.integers(0, CLASSES, BATCH).astype(np.int32))
               for _ in range(args.steps)]
    lr_input = np.array([lr], np.float32)

    # PyTorch: the softmax's logits go to cross_entropy (what the loss
    # pass does for a softmax output).
    logits_model = model[:3]
    sgd = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    adam_state = {}
    worst_loss = 0.0
    for step, (x, labels) in enumerate(batches):
        result = train.run({"x": x, "labels": labels,
                            "learning_rate": lr_input}).outputs
        logits = logits_model(torch.from_numpy(x))
        loss = nn.functional.cross_entropy(logits, torch.from_numpy(labels).long())
        probs = torch.softmax(logits, dim=1).detach().numpy()
        model.zero_grad()
        loss.backward()
        if args.optimizer == "sgd":
            sgd.step()
        else:
            keras_adam_step(list(model.parameters()),
                            [p.grad for p in model.parameters()], adam_state,
                            lr, step + 1)
        expected = float(loss)
        actual = float(result["loss"][0])
        error = abs(actual - expected)
        worst_loss = max(worst_loss, error / abs(expected))
        if error > args.atol + args.rtol * abs(expected):
            fail(f"step {step}: loss {actual} vs PyTorch {expected}")
        if relative_error(result["probs"], probs) > max(args.rtol, 1e-5) * 10:
            fail(f"step {step}: probs differ from PyTorch's")
    print(f"losses: {args.steps} steps match (worst relative error "
          f"{worst_loss:.2e})")

    worst_param = 0.0
    for name, p in model.named_parameters():
        error = relative_error(train.get_state(name), p.detach().numpy())
        worst_param = max(worst_param, error)
        if error > args.rtol:
            fail(f"parameter '{name}' is off by {error:.2e} (relative)")
    print(f"params: match (worst relative error {worst_param:.2e})")

    step_count = float(train.get_state("optimizer.step")[0])
    if step_count != args.steps:
        fail(f"optimizer.step is {step_count} after {args.steps} runs")
    print(f"state persists: optimizer.step = {step_count:g}")

    # The learning rate is an input: 0 keeps the weights, and a larger one
    # moves them further than a smaller one.
    snapshot = train.state_dict()
    x, labels = batches[0]
    moved = []
    for rate in (0.0, lr, 2 * lr):
        train.load_state_dict(snapshot)
        train.run({"x": x, "labels": labels,
                   "learning_rate": np.array([rate], np.float32)})
        moved.append(float(np.max(np.abs(train.get_state("2.weight") -
                                          snapshot["2.weight"]))))
    if moved[0] != 0.0 or not 0 < moved[1] < moved[2]:
        fail(f"learning rate does not scale the update: moved {moved}")
    print("learning rate: 0 keeps the weights, 2x moves them further")

    if args.optimizer == "adam":
        torch.manual_seed(0)
        reference = nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(),
                                  nn.Linear(HIDDEN, CLASSES))
        adam = torch.optim.Adam(reference.parameters(), lr=lr, eps=1e-7)
        for x, labels in batches:
            adam.zero_grad()
            nn.functional.cross_entropy(reference(torch.from_numpy(x)),
                                        torch.from_numpy(labels).long()).backward()
            adam.step()
        gap = max(relative_error(snapshot[name], p.detach().numpy())
                  for name, p in reference.named_parameters())
        print(f"info: torch.optim.Adam (epsilon on the corrected sqrt(v)) "
              f"differs by {gap:.2e}")

    # Inference with the trained weights: a --weights-as-state binary takes
    # the train binary's state by name.
    train.load_state_dict(snapshot)
    infer_path = os.path.join(args.workdir, "infer.npu")
    subprocess.run(["npu-compile", onnx_path, "--weights-as-state",
                    "--target", args.target, "--precision", args.precision,
                    "-o", infer_path], check=True)
    infer = npu.load(infer_path)
    infer.load_state_dict({info.name: snapshot[info.name]
                           for info in infer.state})
    x = rng.standard_normal((BATCH, FEATURES)).astype(np.float32)
    predicted = infer.run({"x": x}).outputs["probs"]
    expected = model(torch.from_numpy(x)).detach().numpy()
    error = relative_error(predicted, expected)
    if error > max(args.rtol, 1e-5) * 10:
        fail(f"inference with the trained state is off by {error:.2e}")
    print("inference: the trained state predicts as PyTorch")


if __name__ == "__main__":
    main()
