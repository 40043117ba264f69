"""Keras layers: ``Input``/``InputLayer``, ``Dense``, ``Conv2D``,
``MaxPooling2D``, ``AveragePooling2D``, ``Flatten``, ``Dropout``,
``BatchNormalization``, ``Activation``.

Arguments, defaults, weight names (``dense/kernel:0``), weight layouts
(``Dense`` kernel ``(in, out)``, ``Conv2D`` kernel ``(kh, kw, in, out)``) and
shape rules are Keras's; images are channels-last (NHWC). A layer knows its
shapes and weights and how to write itself as ONNX nodes
(:meth:`Layer.export`, called by npu.keras.onnx_export); the model compiles
that graph for the chip. Keras arguments this package cannot honour (a
regularizer, ``channels_first``, a Dropout ``noise_shape``) raise
``ValueError`` saying so, and an argument Keras does not have raises
``TypeError`` -- nothing is silently ignored.
"""

import inspect

import numpy as np

from . import activations as activations_module
from . import backend
from . import initializers as initializers_module

# Arguments every layer takes (Keras's base Layer keyword arguments).
_BASE_KWARGS = ("input_shape", "batch_input_shape", "batch_size", "input_dim",
                "name", "dtype", "trainable")


def _shape_text(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _assign_weights(variables, weights, count_error, shape_error):
    """Assigns `weights` to `variables` after checking them all, so a bad
    list changes nothing; the errors are Keras's words (count_error(given,
    expected), shape_error(variable, given shape))."""
    arrays = [np.asarray(w) for w in weights]
    if len(arrays) != len(variables):
        raise ValueError(count_error(len(arrays), len(variables)))
    for variable, array in zip(variables, arrays):
        if array.shape != variable.shape:
            raise ValueError(shape_error(variable, array.shape))
    for variable, array in zip(variables, arrays):
        variable.assign(array)


def _normalize_tuple(value, n, argument):
    """``3`` -> ``(3, 3)``; a tuple/list of ``n`` positive ints stays."""
    values = value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    if (not isinstance(values, (tuple, list)) or len(values) != n or
            not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                    and v > 0 for v in values)):
        raise ValueError(f"The `{argument}` argument must be a tuple of {n} "
                         f"positive integers. Received: {argument}={value!r}")
    return tuple(int(v) for v in values)


def _normalize_padding(padding):
    if not isinstance(padding, str) or padding.lower() not in ("valid", "same"):
        raise ValueError("The `padding` argument must be one of 'valid', 'same'. "
                         f"Received: padding={padding!r}")
    return padding.lower()


def _check_data_format(data_format, layer):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer}: npu.keras supports data_format='channels_last' "
                         f"(NHWC, Keras's default) only. Received: "
                         f"data_format={data_format!r}")
    return "channels_last"


def _require_none(layer, **arguments):
    """Keras arguments this package does not implement must stay None."""
    for name, value in arguments.items():
        if value is not None:
            raise ValueError(f"{layer}: `{name}` is not supported by npu.keras "
                             f"(it must be None). Received: {name}={value!r}")


def _same_padding(size, kernel, stride, dilation=1):
    """TensorFlow's SAME padding of one spatial axis: (before, after), the
    odd pixel after."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


class Variable:
    """A layer weight: Keras name (``dense/kernel:0``), shape, value.

    The value may live on the chip while a model trains; ``numpy()`` then
    fetches it (through the model's chip session) and ``assign()`` makes the
    chip copies stale. ``chip_name`` is the ONNX initializer / chip state
    name; a ``chip_perm`` transposes the Keras layout into the chip's (the
    conv kernel is OIHW on the chip).
    """

    def __init__(self, name, value, trainable=True, chip_perm=None):
        self.name = name
        self.trainable = trainable
        self._value = np.ascontiguousarray(value, dtype=np.float32)
        self.chip_name = name[:-2] if name.endswith(":0") else name
        self.chip_perm = chip_perm
        self._store = None  # the model's ChipSession, once compiled

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return "float32"

    def numpy(self):
        if self._store is not None:
            self._store.pull()
        return self._value.copy()

    def assign(self, value):
        value = np.asarray(value)
        if value.shape != self.shape:
            raise ValueError(f"Cannot assign value of shape {_shape_text(value.shape)} "
                             f"to variable '{self.name}' of shape {_shape_text(self.shape)}")
        if self._store is not None:
            self._store.pull()
        self._value = np.ascontiguousarray(value, dtype=np.float32)
        if self._store is not None:
            self._store.host_changed()

    def chip_value(self):
        """The value in the chip's layout (host copy; the caller syncs)."""
        if self.chip_perm is None:
            return self._value
        return np.ascontiguousarray(self._value.transpose(self.chip_perm))

    def set_from_chip(self, value):
        """Stores a value read from the chip (the caller keeps track)."""
        if self.chip_perm is not None:
            value = value.transpose(np.argsort(self.chip_perm))
        self._value = np.ascontiguousarray(value, dtype=np.float32)

    def __repr__(self):
        return f"<npu.keras.Variable '{self.name}' shape={_shape_text(self.shape)}>"


