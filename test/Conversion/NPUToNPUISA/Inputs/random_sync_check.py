"""Differential test of npu-lower-to-isa's synchronization on random programs.

Each random program is a placed npu program on npu-tiny whose instructions
read and write randomly chosen, partly overlapping ranges of one SRAM pool,
one accumulator pool and a DRAM tensor, on all four engines (every kind of
RAW, WAR and WAW hazard between engines occurs). Some accesses are strided:
4-D DMA boxes with random (also negative and zero) strides on both sides,
VPU operands narrower than their row stride, matmul inputs with a row
stride wider than k, so the split of strided accesses into byte ranges
(accessedIntervals) is exercised where boxes interleave. It is lowered twice: as
compiled (engines overlap, ordered only by the inserted semaphores) and
with `serialize` (every instruction also waits for the previous one in
program order, which is trivially the program's meaning). Both must pass
npuisa-verify-sync without a diagnostic (no deadlock, no semaphore left
non-zero); both binaries run on the simulator with the same input; every
output byte must be equal.

  random_sync_check.py --seeds 30 --dir DIR   (npu-opt, npu-translate and
                                               npu-run on PATH)
"""
import argparse
import json
import os
import random
import subprocess
import sys

import numpy as np

ROWS, COLS = 64, 32          # x and y: [64, 32] f32
SRAM_POOL = 64 * 1024        # bytes
ACC_POOL = 16 * 1024
ROW_BYTES = COLS * 4


