#!/usr/bin/env bash
# Times `npu-run --perf-only` on a synthesized program of ~COUNT instructions
# (default 10 million) and prints simulated instructions per second of host
# time: end to end (binary read + validation + simulation), then the two
# phases of that run timed in-process (CPU time), then validation and
# simulation of the program built in memory.
# Usage: benchmarks/simulator_perf_only.sh [BUILD_DIR] [COUNT]
set -euo pipefail
build=${1:-build}
count=${2:-10000000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/simulator_perf_only" "$work/bench.npu" "$count"
# Time the reader on a settled file: while the fresh file's dirty pages are
# still being written back, mapping it costs ~0.4 s more CPU.
sync "$work/bench.npu"
instructions=$(( count / 6 * 5 + 4 ))
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$work/cpu" \
  "$build/bin/npu-run" "$work/bench.npu" --perf-only --stats-json "$work/s.json" --quiet
end=$(date +%s.%N)
python3 - "$start" "$end" "$instructions" "$work/s.json" "$work/cpu" <<'PY'
import json, sys
start, end, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
stats = json.load(open(sys.argv[4]))
cpu = sum(float(t) for t in open(sys.argv[5]).read().split())
assert stats["instructions"] == n, (stats["instructions"], n)
print(f"npu-run --perf-only: {n} instructions (read + validate + simulate): "
      f"{end - start:.2f} s wall = {n / (end - start) / 1e6:.2f} M/s, "
      f"{cpu:.2f} s cpu = {n / cpu / 1e6:.2f} M/s; "
      f"simulated {stats['total_cycles']} cycles")
PY
"$build/bin/simulator_perf_only" --phases "$work/bench.npu"
"$build/bin/simulator_perf_only" --in-process "$count"
