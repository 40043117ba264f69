// RUN: npu-opt %s -split-input-file | FileCheck %s
// RUN: npu-opt %s -split-input-file | npu-opt -split-input-file | FileCheck %s
// RUN: npu-opt %s -split-input-file --verify-roundtrip -o /dev/null

// A preset prints as its name.
// CHECK-LABEL: module @base
// CHECK-SAME: npu.target = #npu.target<"npu-base">
module @base attributes {npu.target = #npu.target<"npu-base">} {}

// -----

// CHECK-LABEL: module @tiny
// CHECK-SAME: npu.target = #npu.target<"npu-tiny">
module @tiny attributes {npu.target = #npu.target<"npu-tiny">} {}

// -----

// Overrides of a preset; the printer picks the closest preset.
// CHECK-LABEL: module @tiny_bigger_sram
// CHECK-SAME: #npu.target<"npu-tiny", {sram_bytes = 524288}>
module @tiny_bigger_sram attributes {npu.target = #npu.target<"npu-tiny", {sram_bytes = 524288}>} {}

// -----

// A bare dictionary overrides npu-base; all parameter kinds.
// CHECK-LABEL: module @custom
// CHECK-SAME: #npu.target<"npu-base", {clock_ghz = 1.500000e+00, cores = 4, mxu_cols = 64, mxu_rows = 64, name = "my-chip"}>
module @custom attributes {npu.target = #npu.target<{mxu_rows = 64, mxu_cols = 64, cores = 4, clock_ghz = 1.5, name = "my-chip"}>} {}

// -----

// Overriding every differing field of a preset gives that preset back.
// CHECK-LABEL: module @same_as_tiny
// CHECK-SAME: #npu.target<"npu-tiny">
module @same_as_tiny attributes {npu.target = #npu.target<"npu-tiny", {name = "npu-tiny"}>} {}
