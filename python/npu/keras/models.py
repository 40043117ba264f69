"""``Sequential``: a stack of layers trained and run on the simulated chip.

The Keras API -- ``add``, ``summary``, ``compile``, ``fit``, ``evaluate``,
``predict``, ``train_on_batch``, weights -- on top of a ChipSession
(npu.keras.session): ``fit`` streams batches through the compiled train
step, whose loss, gradients and optimizer update run on the chip, and
computes the metrics on the host from the outputs the step returns;
``evaluate``/``predict`` run the inference binary. Each step's simulated
time and MXU utilization are collected in ``History.chip`` and shown in the
progress bar.
"""

import os
import time
import zipfile

import numpy as np

from . import backend
from . import callbacks as callbacks_module
from . import layers as layers_module
from . import losses as losses_module
from . import metrics as metrics_module
from . import onnx_export
from . import optimizers as optimizers_module
from . import session as session_module
from .layers import _shape_text
from .utils import Progbar

# Names the train step uses for its own inputs and outputs.
_RESERVED_NAMES = (session_module.LABELS, session_module.LEARNING_RATE,
                   session_module.LOSS)


def _as_float_array(value, what):
    if isinstance(value, (list, tuple, np.generic)):
        value = np.asarray(value)
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{what} must be a NumPy array, got {type(value).__name__}")
    if value.dtype.kind not in "biuf":
        raise TypeError(f"{what} must hold numbers, got an array of dtype {value.dtype}")
    return np.require(value.astype(np.float32, copy=False), requirements="C")


def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return verbose


def _positive_int(value, what):
    if (isinstance(value, bool) or not isinstance(value, (int, np.integer))
            or value <= 0):
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


class _MeanTracker:
    """Running sample-weighted means of the loss and the metrics."""

    def __init__(self, names):
        self.names = names
        self.sums = dict.fromkeys(names, 0.0)
        self.count = 0

    def add(self, values, count):
        for name, value in values.items():
            self.sums[name] += float(value) * count
        self.count += count

    def result(self):
        return {name: self.sums[name] / max(self.count, 1) for name in self.names}


class _ChipTotals:
    """What the simulated chip reported over the steps of an epoch."""

    def __init__(self):
        self.steps = 0
        self.time_us = 0.0
        self.cycles = 0
        self.busy_mxu_cycles = 0.0
        self.host_seconds = 0.0

    def add(self, stats, host_seconds):
        self.steps += 1
        self.time_us += stats["time_us"]
        self.cycles += stats["total_cycles"]
        self.busy_mxu_cycles += stats["mxu_utilization"] * stats["total_cycles"]
        self.host_seconds += host_seconds

    def summary(self):
        steps = max(self.steps, 1)
        return {"steps": self.steps, "time_us_per_step": self.time_us / steps,
                "cycles_per_step": self.cycles / steps,
                "mxu_utilization": self.busy_mxu_cycles / max(self.cycles, 1),
                "host_seconds": self.host_seconds}

    def text(self):
        summary = self.summary()
        return (f"{summary['time_us_per_step']:.1f}us/step "
                f"(MXU {100 * summary['mxu_utilization']:.1f}%)")


