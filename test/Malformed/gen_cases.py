#!/usr/bin/env python3
"""Writes the malformed-input corpus of one group into a directory.

Usage: gen_cases.py GROUP OUT_DIR      (GROUP: onnx, mlir, binary, tensor,
                                         target)

Every case is a file (or a few) that a user could hand to npu-translate,
npu-opt or npu-run, plus the command that reads it and a regular expression
the diagnostic must match: it names the field, node, section or value at
fault. OUT_DIR/cases.json lists them for run_cases.py, which checks that each
command fails cleanly (non-zero exit, no signal, no sanitizer report) within
the time and memory limits. Nothing here is committed as a binary: the
files are built at test time from python3-onnx, numpy and the tools.

Command placeholders: {translate}, {opt}, {run} are the tools, {dir} the
case directory.
"""
import io
import json
import os
import random
import struct
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64
N = helper.make_node

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))


class Corpus:
    def __init__(self, out):
        self.out = out
        self.cases = []

    def file(self, name, data):
        path = os.path.join(self.out, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def add(self, name, argv, expect, files=None):
        """One case: `files` maps file names to contents (written now)."""
        for fname, data in (files or {}).items():
            self.file(fname, data)
        assert not any(c["name"] == name for c in self.cases), name
        self.cases.append({"name": name, "argv": argv, "expect": expect})

    def save(self):
        with open(os.path.join(self.out, "cases.json"), "w") as f:
            json.dump(self.cases, f, indent=1)


# --- ONNX ---------------------------------------------------------------------


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(inits))
    m = helper.make_model(graph,
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def relu_model(**kw):
    return model([N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [2, 3])],
                 [vi("y", F, None)], **kw)


def weight_model(tensor, node="Add"):
    return model([N(node, ["x", tensor.name], ["y"], name="use_w")],
                 [vi("x", F, [2, 2])], [vi("y", F, None)], [tensor])


def small_cnn():
    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(
        rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "conv_w")
    b = numpy_helper.from_array(np.zeros(4, np.float32), "conv_b")
    fc = numpy_helper.from_array(
        rng.standard_normal((4, 10)).astype(np.float32), "fc_w")
    return model([
        N("Conv", ["x", "conv_w", "conv_b"], ["c"], name="conv", pads=[1] * 4),
        N("Relu", ["c"], ["r"], name="relu"),
        N("GlobalAveragePool", ["r"], ["p"], name="pool"),
        N("Flatten", ["p"], ["f"], name="flatten"),
        N("MatMul", ["f", "fc_w"], ["y"], name="fc"),
    ], [vi("x", F, [1, 3, 8, 8])], [vi("y", F, None)], [w, b, fc])


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def deeply_nested_model(depth):
    """ModelProto.graph -> node -> attribute.g -> node -> ... `depth` times:
    protobuf's recursion limit must stop the parser, not the stack."""
    graph = b""
    for _ in range(depth):
        attribute = field(1, b"body") + field(6, graph)   # name, g
        node = field(5, attribute)                         # NodeProto.attribute
        graph = field(1, node)                             # GraphProto.node
    return field(7, graph)                                 # ModelProto.graph


