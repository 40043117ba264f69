#!/usr/bin/env python3
"""Builds small ONNX models for the importer tests with Debian's python3-onnx.

Usage: make_onnx.py CASE OUTPUT.onnx

Each case is a function below returning a ModelProto (or raw bytes for the
malformed-file cases). Models are built by hand with onnx.helper so every
test controls the exact ops, attributes, opset and tensor encodings.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
I64 = TensorProto.INT64


def vi(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def rand(name, shape, seed=0):
    rng = np.random.default_rng(seed)
    return numpy_helper.from_array(
        rng.standard_normal(shape).astype(np.float32), name)


def model(nodes, inputs, outputs, inits=(), opset=13, name="g", domains=()):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    imports = [helper.make_opsetid("", opset)]
    imports += [helper.make_opsetid(d, 1) for d in domains]
    m = helper.make_model(graph, opset_imports=imports)
    m.ir_version = 8
    return m


N = helper.make_node

# --- op families ------------------------------------------------------------


def conv():
    return model([
        N("Conv", ["x", "w", "b"], ["c1"], name="conv_pads",
          pads=[1, 2, 1, 2], strides=[2, 1]),
        N("Conv", ["c1", "w2"], ["c2"], name="conv_same_upper",
          auto_pad="SAME_UPPER", strides=[2, 2]),
        N("Conv", ["c2", "w2"], ["c3"], name="conv_same_lower",
          auto_pad="SAME_LOWER", kernel_shape=[3, 3], strides=[2, 2]),
        N("Conv", ["c3", "wd"], ["c4"], name="conv_depthwise_dilated",
          group=4, dilations=[1, 2], auto_pad="VALID"),
        N("ConvTranspose", ["c4", "wt"], ["y"], name="deconv",
          strides=[2, 2], output_shape=[4, 10]),
    ], [vi("x", F, [1, 3, 32, 32])], [vi("y", F, [1, 2, 4, 10])],
        [rand("w", [4, 3, 3, 3]), rand("b", [4]), rand("w2", [4, 4, 3, 3]),
         rand("wd", [4, 1, 3, 3]), rand("wt", [4, 2, 3, 3])], opset=11)


def pool():
    return model([
        N("MaxPool", ["x"], ["p1"], name="maxpool_ceil", kernel_shape=[3, 3],
          strides=[2, 2], ceil_mode=1),
        N("AveragePool", ["p1"], ["p2"], name="avgpool_pad",
          kernel_shape=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1),
        N("GlobalAveragePool", ["p2"], ["y1"], name="gap"),
        N("GlobalMaxPool", ["p2"], ["y2"], name="gmp"),
    ], [vi("x", F, [1, 2, 9, 9])], [vi("y1", F, None), vi("y2", F, None)],
        opset=12)


def gemm():
    return model([
        N("Gemm", ["x", "w", "b"], ["g1"], name="gemm_bias", transB=1,
          alpha=0.5, beta=2.0),
        N("Gemm", ["g1", "w2"], ["g2"], name="gemm_no_c"),
        N("MatMul", ["g2", "m"], ["y"], name="matmul"),
    ], [vi("x", F, [2, 8])], [vi("y", F, None)],
        [rand("w", [6, 8]), rand("b", [6]), rand("w2", [6, 5]),
         rand("m", [5, 3])], opset=11)


def elementwise():
    nodes = [
        N("Add", ["x", "x"], ["a"], name="add"),
        N("Sub", ["a", "x"], ["s"], name="sub"),
        N("Mul", ["s", "half"], ["m"], name="mul_scalar"),
        N("Div", ["m", "x"], ["d"], name="div"),
        N("Pow", ["d", "two_i64"], ["p"], name="pow_int_exponent"),
        N("Max", ["p", "x", "a"], ["mx"], name="max3"),
        N("Min", ["mx", "x"], ["mn"], name="min2"),
        N("Sum", ["mn", "x", "x"], ["sm"], name="sum3"),
        N("Relu", ["sm"], ["u1"], name="relu"),
        N("LeakyRelu", ["u1"], ["u2"], name="leaky", alpha=0.2),
        N("Sigmoid", ["u2"], ["u3"], name="sigmoid"),
        N("Tanh", ["u3"], ["u4"], name="tanh"),
        N("Erf", ["u4"], ["u5"], name="erf"),
        N("Exp", ["u5"], ["u6"], name="exp"),
        N("Log", ["u6"], ["u7"], name="log"),
        N("Sqrt", ["u7"], ["u8"], name="sqrt"),
        N("Neg", ["u8"], ["u9"], name="neg"),
        N("Abs", ["u9"], ["u10"], name="abs"),
        N("Reciprocal", ["u10"], ["u11"], name="reciprocal"),
        N("Clip", ["u11", "lo", ""], ["u12"], name="clip_min_only"),
        N("Floor", ["u12"], ["u13"], name="floor"),
        N("Ceil", ["u13"], ["u14"], name="ceil"),
        N("Sign", ["u14"], ["y"], name="sign"),
    ]
    return model(nodes, [vi("x", F, [2, 3])], [vi("y", F, None)],
                 [const("half", np.float32(0.5)),
                  const("two_i64", np.int64(2)),
                  const("lo", np.float32(-1.0))], opset=13)


def compare_logic(opset=13):
    # Comparisons broadcast and give bool; logic ops combine them. Equal also
    # compares bools. `shape_eq` compares two known tensors and is folded.
    B = TensorProto.BOOL
    nodes = [
        N("Equal", ["x", "row"], ["eq"], name="equal"),
        N("Less", ["x", "row"], ["lt"], name="less"),
        N("Greater", ["x", "row"], ["gt"], name="greater"),
        N("And", ["eq", "lt"], ["and"], name="and"),
        N("Or", ["and", "gt"], ["or"], name="or"),
        N("Xor", ["or", "eq"], ["xor"], name="xor"),
        N("Not", ["xor"], ["not"], name="not"),
        N("Equal", ["not", "flag"], ["beq"], name="equal_bool"),
        N("Equal", ["dims", "dims2"], ["shape_eq"], name="shape_eq"),
        N("Where", ["shape_eq", "dims", "dims_alt"], ["w"], name="where_known"),
        N("Reshape", ["beq", "w"], ["y"], name="reshape"),
    ]
    if opset >= 12:
        nodes += [
            N("LessOrEqual", ["i", "j"], ["le"], name="less_or_equal"),
            N("GreaterOrEqual", ["i", "j"], ["ge"], name="greater_or_equal"),
        ]
    inputs = [vi("x", F, [2, 3]), vi("flag", B, [1])]
    outputs = [vi("y", B, None)]
    if opset >= 12:
        inputs += [vi("i", I64, [4]), vi("j", I64, [])]
        outputs += [vi("le", B, None), vi("ge", B, None)]
    return model(nodes, inputs, outputs,
                 [const("row", np.float32([0, 1, 2])),
                  const("dims", np.array([3, 2], np.int64)),
                  const("dims2", np.array([3, 1], np.int64)),
                  const("dims_alt", np.array([1, 2], np.int64))], opset=opset)


def compare_logic_opset7():
    return compare_logic(opset=7)


def clip_opset7():
    return model([N("Clip", ["x"], ["y"], name="clip6", min=0.0, max=6.0)],
                 [vi("x", F, [4])], [vi("y", F, None)], opset=7)


def softmax():
    return model([
        N("Softmax", ["x"], ["s1"], name="softmax_coerced", axis=1),
        N("LogSoftmax", ["s1"], ["y"], name="logsoftmax_last", axis=-1),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, None)], opset=11)


def softmax13():
    return model([N("Softmax", ["x"], ["y"], name="softmax13", axis=1)],
                 [vi("x", F, [2, 3, 4])], [vi("y", F, None)], opset=13)


def norm():
    return model([
        N("BatchNormalization", ["x", "s", "b", "m", "v"], ["bn"],
          name="bn", epsilon=1e-3),
        N("LayerNormalization", ["bn", "ls", "lb"], ["y"], name="ln",
          axis=-2, epsilon=1e-6),
    ], [vi("x", F, [1, 3, 4, 5])], [vi("y", F, None)],
        [rand("s", [3]), rand("b", [3]), rand("m", [3]),
         const("v", np.ones(3, np.float32)), rand("ls", [4, 5]),
         rand("lb", [4, 5])], opset=17)


def reduce():
    return model([
        N("ReduceSum", ["x", "axes"], ["r1"], name="sum_axes_input"),
        N("ReduceMean", ["r1"], ["r2"], name="mean_attr", axes=[-1]),
        N("ReduceMax", ["r2"], ["y"], name="max_nokeep", axes=[0],
          keepdims=0),
        N("ReduceSum", ["x"], ["y2"], name="sum_all", keepdims=0),
        N("ReduceMin", ["x"], ["y3"], name="min_attr", axes=[2, 0]),
        N("ReduceProd", ["x"], ["y4"], name="prod_all", keepdims=0),
    ], [vi("x", F, [2, 3, 4])], [vi("y", F, None), vi("y2", F, None),
                                 vi("y3", F, None), vi("y4", F, None)],
        [const("axes", np.array([1], np.int64))], opset=13)


def int_mean():
    # A mean of integers: the chip has no kernel for it.
    return model([N("ReduceMean", ["x"], ["y"], name="mean_int", keepdims=0)],
                 [vi("x", TensorProto.INT32, [4, 8])],
                 [vi("y", TensorProto.INT32, None)], opset=13)


def arg_reduce(opset=13):
    # Negative axis normalized, keepdims default/0; select_last_index from
    # opset 12.
    last = {"select_last_index": 1} if opset >= 12 else {}
    return model([
        N("ArgMax", ["x"], ["a"], name="argmax", axis=-1),
        N("ArgMin", ["x"], ["b"], name="argmin", axis=1, keepdims=0, **last),
    ], [vi("x", F, [2, 3, 4])], [vi("a", I64, None), vi("b", I64, None)],
        opset=opset)


def arg_reduce_opset11():
    return arg_reduce(opset=11)


def shape_ops():
    return model([
        N("Transpose", ["x"], ["t"], name="transpose_default"),
        N("Reshape", ["t", "shape"], ["r"], name="reshape_zero_minus1"),
        N("Flatten", ["r"], ["f"], name="flatten", axis=-1),
        N("Unsqueeze", ["f", "uaxes"], ["u"], name="unsqueeze13"),
        N("Squeeze", ["u", "uaxes"], ["q"], name="squeeze13"),
        N("Concat", ["q", "q"], ["c"], name="concat", axis=-1),
        N("Split", ["c", "sizes"], ["s1", "s2"], name="split13", axis=1),
        N("Slice", ["s1", "starts", "ends", "saxes", "steps"], ["sl"],
          name="slice_neg"),
        N("Gather", ["sl", "idx"], ["g"], name="gather", axis=1),
        N("Expand", ["g", "eshape"], ["e"], name="expand"),
        N("Pad", ["e", "pads", "pval"], ["p"], name="pad", mode="constant"),
        N("Cast", ["p"], ["cf"], name="cast_f16", to=TensorProto.FLOAT16),
        N("Cast", ["cf"], ["y"], name="cast_back", to=F),
        N("Where", ["cond", "s2", "s2"], ["w"], name="where"),
    ], [vi("x", F, [4, 3, 2]), vi("cond", TensorProto.BOOL, [1, 16])],
        [vi("y", F, None), vi("w", F, None)],
        [const("shape", np.array([0, -1], np.int64)),
         const("uaxes", np.array([0], np.int64)),
         const("sizes", np.array([8, 16], np.int64)),
         const("starts", np.array([-1], np.int64)),
         const("ends", np.array([-100], np.int64)),
         const("saxes", np.array([1], np.int64)),
         const("steps", np.array([-2], np.int64)),
         const("idx", np.array([1, 0], np.int64)),
         const("eshape", np.array([3, 1, 1], np.int64)),
         const("pads", np.array([0, 1, 0, 0, 2, 0], np.int64)),
         const("pval", np.float32(1.5))], opset=13)


def shape_ops_opset9():
    return model([
        N("Unsqueeze", ["x"], ["u"], name="unsqueeze_attr", axes=[0, 3]),
        N("Squeeze", ["u"], ["q"], name="squeeze_attr", axes=[0]),
        N("Slice", ["q"], ["s"], name="slice_attr", starts=[1], ends=[3],
          axes=[1]),
        N("Split", ["s"], ["a", "b"], name="split_attr", axis=1, split=[1, 1]),
        N("Pad", ["a"], ["y"], name="pad_attr", pads=[1, 0, 0, 1, 0, 0],
          mode="reflect"),
    ], [vi("x", F, [4, 3])], [vi("y", F, None), vi("b", F, None)], opset=9)


def opset_forms():
    # Input/attribute forms that changed between opsets 7 and 17.
    return model([
        N("Dropout", ["x", "ratio"], ["d"], name="dropout12_ratio"),
        N("Slice", ["d", "starts", "ends"], ["s"], name="slice10_no_axes"),
        N("ReduceSum", ["s", "empty"], ["r"], name="reducesum_noop",
          noop_with_empty_axes=1),
        N("Squeeze", ["r"], ["q"], name="squeeze_all_ones"),
        N("Split", ["q"], ["a", "b"], name="split_even"),
        N("Sum", ["a"], ["sa"], name="sum_single"),
        N("Cast", ["sa"], ["c"], name="cast_same", to=F),
        N("Constant", [], ["fl"], name="const_floats", value_floats=[1.0, 2.0]),
        N("Mul", ["c", "fl"], ["y"], name="mul_floats"),
    ], [vi("x", F, [1, 4, 2])], [vi("y", F, None), vi("b", F, None)],
        [const("ratio", np.float32(0.1)),
         const("starts", np.array([0, 0], np.int64)),
         const("ends", np.array([1, 4], np.int64)),
         const("empty", np.zeros([0], np.int64))], opset=13)


def constant_wrong_type():
    # value_floats holding INTS, as onnx.helper makes from Python ints.
    return model([N("Constant", [], ["y"], name="const_ints_as_floats",
                    value_floats=[1, 2])], [], [vi("y", F, None)])


def folding():
    # What PyTorch emits for x.view(x.size(0), -1) and friends, plus the ops
    # that vanish.
    return model([
        N("Identity", ["x"], ["xi"], name="identity"),
        N("Dropout", ["xi"], ["xd"], name="dropout"),
        N("Shape", ["xd"], ["shp"], name="shape"),
        N("Constant", [], ["zero"], name="const0",
          value=helper.make_tensor("v", I64, [], [0])),
        N("Gather", ["shp", "zero"], ["n"], name="gather_n", axis=0),
        N("Unsqueeze", ["n", "axes0"], ["n1"], name="unsq"),
        N("Constant", [], ["minus1"], name="constm1", value_ints=[-1]),
        N("Concat", ["n1", "minus1"], ["newshape"], name="cat", axis=0),
        N("Reshape", ["xd", "newshape"], ["flat"], name="view"),
        N("Shape", ["flat"], ["fs"], name="shape2"),
        N("ConstantOfShape", ["fs"], ["ones"], name="cos",
          value=helper.make_tensor("v", F, [1], [1.0])),
        N("Add", ["flat", "ones"], ["added"], name="add_ones"),
        N("Range", ["r0", "r5", "r1"], ["rng"], name="range"),
        N("Cast", ["rng"], ["rngf"], name="cast", to=F),
        N("Mul", ["added", "rngf"], ["y"], name="mul_range"),
    ], [vi("x", F, [2, 5, 1])], [vi("y", F, None)],
        [const("axes0", np.array([0], np.int64)), const("r0", np.int64(0)),
         const("r5", np.int64(5)), const("r1", np.int64(1))], opset=13)


def dropout_training():
    # Dropouts for a training import: a ratio input, training_mode and a
    # seed attribute (opset 13); a default ratio without a seed.
    return model([
        N("Dropout", ["x", "ratio", "train"], ["d"], name="drop_a", seed=42),
        N("Relu", ["d"], ["r"], name="relu"),
        N("Dropout", ["r"], ["y"], name="drop_b"),
    ], [vi("x", F, [2, 8])], [vi("y", F, None)],
        [const("ratio", np.float32(0.25)), const("train", np.array(True))])


def batchnorm_training():
    # training_mode=1 (opset 15): Y and the updated running statistics.
    return model([N("BatchNormalization", ["x", "s", "b", "m", "v"],
                    ["y", "rm", "rv"], name="bn", training_mode=1,
                    momentum=0.99, epsilon=1e-3)],
                 [vi("x", F, [2, 3, 4, 4])],
                 [vi("y", F, None), vi("rm", F, None), vi("rv", F, None)],
                 [const("s", np.ones(3, np.float32)),
                  const("b", np.zeros(3, np.float32)),
                  const("m", np.zeros(3, np.float32)),
                  const("v", np.ones(3, np.float32))], opset=15)


def inference_form():
    # An inference model's BatchNormalization (training_mode 0, with the
    # momentum a training import uses) and Dropout (no training_mode).
    return model([
        N("BatchNormalization", ["x", "s", "b", "m", "v"], ["n"], name="bn",
          momentum=0.99, epsilon=1e-3),
        N("Dropout", ["n", "ratio"], ["y"], name="drop"),
    ], [vi("x", F, [2, 3, 4, 4])], [vi("y", F, None)],
        [const("s", np.ones(3, np.float32)), const("b", np.zeros(3, np.float32)),
         const("m", np.zeros(3, np.float32)), const("v", np.ones(3, np.float32)),
         const("ratio", np.float32(0.2))], opset=15)


def dropout_training_opset10():
    # The ratio attribute of opset < 12.
    return model([N("Dropout", ["x"], ["y"], name="drop", ratio=0.1)],
                 [vi("x", F, [3, 4])], [vi("y", F, None)], opset=10)


def dropout_training_bad():
    # A seed that cannot key nn.dropout; a ratio computed at run time.
    return model([
        N("Dropout", ["x"], ["y1"], name="drop_seed", seed=-3),
        N("Dropout", ["x", "r"], ["y2"], name="drop_ratio"),
    ], [vi("x", F, [3, 4]), vi("r", F, [])],
        [vi("y1", F, None), vi("y2", F, None)])


def constants():
    w = rand("big_weight", [4, 8])
    w16 = numpy_helper.from_array(
        np.arange(20, dtype=np.float16).reshape(4, 5), "w_f16")
    typed = helper.make_tensor("typed/w", F, [2, 2], [1.0, 2.0, 3.0, 4.0])
    i8 = helper.make_tensor("q_i8", TensorProto.INT8, [3], [-1, 2, 127])
    return model([
        N("MatMul", ["x", "big_weight"], ["y1"], name="mm"),
        N("Add", ["x2", "typed/w"], ["y2"], name="add_typed"),
        N("Add", ["h", "w_f16"], ["y3"], name="add_f16"),
        N("Add", ["q", "q_i8"], ["y4"], name="add_i8"),
    ], [vi("x", F, [2, 4]), vi("x2", F, [2, 2]),
        vi("h", TensorProto.FLOAT16, [4, 5]), vi("q", TensorProto.INT8, [3])],
        [vi("y1", F, None), vi("y2", F, None), vi("y3", TensorProto.FLOAT16, None),
         vi("y4", TensorProto.INT8, None)], [w, typed, w16, i8], opset=13)


def dynamic_input():
    return model([N("Relu", ["x"], ["y"], name="relu")],
                 [vi("x", F, ["batch", 3, None]), vi("z", F, [2])],
                 [vi("y", F, None), vi("z", F, None)], opset=13)


# --- unsupported features -------------------------------------------------


def unsupported():
    n = [
        N("NonZero", ["x"], ["nz"], name="nz1"),
        N("NonZero", ["x"], ["nz2"], name="nz2"),
        N("Conv", ["x4", "w"], ["c"], name="conv_bad_pad", auto_pad="FOO"),
        N("Cast", ["x"], ["xd"], name="cast_double", to=TensorProto.DOUBLE),
        N("FusedGemm", ["x", "x"], ["fg"], name="ms_fused",
          domain="com.microsoft"),
        N("MaxPool", ["x4"], ["mp", "mpi"], name="pool_indices",
          kernel_shape=[2, 2], storage_order=2),
        N("Pad", ["x4", "pads"], ["pd"], name="pad_wrap", mode="wrap"),
        N("Relu", ["x"], ["y"], name="ok_relu"),
        N("Reshape", ["x", "s_rt"], ["rs"], name="reshape_runtime_shape"),
    ]
    return model(n, [vi("x", F, [2, 2]), vi("x4", F, [1, 1, 4, 4]),
                     vi("s_rt", I64, [2])],
                 [vi("y", F, None), vi("nz", I64, None), vi("nz2", I64, None),
                  vi("c", F, None), vi("xd", TensorProto.DOUBLE, None),
                  vi("fg", F, None), vi("mp", F, None), vi("mpi", I64, None),
                  vi("pd", F, None), vi("rs", F, None)],
                 [rand("w", [1, 1, 3, 3]),
                  numpy_helper.from_array(np.zeros(2, np.float64), "dbl"),
                  const("pads", np.zeros(8, np.int64))],
                 opset=13, domains=["com.microsoft"])


def unsupported_op_only():
    # The only problem is an op type, and it feeds a graph output.
    return model([N("Relu", ["x"], ["r"], name="relu"),
                  N("NonZero", ["r"], ["y"], name="nz")],
                 [vi("x", F, [2])], [vi("y", I64, None)])


def escaped_names():
    # Names are untrusted bytes: diagnostics escape them.
    return model([N("Re\u00e9lu", ["x"], ["y"], name="n\x01ode")],
                 [vi("x", F, [2])], [vi("y", F, None)])


def opset18():
    return model([N("Relu", ["x"], ["y"])], [vi("x", F, [2])],
                 [vi("y", F, None)], opset=18)


def runtime_problems():
    # Problems only visible with shapes: a run-time Reshape target, shapes
    # that do not broadcast, a fold-only op on run-time data, and a Gather
    # index out of range during folding. The first node's consumer is skipped.
    return model([
        N("Reshape", ["x", "x_i64"], ["r"], name="reshape_dynamic"),
        N("Relu", ["r"], ["r2"], name="after_failure"),
        N("Add", ["x", "v3"], ["a"], name="add_mismatch"),
        N("Range", ["zero", "n", "one"], ["fl"], name="range_runtime"),
        N("Gather", ["shp", "idx9"], ["g"], name="gather_oob"),
    ], [vi("x", F, [2, 4]), vi("x_i64", I64, [2]), vi("n", I64, [])],
        [vi("r2", F, None), vi("a", F, None), vi("fl", I64, None),
         vi("g", I64, None)],
        [const("v3", np.zeros(3, np.float32)),
         const("shp", np.array([2, 4], np.int64)),
         const("idx9", np.int64(9)), const("zero", np.int64(0)),
         const("one", np.int64(1))], opset=13)


def huge_constant_of_shape():
    return model([N("ConstantOfShape", ["shape"], ["y"], name="huge")],
                 [], [vi("y", F, None)],
                 [const("shape", np.array([1 << 20, 1 << 20], np.int64))],
                 opset=13)


def bad_nodes():
    # One node per import-time check; each reads only graph inputs or
    # constants, so all of them are reported together.
    n = [
        N("Conv", ["x2", "w33"], ["e1"], name="conv_rank2_input"),
        N("Conv", ["x4", "w1d"], ["e2"], name="conv_rank1_weight"),
        N("Conv", ["x4", "w33"], ["e3"], name="conv_strides_len", strides=[1]),
        N("MaxPool", ["x4"], ["e4"], name="maxpool_no_kernel"),
        N("Conv", ["x4", "w33"], ["e5"], name="conv_kernel_len",
          kernel_shape=[3]),
        N("Conv", ["x4", "w33"], ["e6"], name="conv_zero_stride",
          strides=[0, 1]),
        N("Conv", ["x4", "w33"], ["e7"], name="conv_negative_pad",
          pads=[-1, 0, 0, 0]),
        N("ConvTranspose", ["x4", "w33"], ["e8"], name="deconv_shape_len",
          output_shape=[5]),
        N("ConvTranspose", ["x4", "w33"], ["e9"], name="deconv_shape_big",
          output_shape=[100, 100]),
        N("GlobalMaxPool", ["x2"], ["e10"], name="gmp_rank2"),
        N("Reciprocal", ["i2"], ["e11"], name="reciprocal_int"),
        N("Softmax", ["x2"], ["e12"], name="softmax_axis", axis=5),
        N("ReduceMean", ["x2"], ["e13"], name="reduce_axis", axes=[7]),
        N("Reshape", ["x2", "shape3"], ["e14"], name="reshape_count"),
        N("Flatten", ["x2"], ["e15"], name="flatten_axis", axis=9),
        N("Split", ["x23"], ["e16a", "e16b"], name="split_uneven", axis=1),
        N("Split", ["x23", "sizes3"], ["e17a", "e17b"], name="split_count",
          axis=1),
        N("Slice", ["x2", "zero1", "one1", "zero1", "zero1"], ["e18"],
          name="slice_step0"),
        N("Pad", ["x2", "pads2"], ["e19"], name="pad_len"),
        N("Concat", ["x2", "x2"], ["e20"], name="concat_axis", axis=3),
        N("Clip", ["x2", "fmin"], ["e21"], name="clip_runtime_min"),
        N("Clip", ["x2", "fvec"], ["e22"], name="clip_vector_min"),
        N("Reshape", ["x2", "fvec"], ["e23"], name="reshape_float_shape"),
        N("Dropout", ["x2", "ratio", "train"], ["e24"], name="dropout_train"),
        N("Unsqueeze", ["x2", "five1"], ["e25"], name="unsqueeze_axis"),
        N("Squeeze", ["x2", "zero1"], ["e26"], name="squeeze_size2"),
        N("Range", ["r0", "r5", "r0"], ["e27"], name="range_delta0"),
        N("Gather", ["x2", "i2"], ["e28"], name="gather_axis", axis=3),
        N("Concat", [], ["e29"], name="concat_no_inputs", axis=0),
        N("Max", [], ["e30"], name="max_no_inputs"),
        N("Identity", ["x2"], [], name="identity_no_output"),
        N("Gemm", ["x2"], ["e31"], name="gemm_one_input"),
        N("Split", ["x2"], [], name="split_no_outputs"),
        N("Shape", [], ["e32"], name="shape_no_input"),
        N("Conv", ["xhuge", "w33"], ["e33"], name="conv_huge_input"),
        N("Constant", [], ["dbl2"], name="const_double",
          value=helper.make_tensor("v", TensorProto.DOUBLE, [2], [1.0, 2.0])),
        N("Add", ["x2", "dbl2"], ["e34"], name="add_double_constant"),
    ]
    outs = ["e%d" % i for i in range(1, 35)
            if i not in (16, 17)] + ["e16a", "e17a"]
    return model(n, [vi("x2", F, [2, 2]), vi("x4", F, [1, 1, 4, 4]),
                     vi("x23", F, [2, 3]), vi("i2", I64, [2]),
                     vi("fmin", F, []),
                     vi("xhuge", F, [1, 1, 1 << 50, 4])],
                 [vi(o, F, None) for o in outs],
                 [rand("w33", [1, 1, 3, 3]), rand("w1d", [3]),
                  const("shape3", np.array([3], np.int64)),
                  const("sizes3", np.array([1, 1, 1], np.int64)),
                  const("zero1", np.array([0], np.int64)),
                  const("one1", np.array([1], np.int64)),
                  const("five1", np.array([5], np.int64)),
                  const("pads2", np.array([0, 0], np.int64)),
                  const("fvec", np.array([0.0, 1.0], np.float32)),
                  const("ratio", np.float32(0.5)),
                  const("train", np.bool_(True)),
                  const("r0", np.int64(0)), const("r5", np.int64(5))],
                 opset=13)


def unsupported_inputs():
    # Static problems of graph inputs, training-only outputs and attributes.
    seq = helper.make_tensor_sequence_value_info("seq", F, [2])
    no_shape = helper.make_tensor_value_info("noshape", F, None)
    n = [
        N("BatchNormalization", ["x4", "s", "s", "s", "s"],
          ["bn", "rm", "rv"], name="bn_training", training_mode=2),
        N("LayerNormalization", ["x4", "s"], ["ln", "mean"], name="ln_mean"),
        N("Dropout", ["x4"], ["dr", "mask"], name="dropout_mask"),
        N("Constant", [], ["sp"], name="const_sparse",
          sparse_value=helper.make_sparse_tensor(
              helper.make_tensor("v", F, [1], [1.0]),
              helper.make_tensor("i", I64, [1], [0]), [4])),
        N("Constant", [], ["two"], name="const_two_values", value_int=1,
          value_float=2.0),
        N("ConstantOfShape", ["shape"], ["cs"], name="cos_double",
          value=helper.make_tensor("v", TensorProto.DOUBLE, [1], [1.0])),
        N("Constant", [], ["u8"], name="const_uint8",
          value=helper.make_tensor("v", TensorProto.UINT8, [1], [1])),
    ]
    big = helper.make_tensor_value_info("rank9", F, [1] * 9)
    neg = helper.make_tensor_value_info("negdim", F, [2, 2])
    neg.type.tensor_type.shape.dim[1].dim_value = -4
    huge = helper.make_tensor_value_info("huge", F, [1 << 40, 1 << 40])
    return model(n, [vi("x4", F, [1, 4, 2, 2]), seq, no_shape,
                     vi("x_u8", TensorProto.UINT8, [2]), big, neg, huge],
                 [vi(o, F, None) for o in
                  ["bn", "rm", "ln", "mean", "dr", "mask", "sp", "two",
                   "cs", "u8"]],
                 [const("s", np.ones(4, np.float32)),
                  const("shape", np.array([2], np.int64))], opset=17)


def bn_opset7_spatial():
    return model([N("BatchNormalization", ["x", "s", "s", "s", "s"], ["y"],
                    name="bn_spatial0", spatial=0)],
                 [vi("x", F, [1, 2, 2])], [vi("y", F, None)],
                 [const("s", np.ones(2, np.float32))], opset=7)


def graph_structure(kind):
    m = relu_model()
    if kind == "unnamed_initializer":
        m.graph.initializer.append(const("", np.float32(1)))
    elif kind == "initializer_twice":
        m.graph.initializer.extend([const("w", np.float32(1)),
                                    const("w", np.float32(2))])
    elif kind == "unnamed_input":
        m.graph.input.append(vi("", F, [1]))
    elif kind == "input_twice":
        m.graph.input.append(vi("x", F, [2, 2]))
    elif kind == "no_op_type":
        m.graph.node[0].op_type = ""
    elif kind == "no_outputs":
        del m.graph.output[:]
    return m


def unnamed_initializer():
    return graph_structure("unnamed_initializer")


def initializer_twice():
    return graph_structure("initializer_twice")


def unnamed_input():
    return graph_structure("unnamed_input")


def input_twice():
    return graph_structure("input_twice")


def no_op_type():
    return graph_structure("no_op_type")


def no_outputs():
    return graph_structure("no_outputs")


def rank9_initializer():
    return add_weight_model(const("w", np.zeros([1] * 9, np.float32)))


def segmented_initializer():
    t = helper.make_tensor("w", F, [2, 2], [0.0] * 4)
    t.segment.begin, t.segment.end = 0, 4
    return add_weight_model(t)


# --- malformed files ------------------------------------------------------


def relu_model(inits=(), node_inputs=("x",), opset=13):
    return model([N("Relu", list(node_inputs), ["y"], name="relu")],
                 [vi("x", F, [2, 2])], [vi("y", F, None)], list(inits),
                 opset=opset)


def add_weight_model(tensor):
    return model([N("Add", ["x", tensor.name], ["y"], name="add")],
                 [vi("x", F, [2, 2])], [vi("y", F, None)], [tensor])


def not_protobuf():
    return b"this is not an ONNX model\n"


def truncated():
    data = conv().SerializeToString()
    return data[: len(data) // 2]


def raw_data_length():
    t = helper.make_tensor("w", F, [2, 2], [0.0] * 4)
    t.ClearField("float_data")
    t.raw_data = b"\0" * 12
    return add_weight_model(t)


def typed_data_length():
    t = helper.make_tensor("w", F, [3], [0.0] * 3)
    t.dims[:] = [2, 2]
    return add_weight_model(t)


def negative_dim():
    t = helper.make_tensor("w", F, [2, 2], [0.0] * 4)
    t.dims[1] = -3
    return add_weight_model(t)


def overflow_dim():
    t = helper.make_tensor("w", F, [2, 2], [0.0] * 4)
    t.dims[0] = 1 << 40
    t.dims[1] = 1 << 40
    return add_weight_model(t)


def missing_input():
    return relu_model(node_inputs=("x_missing",))


def missing_output():
    return model([N("Relu", ["x"], ["y"], name="relu")], [vi("x", F, [2])],
                 [vi("nope", F, None)])


def cycle():
    return model([
        N("Add", ["x", "b"], ["a"], name="add_a"),
        N("Relu", ["a"], ["b"], name="relu_b"),
    ], [vi("x", F, [2])], [vi("b", F, None)])


def duplicate_output():
    return model([
        N("Relu", ["x"], ["y"], name="first"),
        N("Relu", ["x"], ["y"], name="second"),
    ], [vi("x", F, [2])], [vi("y", F, None)])


def no_graph():
    m = onnx.ModelProto()
    m.ir_version = 8
    m.opset_import.add().version = 13
    return m


def no_opset():
    m = relu_model()
    del m.opset_import[:]
    m.opset_import.add(domain="com.example", version=1)
    return m


def external_tensor(location, offset=None, length=None):
    t = helper.make_tensor("w", F, [2, 2], [0.0] * 4)
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    entries = [("location", location)]
    if offset is not None:
        entries.append(("offset", str(offset)))
    if length is not None:
        entries.append(("length", str(length)))
    for key, value in entries:
        e = t.external_data.add()
        e.key, e.value = key, value
    return add_weight_model(t)


def external_ok():
    return external_tensor("weights.bin", offset=4, length=16)


def external_bad_offset():
    m = external_tensor("weights.bin", length=16)
    m.graph.initializer[0].external_data.add(key="offset", value="-8")
    return m


def external_length_mismatch():
    return external_tensor("weights.bin", offset=4, length=12)


def external_no_location():
    return external_tensor("")


def external_escape():
    return external_tensor("../outside.bin")


def external_absolute():
    return external_tensor("/etc/passwd")


def external_short():
    return external_tensor("weights.bin", offset=16)


def shape_input():
    # A Reshape whose target is a graph input (bound with --input-value).
    return model([N("Reshape", ["x", "shape"], ["y"], name="reshape")],
                 [vi("x", F, [2, 6]), vi("shape", I64, [3])],
                 [vi("y", F, None)], opset=13)


def resize():
    # Resize: linear along the two inner axes (two constant matmuls, the
    # H axis moved last and back), nearest by sizes, tf_crop_and_resize
    # with an extrapolation mask; Upsample (opset 9 form) is nearest-floor.
    return model([
        N("Resize", ["x", "", "scales"], ["lin"], name="resize_linear",
          mode="linear"),
        N("Resize", ["x", "", "", "sizes"], ["near"], name="resize_nearest"),
        N("Resize", ["x", "roi", "", "sizes"], ["crop"], name="resize_crop",
          mode="linear", coordinate_transformation_mode="tf_crop_and_resize",
          extrapolation_value=7.0),
    ], [vi("x", F, [1, 1, 2, 4])],
        [vi("lin", F, None), vi("near", F, None), vi("crop", F, None)],
        [const("scales", np.array([1, 1, 2, 0.5], np.float32)),
         const("sizes", np.array([1, 1, 2, 3], np.int64)),
         const("roi", np.array([0, 0, 0, -0.5, 1, 1, 1, 1], np.float32))],
        opset=13)


def bad_resize():
    nodes = [
        N("Resize", ["x", "", "scales"], ["e1"], name="resize_mode",
          mode="area"),
        N("Resize", ["x", "", "scales"], ["e2"], name="resize_transform",
          coordinate_transformation_mode="stretch"),
        N("Resize", ["x", "", "scales"], ["e3"], name="resize_nearest_mode",
          nearest_mode="random"),
        N("Resize", ["x", "", "s_in"], ["e4"], name="resize_runtime_scales"),
        N("Resize", ["x", "", "scales", "sizes"], ["e5"], name="resize_both"),
        N("Resize", ["x", "", "scales3"], ["e6"], name="resize_rank"),
        N("Resize", ["i", "", "scales"], ["e7"], name="resize_int"),
        N("Resize", ["x", "", "", "sizes"], ["e8"], name="resize_no_roi",
          coordinate_transformation_mode="tf_crop_and_resize"),
        N("Resize", ["x", "", "zeros"], ["e9"], name="resize_zero_scale"),
        N("Resize", ["x", "scales", "", "sizes"], ["e10"], name="resize_roi",
          coordinate_transformation_mode="tf_crop_and_resize"),
        N("Resize", ["x", "", "tiny"], ["e11"], name="resize_empty_output"),
    ]
    return model(nodes, [vi("x", F, [1, 1, 2, 4]), vi("s_in", F, [4]),
                         vi("i", I64, [1, 1, 2, 4])],
                 [vi("e%d" % i, F, None) for i in range(1, 12)],
                 [const("scales", np.array([1, 1, 2, 2], np.float32)),
                  const("tiny", np.array([1, 1, 0.25, 1], np.float32)),
                  const("scales3", np.array([1, 2, 2], np.float32)),
                  const("zeros", np.zeros(4, np.float32)),
                  const("sizes", np.array([1, 1, 4, 8], np.int64))], opset=13)


def doubles():
    # DOUBLE input, initializer and output, and a Cast to DOUBLE.
    D = TensorProto.DOUBLE
    return model([
        N("Add", ["x", "w"], ["s"], name="add"),
        N("Cast", ["f"], ["fd"], name="to_double", to=D),
        N("Mul", ["s", "fd"], ["y"], name="mul"),
    ], [vi("x", D, [2, 3]), vi("f", F, [2, 3])], [vi("y", D, None)],
        [const("w", np.array([0.1, 2.0, 1e-3], np.float64))], opset=13)


def more_decompositions():
    # Normalizations, CumSum, Tile, EyeLike, OneHot, Hardmax, LRN and the
    # Dropout mask, each as primitive nn ops or constants.
    return model([
        N("InstanceNormalization", ["x", "s", "b"], ["inorm"], name="inorm"),
        N("MeanVarianceNormalization", ["x"], ["mvn"], name="mvn", axes=[2]),
        N("LRN", ["x"], ["lrn"], name="lrn", size=3),
        N("CumSum", ["x", "axis"], ["cum"], name="cumsum", exclusive=1),
        N("Tile", ["x", "reps"], ["tile"], name="tile"),
        N("EyeLike", ["x2"], ["eye"], name="eye", k=1),
        N("OneHot", ["idx", "depth", "vals"], ["hot"], name="onehot"),
        N("Hardmax", ["x"], ["hard"], name="hardmax", axis=1),
        N("Dropout", ["x"], ["drop", "mask"], name="dropout"),
    ], [vi("x", F, [1, 2, 3]), vi("x2", F, [2, 3]), vi("idx", I64, [2]),
        vi("vals", F, [2])],
        [vi(o, TensorProto.UNDEFINED, None) for o in
         ("inorm", "mvn", "lrn", "cum", "tile", "eye", "hot", "hard",
          "mask")],
        [rand("s", [2]), rand("b", [2]), const("axis", np.int64(2)),
         const("reps", np.array([1, 2, 1], np.int64)),
         const("depth", np.int64(4))], opset=13)


def bad_more_decompositions():
    return model([
        N("InstanceNormalization", ["v", "v", "v"], ["e1"], name="inorm_rank"),
        N("LRN", ["x"], ["e2"], name="lrn_size"),
        N("CumSum", ["x", "axis_in"], ["e3"], name="cumsum_axis"),
        N("Tile", ["x", "reps2"], ["e4"], name="tile_count"),
        N("Tile", ["x", "neg3"], ["e5"], name="tile_negative"),
        N("EyeLike", ["x"], ["e6"], name="eye_rank"),
        N("EyeLike", ["m"], ["e7"], name="eye_dtype", dtype=TensorProto.STRING),
        N("OneHot", ["i", "depth_in", "vals"], ["e8"], name="onehot_depth"),
        N("OneHot", ["i", "zero", "vals"], ["e9"], name="onehot_zero"),
        N("OneHot", ["i", "four", "v"], ["e10"], name="onehot_values"),
        N("OneHot", ["i", "four", "vals"], ["e11"], name="onehot_axis",
          axis=5),
        N("Hardmax", ["x"], ["e12"], name="hardmax_axis", axis=3),
        N("MeanVarianceNormalization", ["i"], ["e13"], name="mvn_int"),
    ], [vi("v", F, [4]), vi("x", F, [1, 2, 3]), vi("m", F, [2, 2]),
        vi("axis_in", I64, []), vi("depth_in", I64, []), vi("i", I64, [3]),
        vi("vals", F, [2])],
        [vi("e%d" % i, F, None) for i in range(1, 14)],
        [const("reps2", np.array([1, 2], np.int64)),
         const("neg3", np.array([1, -1, 1], np.int64)),
         const("zero", np.int64(0)), const("four", np.int64(4))], opset=13)


def windows():
    # The window functions of a known size are constants.
    return model([
        N("HannWindow", ["four"], ["hann"], name="hann"),
        N("HammingWindow", ["four"], ["hamming"], name="hamming", periodic=0),
        N("BlackmanWindow", ["four"], ["blackman"], name="blackman"),
    ], [], [vi(o, F, None) for o in ("hann", "hamming", "blackman")],
        [const("four", np.int64(4))], opset=17)


def bad_windows():
    # A size known only at run time, a negative one and a string dtype.
    return model([
        N("HannWindow", ["n"], ["e1"], name="hann_runtime"),
        N("HannWindow", ["minus"], ["e2"], name="hann_negative"),
        N("HannWindow", ["four"], ["e3"], name="hann_string",
          output_datatype=TensorProto.STRING),
    ], [vi("n", I64, [])], [vi(o, F, None) for o in ("e1", "e2", "e3")],
        [const("four", np.int64(4)), const("minus", np.int64(-1))], opset=17)


def select_ops():
    # Einsum (a diagonal and a contraction), TopK, GatherND, ScatterElements
    # with add, ScatterND.
    return model([
        N("Einsum", ["m", "v"], ["ein"], name="einsum", equation="ii,i->i"),
        N("TopK", ["x", "two"], ["top", "topi"], name="topk"),
        N("GatherND", ["x", "nd"], ["gnd"], name="gathernd"),
        N("ScatterElements", ["x", "idx", "upd"], ["sce"],
          name="scatter_elements", axis=1, reduction="add"),
        N("ScatterND", ["x", "nd", "rows"], ["snd"], name="scatternd"),
    ], [vi("m", F, [3, 3]), vi("v", F, [3]), vi("x", F, [2, 4]),
        vi("idx", I64, [2, 1]), vi("upd", F, [2, 1]), vi("nd", I64, [1, 1]),
        vi("rows", F, [1, 4])],
        [vi(o, TensorProto.UNDEFINED, None) for o in
         ("ein", "top", "topi", "gnd", "sce", "snd")],
        [const("two", np.array([2], np.int64))], opset=16)


def bad_select_ops():
    return model([
        N("Einsum", ["m"], ["e1"], name="einsum_operands", equation="ij,jk"),
        N("Einsum", ["m"], ["e2"], name="einsum_rank", equation="ijk->i"),
        N("Einsum", ["m"], ["e3"], name="einsum_output", equation="ij->i2"),
        N("Einsum", ["r"], ["e4"], name="einsum_diagonal", equation="ii->i"),
        N("TopK", ["m", "k_in"], ["e5", "e5i"], name="topk_runtime"),
        N("TopK", ["m", "nine"], ["e6", "e6i"], name="topk_large"),
        N("TopK", ["m", "zero"], ["e7", "e7i"], name="topk_zero"),
        N("TopK", ["i", "one"], ["e8", "e8i"], name="topk_int"),
        N("GatherND", ["m", "nd3"], ["e9"], name="gathernd_q"),
        N("ScatterElements", ["m", "idx1", "m"], ["e10"],
          name="scatter_rank"),
        N("ScatterElements", ["m", "idx2", "upd3"], ["e11"],
          name="scatter_updates"),
        N("ScatterElements", ["m", "idx2", "idx2f"], ["e12"],
          name="scatter_reduction", reduction="max"),
        N("ScatterND", ["m", "nd1", "m"], ["e13"], name="scatternd_updates"),
        N("GatherND", ["m", "nd1"], ["e14"], name="gathernd_batch",
          batch_dims=1),
        N("TopK", ["wide", "many"], ["e15", "e15i"], name="topk_many"),
        N("Einsum", ["v3", "v4"], ["e16"], name="einsum_sizes",
          equation="i,i->i"),
        N("ScatterElements", ["m", "idx4", "upd4"], ["e17"],
          name="scatter_big", axis=1),
        N("ScatterND", ["b", "nd1", "b"], ["e18"], name="scatternd_bool"),
    ], [vi("m", F, [3, 3]), vi("r", F, [2, 3]), vi("k_in", I64, [1]),
        vi("i", I64, [3]), vi("idx1", I64, [3]), vi("idx2", I64, [3, 1]),
        vi("upd3", F, [3, 2]), vi("idx2f", F, [3, 1]), vi("wide", F, [1, 70]),
        vi("v3", F, [3]), vi("v4", F, [4]), vi("idx4", I64, [4, 1]),
        vi("upd4", F, [4, 1]), vi("b", TensorProto.BOOL, [3])],
        [vi("e%d" % i, F, None) for i in range(1, 19)] +
        [vi(n, I64, None) for n in ("e5i", "e6i", "e7i", "e8i", "e15i")],
        [const("nine", np.array([9], np.int64)),
         const("zero", np.array([0], np.int64)),
         const("one", np.array([1], np.int64)),
         const("nd3", np.zeros((1, 3), np.int64)),
         const("nd1", np.zeros((2, 1), np.int64)),
         const("many", np.array([65], np.int64))], opset=16)


def recurrent():
    # A bidirectional GRU with sequence_lens, and a batch-major LSTM with
    # peepholes, unrolled over two steps.
    return model([
        N("GRU", ["x", "gw", "gr", "", "lens"], ["gy", "gh"], name="gru",
          hidden_size=2, direction="bidirectional", linear_before_reset=1),
        N("LSTM", ["xb", "lw", "lr", "", "", "", "", "p"], ["ly", "lh", "lc"],
          name="lstm", hidden_size=2, layout=1),
    ], [vi("x", F, [2, 3, 4]), vi("gw", F, [2, 6, 4]), vi("gr", F, [2, 6, 2]),
        vi("lens", TensorProto.INT32, [3]), vi("xb", F, [3, 2, 4]),
        vi("lw", F, [1, 8, 4]), vi("lr", F, [1, 8, 2]), vi("p", F, [1, 6])],
        [vi(o, TensorProto.UNDEFINED, None) for o in
         ("gy", "gh", "ly", "lh", "lc")], opset=14)


def bad_recurrent():
    return model([
        N("RNN", ["v", "w", "r"], ["e1"], name="rnn_rank", hidden_size=2),
        N("RNN", ["x", "w", "r"], ["e2"], name="rnn_direction",
          hidden_size=2, direction="sideways"),
        N("RNN", ["x", "w", "r"], ["e3"], name="rnn_hidden", hidden_size=3),
        N("LSTM", ["x", "lw", "lr"], ["e4"], name="lstm_input_forget",
          hidden_size=2, input_forget=1),
        N("RNN", ["x", "w", "r"], ["e5"], name="rnn_activation",
          hidden_size=2, activations=["LeakyRelu"]),
        N("RNN", ["long", "w", "r"], ["e6"], name="rnn_long", hidden_size=2),
        N("LSTM", ["x", "lw", "lr"], ["e7"], name="lstm_activations",
          hidden_size=2, activations=["Sigmoid", "Tanh"]),
    ], [vi("v", F, [4]), vi("x", F, [2, 3, 4]), vi("w", F, [1, 2, 4]),
        vi("r", F, [1, 2, 2]), vi("lw", F, [1, 8, 4]), vi("lr", F, [1, 8, 2]),
        vi("long", F, [1025, 1, 4])],
        [vi("e%d" % i, F, None) for i in range(1, 8)], opset=14)


def math_ops():
    # Runtime Round/trigonometry/Mod, and the hyperbolic functions, IsNaN
    # and IsInf as compositions of primitive ops.
    nodes = [N(op, ["x"], [op.lower()], name=op.lower())
             for op in ("Round", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan",
                        "Sinh", "Cosh", "Asinh", "Acosh", "Atanh", "IsNaN")]
    nodes += [N("IsInf", ["x"], ["isinf"], name="isinf", detect_negative=0),
              N("Mod", ["i", "j"], ["mod"], name="mod"),
              N("Mod", ["x", "x"], ["fmod"], name="fmod", fmod=1)]
    outs = [n.output[0] for n in nodes]
    return model(nodes, [vi("x", F, [2, 3]), vi("i", I64, [4]),
                         vi("j", I64, [4])],
                 [vi(o, TensorProto.UNDEFINED, None) for o in outs], opset=13)


def decompositions():
    # Trilu with a constant and a run-time k, GatherElements, and the two
    # losses (weights, ignore_index, the log_prob output).
    nodes = [
        N("Trilu", ["x", "one"], ["tri"], name="triu_const_k"),
        N("Trilu", ["x", "k"], ["tril"], name="tril_runtime_k", upper=0),
        N("GatherElements", ["x", "idx"], ["ge"], name="gather_elements",
          axis=1),
        N("NegativeLogLikelihoodLoss", ["scores", "target", "w"], ["nll"],
          name="nll", ignore_index=2, reduction="mean"),
        N("SoftmaxCrossEntropyLoss", ["scores", "target"], ["sce", "logp"],
          name="sce", reduction="sum"),
    ]
    return model(nodes, [vi("x", F, [3, 4]), vi("k", I64, []),
                         vi("idx", I64, [2, 2]), vi("scores", F, [2, 5, 3]),
                         vi("target", I64, [2, 3])],
                 [vi("tri", F, None), vi("tril", F, None), vi("ge", F, None),
                  vi("nll", F, None), vi("sce", F, None),
                  vi("logp", F, None)],
                 [const("one", np.array([1], np.int64)),
                  const("w", np.arange(1, 6, dtype=np.float32))], opset=14)


def bad_decompositions():
    nodes = [
        N("Trilu", ["v"], ["e1"], name="trilu_rank1"),
        N("Trilu", ["x", "kk"], ["e2"], name="trilu_two_k"),
        N("GatherElements", ["x", "v_i"], ["e3"], name="gather_rank"),
        N("GatherElements", ["x", "big_i"], ["e4"], name="gather_big",
          axis=1),
        N("GatherElements", ["b", "idx"], ["e5"], name="gather_bool"),
        N("NegativeLogLikelihoodLoss", ["v", "v_i"], ["e6"], name="nll_rank1"),
        N("NegativeLogLikelihoodLoss", ["x", "x"], ["e7"], name="nll_target"),
        N("NegativeLogLikelihoodLoss", ["x", "v_i3", "v5"], ["e8"],
          name="nll_weight"),
        N("SoftmaxCrossEntropyLoss", ["x", "v_i3"], ["e9"],
          name="sce_reduction", reduction="max"),
        N("Sinh", ["v_i"], ["e10"], name="sinh_int"),
    ]
    return model(nodes, [vi("v", F, [4]), vi("v5", F, [5]), vi("x", F, [3, 4]),
                         vi("v_i", I64, [4]), vi("v_i3", I64, [3]),
                         vi("big_i", I64, [5, 4]), vi("b", TensorProto.BOOL,
                                                      [3, 4]),
                         vi("idx", I64, [3, 4])],
                 [vi("e%d" % i, F, None) for i in range(1, 11)],
                 [const("kk", np.array([1, 2], np.int64))], opset=14)


def sequence_ops():
    # ReverseSequence time- and batch-major, Compress with and without an
    # axis, and Det of a batch of 3 x 3 matrices.
    nodes = [
        N("ReverseSequence", ["xt", "lens"], ["rt"], name="reverse_time",
          time_axis=0, batch_axis=1),
        N("ReverseSequence", ["xb", "lens"], ["rb"], name="reverse_batch",
          time_axis=1, batch_axis=0),
        N("Compress", ["x", "cond"], ["ca"], name="compress_axis", axis=1),
        N("Compress", ["x", "cond"], ["cf"], name="compress_flat"),
        N("Det", ["m"], ["det"], name="det"),
    ]
    return model(nodes, [vi("xt", F, [4, 2, 3]), vi("xb", F, [2, 4, 3]),
                         vi("lens", I64, [2]), vi("x", F, [2, 3]),
                         vi("m", F, [2, 3, 3])],
                 [vi(o, TensorProto.UNDEFINED, None)
                  for o in ("rt", "rb", "ca", "cf", "det")],
                 [const("cond", np.array([True, False, True]))], opset=13)


def bad_sequence_ops():
    nodes = [
        N("ReverseSequence", ["v", "lens"], ["e1"], name="reverse_rank1"),
        N("ReverseSequence", ["xt", "v"], ["e2"], name="reverse_float_lens"),
        N("Compress", ["x", "cond_rt"], ["e3"], name="compress_runtime"),
        N("Compress", ["x", "cond2d"], ["e4"], name="compress_2d", axis=0),
        N("Compress", ["x", "cond_long"], ["e5"], name="compress_long",
          axis=0),
        N("Compress", ["x", "cond_none"], ["e6"], name="compress_none",
          axis=0),
        N("Det", ["v"], ["e7"], name="det_rank1"),
        N("Det", ["m6"], ["e8"], name="det_6x6"),
    ]
    return model(nodes, [vi("v", F, [4]), vi("xt", F, [4, 2, 3]),
                         vi("lens", I64, [2]), vi("x", F, [2, 3]),
                         vi("cond_rt", TensorProto.BOOL, [3]),
                         vi("m6", F, [6, 6])],
                 [vi("e%d" % i, F, None) for i in range(1, 9)],
                 [const("cond2d", np.ones((1, 2), np.bool_)),
                  const("cond_long", np.ones(3, np.bool_)),
                  const("cond_none", np.zeros(2, np.bool_))], opset=13)


def pool_indices_unpool_pad():
    # A MaxPool's Indices output (column-major, padded) and a Pad whose
    # constant_value is a run-time input.
    nodes = [
        N("MaxPool", ["x"], ["mp", "mpi"], name="pool_indices",
          kernel_shape=[2, 2], pads=[1, 1, 0, 0], storage_order=1),
        N("Pad", ["x", "pads", "fill"], ["pd"], name="pad_runtime_value"),
        N("MaxUnpool", ["x", "mpi"], ["up"], name="unpool", kernel_shape=[2, 2],
          strides=[2, 2]),
    ]
    return model(nodes, [vi("x", F, [1, 2, 3, 3]), vi("fill", F, [])],
                 [vi(o, TensorProto.UNDEFINED, None)
                  for o in ("mp", "mpi", "pd", "up")],
                 [const("pads", np.array([0, 0, 1, 0, 0, 0, 0, 1],
                                         np.int64))], opset=15)


def bad_pool_indices_unpool_pad():
    nodes = [
        N("MaxPool", ["xi"], ["e1", "e1i"], name="pool_int_indices",
          kernel_shape=[2, 2]),
        N("MaxPool", ["x"], ["e2", "e2i"], name="pool_big_window",
          kernel_shape=[17, 17], pads=[8, 8, 8, 8]),
        N("Pad", ["x", "pads_short", "fill"], ["e3"], name="pad_count"),
        N("Pad", ["x", "pads", "fill_i"], ["e4"], name="pad_value_type"),
        N("MaxUnpool", ["x", "x"], ["e5"], name="unpool_float_indices",
          kernel_shape=[2, 2]),
        N("MaxUnpool", ["x", "idx", "bad_shape"], ["e6"],
          name="unpool_output_shape", kernel_shape=[2, 2]),
        N("MaxUnpool", ["big", "big_idx"], ["e7"], name="unpool_large",
          kernel_shape=[2, 2], strides=[2, 2]),
        N("MaxUnpool", ["x", "idx", "small_shape"], ["e8"],
          name="unpool_small_output_shape", kernel_shape=[2, 2]),
    ]
    return model(nodes, [vi("x", F, [1, 2, 3, 3]),
                         vi("xi", TensorProto.INT32, [1, 2, 3, 3]),
                         vi("fill", F, []), vi("fill_i", I64, []),
                         vi("idx", I64, [1, 2, 3, 3]),
                         vi("big", F, [1, 4, 32, 32]),
                         vi("big_idx", I64, [1, 4, 32, 32])],
                 [vi(o, TensorProto.UNDEFINED, None)
                  for o in ("e1", "e1i", "e2", "e2i", "e3", "e4", "e5", "e6",
                            "e7", "e8")],
                 [const("pads", np.zeros(8, np.int64)),
                  const("pads_short", np.zeros(4, np.int64)),
                  const("bad_shape", np.array([1, 3, 6, 6], np.int64)),
                  const("small_shape", np.array([1, 2, 4, 3], np.int64))],
                 opset=15)


TRAINING = "ai.onnx.preview.training"


def training_optimizers():
    # Adagrad, a nesterov Momentum over two tensors and Adam, in a model
    # that imports only the training domain (no default-domain opset).
    nodes = [
        N("Adagrad", ["r", "t", "x", "g", "h"], ["x1", "h1"], name="adagrad",
          domain=TRAINING, decay_factor=0.1, epsilon=1e-5,
          norm_coefficient=0.01),
        N("Momentum", ["r", "t", "x", "y", "g", "gy", "v", "vy"],
          ["x2", "y2", "v2", "vy2"], name="nesterov", domain=TRAINING,
          alpha=0.9, beta=0.5, mode="nesterov", norm_coefficient=0.0),
        N("Adam", ["r", "t", "x", "g", "v", "h"], ["x3", "v3", "h3"],
          name="adam", domain=TRAINING, norm_coefficient_post=0.1),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [vi("r", F, []), vi("t", I64, [])] +
        [vi(n, F, [2, 3]) for n in ("x", "y", "g", "gy", "h", "v", "vy")],
        [vi(o, F, None) for o in ("x1", "h1", "x2", "y2", "v2", "vy2", "x3",
                                   "v3", "h3")])
    m = helper.make_model(graph,
                          opset_imports=[helper.make_opsetid(TRAINING, 1)])
    m.ir_version = 8
    return m


def bad_training_optimizers():
    nodes = [
        N("Adam", ["r", "t", "x", "g", "v"], ["e1"], name="adam_inputs",
          domain=TRAINING),
        N("Momentum", ["r", "t", "x", "g", "v"], ["e2"], name="momentum_mode",
          domain=TRAINING, alpha=0.9, beta=0.1, mode="heavy_ball",
          norm_coefficient=0.0),
        N("Adagrad", ["x", "t", "x", "g", "v"], ["e3"], name="adagrad_rate",
          domain=TRAINING),
        N("Adagrad", ["r", "t", "xi", "xi", "xi"], ["e4"],
          name="adagrad_int_x", domain=TRAINING),
        N("Relu", ["x"], ["e5"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes, "g",
        [vi("r", F, []), vi("t", I64, []), vi("xi", I64, [2])] +
        [vi(n, F, [2]) for n in ("x", "g", "v")],
        [vi("e%d" % i, F, None) for i in range(1, 6)])
    m = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", 13), helper.make_opsetid(TRAINING, 1)])
    m.ir_version = 8
    return m


CASES = {name: fn for name, fn in globals().items()
         if callable(fn) and not name.startswith("_")
         and fn.__module__ == __name__
         and name not in ("vi", "const", "rand", "model", "relu_model",
                          "add_weight_model", "external_tensor",
                         "graph_structure")}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit("usage: make_onnx.py {%s} OUT.onnx" % ",".join(sorted(CASES)))
    case, out = sys.argv[1], sys.argv[2]
    result = CASES[case]()
    data = result if isinstance(result, bytes) else result.SerializeToString()
    with open(out, "wb") as f:
        f.write(data)
    if case.startswith("external_"):
        # Four bytes of header, then the 2x2 float weight [1, 2, 3, 4].
        folder = os.path.dirname(os.path.abspath(out))
        payload = b"HDR0" + np.array([1, 2, 3, 4], np.float32).tobytes()
        weights = os.path.join(folder, "weights.bin")
        # Replace rather than write through: a test may have left a symlink.
        if os.path.lexists(weights):
            os.remove(weights)
        with open(weights, "wb") as f:
            f.write(payload)


if __name__ == "__main__":
    main()
