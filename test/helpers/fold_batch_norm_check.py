#!/usr/bin/env python3
"""Numerical check of `npu-opt --nn-fold-batch-norm` against PyTorch.

Usage:
  fold_batch_norm_check.py export OUTPUT.onnx
      Exports the eval-mode Conv2d+BatchNorm2d model below to ONNX, keeping
      the BatchNormalization nodes: TrainingMode.PRESERVE on a module in
      eval() exports inference batch norms, whereas TrainingMode.EVAL would
      run torch's own conv+BN fusion and leave nothing to fold.
  fold_batch_norm_check.py check FOLDED.mlir
      Reads each nn.conv's weight and bias from the printed MLIR (the
      dense_resource hex blobs at the end of the file: a 4-byte alignment
      header, then little-endian f32 data, or inline dense<...> values) and
      compares them, conv by conv, with the folded values computed in numpy
      from the same torch module (rtol 1e-5). Exits non-zero on a mismatch.

The model is rebuilt from torch.manual_seed(0) in both steps, so the check
needs no side files.
"""
import re
import sys

import numpy as np
import torch
import torch.nn as nn


def build():
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),             # conv with bias
        nn.BatchNorm2d(8, eps=1e-3),
        nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, bias=False),  # conv without bias
        nn.BatchNorm2d(16),
        nn.Conv2d(16, 16, 1, groups=4),             # grouped conv
        nn.BatchNorm2d(16))
    # Non-trivial running statistics and affine parameters: fresh BatchNorm
    # layers have mean 0 / var 1 / scale 1 / bias 0, which would hide bugs.
    for module in model:
        if isinstance(module, nn.BatchNorm2d):
            channels = module.num_features
            module.running_mean.copy_(torch.randn(channels))
            module.running_var.copy_(torch.rand(channels) + 0.5)
            module.weight.data.copy_(torch.randn(channels))
            module.bias.data.copy_(torch.randn(channels))
    return model.eval()


def reference(model):
    """Folded (weight, bias) per conv, in model order."""
    folded = []
    layers = list(model)
    for conv, bn in zip(layers, layers[1:]):
        if not (isinstance(conv, nn.Conv2d) and isinstance(bn, nn.BatchNorm2d)):
            continue
        w = conv.weight.detach().numpy().astype(np.float64)
        b = (conv.bias.detach().numpy().astype(np.float64)
             if conv.bias is not None else np.zeros(w.shape[0]))
        scale = bn.weight.detach().numpy().astype(np.float64)
        shift = bn.bias.detach().numpy().astype(np.float64)
        mean = bn.running_mean.numpy().astype(np.float64)
        var = bn.running_var.numpy().astype(np.float64)
        s = scale / np.sqrt(var + bn.eps)
        folded.append((w * s.reshape(-1, 1, 1, 1), (b - mean) * s + shift))
    return folded


def export(path):
    model = build()
    torch.onnx.export(model, torch.randn(1, 3, 8, 8), path, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False,
                      input_names=["x"], output_names=["y"])


def parse_shape(type_text):
    dims = type_text.split("<", 1)[1].rsplit("x", 1)[0]
    return [int(d) for d in dims.split("x")]


def read_convs(text):
    blobs = {name: bytes.fromhex(data[2:])[4:]
             for name, data in re.findall(r'^\s*(\w+): "(0x[0-9A-Fa-f]*)"',
                                          text, re.M)}
    values = {}
    for name, kind, body, type_text in re.findall(
            r'(%\w+) = nn\.constant (dense_resource|dense)<(.*?)> : '
            r'(tensor<[^>]*>)', text):
        shape = parse_shape(type_text)
        if kind == "dense_resource":
            array = np.frombuffer(blobs[body], dtype="<f4")
        else:
            array = np.array(eval(body.replace("e+", "e")), dtype=np.float32)
        values[name] = np.broadcast_to(array.reshape(-1) if array.size > 1
                                       else array, (int(np.prod(shape)),)
                                       ).reshape(shape)
    convs = []
    for weight, bias in re.findall(
            r'= nn\.conv %\w+, (%\w+)(?:, (%\w+))?', text):
        convs.append((values[weight], values[bias] if bias else None))
    return convs


def check(path):
    with open(path) as f:
        text = f.read()
    if "nn.batch_norm" in text:
        sys.exit("error: nn.batch_norm left in " + path)
    expected = reference(build())
    convs = read_convs(text)
    if len(convs) != len(expected):
        sys.exit(f"error: {len(convs)} convs in {path}, expected "
                 f"{len(expected)}")
    for index, ((weight, bias), (ref_w, ref_b)) in enumerate(
            zip(convs, expected)):
        if bias is None:
            sys.exit(f"error: conv {index} has no bias after folding")
        for what, got, want in (("weight", weight, ref_w),
                                ("bias", bias, ref_b)):
            if got.shape != want.shape or not np.allclose(
                    got, want, rtol=1e-5, atol=1e-6):
                sys.exit(f"error: conv {index} {what} differs: max abs error "
                         f"{np.max(np.abs(got - want))}")
        print(f"conv {index}: weight {list(weight.shape)} and bias "
              f"{list(bias.shape)} match")


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("export", "check"):
        sys.exit(__doc__)
    (export if sys.argv[1] == "export" else check)(sys.argv[2])


if __name__ == "__main__":
    main()
