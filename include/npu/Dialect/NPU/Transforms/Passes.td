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

#endif // NPU_DIALECT_NPU_TRANSFORMS_PASSES_TD
