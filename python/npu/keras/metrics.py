"""Metrics, computed on the host from the model outputs the chip returns.

``compile(metrics=["accuracy"])`` resolves ``"accuracy"``/``"acc"`` by the
loss, as Keras: sparse categorical accuracy for the sparse crossentropy,
categorical for the categorical crossentropy, binary (threshold 0.5) for the
binary crossentropy and for a single-output model; the history and the
progress bar use the name as given. Each metric is a mean over samples.
"""

import numpy as np

from . import losses as losses_module


def sparse_categorical_accuracy(y_true, y_pred):
    labels = np.asarray(y_true).reshape(-1)
    return (np.argmax(y_pred, axis=-1) == labels).astype(np.float64)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(y_pred, axis=-1) ==
            np.argmax(y_true, axis=-1)).astype(np.float64)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    matches = (np.asarray(y_pred) > threshold) == (np.asarray(y_true) > 0.5)
    return matches.astype(np.float64).mean(axis=-1)


def mean_absolute_error(y_true, y_pred):
    diff = np.asarray(y_pred, np.float64) - np.asarray(y_true, np.float64)
    return np.abs(diff).mean(axis=-1)


mean_squared_error = losses_module.mean_squared_error

_FUNCTIONS = {
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "binary_accuracy": binary_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
}


class Metric:
    """A named per-sample function averaged over the samples seen."""

    def __init__(self, name, function):
        self.name = name
        self.function = function

    def __call__(self, y_true, y_pred):
        return self.function(y_true, y_pred)

    def __repr__(self):
        return f"<npu.keras.metrics.Metric {self.name}>"


def _accuracy_for(loss, output_shape):
    if isinstance(loss, losses_module.SparseCategoricalCrossentropy):
        return sparse_categorical_accuracy
    if isinstance(loss, losses_module.CategoricalCrossentropy):
        return categorical_accuracy
    if isinstance(loss, losses_module.BinaryCrossentropy) or output_shape[-1] == 1:
        return binary_accuracy
    return categorical_accuracy


def get(identifier, loss, output_shape):
    """A :class:`Metric` from a name or one of this module's functions."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str) and identifier in ("accuracy", "acc"):
        return Metric(identifier, _accuracy_for(loss, output_shape))
    if isinstance(identifier, str):
        if identifier not in _FUNCTIONS:
            raise ValueError(f"Unknown metric function: '{identifier}' (npu.keras "
                             f"supports: accuracy, acc, {', '.join(sorted(_FUNCTIONS))})")
        return Metric(identifier, _FUNCTIONS[identifier])
    for name, function in _FUNCTIONS.items():
        if identifier is function:
            return Metric(function.__name__, function)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
