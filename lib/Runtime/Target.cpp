//===- Target.cpp - chip presets, JSON form and validation ----------------===//
//
// The presets, the field table that drives JSON parsing/printing, and the
// rules that make a target buildable. Every rule's message names its field.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Target.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace llvm;
using namespace npurt;

static Error fieldError(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

Expected<Target> Target::preset(StringRef name) {
  if (name == "npu-base")
    return Target();
  if (name == "npu-tiny") {
    Target t;
    t.name = "npu-tiny";
    t.mxu_rows = 32;
    t.mxu_cols = 32;
    t.vpu_lanes = 32;
    t.sram_bytes = 256ull << 10;
    t.acc_bytes = 64ull << 10;
    t.dram_bytes = 256ull << 20;
    t.dram_bytes_per_cycle = 64.0;
    t.dma_latency_cycles = 200;
    t.semaphores = 16;
    t.static_power_w = 0.1;
    return t;
  }
  return fieldError("unknown target preset '" + name +
                    "' (expected one of: npu-base, npu-tiny)");
}

ArrayRef<StringRef> npurt::presetNames() {
  static const StringRef names[] = {"npu-base", "npu-tiny"};
  return names;
}

namespace {
TargetField integerField(StringRef name, uint64_t Target::*member,
                         StringRef doc) {
  TargetField f;
  f.name = name;
  f.integer = member;
  f.doc = doc;
  return f;
}
TargetField realField(StringRef name, double Target::*member, StringRef doc) {
  TargetField f;
  f.name = name;
  f.real = member;
  f.doc = doc;
  return f;
}
TargetField textField(StringRef name, std::string Target::*member,
                      StringRef doc) {
  TargetField f;
  f.name = name;
  f.text = member;
  f.doc = doc;
  return f;
}
} // namespace

ArrayRef<TargetField> npurt::targetFields() {
  static const TargetField fields[] = {
      textField("name", &Target::name, "preset or chip name"),
      realField("clock_ghz", &Target::clock_ghz, "clock frequency (GHz)"),
      integerField("cores", &Target::cores, "cores sharing the DRAM"),
      integerField("mxu_rows", &Target::mxu_rows, "MXU rows (max K)"),
      integerField("mxu_cols", &Target::mxu_cols, "MXU columns (max N)"),
      realField("mxu_rate_bf16", &Target::mxu_rate_bf16,
                "bf16 MACs per PE per cycle"),
      realField("mxu_rate_fp32", &Target::mxu_rate_fp32,
                "fp32 MACs per PE per cycle"),
      realField("mxu_rate_int8", &Target::mxu_rate_int8,
                "int8 MACs per PE per cycle"),
      integerField("mxu_latency_cycles", &Target::mxu_latency_cycles,
                   "fixed cycles per MXU instruction"),
      integerField("vpu_lanes", &Target::vpu_lanes, "VPU fp32 lanes"),
      integerField("vpu_latency_cycles", &Target::vpu_latency_cycles,
                   "fixed cycles per VPU instruction"),
      integerField("vpu_transcendental_cycles",
                   &Target::vpu_transcendental_cycles,
                   "cycles per lane group of a transcendental function"),
      integerField("sram_bytes", &Target::sram_bytes, "SRAM per core (B)"),
      integerField("sram_banks", &Target::sram_banks, "SRAM banks"),
      integerField("sram_alignment", &Target::sram_alignment,
                   "MXU/VPU SRAM operand alignment (B)"),
      integerField("acc_bytes", &Target::acc_bytes, "accumulator per core (B)"),
      integerField("acc_alignment", &Target::acc_alignment,
                   "accumulator address alignment (B)"),
      integerField("dram_bytes", &Target::dram_bytes, "shared DRAM (B)"),
      realField("dram_bytes_per_cycle", &Target::dram_bytes_per_cycle,
                "DRAM port bandwidth (B/cycle)"),
      integerField("dma_queues", &Target::dma_queues,
                   "DMA queues per core (load + store)"),
      integerField("dma_latency_cycles", &Target::dma_latency_cycles,
                   "fixed cycles per DMA transfer"),
      integerField("semaphores", &Target::semaphores,
                   "counting semaphores per core"),
      realField("energy_mac_bf16_pj", &Target::energy_mac_bf16_pj,
                "pJ per bf16 MAC"),
      realField("energy_mac_fp32_pj", &Target::energy_mac_fp32_pj,
                "pJ per fp32 MAC"),
      realField("energy_mac_int8_pj", &Target::energy_mac_int8_pj,
                "pJ per int8 MAC"),
      realField("energy_sram_pj_per_byte", &Target::energy_sram_pj_per_byte,
                "pJ per SRAM byte"),
      realField("energy_acc_pj_per_byte", &Target::energy_acc_pj_per_byte,
                "pJ per accumulator byte"),
      realField("energy_dram_pj_per_byte", &Target::energy_dram_pj_per_byte,
                "pJ per DRAM byte"),
      realField("energy_vpu_pj_per_op", &Target::energy_vpu_pj_per_op,
                "pJ per VPU element op"),
      realField("static_power_w", &Target::static_power_w, "static power (W)"),
  };
  return fields;
}

bool npurt::operator==(const Target &a, const Target &b) {
  for (const TargetField &field : targetFields()) {
    if (field.integer && a.*field.integer != b.*field.integer)
      return false;
    if (field.real && a.*field.real != b.*field.real)
      return false;
    if (field.text && a.*field.text != b.*field.text)
      return false;
  }
  return true;
}

/// Depth of the deepest [ ] / { } nesting in JSON text, ignoring brackets
/// inside strings; stops counting once `limit` is exceeded. llvm::json::parse
/// recurses once per level, so this runs first.
static unsigned jsonNestingDepth(StringRef text, unsigned limit) {
  unsigned depth = 0, deepest = 0;
  for (size_t i = 0, e = text.size(); i < e && deepest <= limit; ++i) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < e && text[i] != '"'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth) {
      --depth;
    }
  }
  return deepest;
}