class KerasTensor:
    """What ``Input(shape)`` returns: a symbolic input of a Sequential model."""

    def __init__(self, input_layer):
        self._input_layer = input_layer
        self.shape = input_layer.batch_input_shape
        self.dtype = "float32"
        self.name = input_layer.name

    def __repr__(self):
        return f"<npu.keras.KerasTensor shape={_shape_text(self.shape)} name={self.name}>"


class Layer:
    """Base class of the layers: naming, input shape arguments, weights."""

    def __init__(self, **kwargs):
        for key in kwargs:
            if key not in _BASE_KWARGS:
                accepted = [p for p in inspect.signature(type(self).__init__).parameters
                            if p not in ("self", "kwargs")]
                raise TypeError(f"Keyword argument not understood: '{key}' "
                                f"({type(self).__name__} accepts: "
                                f"{', '.join(accepted + list(_BASE_KWARGS))})")
        name = kwargs.get("name")
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a layer name must be a non-empty string, got {name!r}")
        self.name = name or backend.unique_object_name(
            backend.to_snake_case(type(self).__name__))
        dtype = kwargs.get("dtype")
        if dtype not in (None, "float32", np.float32):
            raise ValueError(f"{self._label()}: npu.keras layers compute in float32 "
                             f"only. Received: dtype={dtype!r}")
        self.dtype = "float32"
        self.trainable = bool(kwargs.get("trainable", True))
        self._batch_input_shape = self._declared_input_shape(kwargs)
        self.built = False
        self._trainable_weights = []
        self._non_trainable_weights = []
        self.input_shape = None
        self.output_shape = None

    def _label(self):
        return f'{type(self).__name__} "{self.name}"'

    def _declared_input_shape(self, kwargs):
        """The (batch, ...) shape from input_shape / batch_input_shape /
        input_dim, or None."""
        batch_size = kwargs.get("batch_size")
        if kwargs.get("batch_input_shape") is not None:
            shape = tuple(kwargs["batch_input_shape"])
            batch_size, dims = shape[0], shape[1:]
        elif kwargs.get("input_shape") is not None:
            dims = kwargs["input_shape"]
            if isinstance(dims, (int, np.integer)):
                dims = (dims,)
            dims = tuple(dims)
        elif kwargs.get("input_dim") is not None:
            dims = (kwargs["input_dim"],)
        else:
            return None
        if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool)
                   and d > 0 for d in dims):
            raise ValueError(f"{self._label()}: input_shape must be positive "
                             f"integers (the batch dimension excluded). "
                             f"Received: {dims!r}")
        if batch_size is not None and (not isinstance(batch_size, (int, np.integer))
                                       or batch_size <= 0):
            raise ValueError(f"{self._label()}: batch_size must be a positive "
                             f"integer. Received: {batch_size!r}")
        return (batch_size,) + tuple(int(d) for d in dims)

    def __call__(self, *args, **kwargs):
        raise TypeError(f"{self._label()}: calling a layer is the functional API, "
                        "which npu.keras does not have; add the layer to a "
                        "keras.Sequential model")

    # -- weights --------------------------------------------------------
    def add_weight(self, name, shape, initializer, trainable=True, chip_perm=None):
        value = initializers_module.get(initializer)(tuple(shape))
        variable = Variable(f"{self.name}/{name}:0", value, trainable, chip_perm)
        (self._trainable_weights if trainable else
         self._non_trainable_weights).append(variable)
        return variable

    @property
    def trainable_weights(self):
        return list(self._trainable_weights) if self.trainable else []

    @property
    def non_trainable_weights(self):
        if self.trainable:
            return list(self._non_trainable_weights)
        return self._trainable_weights + self._non_trainable_weights

    @property
    def weights(self):
        return self._trainable_weights + self._non_trainable_weights

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        _assign_weights(
            self.weights, weights,
            lambda given, expected: (
                f'You called set_weights(weights) on layer "{self.name}" with a '
                f"weight list of length {given}, but the layer was expecting "
                f"{expected} weights."),
            lambda variable, shape: (
                f'Layer "{self.name}" weight shape {_shape_text(variable.shape)} is '
                f"not compatible with provided weight shape {_shape_text(shape)}."))

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call count_params on layer {self.name}, "
                             "but the layer isn't built. You can build it manually "
                             "via: `layer.build(batch_input_shape)`.")
        return int(sum(np.prod(v.shape) for v in self.weights))

    # -- shapes ---------------------------------------------------------
    def _incompatible(self, message, input_shape):
        return ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                          f"layer: {message}. Full shape received: "
                          f"{_shape_text(input_shape)}")

    def _check_ndim(self, input_shape, ndim=None, min_ndim=None):
        if ndim is not None and len(input_shape) != ndim:
            raise self._incompatible(f"expected ndim={ndim}, found "
                                     f"ndim={len(input_shape)}", input_shape)
        if min_ndim is not None and len(input_shape) < min_ndim:
            raise self._incompatible(f"expected min_ndim={min_ndim}, found "
                                     f"ndim={len(input_shape)}", input_shape)

    def build(self, input_shape):
        """Checks the input shape and creates the weights (subclasses)."""
        self.input_shape = tuple(input_shape)
        self.output_shape = self.compute_output_shape(input_shape)
        self.built = True

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _build_for(self, input_shape):
        """Builds on first use; afterwards checks the shape is the same."""
        input_shape = tuple(input_shape)
        if not self.built:
            self.build(input_shape)
        elif input_shape[1:] != self.input_shape[1:]:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with '
                             f"the layer: expected shape={_shape_text(self.input_shape)}, "
                             f"found shape={_shape_text(input_shape)}")
        return self.output_shape

    def get_config(self):
        return {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}

    def export(self, graph, tensor, training):
        """Appends this layer's ONNX nodes to ``graph`` (an
        onnx_export.GraphBuilder) after ``tensor``; returns the result."""
        raise NotImplementedError

    def __repr__(self):
        return f"<npu.keras.layers.{type(self).__name__} name={self.name}>"


