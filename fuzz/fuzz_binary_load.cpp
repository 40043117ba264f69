//===- fuzz_binary_load.cpp - libFuzzer: chip binary -> loader/validator --===//
//
// readBinary is the runtime's trust boundary: it must reject any malformed,
// truncated or foreign file with an error and never read out of bounds. An
// accepted file must round-trip: writeBinary(readBinary(b)) == b (the format
// is canonical, docs/binary-format.md), which this target checks too. Reading
// with the streams left encoded (StreamForm::Encoded) must give the same
// message or an equal program.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // A private, 8-aligned copy: the reader needs the alignment mlir-translate
  // and MemoryBuffer::getFile give it, and ASan then flags any read past the
  // end exactly.
  std::unique_ptr<llvm::WritableMemoryBuffer> copy =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(size, "fuzz.npu",
                                                        llvm::Align(8));
  if (size)
    std::memcpy(copy->getBufferStart(), data, size);
  llvm::Expected<npurt::Program> program =
      npurt::readBinary(copy->getMemBufferRef());
  llvm::Expected<npurt::Program> encoded = npurt::readBinary(
      std::shared_ptr<const llvm::MemoryBuffer>(std::move(copy)),
      npurt::StreamForm::Encoded);
  if (!program || !encoded) {
    std::string message =
        program ? "<accepted>" : llvm::toString(program.takeError());
    std::string encodedMessage =
        encoded ? "<accepted>" : llvm::toString(encoded.takeError());
    if (message != encodedMessage) {
      llvm::errs() << "the encoded read differs: '" << encodedMessage
                   << "' instead of '" << message << "'\n";
      std::abort();
    }
    return 0;
  }
  if (*encoded != *program) {
    llvm::errs() << "the encoded read gives another program\n";
    std::abort();
  }
  llvm::Expected<std::vector<uint8_t>> bytes = npurt::writeBinary(*program);
  if (!bytes) {
    llvm::errs() << "accepted binary cannot be written back: "
                 << llvm::toString(bytes.takeError()) << "\n";
    std::abort();
  }
  if (bytes->size() != size || std::memcmp(bytes->data(), data, size) != 0) {
    llvm::errs() << "accepted binary is not canonical\n";
    std::abort();
  }
  return 0;
}
