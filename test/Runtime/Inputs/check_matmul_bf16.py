"""Compares npu-run's output of matmul-bf16.mlir with a numpy reference.

Usage: check_matmul_bf16.py PREFIX   (reads PREFIX.{x,w,b,y}.npy)
bf16 rounding (to nearest even) is done on the fp32 bit patterns.
"""
import sys

import numpy as np


def bf16(a):
    bits = a.view(np.uint32)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    return rounded.astype(np.uint32).view(np.float32)


prefix = sys.argv[1]
x, w, b, y = (np.load(prefix + s) for s in (".x.npy", ".w.npy", ".b.npy", ".y.npy"))
reference = np.maximum(bf16(x).astype(np.float64) @ bf16(w).astype(np.float64) + b, 0)
unrounded = np.maximum(x.astype(np.float64) @ w + b, 0)
print("max error vs bf16 reference below 1e-5:", bool(np.abs(y - reference).max() < 1e-5))
print("inputs were rounded:", bool(np.abs(y - unrounded).max() > 1e-3))
