# RUN: %python %s | FileCheck %s
#
# The nn shape functions against ONNX's own answers: every ONNX backend node
# test (shipped with python3-onnx) of an op the nn dialect covers is imported,
# and the result types the nn ops infer must equal the output types the ONNX
# model declares. Tests the importer cannot take (run-time shape inputs,
# unsupported attributes) are skipped; at least 200 must be checked.
#
# CHECK: mismatches: 0
# CHECK-NEXT: enough checked: True

import os
import re
import subprocess

import onnx
from onnx import TensorProto

NODE_TESTS = os.path.join(os.path.dirname(onnx.__file__), "backend", "test",
                          "data", "node")
# ONNX node-test name prefixes of the ops nn covers.
PREFIXES = (
    "abs", "add", "and", "argmax", "argmin", "averagepool", "batchnorm",
    "cast", "ceil", "clip", "concat", "constant", "conv", "div", "edge_pad",
    "equal", "erf", "exp", "expand", "flatten", "floor", "gather_", "gemm",
    "globalaveragepool", "greater", "layer_normalization", "leakyrelu",
    "less", "log", "matmul", "max", "maxpool", "min", "mul", "neg", "not",
    "or", "pow", "reciprocal", "reduce_max", "reduce_mean", "reduce_min",
    "reduce_prod", "reduce_sum_", "reflect_pad", "relu", "reshape", "sigmoid",
    "sign", "slice", "softmax", "split", "sqrt", "sub", "tanh", "transpose",
    "where", "xor")
ELEMENT_TYPES = {
    TensorProto.FLOAT: "f32", TensorProto.FLOAT16: "f16",
    TensorProto.BFLOAT16: "bf16", TensorProto.INT8: "i8",
    TensorProto.INT32: "i32", TensorProto.INT64: "i64", TensorProto.BOOL: "i1",
}


def declared_types(model):
    types = []
    for output in model.graph.output:
        tensor = output.type.tensor_type
        dims = [str(d.dim_value) for d in tensor.shape.dim]
        types.append("x".join(dims + [ELEMENT_TYPES.get(tensor.elem_type, "?")]))
    return types


checked = mismatches = 0
for name in sorted(os.listdir(NODE_TESTS)):
    if not name.startswith("test_") or not name[5:].startswith(PREFIXES):
        continue
    path = os.path.join(NODE_TESTS, name, "model.onnx")
    imported = subprocess.run(["npu-translate", "--import-onnx", path],
                              capture_output=True, text=True)
    if imported.returncode != 0:
        continue
    signature = re.search(r"func\.func @main\(.*?\) -> (.*?) \{\n",
                          imported.stdout)
    inferred = re.findall(r"tensor<([^>]*)>", signature.group(1))
    checked += 1
    if inferred != declared_types(onnx.load(path)):
        mismatches += 1
        print("mismatch:", name, inferred, declared_types(onnx.load(path)))
print("mismatches:", mismatches)
print("enough checked:", checked >= 200, f"({checked})")
