# npu.keras trains BatchNormalization and Dropout on the chip.
# BatchNormalization (MLP and CNN) against the PyTorch twin on the same
# weights and batches (the layer before has no bias: the batch norm cancels
# its gradient, leaving rounding noise that Adam scales up to a step):
# epoch losses, trained weights and the moving
# statistics (which must have moved off their initial 0 and 1), then
# predict/evaluate with the moving statistics. Dropout: active in training
# (masks change every step, so the same batch at a negligible learning rate
# gives a new loss each step), inactive in evaluate/predict (deterministic and equal
# to the twin in inference mode), and a model with it learns.
# RUN: %python %s | FileCheck %s
import numpy as np
import torch

from npu import keras
from npu.keras import layers, optimizers
from keras_twin import KerasAdam, TorchTwin, max_relative_error, train_reference

torch.set_num_threads(1)
keras.utils.set_random_seed(5)
rng = np.random.default_rng(6)
x = rng.standard_normal((80, 6)).astype(np.float32) * 3 + 1
classes = np.argmax(x @ rng.standard_normal((6, 3)), axis=1)
LOSS = "sparse_categorical_crossentropy"


def moving_statistics(model):
    return [v.numpy() for v in model.non_trainable_weights]


def check_batch_norm(name, model, data, labels):
    """fit (2 epochs of batches 32, 32, 16: two train binaries share the
    state, moving statistics included) against the twin."""
    model.compile(optimizer=optimizers.Adam(0.01), loss=LOSS, target="npu-tiny")
    initial = moving_statistics(model)
    twin = TorchTwin(model)
    history = model.fit(data, labels, batch_size=32, epochs=2, shuffle=False, verbose=0)
    expected = train_reference(twin, KerasAdam(twin.parameters(), lr=0.01), LOSS,
                               data, labels, 32, 2)
    loss_error = max_relative_error(history.history["loss"], expected)
    weight_error = max(max_relative_error(a, b) for a, b in
                       zip(model.get_weights(), twin.keras_weights()))
    assert loss_error < 1e-4 and weight_error < 1e-4, (
        name, loss_error, weight_error, history.history["loss"], expected)
    for before, after in zip(initial, moving_statistics(model)):
        assert np.abs(after - before).min() > 1e-3, (name, before, after)
    with torch.no_grad():
        reference = twin(torch.from_numpy(data), training=False)[0].numpy()
    predict_error = max_relative_error(model.predict(data, verbose=0), reference)
    assert predict_error < 1e-4, (name, predict_error)
    print(f"{name}: matches torch, moving statistics updated")


# CHECK: batch norm mlp: matches torch, moving statistics updated
check_batch_norm("batch norm mlp", keras.Sequential([
    keras.Input(shape=(6,)), layers.Dense(10, use_bias=False),
    layers.BatchNormalization(momentum=0.9),
    layers.Activation("relu"), layers.Dense(3, activation="softmax")]), x, classes)
# The CNN's batch norm is over the channels of NCHW on the chip.
images = rng.standard_normal((80, 8, 8, 1)).astype(np.float32) + 0.5
image_classes = np.argmax(images.reshape(80, -1) @ rng.standard_normal((64, 3)), 1)
# CHECK-NEXT: batch norm cnn: matches torch, moving statistics updated
check_batch_norm("batch norm cnn", keras.Sequential([
    keras.Input(shape=(8, 8, 1)), layers.Conv2D(4, 3, use_bias=False),
    layers.BatchNormalization(),
    layers.Activation("relu"), layers.MaxPooling2D(), layers.Flatten(),
    layers.Dense(3, activation="softmax")]), images, image_classes)

# Dropout.
dropout = keras.Sequential([keras.Input(shape=(6,)),
                            layers.Dense(32, activation="relu"), layers.Dropout(0.5),
                            layers.Dense(3, activation="softmax")])
dropout.compile(optimizer=optimizers.SGD(1e-9), loss=LOSS, target="npu-tiny")
batch, batch_classes = x[:32], classes[:32]
step_losses = [dropout.train_on_batch(batch, batch_classes) for _ in range(4)]
evaluate_losses = [dropout.evaluate(batch, batch_classes, verbose=0) for _ in range(2)]
assert len(set(step_losses)) == 4, step_losses
assert evaluate_losses[0] == evaluate_losses[1], evaluate_losses
assert all(abs(loss - evaluate_losses[0]) > 1e-4 for loss in step_losses), (
    step_losses, evaluate_losses)
twin = TorchTwin(dropout)
with torch.no_grad():
    reference = twin(torch.from_numpy(x), training=False)[0].numpy()
predictions = [dropout.predict(x, verbose=0) for _ in range(2)]
assert np.array_equal(predictions[0], predictions[1])
assert max_relative_error(predictions[0], reference) < 1e-5
# CHECK-NEXT: dropout: a new mask every step, the identity in evaluate and predict
print("dropout: a new mask every step, the identity in evaluate and predict")

dropout.compile(optimizer=optimizers.Adam(0.01), loss=LOSS, metrics=["accuracy"],
                target="npu-tiny")
history = dropout.fit(x, classes, batch_size=16, epochs=15, verbose=0)
losses = history.history["loss"]
assert losses[-1] < 0.6 * losses[0], losses
assert dropout.evaluate(x, classes, verbose=0)[1] > 0.8
# CHECK-NEXT: dropout: trains
print("dropout: trains")
