# Every error npu.keras raises on its own (bad layer arguments, shapes,
# compile/fit/evaluate/predict arguments and data, weights files), each
# with its exception type and message. None of them needs the chip: they
# are all raised before anything is compiled.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t | FileCheck %s
import os
import sys

import numpy as np

from npu import keras
from npu.keras import (callbacks, initializers, layers, losses, metrics,
                       optimizers)

work = sys.argv[1]
keras.backend.clear_session()


def expect(exception, call):
    try:
        call()
    except exception as error:
        print(type(error).__name__ + ":", error)
        return
    raise AssertionError("no exception")


# -- layer arguments ------------------------------------------------------
# CHECK: TypeError: Keyword argument not understood: 'unit' (Dense accepts: units, activation, use_bias, kernel_initializer, bias_initializer, kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint, bias_constraint, input_shape, batch_input_shape, batch_size, input_dim, name, dtype, trainable)
expect(TypeError, lambda: layers.Dense(10, unit=3))
# CHECK-NEXT: TypeError: Dense.__init__() missing 1 required positional argument: 'units'
expect(TypeError, lambda: layers.Dense())
# CHECK-NEXT: ValueError: Received an invalid value for `units`, expected a positive integer. Received: units=0
expect(ValueError, lambda: layers.Dense(0))
# CHECK-NEXT: ValueError: Dense "dense_1": `kernel_regularizer` is not supported by npu.keras (it must be None). Received: kernel_regularizer='l2'
expect(ValueError, lambda: layers.Dense(3, kernel_regularizer="l2"))
# CHECK-NEXT: ValueError: Unknown activation function: 'gelu' (supported: linear, relu, sigmoid, softmax, tanh)
expect(ValueError, lambda: layers.Dense(3, activation="gelu"))
# CHECK-NEXT: ValueError: Could not interpret activation function identifier: <built-in function abs> (give a name: linear, relu, sigmoid, softmax, tanh)
expect(ValueError, lambda: layers.Activation(abs))
# CHECK-NEXT: ValueError: Unknown initializer: 'xavier' (known: constant, glorot_normal, glorot_uniform, he_normal, he_uniform, lecun_normal, lecun_uniform, ones, random_normal, random_uniform, truncated_normal, variance_scaling, zeros)
expect(ValueError, lambda: layers.Dense(3, kernel_initializer="xavier"))
# CHECK-NEXT: ValueError: Could not interpret initializer identifier: 0.5
expect(ValueError, lambda: layers.Dense(3, bias_initializer=0.5))
# CHECK-NEXT: ValueError: a layer name must be a non-empty string, got ''
expect(ValueError, lambda: layers.Dense(3, name=""))
# CHECK-NEXT: ValueError: Dense "dense{{(_[0-9]+)?}}": npu.keras layers compute in float32 only. Received: dtype='float16'
expect(ValueError, lambda: layers.Dense(3, dtype="float16"))
# CHECK-NEXT: ValueError: Dense "dense{{(_[0-9]+)?}}": input_shape must be positive integers (the batch dimension excluded). Received: (28, 0)
expect(ValueError, lambda: layers.Dense(3, input_shape=(28, 0)))
# CHECK-NEXT: ValueError: Dense "dense{{(_[0-9]+)?}}": batch_size must be a positive integer. Received: -1
expect(ValueError, lambda: layers.Dense(3, input_shape=(2,), batch_size=-1))
# CHECK-NEXT: TypeError: Dense "dense{{(_[0-9]+)?}}": calling a layer is the functional API, which npu.keras does not have; add the layer to a keras.Sequential model
expect(TypeError, lambda: layers.Dense(3)(keras.Input(shape=(2,))))
# CHECK-NEXT: ValueError: Invalid value for argument `filters`. Expected a strictly positive value. Received filters=-4.
expect(ValueError, lambda: layers.Conv2D(-4, 3))
# CHECK-NEXT: ValueError: The `kernel_size` argument must be a tuple of 2 positive integers. Received: kernel_size=(3, 3, 3)
expect(ValueError, lambda: layers.Conv2D(4, (3, 3, 3)))
# CHECK-NEXT: ValueError: The `strides` argument must be a tuple of 2 positive integers. Received: strides=0
expect(ValueError, lambda: layers.Conv2D(4, 3, strides=0))
# CHECK-NEXT: ValueError: The `padding` argument must be one of 'valid', 'same'. Received: padding='causal'
expect(ValueError, lambda: layers.Conv2D(4, 3, padding="causal"))
# CHECK-NEXT: ValueError: Conv2D "conv2d{{(_[0-9]+)?}}": npu.keras supports data_format='channels_last' (NHWC, Keras's default) only. Received: data_format='channels_first'
expect(ValueError, lambda: layers.Conv2D(4, 3, data_format="channels_first"))
# CHECK-NEXT: ValueError: `strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2, 2) and dilation_rate=(2, 2)
expect(ValueError, lambda: layers.Conv2D(4, 3, strides=2, dilation_rate=2))
# CHECK-NEXT: ValueError: The number of filters must be evenly divisible by the number of groups. Received: groups=3, filters=4
expect(ValueError, lambda: layers.Conv2D(4, 3, groups=3))
# CHECK-NEXT: ValueError: The `pool_size` argument must be a tuple of 2 positive integers. Received: pool_size=(2,)
expect(ValueError, lambda: layers.MaxPooling2D((2,)))
# CHECK-NEXT: ValueError: Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=1.0
expect(ValueError, lambda: layers.Dropout(1.0))
# CHECK-NEXT: ValueError: Dropout "dropout{{.*}}": `noise_shape` is not supported by npu.keras (it must be None). Received: noise_shape=(1, 3)
expect(ValueError, lambda: layers.Dropout(0.5, noise_shape=(1, 3)))
# CHECK-NEXT: TypeError: Dropout "dropout{{.*}}": seed must be an integer or None, got 1.5
expect(TypeError, lambda: layers.Dropout(0.5, seed=1.5))
# CHECK-NEXT: ValueError: BatchNormalization "batch_normalization{{.*}}": npu.keras normalizes over one axis, the channel (last) axis. Received: axis=[1, 2]
expect(ValueError, lambda: layers.BatchNormalization(axis=[1, 2]))
# CHECK-NEXT: ValueError: BatchNormalization "batch_normalization{{.*}}": momentum must be in [0, 1]. Received: momentum=1.5
expect(ValueError, lambda: layers.BatchNormalization(momentum=1.5))
# CHECK-NEXT: ValueError: BatchNormalization "batch_normalization{{.*}}": epsilon must be positive. Received: epsilon=0
expect(ValueError, lambda: layers.BatchNormalization(epsilon=0))
# CHECK-NEXT: ValueError: InputLayer needs an input shape: InputLayer(input_shape=(28, 28))
expect(ValueError, lambda: layers.InputLayer())
# CHECK-NEXT: ValueError: Please provide to Input a `shape` argument, e.g. keras.Input(shape=(28, 28))
expect(ValueError, lambda: keras.Input())