class InputLayer(Layer):
    """The model's input: shape (without the batch dimension) and name."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None,
                 **kwargs):
        super().__init__(input_shape=input_shape, batch_size=batch_size,
                         dtype=dtype, name=name or backend.unique_object_name("input", zero_based=False),
                         **kwargs)
        if self._batch_input_shape is None:
            raise ValueError("InputLayer needs an input shape: "
                             "InputLayer(input_shape=(28, 28))")
        self.batch_input_shape = self._batch_input_shape
        self.build(self.batch_input_shape)

    def export(self, graph, tensor, training):
        return tensor


def Input(shape=None, batch_size=None, name=None, dtype=None, **kwargs):
    """``keras.Input(shape=(28, 28))``: the input of a Sequential model."""
    if shape is None:
        raise ValueError("Please provide to Input a `shape` argument, e.g. "
                         "keras.Input(shape=(28, 28))")
    return KerasTensor(InputLayer(input_shape=shape, batch_size=batch_size,
                                  name=name, dtype=dtype, **kwargs))


class Activation(Layer):
    """``Activation("relu")``: applies an activation function."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations_module.get(activation)

    def get_config(self):
        return dict(super().get_config(), activation=self.activation)

    def export(self, graph, tensor, training):
        return graph.activation(tensor, self.activation, self.name)


