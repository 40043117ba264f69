#!/usr/bin/env bash
# Set up (install missing Debian packages, build) and run the whole test
# suite (ctest: lit + GoogleTest), then the robustness job
# (scripts/sanitize.sh: the suite again under ASan + UBSan, every fuzzer for
# 60 s; docs/security.md). NPU_SKIP_SANITIZE=1 stops after the first part,
# for a quick local run; CI runs everything.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd build && ctest --output-on-failure -j2 "$@")
if [ "${NPU_SKIP_SANITIZE:-0}" != 1 ]; then
  bash scripts/sanitize.sh
fi
