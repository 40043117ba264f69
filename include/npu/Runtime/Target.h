//===- Target.h - chip parameters, presets and their JSON form --*- C++ -*-===//
//
// The chip a program is compiled for and simulated on. Every number the
// compiler, the validator, the functional model and the cost model use is a
// field of `Target`; nothing about the chip is hard-coded elsewhere.
//
// Field names are snake_case and are the SAME strings in three places: the
// JSON files under targets/, the `#npu.target<...>` MLIR attribute and the
// `.npu.target` section of a chip binary. `targetFields()` lists them in their
// canonical order so every front end can parse/print them generically.
//
// This library has no MLIR dependency (namespace `npurt`, "NPU runtime").
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_TARGET_H
#define NPU_RUNTIME_TARGET_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace npurt {

/// All chip parameters. Defaults are the `npu-base` preset. Sizes are bytes,
/// times are cycles of the chip clock, energies picojoules.
struct Target {
  /// Preset or user-chosen name; informational only.
  std::string name = "npu-base";

  // --- clock and cores ---------------------------------------------------
  /// Clock frequency in GHz; converts cycles to seconds for power figures.
  double clock_ghz = 1.0;
  /// Number of cores. Each core has its own four engines, SRAM, accumulator
  /// and semaphores; all cores share the DRAM and its port.
  uint64_t cores = 1;

  // --- MXU (weight-stationary systolic array) ----------------------------
  /// Rows of the array = largest K of a loaded weight tile.
  uint64_t mxu_rows = 128;
  /// Columns of the array = largest N of a loaded weight tile.
  uint64_t mxu_cols = 128;
  /// MACs per PE per cycle for bf16 x bf16 -> fp32.
  double mxu_rate_bf16 = 1.0;
  /// MACs per PE per cycle for fp32 x fp32 -> fp32.
  double mxu_rate_fp32 = 0.25;
  /// MACs per PE per cycle for int8 x int8 -> int32.
  double mxu_rate_int8 = 2.0;
  /// Fixed issue/drain overhead of every MXU instruction, in cycles.
  uint64_t mxu_latency_cycles = 16;

  // --- VPU (vector unit) -------------------------------------------------
  /// fp32 lanes: elements processed per cycle by a simple function.
  uint64_t vpu_lanes = 128;
  /// Fixed pipeline latency of every VPU instruction, in cycles.
  uint64_t vpu_latency_cycles = 8;
  /// Cycles per lane-group for transcendental functions (exp, log, tanh,
  /// sigmoid, erf, gelu, sqrt, rsqrt, recip, div, pow); simple ones take 1.
  uint64_t vpu_transcendental_cycles = 4;

  // --- on-chip memories (per core) ---------------------------------------
  /// SRAM scratchpad size. Must be a multiple of sram_banks * sram_alignment.
  uint64_t sram_bytes = 8ull << 20;
  /// Number of SRAM banks (bank = (addr / sram_alignment) % sram_banks).
  uint64_t sram_banks = 16;
  /// Required alignment of MXU/VPU SRAM operand base addresses (bank width).
  uint64_t sram_alignment = 64;
  /// Accumulator size (fp32/int32 words).
  uint64_t acc_bytes = 1ull << 20;
  /// Required alignment of accumulator addresses (a multiple of 4).
  uint64_t acc_alignment = 4;

  // --- DRAM and DMA -------------------------------------------------------
  /// DRAM size, shared by all cores.
  uint64_t dram_bytes = 8ull << 30;
  /// DRAM port bandwidth in bytes per cycle, shared by all transfers.
  double dram_bytes_per_cycle = 512.0;
  /// DMA queues per core. ISA version 1 has exactly two: one load, one store.
  uint64_t dma_queues = 2;
  /// Fixed latency of every DMA transfer, in cycles.
  uint64_t dma_latency_cycles = 500;

  // --- synchronization ------------------------------------------------------
  /// Counting semaphores per core, ids 0 .. semaphores-1 (at most 255:
  /// id 0xFF means "no semaphore" in an instruction).
  uint64_t semaphores = 32;

  // --- energy (defaults: Horowitz, ISSCC 2014, 45 nm, scaled ~4x to a
  // ---          7 nm-class process; HBM2 ~3.9 pJ/bit) -----------------------
  /// Energy of one bf16 MAC (fp32 accumulate).
  double energy_mac_bf16_pj = 0.5;
  /// Energy of one fp32 MAC.
  double energy_mac_fp32_pj = 2.0;
  /// Energy of one int8 MAC (int32 accumulate).
  double energy_mac_int8_pj = 0.1;
  /// Energy per byte read or written in SRAM.
  double energy_sram_pj_per_byte = 1.0;
  /// Energy per byte read or written in the accumulator.
  double energy_acc_pj_per_byte = 1.0;
  /// Energy per byte transferred to or from DRAM.
  double energy_dram_pj_per_byte = 31.0;
  /// Energy of one VPU element operation (one lane, one simple function;
  /// transcendental functions cost vpu_transcendental_cycles times this).
  double energy_vpu_pj_per_op = 0.3;
  /// Static (leakage + clock tree) power of the whole chip while it runs.
  double static_power_w = 2.0;

  /// Returns a named preset: "npu-base" or "npu-tiny".
  static llvm::Expected<Target> preset(llvm::StringRef name);
};

/// Names of the built-in presets, for help text and error messages.
llvm::ArrayRef<llvm::StringRef> presetNames();

/// Describes one field of Target for generic parsing/printing (JSON, the MLIR
/// attribute). Exactly one of `integer`/`real`/`text` is non-null.
struct TargetField {
  llvm::StringRef name;
  uint64_t Target::*integer = nullptr;
  double Target::*real = nullptr;
  std::string Target::*text = nullptr;
  llvm::StringRef doc;
};

/// All fields in canonical order (the order toJSON prints them).
llvm::ArrayRef<TargetField> targetFields();

/// Parses a target from JSON text: an object whose keys are field names.
/// Largest target JSON text parseTargetJSON accepts (a real one is ~1 KiB).
constexpr size_t kMaxTargetJSONBytes = 1 << 20;
/// Deepest array/object nesting parseTargetJSON accepts; a target is one flat
/// object, and the limit keeps llvm::json's recursive parser off the end of
/// the stack.
constexpr unsigned kMaxTargetJSONDepth = 16;

/// The optional key "preset" (a preset name, default "npu-base") gives the
/// values of keys that are absent. Unknown keys, wrong value types, negative
/// or fractional integers are errors naming the key. The result is validated
/// with validateTarget.
llvm::Expected<Target> parseTargetJSON(llvm::StringRef text);

/// Canonical JSON: every field, in targetFields() order, one per line;
/// deterministic (doubles printed so they parse back bit-exactly).
std::string toJSON(const Target &target);

/// Checks that the target describes a buildable chip; the message names the
/// offending field, e.g. "mxu_rows must be a power of two in [4, 1024]".
llvm::Error validateTarget(const Target &target);

/// Field-by-field equality (doubles compared by value).
bool operator==(const Target &a, const Target &b);
inline bool operator!=(const Target &a, const Target &b) { return !(a == b); }

} // namespace npurt

#endif // NPU_RUNTIME_TARGET_H
