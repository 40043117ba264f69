//===- RuntimeModule.cpp - pybind11 binding of the chip runtime -----------===//
//
// The `npu._runtime` extension module: loads a chip binary (from a path or
// from bytes), describes its I/O and state tables, runs it on the simulator
// with NumPy arrays in and out, and returns the stats JSON of npu-run as a
// dict. It links only the runtime library and LLVM, no MLIR. The friendlier
// Python API (npu.runtime) wraps this module; the checks that give users
// their error messages are here, next to the tables they read.
//
// A loaded binary keeps one functional Simulator alive, so DRAM (and with it
// the persistent state tensors) survives from one run to the next; perf-only
// runs use a second, perf-only Simulator created on first use.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"
#include "npu/Runtime/Numerics.h"
#include "npu/Runtime/Simulator.h"
#include "npu/Runtime/Stats.h"
#include "npu/Runtime/TensorIO.h"

#include "llvm/Support/MemoryBuffer.h"

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace py = pybind11;
using namespace npurt;

namespace {

/// Tag type of the NpuError exception class.
struct NpuErrorTag {};

/// Raised for every error the runtime library reports (loading, validation,
/// simulation faults); subclass of RuntimeError. Set in PYBIND11_MODULE.
PyObject *npuErrorType = nullptr;

[[noreturn]] void throwNpuError(const std::string &message) {
  PyErr_SetString(npuErrorType, message.c_str());
  throw py::error_already_set();
}

/// Converts an llvm::Error into an NpuError (prefixed by \p context).
void check(llvm::Error error, const std::string &context = "") {
  if (!error)
    return;
  throwNpuError(context + llvm::toString(std::move(error)));
}

template <typename T>
T take(llvm::Expected<T> value, const std::string &context = "") {
  if (!value)
    check(value.takeError(), context);
  return std::move(*value);
}

/// The NumPy dtype name a table dtype is exchanged as (bf16 as float32,
/// since NumPy has no bf16).
const char *numpyDTypeOf(DType dtype) {
  switch (dtype) {
  case DType::F32:
  case DType::BF16:
    return "float32";
  case DType::I8:
    return "int8";
  case DType::I32:
    return "int32";
  }
  return "?";
}

py::tuple shapeTuple(const std::vector<uint64_t> &shape) {
  py::tuple tuple(shape.size());
  for (size_t i = 0; i < shape.size(); ++i)
    tuple[i] = py::int_(shape[i]);
  return tuple;
}

std::string shapeText(const std::vector<uint64_t> &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += std::to_string(shape[i]) + (shape.size() == 1 ? "," : "") +
            (i + 1 < shape.size() ? ", " : "");
  return text + ")";
}

/// One entry of the I/O or state table, as a dict.
py::dict describe(const TensorEntry &entry, const char *role) {
  py::dict info;
  info["name"] = entry.name;
  info["role"] = role;
  info["shape"] = shapeTuple(entry.shape);
  info["dtype"] = std::string(dtypeName(entry.dtype));
  info["numpy_dtype"] = numpyDTypeOf(entry.dtype);
  info["dram_addr"] = entry.dram_addr;
  return info;
}

/// Checks \p object against \p entry (NumPy dtype, then shape) and copies it
/// into a HostTensor. \p what is "input" or "state", for messages.
HostTensor toHostTensor(const TensorEntry &entry, py::handle object,
                        const char *what) {
  py::module_ numpy = py::module_::import("numpy");
  py::array array = numpy.attr("asarray")(object);
  std::string expected = numpyDTypeOf(entry.dtype);
  std::string got = py::str(array.dtype().attr("name"));
  // int64 arrays are narrowed to the chip's i32 by the simulator, which
  // checks every value fits.
  bool narrowed = entry.dtype == DType::I32 && got == "int64";
  if (got != expected && !narrowed) {
    PyErr_SetString(PyExc_TypeError,
                    (std::string(what) + " '" + entry.name + "' expects a " +
                     expected + " array but got " + got +
                     " (convert it with .astype(numpy." + expected + "))")
                        .c_str());
    throw py::error_already_set();
  }
  std::vector<uint64_t> shape(array.shape(), array.shape() + array.ndim());
  if (shape != entry.shape) {
    PyErr_SetString(PyExc_ValueError,
                    (std::string(what) + " '" + entry.name +
                     "' expects shape " + shapeText(entry.shape) +
                     " but got shape " + shapeText(shape))
                        .c_str());
    throw py::error_already_set();
  }
  py::array contiguous = py::array::ensure(array, py::array::c_style);
  HostTensor tensor;
  tensor.dtype = narrowed                    ? HostDType::I64
                 : entry.dtype == DType::I8  ? HostDType::I8
                 : entry.dtype == DType::I32 ? HostDType::I32
                                             : HostDType::F32;
  tensor.shape.assign(shape.begin(), shape.end());
  tensor.data.resize(contiguous.nbytes());
  if (!tensor.data.empty())
    std::memcpy(tensor.data.data(), contiguous.data(), tensor.data.size());
  return tensor;
}

/// A HostTensor read from DRAM as a NumPy array (bf16 widened to float32).
py::array toArray(const HostTensor &tensor) {
  std::vector<py::ssize_t> shape(tensor.shape.begin(), tensor.shape.end());
  switch (tensor.dtype) {
  case HostDType::BF16: {
    py::array_t<float> array(shape);
    float *out = array.mutable_data();
    for (size_t i = 0; i < tensor.data.size() / 2; ++i) {
      uint16_t bits;
      std::memcpy(&bits, tensor.data.data() + 2 * i, 2);
      out[i] = bf16BitsToFloat(bits);
    }
    return std::move(array);
  }
  case HostDType::F32: {
    py::array_t<float> array(shape);
    std::memcpy(array.mutable_data(), tensor.data.data(), tensor.data.size());
    return std::move(array);
  }
  case HostDType::I8: {
    py::array_t<int8_t> array(shape);
    std::memcpy(array.mutable_data(), tensor.data.data(), tensor.data.size());
    return std::move(array);
  }
  case HostDType::I32: {
    py::array_t<int32_t> array(shape);
    std::memcpy(array.mutable_data(), tensor.data.data(), tensor.data.size());
    return std::move(array);
  }
  default:
    throwNpuError("tensor of unexpected dtype " +
                  hostDTypeName(tensor.dtype).str());
  }
}

/// A loaded chip binary with its simulators.
class LoadedBinary {
public:
  static std::unique_ptr<LoadedBinary> fromPath(const std::string &path) {
    Program program = take(readBinaryFile(path));
    return std::unique_ptr<LoadedBinary>(new LoadedBinary(std::move(program)));
  }

