// RUN: npu-opt %s -npu-set-target=target=npu-tiny | FileCheck %s --check-prefix=TINY
// RUN: npu-opt %s -npu-set-target | FileCheck %s --check-prefix=BASE
// RUN: npu-opt %s -npu-set-target=target=%S/Inputs/small-chip.json | FileCheck %s --check-prefix=FROMFILE
// The pass replaces a target already present.
// RUN: npu-opt %s -npu-set-target=target=npu-tiny -npu-set-target=target=npu-base | FileCheck %s --check-prefix=BASE

// RUN: not npu-opt %s -npu-set-target=target=npu-huge 2>&1 | FileCheck %s --check-prefix=PRESET
// RUN: not npu-opt %s -npu-set-target=target=%S/Inputs/missing.json 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not npu-opt %s -npu-set-target=target=%S/Inputs/bad-chip.json 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not npu-opt %s -npu-set-target=target=%S/Inputs/unknown-key.json 2>&1 | FileCheck %s --check-prefix=KEY
// RUN: not npu-opt %s -npu-set-target=target=%S/Inputs/truncated.json 2>&1 | FileCheck %s --check-prefix=SYNTAX

// TINY: module attributes {npu.target = #npu.target<"npu-tiny">}
// BASE: module attributes {npu.target = #npu.target<"npu-base">}
// FROMFILE: module attributes {npu.target = #npu.target<"npu-tiny", {cores = 2, mxu_cols = 16, mxu_rows = 16, name = "small-chip"}>}
// PRESET: error: invalid target: unknown target preset 'npu-huge' (expected one of: npu-base, npu-tiny)
// MISSING: error: cannot read target file '{{.*}}missing.json': No such file or directory
// BAD: error: in '{{.*}}bad-chip.json': invalid target: mxu_rows must be a power of two in [4, 1024]
// KEY: error: in '{{.*}}unknown-key.json': invalid target: unknown target key 'mxu_rowz'
// SYNTAX: error: in '{{.*}}truncated.json': invalid target: target JSON: [1:18, byte=18]: Expected object key
module {
}
