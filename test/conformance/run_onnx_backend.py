#!/usr/bin/env python3
"""ONNX backend conformance: the ONNX backend test data through npu-compile + npu-run.

Usage:
  run_onnx_backend.py [--data DIR] [--suites node,pytorch-converted,...]
                      [--bin-dir DIR] [--work DIR] [--jobs 2] [--timeout S]
                      [--filter REGEX] [--must-pass FILE] [--doc FILE]
                      [--json FILE] [--write-must-pass FILE] [TEST...]

Every test directory of the data (Debian's libonnx-testdata:
/usr/share/libonnx-testdata/data/<suite>/<test>/model.onnx plus
test_data_set_*/input_*.pb, output_*.pb) is
  1. compiled once: `npu-compile model.onnx -o model.npu --target npu-base
     --precision fp32` (with --input-shape for dynamic inputs, taken from the
     first data set, and --input-value for graph inputs that decide shapes:
     SHAPE_OPERANDS below; the chip needs those when compiling, as TensorRT
     needs its shape tensors, so such a test is compiled per data set and
     the report counts it; and --onnx-f64-as-f32 for a model with DOUBLE
     tensors, which the chip computes in f32, also counted);
  2. run once per data set with `npu-run --input NAME=x.npy ... --output
     NAME=y.npy --quiet`;
  3. compared with the expected outputs: floats |actual - expected| <= atol +
     rtol * |expected| (rtol 1e-3, atol 1e-5), integers and bools exactly.

The chip's I/O dtypes (docs/compile.md): floats are f32 at the I/O, integers
i32 (int8 stays i8), bool is f32 0/1. The host converts inputs to those and
the outputs back when the conversion is lossless; int64 inputs go to npu-run
as they are (it narrows them to i32 and rejects values outside its range).
A test whose tensors cannot be represented is `unsupported` with that
reason.

Outcome per test (one of OUTCOMES): pass; wrong (result differs; the worst
element is reported); unsupported (the importer's report, a missing chip
kernel, or an unrepresentable tensor); compile-error (npu-compile failed for
another reason); run-error (npu-run exited 1); crash (a tool died of a
signal); timeout (a tool ran longer than --timeout). A crash or timeout is
always a bug.

Test names are SUITE/TEST (e.g. node/test_abs). With --must-pass FILE only
the tests listed there run, and the exit code is 1 if any of them does not
pass (the CI gate). --doc writes the markdown report (docs/onnx-conformance.md).
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

DEFAULT_DATA = "/usr/share/libonnx-testdata/data"
DEFAULT_SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
OUTCOMES = ["pass", "wrong", "unsupported", "compile-error", "run-error",
            "crash", "timeout"]
RTOL = 1e-3
ATOL = 1e-5
I32_MIN, I32_MAX = -2**31, 2**31 - 1

TP = onnx.TensorProto
FLOAT_TYPES = {TP.FLOAT, TP.FLOAT16, TP.BFLOAT16, TP.DOUBLE}
INT_TYPES = {TP.INT32, TP.INT64, TP.INT8, TP.INT16, TP.UINT8, TP.UINT16,
             TP.UINT32, TP.UINT64}


# Failures whose cause is known, explained next to them in the report.
KNOWN_CAUSES = {
    "node/test_cast_FLOAT_to_BFLOAT16":
        "the chip rounds f32 -> bf16 to nearest even (docs/numerics.md); "
        "this test data (onnx 1.12) truncates",
    "node/test_adam_multiple":
        "the model has no epsilon attribute (the spec's default is 0) but "
        "the expected X1_new was computed with epsilon 0.01 (onnx 1.12's "
        "test generator omits it from the node)",
}

# Compiler diagnostics that report a documented limit rather than a bug.
UNSUPPORTED_DIAGNOSTICS = [
    r"op cannot be lowered to the chip",
    r"needs a constant weight",
    r"imports no default-domain",
    r"is not supported by the MXU kernels",
]


# Operand positions ONNX uses for shape-like values (a Reshape target, Resize
# scales/sizes, Slice bounds, axes, the condition that decides Compress's
# output shape, MaxUnpool's output_shape...): a graph input there is bound to
# its test value at compile time (npu-compile --input-value).
SHAPE_OPERANDS = {
    "Reshape": (1,), "Expand": (1,), "Tile": (1,), "Slice": (1, 2, 3, 4),
    "Squeeze": (1,), "Unsqueeze": (1,), "Split": (1,), "Pad": (1, 3),
    "Resize": (1, 2, 3), "Upsample": (1,), "ConstantOfShape": (0,),
    "Range": (0, 1, 2), "ReduceSum": (1,), "ReduceMean": (1,),
    "ReduceMax": (1,), "ReduceMin": (1,), "ReduceProd": (1,),
    "ReduceL1": (1,), "ReduceL2": (1,), "ReduceLogSum": (1,),
    "ReduceLogSumExp": (1,), "ReduceSumSquare": (1,), "OneHot": (1,),
    "TopK": (1,), "CumSum": (1,), "HannWindow": (0,), "HammingWindow": (0,),
    "BlackmanWindow": (0,), "Compress": (1,), "MaxUnpool": (2,),
}


def shape_inputs(graph, input_names):
    """Graph inputs a shape-like operand position of some node reads,
    directly or through the nodes computing it."""
    producers = {out: node for node in graph.node for out in node.output}
    pending = [node.input[p] for node in graph.node
               for p in SHAPE_OPERANDS.get(node.op_type, ())
               if p < len(node.input) and node.input[p]]
    seen, found = set(), []
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in input_names:
            found.append(name)
        elif name in producers:
            pending += [i for i in producers[name].input if i]
    return sorted(found)


def uses_double(model):
    """True when a graph input, output or initializer is DOUBLE."""
    graph = model.graph
    values = list(graph.input) + list(graph.output)
    return (any(v.type.tensor_type.elem_type == TP.DOUBLE for v in values) or
            any(i.data_type == TP.DOUBLE for i in graph.initializer))


class Unsupported(Exception):
    """A tensor the chip's I/O cannot represent losslessly."""