def gen_onnx(c):
    t = "{translate} --import-onnx {dir}/%s"
    imp = lambda f: t % f  # noqa: E731
    parse_error = r"as an ONNX model: not a protobuf ModelProto, or truncated"

    c.add("empty", imp("empty.onnx"), r"the ONNX model has no graph",
          {"empty.onnx": b""})
    for seed in range(3):
        rnd = random.Random(seed)
        data = bytes(rnd.randrange(256) for _ in range(512 + 700 * seed))
        c.add("random_%d" % seed, imp("random%d.onnx" % seed), parse_error,
              {"random%d.onnx" % seed: data})
    c.add("text_file", imp("text.onnx"), parse_error,
          {"text.onnx": b"graph { node { op_type: 'Relu' } }\n"})
    c.add("elf_file", imp("elf.onnx"), parse_error,
          {"elf.onnx": open("/bin/true", "rb").read()})

    good = small_cnn().SerializeToString()
    # Cut inside the serialized weights and inside the node list: every
    # length-delimited field is then incomplete.
    cuts = sorted({len(good) * k // 12 for k in range(1, 12)})
    for i, cut in enumerate(cuts):
        c.add("truncated_%d_of_%d" % (cut, len(good)),
              imp("trunc%d.onnx" % i),
              r"(%s|node '.*'|initializer '.*'|graph (input|output) '.*')"
              % parse_error, {"trunc%d.onnx" % i: good[:cut]})

    c.add("nested_graphs_10000", imp("nested.onnx"), parse_error,
          {"nested.onnx": deeply_nested_model(10000)})

    def w(name, dims, data=None, dtype=F, raw=None):
        t = helper.make_tensor(name, dtype, [1] if not dims else [1],
                               [0] if dtype != F else [0.0])
        del t.dims[:]
        t.dims.extend(dims)
        t.ClearField("float_data")
        t.ClearField("int64_data")
        t.ClearField("int32_data")
        if raw is not None:
            t.raw_data = raw
        elif data is not None:
            if dtype == F:
                t.float_data.extend(data)
            elif dtype == I64:
                t.int64_data.extend(data)
            else:
                t.int32_data.extend(data)
        return t

    def init_case(name, tensor, expect, node="Add"):
        c.add(name, imp(name + ".onnx"), expect,
              {name + ".onnx": weight_model(tensor, node).SerializeToString()})

    init_case("raw_data_short", w("w", [2, 2], raw=b"\0" * 12),
              r"initializer 'w': raw_data has 12 bytes but dims \[2, 2\] of "
              r"FLOAT need 16")
    init_case("raw_data_long", w("w", [2, 2], raw=b"\0" * 20),
              r"initializer 'w': raw_data has 20 bytes")
    init_case("float_data_short", w("w", [2, 2], data=[1.0, 2.0]),
              r"initializer 'w': float_data has 2 values but dims \[2, 2\] "
              r"need 4")
    init_case("int64_data_long",
              w("w", [2], data=[1, 2, 3], dtype=I64),
              r"initializer 'w': int64_data has 3 values")
    init_case("int32_data_short",
              w("w", [3], data=[1], dtype=TensorProto.INT32),
              r"initializer 'w': int32_data has 1 values")
    init_case("float16_raw_odd",
              w("w", [3], raw=b"\0" * 5, dtype=TensorProto.FLOAT16),
              r"initializer 'w': raw_data has 5 bytes")
    init_case("negative_dim", w("w", [2, -3], raw=b""),
              r"initializer 'w': dimension 1 is -3; dims must be "
              r"non-negative")
    init_case("min_int64_dim", w("w", [-(1 << 63)], raw=b""),
              r"initializer 'w': dimension 0 is -9223372036854775808")
    init_case("overflowing_dims", w("w", [1 << 40, 1 << 40], raw=b""),
              r"initializer 'w': the size of dims \[1099511627776, "
              r"1099511627776\] overflows 64 bits")
    init_case("overflowing_bytes", w("w", [1 << 31, 1 << 31], raw=b""),
              r"initializer 'w': the size of dims .* overflows 64 bits")
    init_case("huge_dims_no_data", w("w", [1 << 20, 1 << 20], raw=b""),
              r"initializer 'w': raw_data has 0 bytes but dims "
              r"\[1048576, 1048576\]")
    init_case("rank_9", w("w", [1] * 9, raw=b"\0" * 4),
              r"initializer 'w': rank 9 exceeds the maximum of 8")
    init_case("rank_1000", w("w", [1] * 1000, raw=b"\0" * 4),
              r"initializer 'w': rank 1000 exceeds the maximum of 8")
    bad_type = w("w", [2], raw=b"\0" * 16)
    bad_type.data_type = 99
    init_case("unknown_dtype", bad_type, r"initializer 'w': .*dtype")
    string_t = helper.make_tensor("w", TensorProto.STRING, [1], [b"a"])
    init_case("string_tensor", string_t,
              r"initializer 'w': dtype STRING is not supported")
    dbl = helper.make_tensor("w", TensorProto.DOUBLE, [2], [1.0, 2.0])
    init_case("double_tensor", dbl,
              r"initializer 'w': dtype DOUBLE is not supported")
    seg = w("w", [2, 2], raw=b"\0" * 16)
    seg.segment.begin, seg.segment.end = 0, 2
    init_case("segmented", seg,
              r"initializer 'w': segmented tensors are not supported")

    # External data: every escape from the model's folder is refused.
    def external(location, offset=None, length=None):
        t = w("w", [2, 2], raw=None)
        t.data_location = TensorProto.EXTERNAL
        entries = [("location", location)]
        if offset is not None:
            entries.append(("offset", str(offset)))
        if length is not None:
            entries.append(("length", str(length)))
        for key, value in entries:
            e = t.external_data.add()
            e.key, e.value = key, value
        return weight_model(t)

    os.makedirs(os.path.join(c.out, "ext"), exist_ok=True)
    os.makedirs(os.path.join(c.out, "outside"), exist_ok=True)
    c.file("outside/secret.bin", b"\0" * 16)
    c.file("ext/weights.bin", b"HDR0" + np.arange(4, dtype=np.float32)
           .tobytes())
    link = os.path.join(c.out, "ext", "link.bin")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(os.path.join(c.out, "outside", "secret.bin")),
               link)
    ext_cases = [
        ("ext_parent", external("../outside/secret.bin"),
         r"initializer 'w': .*location '\.\./outside/secret\.bin'"),
        ("ext_nested_parent", external("sub/../../outside/secret.bin"),
         r"initializer 'w': .*location 'sub/\.\./\.\./outside/secret\.bin'"),
        ("ext_absolute", external("/etc/passwd"),
         r"initializer 'w': .*location '/etc/passwd'"),
        ("ext_symlink_escape", external("link.bin"),
         r"initializer 'w': .*location 'link\.bin'"),
        ("ext_missing_file", external("nothere.bin"),
         r"initializer 'w': .*nothere\.bin"),
        ("ext_no_location", external(""),
         r"initializer 'w': .*location"),
        ("ext_negative_offset", external("weights.bin", offset=-8, length=16),
         r"initializer 'w': .*offset"),
        ("ext_offset_past_end", external("weights.bin", offset=1 << 40),
         r"initializer 'w': .*offset"),
        ("ext_length_mismatch", external("weights.bin", offset=4, length=12),
         r"initializer 'w': .*length"),
        ("ext_short_file", external("weights.bin", offset=16),
         r"initializer 'w': .*weights\.bin"),
        ("ext_huge_length", external("weights.bin", offset=0,
                                     length=(1 << 64) - 1),
         r"initializer 'w': .*length"),
        ("ext_dir_as_file", external("."),
         r"initializer 'w': .*location '\.'"),
    ]
    for name, m, expect in ext_cases:
        c.add(name, imp("ext/%s.onnx" % name), expect,
              {"ext/%s.onnx" % name: m.SerializeToString()})

    # Graph structure and node attributes.
    def graph_case(name, m, expect, extra=""):
        c.add(name, imp(name + ".onnx") + extra, expect,
              {name + ".onnx": m.SerializeToString()})

    graph_case("cycle", model([
        N("Add", ["x", "b"], ["a"], name="add_a"),
        N("Relu", ["a"], ["b"], name="relu_b")],
        [vi("x", F, [2])], [vi("b", F, None)]),
        r"the graph has a cycle: node '(add_a|relu_b)'")
    graph_case("missing_node_input",
               model([N("Relu", ["nope"], ["y"], name="relu")],
                     [vi("x", F, [2])], [vi("y", F, None)]),
               r"node 'relu' \(Relu\): input 'nope' is not a graph input")
    graph_case("missing_graph_output",
               model([N("Relu", ["x"], ["y"], name="relu")],
                     [vi("x", F, [2])], [vi("z", F, None)]),
               r"graph output 'z' is not produced by the graph")
    graph_case("value_produced_twice", model([
        N("Relu", ["x"], ["y"], name="first"),
        N("Relu", ["x"], ["y"], name="second")],
        [vi("x", F, [2])], [vi("y", F, None)]),
        r"value 'y' is produced by both node 'first'")
    graph_case("unsupported_opset", relu_model(opset=99),
               r"opset.*99")
    graph_case("unsupported_op",
               model([N("NonZero", ["x"], ["y"], name="nz")],
                     [vi("x", F, [2])], [vi("y", I64, None)]),
               r"op type 'NonZero' is not supported \(used by 1 node: 'nz'\)")
    graph_case("negative_input_dim", model(
        [N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [2, -4])],
        [vi("y", F, None)]), r"graph input 'x'.*-4")
    graph_case("huge_input_dims", model(
        [N("Relu", ["x"], ["y"], name="relu")],
        [vi("x", F, [1 << 40, 1 << 40])], [vi("y", F, None)]),
        r"graph input 'x'.*overflows")
    graph_case("rank_9_input", model(
        [N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [1] * 9)],
        [vi("y", F, None)]),
        r"graph input 'x'.*rank 9 exceeds the maximum of 8")
    graph_case("unbound_symbolic_dim", model(
        [N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, ["batch", 3])],
        [vi("y", F, None)]), r"input 'x' has dynamic dimension 0 \('batch'\); bind it with "
        r"--input-shape")
    dyn = model([N("Relu", ["x"], ["y"], name="relu")],
                [vi("x", F, ["n", 3])], [vi("y", F, None)])
    graph_case("input_shape_negative", dyn, r"input-shape|x=1x-3",
               extra=" --input-shape x=1x-3")
    graph_case("input_shape_overflow", dyn, r"input-shape|99999999999999999999",
               extra=" --input-shape x=99999999999999999999x3")
    graph_case("input_shape_wrong_static", dyn,
               r"--input-shape for 'x' sets dimension 1 to 4 but the model "
               r"declares 3",
               extra=" --input-shape x=2x4")
    graph_case("input_shape_unknown_name", dyn, r"'nosuch'",
               extra=" --input-shape nosuch=2x3")

    conv_w = numpy_helper.from_array(np.zeros((1, 1, 1, 1), np.float32), "cw")

    def conv_case(name, expect, **attrs):
        graph_case(name, model(
            [N("Conv", ["x", "cw"], ["y"], name="conv", **attrs)],
            [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)], [conv_w]),
            expect)

    conv_case("conv_huge_stride", r"node 'conv' \(Conv\): .*strides",
              strides=[1 << 40, 1])
    conv_case("conv_negative_pad", r"node 'conv' \(Conv\): .*pads",
              pads=[-1, 0, 0, 0])
    conv_case("conv_pads_wrong_length", r"node 'conv' \(Conv\): .*pads",
              pads=[1, 1])
    conv_case("conv_zero_dilation", r"node 'conv' \(Conv\): .*dilations",
              dilations=[0, 1])
    conv_case("conv_bad_auto_pad", r"node 'conv' \(Conv\): attribute "
              r"auto_pad='FOO' is not supported", auto_pad="FOO")
    conv_case("conv_kernel_mismatch", r"node 'conv' \(Conv\): .*kernel_shape",
              kernel_shape=[3, 3])
    shape = numpy_helper.from_array(np.array([1 << 20, 1 << 20], np.int64),
                                    "shape")
    graph_case("constant_of_shape_huge", model(
        [N("ConstantOfShape", ["shape"], ["c"], name="cos"),
         N("Add", ["x", "c"], ["y"], name="add")],
        [vi("x", F, [1])], [vi("y", F, None)], [shape]),
        r"node 'cos' \(ConstantOfShape\): .*elements")
    lims = [numpy_helper.from_array(np.array(v, np.int64), n)
            for n, v in (("start", 0), ("limit", 1 << 40), ("delta", 1))]
    graph_case("range_huge", model(
        [N("Range", ["start", "limit", "delta"], ["r"], name="range"),
         N("Cast", ["r"], ["rf"], name="cast", to=F),
         N("Add", ["x", "rf"], ["y"], name="add")],
        [vi("x", F, [1])], [vi("y", F, None)], lims),
        r"node 'range' \(Range\): .*elements")
    zero_delta = [numpy_helper.from_array(np.array(v, np.int64), n)
                  for n, v in (("start", 0), ("limit", 10), ("delta", 0))]
    graph_case("range_zero_delta", model(
        [N("Range", ["start", "limit", "delta"], ["r"], name="range"),
         N("Cast", ["r"], ["rf"], name="cast", to=F),
         N("Add", ["x", "rf"], ["y"], name="add")],
        [vi("x", F, [1])], [vi("y", F, None)], zero_delta),
        r"node 'range' \(Range\): .*delta")
    big = numpy_helper.from_array(np.array([1 << 31, 1 << 31, 4], np.int64),
                                  "big")
    graph_case("expand_overflow", model(
        [N("Expand", ["x", "big"], ["y"], name="expand")],
        [vi("x", F, [1])], [vi("y", F, None)], [big]),
        r"node 'expand' \(Expand\): .*")
    two_minus = numpy_helper.from_array(np.array([-1, -1], np.int64), "shp")
    graph_case("reshape_two_minus_one", model(
        [N("Reshape", ["x", "shp"], ["y"], name="reshape")],
        [vi("x", F, [2, 3])], [vi("y", F, None)], [two_minus]),
        r"node 'reshape' \(Reshape\): .*-1")
    wrong_count = numpy_helper.from_array(np.array([4, 4], np.int64), "shp")
    graph_case("reshape_wrong_count", model(
        [N("Reshape", ["x", "shp"], ["y"], name="reshape")],
        [vi("x", F, [2, 3])], [vi("y", F, None)], [wrong_count]),
        r"node 'reshape' \(Reshape\): .*")
    graph_case("transpose_bad_perm", model(
        [N("Transpose", ["x"], ["y"], name="tr", perm=[0, 0])],
        [vi("x", F, [2, 3])], [vi("y", F, None)]),
        r"node 'tr' \(Transpose\): .*perm")
    graph_case("concat_axis_out_of_range", model(
        [N("Concat", ["x", "x"], ["y"], name="cat", axis=7)],
        [vi("x", F, [2, 3])], [vi("y", F, None)]),
        r"node 'cat' \(Concat\): .*axis")
    graph_case("softmax_axis_out_of_range", model(
        [N("Softmax", ["x"], ["y"], name="sm", axis=-9)],
        [vi("x", F, [2, 3])], [vi("y", F, None)]),
        r"node 'sm' \(Softmax\): .*axis")
    idx = numpy_helper.from_array(np.array([5], np.int64), "idx")
    data = numpy_helper.from_array(np.array([1, 2, 3], np.int64), "data")
    graph_case("gather_index_out_of_range", model(
        [N("Gather", ["data", "idx"], ["g"], name="gather"),
         N("Reshape", ["x", "g"], ["y"], name="reshape")],
        [vi("x", F, [2, 3])], [vi("y", F, None)], [data, idx]),
        r"node 'gather' \(Gather\): .*index")
    graph_case("kernel_shape_as_float", model(
        [N("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2.0, 2.0])],
        [vi("x", F, [1, 1, 4, 4])], [vi("y", F, None)]),
        r"node 'pool' \(MaxPool\): .*kernel_shape")
    graph_case("split_sizes_wrong_sum", model(
        [N("Split", ["x"], ["a", "b"], name="split", axis=1, split=[1, 1])],
        [vi("x", F, [2, 3])], [vi("a", F, None), vi("b", F, None)],
        opset=11), r"node 'split' \(Split\): .*split")
    # Decompositions that build a constant table on the host, sized by the
    # model's shapes, stay within the import-time limit (fuzz_onnx_import
    # found Pad's mask allocated for 2^40 elements).
    huge_pads = numpy_helper.from_array(
        np.array([0, 0, 0, 1 << 40], np.int64), "pads")
    graph_case("pad_runtime_value_huge", model(
        [N("Pad", ["x", "pads", "v"], ["y"], name="pad")],
        [vi("x", F, [1, 4]), vi("v", F, [])], [vi("y", F, None)],
        [huge_pads]),
        r"node 'pad' \(Pad\): a constant table of this decomposition would "
        r"have more than 16777216 elements, the import-time limit")
    graph_case("trilu_huge", model(
        [N("Trilu", ["x"], ["y"], name="trilu")],
        [vi("x", F, [1 << 20, 1 << 20])], [vi("y", F, None)], opset=14),
        r"node 'trilu' \(Trilu\): a constant table .* import-time limit")
    graph_case("eyelike_huge", model(
        [N("EyeLike", ["x"], ["y"], name="eye")],
        [vi("x", F, [1 << 30, 1 << 30])], [vi("y", F, None)]),
        r"node 'eye' \(EyeLike\): a constant table .* import-time limit")
    sizes = numpy_helper.from_array(np.array([1, 1 << 24], np.int64), "sizes")
    graph_case("resize_matrix_huge", model(
        [N("Resize", ["x", "", "", "sizes"], ["y"], name="resize",
           mode="linear")],
        [vi("x", F, [1, 1 << 20])], [vi("y", F, None)], [sizes]),
        r"node 'resize' \(Resize\): a constant table .* import-time limit")
    roi = numpy_helper.from_array(
        np.array([0, 0, 0, 0, 1, 1, 1, np.nan], np.float32), "roi")
    crop = numpy_helper.from_array(np.array([1, 1, 4, 4], np.int64), "sizes")
    graph_case("resize_crop_nan_roi", model(
        [N("Resize", ["x", "roi", "", "sizes"], ["y"], name="crop",
           mode="linear", coordinate_transformation_mode="tf_crop_and_resize")],
        [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)], [roi, crop]),
        r"node 'crop' \(Resize\): roi values must be finite, within \+-1e6")
    scales = numpy_helper.from_array(np.array([1, 1, 1e20, 1], np.float32),
                                     "scales")
    graph_case("resize_scale_huge", model(
        [N("Resize", ["x", "", "scales"], ["y"], name="resize", mode="linear")],
        [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)], [scales]),
        r"node 'resize' \(Resize\): output dimension 2 \(over 16777216\) "
        r"is not supported")
    reps = numpy_helper.from_array(np.array([1, 1 << 62], np.int64), "reps")
    graph_case("tile_repeats_overflow", model(
        [N("Tile", ["x", "reps"], ["y"], name="tile")],
        [vi("x", F, [2, 4])], [vi("y", F, None)], [reps]),
        r"node 'tile' \(Tile\): repeats 4611686018427387904 of dim 1 "
        r"overflow 64 bits")
    ind = numpy_helper.from_array(np.zeros((1, 1, 2, 2), np.int64), "ind")
    graph_case("maxunpool_pads_empty_output", model(
        [N("MaxUnpool", ["x", "ind"], ["y"], name="unpool",
           kernel_shape=[2, 2], strides=[1, 1], pads=[1 << 19, 0, 1 << 19, 0])],
        [vi("x", F, [1, 1, 2, 2])], [vi("y", F, None)], [ind], opset=11),
        r"node 'unpool' \(MaxUnpool\): the pads leave an empty output")
    # Larger than protobuf's 2 GiB limit: refused by size before reading.
    # The file is sparse, so it costs no disk.
    big_path = os.path.join(c.out, "huge.onnx")
    with open(big_path, "wb") as f:
        f.truncate((1 << 31) + 4096)
    c.add("file_over_2gib", imp("huge.onnx"),
          r"input file '.*huge\.onnx' is 2147487744 bytes, over the "
          r"2147483647-byte limit")