  static std::unique_ptr<LoadedBinary> fromBytes(const py::bytes &bytes,
                                                 const std::string &name) {
    std::string_view view = bytes;
    // A copy: the ELF reader wants an aligned buffer that outlives the call.
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        llvm::MemoryBuffer::getMemBufferCopy(
            llvm::StringRef(view.data(), view.size()), name);
    Program program = take(readBinary(buffer->getMemBufferRef()), name + ": ");
    return std::unique_ptr<LoadedBinary>(new LoadedBinary(std::move(program)));
  }

  const Program &program() const { return functional->program(); }

  py::list inputs() const { return ioOfKind(IoKind::Input, "input"); }
  py::list outputs() const { return ioOfKind(IoKind::Output, "output"); }
  py::list state() const {
    py::list list;
    for (const TensorEntry &entry : program().state)
      list.append(describe(entry, "state"));
    return list;
  }

  py::dict target() const {
    const Target &target = program().target;
    py::dict info;
    info["name"] = target.name;
    info["cores"] = target.cores;
    info["mxu_rows"] = target.mxu_rows;
    info["mxu_cols"] = target.mxu_cols;
    info["clock_ghz"] = target.clock_ghz;
    info["dram_bytes"] = target.dram_bytes;
    return info;
  }

  /// Binds every input of \p feeds, runs, returns (outputs, stats JSON;
  /// None without \p withStats: formatting the JSON is a visible part of a
  /// small program's run).
  std::pair<py::dict, py::object> run(const py::dict &feeds, bool perfOnly,
                                      bool withStats) {
    const Program &prog = program();
    std::vector<std::pair<std::string, HostTensor>> tensors;
    for (auto [key, value] : feeds) {
      std::string name = py::str(key);
      const TensorEntry *entry = findIo(name, IoKind::Input);
      if (!entry) {
        PyErr_SetString(PyExc_KeyError,
                        ("unknown input '" + name +
                         "' (inputs: " + namesOf(IoKind::Input) + ")")
                            .c_str());
        throw py::error_already_set();
      }
      tensors.push_back({name, toHostTensor(*entry, value, "input")});
    }
    if (!perfOnly) {
      std::string missing;
      for (const TensorEntry &entry : prog.io)
        if (entry.kind == IoKind::Input && !feeds.contains(entry.name))
          missing += (missing.empty() ? "" : ", ") + entry.name;
      if (!missing.empty()) {
        PyErr_SetString(PyExc_KeyError,
                        ("missing inputs: " + missing +
                         " (or run with perf_only=True)")
                            .c_str());
        throw py::error_already_set();
      }
    }
    Simulator *simulator = functional.get();
    if (perfOnly) {
      if (!perfModel) {
        SimulatorOptions options;
        options.perf_only = true;
        options.already_validated = true;
        perfModel = take(Simulator::create(prog, options));
      }
      simulator = perfModel.get();
    }
    std::optional<RunStats> stats;
    std::string failure;
    {
      // Other Python threads may run meanwhile; the lock keeps them off this
      // chip (runs, state reads and writes) until the run is done. It is
      // released before the GIL is taken back.
      py::gil_scoped_release release;
      std::lock_guard<std::mutex> lock(busy);
      if (!perfOnly)
        for (auto &[name, tensor] : tensors)
          if (llvm::Error error = simulator->setTensor(name, tensor)) {
            failure = "input " + llvm::toString(std::move(error));
            break;
          }
      if (failure.empty()) {
        llvm::Expected<RunStats> result = simulator->run();
        if (result)
          stats = std::move(*result);
        else
          failure = "run failed: " + llvm::toString(result.takeError());
      }
    }
    if (!failure.empty())
      throwNpuError(failure);
    py::dict outputs;
    std::lock_guard<std::mutex> lock(busy);
    if (!perfOnly)
      for (const TensorEntry &entry : prog.io)
        if (entry.kind == IoKind::Output)
          outputs[py::str(entry.name)] =
              toArray(take(simulator->getTensor(entry.name)));
    if (!withStats)
      return {outputs, py::none()};
    return {outputs, py::str(statsToJSON(simulator->program(), *stats))};
  }

