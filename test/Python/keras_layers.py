# npu.keras layers, initializers and Sequential on the host (no chip):
# Keras's defaults and automatic names, output shapes (valid/same padding,
# strides, dilation, pooling, flatten), weight names, shapes and layouts,
# the initializers' distributions and seeding, get/set_weights, and the
# Keras-format summary().
# RUN: %python %s | FileCheck %s
import io
import contextlib

import numpy as np

from npu import keras
from npu.keras import initializers, layers

keras.backend.clear_session()

# Defaults and names.
dense = layers.Dense(4)
assert (dense.name, dense.activation, dense.use_bias) == ("dense", "linear", True)
assert isinstance(dense.kernel_initializer, initializers.GlorotUniform)
assert isinstance(dense.bias_initializer, initializers.Zeros)
assert layers.Dense(4).name == "dense_1"
assert layers.Dense(4, activation=keras.activations.relu).activation == "relu"
conv = layers.Conv2D(8, 3)
assert (conv.name, conv.kernel_size, conv.strides, conv.padding, conv.dilation_rate,
        conv.groups) == ("conv2d", (3, 3), (1, 1), "valid", (1, 1), 1)
pool = layers.MaxPooling2D()
assert (pool.name, pool.pool_size, pool.strides, pool.padding) == (
    "max_pooling2d", (2, 2), (2, 2), "valid")
assert layers.AveragePooling2D(3, strides=1).strides == (1, 1)
bn = layers.BatchNormalization()
assert (bn.name, bn.axis, bn.momentum, bn.epsilon) == ("batch_normalization", -1,
                                                       0.99, 1e-3)
assert layers.Dropout(0.25).rate == 0.25
assert layers.Flatten().name == "flatten"
assert layers.Activation("tanh").activation == "tanh"
assert keras.Input(shape=(3,)).name == "input_1"
assert keras.Input(shape=(3,)).shape == (None, 3)
keras.backend.clear_session()
assert layers.Dense(1).name == "dense"
assert keras.Sequential().name == "sequential"


def output_shapes(input_shape, *stack):
    model = keras.Sequential([keras.Input(shape=input_shape)] + list(stack))
    return [layer.output_shape for layer in model.layers]


# Output shapes follow Keras (TensorFlow's SAME: ceil(size / stride)).
assert output_shapes((28, 28, 1), layers.Conv2D(8, 3), layers.Conv2D(4, 5, padding="same"),
                     layers.Conv2D(2, 3, strides=2, padding="same"),
                     layers.Conv2D(2, (3, 1), strides=(2, 1))) == [
    (None, 26, 26, 8), (None, 26, 26, 4), (None, 13, 13, 2), (None, 6, 13, 2)]
assert output_shapes((13, 13, 3), layers.Conv2D(4, 3, dilation_rate=2),
                     layers.MaxPooling2D(), layers.AveragePooling2D(padding="same"),
                     layers.Flatten(), layers.Dense(5)) == [
    (None, 9, 9, 4), (None, 4, 4, 4), (None, 2, 2, 4), (None, 16), (None, 5)]
assert output_shapes((7, 7, 2), layers.MaxPooling2D(3, strides=2, padding="same"),
                     layers.BatchNormalization(), layers.Dropout(0.5),
                     layers.Activation("relu"), layers.Dense(3)) == [
    (None, 4, 4, 2), (None, 4, 4, 2), (None, 4, 4, 2), (None, 4, 4, 2), (None, 4, 4, 3)]

# Weights: Keras names, layouts and counts.
keras.backend.clear_session()
model = keras.Sequential([layers.Conv2D(6, (3, 2), input_shape=(8, 8, 4), groups=2),
                          layers.BatchNormalization(center=False),
                          layers.Flatten(), layers.Dense(3, use_bias=False)])
# CHECK: conv2d/kernel:0 (3, 2, 2, 6) True
# CHECK-NEXT: conv2d/bias:0 (6,) True
# CHECK-NEXT: batch_normalization/gamma:0 (6,) True
# CHECK-NEXT: dense/kernel:0 (252, 3) True
# CHECK-NEXT: batch_normalization/moving_mean:0 (6,) False
# CHECK-NEXT: batch_normalization/moving_variance:0 (6,) False
for variable in model.weights:
    print(variable.name, variable.shape, variable.trainable)
assert model.count_params() == 3 * 2 * 2 * 6 + 6 + 6 * 3 + 252 * 3
assert model.layers[0].input_shape == (None, 8, 8, 4)
assert model.input_shape == (None, 8, 8, 4) and model.output_shape == (None, 3)
assert model.get_layer("dense") is model.layers[-1]
assert model.get_layer(index=0) is model.layers[0]

