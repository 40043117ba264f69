//===- Passes.td - conversions between npu-mlir's levels ---*- tablegen -*-===//
#ifndef NPU_CONVERSION_PASSES_TD
#define NPU_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def NPUTilePass : Pass<"npu-tile", "ModuleOp"> {
  let summary = "tile func.func @main (nn ops) into an npu.program of chip "
                "instructions";
  let description = [{
    Converts `func.func @main` into `npu.program @main`: `npu.io` for the
    arguments and results (named by their `nn.name` attributes, else
    `arg<i>` / `out<i>`), an `npu.constant` for every `nn.constant` that is
    used (converted at compile time to the chip dtype: floats to the
    compute precision, integers to i32, booleans to f32 0/1), a DRAM
    `npu.alloc` for every intermediate tensor, and one `npu.layer` per nn op
    holding the op's fully unrolled chip instructions, emitted by its kernel
    (see lib/Conversion/NNToNPU/*Kernels.cpp). `nn.reshape` and `nn.flatten`
    are views: they alias their input's DRAM tensor.

    Persistent state (docs/training.md): an argument marked `nn.state` is an
    `npu.io ... state` tensor initialized from its `nn.initial_value`; a
    result marked `nn.state = "<name>"` is computed into a DRAM temporary
    in the state's dtype and copied over the state by a `state_update`
    layer after all other layers (npu-state-in-place removes the copy where
    it proves that safe).

    Every nn op kind without a kernel is reported in one message with its
    count, so a whole model's support gap is visible at once. A tensor larger
    than the chip's DRAM is an error naming it. The chip is the module's
    `npu.target` (run `npu-set-target` first).
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"fp32\"",
           "dtype of MXU operands and float activations: fp32 or bf16 "
           "(accumulation is always fp32; I/O stays fp32)">,
    Option<"doubleBuffer", "double-buffer", "bool", /*default=*/"true",
           "give every streamed operand two buffers so the DMA of tile i+1 "
           "overlaps the compute of tile i">,
  ];
  let statistics = [
    Statistic<"numLayers", "layers", "npu.layer ops created">,
    Statistic<"numInstructions", "instructions", "instruction ops created">,
    Statistic<"numConstants", "constants", "npu.constant ops created">,
    Statistic<"numAliases", "aliases", "reshapes lowered as views">,
  ];
  let dependentDialects = ["::mlir::npu::NPUDialect"];
}

def NPULowerToISAPass : Pass<"npu-lower-to-isa", "ModuleOp"> {
  let summary = "lower a placed npu.program to an npuisa.program: absolute "
                "addresses, engine streams, semaphores, tables, source map";
  let description = [{
    Converts every placed `npu.program` (run `npu-place-memory` first) into
    the `npuisa.program` of the same name that `npu-translate
    --serialize-npu` writes. Each instruction gets its bound buffers' placed
    addresses added to its address fields and goes to its engine's stream.
    Hazards between engines (RAW, WAR, WAW) are computed from the exact byte
    ranges each instruction reads and writes (the bounding range of a DMA
    box) in program order; instructions of one engine need no
    synchronization (they run and complete in program order). Each needed
    dependency not already implied by an earlier one becomes a signal on the
    latest producer and a wait on the consumer, through one counting
    semaphore per ordered engine pair (at most 12; more than the chip has is
    an error). Waits beyond an instruction's two slots go on NOPs just
    before it; signals beyond two go on NOPs right after the producer. Every
    signal is waited for exactly once, so all semaphores end at zero, and
    every wait refers to an earlier instruction, so the program cannot
    deadlock (`npuisa-verify-sync` proves it). Each engine ends with a HALT;
    `npu.io` and `npu.constant` become the I/O, state and constant tables
    (a state's initial value is a constant at its own address) and each
    `npu.layer` a source-map entry.
  }];
  let options = [
    Option<"serialize", "serialize", "bool", /*default=*/"false",
           "make every instruction also wait for the previous one in "
           "program order, so engines never overlap (a baseline schedule)">,
    Option<"summary", "summary", "bool", /*default=*/"false",
           "emit a remark on each program with the statistics below (pass "
           "statistics are compiled out of release LLVM builds)">,
  ];
  let statistics = [
    Statistic<"numDmaLoadInstructions", "num-dma-load-instructions",
              "instructions in the dma_load stream (NOPs and HALT included)">,
    Statistic<"numDmaStoreInstructions", "num-dma-store-instructions",
              "instructions in the dma_store stream (NOPs and HALT included)">,
    Statistic<"numMxuInstructions", "num-mxu-instructions",
              "instructions in the mxu stream (NOPs and HALT included)">,
    Statistic<"numVpuInstructions", "num-vpu-instructions",
              "instructions in the vpu stream (NOPs and HALT included)">,
    Statistic<"numSemaphores", "num-semaphores", "semaphores used">,
    Statistic<"numWaits", "num-waits", "semaphore waits inserted">,
    Statistic<"numNops", "num-nops", "NOPs added for extra waits and signals">,
  ];
  let dependentDialects = ["::mlir::npuisa::NPUISADialect"];
}

#endif // NPU_CONVERSION_PASSES_TD