# -- shapes -----------------------------------------------------------------
keras.backend.clear_session()
image = keras.Input(shape=(6, 6, 2))
# CHECK-NEXT: ValueError: Input 0 of layer "conv2d{{.*}}" is incompatible with the layer: expected ndim=4, found ndim=2. Full shape received: (None, 784)
expect(ValueError, lambda: keras.Sequential([layers.Flatten(input_shape=(28, 28)),
                                             layers.Conv2D(4, 3)]))
# CHECK-NEXT: ValueError: Input 0 of layer "dense{{.*}}" is incompatible with the layer: expected min_ndim=2, found ndim=1. Full shape received: (None,)
expect(ValueError, lambda: keras.Sequential([layers.InputLayer(batch_input_shape=(None,)),
                                             layers.Dense(3)]))
# CHECK-NEXT: ValueError: One of the dimensions in the output is <= 0 due to downsampling in conv2d{{.*}}. Consider increasing the input size. Received input shape (None, 6, 6, 2) which would produce output shape with a zero or negative value in a dimension.
expect(ValueError, lambda: keras.Sequential([image, layers.Conv2D(4, 7)]))
# CHECK-NEXT: ValueError: The number of input channels must be evenly divisible by the number of groups. Received groups=4, but the input has 2 channels (full input shape is (None, 6, 6, 2))
expect(ValueError, lambda: keras.Sequential([image, layers.Conv2D(4, 3, groups=4)]))
# CHECK-NEXT: ValueError: MaxPooling2D "max_pooling2d{{.*}}": pool_size (7, 7) is larger than the input (None, 6, 6, 2) with padding='valid'
expect(ValueError, lambda: keras.Sequential([image, layers.MaxPooling2D(7)]))
# CHECK-NEXT: ValueError: BatchNormalization "batch_normalization{{(_[0-9]+)?}}": npu.keras normalizes over the channel (last) axis only; axis=1 of input shape (None, 6, 6, 2) is not the last one
expect(ValueError, lambda: keras.Sequential([image, layers.BatchNormalization(axis=1)]))
# CHECK-NEXT: ValueError: Input 0 of layer "batch_normalization{{(_[0-9]+)?}}" is incompatible with the layer: npu.keras normalizes inputs of rank 2 (batch, features) or 4 (batch, H, W, C). Full shape received: (None, 5, 3)
expect(ValueError, lambda: keras.Sequential([keras.Input(shape=(5, 3)),
                                             layers.BatchNormalization()]))
