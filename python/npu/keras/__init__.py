"""Keras on the chip: ``from npu import keras`` and the Keras program runs on
the simulated NPU.

    model = keras.Sequential([keras.layers.Flatten(input_shape=(28, 28)),
                              keras.layers.Dense(128, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=5)

The model is exported to ONNX and compiled by ``npu-compile``: ``fit`` runs
the train step (forward, loss, gradients, optimizer update) on the chip, with
the weights and optimizer state kept in the chip's DRAM between steps;
``evaluate``/``predict`` run the inference binary. docs/keras.md describes
what is supported.
"""

from . import (activations, backend, callbacks, datasets, initializers, layers,
               losses, metrics, models, optimizers, utils)
from .layers import Input
from .models import Sequential

__all__ = ["activations", "backend", "callbacks", "datasets", "initializers",
           "layers", "losses", "metrics", "models", "optimizers", "utils",
           "Input", "Sequential"]
