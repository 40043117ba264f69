// RUN: npu-opt %s --npu-tile -split-input-file -verify-diagnostics
// RUN: not npu-opt %s --npu-tile=precision=fp16 -split-input-file 2>&1 | FileCheck %s --check-prefix=PRECISION

// Every error npu-tile reports for an input it cannot compile.

// expected-error @below {{npu-tile needs the chip: the module has no 'npu.target' attribute; run npu-set-target first}}
module {
  func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// expected-error @below {{npu-tile: the module has no func.func @main with a body to compile}}
module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @forward(%x: tensor<4xf32>) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}

// -----

// The whole model's support gap in one message: every kind, with its count.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: 3 ops of 2 kinds have no chip kernel: nn.softmax (2), nn.log_softmax (1)}}
  func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    // expected-note @below {{first nn.softmax here}}
    %0 = nn.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
    // expected-note @below {{first nn.log_softmax here}}
    %1 = nn.log_softmax %0 {axis = 1 : i64} : tensor<2x3xf32>
    %2 = nn.softmax %1 {axis = 0 : i64} : tensor<2x3xf32>
    return %2 : tensor<2x3xf32>
  }
}

// -----

// A tensor larger than the chip's DRAM is named with its size.
module attributes {npu.target = #npu.target<"npu-tiny", {dram_bytes = 1048576}>} {
  // expected-error @below {{tensor 'image' (1024x1024 f32) needs 4194304 bytes, more than the chip's DRAM (dram_bytes = 1048576)}}
  func.func @main(%x: tensor<1024x1024xf32> {nn.name = "image"}) -> tensor<4xf32> {
    %c = nn.constant dense<1.0> : tensor<4xf32>
    return %c : tensor<4xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: input 'n' has type 'i32'; only statically shaped tensors can be chip inputs, outputs and state}}
  func.func @main(%n: i32 {nn.name = "n"}) -> tensor<4xf32> {
    %c = nn.constant dense<1.0> : tensor<4xf32>
    return %c : tensor<4xf32>
  }
}

// -----

// Integers are i32 on the chip: a constant element that does not fit is an
// error, not a silent wrap.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main() -> tensor<2xi64> {
    %c = nn.constant dense<[1, 1099511627776]> : tensor<2xi64> loc("offsets")
    // expected-error @below {{uses constant 'offsets' that cannot be placed on the chip: element 1 (1099511627776) does not fit the chip's i32}}
    return %c : tensor<2xi64>
  }
}

// -----

// IR printed with elided weights cannot be compiled.
module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main() -> tensor<2xf16> {
    %c = nn.constant dense_resource<__elided__> : tensor<2xf16> loc("w")
    // expected-error @below {{uses constant 'w' that cannot be placed on the chip: its dense_resource data is missing (elided)}}
    return %c : tensor<2xf16>
  }
}

// PRECISION: error: npu-tile: unknown precision 'fp16' (expected fp32 or bf16)

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: argument 'w' has an nn.initial_value but is not a state tensor (no nn.state)}}
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.initial_value = dense<1.0> : tensor<2xf32>}) -> tensor<2xf32> {
    return %w : tensor<2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: the nn.initial_value of state 'w' must be elements of type 'tensor<2xf32>', got elements of type 'tensor<3xf32>'}}
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.state, nn.initial_value = dense<1.0> : tensor<3xf32>}) -> tensor<2xf32> {
    return %w : tensor<2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: the nn.initial_value of state 'w' must be elements of type 'tensor<2xf32>', got a non-elements attribute}}
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.state, nn.initial_value = 1.0 : f32}) -> tensor<2xf32> {
    return %w : tensor<2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  // expected-error @below {{npu-tile: the initial value of state 'n' cannot be placed on the chip: element 0 (1099511627776) does not fit the chip's i32}}
  func.func @main(%n: tensor<1xi64> {nn.name = "n", nn.state, nn.initial_value = dense<1099511627776> : tensor<1xi64>}) -> tensor<1xi64> {
    return %n : tensor<1xi64>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.state}) -> (tensor<2xf32> {nn.state = "v"}) {
    // expected-error @below {{npu-tile: result #0 has nn.state = "v" but no argument is a state tensor of that name}}
    return %w : tensor<2xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.state}, %x: tensor<3xf32>) -> (tensor<3xf32> {nn.state = "w"}) {
    // expected-error @below {{npu-tile: result #0 updates state 'w' of type 'tensor<2xf32>' with a value of type 'tensor<3xf32>'}}
    return %x : tensor<3xf32>
  }
}

// -----

module attributes {npu.target = #npu.target<"npu-tiny">} {
  func.func @main(%w: tensor<2xf32> {nn.name = "w", nn.state}, %x: tensor<2xf32>) -> (tensor<2xf32> {nn.state = "w"}, tensor<2xf32> {nn.state = "w"}) {
    // expected-error @below {{npu-tile: state 'w' is updated by more than one result}}
    return %x, %x : tensor<2xf32>, tensor<2xf32>
  }
}