Expected<Target> npurt::parseTargetJSON(StringRef text) {
  if (text.size() > kMaxTargetJSONBytes)
    return fieldError("target JSON is " + Twine(text.size()) +
                      " bytes; the limit is " + Twine(kMaxTargetJSONBytes));
  if (jsonNestingDepth(text, kMaxTargetJSONDepth) > kMaxTargetJSONDepth)
    return fieldError("target JSON nests arrays/objects deeper than " +
                      Twine(kMaxTargetJSONDepth) +
                      " levels (a target is one flat object)");
  Expected<json::Value> parsed = json::parse(text);
  if (!parsed)
    return fieldError("target JSON: " + toString(parsed.takeError()));
  const json::Object *object = parsed->getAsObject();
  if (!object)
    return fieldError("target JSON must be an object");

  std::string presetName = "npu-base";
  if (const json::Value *preset = object->get("preset")) {
    std::optional<StringRef> s = preset->getAsString();
    if (!s)
      return fieldError("target JSON key 'preset' must be a string");
    presetName = s->str();
  }
  Expected<Target> target = Target::preset(presetName);
  if (!target)
    return target.takeError();

  // Walk keys in sorted order so the first error reported is deterministic.
  std::vector<StringRef> keys;
  for (const auto &entry : *object)
    keys.push_back(entry.first);
  llvm::sort(keys);
  for (StringRef key : keys) {
    if (key == "preset")
      continue;
    const TargetField *field = llvm::find_if(
        targetFields(), [&](const TargetField &f) { return f.name == key; });
    if (field == targetFields().end())
      return fieldError("unknown target key '" + key + "'");
    const json::Value &value = *object->get(key);
    if (field->text) {
      std::optional<StringRef> s = value.getAsString();
      if (!s)
        return fieldError("target key '" + key + "' must be a string");
      (*target).*field->text = s->str();
    } else if (field->integer) {
      std::optional<uint64_t> u = value.getAsUINT64();
      if (!u) {
        std::optional<int64_t> i = value.getAsInteger();
        if (i && *i >= 0)
          u = static_cast<uint64_t>(*i);
      }
      if (!u)
        return fieldError("target key '" + key +
                          "' must be a non-negative integer");
      (*target).*field->integer = *u;
    } else {
      std::optional<double> d = value.getAsNumber();
      if (!d)
        return fieldError("target key '" + key + "' must be a number");
      (*target).*field->real = *d;
    }
  }
  if (Error err = validateTarget(*target))
    return std::move(err);
  return target;
}

/// Shortest decimal form of `value` that parses back to the same double.
static std::string formatReal(double value) {
  char buffer[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value)
      break;
  }
  return buffer;
}

std::string npurt::toJSON(const Target &target) {
  std::string out;
  raw_string_ostream os(out);
  os << "{\n";
  ArrayRef<TargetField> fields = targetFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    const TargetField &field = fields[i];
    os << "  \"" << field.name << "\": ";
    if (field.text)
      os << json::Value(target.*field.text);
    else if (field.integer)
      os << target.*field.integer;
    else if (std::isfinite(target.*field.real))
      os << formatReal(target.*field.real);
    else
      os << "null"; // Not representable; validateTarget rejects it anyway.
    os << (i + 1 < fields.size() ? ",\n" : "\n");
  }
  os << "}\n";
  return out;
}

