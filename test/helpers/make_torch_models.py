#!/usr/bin/env python3
"""Exports real PyTorch models to ONNX for the importer tests.

Usage: make_torch_models.py MODEL OUTPUT.onnx [--opset N]

Models use random weights (torch.manual_seed(0)) and Debian's python3-torch /
python3-torchvision; nothing is downloaded.
"""
import argparse
import math
import warnings

import torch
import torch.nn as nn


class SmallCNN(nn.Module):
    """Conv/BN/ReLU/pool/flatten/linear: the bundled example model."""

    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(64, classes)

    def forward(self, x):
        x = self.features(x)
        # The view PyTorch exports as Shape/Gather/Unsqueeze/Concat/Reshape.
        return self.classifier(x.view(x.size(0), -1))


class MLP(nn.Module):
    """Linear/ReLU/Linear/ReLU/Linear on a batch of 8 feature vectors."""

    def __init__(self, features=256, hidden=512, classes=10):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(features, hidden), nn.ReLU(),
            nn.Linear(hidden, hidden), nn.ReLU(),
            nn.Linear(hidden, classes))

    def forward(self, x):
        return self.layers(x)


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.heads = heads
        self.register_buffer(
            "mask", torch.tril(torch.ones(context, context)).view(
                1, 1, context, context))

    def forward(self, x):
        b, t, c = x.size()
        q, k, v = self.qkv(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // self.heads))
        att = att.masked_fill(self.mask[:, :, :t, :t] == 0, float("-inf"))
        att = torch.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, heads, context)
        self.ln2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 4 * dim), nn.GELU(),
                                 nn.Linear(4 * dim, dim))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPTDecoder(nn.Module):
    """A small GPT: token + position embeddings, pre-LayerNorm blocks with
    masked multi-head causal attention and a GELU MLP, tied-free LM head."""

    def __init__(self, vocab=128, context=32, dim=64, heads=4, layers=2):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Embedding(context, dim)
        self.blocks = nn.ModuleList(
            [Block(dim, heads, context) for _ in range(layers)])
        self.ln = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, vocab, bias=False)

    def forward(self, idx):
        _, t = idx.size()
        positions = torch.arange(0, t, dtype=torch.long).unsqueeze(0)
        x = self.tok(idx) + self.pos(positions)
        for block in self.blocks:
            x = block(x)
        return self.head(self.ln(x))


def build(name):
    import torchvision
    if name == "resnet18":
        return torchvision.models.resnet18(), torch.randn(1, 3, 224, 224), None
    if name == "resnet50":
        return torchvision.models.resnet50(), torch.randn(1, 3, 224, 224), None
    if name == "mobilenetv2":
        return (torchvision.models.mobilenet_v2(), torch.randn(1, 3, 224, 224),
                None)
    if name == "gpt_decoder":
        return GPTDecoder(), torch.randint(0, 128, (1, 16)), None
    if name == "gpt_decoder_dynamic":
        return (GPTDecoder(), torch.randint(0, 128, (1, 16)),
                {"idx": {0: "batch", 1: "seq"}})
    if name == "mlp":
        return MLP(), torch.randn(8, 256), None
    if name == "small_cnn":
        return SmallCNN(), torch.randn(1, 3, 32, 32), None
    if name == "small_cnn_dynamic":
        return SmallCNN(), torch.randn(2, 3, 32, 32), {"x": {0: "batch"}}
    raise SystemExit("unknown model " + name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--opset", type=int, default=14)
    args = parser.parse_args()
    torch.manual_seed(0)
    module, example, dynamic_axes = build(args.model)
    module.eval()
    input_name = "idx" if args.model.startswith("gpt_decoder") else "x"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, example, args.output,
                          opset_version=args.opset, input_names=[input_name],
                          output_names=["y"], dynamic_axes=dynamic_axes,
                          do_constant_folding=True)


if __name__ == "__main__":
    main()
