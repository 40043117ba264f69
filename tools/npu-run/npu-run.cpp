//===- npu-run.cpp - run a chip binary on the simulator -------------------===//
//
// npu-run model.npu --input NAME=x.npy --output NAME=y.npy
//         [--load-state ckpt.npz] [--save-state ckpt.npz]
//         [--stats-json s.json] [--trace t.json] [--perf-only]
//         [--max-instructions N] [--quiet]
//
// Loads and validates a chip binary, binds input tensors (.npy or ONNX
// TensorProto .pb, by extension) to I/O-table names, runs the functional +
// performance simulator and writes outputs, stats and trace. Persistent
// state can be loaded from and saved to NumPy .npz checkpoints. Every error is
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
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;
using namespace npurt;

namespace {

/// Command-line options. Parsed by hand rather than with llvm::cl because
/// libLLVM already registers a "stats-json" option (for LLVM statistics)
/// which would collide with ours.
struct Options {
  std::string binaryPath;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string statsPath;
  std::string tracePath;
  std::string loadStatePath;
  std::string saveStatePath;
  bool perfOnly = false;
  uint64_t maxInstructions = 0;
  uint64_t maxCycles = 0;
  bool quiet = false;
};

constexpr const char *kUsage =
    "usage: npu-run MODEL.npu [--input NAME=FILE]... [--output NAME=FILE]...\n"
    "               [--load-state FILE.npz] [--save-state FILE.npz]\n"
    "               [--stats-json FILE] [--trace FILE] [--perf-only]\n"
    "               [--max-instructions N] [--max-cycles N] [--quiet]\n"
    "\n"
    "Executes a chip binary on the NPU functional + performance simulator.\n"
    "  --input NAME=FILE     bind an input or state tensor (.npy or .pb)\n"
    "  --output NAME=FILE    write an output or state tensor (.npy or .pb)\n"
    "  --load-state FILE     set every state tensor from a NumPy .npz\n"
    "                        checkpoint before the run (other arrays in it\n"
    "                        are ignored)\n"
    "  --save-state FILE     write every state tensor after the run to a\n"
    "                        NumPy .npz checkpoint\n"
    "  --stats-json FILE     write the stats JSON (docs/simulator.md)\n"
    "  --trace FILE          write a Chrome/Perfetto trace JSON\n"
    "  --perf-only           skip the arithmetic: timing, traffic, energy\n"
    "  --max-instructions N  stop with an error after N instructions\n"
    "  --max-cycles N        stop with an error before an instruction that\n"
    "                        cannot complete by simulated cycle N\n"
    "  --quiet               do not print the summary\n";

Expected<Options> parseArguments(ArrayRef<const char *> args, bool &help) {
  Options options;
  help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    StringRef arg = args[i];
    if (arg == "--help" || arg == "-help" || arg == "-h") {
      help = true;
      return options;
    }
    if (!arg.starts_with("-")) {
      if (!options.binaryPath.empty())
        return createStringError("more than one binary given ('" +
                                 options.binaryPath + "' and '" + arg + "')");
      options.binaryPath = arg.str();
      continue;
    }
    StringRef flag = arg.ltrim('-');
    std::optional<std::string> value;
    if (auto [name, inlineValue] = flag.split('='); flag.contains('=')) {
      flag = name;
      value = inlineValue.str();
    }
    auto takeValue = [&]() -> Expected<std::string> {
      if (value)
        return *value;
      if (i + 1 >= args.size())
        return createStringError("--" + flag + " needs a value");
      return std::string(args[++i]);
    };
    if (flag == "perf-only" || flag == "quiet") {
      if (value)
        return createStringError("--" + flag + " takes no value");
      (flag == "quiet" ? options.quiet : options.perfOnly) = true;
      continue;
    }
    if (flag != "input" && flag != "output" && flag != "stats-json" &&
        flag != "trace" && flag != "max-instructions" &&
        flag != "max-cycles" && flag != "load-state" && flag != "save-state")
      return createStringError("unknown option '" + arg +
                               "' (see npu-run --help)");
    Expected<std::string> text = takeValue();
    if (!text)
      return text.takeError();
    if (flag == "input")
      options.inputs.push_back(*text);
    else if (flag == "output")
      options.outputs.push_back(*text);
    else if (flag == "stats-json")
      options.statsPath = *text;
    else if (flag == "trace")
      options.tracePath = *text;
    else if (flag == "load-state")
      options.loadStatePath = *text;
    else if (flag == "save-state")
      options.saveStatePath = *text;
    else if (StringRef(*text).getAsInteger(10, flag == "max-cycles"
                                                   ? options.maxCycles
                                                   : options.maxInstructions))
      return createStringError("--" + flag + " needs a non-negative "
                               "integer, got '" + *text + "'");
  }
  if (options.binaryPath.empty())
    return createStringError("no chip binary given (see npu-run --help)");
  return options;
}


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
    // An output may be written to several files; an input bound twice is
    // ambiguous.
    if (flag == "input" && !seen.insert(name).second)
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

