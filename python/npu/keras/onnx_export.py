"""A Sequential model as an ONNX graph (built with onnx.helper).

Each layer appends its nodes (``Layer.export``); weights become
initializers named like the Keras weight without ``:0`` (``dense/kernel``),
so they are the chip's parameter/state names too; nodes are named
``<layer>/<Op>``, which is what the chip's profile (stats ``ops``) and the
compiler's diagnostics show.

Layout: the model takes and returns channels-last (NHWC) tensors, as Keras.
ONNX's Conv, pools and BatchNormalization are channels-first, so the
exporter transposes NHWC -> NCHW before the first of them and back only where
a layer needs channels-last again (Flatten, Dense, softmax, the output):
consecutive conv/pool layers share one layout and a Conv2D kernel is
stored in ONNX's OIHW layout. The batch dimension is the symbolic ``batch``
unless a batch size is given; ``npu-compile --input-shape`` binds it.
"""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from . import activations

OPSET = 17
BATCH_DIM = "batch"


class ExportTensor:
    """A value of the graph: its name, its Keras (channels-last) shape with
    ``None`` batch, and whether it is stored channels-first."""

    def __init__(self, name, shape, channels_first=False):
        self.name = name
        self.shape = tuple(shape)
        self.channels_first = channels_first


class GraphBuilder:
    """Collects nodes and initializers; the API the layers export through."""

    def __init__(self):
        self.nodes = []
        self.initializers = {}
        self._names = set()
        # output name -> (input tensor, activation) of each activation node,
        # so the logits before a final softmax/sigmoid can be exported.
        self.activation_inputs = {}

    def _unique(self, name):
        candidate, index = name, 1
        while candidate in self._names:
            candidate = f"{name}_{index}"
            index += 1
        self._names.add(candidate)
        return candidate

    def node(self, op, inputs, layer_name, shape, channels_first=False,
             outputs=1, **attributes):
        """Adds one node ``<layer>/<op>``; returns its (first) output."""
        name = self._unique(f"{layer_name}/{op}")
        names = [name] + [f"{name}:{i}" for i in range(1, outputs)]
        self.nodes.append(helper.make_node(op, list(inputs), names, name=name,
                                           **attributes))
        return ExportTensor(name, shape, channels_first)

    def parameter(self, variable):
        """The initializer holding a layer weight (in the chip's layout)."""
        name = variable.chip_name
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(
                np.ascontiguousarray(variable.chip_value(), np.float32), name)
        return name

    def constant(self, array, layer_name, what):
        """A Constant node (not an initializer: not a parameter)."""
        name = self._unique(f"{layer_name}/{what}")
        self.nodes.append(helper.make_node(
            "Constant", [], [name], name=name,
            value=numpy_helper.from_array(np.asarray(array), name)))
        return name

    def to_channels_first(self, tensor, layer_name):
        """NHWC -> NCHW (a Transpose node of ``layer_name``) if needed."""
        if len(tensor.shape) != 4 or tensor.channels_first:
            return tensor
        return self.node("Transpose", [tensor.name], layer_name, tensor.shape,
                         channels_first=True, perm=[0, 3, 1, 2])

    def to_channels_last(self, tensor, layer_name):
        """NCHW -> NHWC (a Transpose node of ``layer_name``) if needed."""
        if not tensor.channels_first:
            return tensor
        return self.node("Transpose", [tensor.name], layer_name, tensor.shape,
                         perm=[0, 2, 3, 1])

    def activation(self, tensor, name, layer_name):
        if name == "linear":
            return tensor
        if name == "softmax":  # over the channel (last) axis
            tensor = self.to_channels_last(tensor, layer_name)
            result = self.node("Softmax", [tensor.name], layer_name, tensor.shape,
                               axis=-1)
        else:
            result = self.node(activations.ONNX_OPS[name], [tensor.name], layer_name,
                               tensor.shape, channels_first=tensor.channels_first)
        self.activation_inputs[result.name] = (tensor, name)
        return result

    def dropout(self, tensor, rate, seed, layer_name):
        ratio = self.constant(np.array(rate, np.float32), layer_name, "ratio")
        training = self.constant(np.array(True), layer_name, "training_mode")
        attributes = {} if seed is None else {"seed": int(seed)}
        return self.node("Dropout", [tensor.name, ratio, training], layer_name,
                         tensor.shape, channels_first=tensor.channels_first,
                         **attributes)

    def batch_norm(self, tensor, scale, bias, moving_mean, moving_variance,
                   epsilon, momentum, training, layer_name):
        inputs = [tensor.name, scale, bias, self.parameter(moving_mean),
                  self.parameter(moving_variance)]
        if not training:
            return self.node("BatchNormalization", inputs, layer_name, tensor.shape,
                             channels_first=tensor.channels_first, epsilon=epsilon)
        # Training: batch statistics; ONNX's momentum is Keras's (running =
        # running * momentum + batch * (1 - momentum)).
        return self.node("BatchNormalization", inputs, layer_name, tensor.shape,
                         channels_first=tensor.channels_first, outputs=3,
                         epsilon=epsilon, momentum=momentum, training_mode=1)


class ExportedModel:
    """The ONNX model and the names of its graph input and outputs."""

    def __init__(self, proto, input_name, output_name, logits_name=None,
                 logits_activation=None):
        self.proto = proto
        self.input_name = input_name
        self.output_name = output_name
        # The input of a final softmax/sigmoid, if asked for: its name and
        # that activation.
        self.logits_name = logits_name
        self.logits_activation = logits_activation

    def to_bytes(self):
        return self.proto.SerializeToString()


def _value_info(name, shape):
    dims = [BATCH_DIM if d is None else int(d) for d in shape]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def export(input_name, batch_input_shape, layers, *, training=False,
           logits=False, batch_size=None, graph_name="sequential"):
    """The ONNX model of ``layers`` applied to an input of Keras shape
    ``batch_input_shape``. ``training`` exports Dropout and batch-statistics
    BatchNormalization; ``logits`` adds a second output, the input of a final
    softmax/sigmoid (named ``<output>:logits``)."""
    graph = GraphBuilder()
    shape = (batch_size,) + tuple(batch_input_shape[1:])
    graph._names.add(input_name)
    tensor = ExportTensor(input_name, shape)
    for layer in layers:
        tensor = layer.export(graph, tensor, training)
    tensor = graph.to_channels_last(tensor, "output")
    outputs = []
    output_name = tensor.name
    if output_name == input_name:  # a model with no computing layer
        tensor = graph.node("Identity", [input_name], "output", tensor.shape)
        output_name = tensor.name
    outputs.append(_value_info(output_name, tensor.shape))
    logits_name = logits_activation = None
    if logits and output_name in graph.activation_inputs:
        source, activation = graph.activation_inputs[output_name]
        if activation in ("softmax", "sigmoid"):
            logits_activation = activation
            source = graph.to_channels_last(source, "logits")
            logits_name = graph.node("Identity", [source.name], "logits",
                                     source.shape).name
            outputs.append(_value_info(logits_name, source.shape))
    proto = helper.make_model(
        helper.make_graph(graph.nodes, graph_name,
                          [_value_info(input_name, shape)], outputs,
                          list(graph.initializers.values())),
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="npu.keras")
    onnx.checker.check_model(proto)
    return ExportedModel(proto, input_name, output_name, logits_name,
                         logits_activation)
