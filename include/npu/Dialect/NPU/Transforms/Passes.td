//===- Passes.td - npu passes ------------------------------*- tablegen -*-===//
#ifndef NPU_DIALECT_NPU_TRANSFORMS_PASSES_TD
#define NPU_DIALECT_NPU_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NPUSetTargetPass : Pass<"npu-set-target", "ModuleOp"> {
  let summary = "attach the chip to compile for to the module";
  let description = [{
    Sets the module's `npu.target` attribute from a preset name
    (`npu-set-target{target=npu-tiny}`) or a JSON file
    (`npu-set-target{target=chips/my-chip.json}`, any value ending in
    `.json`). Unknown presets, unreadable files and invalid chips are errors
    naming the preset, file or offending key.
  }];
  let options = [
    Option<"target", "target", "std::string", /*default=*/"\"npu-base\"",
           "a preset name (npu-base, npu-tiny, ...) or a path to a .json chip">,
  ];
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

def NPUPlaceMemoryPass : Pass<"npu-place-memory", "ModuleOp"> {
  let summary = "give every npu buffer an address by liveness";
  let description = [{
    Assigns `address` to every `npu.alloc`, `npu.io` and `npu.constant` of
    each `npu.program`. A buffer is live from its first to its last use in
    program order; I/O, state and constants live for the whole program. DRAM
    holds the inputs, then the outputs, then the state, then the constants,
    then the intermediate tensors, which reuse the space of dead ones; SRAM
    and accumulator buffers are packed the same way. Addresses are aligned to
    `sram_alignment` (SRAM), `acc_alignment` (ACC) and 64 bytes (DRAM).

    When greedy packing fragments memory so that a buffer finds no gap, the
    program is placed again first-fit, then with SRAM and ACC packed largest
    buffer first; only when all fail is it an error.

    The placement is then proven sound as `npu-verify-placement` does. A
    working set that does not fit names the layer, the bytes it needs and
    the bytes the chip has.

    The peaks are pass statistics (`--mlir-pass-statistics`, in builds with
    LLVM statistics enabled) and, with `report`, a remark on each program:
    `npu-place-memory: most bytes live at once: sram 300, acc 14, dram 1024;
    highest byte used: sram 1152, acc 16, dram 1024 (13 buffers)`.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark with each program's peak SRAM/ACC/DRAM bytes">,
    Option<"ring", "ring", "bool", /*default=*/"true",
           "place SRAM and ACC buffers next-fit (each search starts where "
           "the previous buffer ended) rather than first-fit, so freed "
           "addresses are reused as late as possible; falls back to "
           "first-fit when the ring fragments memory too much">,
  ];
  let statistics = [
    Statistic<"peakSramBytes", "peak-sram-bytes",
              "highest SRAM byte used (end of the highest buffer)">,
    Statistic<"peakLiveSramBytes", "peak-live-sram-bytes",
              "most SRAM bytes live at once">,
    Statistic<"peakAccBytes", "peak-acc-bytes",
              "highest accumulator byte used">,
    Statistic<"peakDramBytes", "peak-dram-bytes",
              "highest DRAM byte used (I/O + constants + live intermediates)">,
    Statistic<"numPlacedBuffers", "placed-buffers", "buffers given an address">,
  ];
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

def NPUVerifyPlacementPass : Pass<"npu-verify-placement", "ModuleOp"> {
  let summary = "prove that no two live npu buffers overlap";
  let description = [{
    Checks every `npu.program` of the module: each buffer has an address,
    aligned for its memory and inside it (the module's `npu.target`), and no
    two buffers of the same memory whose live ranges (first to last use in
    program order; whole program for I/O and constants) intersect share a
    byte. Changes nothing; fails with a message naming both buffers.
  }];
}

def NPUStateInPlacePass : Pass<"npu-state-in-place", "ModuleOp"> {
  let summary = "write a state tensor's new value in place when that is "
                "provably safe";
  let description = [{
    npu-tile computes the new value of a persistent state tensor into a
    DRAM temporary and copies it over the state at the end of the program
    (a layer of kind `state_update`), which is always correct but costs a
    DRAM round trip per state byte. This pass removes such a copy by making
    the instructions write the state tensor itself, when it proves on the
    exact byte ranges of the unplaced program that nothing can tell the
    difference: every read of a state byte (old value) comes, in program
    order, before the first write of the temporary at that byte; nothing
    else writes the state; the temporary is not written after the copy; and
    the copy is a whole, unconverted copy of the tensor. Elementwise update
    kernels (an optimizer step) qualify: each tile reads its elements before
    storing them. A new value that reads the old one after writing part of
    itself (e.g. a transpose of the state) keeps its copy.

    Run it after npu-tile and before npu-place-memory. With `report`, a
    remark on each state tensor says which way it went.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "emit a remark per state update: in place or copied, and why">,
  ];
  let statistics = [
    Statistic<"numInPlace", "in-place", "state updates written in place">,
    Statistic<"numCopied", "copied", "state updates left as copies">,
  ];
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

#endif // NPU_DIALECT_NPU_TRANSFORMS_PASSES_TD
