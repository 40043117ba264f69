# npu_add_library(name SOURCES... [DEPENDS tblgen-targets...] [LINK libs...])
#
# A static library of the project. MLIR-facing libraries link the MLIR dylib
# (LINK MLIR); the runtime leaves the choice of LLVM (shared or static) to
# the executables that link it (lib/Runtime/CMakeLists.txt).
function(npu_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPENDS;LINK" ${ARGN})
  add_library(${name} STATIC ${ARG_UNPARSED_ARGUMENTS})
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK})
endfunction()