# --- MLIR ---------------------------------------------------------------------


def gen_mlir(c):
    opt = lambda f, extra="": "{opt} {dir}/%s%s -o /dev/null" % (f, extra)  # noqa
    good = ("func.func @main(%x: tensor<1x4xf32>, %w: tensor<4x8xf32>) -> "
            "tensor<1x8xf32> {\n"
            "  %y = nn.matmul %x, %w : (tensor<1x4xf32>, tensor<4x8xf32>) -> "
            "tensor<1x8xf32>\n"
            "  %r = nn.relu %y : tensor<1x8xf32>\n"
            "  return %r : tensor<1x8xf32>\n}\n")
    for i, cut in enumerate(sorted({len(good) * k // 7 for k in range(1, 7)})):
        c.add("truncated_%d" % cut, opt("trunc%d.mlir" % i),
              r"trunc%d\.mlir:\d+:\d+: error: " % i,
              {"trunc%d.mlir" % i: good[:cut]})
    deep = {
        "deep_types": "func.func private @f(%a: " + "tensor<" * 100000 +
                      "f32" + ">" * 100000 + ")\n",
        "deep_regions": "\"test.op\"() ({" * 50000 + "}) : () -> ()" * 50000,
        "deep_attributes": "func.func private @f() attributes {x = " +
                           "[" * 100000 + "]" * 100000 + "}\n",
        "deep_parens": "func.func private @f" + "(" * 300 + ")" * 300,
        "deep_affine": "#map = affine_map<(d0) -> (" + "(" * 5000 + "d0" +
                       ")" * 5000 + ")>\n",
        "deep_dense": "func.func private @f() attributes {x = dense<" +
                      "[" * 1000 + "1.0" + "]" * 1000 + "> : tensor<" +
                      "1x" * 999 + "1xf32>}\n",
    }
    for name, text in deep.items():
        c.add(name, opt(name + ".mlir", " --allow-unregistered-dialect"),
              r"%s\.mlir: error: line 1, column \d+: nesting depth exceeds "
              r"256" % name, {name + ".mlir": text})
    c.add("deep_regions_serialize",
          "{translate} --serialize-npu {dir}/deep_regions.mlir -o /dev/null",
          r"deep_regions\.mlir: error: line 1, column \d+: nesting depth "
          r"exceeds 256")

    def ir(name, text, expect, extra=""):
        c.add(name, opt(name + ".mlir", extra), expect, {name + ".mlir": text})

    ir("unterminated_string", 'func.func private @f() attributes {x = "abc\n',
       r"expected '\"' in string literal")
    ir("huge_integer", "func.func private @f() attributes {x = "
       "999999999999999999999999999999 : i64}\n", r"integer constant out of range")
    huge = "tensor<9223372036854775807x9223372036854775807xf32>"
    ir("flatten_overflowing_type",
       "func.func @main(%x: HUGE) -> tensor<1x1xf32> {\n"
       "  %y = nn.flatten %x {axis = 1 : i64} : (HUGE) -> tensor<1x1xf32>\n"
       "  return %y : tensor<1x1xf32>\n}\n".replace("HUGE", huge),
       r"'nn.flatten' op")
    ir("negative_dim_type", "func.func private @f(tensor<-3xf32>)\n",
       r"error: ")
    ir("invalid_utf8", b"func.func private @f() attributes {x = \"\xff\xfe\"}"
       b"\n@\xff\n".decode("latin-1"), r"error: ")
    ir("matmul_shape_mismatch",
       "func.func @main(%x: tensor<1x4xf32>, %w: tensor<5x8xf32>) -> "
       "tensor<1x8xf32> {\n"
       "  %y = nn.matmul %x, %w : (tensor<1x4xf32>, tensor<5x8xf32>) -> "
       "tensor<1x8xf32>\n  return %y : tensor<1x8xf32>\n}\n",
       r"'nn.matmul' op")
    ir("reshape_overflow",
       "func.func @main(%x: tensor<4611686018427387904x4xf32>) -> "
       "tensor<2xf32> {\n"
       "  %y = nn.reshape %x {shape = array<i64: 2>} : "
       "(tensor<4611686018427387904x4xf32>) -> tensor<2xf32>\n"
       "  return %y : tensor<2xf32>\n}\n", r"'nn.reshape' op")
    ir("transpose_bad_perm",
       "func.func @main(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {\n"
       "  %y = nn.transpose %x {perm = array<i64: 0, 0>} : "
       "(tensor<2x3xf32>) -> tensor<3x2xf32>\n"
       "  return %y : tensor<3x2xf32>\n}\n", r"'nn.transpose' op .*perm")
    ir("concat_bad_axis",
       "func.func @main(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {\n"
       "  %y = nn.concat %x, %x {axis = 5 : i64} : "
       "(tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>\n"
       "  return %y : tensor<4x3xf32>\n}\n", r"'nn.concat' op .*axis")
    isa = ("module attributes {npu.target = #npu.target<\"npu-tiny\">} {\n"
           "  npuisa.program @p {\n%s  }\n}\n")
    halt = "      npuisa.halt\n"

    def engine(kind, body):
        return "    npuisa.engine core 0 %s {\n%s%s    }\n" % (kind, body, halt)

    def program(dma_load="", vpu="", dma_store="", mxu="", extra=""):
        return isa % (extra + engine("dma_load", dma_load) +
                      engine("dma_store", dma_store) + engine("mxu", mxu) +
                      engine("vpu", vpu))
    load = ("      npuisa.dma_load dram[%s] -> sram[%s] extents [1, 1, 4, 32] "
            "dram_strides [0, 0, 32, 1] sram_strides [0, 0, 32, 1] f32 -> f32"
            "%s\n")
    ir("isa_dram_out_of_range", program(load % ("0x7f000000000", "0x0", "")),
       r"dram range \[0x7f000000000, 0x7f000000200\) of dma_load exceeds "
       r"dram_bytes \(268435456\)")
    ir("isa_sram_out_of_range", program(load % ("0x0", "0xfffffe00", "")),
       r"sram.*exceeds sram_bytes|sram_bytes")
    ir("isa_semaphore_out_of_range",
       program(load % ("0x0", "0x0", " signal [200]")),
       r"semaphore 200 .*out of range \(semaphores = 16\)")
    ir("isa_wait_never_signalled",
       program(load % ("0x0", "0x0", " wait [3]")), r"deadlock|semaphore 3",
       extra=" --npuisa-verify-sync")
    ir("isa_missing_halt",
       isa % "    npuisa.engine core 0 dma_load {\n    }\n",
       r"error: .*halt")
    ir("isa_core_out_of_range",
       isa % "    npuisa.engine core 7 dma_load {\n%s    }\n" % halt,
       r"error: .*core")
    ir("isa_io_overflow",
       isa % '    npuisa.io "x" input f32 [4611686018427387904, 8] at 0x0\n',
       r"'x'.*(overflow|exceeds)")
    ir("isa_io_rank_9",
       isa % '    npuisa.io "x" input f32 [1, 1, 1, 1, 1, 1, 1, 1, 1] at 0x0\n',
       r"'npuisa\.io' op has rank 9; at most 8 dimensions are supported")
    ir("target_bad_mxu",
       "module attributes {npu.target = #npu.target<\"npu-tiny\", "
       "{mxu_rows = 33}>} {}\n", r"mxu_rows must be a power of two")
    ir("target_unknown_preset",
       "module attributes {npu.target = #npu.target<\"npu-huge\">} {}\n",
       r"npu-huge")
    ir("target_unknown_key",
       "module attributes {npu.target = #npu.target<\"npu-tiny\", "
       "{warp_drive = 1}>} {}\n", r"warp_drive")
    ir("target_huge_dram",
       "module attributes {npu.target = #npu.target<\"npu-tiny\", "
       "{dram_bytes = 18446744073709551615}>} {}\n", r"dram_bytes")
    c.add("serialize_no_program",
          "{translate} --serialize-npu {dir}/target_unknown_key.mlir "
          "-o /dev/null", r"warp_drive")
    c.add("serialize_empty_module",
          "{translate} --serialize-npu {dir}/empty_module.mlir -o /dev/null",
          r"no npuisa\.program to serialize", {"empty_module.mlir": "module {}\n"})
    c.add("serialize_deadlock",
          "{translate} --serialize-npu {dir}/isa_wait_never_signalled.mlir "
          "-o /dev/null", r"deadlock|semaphore 3")


# --- chip binaries -------------------------------------------------------------


def sections(data):
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = []
    for i in range(shnum):
        base = shoff + i * shentsize
        headers.append(struct.unpack_from("<IIQQQQIIQQ", data, base) + (base,))
    strtab = headers[shstrndx][4]
    out = {}
    for h in headers:
        start = strtab + h[0]
        name = data[start:data.index(b"\0", start)].decode()
        out[name] = {"offset": h[4], "size": h[5], "header": h[10]}
    return out


def gen_binary(c):
    base_path = os.path.join(c.out, "base.npu")
    tools = os.environ.get("NPU_TOOLS_DIR", "")
    translate = os.path.join(tools, "npu-translate") if tools else \
        "npu-translate"
    subprocess.run([translate, "--serialize-npu",
                    os.path.join(SRC, "test", "Runtime", "Inputs",
                                 "relu.mlir"), "-o", base_path], check=True)
    base = open(base_path, "rb").read()
    secs = sections(base)
    dis = "{translate} --deserialize-npu {dir}/%s -o /dev/null"
    run = "{run} {dir}/%s --perf-only"
    invalid = r"invalid chip binary: .*"

    def both(name, data, expect, run_expect=None):
        c.add(name, dis % (name + ".npu"), invalid + expect,
              {name + ".npu": bytes(data)})
        c.add(name + "_run", run % (name + ".npu"),
              r"npu-run: error: .*" + (run_expect or expect))

    def patched(name, offset, fmt, value, expect):
        data = bytearray(base)
        struct.pack_into(fmt, data, offset, value)
        both(name, data, expect)

    def sec(name, off=0):
        return secs[name]["offset"] + off

    for n in (0, 1, 16, 63, 64, 100):
        both("truncated_%d" % n, base[:n], r".+")
    for k in range(1, 8):
        cut = len(base) * k // 8
        both("truncated_at_%d" % cut, base[:cut], r".+")
    both("random_bytes", bytes(random.Random(3).randrange(256)
                               for _ in range(4096)),
         r"not an ELF file \(bad magic\)")
    both("foreign_elf", open("/bin/true", "rb").read(),
         r"not an NPU binary: e_machine is 0x3e \(expected 0x4e50\)")
    patched("elf32_class", 4, "<B", 1, r"not a 64-bit ELF file \(EI_CLASS 1\)")
    patched("big_endian", 5, "<B", 2,
            r"not a little-endian ELF file \(EI_DATA 2\)")
    patched("elf_version_0", 6, "<B", 0, r"unsupported ELF version|version")
    patched("osabi_linux", 7, "<B", 3,
            r"not an NPU binary: EI_OSABI is 3 \(expected 255\)")
    patched("type_dyn", 0x10, "<H", 3,
            r"not an NPU binary: e_type is 3 \(expected ET_EXEC\)")
    patched("machine_x86", 0x12, "<H", 0x3E,
            r"not an NPU binary: e_machine is 0x3e")
    patched("format_version_2", 0x30, "<I", 2,
            r"unsupported NPU binary version 2 \(this runtime reads "
            r"version 1\)")
    patched("shoff_past_end", 0x28, "<Q", len(base) + 4096,
            r"section table goes past the end of file|section header")
    patched("shoff_huge", 0x28, "<Q", (1 << 64) - 64,
            r"section table|section header")
    patched("shnum_huge", 0x3C, "<H", 0xFFFF, r"section")
    patched("shstrndx_out_of_range", 0x3E, "<H", 200,
            r"(shstrndx|string table|section)")
    patched("shentsize_wrong", 0x3A, "<H", 32, r"(shentsize|section)")
    text = secs[".text.c0.dma_load"]
    patched("section_offset_past_end", text["header"] + 24, "<Q",
            len(base) * 2, r"section|offset")
    patched("section_size_huge", text["header"] + 32, "<Q", (1 << 63),
            r"section|size")
    patched("section_size_not_whole", text["header"] + 32, "<Q", 65,
            r"section \.text\.c0\.dma_load size 65 is not a multiple of its "
            r"record size 64")
    data = bytearray(base)
    i = base.index(b".npu.io\0")
    data[i:i + 7] = b".npu.ix"
    both("unknown_section_name", data,
         r"unknown section '\.npu\.ix'|missing section '\.npu\.io'")
    patched("opcode_unknown", sec(".text.c0.vpu"), "<B", 0xEE,
            r"section \.text\.c0\.vpu: instruction 0: unknown opcode 0xee")
    # The relu's word 6: func (byte 48), mode, dst/src0/src1/src2 dtypes.
    vpu_word6 = sec(".text.c0.vpu", 48)
    patched("vpu_func_unassigned", vpu_word6, "<B", 62,
            r"instruction 0: unknown vpu function 62 in vpu_unary")
    data = bytearray(base)
    struct.pack_into("<BBBB", data, vpu_word6, 35, 0, 0, 3)  # exp, src0 i32
    both("vpu_integer_mode_exp", data,
         r"func exp of vpu_unary has no integer form \(its sources are i32\)")
    data = bytearray(base)
    struct.pack_into("<B", data, sec(".text.c0.vpu"), 0x34)  # vpu_cast
    struct.pack_into("<BBB", data, vpu_word6, 0, 0, 3)  # func none, dst i32
    both("vpu_cast_f32_to_i32_unrounded", data,
         r"vpu_cast from f32 to i32 needs a rounding func \(trunc, floor, "
         r"ceil or round_even\), not none")
    patched("dma_dram_out_of_range", sec(".text.c0.dma_load", 8), "<Q",
            0x7F000000000,
            r"dram range \[0x7f000000000, 0x7f000000200\) of dma_load exceeds "
            r"dram_bytes \(268435456\)")
    patched("semaphore_out_of_range", sec(".text.c0.dma_load", 4), "<B", 200,
            r"semaphore 200 .*out of range \(semaphores = 16\)")
    patched("reserved_flags", sec(".text.c0.dma_load", 1), "<B", 0x80,
            r"flags 0x80 of dma_load")
    patched("io_dtype", sec(".npu.io", 5), "<B", 9,
            r"\.npu\.io entry 0: unknown dtype 9")
    patched("io_rank", sec(".npu.io", 6), "<B", 9,
            r"\.npu\.io entry 0: rank 9 exceeds 8")
    patched("io_kind", sec(".npu.io", 4), "<B", 4,
            r"\.npu\.io entry 0: unknown kind 4")
    patched("io_name_offset", sec(".npu.io"), "<I", 0x7F000001,
            r"\.npu\.io entry 0 name: string offset 2130706433 is outside "
            r"\.strtab")
    patched("io_dram_addr", sec(".npu.io", 8), "<Q", 0xFFFFFFFFFFFFFF00,
            r"io tensor 0 'x'")
    patched("io_dim_overflow", sec(".npu.io", 16), "<Q", 1 << 62,
            r"io tensor 0 'x'.*(overflow|exceeds)")
    patched("io_overlap", sec(".npu.io", 80 + 8), "<Q", 0x100,
            r"io tensor 1 'y' .* overlaps io tensor 0 'x'")
    patched("state_rank", sec(".npu.state", 6), "<B", 200,
            r"\.npu\.state entry 0: rank 200 exceeds 8")
    patched("srcidx_out_of_range", sec(".npu.srcidx"), "<I", 7,
            r"source index 7 is out of range")
    patched("srcmap_name_offset", sec(".npu.srcmap"), "<I", 0xFFFFFFF0,
            r"\.npu\.srcmap entry 0 name: string offset")
    target = base[sec(".npu.target"):sec(".npu.target") +
                  secs[".npu.target"]["size"]]
    j = target.index(b'"mxu_rows":')
    digits = target.index(b"32", j)
    patched("target_mxu_rows", sec(".npu.target", digits), "<2s", b"33",
            r"section \.npu\.target: mxu_rows must be a power of two")
    patched("target_not_json", sec(".npu.target"), "<B", ord("x"),
            r"section \.npu\.target: .*JSON")
    data = bytearray(base)
    pad = sec(".npu.target") + secs[".npu.target"]["size"]
    data[pad] = 0x55   # the zero padding before the first text section
    both("nonzero_padding", data,
         r"non-canonical NPU binary layout: differs from the canonical "
         r"encoding at byte offset %d" % pad)
    # Semaphore misuse the loader cannot see: a wait nobody signals. The
    # simulator reports the deadlock, naming engine and semaphore.
    data = bytearray(base)
    struct.pack_into("<B", data, sec(".text.c0.dma_load", 2), 5)  # wait0 = 5
    c.add("wait_never_signalled_run", run % "deadlock.npu",
          r"npu-run: error: deadlock.*semaphore",
          {"deadlock.npu": bytes(data)})
    c.add("instruction_limit", "{run} {dir}/base.npu --perf-only "
          "--max-instructions 1",
          r"npu-run: error: instruction limit of 1 reached")
    c.add("directory_as_binary", "{run} {dir} --perf-only",
          r"npu-run: error: .*")


# --- tensor files (npu-run inputs) ---------------------------------------------


def npy_bytes(header, data=b"", version=(1, 0), magic=b"\x93NUMPY"):
    h = header.encode("latin-1")
    if version[0] == 1:
        pad = 64 - (10 + len(h) + 1) % 64
        h = h + b" " * pad + b"\n"
        return magic + bytes(version) + struct.pack("<H", len(h)) + h + data
    pad = 64 - (12 + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    return magic + bytes(version) + struct.pack("<I", len(h)) + h + data


def gen_tensor(c):
    tools = os.environ.get("NPU_TOOLS_DIR", "")
    translate = os.path.join(tools, "npu-translate") if tools else \
        "npu-translate"
    subprocess.run([translate, "--serialize-npu",
                    os.path.join(SRC, "test", "Runtime", "Inputs",
                                 "relu.mlir"),
                    "-o", os.path.join(c.out, "relu.npu")], check=True)
    run = "{run} {dir}/relu.npu --perf-only --input x={dir}/%s"
    ok = np.zeros((4, 32), np.float32).tobytes()
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }"

    def npy(name, data, expect):
        c.add("npy_" + name, run % (name + ".npy"),
              r"npu-run: error: .*%s\.npy: %s" % (name, expect),
              {name + ".npy": data})

    npy("empty", b"", r".*magic")
    npy("bad_magic", b"\x93NUMPX\x01\x00" + b"\0" * 100, r".*magic")
    npy("version_9", npy_bytes(hdr % "(4, 32)", ok, version=(9, 0)),
        r".*version")
    npy("header_len_past_end", b"\x93NUMPY\x01\x00\xff\xff{'descr'",
        r".*header")
    npy("header_v2_huge", b"\x93NUMPY\x02\x00\xff\xff\xff\xff{", r".*header")
    npy("header_not_dict", npy_bytes("[1, 2, 3]", ok), r".*header")
    npy("header_no_descr",
        npy_bytes("{'fortran_order': False, 'shape': (4, 32), }", ok),
        r".*descr")
    npy("header_no_shape",
        npy_bytes("{'descr': '<f4', 'fortran_order': False, }", ok),
        r".*shape")
    npy("fortran_order",
        npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (4, 32), }",
                  ok), r".*fortran")
    npy("complex_dtype",
        npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 32), }",
                  ok + ok), r".*<c8")
    npy("big_endian",
        npy_bytes("{'descr': '>f4', 'fortran_order': False, 'shape': (4, 32), }",
                  ok), r".*>f4")
    npy("object_dtype",
        npy_bytes("{'descr': '|O', 'fortran_order': False, 'shape': (4, 32), }",
                  ok), r".*\|O")
    npy("negative_dim", npy_bytes(hdr % "(-4, 32)", ok), r".*(-4|negative)")
    npy("overflow_dims",
        npy_bytes(hdr % "(4294967296, 4294967296, 4294967296)", ok),
        r".*(overflow|large)")
    npy("huge_dims_no_data", npy_bytes(hdr % "(1048576, 1048576)", ok),
        r".*(bytes|size|data)")
    npy("rank_9", npy_bytes(hdr % "(1, 1, 1, 1, 1, 1, 1, 1, 1)", ok[:4]),
        r"malformed \.npy header: rank exceeds the maximum rank 8")
    npy("dim_not_int", npy_bytes(hdr % "(4.5, 32)", ok), r".*shape")
    npy("dim_huge_literal", npy_bytes(hdr % "(99999999999999999999999, 1)", ok),
        r".*(shape|overflow|large)")
    npy("data_truncated", npy_bytes(hdr % "(4, 32)", ok[:100]),
        r".*(bytes|size|data)")
    npy("data_extra", npy_bytes(hdr % "(4, 32)", ok + b"\0" * 8),
        r".*(bytes|size|data)")
    npy("unterminated_header", b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f4'",
        r".*header")
    npy("header_nested", npy_bytes("{'descr': " + "(" * 10000 + ")" * 10000 +
                                   ", 'fortran_order': False, 'shape': (4, 32), }",
                                   ok),
        r"malformed \.npy header: expected a quoted string")
    c.add("npy_wrong_shape", run % "wrong_shape.npy",
          r"input 'x' expects shape 4x32 but the tensor has shape 2x2",
          {"wrong_shape.npy": npy_bytes(hdr % "(2, 2)", ok[:16])})

    def pb(name, proto, expect):
        data = proto if isinstance(proto, bytes) else proto.SerializeToString()
        c.add("pb_" + name, run % (name + ".pb"),
              r"npu-run: error: .*%s" % expect, {name + ".pb": data})

    def tp(dims, dtype=F):
        t = TensorProto()
        t.name = "x"
        t.data_type = dtype
        t.dims.extend(dims)
        return t

    pb("garbage", b"\xff\xff\xff\xff", r"not a valid ONNX TensorProto")
    pb("truncated", numpy_helper.from_array(
        np.zeros((4, 32), np.float32)).SerializeToString()[:50],
        r"not a valid ONNX TensorProto")
    t = tp([1 << 20, 1 << 20])
    pb("huge_dims_no_data", t, r"float_data holds 0 values but dims "
       r"1048576x1048576 need 1099511627776")
    t = tp([1 << 40, 1 << 40])
    pb("overflowing_dims", t, r"(overflow|large)")
    t = tp([4, -32])
    pb("negative_dim", t, r"(-32|negative)")
    t = tp([1] * 9)
    t.float_data.append(0)
    pb("rank_9", t, r"rank 9")
    t = tp([4, 32])
    t.raw_data = b"\0" * 12
    pb("raw_data_wrong_size", t, r"raw_data holds 12 bytes but dims 4x32 of "
       r"f32 need 512")
    t = tp([4, 32])
    t.float_data.extend([0.0] * 5)
    pb("float_data_count", t, r"float_data holds 5 values but dims 4x32 need "
       r"128")
    t = tp([4, 32], TensorProto.INT64)
    t.int64_data.extend([0] * 3)
    pb("int64_data_count", t, r"int64_data holds 3 values")
    t = tp([4, 32], TensorProto.COMPLEX64)
    pb("unsupported_dtype", t, r"unsupported TensorProto data_type 14")
    t = tp([4, 32])
    t.data_location = TensorProto.EXTERNAL
    e = t.external_data.add()
    e.key, e.value = "location", "../../etc/passwd"
    pb("external_data", t, r"TensorProto with external data is not supported")
    t = tp([4, 32])
    t.raw_data = ok
    t.segment.begin, t.segment.end = 0, 1
    pb("segmented", t, r"segmented TensorProto is not supported")
    t = tp([4, 32], TensorProto.INT32)
    t.raw_data = ok
    pb("wrong_dtype", t, r"input 'x' expects dtype f32 but the tensor has "
       r"dtype i32")
    c.add("unknown_extension", run % "x.bin",
          r"unknown tensor file extension '\.bin'", {"x.bin": ok})