shared = layers.Dense(2)
keras.Sequential([keras.Input(shape=(3,)), shared])
# CHECK-NEXT: ValueError: Input 0 of layer "dense{{(_[0-9]+)?}}" is incompatible with the layer: expected shape=(None, 3), found shape=(None, 4)
expect(ValueError, lambda: keras.Sequential([keras.Input(shape=(4,)), shared]))
# CHECK-NEXT: ValueError: You tried to call count_params on layer dense{{(_[0-9]+)?}}, but the layer isn't built. You can build it manually via: `layer.build(batch_input_shape)`.
expect(ValueError, lambda: layers.Dense(2).count_params())
# CHECK-NEXT: ValueError: You called set_weights(weights) on layer "dense{{(_[0-9]+)?}}" with a weight list of length 1, but the layer was expecting 2 weights.
expect(ValueError, lambda: shared.set_weights([np.zeros((3, 2))]))
# CHECK-NEXT: ValueError: Layer "dense{{(_[0-9]+)?}}" weight shape (2,) is not compatible with provided weight shape (3,).
expect(ValueError, lambda: shared.set_weights([np.zeros((3, 2)), np.zeros(3)]))
# CHECK-NEXT: ValueError: Cannot assign value of shape (2, 3) to variable 'dense{{(_[0-9]+)?}}/kernel:0' of shape (3, 2)
expect(ValueError, lambda: shared.weights[0].assign(np.zeros((2, 3))))

# -- Sequential structure -----------------------------------------------------
# CHECK-NEXT: ValueError: a model name must be a non-empty string, got 3
expect(ValueError, lambda: keras.Sequential(name=3))
# CHECK-NEXT: TypeError: The added layer must be an instance of class Layer. Received: layer='dense' of type <class 'str'>.
expect(TypeError, lambda: keras.Sequential(["dense"]))
# CHECK-NEXT: ValueError: An Input/InputLayer can only be the first layer of a Sequential model (sequential{{(_[0-9]+)?}} already has layers)
expect(ValueError, lambda: keras.Sequential([layers.Dense(2), keras.Input(shape=(3,))]))
# CHECK-NEXT: ValueError: All layers added to a Sequential model should have unique names. Name "same" is already the name of a layer in this model. Update the `name` argument to pass a unique name.
expect(ValueError, lambda: keras.Sequential([layers.Dense(2, name="same"),
                                             layers.Dense(2, name="same")]))
# CHECK-NEXT: TypeError: There are no layers in the model.
expect(TypeError, lambda: keras.Sequential().pop())
unbuilt = keras.Sequential([layers.Dense(2)])
# CHECK-NEXT: ValueError: This model has not yet been built. Build the model first by calling `build()` or by calling `fit()`, `evaluate()` or `predict()` with some data.
expect(ValueError, unbuilt.summary)
# CHECK-NEXT: ValueError: You must provide an `input_shape` argument.
expect(ValueError, unbuilt.build)
# CHECK-NEXT: ValueError: build() expects an input shape with a batch dimension, e.g. (None, 28, 28); got (3,)
expect(ValueError, lambda: unbuilt.build((3,)))
# CHECK-NEXT: ValueError: Sequential model sequential{{(_[0-9]+)?}} has no layers
expect(ValueError, lambda: keras.Sequential([keras.Input(shape=(3,))]).summary())
model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, name="hidden"),
                          layers.Dense(2, activation="softmax", name="probs")])
