#!/usr/bin/python3
"""Regenerates examples/models/small_cnn.onnx, the bundled example model.

A small image classifier for 32x32 RGB inputs (CIFAR-sized): three
Conv/BatchNorm/ReLU stages with max pooling, global average pooling, a
flatten written as x.view(x.size(0), -1) and a linear classifier over 10
classes. Random weights from torch.manual_seed(0) (BatchNorm statistics
randomized too, then folded into the convolutions by the exporter). The input
is a static 1x3x32x32 batch, so `npu-translate --import-onnx` needs no
options. The file is byte-for-byte reproducible with Debian's torch 1.13.

Usage: examples/make_small_cnn.py [OUTPUT.onnx]
"""
import os
import sys
import warnings

import torch
import torch.nn as nn


class SmallCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1))
        self.classifier = nn.Linear(64, classes)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(x.view(x.size(0), -1))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    output = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "models", "small_cnn.onnx")
    torch.manual_seed(0)
    model = SmallCNN().eval()
    # Give BatchNorm non-trivial statistics so the folded weights are too.
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.randn(1, 3, 32, 32), output,
                          opset_version=14, input_names=["x"],
                          output_names=["logits"])
    print("wrote %s (%d bytes)" % (output, os.path.getsize(output)))


if __name__ == "__main__":
    main()