# --- target JSON (npu-opt --npu-set-target) ------------------------------------


def gen_target(c):
    c.file("m.mlir", "module {}\n")
    cmd = "{opt} {dir}/m.mlir --npu-set-target=target={dir}/%s -o /dev/null"
    base = json.load(open(os.path.join(SRC, "targets", "npu-tiny.json")))

    def tgt(name, text, expect):
        c.add(name, cmd % (name + ".json"), expect, {name + ".json": text})

    def with_(key, value):
        d = dict(base)
        d[key] = value
        return json.dumps(d)

    tgt("empty", "", r"target JSON")
    tgt("not_json", "mxu_rows = 32\n", r"target JSON")
    tgt("truncated", json.dumps(base)[:100], r"target JSON")
    tgt("array", "[1, 2, 3]", r"target JSON must be an object")
    deep = r"target JSON nests arrays/objects deeper than 16 levels"
    tgt("deep_nesting", "[" * 100000 + "]" * 100000, deep)
    tgt("deep_nesting_in_object", '{"name": ' + "[" * 100000 + "]" * 100000 +
        "}", deep)
    tgt("deep_nesting_in_string_ok_then_bad",
        '{"name": "[[[[[[[[[[[[[[[[[[[[[[[[[[", "x": ' + "{" * 5000 +
        "}" * 5000 + "}", deep)
    tgt("too_large", '{"name": "' + "n" * (1 << 20) + '"}',
        r"target JSON is 1048588 bytes; the limit is 1048576")
    tgt("unknown_key", with_("warp_drive", 1),
        r"unknown target key 'warp_drive'")
    tgt("mxu_rows_not_pow2", with_("mxu_rows", 33),
        r"mxu_rows must be a power of two")
    tgt("negative", with_("sram_bytes", -1),
        r"target key 'sram_bytes' must be a non-negative integer")
    tgt("wrong_type", with_("cores", "two"),
        r"target key 'cores' must be a non-negative integer")
    tgt("float_for_int", with_("cores", 1.5),
        r"target key 'cores' must be a non-negative integer")
    tgt("zero_cores", with_("cores", 0), r"cores")
    tgt("too_many_cores", with_("cores", 100000), r"cores")
    tgt("huge_dram", with_("dram_bytes", (1 << 64) - 1), r"dram_bytes")
    tgt("huge_sram", with_("sram_bytes", 1 << 62), r"sram_bytes")
    tgt("zero_semaphores", with_("semaphores", 0), r"semaphores")
    tgt("too_many_semaphores", with_("semaphores", 100000), r"semaphores")
    tgt("nan_clock", json.dumps(base).replace('"clock_ghz": 1',
                                              '"clock_ghz": NaN'),
        r"target JSON")
    tgt("negative_clock", with_("clock_ghz", -1.0), r"clock_ghz")
    tgt("huge_number", json.dumps(base).replace('"clock_ghz": 1',
                                                '"clock_ghz": 1e999'),
        r"(target JSON|clock_ghz)")
    tgt("name_not_string", with_("name", 7),
        r"target key 'name' must be a string")
    tgt("preset_unknown", with_("preset", "npu-huge"), r"npu-huge")
    tgt("preset_not_string", with_("preset", 3),
        r"target JSON key 'preset' must be a string")
    tgt("invalid_utf8", b'{"name": "\xff\xfe"}', r"target JSON")
    tgt("zero_alignment", with_("sram_alignment", 0), r"sram_alignment")
    c.add("missing_file", cmd % "nothere.json",
          r"cannot read target file '.*nothere\.json'")


GROUPS = {"onnx": gen_onnx, "mlir": gen_mlir, "binary": gen_binary,
          "tensor": gen_tensor, "target": gen_target}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in GROUPS:
        sys.exit("usage: gen_cases.py {%s} OUT_DIR" % ",".join(GROUPS))
    group, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    corpus = Corpus(out)
    GROUPS[group](corpus)
    corpus.save()
    print("%s: %d cases written" % (group, len(corpus.cases)))


if __name__ == "__main__":
    main()