def dtype_name(data_type):
    return TP.DataType.Name(data_type)


def load_tensor(path):
    """Reads a TensorProto .pb; raises Unsupported for sequences/optionals."""
    tensor = TP()
    with open(path, "rb") as f:
        data = f.read()
    try:
        tensor.ParseFromString(data)
    except Exception:  # noqa: BLE001 - protobuf raises DecodeError subclasses
        raise Unsupported("test data %s is not a tensor (sequence or optional)"
                          % os.path.basename(path))
    if tensor.data_type == 0:
        raise Unsupported("test data %s is not a tensor (sequence or optional)"
                          % os.path.basename(path))
    if tensor.data_type == TP.BFLOAT16:
        # numpy has no bf16: widen the bit pattern to f32 (exact).
        bits = (np.frombuffer(tensor.raw_data, dtype=np.uint16)
                if tensor.raw_data else np.array(tensor.int32_data, np.uint16))
        array = (bits.astype(np.uint32) << 16).view(np.float32)
        return tensor.data_type, array.reshape(tuple(tensor.dims))
    return tensor.data_type, numpy_helper.to_array(tensor)


def to_chip_input(data_type, array, name):
    """Host array in the chip's I/O dtype, or raises Unsupported."""
    if data_type == TP.DOUBLE:
        finite = array[np.isfinite(array)]
        if finite.size and np.abs(finite).max() > np.finfo(np.float32).max:
            raise Unsupported("input '%s' (DOUBLE) has values outside the f32 "
                              "range" % name)
        return array.astype(np.float32)
    if data_type in FLOAT_TYPES:
        return array.astype(np.float32)
    if data_type == TP.BOOL:
        return array.astype(np.float32)
    if data_type == TP.INT8:
        return array.astype(np.int8)
    if data_type == TP.INT32:
        return array.astype(np.int32)
    if data_type == TP.INT64:
        # npu-run narrows int64 to the chip's i32 itself, range-checked.
        return array.astype(np.int64)
    raise Unsupported("input '%s' has dtype %s, which the chip's I/O does not "
                      "represent" % (name, dtype_name(data_type)))


