#!/usr/bin/env bash
# The main job. Sets up (install missing Debian packages, build), then imports a
# model into the nn dialect and prints its summary. Until the training demo
# lands, the embedded default is examples/models/small_cnn.onnx.
#   scripts/run.sh [model.onnx] [--input-shape NAME=1x3x224x224 ...]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/scripts/setup.sh" >&2
MODEL="$ROOT/examples/models/small_cnn.onnx"
if [ $# -gt 0 ] && [[ "$1" != --* ]]; then MODEL="$1"; shift; fi
echo "importing $MODEL" >&2
"$ROOT/build/bin/npu-translate" --import-onnx "$MODEL" "$@" |
  "$ROOT/build/bin/npu-opt" --nn-model-summary -o /dev/null