# CHECK-NEXT: ValueError: Input 0 of layer "sequential{{(_[0-9]+)?}}" is incompatible with the layer: expected shape=(None, 4), found shape=(None, 5)
expect(ValueError, lambda: model.build((None, 5)))
# CHECK-NEXT: ValueError: Was asked to retrieve layer at index 2 but model only has 2 layers.
expect(ValueError, lambda: model.get_layer(index=2))
# CHECK-NEXT: ValueError: No such layer: dense. Existing layers are: ['hidden', 'probs'].
expect(ValueError, lambda: model.get_layer("dense"))
# CHECK-NEXT: ValueError: You called `set_weights(weights)` on layer "sequential{{(_[0-9]+)?}}" with a weight list of length 1, but the layer was expecting 4 weights.
expect(ValueError, lambda: model.set_weights([np.zeros((4, 3))]))
# CHECK-NEXT: ValueError: Weight hidden/bias:0 has shape (3,) but the provided weight has shape (2,).
expect(ValueError, lambda: model.set_weights([np.zeros((4, 3)), np.zeros(2),
                                              np.zeros((3, 2)), np.zeros(2)]))
# CHECK-NEXT: ValueError: batch_size must be a positive integer, got 0
expect(ValueError, lambda: model.export_onnx(batch_size=0))

# -- weights files --------------------------------------------------------
weights_path = os.path.join(work, "model.weights")
# CHECK-NEXT: ValueError: npu.keras saves weights as .npz only. Received: save_format='h5'
expect(ValueError, lambda: model.save_weights(weights_path, save_format="h5"))
model.save_weights(weights_path)
# CHECK-NEXT: FileExistsError: {{.*}}model.weights exists and overwrite=False
expect(FileExistsError, lambda: model.save_weights(weights_path, overwrite=False))
text_path = os.path.join(work, "text.npz")
with open(text_path, "w") as f:
    f.write("not a zip file")
# CHECK-NEXT: ValueError: {{.*}}text.npz is not a weights file written by save_weights (.npz): {{.*}}
expect(ValueError, lambda: model.load_weights(text_path))
npy_path = os.path.join(work, "one.npy")
np.save(npy_path, np.zeros(3))
# CHECK-NEXT: ValueError: {{.*}}one.npy is not a weights file written by save_weights (.npz): it holds a single array
expect(ValueError, lambda: model.load_weights(npy_path))
# CHECK-NEXT: FileNotFoundError: {{.*}}missing.npz
expect(FileNotFoundError, lambda: model.load_weights(os.path.join(work, "missing.npz")))
other = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])
# CHECK-NEXT: ValueError: {{.*}}model.weights holds 4 weights but model sequential{{(_[0-9]+)?}} has 2
expect(ValueError, lambda: other.load_weights(weights_path))
wider = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(5), layers.Dense(2)])
# CHECK-NEXT: ValueError: {{.*}}model.weights: weight hidden/kernel:0 has shape (4, 3) but dense{{(_[0-9]+)?}}/kernel:0 of model sequential{{(_[0-9]+)?}} has shape (4, 5)
expect(ValueError, lambda: wider.load_weights(weights_path))

