#===- Sanitizers.cmake - ASan + UBSan + libFuzzer build option -----------===#
#
# -DNPU_SANITIZE=ON builds every target of the project with AddressSanitizer
# and UndefinedBehaviorSanitizer, and instruments it for libFuzzer's coverage
# feedback so the fuzz/ targets can be built in the same tree. It needs clang
# (Debian clang-22 + libclang-rt-22-dev; scripts/sanitize.sh configures it):
#
#   cmake -S . -B build-asan -G Ninja -DNPU_SANITIZE=ON \
#     -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22
#
# Any UBSan finding aborts (-fno-sanitize-recover=all), so a report can never
# pass as a successful run. The Debian libMLIR/libLLVM/libprotobuf shared
# libraries are not instrumented: the sanitizers watch our own code, which is
# where untrusted bytes are parsed.
#
# The sanitized build is -O1 throughout: the per-file -O3 of the runtime's hot
# paths (lib/Runtime/CMakeLists.txt) is dropped by npu_sanitizer_fixups(),
# because an instrumented -O3 compile of Validate.cpp took over 12 minutes.
#
#===----------------------------------------------------------------------===#
option(NPU_SANITIZE
  "Build with ASan + UBSan and libFuzzer instrumentation (clang only)" OFF)

if(NPU_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "NPU_SANITIZE needs clang (libFuzzer, and gcc's UBSan "
      "stalls on this code base): configure with "
      "-DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22")
  endif()
  set(NPU_SANITIZER_FLAGS
    -fsanitize=address,undefined
    # vptr needs RTTI, which LLVM-style code is built without.
    -fno-sanitize=vptr
    -fno-sanitize-recover=all
    -fsanitize=fuzzer-no-link
    -fno-omit-frame-pointer)
  add_compile_options(${NPU_SANITIZER_FLAGS} -gline-tables-only
    # LLVM's allocator poisoning must agree with uninstrumented libMLIR's.
    "SHELL:-include ${PROJECT_SOURCE_DIR}/cmake/NPUSanitizerPrelude.h")
  add_link_options(-fsanitize=address,undefined -fsanitize=fuzzer-no-link)
  # Replace the build type's optimization level: -O1 is what the sanitizers
  # are documented and fast to compile with.
  foreach(config RELEASE RELWITHDEBINFO DEBUG MINSIZEREL)
    set(CMAKE_CXX_FLAGS_${config} "-O1")
    set(CMAKE_C_FLAGS_${config} "-O1")
  endforeach()
  # Shared libraries of Debian's LLVM were built with assertions off; keep
  # NDEBUG so our headers see the same ABI-affecting macros as libLLVM.
  add_compile_definitions(NDEBUG)
  message(STATUS "npu-mlir: ASan + UBSan + libFuzzer instrumentation, -O1")
endif()

# Called after add_subdirectory(lib): drops per-file optimization options that
# would override -O1 in the sanitized build.
function(npu_sanitizer_fixups)
  if(NOT NPU_SANITIZE)
    return()
  endif()
  set(runtime ${PROJECT_SOURCE_DIR}/lib/Runtime)
  # Relative names would be taken relative to the calling directory.
  set_source_files_properties(${runtime}/ISA.cpp ${runtime}/Validate.cpp
    ${runtime}/BinaryReader.cpp ${runtime}/Simulator.cpp
    ${runtime}/CostModel.cpp ${runtime}/Executor.cpp
    ${runtime}/VpuSemantics.cpp
    DIRECTORY ${runtime}
    PROPERTIES COMPILE_OPTIONS "-O1")
endfunction()
