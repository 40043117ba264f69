"""Losses with Keras's names and semantics.

In ``fit`` the loss is computed on the chip, in the train step
(``npu-compile --train --loss=<flag>``); ``evaluate`` computes it on the host
from the inference binary's outputs with the NumPy functions below (in
float64), so both report the same quantity. As in Keras, a probability loss
(``from_logits=False``) on a model ending in softmax (categorical) or
sigmoid (binary) is computed from the logits before that activation, which
is exact where ``log(softmax(z))`` in float32 would underflow; otherwise
probabilities are clipped to ``[1e-7, 1 - 1e-7]`` as Keras does.
"""

import numpy as np

EPSILON = 1e-7  # keras.backend.epsilon()


def _log_softmax(z):
    z = np.asarray(z, np.float64)
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _log_probabilities(p):
    """log of probabilities normalized over the last axis, clipped as Keras."""
    p = np.asarray(p, np.float64)
    p = p / p.sum(axis=-1, keepdims=True)
    return np.log(np.clip(p, EPSILON, 1 - EPSILON))


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample ``-log p[label]`` (``y_true`` class indices)."""
    labels = np.asarray(y_true).reshape(-1).astype(np.int64)
    log_p = _log_softmax(y_pred) if from_logits else _log_probabilities(y_pred)
    return -np.take_along_axis(log_p, labels[:, None], axis=-1)[:, 0]


def categorical_crossentropy(y_true, y_pred, from_logits=False):
    """Per-sample ``-sum(t * log p)`` (``y_true`` one-hot / distributions)."""
    log_p = _log_softmax(y_pred) if from_logits else _log_probabilities(y_pred)
    return -(np.asarray(y_true, np.float64) * log_p).sum(axis=-1)


def mean_squared_error(y_true, y_pred):
    diff = np.asarray(y_pred, np.float64) - np.asarray(y_true, np.float64)
    return (diff * diff).mean(axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False):
    t = np.asarray(y_true, np.float64)
    if from_logits:
        z = np.asarray(y_pred, np.float64)
        values = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
    else:
        p = np.clip(np.asarray(y_pred, np.float64), EPSILON, 1 - EPSILON)
        values = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    return values.mean(axis=-1)


mse = MSE = mean_squared_error


class Loss:
    """A loss: its Keras name, the train-step flag and the labels it takes.

    ``sparse_labels``: integer class indices ``(batch,)`` rather than
    targets shaped like the output. ``logits_activation``: the final
    activation whose input the loss uses when ``from_logits`` is False.
    """

    flag = None
    sparse_labels = False
    logits_activation = None

    def __init__(self, reduction="auto", name=None, from_logits=False):
        if reduction not in ("auto", "sum_over_batch_size"):
            raise ValueError(f"{type(self).__name__}: npu.keras reduces a loss to "
                             f"the batch mean only. Received: reduction={reduction!r}")
        self.name = name or self.default_name
        self.from_logits = bool(from_logits)

    def compile_flags(self):
        return [f"--loss={self.flag}"] + (["--from-logits"] if self.from_logits else [])

    def per_sample(self, y_true, y_pred, logits=None):
        """Per-sample losses on the host; ``logits`` (the input of the final
        softmax/sigmoid, if exported) replaces ``y_pred`` as Keras does."""
        raise NotImplementedError

    def get_config(self):
        return {"name": self.name, "from_logits": self.from_logits}

    def __repr__(self):
        return f"{type(self).__name__}(from_logits={self.from_logits})"


class _CrossentropyLoss(Loss):
    def per_sample(self, y_true, y_pred, logits=None):
        if self.from_logits:
            return self.function(y_true, y_pred, from_logits=True)
        if logits is not None:
            return self.function(y_true, logits, from_logits=True)
        return self.function(y_true, y_pred)


class SparseCategoricalCrossentropy(_CrossentropyLoss):
    flag = "sparse-categorical-crossentropy"
    sparse_labels = True
    logits_activation = "softmax"
    default_name = "sparse_categorical_crossentropy"
    function = staticmethod(sparse_categorical_crossentropy)

    def __init__(self, from_logits=False, ignore_class=None, reduction="auto",
                 name="sparse_categorical_crossentropy"):
        super().__init__(reduction, name, from_logits)
        if ignore_class is not None:
            raise ValueError("SparseCategoricalCrossentropy: `ignore_class` is not "
                             "supported by npu.keras")


class CategoricalCrossentropy(_CrossentropyLoss):
    flag = "categorical-crossentropy"
    logits_activation = "softmax"
    default_name = "categorical_crossentropy"
    function = staticmethod(categorical_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="auto", name="categorical_crossentropy"):
        super().__init__(reduction, name, from_logits)
        if label_smoothing != 0 or axis != -1:
            raise ValueError("CategoricalCrossentropy: npu.keras supports "
                             "label_smoothing=0 and axis=-1 only")


class BinaryCrossentropy(_CrossentropyLoss):
    flag = "binary-crossentropy"
    logits_activation = "sigmoid"
    default_name = "binary_crossentropy"
    function = staticmethod(binary_crossentropy)

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="auto", name="binary_crossentropy"):
        super().__init__(reduction, name, from_logits)
        if label_smoothing != 0 or axis != -1:
            raise ValueError("BinaryCrossentropy: npu.keras supports "
                             "label_smoothing=0 and axis=-1 only")


class MeanSquaredError(Loss):
    flag = "mse"
    default_name = "mean_squared_error"

    def __init__(self, reduction="auto", name="mean_squared_error"):
        super().__init__(reduction, name)

    def per_sample(self, y_true, y_pred, logits=None):
        return mean_squared_error(y_true, y_pred)


_BY_NAME = {
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
}
_BY_FUNCTION = {
    sparse_categorical_crossentropy: SparseCategoricalCrossentropy,
    categorical_crossentropy: CategoricalCrossentropy,
    binary_crossentropy: BinaryCrossentropy,
    mean_squared_error: MeanSquaredError,
}


def get(identifier):
    """A :class:`Loss` from a name, a loss class/instance or one of this
    module's functions."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier) or {c.__name__: c for c in
                                           _BY_NAME.values()}.get(identifier)
        if cls is None:
            raise ValueError(f"Unknown loss function: '{identifier}' (npu.keras "
                             f"supports: {', '.join(sorted(_BY_NAME))})")
        return cls()
    if callable(identifier) and identifier in _BY_FUNCTION:
        return _BY_FUNCTION[identifier]()
    raise ValueError(f"Could not interpret loss identifier: {identifier!r} "
                     "(npu.keras computes the loss on the chip: give one of "
                     f"{', '.join(sorted(_BY_NAME))})")
