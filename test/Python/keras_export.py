# Sequential.export_onnx: the ONNX graph of an MLP and of a CNN exercising
# every layer (SAME padding with an odd pixel, strides, dilation, groups,
# both poolings with SAME padding, BatchNormalization with moving
# statistics, Dense on a 4-D tensor, Activation), compiled by npu-compile
# and run on the simulator (npu-tiny, fp32) against an independent PyTorch
# evaluation of the Keras semantics (NHWC, TensorFlow's SAME padding): the
# layout choice (NHWC in and out, OIHW kernels, transposes only around the
# channels-first ops) and the node/initializer names.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %s %t | FileCheck %s
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F

import npu
from npu import keras
from npu.keras import layers

work = sys.argv[1]
keras.backend.clear_session()
keras.utils.set_random_seed(0)


def run_on_chip(model, x, path):
    proto = model.export_onnx(path)
    name = proto.graph.input[0].name
    binary = npu.load(npu.compile(path, target="npu-tiny",
                                  input_shapes={name: x.shape}))
    outputs = binary.run({name: x}).outputs
    assert list(outputs) == [proto.graph.output[0].name]
    return next(iter(outputs.values()))


def same_pads(size, kernel, stride, dilation=1):
    """TensorFlow's SAME padding (before, after) of one axis."""
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def nchw(x):
    return torch.from_numpy(x).permute(0, 3, 1, 2)


# The MLP: Flatten + Dense layers, node and initializer names.
mlp = keras.Sequential([layers.Flatten(input_shape=(28, 28)),
                        layers.Dense(32, activation="relu"),
                        layers.Dense(16, activation="tanh"),
                        layers.Dense(8, activation="sigmoid"),
                        layers.Dense(10, activation="softmax")])
proto = mlp.export_onnx(os.path.join(work, "mlp.onnx"))
graph = proto.graph
# CHECK: input flatten_input ['batch', 28, 28]
# CHECK-NEXT: output dense_3/Softmax ['batch', 10]
for kind, values in (("input", graph.input), ("output", graph.output)):
    for value in values:
        dims = [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]
        print(kind, value.name, dims)
# CHECK-NEXT: nodes flatten/Flatten dense/Gemm dense/Relu dense_1/Gemm dense_1/Tanh dense_2/Gemm dense_2/Sigmoid dense_3/Gemm dense_3/Softmax
print("nodes", " ".join(node.name for node in graph.node))
# CHECK-NEXT: initializers dense/kernel dense/bias dense_1/kernel dense_1/bias dense_2/kernel dense_2/bias dense_3/kernel dense_3/bias
print("initializers", " ".join(init.name for init in graph.initializer))
x = np.random.default_rng(1).random((6, 28, 28), np.float32)
w = [torch.from_numpy(a) for a in mlp.get_weights()]
h = torch.from_numpy(x).reshape(6, -1)
h = torch.relu(h @ w[0] + w[1])
h = torch.tanh(h @ w[2] + w[3])
h = torch.sigmoid(h @ w[4] + w[5])
expected = torch.softmax(h @ w[6] + w[7], -1).numpy()
got = run_on_chip(mlp, x, os.path.join(work, "mlp.onnx"))
assert np.allclose(got, expected, rtol=1e-4, atol=1e-6), np.abs(got - expected).max()
# CHECK-NEXT: mlp matches
print("mlp matches")

# A fixed batch size instead of the symbolic one.
fixed = mlp.export_onnx(batch_size=4)
assert fixed.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 4

# The CNN: every layer kind on odd sizes.
cnn = keras.Sequential([
    keras.Input(shape=(13, 13, 3)),
    layers.Conv2D(8, 3, strides=2, padding="same", activation="relu"),  # 7x7
    layers.Conv2D(8, 3, padding="same", dilation_rate=2, groups=2),     # 7x7
    layers.BatchNormalization(),
    layers.Activation("relu"),
    layers.MaxPooling2D(padding="same"),                                # 4x4
    layers.Conv2D(6, (3, 2), kernel_initializer="he_normal"),           # 2x3
    layers.AveragePooling2D((2, 2), strides=1, padding="same"),         # 2x3
    layers.Dense(5, activation="tanh"),                                 # on NHWC
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(4, activation="softmax")])
bn = cnn.layers[2]
rng = np.random.default_rng(2)
bn.set_weights([rng.uniform(0.5, 1.5, 8), rng.normal(0, 0.1, 8),
                rng.normal(0, 0.2, 8), rng.uniform(0.5, 2, 8)])