def compare(data_type, expected, actual, name):
    """None if equal within tolerance, else a one-line mismatch message."""
    if data_type in (TP.INT64, TP.UINT64, TP.UINT32) and expected.size and (
            expected.min() < I32_MIN or expected.max() > I32_MAX):
        raise Unsupported("output '%s' (%s) has values outside the i32 range"
                          % (name, dtype_name(data_type)))
    if data_type not in FLOAT_TYPES | INT_TYPES | {TP.BOOL}:
        raise Unsupported("output '%s' has dtype %s, which the chip's I/O does "
                          "not represent" % (name, dtype_name(data_type)))
    if tuple(actual.shape) != tuple(expected.shape):
        # A rank-0 result may come back as [1]; anything else is wrong.
        if actual.size != expected.size or actual.size != 1:
            return "output '%s': shape %s, expected %s" % (
                name, list(actual.shape), list(expected.shape))
        actual = actual.reshape(expected.shape)
    if data_type in FLOAT_TYPES:
        exp = expected.astype(np.float64)
        act = actual.astype(np.float64)
        both_nan = np.isnan(exp) & np.isnan(act)
        same_inf = np.isinf(exp) & (exp == act)
        with np.errstate(invalid="ignore"):
            err = np.abs(act - exp)
        bad = ~(both_nan | same_inf | (err <= ATOL + RTOL * np.abs(exp)))
        if not bad.any():
            return None
        index = np.unravel_index(
            int(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1))),
            exp.shape) if exp.ndim else ()
        return "output '%s': %d of %d elements differ, worst at %s: %r vs %r" % (
            name, int(bad.sum()), exp.size, list(index), float(act[index]),
            float(exp[index]))
    exp = expected.astype(np.int64)
    act = actual
    if act.dtype.kind == "f":
        if not np.all(np.isfinite(act)) or not np.all(act == np.round(act)):
            return "output '%s': non-integer values where %s expected" % (
                name, dtype_name(data_type))
    act = act.astype(np.int64)
    bad = act != exp
    if not bad.any():
        return None
    index = np.unravel_index(int(np.argmax(bad)), exp.shape) if exp.ndim else ()
    return "output '%s': %d of %d elements differ, first at %s: %d vs %d" % (
        name, int(bad.sum()), exp.size, list(index), int(act[index]),
        int(exp[index]))


def op_types(graph, out):
    for node in graph.node:
        out.add(node.op_type if node.domain in ("", "ai.onnx")
                else "%s:%s" % (node.domain, node.op_type))
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                op_types(attr.g, out)
            for g in attr.graphs:
                op_types(g, out)
    return out


