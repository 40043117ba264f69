# Training on the chip with npu.keras against a PyTorch twin (same initial
# weights, same batches, Keras's Adam formula): fit's per-epoch loss and
# accuracy, the trained weights, a remainder batch (a second train binary
# whose state is kept in sync), predict/evaluate on the inference binary,
# set_weights/save_weights/load_weights moving weights between host and chip,
# optimizer.iterations, a learning-rate change between fits, validation,
# callbacks and the progress output.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t | FileCheck %s
import os
import sys

import numpy as np
import onnx.numpy_helper
import torch

from npu import keras
from npu.keras import layers, optimizers
from keras_twin import (KerasAdam, TorchTwin, keras_loss, max_relative_error,
                        train_reference)

work = sys.argv[1]
torch.set_num_threads(1)
keras.backend.clear_session()
keras.utils.set_random_seed(0)

# A learnable 4-class problem: 80 samples, batches of 32, 32 and 16.
rng = np.random.default_rng(1)
teacher = rng.standard_normal((12, 4))
x = rng.standard_normal((80, 12)).astype(np.float32)
y = np.argmax(x @ teacher, axis=1)
x_val = rng.standard_normal((24, 12)).astype(np.float32)
y_val = np.argmax(x_val @ teacher, axis=1)


def mlp():
    return keras.Sequential([layers.Dense(16, activation="relu", input_shape=(12,)),
                             layers.Dense(4, activation="softmax")])


model = mlp()
model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"], target="npu-tiny")
twin = TorchTwin(model)
reference = KerasAdam(twin.parameters(), lr=0.01)

# CHECK: Epoch 1/3
# CHECK-NEXT: 3/3 - {{[0-9]+}}s - {{[0-9]+[mu]}}s/step - loss: {{[0-9.]+}} - accuracy: {{[0-9.]+}} - chip: {{[0-9.]+}}us/step (MXU {{[0-9.]+}}%)
# CHECK-NEXT: Epoch 2/3
# CHECK: Epoch 3/3
history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=2)
expected = train_reference(twin, reference, "sparse_categorical_crossentropy",
                           x, y, 32, epochs=3)
assert history.epoch == [0, 1, 2] and sorted(history.history) == ["accuracy", "loss"]
error = max_relative_error(history.history["loss"], expected)
assert error < 1e-4, (history.history["loss"], expected)
weights_error = max(max_relative_error(a, b) for a, b in
                    zip(model.get_weights(), twin.keras_weights()))
assert weights_error < 1e-4, weights_error
assert model.optimizer.iterations == 9
assert len(model._session.entries) == 2  # train binaries for batch 32 and 16
# The ONNX export carries the trained weights (fetched from the chip).
initializers = {i.name: i for i in model.export_onnx().graph.initializer}
assert np.array_equal(onnx.numpy_helper.to_array(initializers["dense/kernel"]),
                      model.layers[0].kernel.numpy())
# CHECK: loss and weights match torch
print("loss and weights match torch")

# History.chip: what the simulated chip reported per epoch.
assert len(history.chip) == 3
for chip in history.chip:
    assert chip["steps"] == 3 and chip["time_us_per_step"] > 0
    assert chip["cycles_per_step"] > 0 and 0 < chip["mxu_utilization"] <= 1
    assert chip["host_seconds"] > 0

# predict/evaluate (inference binary, weights pushed from the train state).
with torch.no_grad():
    probabilities, logits = twin(torch.from_numpy(x_val), training=False)
    expected_loss = keras_loss("sparse_categorical_crossentropy", probabilities,
                               logits, y_val).item()
predicted = model.predict(x_val, batch_size=16, verbose=0)
assert predicted.shape == (24, 4) and predicted.dtype == np.float32
assert np.allclose(predicted, probabilities.numpy(), rtol=1e-4, atol=1e-6)
loss, accuracy = model.evaluate(x_val, y_val, verbose=0)
assert abs(loss - expected_loss) < 1e-4 * expected_loss
assert accuracy == np.mean(np.argmax(probabilities.numpy(), 1) == y_val)
assert model.evaluate(x_val, y_val, verbose=0, return_dict=True) == {
    "loss": loss, "accuracy": accuracy}
assert np.allclose(model.predict_on_batch(x_val[:5]), predicted[:5], rtol=1e-5, atol=1e-7)
# CHECK-NEXT: predict and evaluate match torch
print("predict and evaluate match torch")

# Weights move both ways: set_weights on the host reaches every binary.
trained = model.get_weights()
initial = [w * 0.5 for w in trained]
model.set_weights(initial)
twin_half = TorchTwin(model)
with torch.no_grad():
    expected = twin_half(torch.from_numpy(x_val), training=False)[0].numpy()
