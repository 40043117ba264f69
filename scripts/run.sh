#!/usr/bin/env bash
# The main job. Sets up (install missing Debian packages, build), then runs the
# training demo: a Keras MLP trained on Fashion-MNIST on the simulated chip with
# npu.keras (examples/train_fashion_mnist.py), printing per epoch the loss,
# accuracy, validation accuracy, host time and the chip's simulated time and
# MXU utilization per step, then the test accuracy; it saves the loss/accuracy
# curves to build/fashion_mnist_<model>.png.
#   scripts/run.sh [--epochs N] [--model mlp|cnn] [--train-samples N]
#                  [--precision fp32|bf16] [--plot FILE.png] ...
#
# The model-compile path: import a model into nn and summarize it, compile it
# for the npu-base chip at bf16 (npu-compile), and run the binary on the
# simulator with a random input, printing cycles, the roofline bound and MXU
# utilization (default model: examples/models/small_cnn.onnx).
#   scripts/run.sh --compile [model.onnx] [--input-shape NAME=1x3x224x224 ...]
#   scripts/run.sh model.onnx [--input-shape ...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh" >&2
BIN="$ROOT/build/bin"
export PYTHONPATH="$ROOT/build/python${PYTHONPATH:+:$PYTHONPATH}"

compile_and_run() {
  local model="$ROOT/examples/models/small_cnn.onnx"
  if [ $# -gt 0 ] && [[ "$1" != --* ]]; then model="$1"; shift; fi
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT

  echo "== import $model" >&2
  "$BIN/npu-translate" --import-onnx "$model" "$@" |
    "$BIN/npu-opt" --nn-model-summary -o /dev/null

  echo "== compile for npu-base at bf16" >&2
  "$BIN/npu-compile" "$model" "$@" --target npu-base --precision bf16 \
    -o "$WORK/model.npu"

  echo "== run on the simulator (random input)" >&2
  # Debian's python3 (numpy) and the npu package read the binary's input table.
  local inputs
  mapfile -t inputs < <(/usr/bin/python3 - "$WORK" <<'PY'
import sys
import numpy as np
import npu
work = sys.argv[1]
binary = npu.load(f"{work}/model.npu")
rng = np.random.default_rng(0)
for i, info in enumerate(binary.inputs):
    path = f"{work}/input{i}.npy"
    if np.issubdtype(info.numpy_dtype, np.integer):
        data = rng.integers(0, 8, size=info.shape).astype(info.numpy_dtype)
    else:
        data = rng.standard_normal(info.shape).astype(info.numpy_dtype)
    np.save(path, data)
    print(f"--input\n{info.name}={path}")
PY
  )
  "$BIN/npu-run" "$WORK/model.npu" "${inputs[@]}"
}

if [ $# -gt 0 ] && [ "$1" = --compile ]; then
  shift
  compile_and_run "$@"
elif [ $# -gt 0 ] && [[ "$1" != --* ]]; then
  compile_and_run "$@"
else
  model=mlp
  args=("$@")
  for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[i]}" in
      --model=*) model="${args[i]#--model=}" ;;
      --model) model="${args[i + 1]:-mlp}" ;;
    esac
  done
  exec /usr/bin/python3 "$ROOT/examples/train_fashion_mnist.py" \
    --plot "$ROOT/build/fashion_mnist_$model.png" "$@"
fi