  py::array getState(const std::string &name) const {
    requireState(name);
    std::lock_guard<std::mutex> lock(busy);
    return toArray(take(functional->getTensor(name)));
  }

  void setState(const std::string &name, py::handle value) {
    const TensorEntry &entry = requireState(name);
    HostTensor tensor = toHostTensor(entry, value, "state");
    std::lock_guard<std::mutex> lock(busy);
    check(functional->setTensor(name, tensor));
  }

private:
  explicit LoadedBinary(Program program) {
    SimulatorOptions options;
    options.already_validated = true; // by readBinary
    functional = take(Simulator::create(std::move(program), options));
  }

  py::list ioOfKind(IoKind kind, const char *role) const {
    py::list list;
    for (const TensorEntry &entry : program().io)
      if (entry.kind == kind)
        list.append(describe(entry, role));
    return list;
  }

  const TensorEntry *findIo(const std::string &name, IoKind kind) const {
    for (const TensorEntry &entry : program().io)
      if (entry.name == name && entry.kind == kind)
        return &entry;
    return nullptr;
  }

  std::string namesOf(IoKind kind) const {
    std::string names;
    for (const TensorEntry &entry : program().io)
      if (entry.kind == kind)
        names += (names.empty() ? "" : ", ") + entry.name;
    return names.empty() ? "none" : names;
  }

  const TensorEntry &requireState(const std::string &name) const {
    for (const TensorEntry &entry : program().state)
      if (entry.name == name)
        return entry;
    std::string names;
    for (const TensorEntry &entry : program().state)
      names += (names.empty() ? "" : ", ") + entry.name;
    PyErr_SetString(PyExc_KeyError,
                    ("no state tensor named '" + name + "' (state: " +
                     (names.empty() ? "none" : names) + ")")
                        .c_str());
    throw py::error_already_set();
  }

  std::unique_ptr<Simulator> functional;
  std::unique_ptr<Simulator> perfModel; ///< Created by the first perf run.
  /// Held while a simulator is used (the GIL is released during runs).
  mutable std::mutex busy;
};

} // namespace

PYBIND11_MODULE(_runtime, m) {
  m.doc() = "Chip binary loader and simulator (the npu runtime library).";
  static py::exception<NpuErrorTag> npuError(m, "NpuError",
                                              PyExc_RuntimeError);
  npuErrorType = npuError.ptr();

  py::class_<LoadedBinary>(m, "LoadedBinary")
      .def_static("from_path", &LoadedBinary::fromPath, py::arg("path"),
                  "Reads and validates a chip binary file.")
      .def_static("from_bytes", &LoadedBinary::fromBytes, py::arg("data"),
                  py::arg("name") = "<bytes>",
                  "Parses and validates a chip binary held in memory.")
      .def_property_readonly("inputs", &LoadedBinary::inputs)
      .def_property_readonly("outputs", &LoadedBinary::outputs)
      .def_property_readonly("state", &LoadedBinary::state)
      .def_property_readonly("target", &LoadedBinary::target)
      .def("run", &LoadedBinary::run, py::arg("inputs"),
           py::arg("perf_only") = false, py::arg("with_stats") = true,
           "Runs the binary; returns (outputs dict, stats JSON text or "
           "None without with_stats).")
      .def("get_state", &LoadedBinary::getState, py::arg("name"))
      .def("set_state", &LoadedBinary::setState, py::arg("name"),
           py::arg("value"));
}