# -- initializers, optimizers, losses, metrics, utils -------------------------
# CHECK-NEXT: TypeError: seed must be an integer or None, got 'a'
expect(TypeError, lambda: initializers.GlorotUniform(seed="a"))
# CHECK-NEXT: TypeError: Constant expects a scalar value, got [1, 2]
expect(TypeError, lambda: initializers.Constant([1, 2]))
# CHECK-NEXT: ValueError: RandomUniform needs minval <= maxval, got 1.0 > 0.0
expect(ValueError, lambda: initializers.RandomUniform(1, 0))
# CHECK-NEXT: ValueError: VarianceScaling needs scale > 0, got 0
expect(ValueError, lambda: initializers.VarianceScaling(scale=0))
# CHECK-NEXT: ValueError: VarianceScaling mode must be one of fan_in, fan_out, fan_avg, got 'fan'
expect(ValueError, lambda: initializers.VarianceScaling(mode="fan"))
# CHECK-NEXT: ValueError: VarianceScaling distribution must be one of truncated_normal, untruncated_normal, uniform, got 'cauchy'
expect(ValueError, lambda: initializers.VarianceScaling(distribution="cauchy"))
# CHECK-NEXT: TypeError: seed must be an integer, got str
expect(TypeError, lambda: keras.utils.set_random_seed("1"))
# CHECK-NEXT: ValueError: Adam: `learning_rate` must be a positive number. Received: learning_rate=-0.1
expect(ValueError, lambda: optimizers.Adam(-0.1))
# CHECK-NEXT: ValueError: Adam: `beta_1` must be in [0, 1). Received: beta_1=1.0
expect(ValueError, lambda: optimizers.Adam(beta_1=1.0))
# CHECK-NEXT: ValueError: Adam: `epsilon` must be a positive number. Received: epsilon=0
expect(ValueError, lambda: optimizers.Adam(epsilon=0))
# CHECK-NEXT: ValueError: Adam: `amsgrad=True` is not supported by npu.keras
expect(ValueError, lambda: optimizers.Adam(amsgrad=True))
# CHECK-NEXT: ValueError: SGD: `clipnorm` is not supported by npu.keras (it must be None). Received: clipnorm=1.0
expect(ValueError, lambda: optimizers.SGD(clipnorm=1.0))
# CHECK-NEXT: ValueError: `momentum` must be in [0, 1). Received: momentum=1 (of type <class 'int'>).
expect(ValueError, lambda: optimizers.SGD(momentum=1))
# CHECK-NEXT: ValueError: SGD: learning-rate schedules are not supported by npu.keras; give a number
expect(ValueError, lambda: optimizers.SGD(learning_rate=lambda step: 0.1))
# CHECK-NEXT: ValueError: Unknown optimizer: 'rmsprop' (npu.keras supports: adam, sgd)
expect(ValueError, lambda: optimizers.get("rmsprop"))
# CHECK-NEXT: ValueError: Could not interpret optimizer identifier: 3
expect(ValueError, lambda: optimizers.get(3))
# CHECK-NEXT: ValueError: SparseCategoricalCrossentropy: npu.keras reduces a loss to the batch mean only. Received: reduction='sum'
expect(ValueError, lambda: losses.SparseCategoricalCrossentropy(reduction="sum"))
# CHECK-NEXT: ValueError: SparseCategoricalCrossentropy: `ignore_class` is not supported by npu.keras
expect(ValueError, lambda: losses.SparseCategoricalCrossentropy(ignore_class=0))
# CHECK-NEXT: ValueError: CategoricalCrossentropy: npu.keras supports label_smoothing=0 and axis=-1 only
expect(ValueError, lambda: losses.CategoricalCrossentropy(label_smoothing=0.1))
# CHECK-NEXT: ValueError: BinaryCrossentropy: npu.keras supports label_smoothing=0 and axis=-1 only
expect(ValueError, lambda: losses.BinaryCrossentropy(axis=0))
# CHECK-NEXT: ValueError: Unknown loss function: 'hinge' (npu.keras supports: binary_crossentropy, categorical_crossentropy, mean_squared_error, mse, sparse_categorical_crossentropy)
expect(ValueError, lambda: losses.get("hinge"))
# CHECK-NEXT: ValueError: Could not interpret loss identifier: <built-in function max> (npu.keras computes the loss on the chip: give one of binary_crossentropy, categorical_crossentropy, mean_squared_error, mse, sparse_categorical_crossentropy)
expect(ValueError, lambda: losses.get(max))
# CHECK-NEXT: ValueError: Unknown metric function: 'auc' (npu.keras supports: accuracy, acc, binary_accuracy, categorical_accuracy, mae, mean_absolute_error, mean_squared_error, mse, sparse_categorical_accuracy)
expect(ValueError, lambda: metrics.get("auc", None, (None, 2)))
# CHECK-NEXT: ValueError: Could not interpret metric identifier: 7
expect(ValueError, lambda: metrics.get(7, None, (None, 2)))
# CHECK-NEXT: ValueError: to_categorical expects non-negative integer class indices
expect(ValueError, lambda: keras.utils.to_categorical([1, -1]))
# CHECK-NEXT: ValueError: to_categorical: class index 3 is not below num_classes=3
expect(ValueError, lambda: keras.utils.to_categorical([3], 3))

