//===- npu-translate.cpp - translations in and out of npu-mlir ------------===//
//
// --import-onnx (ONNX model -> nn), --serialize-npu / --deserialize-npu
// (npuisa <-> chip binary).
//
//===----------------------------------------------------------------------===//
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

#include "npu/Import/ONNXImporter.h"
#include "npu/InitAll.h"
#include "npu/Target/NPUISA/Registration.h"

int main(int argc, char **argv) {
  mlir::npu::registerONNXImportTranslation();
  mlir::npuisa::registerNPUBinaryTranslations();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "npu-mlir translation driver\n"));
}
