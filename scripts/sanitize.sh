#!/usr/bin/env bash
# Robustness CI (issue 7, docs/security.md): builds everything with clang-22,
# AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer instrumentation
# in build-asan/, runs the whole test suite there (lit + GoogleTest) with zero
# sanitizer reports allowed, runs each libFuzzer target for FUZZ_SECONDS from
# its seed corpus (generated from test/), and replays every crasher ever found
# (fuzz/regressions/<fuzzer>/).
#
#   bash scripts/sanitize.sh              # the CI run: 60 s per fuzzer
#   FUZZ_SECONDS=10 bash scripts/sanitize.sh
#   SKIP_TESTS=1 bash scripts/sanitize.sh # fuzzers only
#
# Environment: BUILD_DIR (default build-asan), JOBS (ninja -j, default 2),
# FUZZ_SECONDS (default 60), SKIP_TESTS=1. Exits non-zero on any failing
# test, sanitizer report or fuzzer finding; prints the time of each step.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build-asan}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZERS=(fuzz_onnx_import fuzz_mlir_parse fuzz_nn_pipeline fuzz_binary_load
         fuzz_binary_run fuzz_tensor_files)

t0=$(date +%s)
step() { echo "sanitize: [$(($(date +%s) - t0)) s] $*"; }

# The compiler and sanitizer runtimes come from Debian (scripts/setup.sh has
# them too); the rest of the dependencies are scripts/setup.sh's.
if ! command -v clang++-22 >/dev/null ||
   ! dpkg-query -W -f='${Status}' libclang-rt-22-dev 2>/dev/null | grep -q "ok installed"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends clang-22 libclang-rt-22-dev
fi

step "configure $BUILD_DIR"
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  LAUNCHER=()
  command -v ccache >/dev/null &&
    LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  cmake -S . -B "$BUILD_DIR" -G Ninja -DNPU_SANITIZE=ON \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 "${LAUNCHER[@]}"
fi
step "build (tools, unit tests, fuzzers)"
ninja -C "$BUILD_DIR" -j"$JOBS"

# Every report goes to a file under $REPORTS as well as failing its process:
# "zero reports" is checked on that directory, so a report inside a test that
# expects a failure (`not tool ...`) cannot go unnoticed.
REPORTS=$ROOT/$BUILD_DIR/sanitizer-reports
rm -rf "$REPORTS" && mkdir -p "$REPORTS"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0:log_path=$REPORTS/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$REPORTS/ubsan"
export LSAN_OPTIONS="suppressions=$ROOT/fuzz/lsan.supp:print_suppressions=0"
export ASAN_SYMBOLIZER_PATH="$(llvm-config-22 --bindir)/llvm-symbolizer"

status=0
if [ "${SKIP_TESTS:-0}" != 1 ]; then
  step "test suite under ASan + UBSan (ctest: lit + GoogleTest)"
  (cd "$BUILD_DIR" && ctest --output-on-failure -j"$JOBS") || status=1
  if compgen -G "$REPORTS/*" >/dev/null; then
    echo "sanitize: sanitizer reports from the test suite:"
    for f in "$REPORTS"/*; do echo "== $f"; head -40 "$f"; done
    status=1
  else
    step "test suite: 0 sanitizer reports"
  fi
fi

# Fuzzers print their reports themselves; artifacts land in artifacts/.
unset ASAN_OPTIONS UBSAN_OPTIONS
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

step "seed corpora from test/"
ninja -C "$BUILD_DIR" npu-fuzz-corpora
FUZZ_DIR=$ROOT/$BUILD_DIR/fuzz
step "replay crashers of earlier runs (fuzz/regressions/)"
for fuzzer in "${FUZZERS[@]}"; do
  dir=fuzz/regressions/$fuzzer
  compgen -G "$dir/*" >/dev/null || continue
  if "$BUILD_DIR/bin/$fuzzer" -rss_limit_mb=2560 -timeout=10 "$dir"/* \
       > "$FUZZ_DIR/$fuzzer.replay.log" 2>&1; then
    echo "  $fuzzer: $(ls "$dir" | wc -l) inputs replayed, no finding"
  else
    echo "  $fuzzer: a regression input fails again:"; tail -30 "$FUZZ_DIR/$fuzzer.replay.log"
    status=1
  fi
done

step "fuzz each target for $FUZZ_SECONDS s"
summary=()
for fuzzer in "${FUZZERS[@]}"; do
  work=$FUZZ_DIR/new-inputs/$fuzzer artifacts=$FUZZ_DIR/artifacts/$fuzzer/
  mkdir -p "$work" "$artifacts"
  log=$FUZZ_DIR/$fuzzer.log
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb bounds memory
  # (ASan's shadow included); new coverage goes to new-inputs/, seeds stay clean.
  if "$BUILD_DIR/bin/$fuzzer" "$work" "$FUZZ_DIR/corpus/$fuzzer" \
       -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2560 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" \
       > "$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log, input in $artifacts)"
    tail -40 "$log"
    status=1
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo "?")
  summary+=("$(printf '%-18s %10s runs  cov %6s  %s' "$fuzzer" "$runs" "$cov" "$result")")
done

step "done"
printf '  %s\n' "${summary[@]}"
echo "sanitize: total $(($(date +%s) - t0)) s, status $status"
exit $status