# -- compile ------------------------------------------------------------------
# CHECK-NEXT: ValueError: Unknown optimizer: 'rmsprop' (npu.keras supports: adam, sgd)
expect(ValueError, lambda: model.compile(loss="mse"))
# CHECK-NEXT: ValueError: compile() needs a loss: npu.keras computes it in the train step on the chip (e.g. loss='sparse_categorical_crossentropy')
expect(ValueError, lambda: model.compile("adam"))
# CHECK-NEXT: ValueError: compile(): `loss_weights` is not supported by npu.keras (leave it None). Received: loss_weights=[1.0]
expect(ValueError, lambda: model.compile("adam", "mse", loss_weights=[1.0]))
# CHECK-NEXT: ValueError: compile(): npu.keras runs one step per execution. Received: steps_per_execution=8
expect(ValueError, lambda: model.compile("adam", "mse", steps_per_execution=8))
# CHECK-NEXT: ValueError: compile(): precision must be 'fp32' or 'bf16'. Received: precision='fp16'
expect(ValueError, lambda: model.compile("adam", "mse", precision="fp16"))
# CHECK-NEXT: TypeError: Type of `metrics` argument not understood. Expected a list or dictionary, found: <class 'str'>
expect(TypeError, lambda: model.compile("adam", "mse", metrics="accuracy"))
# CHECK-NEXT: ValueError: Unknown metric function: 'f1'{{.*}}
expect(ValueError, lambda: model.compile("adam", "mse", metrics=["f1"]))

# -- fit / evaluate / predict: order of use and data -----------------------------
x = np.zeros((8, 4), np.float32)
labels = np.zeros(8, np.int64)
# CHECK-NEXT: RuntimeError: You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.
expect(RuntimeError, lambda: model.fit(x, labels))
# CHECK-NEXT: RuntimeError: You must compile your model before training/testing. Use `model.compile(optimizer, loss)`.
expect(RuntimeError, lambda: model.evaluate(x, labels))
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
# CHECK-NEXT: ValueError: x is required
expect(ValueError, lambda: model.fit())
# CHECK-NEXT: TypeError: x must be a NumPy array, got dict
expect(TypeError, lambda: model.fit({"x": x}, labels))
# CHECK-NEXT: TypeError: x must hold numbers, got an array of dtype <U1
expect(TypeError, lambda: model.fit(np.array([["a"] * 4]), labels))
# CHECK-NEXT: ValueError: x must have a batch dimension, got a scalar
expect(ValueError, lambda: model.predict(np.float32(1)))
# CHECK-NEXT: ValueError: Input 0 of layer "sequential{{(_[0-9]+)?}}" is incompatible with the layer: expected shape=(None, 4), found shape=(8, 5)
expect(ValueError, lambda: model.fit(np.zeros((8, 5)), labels))
# CHECK-NEXT: ValueError: x has no samples
expect(ValueError, lambda: model.predict(np.zeros((0, 4))))
# CHECK-NEXT: ValueError: y is required: the targets of the sparse_categorical_crossentropy loss
expect(ValueError, lambda: model.fit(x))
# CHECK-NEXT: TypeError: y must hold numbers, got an array of dtype <U3
expect(TypeError, lambda: model.fit(x, np.array(["cat"] * 8)))
# CHECK-NEXT: ValueError: Data cardinality is ambiguous: x sizes: 8, y sizes: 7. Make sure all arrays contain the same number of samples.
expect(ValueError, lambda: model.fit(x, labels[:7]))
# CHECK-NEXT: ValueError: sparse_categorical_crossentropy expects integer class labels of shape (samples,), got y of shape (8, 2) (one-hot targets need loss='categorical_crossentropy')
expect(ValueError, lambda: model.fit(x, np.zeros((8, 2))))
# CHECK-NEXT: ValueError: sparse_categorical_crossentropy expects integer class labels; y has fractional values
expect(ValueError, lambda: model.fit(x, np.full(8, 0.5)))
# CHECK-NEXT: ValueError: Received a label value of 2 which is outside the valid range of [0, 2).
expect(ValueError, lambda: model.fit(x, np.arange(8) % 3))
# CHECK-NEXT: ValueError: Received a label value of -1 which is outside the valid range of [0, 2).
expect(ValueError, lambda: model.evaluate(x, -np.ones(8)))
# CHECK-NEXT: ValueError: fit(): `sample_weight` is not supported by npu.keras (leave it None)
expect(ValueError, lambda: model.fit(x, labels, sample_weight=np.ones(8)))
# CHECK-NEXT: ValueError: verbose must be 0, 1, 2 or 'auto', got 3
expect(ValueError, lambda: model.fit(x, labels, verbose=3))
# CHECK-NEXT: ValueError: batch_size must be a positive integer, got 0
expect(ValueError, lambda: model.fit(x, labels, batch_size=0))
# CHECK-NEXT: ValueError: epochs must be a non-negative integer, got 1.5
expect(ValueError, lambda: model.fit(x, labels, epochs=1.5))
# CHECK-NEXT: ValueError: shuffle must be True or False, got 'batch'
expect(ValueError, lambda: model.fit(x, labels, shuffle="batch"))
# CHECK-NEXT: ValueError: validation_freq must be a positive integer, got [1, 2]
expect(ValueError, lambda: model.fit(x, labels, validation_freq=[1, 2]))
# CHECK-NEXT: ValueError: validation_split must be in [0, 1), got 1.0
expect(ValueError, lambda: model.fit(x, labels, validation_split=1.0))
# CHECK-NEXT: ValueError: give validation_data or validation_split, not both
expect(ValueError, lambda: model.fit(x, labels, validation_split=0.5,
                                     validation_data=(x, labels)))
