"""Running chip binaries on the simulator from Python.

``npu.load(path_or_bytes)`` reads and validates a chip binary (the output of
``npu-compile`` / ``npu.compile``) and returns a :class:`Binary`: its I/O and
persistent-state tables, ``run()`` on NumPy arrays, and ``get_state`` /
``set_state``. The binary stays loaded on one simulated chip, so DRAM -- and
with it the persistent state -- carries over from one ``run()`` to the next,
as on the real chip.

Errors: the runtime library's messages (unreadable or malformed binary,
faults during the run) raise :class:`npu.NpuError`; a wrong input name raises
``KeyError``, a wrong dtype ``TypeError``, a wrong shape ``ValueError``.
"""

import dataclasses
import json
import os
from typing import Dict, NamedTuple, Optional, Tuple, Union

import numpy as np

from . import _runtime

NpuError = _runtime.NpuError


@dataclasses.dataclass(frozen=True)
class TensorInfo:
    """One entry of a binary's I/O or state table."""

    name: str
    role: str  # "input", "output" or "state"
    shape: Tuple[int, ...]
    dtype: str  # the chip dtype: "f32", "bf16", "i8", "i32"
    numpy_dtype: np.dtype  # what run()/get_state exchange (bf16 as float32)
    dram_addr: int

    @classmethod
    def _from_dict(cls, info):
        return cls(name=info["name"], role=info["role"],
                   shape=tuple(info["shape"]), dtype=info["dtype"],
                   numpy_dtype=np.dtype(info["numpy_dtype"]),
                   dram_addr=info["dram_addr"])


class RunResult(NamedTuple):
    """What ``Binary.run`` returns: ``outputs, stats = binary.run(...)``."""

    outputs: Dict[str, np.ndarray]
    stats: Optional[dict]


class Binary:
    """A chip binary loaded on a simulated chip (use :func:`load`)."""

    def __init__(self, loaded, name):
        self._loaded = loaded
        self.name = name
        self.inputs = [TensorInfo._from_dict(d) for d in loaded.inputs]
        self.outputs = [TensorInfo._from_dict(d) for d in loaded.outputs]
        self.state = [TensorInfo._from_dict(d) for d in loaded.state]
        self.target = loaded.target

    def __repr__(self):
        def names(infos):
            return ", ".join(f"{i.name}: {i.dtype}{list(i.shape)}" for i in infos)
        return (f"<npu.Binary {self.name!r} target={self.target['name']} "
                f"inputs=[{names(self.inputs)}] outputs=[{names(self.outputs)}] "
                f"state=[{names(self.state)}]>")

    def run(self, inputs: Dict[str, np.ndarray] = None, *,
            perf_only: bool = False, stats: bool = True) -> RunResult:
        """Runs the binary once.

        ``inputs`` maps every input name to an array of exactly the table's
        shape and NumPy dtype (``self.inputs``; bf16 inputs take float32,
        rounded to nearest even). Returns ``RunResult(outputs, stats)``:
        outputs by name (bf16 outputs widened to float32) and the stats of
        ``npu-run --stats-json`` as a dict (docs/simulator.md), or None with
        ``stats=False`` (building them is a fifth of a small program's run:
        skip them in a training loop). With ``perf_only=True`` the
        arithmetic is skipped: no inputs are needed, ``outputs`` is empty and
        only the stats are computed.
        """
        if inputs is None:
            inputs = {}
        if not isinstance(inputs, dict):
            raise TypeError("inputs must be a dict mapping input names to "
                            f"arrays, got {type(inputs).__name__}")
        outputs, stats_json = self._loaded.run(inputs, perf_only, stats)
        return RunResult(dict(outputs),
                         json.loads(stats_json) if stats else None)

    def __call__(self, **inputs) -> Dict[str, np.ndarray]:
        """``binary(x=array)``: run and return only the outputs."""
        return self.run(inputs, stats=False).outputs

    def get_state(self, name: str) -> np.ndarray:
        """A copy of persistent state tensor ``name`` as it is in DRAM now."""
        return self._loaded.get_state(name)

    def set_state(self, name: str, value) -> None:
        """Writes persistent state tensor ``name`` (same checks as inputs)."""
        self._loaded.set_state(name, value)

    def state_dict(self) -> Dict[str, np.ndarray]:
        """Every persistent state tensor by name (e.g. for ``np.savez``)."""
        return {info.name: self.get_state(info.name) for info in self.state}

    def load_state_dict(self, tensors: Dict[str, np.ndarray]) -> None:
        """Writes each given state tensor; unknown names raise KeyError."""
        for name, value in tensors.items():
            self.set_state(name, value)


def load(source: Union[str, os.PathLike, bytes, bytearray, memoryview]) -> Binary:
    """Loads a chip binary from a file path or from its bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Binary(_runtime.LoadedBinary.from_bytes(bytes(source), "<bytes>"),
                      "<bytes>")
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        return Binary(_runtime.LoadedBinary.from_path(path), path)
    raise TypeError("npu.load expects a path or the binary's bytes, got "
                    f"{type(source).__name__}")
