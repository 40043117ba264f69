# npu.load + Binary.run on the MLP of make_torch_models.py (Linear
# 256-512-512-10 with ReLUs, torch.manual_seed(0)) compiled for npu-tiny at
# fp32 and bf16: outputs against PyTorch CPU, the I/O tables, the stats dict,
# perf-only runs, loading from bytes, and npu.compile producing the same
# bytes as the npu-compile command line.
# RUN: rm -rf %t && mkdir -p %t
# RUN: %python %test_helpers/make_torch_models.py mlp %t/mlp.onnx
# RUN: npu-compile %t/mlp.onnx -o %t/mlp.npu --target npu-tiny
# RUN: %python %s %t | FileCheck %s
import os
import sys

import numpy as np
import torch

import npu
from make_torch_models import build

work = sys.argv[1]
torch.manual_seed(0)
module, _, _ = build("mlp")
module.eval()
x = np.random.default_rng(1).standard_normal((8, 256)).astype(np.float32)
with torch.no_grad():
    expected = module(torch.from_numpy(x)).numpy()

binary = npu.load(os.path.join(work, "mlp.npu"))
# CHECK: target npu-tiny
print("target", binary.target["name"])
# CHECK-NEXT: input x f32 (8, 256) float32
# CHECK-NEXT: output y f32 (8, 10) float32
# CHECK-NEXT: state 0
for info in binary.inputs + binary.outputs:
    print(info.role, info.name, info.dtype, info.shape, info.numpy_dtype)
print("state", len(binary.state))

outputs, stats = binary.run({"x": x})
y = outputs["y"]
assert y.dtype == np.float32 and y.shape == (8, 10), (y.dtype, y.shape)
err = np.max(np.abs(y - expected))
assert np.allclose(y, expected, rtol=1e-3, atol=1e-4), err
# CHECK-NEXT: fp32 matches torch
print("fp32 matches torch")

# The stats are npu-run's stats JSON.
for key in ("total_cycles", "lower_bound_cycles", "engines", "ops",
            "mxu_utilization", "schema_version"):
    assert key in stats, (key, sorted(stats))
assert stats["total_cycles"] > 0
assert stats["total_cycles"] >= stats["lower_bound_cycles"] > 0
assert set(stats["engines"]) == {"c0.dma_load", "c0.dma_store", "c0.mxu", "c0.vpu"}
assert all(e["busy_cycles"] <= stats["total_cycles"] for e in stats["engines"].values())
assert 0 < stats["mxu_utilization"] <= 1, stats["mxu_utilization"]
op_macs = sum(op["executed_macs"] for op in stats["ops"])
assert op_macs == 8 * (256 * 512 + 512 * 512 + 512 * 10), op_macs
# CHECK-NEXT: stats ok
print("stats ok")

# A second run with other data: the simulator is reused.
x2 = -x
with torch.no_grad():
    expected2 = module(torch.from_numpy(x2)).numpy()
y2 = binary(x=x2)["y"]
assert np.allclose(y2, expected2, rtol=1e-3, atol=1e-4)
# CHECK-NEXT: second run ok
print("second run ok")

# stats=False: the same outputs, no stats.
quick = binary.run({"x": x}, stats=False)
assert quick.stats is None
assert np.array_equal(quick.outputs["y"], y)
# CHECK-NEXT: no stats ok
print("no stats ok")

# Perf-only: no inputs needed, no outputs, the same timing.
perf = binary.run(perf_only=True)
assert perf.outputs == {}
assert perf.stats["total_cycles"] == stats["total_cycles"], (
    perf.stats["total_cycles"], stats["total_cycles"])
# CHECK-NEXT: perf-only ok
print("perf-only ok")

# From bytes, and through the Python compile driver (same bytes).
with open(os.path.join(work, "mlp.npu"), "rb") as f:
    data = f.read()
assert np.array_equal(npu.load(data).run({"x": x}).outputs["y"], y)
compiled = npu.compile(os.path.join(work, "mlp.onnx"), target="npu-tiny")
assert compiled == data, "npu.compile differs from npu-compile"
with open(os.path.join(work, "mlp.onnx"), "rb") as f:
    assert npu.compile(f.read(), target="npu-tiny") == data
# CHECK-NEXT: bytes ok
print("bytes ok")

# bf16: inputs and outputs stay float32 at the I/O; looser tolerance.
path = npu.compile(os.path.join(work, "mlp.onnx"), target="npu-tiny",
                   precision="bf16", output_file=os.path.join(work, "bf16.npu"))
yb = npu.load(path).run({"x": x}).outputs["y"]
assert yb.dtype == np.float32
rel = np.linalg.norm(yb - expected) / np.linalg.norm(expected)
assert rel < 2e-2, rel
# CHECK-NEXT: bf16 matches torch
print("bf16 matches torch")

# The options dataclass and its argv.
options = npu.CompileOptions(target="npu-tiny", precision="bf16",
                             input_shapes={"x": (8, 256)}, double_buffer=False)
# CHECK-NEXT: ['--target=npu-tiny', '--precision=bf16', '--input-shape=x=8x256', '--no-double-buffer', '--emit=binary']
print(options.to_argv())
ir = npu.compile(os.path.join(work, "mlp.onnx"), target="npu-tiny", emit="nn")
assert "func.func @main" in ir and "nn." in ir
# CHECK-NEXT: emit nn ok
print("emit nn ok")