static bool isPowerOfTwoIn(uint64_t value, uint64_t lo, uint64_t hi) {
  return isPowerOf2_64(value) && value >= lo && value <= hi;
}

Error npurt::validateTarget(const Target &t) {
  auto fail = [](const Twine &message) { return fieldError(message); };
  if (t.name.empty())
    return fail("name must not be empty");
  if (!(t.clock_ghz > 0 && t.clock_ghz <= 100))
    return fail("clock_ghz must be in (0, 100]");
  if (t.cores < 1 || t.cores > 64)
    return fail("cores must be in [1, 64]");
  if (!isPowerOfTwoIn(t.mxu_rows, 4, 1024))
    return fail("mxu_rows must be a power of two in [4, 1024]");
  if (!isPowerOfTwoIn(t.mxu_cols, 4, 1024))
    return fail("mxu_cols must be a power of two in [4, 1024]");
  for (auto [name, rate] :
       {std::pair<StringRef, double>{"mxu_rate_bf16", t.mxu_rate_bf16},
        {"mxu_rate_fp32", t.mxu_rate_fp32},
        {"mxu_rate_int8", t.mxu_rate_int8}})
    if (!(rate > 0 && rate <= 64))
      return fail(name + " must be in (0, 64]");
  if (t.mxu_latency_cycles > 1000000)
    return fail("mxu_latency_cycles must be at most 1000000");
  if (!isPowerOfTwoIn(t.vpu_lanes, 1, 4096))
    return fail("vpu_lanes must be a power of two in [1, 4096]");
  if (t.vpu_latency_cycles > 1000000)
    return fail("vpu_latency_cycles must be at most 1000000");
  if (t.vpu_transcendental_cycles < 1 || t.vpu_transcendental_cycles > 1024)
    return fail("vpu_transcendental_cycles must be in [1, 1024]");
  if (!isPowerOfTwoIn(t.sram_banks, 1, 256))
    return fail("sram_banks must be a power of two in [1, 256]");
  if (!isPowerOfTwoIn(t.sram_alignment, 4, 4096))
    return fail("sram_alignment must be a power of two in [4, 4096]");
  // Addresses of on-chip memories are 32-bit instruction fields.
  if (t.sram_bytes < 1 || t.sram_bytes > (1ull << 32))
    return fail("sram_bytes must be in [1, 4294967296]");
  if (t.sram_bytes % (t.sram_banks * t.sram_alignment) != 0)
    return fail("sram_bytes must be a multiple of sram_banks*sram_alignment (" +
                Twine(t.sram_banks * t.sram_alignment) + ")");
  if (!isPowerOfTwoIn(t.acc_alignment, 4, 4096))
    return fail("acc_alignment must be a power of two in [4, 4096]");
  if (t.acc_bytes < 1 || t.acc_bytes > (1ull << 32))
    return fail("acc_bytes must be in [1, 4294967296]");
  if (t.acc_bytes % t.acc_alignment != 0)
    return fail("acc_bytes must be a multiple of acc_alignment (" +
                Twine(t.acc_alignment) + ")");
  uint64_t tileBytes = t.mxu_rows * t.mxu_cols * 4;
  if (t.acc_bytes < tileBytes)
    return fail("acc_bytes must hold at least one mxu_rows x mxu_cols fp32 "
                "tile (" +
                Twine(tileBytes) + " bytes)");
  if (t.sram_bytes < tileBytes)
    return fail("sram_bytes must hold at least one mxu_rows x mxu_cols fp32 "
                "tile (" +
                Twine(tileBytes) + " bytes)");
  if (t.dram_bytes < 64 || t.dram_bytes > (1ull << 40) ||
      t.dram_bytes % 64 != 0)
    return fail("dram_bytes must be a multiple of 64 in [64, 2^40]");
  if (!(t.dram_bytes_per_cycle > 0 && t.dram_bytes_per_cycle <= 65536))
    return fail("dram_bytes_per_cycle must be in (0, 65536]");
  if (t.dma_queues != 2)
    return fail("dma_queues must be 2 (one load and one store queue)");
  if (t.dma_latency_cycles > 1000000)
    return fail("dma_latency_cycles must be at most 1000000");
  if (t.semaphores < 1 || t.semaphores > 255)
    return fail("semaphores must be in [1, 255]");
  for (const TargetField &field : targetFields())
    if (field.real &&
        (field.name.starts_with("energy_") || field.name == "static_power_w")) {
      double value = t.*field.real;
      if (!(value >= 0 && value <= 1e6))
        return fail(field.name + " must be in [0, 1e6]");
    }
  return Error::success();
}
