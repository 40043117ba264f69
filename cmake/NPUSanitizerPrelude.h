//===- NPUSanitizerPrelude.h - force-included in the ASan build -*- C++ -*-===//
//
// LLVM's BumpPtrAllocator (llvm/Support/Allocator.h, inlined into our code)
// poisons a fresh slab and unpoisons each allocation when the including code
// is built with ASan. MLIR's StorageUniquer shares one allocator between our
// instrumented code and Debian's uninstrumented libMLIR: a slab poisoned by
// our inline copy is then handed out by libMLIR's copy without unpoisoning,
// and the next write there is a false "use-after-poison". Turning the
// allocator's poisoning off in our code keeps both copies consistent; ASan
// still checks every heap allocation's bounds and lifetime.
//
// cmake/Sanitizers.cmake passes `-include` this file to every compile.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_SANITIZER_PRELUDE_H
#define NPU_SANITIZER_PRELUDE_H

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// Declare the real functions first (the header has an include guard), then
// make later calls from LLVM's headers no-ops.
#include <sanitizer/asan_interface.h>
#define __asan_poison_memory_region(addr, size) ((void)(addr), (void)(size))
#define __asan_unpoison_memory_region(addr, size) ((void)(addr), (void)(size))
#endif
#endif

#endif // NPU_SANITIZER_PRELUDE_H