# get_weights / set_weights round trip, in model order.
values = [np.full(v.shape, i, np.float32) for i, v in enumerate(model.weights)]
model.set_weights(values)
assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), values))
model.layers[0].set_weights([np.ones((3, 2, 2, 6)), np.zeros(6)])
assert np.all(model.layers[0].kernel.numpy() == 1)

# Initializers: the formulas, seeding and the session seed.
big = (400, 600)
fan_in, fan_out = big
glorot = initializers.GlorotUniform(seed=3)(big)
limit = np.sqrt(6 / (fan_in + fan_out))
assert glorot.dtype == np.float32 and np.abs(glorot).max() <= limit
assert abs(glorot.std() - limit / np.sqrt(3)) < 0.01 * limit
assert np.array_equal(glorot, initializers.get("glorot_uniform").__class__(seed=3)(big))
he = initializers.get("he_normal")(big)
bound = 2 * np.sqrt(2 / fan_in) / 0.87962566103423978
assert np.abs(he).max() <= bound  # truncated at two standard deviations
assert abs(he.std() - np.sqrt(2 / fan_in)) < 0.02 * np.sqrt(2 / fan_in)
conv_kernel = initializers.HeUniform(seed=0)((3, 3, 16, 32))  # fan_in = 3*3*16
assert np.abs(conv_kernel).max() <= np.sqrt(6 / 144)
assert np.abs(conv_kernel).max() > 0.95 * np.sqrt(6 / 144)
normal = initializers.RandomNormal(stddev=2.0, seed=1)(big)
assert abs(normal.std() - 2.0) < 0.02 and abs(normal.mean()) < 0.02
assert np.all(initializers.get("zeros")((3, 2)) == 0)
assert np.all(initializers.get("ones")((3,)) == 1)
assert np.all(initializers.Constant(0.5)((2,)) == 0.5)
uniform = initializers.RandomUniform(-1, 3, seed=0)(big)
assert uniform.min() >= -1 and uniform.max() <= 3 and abs(uniform.mean() - 1) < 0.02


def mlp():
    return keras.Sequential([layers.Flatten(input_shape=(28, 28)),
                             layers.Dense(128, activation="relu"),
                             layers.Dense(64, activation="relu", kernel_initializer="he_normal"),
                             layers.Dense(10, activation="softmax")])


keras.utils.set_random_seed(7)
first = mlp().get_weights()
keras.utils.set_random_seed(7)
second = mlp().get_weights()
assert all(np.array_equal(a, b) for a, b in zip(first, second))
third = mlp().get_weights()
assert not np.array_equal(first[0], third[0])

# A deferred build: the input shape comes from build() (or the data).
deferred = keras.Sequential([layers.Dense(4), layers.Dense(2)])
assert not deferred.built
deferred.build((None, 3))
assert deferred.built and deferred.output_shape == (None, 2)
assert deferred.weights[0].shape == (3, 4)

# summary() in Keras's format.
keras.backend.clear_session()
model = mlp()
model.add(layers.Dropout(0.2))
# CHECK: Model: "sequential"
# CHECK-NEXT: _________________________________________________________________
# CHECK-NEXT:  Layer (type)                Output Shape              Param #
# CHECK-NEXT: =================================================================
# CHECK-NEXT:  flatten (Flatten)           (None, 784)               0
# CHECK:  dense (Dense)               (None, 128)               100480
# CHECK:  dense_1 (Dense)             (None, 64)                8256
# CHECK:  dense_2 (Dense)             (None, 10)                650
# CHECK:  dropout (Dropout)           (None, 10)                0
# CHECK-NEXT: =================================================================
# CHECK-NEXT: Total params: 109,386
# CHECK-NEXT: Trainable params: 109,386
# CHECK-NEXT: Non-trainable params: 0
# CHECK-NEXT: _________________________________________________________________
model.summary()
lines = []
model.summary(print_fn=lines.append)
# Rows are 65 characters; a line of spaces separates two layers.
assert all(len(line) == 65 for line in lines[1:-4])
assert [i for i, line in enumerate(lines) if not line.strip()] == [5, 7, 9, 11]
# A BatchNormalization's moving statistics are non-trainable parameters.
cnn = keras.Sequential([keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 3),
                        layers.BatchNormalization(), layers.MaxPooling2D()])
buffer = io.StringIO()
with contextlib.redirect_stdout(buffer):
    cnn.summary()
# CHECK: conv2d (Conv2D)             (None, 26, 26, 32)        320
# CHECK: batch_normalization (BatchN  (None, 26, 26, 32)       128
# CHECK: max_pooling2d (MaxPooling2D  (None, 13, 13, 32)       0
# CHECK: Total params: 448
# CHECK-NEXT: Trainable params: 384
# CHECK-NEXT: Non-trainable params: 64
print(buffer.getvalue())

# to_categorical.
assert np.array_equal(keras.utils.to_categorical([2, 0], 3),
                      [[0, 0, 1], [1, 0, 0]])
# CHECK: ok
print("ok")
