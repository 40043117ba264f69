//===- HostMemory.cpp - zero-filled host memory for simulated memories ----===//
//
// On Linux an anonymous mapping (zero pages on first touch); buffers of at
// least one huge page are aligned to 2 MiB and advised MADV_HUGEPAGE (honoured
// when transparent huge pages are set to "madvise" or "always"). Elsewhere,
// and under AddressSanitizer (whose redzones around heap blocks catch an
// access past a simulated memory; they do not guard a mapping), calloc.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/HostMemory.h"

#include <cstdlib>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NPU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NPU_ASAN 1
#endif

#if defined(__linux__) && !defined(NPU_ASAN)
#define NPU_MAP_ZERO_PAGES 1
#include <sys/mman.h>
#endif

using namespace npurt;

#if defined(NPU_MAP_ZERO_PAGES)
/// The x86-64 / AArch64 (4 KiB granule) transparent huge page size.
static constexpr size_t kHugePage = size_t(2) << 20;
#endif

bool ZeroedMemory::allocate(size_t size) {
  release();
  if (size == 0)
    return true;
#if defined(NPU_MAP_ZERO_PAGES)
  bool huge = size >= kHugePage;
  size_t mapped = huge ? size + kHugePage : size;
  if (mapped < size)
    return false;
  void *base = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED)
    return false;
  uintptr_t start = reinterpret_cast<uintptr_t>(base);
  if (huge) {
    start = (start + kHugePage - 1) & ~(kHugePage - 1);
#if defined(MADV_HUGEPAGE)
    (void)madvise(reinterpret_cast<void *>(start), size, MADV_HUGEPAGE);
#endif
  }
  mapping = base;
  mappingLength = mapped;
  bytes = reinterpret_cast<uint8_t *>(start);
#else
  bytes = static_cast<uint8_t *>(std::calloc(size, 1));
  if (!bytes)
    return false;
  mapping = bytes;
#endif
  length = size;
  return true;
}

ZeroedMemory &ZeroedMemory::operator=(ZeroedMemory &&other) noexcept {
  if (this != &other) {
    release();
    bytes = other.bytes;
    length = other.length;
    mapping = other.mapping;
    mappingLength = other.mappingLength;
    other.bytes = nullptr;
    other.length = 0;
    other.mapping = nullptr;
    other.mappingLength = 0;
  }
  return *this;
}

void ZeroedMemory::release() {
  if (!mapping)
    return;
#if defined(NPU_MAP_ZERO_PAGES)
  munmap(mapping, mappingLength);
#else
  std::free(mapping);
#endif
  bytes = nullptr;
  length = 0;
  mapping = nullptr;
  mappingLength = 0;
}

void npurt::adviseHugePages(void *data, size_t size) {
#if defined(NPU_MAP_ZERO_PAGES) && defined(MADV_HUGEPAGE)
  uintptr_t begin = reinterpret_cast<uintptr_t>(data);
  uintptr_t end = begin + size;
  begin = (begin + kHugePage - 1) & ~(kHugePage - 1);
  end &= ~(kHugePage - 1);
  if (end > begin)
    (void)madvise(reinterpret_cast<void *>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data;
  (void)size;
#endif
}
