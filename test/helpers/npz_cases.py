#!/usr/bin/env python3
"""Writes .npz checkpoints, good and malformed, for npu-run --load-state.

Usage: npz_cases.py CHECKPOINT.npz OUTDIR

CHECKPOINT.npz is a valid checkpoint of a binary (npu-run --save-state).
OUTDIR receives, each derived from it with Python's zipfile:
  compressed.npz   the same arrays, deflated (np.savez_compressed)
  extra.npz        the same arrays plus one that is no state of the binary
  missing.npz      without the array of the first state tensor
  shape.npz        the first array with one more row
  dtype.npz        the first array as float64
  notnpy.npz       an extra member that is not a .npy file
  duplicate.npz    the first member twice
  badnpy.npz       the first member's .npy header corrupted
  inflates.npz     the first array replaced by a member that deflates from a
                   few KiB to 64 MiB
  truncated.npz    the archive cut in half
  notzip.npz       a text file
"""
import io
import os
import sys
import zipfile

import numpy as np


def write(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)


def npy(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def main():
    source, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    arrays = dict(np.load(source))
    first = sorted(arrays)[0]
    members = [(name + ".npy", npy(value)) for name, value in arrays.items()]
    out = lambda name: os.path.join(outdir, name)

    np.savez_compressed(out("compressed.npz"), **arrays)
    write(out("extra.npz"), members + [("not_a_state.npy", npy(np.zeros(3)))])
    write(out("missing.npz"), [m for m in members if m[0] != first + ".npy"])
    grown = np.concatenate([arrays[first], arrays[first][:1]])
    write(out("shape.npz"), [(n, npy(grown) if n == first + ".npy" else d)
                             for n, d in members])
    write(out("dtype.npz"), [(n, npy(arrays[first].astype(np.float64))
                              if n == first + ".npy" else d)
                             for n, d in members])
    write(out("notnpy.npz"), members + [("readme.txt", b"hello")])
    with zipfile.ZipFile(out("duplicate.npz"), "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            archive.writestr(first + ".npy", members[0][1])
    bad = [(n, b"\x93NUMPX" + d[6:] if n == first + ".npy" else d)
           for n, d in members]
    write(out("badnpy.npz"), bad)
    write(out("inflates.npz"),
          [(n, bytes(64 << 20) if n == first + ".npy" else d)
           for n, d in members], zipfile.ZIP_DEFLATED)
    data = open(source, "rb").read()
    open(out("truncated.npz"), "wb").write(data[: len(data) // 2])
    open(out("notzip.npz"), "w").write("not a zip archive\n")


if __name__ == "__main__":
    main()