# CHECK-NEXT: ValueError: validation_split=0.99 of 8 samples leaves no training or no validation samples
expect(ValueError, lambda: model.fit(x, labels, validation_split=0.99))
# CHECK-NEXT: ValueError: validation_data must be a tuple (x_val, y_val)
expect(ValueError, lambda: model.fit(x, labels, validation_data=(x, labels, labels)))
# CHECK-NEXT: ValueError: Input 0 of layer "sequential{{(_[0-9]+)?}}" is incompatible with the layer: expected shape=(None, 4), found shape=(2, 3)
expect(ValueError, lambda: model.fit(x, labels, validation_data=(np.zeros((2, 3)), labels[:2])))
# CHECK-NEXT: ValueError: Data cardinality is ambiguous: x sizes: 2, y sizes: 8. Make sure all arrays contain the same number of samples.
expect(ValueError, lambda: model.fit(x, labels, validation_data=(x[:2], labels)))
# CHECK-NEXT: TypeError: callbacks must be keras.callbacks.Callback instances, got builtin_function_or_method
expect(TypeError, lambda: model.fit(x, labels, epochs=0, callbacks=[print]))
# CHECK-NEXT: ValueError: train_on_batch(): npu.keras reports each batch's own metrics (reset_metrics=True)
expect(ValueError, lambda: model.train_on_batch(x, labels, reset_metrics=False))
# CHECK-NEXT: ValueError: evaluate(): `steps` is not supported by npu.keras (leave it None)
expect(ValueError, lambda: model.evaluate(x, labels, steps=2))
# CHECK-NEXT: ValueError: predict(): `callbacks` is not supported by npu.keras (leave it None)
expect(ValueError, lambda: model.predict(x, callbacks=[callbacks.History()]))

# Targets of the dense losses are shaped like the output.
model.compile("sgd", "categorical_crossentropy")
# CHECK-NEXT: ValueError: categorical_crossentropy expects targets shaped like the model output (None, 2), got y of shape (8,)
expect(ValueError, lambda: model.fit(x, labels))
image_model = keras.Sequential([keras.Input(shape=(4, 4, 1)), layers.Conv2D(2, 3)])
image_model.compile("sgd", "sparse_categorical_crossentropy")
# CHECK-NEXT: ValueError: sparse_categorical_crossentropy needs a model output of shape (batch, classes), but the output is (None, 2, 2, 2)
expect(ValueError, lambda: image_model.fit(np.zeros((2, 4, 4, 1)), np.zeros(2)))

# A frozen layer or a reserved input name is refused before compiling.
frozen = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2, trainable=False)])
frozen.compile("sgd", "mse")
# CHECK-NEXT: ValueError: layer dense{{(_[0-9]+)?}} is frozen (trainable=False): npu.keras trains every weight of a model on the chip and does not support frozen layers
expect(ValueError, lambda: frozen.fit(x, np.zeros((8, 2))))
reserved = keras.Sequential([keras.Input(shape=(4,), name="labels"), layers.Dense(2)])
reserved.compile("sgd", "mse")
# CHECK-NEXT: ValueError: the model input may not be named 'labels': the train step uses that name (rename the Input)
expect(ValueError, lambda: reserved.predict(x))
# CHECK-NEXT: done
print("done")