proto = cnn.export_onnx(os.path.join(work, "cnn.onnx"))
# One transpose into NCHW before the first conv, one back before the Dense.
# CHECK-NEXT: Transpose Conv Relu Conv BatchNormalization Relu MaxPool Conv AveragePool Transpose MatMul Add Tanh Flatten Gemm Softmax
print(" ".join(node.op_type for node in proto.graph.node))
kernel = {init.name: init for init in proto.graph.initializer}["conv2d/kernel"]
# CHECK-NEXT: conv2d/kernel OIHW [8, 3, 3, 3]
print("conv2d/kernel OIHW", list(kernel.dims))
onnx.checker.check_model(proto)

x = rng.standard_normal((2, 13, 13, 3)).astype(np.float32)
w = [torch.from_numpy(a) for a in cnn.get_weights()]
(k1, b1, k2, b2, gamma, beta, k3, b3, k4, b4, k5, b5, mean, var) = w
oihw = lambda k: k.permute(3, 2, 0, 1)
t = nchw(x)
t = F.pad(t, same_pads(13, 3, 2) * 2)
t = torch.relu(F.conv2d(t, oihw(k1), b1, stride=2))
t = F.pad(t, same_pads(7, 3, 1, 2) * 2)
t = F.conv2d(t, oihw(k2), b2, dilation=2, groups=2)
t = F.batch_norm(t, mean, var, gamma, beta, False, 0.0, 1e-3)
t = torch.relu(t)
top, bottom = same_pads(7, 2, 2)
t = F.max_pool2d(F.pad(t, (top, bottom, top, bottom), value=-np.inf), 2)
t = F.conv2d(t, oihw(k3), b3)
# SAME average pooling counts only the pixels inside the image.
pads = same_pads(3, 2, 1) + same_pads(2, 2, 1)
t = (F.avg_pool2d(F.pad(t, pads), 2, stride=1, divisor_override=1) /
     F.avg_pool2d(F.pad(torch.ones_like(t), pads), 2, stride=1, divisor_override=1))
t = torch.tanh(t.permute(0, 2, 3, 1) @ k4 + b4)
t = t.reshape(2, -1)
expected = torch.softmax(t @ k5 + b5, -1).numpy()
got = run_on_chip(cnn, x, os.path.join(work, "cnn.onnx"))
assert np.allclose(got, expected, rtol=1e-4, atol=1e-6), np.abs(got - expected).max()
# CHECK-NEXT: cnn matches
print("cnn matches")

# The training export (what fit compiles with --train) writes ONNX's
# training forms: Dropout with training_mode true and its seed,
# BatchNormalization with training_mode=1, Keras's momentum and the running
# statistics as outputs; the inference export drops Dropout.
from npu.keras import onnx_export  # noqa: E402
trainable = keras.Sequential([keras.Input(shape=(6,)), layers.Dense(4),
                              layers.BatchNormalization(momentum=0.9, epsilon=0.01),
                              layers.Dropout(0.25, seed=5), layers.Dense(2)])
graph = onnx_export.export("x", trainable.input_shape, trainable.layers,
                           training=True).proto.graph
values = {}
for node in graph.node:
    if node.op_type == "Constant":
        values[node.output[0]] = onnx.numpy_helper.to_array(node.attribute[0].t)
    attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    if node.op_type == "BatchNormalization":
        # CHECK-NEXT: BatchNormalization outputs 3 training_mode 1 momentum 0.9 epsilon 0.01
        print(node.op_type, "outputs", len(node.output), "training_mode",
              attributes["training_mode"], "momentum", round(attributes["momentum"], 6),
              "epsilon", round(attributes["epsilon"], 6))
    if node.op_type == "Dropout":
        # CHECK-NEXT: Dropout ratio 0.25 training_mode True seed 5
        print(node.op_type, "ratio", values[node.input[1]], "training_mode",
              values[node.input[2]], "seed", attributes["seed"])
inference = trainable.export_onnx()
# CHECK-NEXT: inference: Gemm BatchNormalization Gemm
print("inference:", " ".join(node.op_type for node in inference.graph.node))

# A model ending in a 4-D tensor returns it channels-last.
conv_only = keras.Sequential([keras.Input(shape=(5, 5, 2)), layers.Conv2D(3, 3)])
x = rng.standard_normal((1, 5, 5, 2)).astype(np.float32)
kernel, bias = conv_only.get_weights()
expected = (F.conv2d(nchw(x), torch.from_numpy(kernel).permute(3, 2, 0, 1),
                     torch.from_numpy(bias)).permute(0, 2, 3, 1).numpy())
got = run_on_chip(conv_only, x, os.path.join(work, "conv.onnx"))
assert got.shape == (1, 3, 3, 3) and np.allclose(got, expected, rtol=1e-4, atol=1e-5)
# CHECK-NEXT: conv-only matches
print("conv-only matches")
