# npu.keras training beyond the MLP + Adam + sparse crossentropy of
# keras_fit.py, each against the PyTorch twin on the same weights and
# batches: SGD (plain, momentum, Nesterov; the chip's torch.optim.SGD form),
# categorical crossentropy on one-hot targets, mean squared error,
# binary crossentropy on a sigmoid output, from_logits=True, a small CNN
# (Conv2D 'same'/'valid', MaxPooling2D, AveragePooling2D, Flatten) and bf16.
# RUN: %python %s | FileCheck %s
import numpy as np
import torch

from npu import keras
from npu.keras import layers, losses, optimizers
from keras_twin import KerasAdam, TorchTwin, max_relative_error, train_reference

torch.set_num_threads(1)
keras.utils.set_random_seed(3)
rng = np.random.default_rng(4)
x = rng.standard_normal((80, 6)).astype(np.float32)
teacher = rng.standard_normal((6, 3))
classes = np.argmax(x @ teacher, axis=1)


def dense_model(units, activation):
    return keras.Sequential([keras.Input(shape=(6,)),
                             layers.Dense(10, activation="tanh"),
                             layers.Dense(units, activation=activation)])


def check(name, model, optimizer, twin_optimizer, loss, kind, y, epochs=2,
          tolerance=1e-4, from_logits=False, data=x):
    model.compile(optimizer=optimizer, loss=loss, target="npu-tiny")
    twin = TorchTwin(model)
    history = model.fit(data, y, batch_size=32, epochs=epochs, shuffle=False, verbose=0)
    expected = train_reference(twin, twin_optimizer(twin.parameters()), kind, data, y,
                               32, epochs, from_logits)
    loss_error = max_relative_error(history.history["loss"], expected)
    weight_error = max(max_relative_error(a, b) for a, b in
                       zip(model.get_weights(), twin.keras_weights()))
    assert loss_error < tolerance and weight_error < tolerance, (
        name, loss_error, weight_error, history.history["loss"], expected)
    print(f"{name}: matches torch")
    return model


# CHECK: sgd: matches torch
check("sgd", dense_model(3, "softmax"), "sgd",
      lambda p: torch.optim.SGD(p, lr=0.01), "sparse_categorical_crossentropy",
      "sparse_categorical_crossentropy", classes)
# CHECK-NEXT: sgd momentum: matches torch
check("sgd momentum", dense_model(3, "softmax"), optimizers.SGD(0.05, momentum=0.9),
      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
      "sparse_categorical_crossentropy", "sparse_categorical_crossentropy", classes)
# CHECK-NEXT: sgd nesterov: matches torch
check("sgd nesterov", dense_model(3, "softmax"),
      optimizers.SGD(0.05, momentum=0.8, nesterov=True),
      lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
      "sparse_categorical_crossentropy", "sparse_categorical_crossentropy", classes)
# CHECK-NEXT: categorical crossentropy: matches torch
check("categorical crossentropy", dense_model(3, "softmax"), optimizers.Adam(0.01),
      lambda p: KerasAdam(p, lr=0.01), "categorical_crossentropy",
      "categorical_crossentropy", keras.utils.to_categorical(classes, 3))
# CHECK-NEXT: from logits: matches torch
check("from logits", dense_model(3, None), optimizers.Adam(0.01),
      lambda p: KerasAdam(p, lr=0.01),
      losses.SparseCategoricalCrossentropy(from_logits=True),
      "sparse_categorical_crossentropy", classes, from_logits=True)
# CHECK-NEXT: mse: matches torch
targets = (x @ rng.standard_normal((6, 2))).astype(np.float32)
check("mse", dense_model(2, None), optimizers.SGD(0.02),
      lambda p: torch.optim.SGD(p, lr=0.02), "mse", "mse", targets)
# CHECK-NEXT: binary crossentropy: matches torch
binary = (classes == 0).astype(np.float32)
model = check("binary crossentropy", dense_model(1, "sigmoid"), optimizers.Adam(0.01),
              lambda p: KerasAdam(p, lr=0.01), "binary_crossentropy",
              "binary_crossentropy", binary.reshape(-1, 1))
# A 1-D target works for a one-unit output, as in Keras.
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"],
              target="npu-tiny")
history = model.fit(x, binary, epochs=1, verbose=0)
assert 0 <= history.history["accuracy"][0] <= 1

# A small CNN: conv input and weight gradients, both poolings.
images = rng.standard_normal((48, 10, 10, 2)).astype(np.float32)
image_classes = np.argmax(images.reshape(48, -1) @ rng.standard_normal((200, 3)), 1)
cnn = keras.Sequential([keras.Input(shape=(10, 10, 2)),
                        layers.Conv2D(4, 3, padding="same", activation="relu"),
                        layers.MaxPooling2D(),
                        layers.Conv2D(6, 2, activation="relu"),
                        layers.AveragePooling2D(),
                        layers.Flatten(),
                        layers.Dense(3, activation="softmax")])
# CHECK-NEXT: cnn: matches torch
check("cnn", cnn, optimizers.Adam(0.01), lambda p: KerasAdam(p, lr=0.01),
      "sparse_categorical_crossentropy", "sparse_categorical_crossentropy",
      image_classes, data=images)

# bf16: the same steps within bf16 rounding of the fp32 reference.
# CHECK-NEXT: bf16: matches torch
model = dense_model(3, "softmax")
model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              target="npu-tiny", precision="bf16")
twin = TorchTwin(model)
history = model.fit(x, classes, epochs=2, shuffle=False, verbose=0)
expected = train_reference(twin, KerasAdam(twin.parameters(), lr=0.01),
                           "sparse_categorical_crossentropy", x, classes, 32, 2)
error = max_relative_error(history.history["loss"], expected)
assert error < 2e-2, (error, history.history["loss"], expected)
print("bf16: matches torch")
