//===- Registration.h - the chip binary translations --------------*- C++ -*-===//
#ifndef NPU_TARGET_NPUISA_REGISTRATION_H
#define NPU_TARGET_NPUISA_REGISTRATION_H

namespace mlir::npuisa {

/// Registers `--serialize-npu` (npuisa -> chip binary) and `--deserialize-npu`
/// (chip binary -> npuisa, the disassembler) with mlir-translate's driver.
void registerNPUBinaryTranslations();

} // namespace mlir::npuisa

#endif // NPU_TARGET_NPUISA_REGISTRATION_H
