//===- fuzz_tensor_files.cpp - libFuzzer: .npy, .pb and target JSON -------===//
//
// The other files npu-run and npu-opt read from users: .npy and ONNX
// TensorProto (.pb) tensors (parseNpy / parseTensorProto) and custom chip
// targets (parseTargetJSON). The first byte picks the parser, the rest is the
// file. Accepted tensors are serialized back, which must succeed.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Target.h"
#include "npu/Runtime/TensorIO.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

static void checkReserializes(const npurt::HostTensor &tensor, bool npy) {
  if (npy) {
    auto bytes = npurt::serializeNpy(tensor);
    if (!bytes) {
      llvm::errs() << "accepted .npy cannot be written back: "
                   << llvm::toString(bytes.takeError()) << "\n";
      std::abort();
    }
    return;
  }
  auto bytes = npurt::serializeTensorProto(tensor, "t");
  if (!bytes) {
    llvm::errs() << "accepted .pb cannot be written back: "
                 << llvm::toString(bytes.takeError()) << "\n";
    std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  llvm::ArrayRef<uint8_t> file(data + 1, size - 1);
  switch (data[0] % 3) {
  case 0:
  case 1: {
    bool npy = data[0] % 3 == 0;
    auto tensor = npy ? npurt::parseNpy(file, "fuzz.npy")
                      : npurt::parseTensorProto(file, "fuzz.pb");
    if (!tensor) {
      llvm::consumeError(tensor.takeError());
      return 0;
    }
    checkReserializes(*tensor, npy);
    return 0;
  }
  default: {
    llvm::StringRef text(reinterpret_cast<const char *>(file.data()),
                         file.size());
    auto target = npurt::parseTargetJSON(text);
    if (!target) {
      llvm::consumeError(target.takeError());
      return 0;
    }
    // An accepted target must print and re-parse to itself.
    auto again = npurt::parseTargetJSON(npurt::toJSON(*target));
    if (!again || *again != *target) {
      llvm::errs() << "accepted target does not round-trip through JSON\n";
      std::abort();
    }
    return 0;
  }
  }
}
