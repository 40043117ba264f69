//===- NPUAttrs.td - npu dialect attributes ---------------*- tablegen -*-===//
#ifndef NPU_DIALECT_NPU_IR_NPUATTRS_TD
#define NPU_DIALECT_NPU_IR_NPUATTRS_TD

include "npu/Dialect/NPU/IR/NPUDialect.td"

def NPU_TargetAttr : NPU_Attr<"Target", "target"> {
  let summary = "the chip a module is compiled for";
  let description = [{
    Every parameter of the chip (the runtime's `Target`): MXU shape and dtype
    rates, VPU lanes, SRAM / accumulator sizes and banks, DRAM size and
    bandwidth, DMA queues and latency, semaphores, cores, clock and energy
    figures. The field names are the JSON keys of docs/chip.md.

    Syntax, always normalized to the full parameter set:

    ```mlir
    #npu.target<"npu-base">                         // a preset
    #npu.target<"npu-tiny", {sram_bytes = 524288}>  // a preset with overrides
    #npu.target<{mxu_rows = 64, mxu_cols = 64}>     // overrides of npu-base
    ```

    Values are integers, floats or strings (the `name` field). The
    `npu-set-target` pass sets the module's target from a preset name or a
    JSON chip file (`npu-opt -npu-set-target=target=targets/npu-edge.json`).

    The printer picks the preset that needs the fewest overrides, so a preset
    prints as its name. Impossible chips are rejected with the runtime's
    validation message, which names the offending field.
  }];
  let parameters = (ins "::mlir::DictionaryAttr":$fields);
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The runtime's view of this chip (already validated by the verifier).
    ::npurt::Target getTarget() const;
    /// Builds the attribute for `target`.
    static TargetAttr get(::mlir::MLIRContext *context,
                          const ::npurt::Target &target);
    /// Parses `json` as a target (JSON with the attribute's field names).
    static ::mlir::FailureOr<TargetAttr>
    parseJSON(::mlir::MLIRContext *context, ::llvm::StringRef json,
              ::llvm::function_ref<::mlir::InFlightDiagnostic()> emitError);
    /// The `npu.target` attribute of `op` or of its closest ancestor that has
    /// one; null when there is none.
    static TargetAttr lookup(::mlir::Operation *op);
    /// The name modules carry the target under.
    static constexpr ::llvm::StringLiteral kAttrName = "npu.target";
  }];
}

#endif // NPU_DIALECT_NPU_IR_NPUATTRS_TD
