# bf16 I/O and state through the Python runtime (Inputs/accumulate-bf16.mlir):
# the tables say bf16, Python exchanges float32; values going in are rounded
# to nearest even bf16, values coming out are widened exactly.
# RUN: npu-translate --serialize-npu %S/Inputs/accumulate-bf16.mlir -o %t.npu
# RUN: %python %s %t.npu | FileCheck %s
import sys

import numpy as np

import npu


def to_bf16(values):
    """float32 -> nearest-even bf16, returned as float32."""
    bits = np.asarray(values, np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


binary = npu.load(sys.argv[1])
# CHECK: input x bf16 float32
# CHECK-NEXT: output y bf16 float32
# CHECK-NEXT: state acc bf16 float32
for info in binary.inputs + binary.outputs + binary.state:
    print(info.role, info.name, info.dtype, info.numpy_dtype)

rng = np.random.default_rng(0)
start = rng.standard_normal((4, 32)).astype(np.float32)
binary.set_state("acc", start)
acc = binary.get_state("acc")
assert acc.dtype == np.float32
assert np.array_equal(acc, to_bf16(start)), "state not rounded to nearest even"
# Ties round to even: 1 + 2^-8 lies halfway between 1 and 1 + 2^-7.
tie = np.full((4, 32), 1 + 2.0**-8, np.float32)
binary.set_state("acc", tie)
assert np.all(binary.get_state("acc") == 1.0)
# CHECK-NEXT: bf16 state rounding ok
print("bf16 state rounding ok")

binary.set_state("acc", start)
x = rng.standard_normal((4, 32)).astype(np.float32)
y = binary.run({"x": x}).outputs["y"]
assert y.dtype == np.float32 and y.shape == (4, 32)
expected = to_bf16(to_bf16(x) + to_bf16(start))
assert np.array_equal(y, expected), np.abs(y - expected).max()
# CHECK-NEXT: bf16 run ok
print("bf16 run ok")

# float64 is still refused (no silent casts), float32 is the exchange type.
try:
    binary.run({"x": x.astype(np.float64)})
except TypeError as error:
    # CHECK-NEXT: input 'x' expects a float32 array but got float64 (convert it with .astype(numpy.float32))
    print(error)
