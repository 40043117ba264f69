"""Compares a simulator output (.npy) with a numpy reference.

Usage: npy_compare.py ACTUAL.npy EXPECTED.npy [--rtol R] [--atol A]
Prints "match: <shape> <dtype> max_abs_err=<e>" and exits 0 when
|actual - expected| <= atol + rtol * |expected| everywhere (and shape and dtype
agree); otherwise prints the worst element and exits 1.
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("actual")
    parser.add_argument("expected")
    parser.add_argument("--rtol", type=float, default=0.0)
    parser.add_argument("--atol", type=float, default=0.0)
    args = parser.parse_args()
    actual = np.load(args.actual)
    expected = np.load(args.expected)
    if actual.shape != expected.shape or actual.dtype != expected.dtype:
        print(f"mismatch: actual {actual.shape} {actual.dtype}, "
              f"expected {expected.shape} {expected.dtype}")
        return 1
    a = actual.astype(np.float64)
    e = expected.astype(np.float64)
    error = np.abs(a - e)
    bad = error > args.atol + args.rtol * np.abs(e)
    if bad.any():
        index = np.unravel_index(np.argmax(error - args.rtol * np.abs(e)),
                                 error.shape)
        print(f"mismatch: {int(bad.sum())} elements out of tolerance; worst "
              f"at {index}: actual {a[index]} expected {e[index]}")
        return 1
    print(f"match: {list(actual.shape)} {actual.dtype} "
          f"max_abs_err={error.max() if error.size else 0.0:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
