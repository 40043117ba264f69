#!/usr/bin/env bash
# Installs (idempotently) the Debian packages npu-mlir needs, then configures and
# builds into build/. Everything comes from Debian's apt: nothing is downloaded
# from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build ccache g++ git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  libzstd-dev  # LLVM's static Support component needs it (npu-run links it)
  libonnx-dev libonnx-testdata python3-onnx libprotobuf-dev protobuf-compiler
  python3-numpy python3-torch python3-torchvision python3-matplotlib
  pybind11-dev libeigen3-dev libgtest-dev libzip-dev
  dataset-fashion-mnist
  clang-22 libclang-rt-22-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

BUILD_TYPE=${BUILD_TYPE:-Release}
if [ ! -f build/build.ninja ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" \
    -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
fi
cmake --build build
