"""Fashion-MNIST from Debian's ``dataset-fashion-mnist`` package.

``load_data()`` mirrors ``keras.datasets.fashion_mnist.load_data()``: it
returns ``((x_train, y_train), (x_test, y_test))`` with uint8 images shaped
(60000, 28, 28) / (10000, 28, 28) and uint8 labels 0..9 shaped (60000,) /
(10000,). Nothing is downloaded: the IDX files come from the Debian package
(``apt install dataset-fashion-mnist``), found with ``dpkg -L``, in
``$NPU_FASHION_MNIST_DIR`` if set, or in /usr/share/datasets/fashion-mnist.
"""

import gzip
import os
import subprocess

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
PACKAGE = "dataset-fashion-mnist"

_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


class DatasetNotFoundError(FileNotFoundError):
    """The Fashion-MNIST files are not installed."""


def _package_files():
    """Paths the Debian package installed ([] if it is not installed)."""
    try:
        proc = subprocess.run(["dpkg", "-L", PACKAGE], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, check=False)
    except OSError:
        return []
    if proc.returncode != 0:
        return []
    return proc.stdout.decode("utf-8", errors="replace").splitlines()


def _find(stem, search_dir):
    """The path of IDX file ``stem`` (plain or .gz), or None."""
    candidates = []
    if search_dir:
        candidates += [os.path.join(search_dir, stem + ext) for ext in ("", ".gz")]
    else:
        candidates += [p for p in _package_files()
                       if os.path.basename(p) in (stem, stem + ".gz")]
        candidates += [os.path.join(DEFAULT_DIR, stem + ext) for ext in ("", ".gz")]
    for path in candidates:
        if os.path.isfile(path):
            return path
    return None


def read_idx(path):
    """Reads an IDX file (optionally gzip'd) of unsigned bytes as a NumPy
    array, checking its magic number and that the size matches the header."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise ValueError(f"{path}: IDX element type 0x{data[2]:02x} is not "
                         "unsigned byte (0x08)")
    rank = data[3]
    header = 4 + 4 * rank
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    count = int(np.prod(shape, dtype=np.int64)) if rank else 1
    if len(data) - header != count:
        raise ValueError(f"{path}: IDX header says {count} bytes of data "
                         f"{shape} but the file has {len(data) - header}")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape).copy()


def load_data(path=None):
    """Loads Fashion-MNIST: ``((x_train, y_train), (x_test, y_test))``.

    ``path`` (or ``$NPU_FASHION_MNIST_DIR``) may name a directory holding the
    four IDX files instead of the Debian package's.
    """
    search_dir = path or os.environ.get("NPU_FASHION_MNIST_DIR")
    arrays = {}
    for key, stem in _FILES.items():
        found = _find(stem, search_dir)
        if found is None:
            where = (f"in '{search_dir}'" if search_dir else
                     f"(is the Debian package '{PACKAGE}' installed? "
                     f"sudo apt install {PACKAGE})")
            raise DatasetNotFoundError(
                f"Fashion-MNIST file {stem}[.gz] not found {where}")
        arrays[key] = read_idx(found)
    for split, count in (("train", 60000), ("test", 10000)):
        x, y = arrays["x_" + split], arrays["y_" + split]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (x.shape[0],):
            raise ValueError(f"Fashion-MNIST {split} files have unexpected "
                             f"shapes {x.shape} and {y.shape}")
    return ((arrays["x_train"], arrays["y_train"]),
            (arrays["x_test"], arrays["y_test"]))
