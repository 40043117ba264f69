#!/usr/bin/python3
"""Mutation fuzzer for `npu-translate --import-onnx` (not part of lit).

Builds the small models of make_onnx.py, mutates them (random bytes, or
ONNX-aware edits: op types, attribute values, dims, input names) and runs the
importer on each. Any exit other than 0 or 1 (a signal, an LLVM fatal error)
is a bug: the mutated file is kept as crash_N.onnx in the work folder.

Usage: fuzz_onnx_import.py NPU_TRANSLATE WORKDIR [--iterations N] [--seed S]
"""
import argparse
import copy
import os
import random
import subprocess

import onnx
from onnx import helper

import make_onnx

OPS = ["Conv", "ConvTranspose", "BatchNormalization", "MaxPool",
       "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Gemm", "MatMul",
       "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Relu",
       "LeakyRelu", "Clip", "Sigmoid", "Softmax", "LayerNormalization",
       "ReduceSum", "ReduceMean", "ReduceMax", "Transpose", "Reshape",
       "Flatten", "Squeeze", "Unsqueeze", "Concat", "Split", "Slice",
       "Gather", "Where", "Expand", "Pad", "Cast", "Constant", "Identity",
       "Dropout", "Shape", "Size", "ConstantOfShape", "Range", "Equal",
       "Not", "Mod", "ReduceProd", "Less", "LessOrEqual", "Greater",
       "GreaterOrEqual", "And", "Or", "Xor", "ArgMax", "ArgMin", "ReduceMin",
       "Reciprocal", "Floor", "Ceil", "Sign"]
VALUES = [-(1 << 62), -(1 << 31), -100, -3, -2, -1, 0, 1, 2, 3, 5, 64,
          1 << 31, 1 << 62]
ATTRS = ["axis", "axes", "perm", "pads", "strides", "kernel_shape", "group",
         "to", "split", "keepdims", "dilations", "starts", "ends"]


def seed_models():
    skip = ("external_", "not_protobuf", "truncated")
    models = []
    for name, build in sorted(make_onnx.CASES.items()):
        if name.startswith(skip):
            continue
        result = build()
        if isinstance(result, onnx.ModelProto) and result.graph.node:
            models.append(result)
    return models


def mutate_bytes(model, rng):
    data = bytearray(model.SerializeToString())
    for _ in range(rng.randint(1, 8)):
        if not data:
            break
        pos = rng.randrange(len(data))
        choice = rng.random()
        if choice < 0.6:
            data[pos] = rng.randrange(256)
        elif choice < 0.8:
            del data[pos:pos + rng.randint(1, 16)]
        else:
            data[pos:pos] = bytes(rng.randrange(256)
                                  for _ in range(rng.randint(1, 8)))
    return bytes(data)


def mutate_structure(model, rng):
    m = copy.deepcopy(model)
    names = ([i.name for i in m.graph.input] +
             [i.name for i in m.graph.initializer] +
             [o for n in m.graph.node for o in n.output])
    for _ in range(rng.randint(1, 4)):
        node = rng.choice(m.graph.node)
        choice = rng.random()
        if choice < 0.25:
            node.op_type = rng.choice(OPS)
        elif choice < 0.5 and node.attribute:
            attr = rng.choice(node.attribute)
            if attr.type == onnx.AttributeProto.INT:
                attr.i = rng.choice(VALUES)
            elif attr.type == onnx.AttributeProto.INTS:
                del attr.ints[:]
                attr.ints.extend(rng.choice(VALUES)
                                 for _ in range(rng.randint(0, 5)))
        elif choice < 0.7:
            value = (rng.choice(VALUES) if rng.random() < 0.5 else
                     [rng.choice(VALUES) for _ in range(rng.randint(0, 4))])
            node.attribute.append(
                helper.make_attribute(rng.choice(ATTRS), value))
        elif choice < 0.85 and node.input:
            node.input[rng.randrange(len(node.input))] = rng.choice(
                names + [""])
        elif m.graph.initializer:
            tensor = rng.choice(m.graph.initializer)
            if tensor.dims:
                tensor.dims[rng.randrange(len(tensor.dims))] = rng.choice(
                    VALUES)
    return m.SerializeToString()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("npu_translate")
    parser.add_argument("workdir")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.workdir, exist_ok=True)
    models = seed_models()
    path = os.path.join(args.workdir, "input.onnx")
    crashes = 0
    for _ in range(args.iterations):
        model = rng.choice(models)
        mutate = mutate_bytes if rng.random() < 0.5 else mutate_structure
        with open(path, "wb") as f:
            f.write(mutate(model, rng))
        try:
            result = subprocess.run(
                [args.npu_translate, "--import-onnx", path, "-o", os.devnull],
                capture_output=True, timeout=60)
            failed = result.returncode not in (0, 1)
        except subprocess.TimeoutExpired:
            failed = True
        if failed:
            crashes += 1
            os.replace(path, os.path.join(args.workdir,
                                          "crash_%d.onnx" % crashes))
    print("%d iterations, %d crashes" % (args.iterations, crashes))
    raise SystemExit(1 if crashes else 0)


if __name__ == "__main__":
    main()