/// The state tensors of `program` from the .npz checkpoint at `path`, in
/// state-table order: every state tensor must be there with its shape and
/// dtype; arrays that are no state of this binary are ignored (a train
/// checkpoint carries optimizer slots an inference binary does not have).
Expected<std::vector<NamedTensor>> readCheckpoint(const Program &program,
                                                  StringRef path) {
  // No state tensor is larger than the largest one plus a .npy header.
  uint64_t largest = 0;
  for (const TensorEntry &entry : program.state) {
    Expected<uint64_t> bytes = tensorBytes(entry, entry.name);
    if (!bytes)
      return bytes.takeError();
    // bf16 state is exchanged as f32 (.npy has no bf16).
    largest = std::max(largest, *bytes * (entry.dtype == DType::BF16 ? 2 : 1));
  }
  Expected<std::vector<NamedTensor>> arrays = readNpzFile(
      path, largest + (uint64_t(1) << 16), [&](StringRef name) {
        return llvm::any_of(program.state, [&](const TensorEntry &entry) {
          return entry.name == name;
        });
      });
  if (!arrays)
    return arrays.takeError();
  std::vector<NamedTensor> state;
  std::string missing;
  for (const TensorEntry &entry : program.state) {
    auto it = llvm::find_if(*arrays, [&](const NamedTensor &named) {
      return named.name == entry.name;
    });
    if (it == arrays->end()) {
      missing += (missing.empty() ? "" : ", ") + entry.name;
      continue;
    }
    if (Error error = checkTensorMatches(entry, it->tensor))
      return createStringError("checkpoint '" + path +
                               "': state " + toString(std::move(error)));
    state.push_back(std::move(*it));
  }
  if (!missing.empty())
    return createStringError("checkpoint '" + path +
                             "' has no array for state " + missing);
  return state;
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

Error runTool(const Options &cli) {
  // A perf-only run reads each instruction once: it leaves them encoded in
  // the mapped file instead of holding 152 decoded bytes per instruction.
  Expected<Program> program = readBinaryFile(
      cli.binaryPath, cli.perfOnly ? StreamForm::Encoded : StreamForm::Decoded);
  if (!program)
    return program.takeError();
  Expected<std::vector<Binding>> inputBindings = parseBindings(cli.inputs, "input");
  if (!inputBindings)
    return inputBindings.takeError();
  Expected<std::vector<Binding>> outputBindings =
      parseBindings(cli.outputs, "output");
  if (!outputBindings)
    return outputBindings.takeError();
  if (cli.perfOnly && !outputBindings->empty())
    return createStringError("--output cannot be used with --perf-only (no "
                             "values are computed)");
  if (cli.perfOnly &&
      (!cli.loadStatePath.empty() || !cli.saveStatePath.empty()))
    return createStringError("--load-state and --save-state cannot be used "
                             "with --perf-only (no values are computed)");
  Expected<std::vector<NamedTensor>> checkpoint = std::vector<NamedTensor>();
  if (!cli.loadStatePath.empty())
    checkpoint = readCheckpoint(*program, cli.loadStatePath);
  if (!checkpoint)
    return checkpoint.takeError();

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
  if (!cli.perfOnly) {
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
  options.perf_only = cli.perfOnly;
  options.max_instructions = cli.maxInstructions;
  options.max_cycles = cli.maxCycles;
  options.already_validated = true; // by readBinaryFile
  Expected<std::unique_ptr<Simulator>> simulator =
      Simulator::create(std::move(*program), options);
  if (!simulator)
    return simulator.takeError();
  const Program &loaded = (*simulator)->program();
  // The checkpoint first: an explicit --input of a state tensor wins.
  for (NamedTensor &named : *checkpoint)
    if (Error error = (*simulator)->setTensor(named.name, named.tensor))
      return error;
  if (!cli.perfOnly)
    for (auto &[name, tensor] : inputTensors)
      if (Error error = (*simulator)->setTensor(name, tensor))
        return error;

  std::unique_ptr<ChromeTraceWriter> trace;
  if (!cli.tracePath.empty()) {
    Expected<std::unique_ptr<ChromeTraceWriter>> writer =
        ChromeTraceWriter::create(cli.tracePath, loaded);
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
  if (!cli.saveStatePath.empty()) {
    std::vector<NamedTensor> state;
    for (const TensorEntry &entry : loaded.state) {
      Expected<HostTensor> tensor = (*simulator)->getTensor(entry.name);
      if (!tensor)
        return tensor.takeError();
      state.push_back({entry.name, forFile(std::move(*tensor), ".npy")});
    }
    if (Error error = writeNpzFile(cli.saveStatePath, state))
      return error;
  }
  if (!cli.statsPath.empty())
    if (Error error = writeTextFile(cli.statsPath, statsToJSON(loaded, *stats)))
      return error;
  if (!cli.quiet)
    outs() << statsSummary(loaded, *stats);
  return Error::success();
}

} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  bool help = false;
  Expected<Options> options =
      parseArguments(ArrayRef<const char *>(argv + 1, argv + argc), help);
  if (help) {
    outs() << kUsage;
    return 0;
  }
  Error error = options ? runTool(*options) : options.takeError();
  if (error) {
    errs() << "npu-run: error: " << toString(std::move(error)) << "\n";
    return 1;
  }
  return 0;
}
