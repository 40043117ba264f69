"""A thin driver around the compiler tools (npu-compile, npu-opt, npu-translate).

The compiler runs out of process, as IREE's Python tools do: options become
an argv, the tool's exit status and stderr become a :class:`CompileError`
carrying both, so a failed compile shows exactly the diagnostics the tool
printed (the ONNX node name, the op that has no kernel, ...).

Tools are looked up, in this order, in ``$NPU_TOOLS_DIR``, in the build tree
the package was built in (``<build>/bin``), and on ``PATH``.
"""

import dataclasses
import os
import shutil
import subprocess
import tempfile
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

from .runtime import NpuError

TOOL_NAMES = ("npu-compile", "npu-opt", "npu-translate", "npu-run")


class CompileError(NpuError):
    """A compiler tool failed. ``argv`` is the command line, ``stderr`` its
    diagnostics, ``returncode`` its exit status."""

    def __init__(self, message: str, argv: Sequence[str] = (),
                 stderr: str = "", returncode: Optional[int] = None):
        self.argv = list(argv)
        self.stderr = stderr
        self.returncode = returncode
        text = message
        if stderr:
            text += "\n" + stderr.rstrip()
        super().__init__(text)


def _candidate_dirs() -> List[str]:
    dirs = []
    env = os.environ.get("NPU_TOOLS_DIR")
    if env:
        dirs.append(env)
    try:
        from . import _build_config
        dirs.append(_build_config.TOOLS_DIR)
    except ImportError:
        # Not in a build tree: the package may sit next to the tools
        # (<prefix>/python/npu -> <prefix>/bin).
        dirs.append(os.path.join(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))), "bin"))
    return dirs


def find_tool(name: str) -> str:
    """The path of compiler tool ``name`` (see the module doc for the search)."""
    if name not in TOOL_NAMES:
        raise ValueError(f"unknown tool '{name}' (tools: {', '.join(TOOL_NAMES)})")
    dirs = _candidate_dirs()
    for directory in dirs:
        path = os.path.join(directory, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found:
        return found
    raise CompileError(f"cannot find the '{name}' tool (looked in "
                       f"{', '.join(dirs)} and PATH); build it or set "
                       "NPU_TOOLS_DIR")


def invoke(tool: str, args: Sequence[str], *, input: Optional[bytes] = None) -> bytes:
    """Runs ``tool args...`` (stdin = ``input``) and returns its stdout;
    raises :class:`CompileError` with the argv and stderr if it fails."""
    argv = [find_tool(tool)] + [str(a) for a in args]
    try:
        proc = subprocess.run(argv, input=input, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False)
    except OSError as error:
        raise CompileError(f"cannot run {argv[0]}: {error}", argv) from error
    stderr = proc.stderr.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        raise CompileError(f"{tool} failed (exit code {proc.returncode})",
                           argv, stderr, proc.returncode)
    return proc.stdout


@dataclasses.dataclass
class CompileOptions:
    """The options of ``npu-compile`` (docs/compile.md)."""

    target: str = "npu-base"  # preset name or a chip .json path
    precision: str = "fp32"  # "fp32" or "bf16"
    input_shapes: Dict[str, Sequence[int]] = dataclasses.field(default_factory=dict)
    double_buffer: bool = True
    emit: str = "binary"  # "binary", "nn", "npu", "npuisa"
    extra_args: List[str] = dataclasses.field(default_factory=list)

    def to_argv(self) -> List[str]:
        """The command-line flags these options stand for."""
        if self.precision not in ("fp32", "bf16"):
            raise ValueError(f"precision must be 'fp32' or 'bf16', got {self.precision!r}")
        if self.emit not in ("binary", "nn", "npu", "npuisa"):
            raise ValueError("emit must be one of binary, nn, npu, npuisa, "
                             f"got {self.emit!r}")
        argv = [f"--target={os.fspath(self.target)}", f"--precision={self.precision}"]
        for name, shape in self.input_shapes.items():
            if (isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__")
                    or not all(isinstance(d, (int, np.integer)) and d >= 0
                               for d in shape)):
                raise ValueError(f"input_shapes[{name!r}] must be a sequence of "
                                 f"non-negative integers, got {shape!r}")
            dims = "x".join(str(int(d)) for d in shape)
            argv.append(f"--input-shape={name}={dims}")
        if not self.double_buffer:
            argv.append("--no-double-buffer")
        argv.append(f"--emit={self.emit}")
        argv.extend(self.extra_args)
        return argv


ModelSource = Union[str, os.PathLike, bytes, bytearray]


def compile(model: ModelSource, *, output_file: Optional[Union[str, os.PathLike]] = None,
            options: Optional[CompileOptions] = None, **option_fields) -> Union[bytes, str]:
    """Compiles an ONNX model (a path, or the model's bytes) or an nn-dialect
    ``.mlir`` file to a chip binary with ``npu-compile``.

    Options are a :class:`CompileOptions` or its fields as keywords
    (``target=``, ``precision=``, ``input_shapes={"x": (1, 784)}``, ...).
    Returns the binary's bytes, or ``output_file`` if one is given (IR text
    for ``emit`` other than ``"binary"``). Raises :class:`CompileError`.
    """
    if options is None:
        options = CompileOptions(**option_fields)
    elif option_fields:
        options = dataclasses.replace(options, **option_fields)
    with tempfile.TemporaryDirectory(prefix="npu-compile-") as tmp:
        if isinstance(model, (bytes, bytearray)):
            model_path = os.path.join(tmp, "model.onnx")
            with open(model_path, "wb") as f:
                f.write(model)
        elif isinstance(model, (str, os.PathLike)):
            model_path = os.fspath(model)
        else:
            raise TypeError("npu.compile expects a model path or ONNX bytes, "
                            f"got {type(model).__name__}")
        out = os.fspath(output_file) if output_file is not None else "-"
        stdout = invoke("npu-compile", [model_path, "-o", out] + options.to_argv())
    if output_file is not None:
        return os.fspath(output_file)
    return stdout if options.emit == "binary" else stdout.decode("utf-8")


def opt(ir: str, *args: str) -> str:
    """Runs ``npu-opt args...`` on IR text and returns the printed result."""
    return invoke("npu-opt", list(args) + ["-"], input=ir.encode()).decode("utf-8")


def import_onnx(model: ModelSource, *args: str) -> str:
    """``npu-translate --import-onnx``: an ONNX model as nn-dialect IR text."""
    if isinstance(model, (bytes, bytearray)):
        return invoke("npu-translate", ["--import-onnx"] + list(args) + ["-"],
                      input=bytes(model)).decode("utf-8")
    return invoke("npu-translate", ["--import-onnx"] + list(args) +
                  [os.fspath(model)]).decode("utf-8")
