#!/usr/bin/env bash
# Times `npu-run --perf-only` on a synthesized program of ~COUNT instructions
# (default 10 million) and prints simulated instructions per second of CPU
# time (user + sys, best and median of RUNS runs; the machine may be shared,
# so the best is the stable figure): end to end (binary read + validation +
# simulation), then the two phases of that run timed in-process, then
# validation and simulation of the program built in memory.
# With BASELINE_BUILD_DIR, that build's npu-run runs the same file in
# alternation (so load changes hit both) and the script prints the ratio and
# checks that both wrote the same stats JSON.
# Usage: benchmarks/simulator_perf_only.sh [BUILD_DIR] [COUNT] [RUNS]
#                                          [BASELINE_BUILD_DIR]
set -euo pipefail
build=${1:-build}
count=${2:-10000000}
runs=${3:-5}
baseline=${4:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bin/simulator_perf_only" "$work/bench.npu" "$count"
# Time the reader on a settled file: while the fresh file's dirty pages are
# still being written back, mapping it costs ~0.4 s more CPU.
sync "$work/bench.npu"
instructions=$(( count / 6 * 5 + 4 ))
builds=("$build")
[ -n "$baseline" ] && builds+=("$baseline")
for run in $(seq "$runs"); do
  for i in "${!builds[@]}"; do
    start=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$work/cpu" "${builds[$i]}/bin/npu-run" \
      "$work/bench.npu" --perf-only --stats-json "$work/s$i.json" --quiet
    end=$(date +%s.%N)
    echo "$(cat "$work/cpu") $start $end" >> "$work/times$i"
  done
done
/usr/bin/python3 - "$instructions" "$work" "${builds[@]}" <<'PY'
import json, statistics, sys
n, work, builds = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
best = []
for i, build in enumerate(builds):
    stats = json.load(open(f"{work}/s{i}.json"))
    assert stats["instructions"] == n, (stats["instructions"], n)
    rows = [[float(v) for v in line.split()] for line in open(f"{work}/times{i}")]
    cpu = [user + sys_ for user, sys_, _, _ in rows]
    wall = [end - start for _, _, start, end in rows]
    fastest = min(range(len(cpu)), key=cpu.__getitem__)
    best.append(cpu[fastest])
    print(f"{build}: npu-run --perf-only, {n} instructions (read + validate "
          f"+ simulate), {len(cpu)} runs: best {cpu[fastest]:.2f} s cpu = "
          f"{n / cpu[fastest] / 1e6:.2f} M/s (user {rows[fastest][0]:.2f} s, "
          f"sys {rows[fastest][1]:.2f} s), median "
          f"{statistics.median(cpu):.2f} s = "
          f"{n / statistics.median(cpu) / 1e6:.2f} M/s; best wall "
          f"{min(wall):.2f} s; simulated {stats['total_cycles']} cycles")
if len(builds) == 2:
    same = open(f"{work}/s0.json").read() == open(f"{work}/s1.json").read()
    print(f"baseline / {builds[0]}: {best[1] / best[0]:.2f}x cpu (best); "
          f"stats JSON {'identical' if same else 'DIFFERENT'}")
    if not same:
        sys.exit(1)
PY
for run in $(seq "$runs"); do
  "$build/bin/simulator_perf_only" --phases "$work/bench.npu"
done
"$build/bin/simulator_perf_only" --in-process "$count"
