"""npu: compile models for the NPU and run them on its simulator.

    import npu
    binary = npu.load(npu.compile("mlp.onnx", precision="fp32"))
    outputs, stats = binary.run({"x": x})

``npu.load`` / ``npu.Binary`` (npu.runtime) wrap the runtime library's
pybind11 binding ``npu._runtime``; ``npu.compile`` / ``npu.CompileOptions``
(npu.compiler) drive the compiler tools; ``npu.keras.datasets`` reads
datasets from Debian packages. docs/python.md describes the API.
"""

from .runtime import Binary, NpuError, RunResult, TensorInfo, load
from .compiler import CompileError, CompileOptions, compile, find_tool
from . import keras

__all__ = ["Binary", "NpuError", "RunResult", "TensorInfo", "load",
           "CompileError", "CompileOptions", "compile", "find_tool", "keras"]
