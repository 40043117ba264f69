//===- HostMemory.h - zero-filled host memory, huge pages -------*- C++ -*-===//
//
// The simulated chip's memories (DRAM regions, SRAM, accumulators) are large
// and mostly written before they are read. ZeroedMemory maps them straight
// from the OS: pages are zero-filled on first touch, so untouched pages cost
// nothing, and large buffers are aligned to and hinted for transparent huge
// pages, so a 50 MB weight image takes ~25 page faults instead of ~12,000
// (page faults were a quarter of a ResNet-18 run).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_HOSTMEMORY_H
#define NPU_RUNTIME_HOSTMEMORY_H

#include <cstddef>
#include <cstdint>
#include <utility>

namespace npurt {

/// An owned, zero-initialized byte buffer.
class ZeroedMemory {
public:
  ZeroedMemory() = default;
  /// Allocates `bytes` zero bytes; false if the host has no memory for it
  /// (the buffer is then empty).
  bool allocate(size_t bytes);
  ~ZeroedMemory() { release(); }
  ZeroedMemory(ZeroedMemory &&other) noexcept { *this = std::move(other); }
  ZeroedMemory &operator=(ZeroedMemory &&other) noexcept;
  ZeroedMemory(const ZeroedMemory &) = delete;
  ZeroedMemory &operator=(const ZeroedMemory &) = delete;

  uint8_t *data() const { return bytes; }
  size_t size() const { return length; }

private:
  void release();

  uint8_t *bytes = nullptr; ///< The aligned start.
  size_t length = 0;
  void *mapping = nullptr; ///< What to give back to the OS.
  size_t mappingLength = 0;
};

/// Hints that the 2 MiB-aligned part of [data, data + size), not yet
/// touched, be backed by transparent huge pages (for large buffers filled
/// once, such as the constant segments a binary reader copies). A no-op
/// where unsupported.
void adviseHugePages(void *data, size_t size);

} // namespace npurt

#endif // NPU_RUNTIME_HOSTMEMORY_H
