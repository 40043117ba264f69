#!/usr/bin/env python3
"""Runs the malformed-input cases written by gen_cases.py.

Usage: run_cases.py CASE_DIR [--timeout S] [--memory-gib G] [-j N] [-v]

Each case's command must
  - exit with a non-zero status, not by a signal (a crash, an abort, an
    assertion) and not through a timeout (default 5 s of wall time);
  - stay within the memory limit (default 2 GiB of address space, set with
    setrlimit(RLIMIT_AS) like `ulimit -v`; in an AddressSanitizer build,
    whose shadow memory needs terabytes of address space, ASan's own
    hard_rss_limit_mb is used instead);
  - print no sanitizer report and no LLVM crash dump;
  - print a diagnostic matching the case's regular expression (which names
    the field, node, section or value at fault).
The tools are found on PATH (lit puts the build's bin/ first). Prints one
line per failing case and a summary `GROUP: N cases, F failures`; exits 1 if
any case failed.
"""
import argparse
import concurrent.futures
import json
import mmap
import os
import re
import resource
import shlex
import shutil
import subprocess
import sys
import time

CRASH_MARKERS = ("Sanitizer", "runtime error:", "Stack dump:",
                 "PLEASE submit a bug report", "Assertion", "LLVM ERROR",
                 "terminate called")


def is_asan(binary):
    with open(binary, "rb") as f, \
            mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b"__asan_init") != -1


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("case_dir")
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--memory-gib", type=float, default=2.0)
    parser.add_argument("-j", type=int, default=2)
    parser.add_argument("-v", action="store_true",
                        help="print every case's time and diagnostic")
    args = parser.parse_args()

    with open(os.path.join(args.case_dir, "cases.json")) as f:
        cases = json.load(f)
    tools = {}
    for key, name in (("translate", "npu-translate"), ("opt", "npu-opt"),
                      ("run", "npu-run")):
        path = shutil.which(name)
        if not path:
            sys.exit("run_cases: %s is not on PATH" % name)
        tools[key] = path
    asan = is_asan(tools["translate"])
    limit = int(args.memory_gib * (1 << 30))
    env = dict(os.environ)
    if asan:
        # Shadow memory and quarantine come on top of what the tool itself
        # allocates, hence the margin over the 2 GiB of the plain build.
        extra = "hard_rss_limit_mb=%d:allocator_may_return_null=1" % (
            limit * 3 // 2 >> 20)
        env["ASAN_OPTIONS"] = ":".join(
            o for o in (env.get("ASAN_OPTIONS", ""), extra) if o)

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def run(case):
        argv = shlex.split(case["argv"].format(dir=args.case_dir, **tools))
        start = time.monotonic()
        try:
            proc = subprocess.run(
                argv, capture_output=True, timeout=args.timeout, env=env,
                preexec_fn=None if asan else limit_memory)
        except subprocess.TimeoutExpired:
            return case, "timed out after %.1f s" % args.timeout, "", 0
        elapsed = time.monotonic() - start
        out = proc.stderr.decode("utf-8", "replace") + \
            proc.stdout.decode("utf-8", "replace")[:4000]
        if proc.returncode < 0:
            return case, "killed by signal %d" % -proc.returncode, out, elapsed
        if proc.returncode == 0:
            return case, "exit status 0 (the input was accepted)", out, elapsed
        for marker in CRASH_MARKERS:
            if marker in out:
                return case, "crash report (%s)" % marker, out, elapsed
        if not re.search(case["expect"], out):
            return case, "diagnostic does not match /%s/" % case["expect"], \
                out, elapsed
        return case, None, out, elapsed

    group = os.path.basename(os.path.normpath(args.case_dir))
    failures = 0
    slowest = 0.0
    with concurrent.futures.ThreadPoolExecutor(args.j) as pool:
        for case, problem, out, elapsed in pool.map(run, cases):
            slowest = max(slowest, elapsed)
            if problem:
                failures += 1
                print("FAIL %s: %s\n  command: %s\n  output: %s" % (
                    case["name"], problem, case["argv"],
                    out.strip()[:600].replace("\n", "\n          ")))
            elif args.v:
                first = out.strip().splitlines()[0] if out.strip() else ""
                print("ok   %s (%.2f s): %s" % (case["name"], elapsed,
                                               first[:160]))
    print("%s: %d cases, %d failures (slowest %.2f s, %s)" % (
        group, len(cases), failures, slowest,
        "ASan build" if asan else "address space <= %.1f GiB" %
        args.memory_gib))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
