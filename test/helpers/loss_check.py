#!/usr/bin/env python3
"""Checks nn-append-loss's losses and their gradients against Keras' formulas.

Usage: loss_check.py WORKDIR

For each case (a loss, from-logits or not, and a tiny model: a softmax, a
sigmoid, or the input itself), writes the model `@main(%z) -> y` as nn IR,
runs `npu-opt --nn-append-loss=... --nn-autodiff='func=main params=0'`
(the input is the "parameter"), evaluates the loss function and its gradient
in float64 with test/helpers/grad_check.py's interpreter, and compares both
with Keras' definition of the loss written in torch (float64 autograd for the
gradient): loss rtol 1e-9, gradient rtol 1e-7. Inputs include extreme logits
(+-60) and probabilities at 0 and 1, where the clipping and the stable
formulas matter. Prints one line per case; exits 1 on a mismatch.
"""
import os
import subprocess
import sys

import numpy as np
import torch

import grad_check

N, C = 4, 5
# Keras clips to [epsilon, 1 - epsilon] in float32, as the chip does.
LOW, HIGH = float(np.float32(1e-7)), float(np.float32(1 - 1e-7))


def keras_loss(kind, from_logits, head, z, labels):
    """Keras 3 semantics on the model input z (the head applied first)."""
    y = {"softmax": lambda v: torch.softmax(v, -1),
         "sigmoid": torch.sigmoid, "identity": lambda v: v}[head](z)
    if kind == "mse":
        return ((y - labels) ** 2).mean()
    if kind == "binary-crossentropy":
        if from_logits or head == "sigmoid":
            return torch.nn.functional.binary_cross_entropy_with_logits(
                z, labels)
        p = torch.clamp(y, LOW, HIGH)
        return -(labels * torch.log(p) + (1 - labels) * torch.log(1 - p)).mean()
    if from_logits or head == "softmax":
        log_p = torch.log_softmax(z, -1)
    else:
        p = y / y.sum(-1, keepdim=True)
        log_p = torch.log(torch.clamp(p, LOW, HIGH))
    if kind == "sparse-categorical-crossentropy":
        targets = torch.nn.functional.one_hot(labels.long(), C).to(z.dtype)
    else:
        targets = labels
    return -(targets * log_p).sum(-1).mean()


def model_ir(head):
    body = {"softmax": "%y = nn.softmax %z {axis = 1 : i64} : tensor<4x5xf32>",
            "sigmoid": "%y = nn.sigmoid %z : tensor<4x5xf32>",
            "identity": ""}[head]
    result = "%z" if head == "identity" else "%y"
    return (f"func.func @main(%z: tensor<4x5xf32> {{nn.name = \"z\"}}) -> "
            f"(tensor<4x5xf32> {{nn.name = \"y\"}}) {{\n  {body}\n"
            f"  return {result} : tensor<4x5xf32>\n}}\n")


def inputs_for(kind, head, from_logits, rng):
    z = rng.standard_normal((N, C)) * 3
    z[0, 0], z[1, 1] = 60.0, -60.0
    if head == "identity" and not from_logits and kind != "mse":
        z = rng.uniform(0, 1, (N, C))
        z[0, 0], z[1, 1] = 0.0, 1.0  # clipped probabilities
    if kind == "sparse-categorical-crossentropy":
        labels = rng.integers(0, C, N).astype(np.int32)
    elif kind == "categorical-crossentropy":
        labels = rng.dirichlet(np.ones(C), N)
    elif kind == "binary-crossentropy":
        labels = rng.uniform(0, 1, (N, C))
        labels[2] = np.round(labels[2])
    else:
        labels = rng.standard_normal((N, C))
    return torch.tensor(z, dtype=torch.float64), torch.tensor(labels)


CASES = [
    ("sparse-categorical-crossentropy", False, "softmax"),
    ("sparse-categorical-crossentropy", True, "identity"),
    ("sparse-categorical-crossentropy", False, "sigmoid"),
    ("categorical-crossentropy", False, "softmax"),
    ("categorical-crossentropy", True, "identity"),
    ("categorical-crossentropy", False, "identity"),
    ("mse", False, "identity"),
    ("mse", False, "softmax"),
    ("binary-crossentropy", False, "sigmoid"),
    ("binary-crossentropy", True, "identity"),
    ("binary-crossentropy", False, "identity"),
]


def main():
    workdir = sys.argv[1]
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(0)
    failed = False
    for kind, from_logits, head in CASES:
        path = os.path.join(workdir, f"{kind}-{from_logits}-{head}.mlir")
        open(path, "w").write(model_ir(head))
        options = f"loss={kind} from-logits={str(from_logits).lower()}"
        out = subprocess.run(
            ["npu-opt", path, f"--nn-append-loss={options}",
             "--nn-autodiff=func=main params=0", "--mlir-print-op-generic"],
            check=True, capture_output=True, text=True).stdout
        grad_fn = grad_check.parse(out)["main_grad"]
        z, labels = inputs_for(kind, head, from_logits, rng)
        loss, grad = grad_check.run(grad_fn, [z, labels])[:2]
        zr = z.clone().requires_grad_(True)
        expected = keras_loss(kind, from_logits, head, zr, labels)
        expected.backward()
        loss_error = abs(float(loss.reshape(())) - float(expected)) / max(
            abs(float(expected)), 1e-30)
        grad_error = float((grad - zr.grad).abs().max()) / max(
            float(zr.grad.abs().max()), 1e-30)
        ok = loss_error <= 1e-9 and grad_error <= 1e-7
        failed |= not ok
        print(f"{'ok' if ok else 'FAIL'}: {kind} from_logits={from_logits} "
              f"{head}: loss error {loss_error:.1e}, gradient error "
              f"{grad_error:.1e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
