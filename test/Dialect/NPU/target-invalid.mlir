// RUN: npu-opt %s -split-input-file -verify-diagnostics

// expected-error @below {{invalid target: mxu_rows must be a power of two in [4, 1024]}}
module attributes {npu.target = #npu.target<{mxu_rows = 100}>} {}

// -----

// expected-error @below {{invalid target: unknown target preset 'npu-huge' (expected one of: npu-base, npu-tiny)}}
module attributes {npu.target = #npu.target<"npu-huge">} {}

// -----

// expected-error @below {{invalid target: unknown target key 'mxu_rowz'}}
module attributes {npu.target = #npu.target<"npu-tiny", {mxu_rowz = 64}>} {}

// -----

// expected-error @below {{target field 'mxu_rows' must be an integer, a float or a string}}
module attributes {npu.target = #npu.target<{mxu_rows = [64]}>} {}

// -----

// expected-error @below {{invalid target: sram_bytes must be a multiple of sram_banks*sram_alignment (1024)}}
module attributes {npu.target = #npu.target<{sram_bytes = 1000}>} {}

// -----

// expected-error @below {{invalid target: target key 'cores' must be a non-negative integer}}
module attributes {npu.target = #npu.target<{cores = -1}>} {}