class Dense(Layer):
    """``Dense(units, activation=None, use_bias=True, ...)``: ``x @ kernel +
    bias`` on the last axis, kernel ``(in, units)``."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if (not isinstance(units, (int, np.integer)) or isinstance(units, bool)
                or units <= 0):
            raise ValueError("Received an invalid value for `units`, expected a "
                             f"positive integer. Received: units={units!r}")
        _require_none(self._label(), kernel_regularizer=kernel_regularizer,
                      bias_regularizer=bias_regularizer,
                      activity_regularizer=activity_regularizer,
                      kernel_constraint=kernel_constraint,
                      bias_constraint=bias_constraint)
        self.units = int(units)
        self.activation = activations_module.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)

    def build(self, input_shape):
        self._check_ndim(input_shape, min_ndim=2)
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer)
                     if self.use_bias else None)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self):
        return dict(super().get_config(), units=self.units,
                    activation=self.activation, use_bias=self.use_bias,
                    kernel_initializer=repr(self.kernel_initializer),
                    bias_initializer=repr(self.bias_initializer))

    def export(self, graph, tensor, training):
        tensor = graph.to_channels_last(tensor, self.name)
        kernel = graph.parameter(self.kernel)
        out_shape = self.compute_output_shape(tensor.shape)
        if len(tensor.shape) == 2:
            inputs = [tensor.name, kernel] + ([graph.parameter(self.bias)]
                                              if self.use_bias else [])
            result = graph.node("Gemm", inputs, self.name, out_shape)
        else:
            result = graph.node("MatMul", [tensor.name, kernel], self.name, out_shape)
            if self.use_bias:
                result = graph.node("Add", [result.name, graph.parameter(self.bias)],
                                    self.name, out_shape)
        return graph.activation(result, self.activation, self.name)


class Conv2D(Layer):
    """``Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", ...)``
    on NHWC images; kernel ``(kh, kw, in/groups, filters)``."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), groups=1,
                 activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if (not isinstance(filters, (int, np.integer)) or isinstance(filters, bool)
                or filters <= 0):
            raise ValueError("Invalid value for argument `filters`. Expected a "
                             f"strictly positive value. Received filters={filters!r}.")
        _require_none(self._label(), kernel_regularizer=kernel_regularizer,
                      bias_regularizer=bias_regularizer,
                      activity_regularizer=activity_regularizer,
                      kernel_constraint=kernel_constraint,
                      bias_constraint=bias_constraint)
        self.filters = int(filters)
        self.kernel_size = _normalize_tuple(kernel_size, 2, "kernel_size")
        self.strides = _normalize_tuple(strides, 2, "strides")
        self.padding = _normalize_padding(padding)
        self.data_format = _check_data_format(data_format, self._label())
        self.dilation_rate = _normalize_tuple(dilation_rate, 2, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("`strides > 1` not supported in conjunction with "
                             f"`dilation_rate > 1`. Received: strides={self.strides} "
                             f"and dilation_rate={self.dilation_rate}")
        if (not isinstance(groups, (int, np.integer)) or groups <= 0
                or self.filters % groups):
            raise ValueError("The number of filters must be evenly divisible by the "
                             f"number of groups. Received: groups={groups!r}, "
                             f"filters={self.filters}")
        self.groups = int(groups)
        self.activation = activations_module.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers_module.get(kernel_initializer)
        self.bias_initializer = initializers_module.get(bias_initializer)

    def build(self, input_shape):
        self._check_ndim(input_shape, ndim=4)
        channels = input_shape[-1]
        if channels % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible "
                             f"by the number of groups. Received groups={self.groups}, "
                             f"but the input has {channels} channels (full input "
                             f"shape is {_shape_text(input_shape)})")
        out = self.compute_output_shape(input_shape)
        if min(out[1:3]) <= 0:
            raise ValueError(f"One of the dimensions in the output is <= 0 due to "
                             f"downsampling in {self.name}. Consider increasing the "
                             f"input size. Received input shape "
                             f"{_shape_text(input_shape)} which would produce output "
                             f"shape with a zero or negative value in a dimension.")
        # Keras (kh, kw, in, out) on the host, ONNX's OIHW on the chip.
        self.kernel = self.add_weight(
            "kernel", self.kernel_size + (channels // self.groups, self.filters),
            self.kernel_initializer, chip_perm=(3, 2, 0, 1))
        self.bias = (self.add_weight("bias", (self.filters,), self.bias_initializer)
                     if self.use_bias else None)
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        spatial = []
        for size, k, s, d in zip(input_shape[1:3], self.kernel_size, self.strides,
                                 self.dilation_rate):
            if self.padding == "same":
                spatial.append(-(-size // s))
            else:
                spatial.append((size - (k - 1) * d - 1) // s + 1)
        return (input_shape[0],) + tuple(spatial) + (self.filters,)

    def get_config(self):
        return dict(super().get_config(), filters=self.filters,
                    kernel_size=self.kernel_size, strides=self.strides,
                    padding=self.padding, dilation_rate=self.dilation_rate,
                    groups=self.groups, activation=self.activation,
                    use_bias=self.use_bias)

    def export(self, graph, tensor, training):
        tensor = graph.to_channels_first(tensor, self.name)
        pads = [0, 0, 0, 0]
        if self.padding == "same":
            (top, bottom), (left, right) = (
                _same_padding(size, k, s, d) for size, k, s, d in
                zip(self.input_shape[1:3], self.kernel_size, self.strides,
                    self.dilation_rate))
            pads = [top, left, bottom, right]
        inputs = [tensor.name, graph.parameter(self.kernel)]
        if self.use_bias:
            inputs.append(graph.parameter(self.bias))
        result = graph.node("Conv", inputs, self.name,
                            self.compute_output_shape(tensor.shape),
                            channels_first=True, kernel_shape=list(self.kernel_size),
                            strides=list(self.strides), pads=pads,
                            dilations=list(self.dilation_rate), group=self.groups)
        return graph.activation(result, self.activation, self.name)


class _Pooling2D(Layer):
    _ONNX_OP = None

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid",
                 data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _normalize_tuple(pool_size, 2, "pool_size")
        self.strides = (self.pool_size if strides is None else
                        _normalize_tuple(strides, 2, "strides"))
        self.padding = _normalize_padding(padding)
        self.data_format = _check_data_format(data_format, self._label())

    def build(self, input_shape):
        self._check_ndim(input_shape, ndim=4)
        if min(self.compute_output_shape(input_shape)[1:3]) <= 0:
            raise ValueError(f"{self._label()}: pool_size {self.pool_size} is larger "
                             f"than the input {_shape_text(input_shape)} with "
                             f"padding='valid'")
        super().build(input_shape)

    def compute_output_shape(self, input_shape):
        spatial = []
        for size, k, s in zip(input_shape[1:3], self.pool_size, self.strides):
            spatial.append(-(-size // s) if self.padding == "same"
                           else (size - k) // s + 1)
        return (input_shape[0],) + tuple(spatial) + (input_shape[3],)

    def get_config(self):
        return dict(super().get_config(), pool_size=self.pool_size,
                    strides=self.strides, padding=self.padding)

    def _extra_attributes(self):
        return {}

    def export(self, graph, tensor, training):
        tensor = graph.to_channels_first(tensor, self.name)
        pads = [0, 0, 0, 0]
        if self.padding == "same":
            (top, bottom), (left, right) = (
                _same_padding(size, k, s) for size, k, s in
                zip(self.input_shape[1:3], self.pool_size, self.strides))
            pads = [top, left, bottom, right]
        return graph.node(self._ONNX_OP, [tensor.name], self.name,
                          self.compute_output_shape(tensor.shape),
                          channels_first=True, kernel_shape=list(self.pool_size),
                          strides=list(self.strides), pads=pads,
                          **self._extra_attributes())


class MaxPooling2D(_Pooling2D):
    """``MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid")``;
    'same' padding never picks a padded value, as TensorFlow's."""

    _ONNX_OP = "MaxPool"


class AveragePooling2D(_Pooling2D):
    """``AveragePooling2D(pool_size=(2, 2), strides=None, padding="valid")``;
    with 'same' padding a window averages its in-bounds pixels only, as
    TensorFlow's."""

    _ONNX_OP = "AveragePool"

    def _extra_attributes(self):
        return {"count_include_pad": 0}


class Flatten(Layer):
    """``Flatten()``: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)`` in
    channels-last order, as Keras."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _check_data_format(data_format, self._label())

    def compute_output_shape(self, input_shape):
        return (input_shape[0], int(np.prod(input_shape[1:])))

    def build(self, input_shape):
        self._check_ndim(input_shape, min_ndim=2)
        super().build(input_shape)

    def export(self, graph, tensor, training):
        tensor = graph.to_channels_last(tensor, self.name)
        if len(tensor.shape) == 2:
            return tensor
        return graph.node("Flatten", [tensor.name], self.name,
                          self.compute_output_shape(tensor.shape), axis=1)


class Dropout(Layer):
    """``Dropout(rate)``: in training, zeroes each element with probability
    ``rate`` and scales the rest by ``1 / (1 - rate)``; the identity in
    ``evaluate``/``predict``."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if (isinstance(rate, bool) or not isinstance(rate, (int, float, np.floating))
                or not 0 <= rate < 1):
            raise ValueError("Invalid value received for argument `rate`. Expected "
                             f"a float value between 0 and 1. Received: rate={rate!r}")
        _require_none(self._label(), noise_shape=noise_shape)
        if seed is not None and (not isinstance(seed, (int, np.integer))
                                 or isinstance(seed, bool)):
            raise TypeError(f"{self._label()}: seed must be an integer or None, "
                            f"got {seed!r}")
        self.rate = float(rate)
        self.seed = seed

    def get_config(self):
        return dict(super().get_config(), rate=self.rate, seed=self.seed)

    def export(self, graph, tensor, training):
        if not training or self.rate == 0:
            return tensor
        return graph.dropout(tensor, self.rate, self.seed, self.name)


class BatchNormalization(Layer):
    """``BatchNormalization(axis=-1, momentum=0.99, epsilon=0.001, ...)``
    over the channel (last) axis: batch statistics in training, updating
    ``moving_mean``/``moving_variance``; the moving statistics in
    ``evaluate``/``predict``."""

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None,
                 beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
            raise ValueError(f"{self._label()}: npu.keras normalizes over one axis, "
                             f"the channel (last) axis. Received: axis={axis!r}")
        if isinstance(momentum, bool) or not 0 <= momentum <= 1:
            raise ValueError(f"{self._label()}: momentum must be in [0, 1]. "
                             f"Received: momentum={momentum!r}")
        if isinstance(epsilon, bool) or not epsilon > 0:
            raise ValueError(f"{self._label()}: epsilon must be positive. "
                             f"Received: epsilon={epsilon!r}")
        _require_none(self._label(), beta_regularizer=beta_regularizer,
                      gamma_regularizer=gamma_regularizer,
                      beta_constraint=beta_constraint,
                      gamma_constraint=gamma_constraint)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers_module.get(beta_initializer)
        self.gamma_initializer = initializers_module.get(gamma_initializer)
        self.moving_mean_initializer = initializers_module.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers_module.get(
            moving_variance_initializer)

    def build(self, input_shape):
        self._check_ndim(input_shape, min_ndim=2)
        if self.axis not in (-1, len(input_shape) - 1):
            raise ValueError(f"{self._label()}: npu.keras normalizes over the channel "
                             f"(last) axis only; axis={self.axis} of input shape "
                             f"{_shape_text(input_shape)} is not the last one")
        if len(input_shape) == 3:
            raise self._incompatible("npu.keras normalizes inputs of rank 2 "
                                     "(batch, features) or 4 (batch, H, W, C)",
                                     input_shape)
        channels = (input_shape[-1],)
        self.gamma = (self.add_weight("gamma", channels, self.gamma_initializer)
                      if self.scale else None)
        self.beta = (self.add_weight("beta", channels, self.beta_initializer)
                     if self.center else None)
        self.moving_mean = self.add_weight("moving_mean", channels,
                                           self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", channels,
                                               self.moving_variance_initializer,
                                               trainable=False)
        super().build(input_shape)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis, momentum=self.momentum,
                    epsilon=self.epsilon, center=self.center, scale=self.scale)

    def export(self, graph, tensor, training):
        tensor = graph.to_channels_first(tensor, self.name)
        channels = self.input_shape[-1]
        # ONNX's BatchNormalization always takes a scale and a bias: without
        # them (scale/center False) they are constants 1 and 0.
        scale = (graph.parameter(self.gamma) if self.scale else
                 graph.constant(np.ones(channels, np.float32), self.name, "gamma"))
        bias = (graph.parameter(self.beta) if self.center else
                graph.constant(np.zeros(channels, np.float32), self.name, "beta"))
        return graph.batch_norm(tensor, scale, bias, self.moving_mean,
                                self.moving_variance, self.epsilon, self.momentum,
                                training, self.name)
