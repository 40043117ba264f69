"""Inputs and numpy references for the hand-written npuisa programs in
test/Runtime/*.mlir.

Usage: npuisa_cases.py CASE DIR
Writes DIR/<name>.npy for every input of CASE and DIR/<name>.ref.npy for every
expected output. Inputs are seeded, so the tests are deterministic.
"""
import os
import sys

import numpy as np


def bf16(x):
    """Rounds float32 values to bfloat16 (round to nearest even), as float32."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


def matmul_bias_relu(rng):
    x = rng.standard_normal((4, 32)).astype(np.float32)
    w = rng.standard_normal((32, 32)).astype(np.float32)
    # The bias is a constant of the program: (i - 16) / 16.
    bias = ((np.arange(32) - 16) / 16).astype(np.float32)
    y = np.maximum(x.astype(np.float64) @ w.astype(np.float64) + bias, 0)
    return {"x": x, "w": w}, {"y": y.astype(np.float32)}


def vpu_chain(rng):
    x = rng.standard_normal((8, 64)).astype(np.float32)
    s = rng.standard_normal((8, 64)).astype(np.float32)
    b = rng.standard_normal((1, 64)).astype(np.float32)
    t = np.tanh(x * s + b)
    return {"x": x, "s": s, "b": b}, {
        "y": t.astype(np.float32),
        "rowmax": t.max(axis=1, keepdims=True).astype(np.float32),
    }


def bf16_matmul(rng):
    x = rng.standard_normal((16, 32)).astype(np.float32)
    w = rng.standard_normal((32, 32)).astype(np.float32)
    y = bf16(x).astype(np.float64) @ bf16(w).astype(np.float64)
    return {"x": x, "w": w}, {"y": y.astype(np.float32)}


def int8_matmul(rng):
    x = rng.integers(-16, 16, size=(8, 32), dtype=np.int8)
    w = rng.integers(-16, 16, size=(32, 32), dtype=np.int8)
    acc = x.astype(np.int64) @ w.astype(np.int64)
    # Requantize: sat_i8(round_half_even(acc * scale) + zero_point).
    y = np.clip(np.round(acc * (1 / 64)) + 3, -128, 127).astype(np.int8)
    # Dequantize: (y - zero_point) * scale.
    z = ((y.astype(np.float64) - 3) * (1 / 64)).astype(np.float32)
    return {"x": x, "w": w}, {"y": y, "z": z}


CASES = {
    "int8_matmul": int8_matmul,
    "matmul_bias_relu": matmul_bias_relu,
    "vpu_chain": vpu_chain,
    "bf16_matmul": bf16_matmul,
}


def main():
    case, directory = sys.argv[1], sys.argv[2]
    os.makedirs(directory, exist_ok=True)
    inputs, outputs = CASES[case](np.random.default_rng(1234))
    for name, value in inputs.items():
        np.save(os.path.join(directory, name + ".npy"), value)
    for name, value in outputs.items():
        np.save(os.path.join(directory, name + ".ref.npy"), value)


if __name__ == "__main__":
    main()
