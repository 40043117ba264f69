# npu.keras.datasets.fashion_mnist.load_data() on Debian's
# dataset-fashion-mnist: Keras's shapes and dtypes, label range and counts,
# a checksum of the first image, plain (not gzip'd) IDX files from a given
# directory, and the errors for missing or malformed files.
# REQUIRES: fashion-mnist
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t | FileCheck %s
import gzip
import hashlib
import os
import shutil
import sys

import numpy as np

from npu.keras.datasets import fashion_mnist

work = sys.argv[1]
(x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
# CHECK: x_train (60000, 28, 28) uint8
# CHECK-NEXT: y_train (60000,) uint8
# CHECK-NEXT: x_test (10000, 28, 28) uint8
# CHECK-NEXT: y_test (10000,) uint8
for name, array in (("x_train", x_train), ("y_train", y_train),
                    ("x_test", x_test), ("y_test", y_test)):
    print(name, array.shape, array.dtype)
# Ten classes, balanced: 6000 train / 1000 test images each.
assert np.array_equal(np.bincount(y_train), np.full(10, 6000))
assert np.array_equal(np.bincount(y_test), np.full(10, 1000))
# CHECK-NEXT: labels 0..9, first train labels [9 0 0 3 0]
print(f"labels {y_train.min()}..{y_train.max()}, first train labels {y_train[:5]}")
# CHECK-NEXT: first image sum 76247 sha256 5bd44e331a6d6998
print("first image sum", int(x_train[0].sum(dtype=np.int64)), "sha256",
      hashlib.sha256(x_train[0].tobytes()).hexdigest()[:16])

# The same data from a directory of plain IDX files.
source = os.path.dirname(fashion_mnist._find("t10k-labels-idx1-ubyte", None))
plain = os.path.join(work, "plain")
os.makedirs(plain)
for stem in fashion_mnist._FILES.values():
    with gzip.open(os.path.join(source, stem + ".gz"), "rb") as f, \
            open(os.path.join(plain, stem), "wb") as out:
        shutil.copyfileobj(f, out)
(a, b), (c, d) = fashion_mnist.load_data(plain)
assert np.array_equal(a, x_train) and np.array_equal(d, y_test)
# CHECK-NEXT: plain IDX ok
print("plain IDX ok")


def expect(exception, call):
    try:
        call()
    except exception as error:
        print(type(error).__name__ + ":", error)
        return
    raise AssertionError("no exception")


# CHECK-NEXT: DatasetNotFoundError: Fashion-MNIST file train-images-idx3-ubyte[.gz] not found in '{{.*}}empty'
empty = os.path.join(work, "empty")
os.makedirs(empty)
expect(FileNotFoundError, lambda: fashion_mnist.load_data(empty))
# As if the Debian package were not installed.
fashion_mnist._package_files = lambda: []
fashion_mnist.DEFAULT_DIR = empty
# CHECK-NEXT: DatasetNotFoundError: Fashion-MNIST file train-images-idx3-ubyte[.gz] not found (is the Debian package 'dataset-fashion-mnist' installed? sudo apt install dataset-fashion-mnist)
expect(fashion_mnist.DatasetNotFoundError, fashion_mnist.load_data)

bad = os.path.join(work, "bad-idx")
with open(bad, "wb") as f:
    f.write(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
# CHECK-NEXT: ValueError: {{.*}}bad-idx: IDX header says 5 bytes of data (5,) but the file has 2
expect(ValueError, lambda: fashion_mnist.read_idx(bad))
with open(bad, "wb") as f:
    f.write(b"PK\x03\x04")
# CHECK-NEXT: ValueError: {{.*}}bad-idx: not an IDX file (bad magic number)
expect(ValueError, lambda: fashion_mnist.read_idx(bad))
with open(bad, "wb") as f:
    f.write(bytes([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]))
# CHECK-NEXT: ValueError: {{.*}}bad-idx: IDX element type 0x0d is not unsigned byte (0x08)
expect(ValueError, lambda: fashion_mnist.read_idx(bad))