def run_tool(argv, timeout):
    """(status, returncode, stderr): status is ok/failed/crash/timeout."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout", None, ""
    if proc.returncode < 0:
        return "crash", proc.returncode, proc.stderr
    if proc.returncode != 0:
        return "failed", proc.returncode, proc.stderr
    return "ok", 0, proc.stderr


def error_lines(stderr):
    return [l.strip() for l in stderr.splitlines() if l.strip()]


def classify_compile_failure(stderr):
    """(outcome, [reasons]) for a failed npu-compile."""
    lines = error_lines(stderr)
    text = "\n".join(lines)
    if "cannot import" in text:
        reasons = []
        for line in lines[1:]:
            if line.startswith("note:") or not line:
                continue
            reasons.append(re.sub(r" \(used by .*\)$", "", line))
        return "unsupported", reasons or lines[:1]
    match = re.search(r"npu-tile: .*have no chip kernel: (.*)", text)
    if match:
        kinds = [re.sub(r" \(\d+\)$", "", k.strip())
                 for k in match.group(1).split(",")]
        return "unsupported", ["no chip kernel for " + k for k in kinds]
    first = next((l for l in lines if "error" in l), lines[0] if lines else
                 "no message")
    # Diagnostics that state a limit of the importer, a kernel or the chip
    # (not a failure of the compiler) make the test unsupported.
    if any(re.search(p, first) for p in UNSUPPORTED_DIAGNOSTICS):
        return "unsupported", [first]
    return "compile-error", [first]


def shorten(reason):
    """A reason without file paths, node names and numbers (for grouping)."""
    reason = re.sub(r"^\S*model\.onnx(:\d+:\d+)?: (error: )?", "", reason)
    reason = re.sub(r"^(\S+:\d+:\d+: )?error: ", "", reason)
    reason = re.sub(r"node '[^']*' \((\w+)\)", r"\1", reason)
    reason = re.sub(r"^node '[^']*': ", "", reason)
    return reason


def run_test(test_dir, name, bin_dir, work_root, timeout):
    """Runs one test; returns a dict (name, outcome, reasons, ops, seconds)."""
    start = time.monotonic()
    result = {"name": name, "ops": [], "reasons": []}
    work = os.path.join(work_root, name.replace("/", "__"))
    os.makedirs(work, exist_ok=True)

    def finish(outcome, reasons):
        result["outcome"] = outcome
        result["reasons"] = [shorten(r) for r in reasons]
        result["seconds"] = round(time.monotonic() - start, 3)
        shutil.rmtree(work, ignore_errors=True)
        return result

    model_path = os.path.join(test_dir, "model.onnx")
    try:
        model = onnx.load(model_path, load_external_data=False)
    except Exception as e:  # noqa: BLE001
        return finish("unsupported", ["model.onnx does not parse with onnx "
                                      "%s: %s" % (onnx.__version__, e)])
    result["ops"] = sorted(op_types(model.graph, set()))
    initializers = {i.name for i in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    outputs = list(model.graph.output)
    data_sets = sorted(d for d in os.listdir(test_dir)
                       if d.startswith("test_data_set_"))

    # Dynamic input dims are bound from the first data set's shapes.
    compile_argv = [os.path.join(bin_dir, "npu-compile"), model_path, "-o",
                    os.path.join(work, "model.npu"), "--target", "npu-base",
                    "--precision", "fp32"]
    for index, value in enumerate(inputs):
        if value.type.WhichOneof("value") != "tensor_type":
            continue
        dims = value.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims) or not data_sets:
            continue
        path = os.path.join(test_dir, data_sets[0], "input_%d.pb" % index)
        try:
            _, array = load_tensor(path)
        except (Unsupported, OSError):
            continue
        compile_argv += ["--input-shape", "%s=%s" % (
            value.name, "x".join(str(d) for d in array.shape))]
    # DOUBLE tensors compute in f32 on the chip (the test data's doubles
    # are rounded to f32 on the way in, compared with the float tolerance).
    result["f64"] = uses_double(model)
    if result["f64"]:
        compile_argv.append("--onnx-f64-as-f32")
    # Inputs that decide shapes are compile-time values: one compile per
    # data set.
    bound = shape_inputs(model.graph, {i.name for i in inputs})
    result["bound_inputs"] = bound

    def compile_for(data_set):
        """None when npu-compile succeeded, else the finished result."""
        argv = list(compile_argv)
        for index, value in enumerate(inputs):
            if value.name in bound and data_set:
                argv += ["--input-value", "%s=%s" % (value.name, os.path.join(
                    test_dir, data_set, "input_%d.pb" % index))]
        status, code, stderr = run_tool(argv, timeout)
        if status == "timeout":
            return finish("timeout",
                          ["npu-compile ran longer than %ss" % timeout])
        if status == "crash":
            return finish("crash", ["npu-compile died of %s" % signal.Signals(
                -code).name] + error_lines(stderr)[-3:])
        if status == "failed":
            outcome, reasons = classify_compile_failure(stderr)
            return finish(outcome, reasons)
        return None

    failure = compile_for(data_sets[0] if data_sets else None)
    if failure:
        return failure
    if not data_sets:
        return finish("unsupported", ["test has no data sets"])

    for set_index, data_set in enumerate(data_sets):
        if bound and set_index > 0:
            failure = compile_for(data_set)
            if failure:
                return failure
        set_dir = os.path.join(test_dir, data_set)
        run_argv = [os.path.join(bin_dir, "npu-run"),
                    os.path.join(work, "model.npu"), "--quiet"]
        expected = []
        try:
            for index, value in enumerate(inputs):
                if value.name in bound:
                    continue
                data_type, array = load_tensor(
                    os.path.join(set_dir, "input_%d.pb" % index))
                if (value.type.tensor_type.elem_type == TP.BFLOAT16 and
                        data_type == TP.UINT16):
                    # Bf16 stored as its uint16 bit patterns (as outputs).
                    array = (array.astype(np.uint32) << 16).view(np.float32)
                    data_type = TP.BFLOAT16
                declared = [d.dim_value if d.HasField("dim_value") else None
                            for d in value.type.tensor_type.shape.dim]
                if value.type.tensor_type.HasField("shape") and (
                        len(declared) != array.ndim or any(
                            d is not None and d != a
                            for d, a in zip(declared, array.shape))):
                    # ONNX Runtime rejects such data as well.
                    raise Unsupported(
                        "test data: input '%s' has shape %s but the model "
                        "declares %s" % (value.name, list(array.shape),
                                         declared))
                path = os.path.join(work, "in%d.npy" % index)
                np.save(path, to_chip_input(data_type, array, value.name))
                run_argv += ["--input", "%s=%s" % (value.name, path)]
            for index, value in enumerate(outputs):
                data_type, array = load_tensor(
                    os.path.join(set_dir, "output_%d.pb" % index))
                declared = value.type.tensor_type.elem_type
                if declared == TP.BFLOAT16 and data_type == TP.UINT16:
                    # Older test data stores bf16 outputs as their uint16
                    # bit patterns; widen them to f32 (exact).
                    array = (array.astype(np.uint32) << 16).view(np.float32)
                    data_type = TP.BFLOAT16
                if data_type not in FLOAT_TYPES | INT_TYPES | {TP.BOOL}:
                    raise Unsupported("output '%s' has dtype %s, which the "
                                      "chip's I/O does not represent" % (
                                          value.name, dtype_name(data_type)))
                path = os.path.join(work, "out%d.npy" % index)
                expected.append((value.name, data_type, array, path))
                run_argv += ["--output", "%s=%s" % (value.name, path)]
        except Unsupported as e:
            return finish("unsupported", [str(e)])
        except OSError as e:
            return finish("unsupported", ["test data: %s" % e])
        status, code, stderr = run_tool(run_argv, timeout)
        if status == "timeout":
            return finish("timeout", ["npu-run ran longer than %ss" % timeout])
        if status == "crash":
            return finish("crash", ["npu-run died of %s" % signal.Signals(
                -code).name] + error_lines(stderr)[-3:])
        if status == "failed":
            lines = error_lines(stderr)[:1] or ["npu-run exited %d" % code]
            # An int64 input the chip's i32 cannot hold is a limit of the
            # chip, not a failure of the run.
            outcome = ("unsupported" if "outside the chip's i32 range" in
                       lines[0] else "run-error")
            return finish(outcome, lines)
        for out_name, data_type, array, path in expected:
            try:
                message = compare(data_type, array, np.load(path), out_name)
            except Unsupported as e:
                return finish("unsupported", [str(e)])
            if message:
                return finish("wrong", ["%s: %s" % (data_set, message)])
    return finish("pass", [])


def discover(data_dir, suites, names, pattern):
    tests = []
    for suite in suites:
        suite_dir = os.path.join(data_dir, suite)
        if not os.path.isdir(suite_dir):
            sys.exit("error: no suite directory %s" % suite_dir)
        for test in sorted(os.listdir(suite_dir)):
            name = "%s/%s" % (suite, test)
            if not os.path.isfile(os.path.join(suite_dir, test, "model.onnx")):
                continue
            if names is not None and name not in names:
                continue
            if pattern and not re.search(pattern, name):
                continue
            tests.append((os.path.join(suite_dir, test), name))
    return tests


def read_list(path):
    with open(path) as f:
        return [l.split("#")[0].strip() for l in f
                if l.split("#")[0].strip()]


# ---------------------------------------------------------------- the report


def importer_table_ops(doc_path):
    """ONNX op names in the first column of docs/onnx-import.md's table."""
    ops = set()
    in_table = False
    with open(doc_path) as f:
        for line in f:
            if line.startswith("## Supported ops"):
                in_table = True
                continue
            if in_table and line.startswith("## "):
                break
            if in_table and line.startswith("| ") and not line.startswith(
                    "| ONNX op") and not line.startswith("|---"):
                for op in line.split("|")[1].split(","):
                    op = op.strip()
                    # Ops of other domains are written domain:Op.
                    if re.fullmatch(r"([a-z][a-z0-9.]*:)?[A-Z][A-Za-z0-9]*",
                                    op):
                        ops.add(op)
    return ops


