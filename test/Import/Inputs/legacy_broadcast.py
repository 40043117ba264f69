"""Opset-6 models with legacy broadcasting for legacy-broadcast.test."""
import sys

import onnx
from onnx import TensorProto, helper as h

kind, path = sys.argv[1], sys.argv[2]
x = h.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3, 4, 5])
if kind == "axis":
    b = h.make_tensor_value_info("b", TensorProto.FLOAT, [3])
    nodes = [h.make_node("Add", ["x", "b"], ["y"], broadcast=1, axis=1),
             h.make_node("Greater", ["x", "b"], ["z"], broadcast=1, axis=1)]
    outs = [h.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 5]),
            h.make_tensor_value_info("z", TensorProto.BOOL, [2, 3, 4, 5])]
elif kind == "trailing":
    b = h.make_tensor_value_info("b", TensorProto.FLOAT, [5])
    nodes = [h.make_node("Mul", ["x", "b"], ["y"], broadcast=1)]
    outs = [h.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 5])]
elif kind == "no_broadcast":
    b = h.make_tensor_value_info("b", TensorProto.FLOAT, [5])
    nodes = [h.make_node("Add", ["x", "b"], ["y"], name="add_no_broadcast")]
    outs = [h.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 5])]
else:
    b = h.make_tensor_value_info("b", TensorProto.FLOAT, [4, 5])
    nodes = [h.make_node("Add", ["x", "b"], ["y"], name="add_bad_axis",
                         broadcast=1, axis=3)]
    outs = [h.make_tensor_value_info("y", TensorProto.FLOAT, [2, 3, 4, 5])]
graph = h.make_graph(nodes, "legacy", [x, b], outs)
model = h.make_model(graph, opset_imports=[h.make_opsetid("", 6)])
onnx.save(model, path)
