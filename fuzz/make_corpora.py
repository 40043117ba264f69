#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets from the test suite.

Usage: make_corpora.py --src SRC_ROOT --tools BUILD/bin --out OUT_DIR

Nothing binary is committed: every seed is derived at build time from files
in test/ (and examples/, targets/):

  onnx_import   every model of test/helpers/make_onnx.py (valid and malformed)
                and examples/models/small_cnn.onnx
  mlir_parse,   every test/**/*.mlir split at `// -----`, plus the nn IR that
  nn_pipeline   npu-translate --import-onnx makes of the valid ONNX seeds
  binary_load,  npu-translate --serialize-npu of every test program that
  binary_run    serializes
  tensor_files  .npy and .pb tensors (first byte 0 / 1) and the target JSON
                files of targets/ (first byte 2); see fuzz_tensor_files.cpp

Each corpus directory is recreated from scratch. Prints one line per corpus.
"""
import argparse
import glob
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile

# Seeds larger than this are skipped: libFuzzer mutates small inputs faster
# and the bugs live in the structure, not in the bulk of the weights.
MAX_SEED_BYTES = 128 * 1024


def add_seed(directory, data):
    if not data or len(data) > MAX_SEED_BYTES:
        return False
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)
    return True


def onnx_seeds(src):
    sys.path.insert(0, os.path.join(src, "test", "helpers"))
    import make_onnx  # noqa: E402  (needs the path above)
    seeds = []
    for name, fn in sorted(make_onnx.CASES.items()):
        if name.startswith("external_"):
            continue  # they need a weights file next to the model
        try:
            result = fn()
        except Exception as e:  # a broken case must not stop the build
            print("make_corpora: skipping ONNX case %s: %s" % (name, e),
                  file=sys.stderr)
            continue
        data = result if isinstance(result, bytes) else \
            result.SerializeToString()
        seeds.append((name, data))
    with open(os.path.join(src, "examples", "models", "small_cnn.onnx"),
              "rb") as f:
        seeds.append(("small_cnn", f.read()))
    return seeds


def mlir_seeds(src):
    seeds = []
    for path in sorted(glob.glob(os.path.join(src, "test", "**", "*.mlir"),
                                 recursive=True)):
        with open(path, "rb") as f:
            text = f.read()
        for chunk in text.split(b"// -----"):
            # RUN/CHECK lines are comments to the parser; drop them to keep
            # the seeds about IR.
            lines = [l for l in chunk.splitlines(True)
                     if not l.lstrip().startswith(b"//")]
            seeds.append(b"".join(lines))
    return seeds


def run_tool(argv, stdin=None):
    try:
        result = subprocess.run(argv, input=stdin, capture_output=True,
                                timeout=60)
    except subprocess.TimeoutExpired:
        return None
    return result.stdout if result.returncode == 0 else None


def imported_mlir_seeds(tools, onnx):
    seeds = []
    translate = os.path.join(tools, "npu-translate")
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in onnx:
            path = os.path.join(tmp, name + ".onnx")
            with open(path, "wb") as f:
                f.write(data)
            # Small constants inline so the IR stays compact.
            out = run_tool([translate, "--import-onnx", path])
            if out:
                seeds.append(out)
    return seeds


def binary_seeds(src, tools):
    seeds = []
    translate = os.path.join(tools, "npu-translate")
    paths = sorted(glob.glob(os.path.join(src, "test", "**", "*.mlir"),
                             recursive=True))
    for path in paths:
        with open(path, "rb") as f:
            if b"npuisa.program" not in f.read():
                continue
        out = run_tool([translate, "--serialize-npu", path])
        if out:
            seeds.append(out)
    return seeds


def tensor_seeds(src):
    import numpy as np
    from onnx import numpy_helper
    seeds = []
    arrays = [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.zeros((), np.float32),
        np.array([1, -2, 3], np.int8),
        np.array([[7]], np.int32),
        np.array([1 << 40], np.int64),
        np.array([True, False]),
        np.ones((1, 2, 1, 2), np.float16),
        np.array([255, 0], np.uint8),
    ]
    for a in arrays:
        buf = io.BytesIO()
        np.save(buf, a)
        seeds.append(b"\x00" + buf.getvalue())
        seeds.append(b"\x01" + numpy_helper.from_array(a, "t")
                     .SerializeToString())
    for path in sorted(glob.glob(os.path.join(src, "targets", "*.json"))):
        with open(path, "rb") as f:
            seeds.append(b"\x02" + f.read())
    return seeds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", required=True)
    parser.add_argument("--tools", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    onnx = onnx_seeds(args.src)
    mlir = mlir_seeds(args.src) + imported_mlir_seeds(args.tools, onnx)
    binaries = binary_seeds(args.src, args.tools)
    corpora = {
        "fuzz_onnx_import": [data for _, data in onnx],
        "fuzz_mlir_parse": mlir,
        "fuzz_nn_pipeline": mlir,
        "fuzz_binary_load": binaries,
        "fuzz_binary_run": binaries,
        "fuzz_tensor_files": tensor_seeds(args.src),
    }
    for name, seeds in corpora.items():
        directory = os.path.join(args.out, name)
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory)
        kept = sum(add_seed(directory, s) for s in seeds)
        print("%s: %d seeds" % (name, kept))
        if kept == 0:
            sys.exit("make_corpora: no seeds for %s" % name)


if __name__ == "__main__":
    main()