class Sequential:
    """``Sequential([layers...])`` or ``Sequential()`` + ``add(layer)``.

    The input shape comes from an ``Input``/``InputLayer`` first, from the
    first layer's ``input_shape=``, from ``build(input_shape)``, or from the
    data of the first ``fit``/``evaluate``/``predict``.
    """

    def __init__(self, layers=None, name=None):
        if name is not None and (not isinstance(name, str) or not name):
            raise ValueError(f"a model name must be a non-empty string, got {name!r}")
        self.name = name or backend.unique_object_name("sequential")
        self._input_layer = None
        self._layers = []
        self._batch_input_shape = None
        self._session = None
        self._compile_config = None
        self.optimizer = None
        self.loss = None
        self.compiled_metrics = []
        self.history = None
        self.stop_training = False
        if layers is not None:
            if not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer)

    # -- structure ------------------------------------------------------
    @property
    def layers(self):
        return list(self._layers)

    def add(self, layer):
        """Appends a layer (or an ``Input``); builds it if the input shape
        is known, so a shape mismatch is reported here."""
        if isinstance(layer, layers_module.KerasTensor):
            layer = layer._input_layer
        if not isinstance(layer, layers_module.Layer):
            raise TypeError("The added layer must be an instance of class Layer. "
                            f"Received: layer={layer!r} of type {type(layer)}.")
        if isinstance(layer, layers_module.InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input/InputLayer can only be the first layer "
                                 f"of a Sequential model ({self.name} already has "
                                 "layers)")
            self._input_layer = layer
            self._set_input_shape(layer.batch_input_shape)
            return
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError("All layers added to a Sequential model should have "
                             f'unique names. Name "{layer.name}" is already the name '
                             "of a layer in this model. Update the `name` argument "
                             "to pass a unique name.")
        self._drop_session()
        if (not self._layers and self._input_layer is None
                and layer._batch_input_shape is not None):
            self._input_layer = layers_module.InputLayer(
                batch_input_shape=layer._batch_input_shape, name=f"{layer.name}_input")
            self._batch_input_shape = layer._batch_input_shape
        self._layers.append(layer)
        if self._batch_input_shape is not None:
            try:
                self._build_layers()
            except Exception:
                self._layers.pop()
                raise

    def pop(self):
        """Removes the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._drop_session()
        return self._layers.pop()

    def get_layer(self, name=None, index=None):
        if index is not None:
            if not isinstance(index, int) or not -len(self._layers) <= index < len(self._layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but "
                                 f"model only has {len(self._layers)} layers.")
            return self._layers[index]
        for layer in self._layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in self._layers]}.")

    def _set_input_shape(self, batch_input_shape):
        self._batch_input_shape = tuple(batch_input_shape)
        if self._layers:
            self._build_layers()

    def _build_layers(self):
        shape = self._batch_input_shape
        for layer in self._layers:
            shape = layer._build_for(shape)

    def build(self, input_shape=None):
        """Builds the layers for ``input_shape`` (with the batch dimension,
        e.g. ``(None, 28, 28)``)."""
        if input_shape is None:
            if self._batch_input_shape is None:
                raise ValueError("You must provide an `input_shape` argument.")
            return
        input_shape = tuple(input_shape)
        if len(input_shape) < 2:
            raise ValueError(f"build() expects an input shape with a batch dimension, "
                             f"e.g. (None, 28, 28); got {input_shape!r}")
        if self._input_layer is None:
            first = self._layers[0].name if self._layers else "input"
            self._input_layer = layers_module.InputLayer(
                batch_input_shape=input_shape, name=f"{first}_input")
        elif input_shape[1:] != self._batch_input_shape[1:]:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with '
                             f"the layer: expected shape="
                             f"{_shape_text(self._batch_input_shape)}, found shape="
                             f"{_shape_text(input_shape)}")
        self._set_input_shape(input_shape)

    @property
    def built(self):
        return self._batch_input_shape is not None and all(l.built for l in self._layers)

    def _require_built(self):
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model "
                             "first by calling `build()` or by calling `fit()`, "
                             "`evaluate()` or `predict()` with some data.")
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} has no layers")

    @property
    def input_shape(self):
        self._require_built()
        return self._batch_input_shape

    @property
    def output_shape(self):
        self._require_built()
        return self._layers[-1].output_shape

    def _input_name(self):
        return self._input_layer.name

    # -- weights --------------------------------------------------------
    def _all_variables(self):
        return [v for layer in self._layers for v in layer.weights]

    @property
    def trainable_weights(self):
        return [v for layer in self._layers for v in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [v for layer in self._layers for v in layer.non_trainable_weights]

    @property
    def weights(self):
        """All weights, the trainable ones first (Keras's model order)."""
        return self.trainable_weights + self.non_trainable_weights

    def get_weights(self):
        return [v.numpy() for v in self.weights]

    def set_weights(self, weights):
        layers_module._assign_weights(
            self.weights, weights,
            lambda given, expected: (
                f'You called `set_weights(weights)` on layer "{self.name}" with a '
                f"weight list of length {given}, but the layer was expecting "
                f"{expected} weights."),
            lambda variable, shape: (
                f"Weight {variable.name} has shape {_shape_text(variable.shape)} but "
                f"the provided weight has shape {_shape_text(shape)}."))

    def count_params(self):
        self._require_built()
        return sum(layer.count_params() for layer in self._layers)

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Writes every layer's weights (Keras layout, layer order) to a
        ``.npz`` file keyed by weight name (``dense/kernel:0``)."""
        self._require_built()
        if save_format not in (None, "npz"):
            raise ValueError(f"npu.keras saves weights as .npz only. Received: "
                             f"save_format={save_format!r}")
        filepath = os.fspath(filepath)
        if not overwrite and os.path.exists(filepath):
            raise FileExistsError(f"{filepath} exists and overwrite=False")
        arrays = {v.name: v.numpy() for v in self._all_variables()}
        with open(filepath, "wb") as f:  # exactly this path (no .npz added)
            np.savez(f, **arrays)

    def load_weights(self, filepath):
        """Reads a ``save_weights`` file into the layers, matched by layer
        order (as Keras's HDF5 weights) and checked by count and shape."""
        self._require_built()
        filepath = os.fspath(filepath)
        try:
            archive = np.load(filepath, allow_pickle=False)
        except FileNotFoundError:
            raise
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise ValueError(f"{filepath} is not a weights file written by "
                             f"save_weights (.npz): {error}") from None
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError(f"{filepath} is not a weights file written by "
                             "save_weights (.npz): it holds a single array")
        with archive:
            names = list(archive.files)
            variables = self._all_variables()
            if len(names) != len(variables):
                raise ValueError(f"{filepath} holds {len(names)} weights but model "
                                 f"{self.name} has {len(variables)}")
            arrays = [archive[name] for name in names]
        for name, variable, array in zip(names, variables, arrays):
            if array.shape != variable.shape:
                raise ValueError(f"{filepath}: weight {name} has shape "
                                 f"{_shape_text(array.shape)} but {variable.name} of "
                                 f"model {self.name} has shape "
                                 f"{_shape_text(variable.shape)}")
        for variable, array in zip(variables, arrays):
            variable.assign(array)

    def export_onnx(self, filepath=None, batch_size=None):
        """The model (inference form: Dropout removed, BatchNormalization
        with the moving statistics) as an ``onnx.ModelProto``, saved to
        ``filepath`` if given. Input and output are channels-last (NHWC)
        like the Keras model; the batch dimension is ``batch_size`` or the
        symbolic ``batch``."""
        self._require_built()
        if batch_size is not None:
            batch_size = _positive_int(batch_size, "batch_size")
        for variable in self._all_variables():
            variable.numpy()  # pulls the newest values off the chip
        proto = onnx_export.export(self._input_name(), self._batch_input_shape,
                                   self._layers, batch_size=batch_size,
                                   graph_name=self.name).proto
        if filepath is not None:
            with open(os.fspath(filepath), "wb") as f:
                f.write(proto.SerializeToString())
        return proto

    # -- summary --------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Prints the layers, their output shapes and parameter counts in
        Keras's format."""
        self._require_built()
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        if positions[-1] <= 1:
            positions = [int(line_length * p) for p in positions]
        print_fn = print_fn or print

        def row(fields):
            line = ""
            for i, field in enumerate(fields):
                start = positions[i - 1] if i else 0
                space = 2 if i != len(positions) - 1 else 0
                text = str(field)[:positions[i] - start - space]
                if i == 0:
                    line += " "
                line += text + " " * space
                line += " " * (positions[i] - len(line))
            return line

        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        print_fn(row(["Layer (type)", "Output Shape", "Param #"]))
        print_fn("=" * line_length)
        for i, layer in enumerate(self._layers):
            print_fn(row([f"{layer.name} ({type(layer).__name__})",
                          _shape_text(layer.output_shape), layer.count_params()]))
            if i < len(self._layers) - 1:
                print_fn(" " * line_length)
        print_fn("=" * line_length)
        trainable = sum(int(np.prod(v.shape)) for v in self.trainable_weights)
        non_trainable = sum(int(np.prod(v.shape)) for v in self.non_trainable_weights)
        print_fn(f"Total params: {trainable + non_trainable:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {non_trainable:,}")
        print_fn("_" * line_length)

    # -- compile --------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None,
                loss_weights=None, weighted_metrics=None, run_eagerly=None,
                steps_per_execution=None, jit_compile=None, *,
                target="npu-base", precision="fp32"):
        """Chooses the optimizer, loss and metrics, and the chip: ``target``
        (a preset such as ``npu-base``/``npu-tiny`` or a chip .json) and
        ``precision`` (``fp32``/``bf16``) of the compiled steps."""
        for argument, value in (("loss_weights", loss_weights),
                                ("weighted_metrics", weighted_metrics),
                                ("run_eagerly", run_eagerly),
                                ("jit_compile", jit_compile)):
            if value is not None:
                raise ValueError(f"compile(): `{argument}` is not supported by "
                                 f"npu.keras (leave it None). Received: "
                                 f"{argument}={value!r}")
        if steps_per_execution not in (None, 1):
            raise ValueError("compile(): npu.keras runs one step per execution. "
                             f"Received: steps_per_execution={steps_per_execution!r}")
        if precision not in ("fp32", "bf16"):
            raise ValueError(f"compile(): precision must be 'fp32' or 'bf16'. "
                             f"Received: precision={precision!r}")
        if loss is None:
            raise ValueError("compile() needs a loss: npu.keras computes it in the "
                             "train step on the chip (e.g. "
                             "loss='sparse_categorical_crossentropy')")
        optimizer = optimizers_module.get(optimizer)
        loss = losses_module.get(loss)
        if metrics is None:
            metrics = []
        if isinstance(metrics, (str, dict)) or not hasattr(metrics, "__iter__"):
            raise TypeError("Type of `metrics` argument not understood. Expected a "
                            f"list or dictionary, found: {type(metrics)}")
        metrics = list(metrics)
        for metric in metrics:  # unknown names fail now, not in fit
            metrics_module.get(metric, loss, (None, 2))
        self.optimizer, self.loss = optimizer, loss
        self._compile_config = {"metrics": metrics, "target": os.fspath(target),
                                "precision": precision}
        if self._session is not None and (
                self._session.target != target or self._session.precision != precision):
            self._drop_session()
        if self._session is not None:
            self._session.configure_training(optimizer, loss)

    def _require_compiled(self):
        if self._compile_config is None:
            raise RuntimeError("You must compile your model before training/testing. "
                               "Use `model.compile(optimizer, loss)`.")

    def _metrics(self):
        return [metrics_module.get(m, self.loss, self.output_shape)
                for m in self._compile_config["metrics"]]

    # -- the chip session -----------------------------------------------
    def _drop_session(self):
        if self._session is not None:
            self._session.detach()
            self._session = None

    def _get_session(self):
        self._require_built()
        if self._session is None:
            for layer in self._layers:
                if not layer.trainable:
                    raise ValueError(f"layer {layer.name} is frozen (trainable=False): "
                                     "npu.keras trains every weight of a model on the "
                                     "chip and does not support frozen layers")
            if self._input_name() in _RESERVED_NAMES:
                raise ValueError(f"the model input may not be named "
                                 f"'{self._input_name()}': the train step uses that "
                                 "name (rename the Input)")
            config = self._compile_config or {"target": "npu-base",
                                              "precision": "fp32"}
            self._session = session_module.ChipSession(
                self, config["target"], config["precision"])
            if self.optimizer is not None:
                self._session.configure_training(self.optimizer, self.loss)
        return self._session

    # -- data -----------------------------------------------------------
    def _prepare_x(self, x, what="x"):
        if x is None:
            raise ValueError(f"{what} is required")
        x = _as_float_array(x, what)
        if x.ndim < 1:
            raise ValueError(f"{what} must have a batch dimension, got a scalar")
        if self._batch_input_shape is None:
            self.build((None,) + x.shape[1:])
        self._require_built()
        expected = self._batch_input_shape
        if x.shape[1:] != expected[1:]:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the '
                             f"layer: expected shape={_shape_text(expected)}, found "
                             f"shape={_shape_text(x.shape)}")
        if len(x) == 0:
            raise ValueError(f"{what} has no samples")
        return x

    def _prepare_y(self, y, count, what="y"):
        """Labels as the train step takes them (int32 class indices for the
        sparse crossentropy, else float32 shaped like the output)."""
        if y is None:
            raise ValueError(f"{what} is required: the targets of the "
                             f"{self.loss.name} loss")
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise TypeError(f"{what} must hold numbers, got an array of dtype {y.dtype}")
        if y.ndim == 0 or len(y) != count:
            raise ValueError("Data cardinality is ambiguous: x sizes: "
                             f"{count}, y sizes: {len(y) if y.ndim else 'scalar'}. "
                             "Make sure all arrays contain the same number of samples.")
        output_shape = self.output_shape
        if self.loss.sparse_labels:
            if len(output_shape) != 2:
                raise ValueError(f"{self.loss.name} needs a model output of shape "
                                 f"(batch, classes), but the output is "
                                 f"{_shape_text(output_shape)}")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            if y.ndim != 1:
                raise ValueError(f"{self.loss.name} expects integer class labels of "
                                 f"shape (samples,), got {what} of shape "
                                 f"{_shape_text(y.shape)} (one-hot targets need "
                                 "loss='categorical_crossentropy')")
            if y.dtype.kind == "f" and not np.array_equal(y, np.round(y)):
                raise ValueError(f"{self.loss.name} expects integer class labels; "
                                 f"{what} has fractional values")
            classes = output_shape[-1]
            outside = (y < 0) | (y >= classes)
            if outside.any():
                raise ValueError(f"Received a label value of {y[outside][0]:g} which "
                                 f"is outside the valid range of [0, {classes}).")
            return np.ascontiguousarray(y, dtype=np.int32)
        y = np.ascontiguousarray(y, dtype=np.float32)
        if y.shape[1:] != output_shape[1:]:
            if output_shape[1:] == (1,) and y.ndim == 1:
                return y.reshape(-1, 1)
            raise ValueError(f"{self.loss.name} expects targets shaped like the model "
                             f"output {_shape_text(output_shape)}, got {what} of shape "
                             f"{_shape_text(y.shape)}")
        return y

    # -- training -------------------------------------------------------
    def _train_batch(self, session, x, y, metrics):
        start = time.perf_counter()
        loss, outputs, stats = session.train_step(x, y, self.optimizer.learning_rate)
        seconds = time.perf_counter() - start
        values = {"loss": loss}
        for metric in metrics:
            values[metric.name] = float(np.mean(metric(y, outputs)))
        return values, stats, seconds

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
            callbacks=None, validation_split=0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None, initial_epoch=0,
            steps_per_epoch=None, validation_steps=None, validation_batch_size=None,
            validation_freq=1):
        """Trains for ``epochs`` epochs on the chip; returns a ``History``."""
        self._require_compiled()
        for argument, value in (("class_weight", class_weight),
                                ("sample_weight", sample_weight),
                                ("steps_per_epoch", steps_per_epoch),
                                ("validation_steps", validation_steps)):
            if value is not None:
                raise ValueError(f"fit(): `{argument}` is not supported by npu.keras "
                                 f"(leave it None)")
        verbose = _resolve_verbose(verbose)
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) \
                or epochs < 0:
            raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
        if shuffle not in (True, False):
            raise ValueError(f"shuffle must be True or False, got {shuffle!r}")
        validation_freq = _positive_int(validation_freq, "validation_freq")
        x = self._prepare_x(x)
        y = self._prepare_y(y, len(x))
        if not 0 <= validation_split < 1:
            raise ValueError("validation_split must be in [0, 1), got "
                             f"{validation_split!r}")
        if validation_data is not None and validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        if validation_split:
            split = int(len(x) * (1 - validation_split))
            if split == 0 or split == len(x):
                raise ValueError(f"validation_split={validation_split} of {len(x)} "
                                 "samples leaves no training or no validation samples")
            validation_data = (x[split:], y[split:])
            x, y = x[:split], y[:split]
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("validation_data must be a tuple (x_val, y_val)")
            val_x = self._prepare_x(validation_data[0], "validation x")
            val_y = self._prepare_y(validation_data[1], len(val_x), "validation y")
        session = self._get_session()
        metrics = self._metrics()
        steps = -(-len(x) // batch_size)
        history = callbacks_module.History()
        callback_list = callbacks_module.CallbackList(
            [history] + list(callbacks or []), self,
            {"verbose": verbose, "epochs": epochs, "steps": steps})
        self.history = history
        self.stop_training = False
        rng = backend.global_rng()
        callback_list.on_train_begin()
        for epoch in range(initial_epoch, epochs):
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            callback_list.on_epoch_begin(epoch)
            progbar = Progbar(steps, verbose)
            tracker = _MeanTracker(["loss"] + [m.name for m in metrics])
            chip = _ChipTotals()
            order = rng.permutation(len(x)) if shuffle else None
            for step in range(steps):
                callback_list.on_train_batch_begin(step)
                if order is None:
                    batch = slice(step * batch_size, (step + 1) * batch_size)
                else:
                    batch = order[step * batch_size:(step + 1) * batch_size]
                x_batch, y_batch = x[batch], y[batch]
                values, stats, seconds = self._train_batch(session, x_batch, y_batch,
                                                           metrics)
                tracker.add(values, len(x_batch))
                chip.add(stats, seconds)
                logs = tracker.result()
                callback_list.on_train_batch_end(step, logs)
                progbar.update(step + 1, logs, finalize=False)
            logs = tracker.result()
            if validation_data is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self.evaluate(val_x, val_y,
                                         batch_size=validation_batch_size or batch_size,
                                         verbose=0, return_dict=True)
                logs.update({"val_" + k: v for k, v in val_logs.items()})
            history.chip.append(chip.summary())
            progbar.update(steps, dict(logs, chip=chip.text()), finalize=True)
            callback_list.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        callback_list.on_train_end()
        return history

    def train_on_batch(self, x, y=None, reset_metrics=True, return_dict=False):
        """One optimizer step on one batch; the batch's loss (and metrics)."""
        self._require_compiled()
        if reset_metrics is not True:
            raise ValueError("train_on_batch(): npu.keras reports each batch's own "
                             "metrics (reset_metrics=True)")
        x = self._prepare_x(x)
        y = self._prepare_y(y, len(x))
        values, _, _ = self._train_batch(self._get_session(), x, y, self._metrics())
        return self._format_results(values, return_dict)

    def _format_results(self, values, return_dict):
        if return_dict:
            return values
        if len(values) == 1:
            return values["loss"]
        return list(values.values())

    # -- inference ------------------------------------------------------
    def _infer_batches(self, x, batch_size, verbose, on_batch):
        session = self._get_session()
        steps = -(-len(x) // batch_size)
        progbar = Progbar(steps, verbose)
        for step in range(steps):
            batch = slice(step * batch_size, (step + 1) * batch_size)
            outputs, logits, _ = session.infer(x[batch])
            values = on_batch(batch, outputs, logits)
            progbar.update(step + 1, values or {})

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None, return_dict=False):
        """The loss (and metrics) over ``x``, ``y`` with the inference
        binary; ``[loss, metric...]`` or a dict with ``return_dict``."""
        self._require_compiled()
        for argument, value in (("sample_weight", sample_weight), ("steps", steps),
                                ("callbacks", callbacks)):
            if value is not None:
                raise ValueError(f"evaluate(): `{argument}` is not supported by "
                                 f"npu.keras (leave it None)")
        verbose = _resolve_verbose(verbose)
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        x = self._prepare_x(x)
        y = self._prepare_y(y, len(x))
        metrics = self._metrics()
        tracker = _MeanTracker(["loss"] + [m.name for m in metrics])
        # As in the train step: a final softmax/sigmoid matching the loss
        # is skipped, the loss taken from its input.
        use_logits = (self._get_session().exported("infer").logits_activation
                      == self.loss.logits_activation)

        def on_batch(batch, outputs, logits):
            y_batch = y[batch]
            values = {"loss": float(np.mean(self.loss.per_sample(
                y_batch, outputs, logits if use_logits else None)))}
            for metric in metrics:
                values[metric.name] = float(np.mean(metric(y_batch, outputs)))
            tracker.add(values, len(y_batch))
            return tracker.result()

        self._infer_batches(x, batch_size, verbose, on_batch)
        return self._format_results(tracker.result(), return_dict)

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x``, computed on the chip in batches."""
        for argument, value in (("steps", steps), ("callbacks", callbacks)):
            if value is not None:
                raise ValueError(f"predict(): `{argument}` is not supported by "
                                 f"npu.keras (leave it None)")
        verbose = _resolve_verbose(verbose)
        batch_size = 32 if batch_size is None else _positive_int(batch_size, "batch_size")
        x = self._prepare_x(x)
        results = []
        self._infer_batches(x, batch_size, verbose,
                            lambda batch, outputs, logits: results.append(outputs))
        return np.concatenate(results)

    def predict_on_batch(self, x):
        x = self._prepare_x(x)
        return self._get_session().infer(x)[0]

    def __repr__(self):
        return f"<npu.keras.Sequential name={self.name} layers={len(self._layers)}>"
