#!/usr/bin/python3
"""Times `npu-translate --import-onnx` on torchvision ResNet-50.

Exports ResNet-50 with random weights (torch.manual_seed(0), opset 14) to a
temporary folder, then runs the importer with `-o FILE` three times and
prints the median wall time, the model size and the throughput. The export
itself is not timed.

Usage: benchmarks/import_resnet50.py [--npu-translate PATH] [--runs N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TOOL = os.path.join(HERE, "..", "build", "bin", "npu-translate")


def export_resnet50(path):
    import torch
    import torchvision
    torch.manual_seed(0)
    model = torchvision.models.resnet50().eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.randn(1, 3, 224, 224), path,
                          opset_version=14, input_names=["x"],
                          output_names=["y"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--npu-translate", default=DEFAULT_TOOL)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not os.access(args.npu_translate, os.X_OK):
        sys.exit("npu-translate not found at %s (use --npu-translate)" %
                 args.npu_translate)

    with tempfile.TemporaryDirectory() as folder:
        model = os.path.join(folder, "resnet50.onnx")
        output = os.path.join(folder, "resnet50.mlir")
        export_resnet50(model)
        model_mb = os.path.getsize(model) / 1e6
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run([args.npu_translate, "--import-onnx", model, "-o",
                            output], check=True)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print("model:          ResNet-50, %.1f MB ONNX (%s)" %
              (model_mb, os.path.basename(model)))
        print("output:         %.1f MB of MLIR text" %
              (os.path.getsize(output) / 1e6))
        print("runs:           %s s" % ", ".join("%.3f" % t for t in times))
        print("median:         %.3f s" % median)
        print("throughput:     %.0f MB/s of ONNX" % (model_mb / median))


if __name__ == "__main__":
    main()
