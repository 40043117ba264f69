"""The chip side of a model: its compiled binaries and where its state is.

A model is compiled once per kind of step and batch size -- shapes are
static on the chip: ``train`` binaries (``npu-compile --train``: loss,
gradients and the optimizer update in one program) and ``infer`` binaries
(``npu-compile --weights-as-state``), each loaded on its own simulated chip
and cached. All of them hold the model's weights as persistent state under
the same names (the ONNX initializer names, ``dense/kernel``), train
binaries also the optimizer's slots and ``optimizer.step``.

Keeping the copies in sync without copying on every step: a version number
counts the changes to the state. A train step bumps it and makes its binary
the *holder* of the newest state; a binary whose last synced version is
older gets the state pushed before it runs, after the host pulled it from
the holder. So an epoch of same-sized batches copies nothing, and the last,
smaller batch of an epoch copies the state twice (there and back). The host
copy (the layers' ``Variable`` values and the optimizer slots) is pulled
only when the user reads a weight, saves, or another binary needs it;
``Variable.assign`` makes the host the holder.
"""

import time

import numpy as np

from .. import compiler as npu_compiler
from .. import runtime as npu_runtime
from . import onnx_export

LABELS = "labels"
LEARNING_RATE = "learning_rate"
LOSS = "loss"
OPTIMIZER_STEP = "optimizer.step"


class _Entry:
    """One compiled binary and the state version it last held."""

    def __init__(self, binary, exported, compile_seconds):
        self.binary = binary
        self.exported = exported
        self.compile_seconds = compile_seconds
        self.synced_version = -1
        self.state_names = [info.name for info in binary.state]


class ChipSession:
    """Compiles, caches and runs a model's binaries (see the module doc)."""

    def __init__(self, model, target="npu-base", precision="fp32"):
        self.model = model
        self.target = target
        self.precision = precision
        self.variables = {v.chip_name: v for v in model._all_variables()}
        for variable in self.variables.values():
            variable._store = self
        self.optimizer = None
        self.loss = None
        self.optimizer_state = {}  # slot name -> array (host copy)
        self.version = 0
        self.host_version = 0
        self.holder = None
        self.entries = {}
        self.exports = {}
        self.compile_seconds = 0.0

    # -- configuration --------------------------------------------------
    def configure_training(self, optimizer, loss):
        """A new optimizer/loss: drops the train binaries and the optimizer
        slots (as a Keras recompile starts a fresh optimizer)."""
        self.pull()  # the host holds the newest weights from here on
        self.holder = None
        self.entries = {k: e for k, e in self.entries.items() if k[0] != "train"}
        self.exports.pop("train", None)
        self.optimizer_state = {}
        if self.optimizer is not None:
            self.optimizer._session = None
        self.optimizer, self.loss = optimizer, loss
        optimizer._session = self

    def detach(self):
        """The model changed shape: the host keeps the newest weights."""
        self.pull()
        for variable in self.variables.values():
            variable._store = None
        if self.optimizer is not None:
            self.optimizer._session = None

    # -- state sync -----------------------------------------------------
    def pull(self):
        """Copies the newest state from the holder binary to the host."""
        if self.host_version == self.version:
            return
        for name, value in self.holder.binary.state_dict().items():
            if name in self.variables:
                self.variables[name].set_from_chip(value)
            else:
                self.optimizer_state[name] = value
        self.host_version = self.version

    def host_changed(self):
        """A weight was assigned on the host: every binary is stale."""
        self.version += 1
        self.host_version = self.version
        self.holder = None

    def _sync(self, entry):
        if entry.synced_version == self.version:
            return
        self.pull()
        values = {}
        for name in entry.state_names:
            if name in self.variables:
                values[name] = self.variables[name].chip_value()
            elif name in self.optimizer_state:
                values[name] = self.optimizer_state[name]
            # else: a slot no binary has used yet keeps its initial value.
        entry.binary.load_state_dict(values)
        entry.synced_version = self.version

    def optimizer_steps(self):
        self.pull()
        step = self.optimizer_state.get(OPTIMIZER_STEP)
        return 0 if step is None else int(np.asarray(step).reshape(-1)[0])

    # -- binaries -------------------------------------------------------
    def exported(self, kind):
        """The ONNX export of ``kind`` (``train`` or ``infer``), made once."""
        if kind not in self.exports:
            model = self.model
            self.exports[kind] = onnx_export.export(
                model._input_name(), model._batch_input_shape, model.layers,
                training=kind == "train", logits=kind == "infer",
                graph_name=model.name)
        return self.exports[kind]

    def _entry(self, kind, batch):
        key = (kind, batch)
        entry = self.entries.get(key)
        if entry is not None:
            return entry
        exported = self.exported(kind)
        if kind == "train":
            flags = (["--train"] + self.loss.compile_flags() +
                     self.optimizer.compile_flags())
        else:
            flags = ["--weights-as-state"]
        start = time.perf_counter()
        blob = npu_compiler.compile(
            exported.to_bytes(), target=self.target, precision=self.precision,
            input_shapes={exported.input_name:
                          (batch,) + tuple(self.model._batch_input_shape[1:])},
            extra_args=flags)
        binary = npu_runtime.load(blob)
        seconds = time.perf_counter() - start
        self.compile_seconds += seconds
        entry = _Entry(binary, exported, seconds)
        self.entries[key] = entry
        return entry

    def train_step(self, x, labels, learning_rate):
        """One optimizer step on a batch: ``(loss, outputs, stats)``."""
        entry = self._entry("train", len(x))
        self._sync(entry)
        result = entry.binary.run({
            entry.exported.input_name: x, LABELS: labels,
            LEARNING_RATE: np.array([learning_rate], np.float32)})
        self.version += 1
        entry.synced_version = self.version
        self.holder = entry
        return (float(result.outputs[LOSS].reshape(-1)[0]),
                result.outputs[entry.exported.output_name], result.stats)

    def infer(self, x):
        """The model on a batch: ``(outputs, logits or None, stats)``."""
        entry = self._entry("infer", len(x))
        self._sync(entry)
        result = entry.binary.run({entry.exported.input_name: x})
        logits_name = entry.exported.logits_name
        return (result.outputs[entry.exported.output_name],
                result.outputs[logits_name] if logits_name else None, result.stats)
