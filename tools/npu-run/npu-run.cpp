//===- npu-run.cpp - run a chip binary on the simulator -------------------===//
//
// npu-run model.npu --input NAME=x.npy --output NAME=y.npy
//         [--stats-json s.json] [--trace t.json] [--perf-only]
//         [--max-instructions N] [--quiet]
//
// Loads and validates a chip binary, binds input tensors (.npy or ONNX
// TensorProto .pb, by extension) to I/O-table names, runs the functional +
// performance simulator and writes outputs, stats and trace. Every error is
// a message on stderr and exit code 1. Only the runtime library and LLVM
// are linked: no MLIR.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Binary.h"
#include "npu/Runtime/Numerics.h"
#include "npu/Runtime/Simulator.h"
#include "npu/Runtime/Stats.h"
#include "npu/Runtime/TensorIO.h"
#include "npu/Runtime/Trace.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace npurt;

static cl::OptionCategory category("npu-run options");
static cl::opt<std::string> binaryPath(cl::Positional, cl::Required,
                                       cl::desc("<chip binary>"),
                                       cl::cat(category));
static cl::list<std::string>
    inputs("input", cl::desc("NAME=FILE: bind an input or state tensor "
                             "(.npy or .pb)"),
           cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::list<std::string>
    outputs("output", cl::desc("NAME=FILE: write an output or state tensor "
                               "(.npy or .pb)"),
            cl::value_desc("NAME=FILE"), cl::cat(category));
static cl::opt<std::string> statsPath("stats-json",
                                      cl::desc("Write the stats JSON here"),
                                      cl::value_desc("file"), cl::cat(category));
static cl::opt<std::string>
    tracePath("trace", cl::desc("Write a Chrome/Perfetto trace JSON here"),
              cl::value_desc("file"), cl::cat(category));
static cl::opt<bool>
    perfOnly("perf-only",
             cl::desc("Skip the arithmetic: timing, traffic and energy only"),
             cl::cat(category));
static cl::opt<uint64_t> maxInstructions(
    "max-instructions",
    cl::desc("Stop with an error after N instructions (0: no limit)"),
    cl::init(0), cl::cat(category));
static cl::opt<bool> quiet("quiet", cl::desc("Do not print the summary"),
                           cl::cat(category));

namespace {

/// A NAME=FILE binding from the command line.
struct Binding {
  std::string name;
  std::string path;
};

Expected<std::vector<Binding>> parseBindings(ArrayRef<std::string> specs,
                                             StringRef flag) {
  std::vector<Binding> bindings;
  StringSet<> seen;
  for (const std::string &spec : specs) {
    auto [name, path] = StringRef(spec).split('=');
    if (name.empty() || path.empty() || !StringRef(spec).contains('='))
      return createStringError("--" + flag + " '" + spec +
                               "' must have the form NAME=FILE");
    if (!seen.insert(name).second)
      return createStringError("--" + flag + " names '" + name + "' twice");
    bindings.push_back({name.str(), path.str()});
  }
  return bindings;
}

/// The I/O or state entry called `name`, or nullptr.
const TensorEntry *findEntry(const Program &program, StringRef name,
                             bool &isState) {
  for (const TensorEntry &entry : program.io)
    if (entry.name == name) {
      isState = false;
      return &entry;
    }
  for (const TensorEntry &entry : program.state)
    if (entry.name == name) {
      isState = true;
      return &entry;
    }
  return nullptr;
}

std::string namesOf(const Program &program, bool wantInputs) {
  std::string names;
  for (const TensorEntry &entry : program.io)
    if ((entry.kind == IoKind::Input) == wantInputs)
      names += (names.empty() ? "" : ", ") + entry.name;
  for (const TensorEntry &entry : program.state)
    names += (names.empty() ? "" : ", ") + entry.name + " (state)";
  return names.empty() ? "none" : names;
}

/// .npy has no bf16: widen to f32 (exact) when writing one.
HostTensor forFile(HostTensor tensor, StringRef path) {
  if (tensor.dtype != HostDType::BF16 ||
      !sys::path::extension(path).equals_insensitive(".npy"))
    return tensor;
  HostTensor wide;
  wide.dtype = HostDType::F32;
  wide.shape = tensor.shape;
  wide.data.resize(tensor.data.size() * 2);
  for (size_t i = 0; i < tensor.data.size() / 2; ++i) {
    uint16_t bits;
    std::memcpy(&bits, tensor.data.data() + 2 * i, 2);
    float value = bf16BitsToFloat(bits);
    std::memcpy(wide.data.data() + 4 * i, &value, 4);
  }
  return wide;
}

Error writeTextFile(StringRef path, StringRef text) {
  std::error_code error;
  raw_fd_ostream os(path, error, sys::fs::OF_Text);
  if (error)
    return createStringError(error, "cannot open '" + path +
                                        "': " + error.message());
  os << text;
  os.close();
  if (os.has_error()) {
    std::error_code writeError = os.error();
    os.clear_error();
    return createStringError(writeError, "cannot write '" + path +
                                             "': " + writeError.message());
  }
  return Error::success();
}

Error runTool() {
  Expected<Program> program = readBinaryFile(binaryPath);
  if (!program)
    return program.takeError();
  Expected<std::vector<Binding>> inputBindings = parseBindings(inputs, "input");
  if (!inputBindings)
    return inputBindings.takeError();
  Expected<std::vector<Binding>> outputBindings =
      parseBindings(outputs, "output");
  if (!outputBindings)
    return outputBindings.takeError();
  if (perfOnly && !outputBindings->empty())
    return createStringError("--output cannot be used with --perf-only (no "
                             "values are computed)");

  // Check every name and file before running anything.
  std::vector<std::pair<std::string, HostTensor>> inputTensors;
  StringSet<> bound;
  for (const Binding &binding : *inputBindings) {
    bool isState = false;
    const TensorEntry *entry = findEntry(*program, binding.name, isState);
    if (!entry || (!isState && entry->kind != IoKind::Input))
      return createStringError("unknown input '" + binding.name +
                               "' (inputs: " + namesOf(*program, true) + ")");
    Expected<HostTensor> tensor = readTensorFile(binding.path);
    if (!tensor)
      return tensor.takeError();
    if (Error error = checkTensorMatches(*entry, *tensor))
      return createStringError("input " + toString(std::move(error)));
    bound.insert(binding.name);
    inputTensors.push_back({binding.name, std::move(*tensor)});
  }
  for (const Binding &binding : *outputBindings) {
    bool isState = false;
    const TensorEntry *entry = findEntry(*program, binding.name, isState);
    if (!entry || (!isState && entry->kind != IoKind::Output))
      return createStringError("unknown output '" + binding.name +
                               "' (outputs: " + namesOf(*program, false) +
                               ")");
  }
  if (!perfOnly) {
    std::string missing;
    for (const TensorEntry &entry : program->io)
      if (entry.kind == IoKind::Input && !bound.contains(entry.name))
        missing += (missing.empty() ? "" : ", ") + entry.name;
    if (!missing.empty())
      return createStringError("missing inputs: " + missing +
                               " (bind them with --input NAME=FILE, or use "
                               "--perf-only)");
  }

  SimulatorOptions options;
  options.perf_only = perfOnly;
  options.max_instructions = maxInstructions;
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(*program), options);
  if (!simulator)
    return simulator.takeError();
  const Program &loaded = (*simulator)->program();
  if (!perfOnly)
    for (auto &[name, tensor] : inputTensors)
      if (Error error = (*simulator)->setTensor(name, tensor))
        return error;

  std::unique_ptr<ChromeTraceWriter> trace;
  if (!tracePath.empty()) {
    Expected<std::unique_ptr<ChromeTraceWriter>> writer =
        ChromeTraceWriter::create(tracePath, loaded);
    if (!writer)
      return writer.takeError();
    trace = std::move(*writer);
  }
  Expected<RunStats> stats = (*simulator)->run(trace.get());
  if (!stats)
    return stats.takeError();
  if (trace)
    if (Error error = trace->finish())
      return error;

  for (const Binding &binding : *outputBindings) {
    Expected<HostTensor> tensor = (*simulator)->getTensor(binding.name);
    if (!tensor)
      return tensor.takeError();
    if (Error error = writeTensorFile(forFile(std::move(*tensor), binding.path),
                                      binding.path, binding.name))
      return error;
  }
  if (!statsPath.empty())
    if (Error error = writeTextFile(statsPath, statsToJSON(loaded, *stats)))
      return error;
  if (!quiet)
    outs() << statsSummary(loaded, *stats);
  return Error::success();
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "npu-run: execute a chip binary on the NPU "
                              "functional + performance simulator\n");
  if (Error error = runTool()) {
    errs() << "npu-run: error: " << toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}
