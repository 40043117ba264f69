# Every error of npu.load / Binary.run as a Python exception with the
# runtime library's message: missing file, truncated binary, bytes that are
# not a binary, wrong argument types, unknown / missing inputs, wrong shape
# and dtype, perf-only runs, and a fault during a run.
# RUN: npu-translate --serialize-npu %S/Inputs/accumulate.mlir -o %t.npu
# RUN: npu-translate --serialize-npu %S/../Runtime/Inputs/mxu-mismatch.mlir -o %t.fault.npu
# RUN: %python %s %t.npu %t.fault.npu | FileCheck %s
import sys

import numpy as np

import npu

path = sys.argv[1]


def expect(exception, call):
    try:
        call()
    except exception as error:
        print(type(error).__name__ + ":", error)
        return
    raise AssertionError("no exception")


# NpuError is a RuntimeError.
assert issubclass(npu.NpuError, RuntimeError)

# CHECK: NpuError: cannot read '{{.*}}does-not-exist.npu': No such file or directory
expect(npu.NpuError, lambda: npu.load(path + ".does-not-exist.npu"))

with open(path, "rb") as f:
    data = f.read()
# CHECK-NEXT: NpuError: <bytes>: malformed ELF: section header table goes past the end of the file
expect(npu.NpuError, lambda: npu.load(data[: len(data) // 2]))
truncated = path + ".truncated"
with open(truncated, "wb") as f:
    f.write(data[:100])
# CHECK-NEXT: NpuError: {{.*}}.truncated: malformed ELF: section header table goes past the end of the file
expect(npu.NpuError, lambda: npu.load(truncated))
# CHECK-NEXT: NpuError: <bytes>: not an ELF file (bad magic)
expect(npu.NpuError, lambda: npu.load(b"not a chip binary"))
# CHECK-NEXT: TypeError: npu.load expects a path or the binary's bytes, got int
expect(TypeError, lambda: npu.load(42))

binary = npu.load(data)
x = np.zeros((4, 32), np.float32)
# CHECK-NEXT: KeyError: "unknown input 'z' (inputs: x)"
expect(KeyError, lambda: binary.run({"z": x}))
# Outputs and state are not inputs of run().
# CHECK-NEXT: KeyError: "unknown input 'y' (inputs: x)"
expect(KeyError, lambda: binary.run({"x": x, "y": x}))
# CHECK-NEXT: KeyError: 'missing inputs: x (or run with perf_only=True)'
expect(KeyError, lambda: binary.run({}))
# CHECK-NEXT: ValueError: input 'x' expects shape (4, 32) but got shape (4, 31)
expect(ValueError, lambda: binary.run({"x": np.zeros((4, 31), np.float32)}))
# CHECK-NEXT: ValueError: input 'x' expects shape (4, 32) but got shape (128,)
expect(ValueError, lambda: binary.run({"x": np.zeros(128, np.float32)}))
# CHECK-NEXT: TypeError: input 'x' expects a float32 array but got float64 (convert it with .astype(numpy.float32))
expect(TypeError, lambda: binary.run({"x": np.zeros((4, 32))}))
# CHECK-NEXT: TypeError: input 'x' expects a float32 array but got int64 (convert it with .astype(numpy.float32))
expect(TypeError, lambda: binary.run({"x": [[0] * 32] * 4}))
# CHECK-NEXT: TypeError: inputs must be a dict mapping input names to arrays, got list
expect(TypeError, lambda: binary.run([x]))

# Nothing was written by the failed calls: a good run still works.
assert np.array_equal(binary.run({"x": x + 1}).outputs["y"], x + 1)
# Perf-only runs take no inputs and return no outputs.
result = binary.run(perf_only=True)
assert result.outputs == {} and result.stats["total_cycles"] > 0
# CHECK-NEXT: ok
print("ok")

# A fault during the run (weights of the wrong shape for a matmul).
faulty = npu.load(sys.argv[2])
# CHECK-NEXT: NpuError: run failed: c0.mxu instruction 1: mxu_matmul (bf16, k = 32, n = 32) does not match the loaded weights (bf16, k = 32, n = 16)
expect(npu.NpuError, lambda: faulty.run(perf_only=True))