assert np.allclose(model.predict(x_val, verbose=0), expected, rtol=1e-4, atol=1e-6)
# ... and the next train step starts from them (with the optimizer's slots).
loss_after_set, _ = model.train_on_batch(x[:32], y[:32])
twin_half_optimizer = KerasAdam(twin_half.parameters(), lr=0.01)
# The twin's Adam must continue from the chip's step count and moments.
twin_half_optimizer.t = 9
slots = {name: torch.from_numpy(value) for name, value in
         model._session.optimizer_state.items()}
for parameter, variable in zip(twin_half.params, model.trainable_weights):
    twin_half_optimizer.state[parameter] = {
        "m": slots[variable.chip_name + ".m"].clone(),
        "v": slots[variable.chip_name + ".v"].clone()}
expected = train_reference(twin_half, twin_half_optimizer,
                           "sparse_categorical_crossentropy", x[:32], y[:32], 32)
assert abs(loss_after_set - expected[0]) < 1e-4 * expected[0]
assert max(max_relative_error(a, b) for a, b in
           zip(model.get_weights(), twin_half.keras_weights())) < 1e-4
assert model.optimizer.iterations == 10
# CHECK-NEXT: set_weights reaches the chip
print("set_weights reaches the chip")

# save_weights / load_weights into a new model (other layer names).
path = os.path.join(work, "mlp.weights.npz")
model.save_weights(path)
with np.load(path) as archive:
    assert archive.files == [v.name for l in model.layers for v in l.weights]
fresh = mlp()
fresh.load_weights(path)
assert all(np.array_equal(a, b) for a, b in zip(fresh.get_weights(), model.get_weights()))
fresh.compile("adam", "sparse_categorical_crossentropy", target="npu-tiny")
assert np.allclose(fresh.predict(x_val, verbose=0), model.predict(x_val, verbose=0),
                   rtol=1e-6, atol=1e-7)
# CHECK-NEXT: weights saved and loaded
print("weights saved and loaded")

# A learning-rate change between fits is a step input: no recompile.
model.set_weights(trained)
twin = TorchTwin(model)
model.compile(optimizer=optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"], target="npu-tiny")
assert model.optimizer.iterations == 0  # a recompile starts a fresh optimizer
reference = KerasAdam(twin.parameters(), lr=0.01)
model.fit(x, y, epochs=1, shuffle=False, verbose=0)
train_reference(twin, reference, "sparse_categorical_crossentropy", x, y, 32)
binaries = len(model._session.entries)
model.optimizer.learning_rate = 0.002
reference.lr = 0.002
history = model.fit(x, y, epochs=1, shuffle=False, verbose=0)
expected = train_reference(twin, reference, "sparse_categorical_crossentropy", x, y, 32)
assert abs(history.history["loss"][0] - expected[0]) < 1e-4 * expected[0]
assert len(model._session.entries) == binaries
# CHECK-NEXT: learning rate changed
print("learning rate changed")

# Validation (data or split), shuffling, callbacks and stop_training.
class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("batch", batch, sorted(logs)))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch", epoch, sorted(logs)))
        self.model.stop_training = True


recorder = Recorder()
history = model.fit(x, y, epochs=4, validation_data=(x_val, y_val), verbose=0,
                    callbacks=[recorder])
assert history.epoch == [0]  # stopped after the first epoch
assert recorder.params == {"verbose": 0, "epochs": 4, "steps": 3}
assert recorder.calls == [("batch", 0, ["accuracy", "loss"]),
                          ("batch", 1, ["accuracy", "loss"]),
                          ("batch", 2, ["accuracy", "loss"]),
                          ("epoch", 0, ["accuracy", "loss", "val_accuracy", "val_loss"])]
val_loss, val_accuracy = model.evaluate(x_val, y_val, verbose=0)
assert history.history["val_loss"] == [val_loss]
assert history.history["val_accuracy"] == [val_accuracy]
history = model.fit(x, y, epochs=2, validation_split=0.25, validation_freq=2, verbose=0)
assert [len(history.history[k]) for k in ("loss", "val_loss")] == [2, 1]
assert model._session.entries.keys() >= {("train", 28)}  # 60 samples: 32 + 28
# CHECK-NEXT: validation and callbacks
print("validation and callbacks")

# verbose=1 without a terminal prints each epoch's final bar line.
# CHECK-NEXT: Epoch 1/1
# CHECK-NEXT: 3/3 [==============================] - {{[0-9]+}}s {{[0-9]+[mu]}}s/step - loss: {{[0-9.]+}} - accuracy: {{[0-9.]+}} - val_loss: {{[0-9.]+}} - val_accuracy: {{[0-9.]+}} - chip: {{[0-9.]+}}us/step (MXU {{[0-9.]+}}%)
model.fit(x, y, validation_data=(x_val, y_val))
# CHECK-NEXT: 1/1 [==============================] - {{[0-9]+}}s {{[0-9]+[mu]}}s/step - loss: {{[0-9.]+}} - accuracy: {{[0-9.]+}}
model.evaluate(x_val, y_val)
