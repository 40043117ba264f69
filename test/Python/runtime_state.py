# Persistent state through the Python runtime: Inputs/accumulate.mlir adds x
# to state "acc" on every run. Checks the state table, set_state/get_state
# round trip, that state persists across runs (the simulator stays alive),
# state_dict/load_state_dict, runs from several threads, and the state
# errors.
# RUN: npu-translate --serialize-npu %S/Inputs/accumulate.mlir -o %t.npu
# RUN: %python %s %t.npu | FileCheck %s
import sys

import numpy as np

import npu

binary = npu.load(sys.argv[1])
# CHECK: state acc f32 (4, 32)
for info in binary.state:
    print(info.role, info.name, info.dtype, info.shape)

# Initial state is zero (no constant segment initializes it).
assert np.array_equal(binary.get_state("acc"), np.zeros((4, 32), np.float32))
start = np.random.default_rng(0).standard_normal((4, 32)).astype(np.float32)
binary.set_state("acc", start)
acc = binary.get_state("acc")
assert acc.dtype == np.float32 and np.array_equal(acc, start)
# CHECK-NEXT: round trip ok
print("round trip ok")

x = np.arange(128, dtype=np.float32).reshape(4, 32)
total = start.copy()
for step in range(3):
    total = total + x
    y = binary.run({"x": x}).outputs["y"]
    assert np.array_equal(y, total), step
assert np.array_equal(binary.get_state("acc"), total)
# CHECK-NEXT: state persists across runs
print("state persists across runs")

saved = binary.state_dict()
binary.set_state("acc", np.zeros((4, 32), np.float32))
binary.load_state_dict(saved)
assert np.array_equal(binary.run({"x": x}).outputs["y"], total + x)
# CHECK-NEXT: state dict ok
print("state dict ok")

# Runs from several threads (the GIL is released while the chip runs) are
# serialized on the one simulated chip: no update of acc is lost.
import threading
binary.set_state("acc", np.zeros((4, 32), np.float32))
threads = [threading.Thread(target=lambda: [binary.run({"x": x}) for _ in range(5)])
           for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert np.array_equal(binary.get_state("acc"), 15 * x)
# CHECK-NEXT: threads ok
print("threads ok")


def expect(exception, call):
    try:
        call()
    except exception as error:
        print(type(error).__name__ + ":", error)
        return
    raise AssertionError("no exception")


# CHECK-NEXT: KeyError: "no state tensor named 'momentum' (state: acc)"
expect(KeyError, lambda: binary.get_state("momentum"))
# CHECK-NEXT: KeyError: "no state tensor named 'x' (state: acc)"
expect(KeyError, lambda: binary.set_state("x", x))
# CHECK-NEXT: ValueError: state 'acc' expects shape (4, 32) but got shape (32, 4)
expect(ValueError, lambda: binary.set_state("acc", x.T))
# CHECK-NEXT: TypeError: state 'acc' expects a float32 array but got int32 (convert it with .astype(numpy.float32))
expect(TypeError, lambda: binary.set_state("acc", x.astype(np.int32)))
# A transposed (non-contiguous) array of the right shape is accepted.
binary.set_state("acc", np.ascontiguousarray(x.T).T.reshape(4, 32))
binary.set_state("acc", np.asfortranarray(x))
assert np.array_equal(binary.get_state("acc"), x)
# CHECK-NEXT: non-contiguous ok
print("non-contiguous ok")