def unsupported_by_importer(reasons):
    ops = set()
    for r in reasons:
        m = re.match(r"op type '([^']+)' is not supported", r)
        if m:
            ops.add(m.group(1))
    return ops


def write_doc(path, results, suites, seconds, command, jobs, import_doc):
    by_suite = collections.defaultdict(list)
    for r in results:
        by_suite[r["name"].split("/")[0]].append(r)
    lines = [
        "# ONNX backend conformance",
        "",
        "<!-- Generated by test/conformance/run_onnx_backend.py; do not edit. -->",
        "",
        "The ONNX backend test data (Debian's `libonnx-testdata`, onnx %s) "
        "through `npu-compile --target npu-base --precision fp32` and "
        "`npu-run`, compared with the expected outputs (floats: rtol %g, "
        "atol %g; integers and bools exactly). Outcomes: see "
        "`test/conformance/run_onnx_backend.py`; `unsupported` carries the "
        "importer's or the compiler's reason." % (onnx.__version__, RTOL, ATOL),
        "",
        "```sh",
        command,
        "```",
        "",
        "Wall time: %.0f s with %d workers." % (seconds, jobs),
        "",
        "CI: `ctest -R onnx-conformance` runs exactly the tests listed in "
        "`test/conformance/must_pass.txt` (all of this report's passes) and "
        "fails if any of them does not pass; after widening the op set, "
        "regenerate the list with `--write-must-pass "
        "test/conformance/must_pass.txt` and this file with `--doc`. "
        "`test/conformance/harness.test` (lit) checks the harness's own "
        "classification.",
        "",
        "## Totals",
        "",
        "| suite | tests | " + " | ".join(OUTCOMES) + " |",
        "|---|---:|" + "---:|" * len(OUTCOMES),
    ]
    totals = collections.Counter()
    for suite in suites:
        counts = collections.Counter(r["outcome"] for r in by_suite[suite])
        totals.update(counts)
        lines.append("| %s | %d | %s |" % (suite, len(by_suite[suite]), " | ".join(
            str(counts[o]) for o in OUTCOMES)))
    lines.append("| **all** | %d | %s |" % (len(results), " | ".join(
        "**%d**" % totals[o] for o in OUTCOMES)))

    # Tests whose shape-deciding inputs were bound at compile time.
    bound = [r for r in results if r.get("bound_inputs")]
    bound_pass = [r for r in bound if r["outcome"] == "pass"]
    lines += [
        "",
        "%d tests read a graph input at an operand that decides shapes (a "
        "Reshape target, Resize scales or sizes, Slice bounds, axes: "
        "`SHAPE_OPERANDS` in the harness). The chip needs those values when "
        "compiling, so the harness binds them to each data set's value with "
        "`npu-compile --input-value` (docs/onnx-import.md) and compiles once "
        "per data set; %d of them pass: %s." % (
            len(bound), len(bound_pass),
            ", ".join(r["name"].split("/", 1)[1] for r in bound_pass) or
            "none"),
    ]

    doubles = [r for r in results if r.get("f64")]
    lines += [
        "",
        "%d tests have DOUBLE inputs, outputs or weights; the chip has no "
        "f64, so they are compiled with `--onnx-f64-as-f32` (DOUBLE tensors "
        "computed in f32, the test inputs rounded to f32) and compared with "
        "the float tolerance: %d of them pass." % (
            len(doubles), sum(r["outcome"] == "pass" for r in doubles)),
    ]

    # Tests that are bugs or wrong answers, by name.
    bad = [r for r in results if r["outcome"] in
           ("wrong", "compile-error", "run-error", "crash", "timeout")]
    lines += ["", "## Failures other than unsupported", ""]
    if not bad:
        lines.append("None.")
    else:
        lines += ["| test | outcome | reason | known cause |",
                  "|---|---|---|---|"]
        for r in bad:
            lines.append("| %s | %s | %s | %s |" % (
                r["name"], r["outcome"], md("; ".join(r["reasons"])),
                md(KNOWN_CAUSES.get(r["name"], "-"))))

    # A row per ONNX op: every test whose model uses it.
    per_op = collections.defaultdict(list)
    for r in results:
        for op in r["ops"]:
            per_op[op].append(r)
    lines += [
        "",
        "## Per ONNX op",
        "",
        "Every test whose model uses the op counts in its row (an `_expanded` "
        "test counts for each op of its expansion). `reasons` groups the "
        "tests that did not pass by their first reason.",
        "",
        "| op | tests | pass | reasons for the rest (tests) |",
        "|---|---:|---:|---|",
    ]
    for op in sorted(per_op):
        rs = per_op[op]
        passed = sum(r["outcome"] == "pass" for r in rs)
        reasons = collections.Counter()
        for r in rs:
            if r["outcome"] != "pass":
                reasons["%s: %s" % (r["outcome"], r["reasons"][0] if
                                    r["reasons"] else "?")] += 1
        text = "; ".join("%s (%d)" % (md(k), v) for k, v in
                         reasons.most_common())
        lines.append("| %s | %d | %d | %s |" % (op, len(rs), passed, text))

    # Agreement with the importer's table.
    if import_doc and os.path.exists(import_doc):
        table = importer_table_ops(import_doc)
        rejected = set()
        accepted = set()
        for r in results:
            rejected |= unsupported_by_importer(r["reasons"])
            if r["outcome"] not in ("unsupported",) or not any(
                    "op type" in x or "cannot import" in x for x in r["reasons"]):
                if r["outcome"] == "pass":
                    accepted |= set(r["ops"])
        listed_but_rejected = sorted(table & rejected)
        passing_not_listed = sorted(accepted - table -
                                    {"Constant", "Identity", "Dropout"})
        lines += [
            "",
            "## Agreement with the importer's supported-op table",
            "",
            "Ops listed in docs/onnx-import.md that the importer rejects as an "
            "op type: %s." % (", ".join(listed_but_rejected) or "none"),
            "",
            "Ops in passing tests that the table does not list: %s." % (
                ", ".join(passing_not_listed) or "none"),
        ]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def md(text):
    return text.replace("|", "\\|").replace("\n", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("tests", nargs="*", help="SUITE/TEST names to run")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--suites", default=",".join(DEFAULT_SUITES))
    parser.add_argument("--bin-dir", default=None,
                        help="directory of npu-compile/npu-run (default: PATH)")
    parser.add_argument("--work", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--filter", default=None)
    parser.add_argument("--must-pass", default=None)
    parser.add_argument("--doc", default=None)
    parser.add_argument("--import-doc", default=None,
                        help="docs/onnx-import.md, for the agreement section")
    parser.add_argument("--json", default=None)
    parser.add_argument("--write-must-pass", default=None)
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()

    bin_dir = args.bin_dir
    if bin_dir is None:
        found = shutil.which("npu-compile")
        if not found:
            sys.exit("error: npu-compile not on PATH; give --bin-dir")
        bin_dir = os.path.dirname(found)
    suites = args.suites.split(",")
    names = set(args.tests) if args.tests else None
    if args.must_pass:
        names = set(read_list(args.must_pass))
        suites = sorted({n.split("/")[0] for n in names})
    tests = discover(args.data, suites, names, args.filter)
    if names is not None:
        missing = names - {n for _, n in tests}
        if missing:
            sys.exit("error: tests not found in %s: %s" % (
                args.data, ", ".join(sorted(missing))))
    work = args.work or tempfile.mkdtemp(prefix="onnx-conformance-")
    os.makedirs(work, exist_ok=True)

    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_test, d, n, bin_dir, work, args.timeout)
                   for d, n in tests]
        for future in concurrent.futures.as_completed(futures):
            r = future.result()
            results.append(r)
            if args.verbose or r["outcome"] not in ("pass", "unsupported"):
                print("%-13s %s %s" % (r["outcome"], r["name"],
                                       "; ".join(r["reasons"])[:300]),
                      flush=True)
    seconds = time.monotonic() - start
    results.sort(key=lambda r: r["name"])
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)

    counts = collections.Counter(r["outcome"] for r in results)
    summary = ", ".join("%d %s" % (counts[o], o) for o in OUTCOMES if counts[o])
    print("%d tests in %.1f s (%d workers): %s" % (len(results), seconds,
                                                  args.jobs, summary))
    for suite in suites:
        rs = [r for r in results if r["name"].startswith(suite + "/")]
        print("  %s: %d of %d pass" % (suite, sum(r["outcome"] == "pass"
                                                  for r in rs), len(rs)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"seconds": seconds, "results": results}, f, indent=1)
    if args.doc:
        command = ("test/conformance/run_onnx_backend.py --bin-dir "
                   "build/bin --jobs %d --doc docs/onnx-conformance.md "
                   "--import-doc docs/onnx-import.md" % args.jobs)
        write_doc(args.doc, results, suites, seconds, command, args.jobs,
                  args.import_doc)
    if args.write_must_pass:
        with open(args.write_must_pass, "w") as f:
            f.write("# Tests of the ONNX backend data that must pass (CI gate:\n"
                    "# ctest -R onnx-conformance). Regenerate with\n"
                    "# run_onnx_backend.py --write-must-pass after widening "
                    "the op set.\n")
            for r in results:
                if r["outcome"] == "pass":
                    f.write(r["name"] + "\n")
    if args.must_pass:
        failed = [r for r in results if r["outcome"] != "pass"]
        for r in failed:
            print("REGRESSION: %s: %s: %s" % (r["name"], r["outcome"],
                                              "; ".join(r["reasons"])))
        return 1 if failed else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
