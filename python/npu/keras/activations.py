"""Activation functions by Keras name: ``linear``, ``relu``, ``sigmoid``,
``tanh``, ``softmax``.

Each is a NumPy function (``activations.relu(x)``) and, through
:data:`ONNX_OPS`, one ONNX node in the exported model; the layers accept
either the name or the function (``Dense(10, activation="softmax")`` or
``activation=keras.activations.softmax``).
"""

import numpy as np


def linear(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(np.asarray(x), 0)


def sigmoid(x):
    x = np.asarray(x)
    return 1.0 / (1.0 + np.exp(-x))


def tanh(x):
    return np.tanh(np.asarray(x))


def softmax(x, axis=-1):
    x = np.asarray(x)
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


_FUNCTIONS = {"linear": linear, "relu": relu, "sigmoid": sigmoid,
              "tanh": tanh, "softmax": softmax}

#: The ONNX operator of each activation (linear has none).
ONNX_OPS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh",
            "softmax": "Softmax"}


def get(identifier):
    """The name of an activation given as a name, one of this module's
    functions, or None (= ``linear``)."""
    if identifier is None:
        return "linear"
    if isinstance(identifier, str):
        if identifier not in _FUNCTIONS:
            raise ValueError(f"Unknown activation function: '{identifier}' "
                             f"(supported: {', '.join(sorted(_FUNCTIONS))})")
        return identifier
    for name, function in _FUNCTIONS.items():
        if identifier is function:
            return name
    raise ValueError(f"Could not interpret activation function identifier: "
                     f"{identifier!r} (give a name: "
                     f"{', '.join(sorted(_FUNCTIONS))})")


def serialize(name):
    return name
