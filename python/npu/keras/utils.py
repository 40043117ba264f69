"""``keras.utils``: ``set_random_seed``, ``to_categorical`` and the
``Progbar`` that ``fit``/``evaluate``/``predict`` print."""

import math
import sys
import time

import numpy as np

from .backend import set_random_seed

__all__ = ["Progbar", "set_random_seed", "to_categorical"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Class indices -> one-hot rows (``keras.utils.to_categorical``)."""
    y = np.asarray(y)
    if y.size and (not np.all(np.equal(np.mod(y, 1), 0)) or y.min() < 0):
        raise ValueError("to_categorical expects non-negative integer class "
                         "indices")
    y = y.astype(np.int64)
    shape = y.shape[:-1] if y.ndim > 1 and y.shape[-1] == 1 else y.shape
    y = y.reshape(-1)
    if num_classes is None:
        num_classes = int(y.max()) + 1 if y.size else 0
    if y.size and y.max() >= num_classes:
        raise ValueError(f"to_categorical: class index {int(y.max())} is not below "
                         f"num_classes={num_classes}")
    one_hot = np.zeros((y.size, num_classes), dtype=dtype)
    one_hot[np.arange(y.size), y] = 1
    return one_hot.reshape(shape + (num_classes,))


def _format_time_per_unit(seconds):
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


def _format_value(value):
    if isinstance(value, str):
        return value
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


class Progbar:
    """Keras's progress bar: ``verbose=1`` redraws one line
    (``  32/1875 [>.....] - ETA: 12s - loss: 0.52``) on a terminal and prints
    the final line once otherwise; ``verbose=2`` prints only the final line
    (``1875/1875 - 9s - 5ms/step - loss: ...``); ``verbose=0`` nothing."""

    def __init__(self, target, verbose=1, width=30, interval=0.05, stream=None):
        self.target = target
        self.verbose = verbose
        self.width = width
        self.interval = interval
        self.stream = stream or sys.stdout
        isatty = getattr(self.stream, "isatty", None)
        self.dynamic = bool(isatty and isatty()) or "ipykernel" in sys.modules
        self.start = time.perf_counter()
        self.last_update = 0.0
        self.total_width = 0

    def _line(self, current, values, finalize):
        now = time.perf_counter()
        elapsed = now - self.start
        per_unit = elapsed / current if current else 0.0
        if self.verbose == 2:
            line = f"{current}/{self.target} - {elapsed:.0f}s - " + \
                _format_time_per_unit(per_unit)
        else:
            digits = int(math.log10(self.target)) + 1 if self.target else 1
            done = int(self.width * current / self.target) if self.target else self.width
            bar = f"{current:{digits}d}/{self.target} ["
            if done > 0:
                bar += "=" * (done - 1) + (">" if current < self.target else "=")
            bar += "." * (self.width - done) + "]"
            if finalize:
                line = f"{bar} - {elapsed:.0f}s {_format_time_per_unit(per_unit)}"
            else:
                eta = per_unit * (self.target - current)
                eta_text = (f"{int(eta) // 3600}:{int(eta) % 3600 // 60:02d}:"
                            f"{int(eta) % 60:02d}" if eta > 3600 else
                            f"{int(eta) // 60}:{int(eta) % 60:02d}" if eta > 60
                            else f"{eta:.0f}s")
                line = f"{bar} - ETA: {eta_text}"
        for key, value in values.items():
            line += f" - {key}: {_format_value(value)}"
        return line

    def update(self, current, values=None, finalize=None):
        """Shows progress ``current`` of ``target`` with ``values`` (a dict
        of name -> number or preformatted text)."""
        if finalize is None:
            finalize = current >= self.target
        if self.verbose == 0 or (not finalize and (self.verbose == 2 or not self.dynamic)):
            return
        now = time.perf_counter()
        if not finalize and now - self.last_update < self.interval:
            return
        self.last_update = now
        line = self._line(current, values or {}, finalize)
        if self.dynamic and self.verbose == 1:
            padding = max(self.total_width - len(line), 0)
            self.stream.write("\r" + line + " " * padding)
            self.total_width = len(line)
            if finalize:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