def program(rng, length):
    lines = []
    emit = lines.append
    emit('module attributes {npu.target = #npu.target<"npu-tiny">} {')
    emit("  npu.program @main {")
    emit(f'    %x = npu.io "x" input f32 [{ROWS}, {COLS}] at 0x0')
    emit(f'    %y = npu.io "y" output f32 [{ROWS}, {COLS}] at 0x2000')
    emit(f'    %s = npu.io "s" output f32 [{SRAM_POOL // ROW_BYTES}, {COLS}] at 0x4000')
    emit(f'    %a = npu.io "a" output f32 [{ACC_POOL // ROW_BYTES}, {COLS}] at 0x14000')
    emit(f'    npu.layer "random" kind "test" macs 0 vector_ops 0 min_dram_bytes 0 {{')
    emit(f"      %p = npu.alloc sram {SRAM_POOL} at 0x0")
    emit(f"      %c = npu.alloc acc {ACC_POOL} at 0x0")
    sram_rows = SRAM_POOL // ROW_BYTES
    acc_rows = ACC_POOL // ROW_BYTES

    def sram_at(rows):  # a row offset so that `rows` rows fit
        return rng.randrange(0, sram_rows - rows + 1) * ROW_BYTES

    def acc_at(rows):
        return rng.randrange(0, acc_rows - rows + 1) * ROW_BYTES

    def box(rows):
        return (f"extents [1, 1, {rows}, {COLS}] dram_strides [0, 0, {COLS}, 1] "
                f"sram_strides [0, 0, {COLS}, 1]")

    def strided(elements, allow_zero):
        """A random 4-D box inside a region of `elements` f32 elements:
        (base, extents, strides)."""
        choices = [-64, -33, -32, -8, -1, 1, 2, 8, 32, 33, 64, 96, 320]
        if allow_zero:
            choices.append(0)
        while True:
            extents = [rng.randrange(1, 4), rng.randrange(1, 5),
                       rng.randrange(1, 9), rng.randrange(1, 17)]
            strides = [rng.choice(choices) for _ in range(4)]
            lo = sum(min(0, (e - 1) * st) for e, st in zip(extents, strides))
            hi = sum(max(0, (e - 1) * st) for e, st in zip(extents, strides))
            if hi - lo < elements:
                return rng.randrange(-lo, elements - hi), extents, strides

    def fmt(values):
        return "[" + ", ".join(str(v) for v in values) + "]"

    weights_loaded = False
    for _ in range(length):
        kind = rng.choice(["load", "load", "store", "weights", "matmul",
                           "matmul", "unary", "binary", "epilogue",
                           "strided_load", "strided_store"])
        rows = rng.randrange(1, 17)
        if kind in ("strided_load", "strided_store"):
            load = kind == "strided_load"
            dram, extents, dram_strides = strided(ROWS * COLS, load)
            sram, _, sram_strides = strided(SRAM_POOL // 4, not load)
            # Both sides share the extents: redraw the SRAM strides until
            # the box fits the pool.
            while True:
                lo = sum(min(0, (e - 1) * st)
                         for e, st in zip(extents, sram_strides))
                hi = sum(max(0, (e - 1) * st)
                         for e, st in zip(extents, sram_strides))
                if hi - lo < SRAM_POOL // 4:
                    sram = rng.randrange(-lo, SRAM_POOL // 4 - hi)
                    break
                _, _, sram_strides = strided(SRAM_POOL // 4, not load)
            if load:
                src = rng.choice(["x", "y"])
                emit(f"      npu.dma_load %{src}[{dram * 4:#x}] f32 -> %p[{sram * 4:#x}] f32 "
                     f"extents {fmt(extents)} dram_strides {fmt(dram_strides)} "
                     f"sram_strides {fmt(sram_strides)}")
            else:
                emit(f"      npu.dma_store %p[{sram * 4:#x}] f32 -> %y[{dram * 4:#x}] f32 "
                     f"extents {fmt(extents)} sram_strides {fmt(sram_strides)} "
                     f"dram_strides {fmt(dram_strides)}")
        elif kind == "load":
            src = rng.choice(["x", "y"])
            dram = rng.randrange(0, ROWS - rows + 1) * ROW_BYTES
            emit(f"      npu.dma_load %{src}[{dram:#x}] f32 -> %p[{sram_at(rows):#x}] f32 {box(rows)}")
        elif kind == "store":
            dram = rng.randrange(0, ROWS - rows + 1) * ROW_BYTES
            emit(f"      npu.dma_store %p[{sram_at(rows):#x}] f32 -> %y[{dram:#x}] f32 "
                 f"extents [1, 1, {rows}, {COLS}] sram_strides [0, 0, {COLS}, 1] "
                 f"dram_strides [0, 0, {COLS}, 1]")
        elif kind == "weights" or (kind == "matmul" and not weights_loaded):
            emit(f"      npu.mxu_load_weights %p[{sram_at(32):#x}] k 32 n 32 row_stride 32 f32")
            weights_loaded = True
        elif kind == "matmul":
            acc = " accumulate" if rng.random() < 0.4 else ""
            stride = rng.choice([32, 64])
            emit(f"      npu.mxu_matmul %p[{sram_at(rows * stride // 32):#x}] -> "
                 f"%c[{acc_at(rows):#x}] m {rows} k 32 n 32 row_stride {stride} "
                 f"acc_row_stride 32 f32{acc}")
        else:
            def operand(name, allow_acc=True):
                if allow_acc and rng.random() < 0.3:
                    return f"{name} %c[{acc_at(rows):#x}] f32 stride {COLS}"
                return f"{name} %p[{sram_at(rows):#x}] f32 stride {COLS}"
            # Narrower than the row stride half of the time: rows of an
            # operand then leave gaps other accesses may use.
            cols = COLS if rng.random() < 0.5 else rng.randrange(1, COLS)
            shape = f"rows {rows} cols {cols}"
            if kind == "unary":
                func = rng.choice(["relu", "neg", "copy", "abs"])
                emit(f"      npu.vpu_unary {func} {shape} {operand('dst')} {operand('src0')}")
            elif kind == "binary":
                func = rng.choice(["add", "sub", "mul", "max"])
                emit(f"      npu.vpu_binary {func} {shape} {operand('dst')} {operand('src0')} "
                     f"{operand('src1')} broadcast none")
            else:
                emit(f"      npu.vpu_epilogue none {shape} {operand('dst', False)} "
                     f"src0 %c[{acc_at(rows):#x}] f32 stride {COLS}")
    # Everything the program computed becomes an output: the SRAM pool, then
    # the accumulator (copied into the pool by an epilogue after that store).
    emit(f"      npu.dma_store %p[0x0] f32 -> %s[0x0] f32 extents [1, 1, {sram_rows}, {COLS}] "
         f"sram_strides [0, 0, {COLS}, 1] dram_strides [0, 0, {COLS}, 1]")
    emit(f"      npu.vpu_epilogue none rows {acc_rows} cols {COLS} dst %p[0x0] f32 stride {COLS} "
         f"src0 %c[0x0] f32 stride {COLS}")
    emit(f"      npu.dma_store %p[0x0] f32 -> %a[0x0] f32 extents [1, 1, {acc_rows}, {COLS}] "
         f"sram_strides [0, 0, {COLS}, 1] dram_strides [0, 0, {COLS}, 1]")
    emit("    }")
    emit("  }")
    emit("}")
    return "\n".join(lines) + "\n"


def run(cmd, quiet=False, **kwargs):
    """Runs a tool; fails on a non-zero exit, or with `quiet` on any stderr."""
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0 or (quiet and result.stderr):
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--length", type=int, default=60)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    x = np.random.default_rng(1).uniform(-2, 2, (ROWS, COLS)).astype(np.float32)
    x_path = os.path.join(args.dir, "x.npy")
    np.save(x_path, x)
    faster = 0
    for seed in range(args.seeds):
        source = program(random.Random(seed), args.length)
        outputs = {}
        cycles = {}
        for mode, option in (("overlap", ""), ("serial", "=serialize")):
            stem = os.path.join(args.dir, f"{seed}.{mode}")
            # npuisa-verify-sync also warns about any semaphore signalled
            # more often than waited on: every signal must be consumed.
            isa = run(["npu-opt", "--npu-lower-to-isa" + option,
                       "--npuisa-verify-sync"], input=source, quiet=True)
            run(["npu-translate", "--serialize-npu", "-o", stem + ".npu"],
                input=isa)
            run(["npu-run", stem + ".npu", "--input", "x=" + x_path,
                 "--output", f"y={stem}.y.npy", "--output", f"s={stem}.s.npy",
                 "--output", f"a={stem}.a.npy", "--stats-json",
                 stem + ".json", "--quiet"])
            outputs[mode] = [np.load(f"{stem}.{n}.npy").tobytes()
                             for n in ("y", "s", "a")]
            with open(stem + ".json") as f:
                cycles[mode] = json.load(f)["total_cycles"]
        if outputs["overlap"] != outputs["serial"]:
            sys.exit(f"seed {seed}: outputs differ between the overlapped and "
                     f"the serialized schedule")
        if cycles["overlap"] > cycles["serial"]:
            sys.exit(f"seed {seed}: overlapped schedule slower "
                     f"({cycles['overlap']} > {cycles['serial']} cycles)")
        faster += cycles["overlap"] < cycles["serial"]
    print(f"{args.seeds} random programs: outputs identical; "
          f"overlap faster in {faster}")


if __name__ == "__main__":
    main()
