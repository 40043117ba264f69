# -*- Python -*-
# lit configuration for npu-mlir. Tests that need numpy/onnx/torch run them
# through %python, which is Debian's /usr/bin/python3.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NPU"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "helpers"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.npu_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.npu_python))
config.substitutions.append(("%npu_src_root", config.npu_src_root))
config.substitutions.append(
    ("%test_helpers", os.path.join(config.npu_src_root, "test", "helpers")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.npu_tools_dir, config.llvm_tools_dir]
tools = ["npu-opt", "npu-translate", "npu-compile", "npu-run", "llvm-readelf"]
llvm_config.add_tool_substitutions(
    [ToolSubst(t, unresolved="ignore") for t in tools], tool_dirs)
llvm_config.with_environment("PATH", config.npu_tools_dir, append_path=True)
llvm_config.with_environment("PYTHONPATH",
                             os.path.join(config.npu_src_root, "test", "helpers"),
                             append_path=True)
# The `npu` Python package built by python/CMakeLists.txt (test/Python).
llvm_config.with_environment("PYTHONPATH",
                             os.path.join(config.npu_obj_root, "python"),
                             append_path=True)

# `not`, `count`, `FileCheck` and `llvm-readelf` by bare name in RUN lines.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
