#!/usr/bin/env python3
"""Runs state-updating programs on the simulator and checks every value.

Usage: state_update_check.py WORKDIR [--target npu-tiny]

Each case is a `@main` of nn ops with `nn.state` arguments and results,
compiled by npu-compile (so npu-state-in-place decides between writing in
place and copying) and run three times on one `npu.Binary`; after each run
the outputs and the state are compared with numpy. The cases are those of
test/Dialect/NPU/state-in-place.mlir: an elementwise update (in place), an
update whose old value is read afterwards (copy), a tiled transpose (copy),
a state set from an input, two states swapped, an unchanged state, and an
initial value. Prints one line per case; exits 1 on a mismatch.
"""
import argparse
import os
import subprocess
import sys

import numpy as np

import npu

CASES = {
    "elementwise": ('''
func.func @main(%g: tensor<8x3xf32> {nn.name = "g"}, %w: tensor<8x3xf32> {nn.name = "w", nn.state, nn.initial_value = dense<0.5> : tensor<8x3xf32>}) -> (tensor<8x3xf32> {nn.state = "w"}) {
  %nw = nn.sub %w, %g : (tensor<8x3xf32>, tensor<8x3xf32>) -> tensor<8x3xf32>
  return %nw : tensor<8x3xf32>
}''', lambda s, i: ({}, {"w": s["w"] - i["g"]})),
    "read-after-update": ('''
func.func @main(%x: tensor<4x4xf32> {nn.name = "x"}, %w: tensor<4x4xf32> {nn.name = "w", nn.state}) -> (tensor<4x4xf32> {nn.name = "y"}, tensor<4x4xf32> {nn.state = "w"}) {
  %nw = nn.sub %w, %x : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %y = nn.matmul %x, %w : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  return %y, %nw : tensor<4x4xf32>, tensor<4x4xf32>
}''', lambda s, i: ({"y": i["x"] @ s["w"]}, {"w": s["w"] - i["x"]})),
    "transpose": ('''
func.func @main(%w: tensor<256x256xf32> {nn.name = "w", nn.state}) -> (tensor<256x256xf32> {nn.state = "w"}) {
  %t = nn.transpose %w {perm = array<i64: 1, 0>} : (tensor<256x256xf32>) -> tensor<256x256xf32>
  return %t : tensor<256x256xf32>
}''', lambda s, i: ({}, {"w": s["w"].T})),
    "from-input": ('''
func.func @main(%x: tensor<4xf32> {nn.name = "x"}, %w: tensor<4xf32> {nn.name = "w", nn.state}) -> (tensor<4xf32> {nn.name = "y"}, tensor<4xf32> {nn.state = "w"}) {
  %y = nn.add %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y, %x : tensor<4xf32>, tensor<4xf32>
}''', lambda s, i: ({"y": i["x"] + s["w"]}, {"w": i["x"]})),
    "swap": ('''
func.func @main(%a: tensor<4xf32> {nn.name = "a", nn.state, nn.initial_value = dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>}, %b: tensor<4xf32> {nn.name = "b", nn.state, nn.initial_value = dense<[5.0, 6.0, 7.0, 8.0]> : tensor<4xf32>}) -> (tensor<4xf32> {nn.state = "a"}, tensor<4xf32> {nn.state = "b"}) {
  return %b, %a : tensor<4xf32>, tensor<4xf32>
}''', lambda s, i: ({}, {"a": s["b"], "b": s["a"]})),
    "unchanged": ('''
func.func @main(%x: tensor<4xf32> {nn.name = "x"}, %w: tensor<4xf32> {nn.name = "w", nn.state, nn.initial_value = dense<[1.0, -1.0, 2.0, -2.0]> : tensor<4xf32>}) -> (tensor<4xf32> {nn.name = "y"}, tensor<4xf32> {nn.state = "w"}) {
  %y = nn.mul %x, %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y, %w : tensor<4xf32>, tensor<4xf32>
}''', lambda s, i: ({"y": i["x"] * s["w"]}, {"w": s["w"]})),
}


def main():
    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("workdir")
    parser.add_argument("--target", default="npu-tiny")
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    rng = np.random.default_rng(0)
    failed = False
    for name, (source, step) in CASES.items():
        mlir = os.path.join(args.workdir, name + ".mlir")
        binary = os.path.join(args.workdir, name + ".npu")
        open(mlir, "w").write(source)
        subprocess.run(["npu-compile", mlir, "--target", args.target,
                        "-o", binary], check=True)
        program = npu.load(binary)
        state = program.state_dict()
        if name == "swap":
            ok = (np.array_equal(state["a"], [1, 2, 3, 4]) and
                  np.array_equal(state["b"], [5, 6, 7, 8]))
        else:
            ok = True
        for info in program.state:  # random starting values where allowed
            if name not in ("swap", "unchanged", "elementwise"):
                value = rng.standard_normal(info.shape).astype(np.float32)
                program.set_state(info.name, value)
                state[info.name] = value
        for _ in range(3):
            inputs = {info.name: rng.standard_normal(info.shape).astype(np.float32)
                      for info in program.inputs}
            outputs = program.run(inputs).outputs
            expected_outputs, expected_state = step(state, inputs)
            for key, value in expected_outputs.items():
                ok &= np.allclose(outputs[key], value, rtol=1e-6, atol=1e-6)
            for key, value in expected_state.items():
                ok &= np.array_equal(program.get_state(key), value.astype(np.float32))
            state = {**state, **expected_state}
        failed |= not ok
        print(f"{'ok' if ok else 'FAIL'}: {name}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
