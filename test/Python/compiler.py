# npu.compile / npu.compiler: tool discovery (NPU_TOOLS_DIR, the build tree,
# PATH), CompileOptions -> argv, and every failure as npu.CompileError
# carrying the argv and the tool's diagnostics.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %test_helpers/make_onnx.py gemm %t/gemm.onnx
# RUN: %python %test_helpers/make_onnx.py dynamic_input %t/dyn.onnx
# RUN: %python %s %t | FileCheck %s
import os
import stat
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import npu
from npu import compiler

work = sys.argv[1]
gemm = os.path.join(work, "gemm.onnx")


def expect(exception, call):
    try:
        call()
    except exception as error:
        return error
    raise AssertionError("no exception")


assert issubclass(npu.CompileError, npu.NpuError)

# The tools of this build tree are found without any configuration.
for tool in ("npu-compile", "npu-opt", "npu-translate", "npu-run"):
    assert os.path.isfile(npu.find_tool(tool)), tool
# CHECK: unknown tool 'gcc' (tools: npu-compile, npu-opt, npu-translate, npu-run)
print(expect(ValueError, lambda: npu.find_tool("gcc")))

# A good compile, run against numpy (Gemm alpha/beta, Gemm, MatMul).
binary = npu.load(npu.compile(gemm, target="npu-tiny"))
model = onnx.load(gemm)
weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
x = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
g1 = 0.5 * x @ weights["w"].T + 2.0 * weights["b"]
expected = (g1 @ weights["w2"]) @ weights["m"]
y = binary.run({"x": x}).outputs["y"]
assert np.allclose(y, expected, rtol=1e-4, atol=1e-5), np.abs(y - expected).max()
# CHECK-NEXT: gemm matches numpy
print("gemm matches numpy")

# Missing model file: the tool's message, the argv.
error = expect(npu.CompileError, lambda: npu.compile(os.path.join(work, "missing.onnx")))
assert error.argv[0].endswith("npu-compile") and error.returncode == 1, error.argv
assert error.argv[1].endswith("missing.onnx"), error.argv
# CHECK-NEXT: npu-compile failed (exit code 1)
# CHECK-NEXT: npu-compile: error: cannot open input file '{{.*}}missing.onnx': No such file or directory
print(error)
# CHECK-NEXT: stderr: npu-compile: error: cannot open input file
print("stderr:", error.stderr.strip())

# Unknown target preset.
error = expect(npu.CompileError, lambda: npu.compile(gemm, target="npu-huge"))
assert "--target=npu-huge" in error.argv
# CHECK-NEXT: error: invalid target: unknown target preset 'npu-huge' (expected one of: npu-base, npu-tiny)
print(error.stderr.strip())

# Bytes that are not ONNX.
error = expect(npu.CompileError, lambda: npu.compile(b"definitely not onnx"))
# CHECK-NEXT: error: cannot parse '{{.*}}model.onnx' as an ONNX model: not a protobuf ModelProto, or truncated
print(error.stderr.strip())

# A dynamic input needs input_shapes; the importer's message says so.
dyn = os.path.join(work, "dyn.onnx")
error = expect(npu.CompileError, lambda: npu.compile(dyn))
# CHECK-NEXT: input 'x' has dynamic dimensions 0 ('batch'), 2; bind them with --input-shape x=...
print(error.stderr.strip().splitlines()[-1].strip())
# CHECK-NEXT: input_shapes['x'] must be a sequence of non-negative integers, got (2, 3, 'four')
print(expect(ValueError, lambda: npu.compile(dyn, input_shapes={"x": (2, 3, "four")})))
# CHECK-NEXT: precision must be 'fp32' or 'bf16', got 'fp16'
print(expect(ValueError, lambda: npu.compile(gemm, precision="fp16")))
# CHECK-NEXT: unexpected keyword argument 'precison'
print(str(expect(TypeError, lambda: npu.compile(gemm, precison="bf16"))).split(") ")[-1])

# An op the chip cannot compute: the diagnostic names the ONNX node.
mean = helper.make_model(helper.make_graph(
    [helper.make_node("ReduceMean", ["x"], ["y"], name="mean_int", keepdims=0)],
    "mean", [helper.make_tensor_value_info("x", TensorProto.INT32, [4, 8])],
    [helper.make_tensor_value_info("y", TensorProto.INT32, [])]),
    opset_imports=[helper.make_opsetid("", 13)])
error = expect(npu.CompileError, lambda: npu.compile(mean.SerializeToString()))
# CHECK-NEXT: error: node 'mean_int': 'nn.reduce_mean' op cannot be lowered to the chip
print(error.stderr.strip())

# NPU_TOOLS_DIR comes first: a stand-in npu-compile that fails with its own
# diagnostics, which the CompileError carries.
fake_dir = os.path.join(work, "fake-tools")
os.makedirs(fake_dir, exist_ok=True)
fake = os.path.join(fake_dir, "npu-compile")
with open(fake, "w") as f:
    f.write("#!/bin/sh\necho \"fake: error: args $*\" >&2\nexit 3\n")
os.chmod(fake, os.stat(fake).st_mode | stat.S_IXUSR)
os.environ["NPU_TOOLS_DIR"] = fake_dir
assert npu.find_tool("npu-compile") == fake
error = expect(npu.CompileError, lambda: npu.compile(gemm, target="npu-tiny"))
assert error.returncode == 3 and error.argv[0] == fake
# CHECK-NEXT: npu-compile failed (exit code 3)
# CHECK-NEXT: fake: error: args {{.*}}gemm.onnx -o - --target=npu-tiny --precision=fp32 --emit=binary
print(error)

# A tool found nowhere.
del os.environ["NPU_TOOLS_DIR"]
from npu import _build_config
_build_config.TOOLS_DIR = os.path.join(work, "no-such-dir")
os.environ["PATH"] = os.path.join(work, "no-such-dir")
# CHECK-NEXT: cannot find the 'npu-opt' tool (looked in {{.*}}no-such-dir and PATH); build it or set NPU_TOOLS_DIR
print(expect(npu.CompileError, lambda: compiler.opt("module {}")))
