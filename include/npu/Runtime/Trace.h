//===- Trace.h - Chrome / Perfetto trace of a simulated run -----*- C++ -*-===//
//
// Writes the executed instructions as Chrome trace-event JSON, which
// ui.perfetto.dev and chrome://tracing open directly: one process per core,
// one thread (track) per engine, one complete ("X") event per instruction
// with its opcode as the name and its stream index and source op in args,
// plus a "wait" event for every period an engine stalled on semaphores.
// Timestamps are microseconds of chip time (cycles / clock).
//
//===----------------------------------------------------------------------===//
#ifndef NPU_RUNTIME_TRACE_H
#define NPU_RUNTIME_TRACE_H

#include "npu/Runtime/Simulator.h"

#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace npurt {

/// Streams trace events to a file as they are recorded.
class ChromeTraceWriter : public TraceSink {
public:
  /// Opens `path` and writes the header and track names.
  static llvm::Expected<std::unique_ptr<ChromeTraceWriter>>
  create(llvm::StringRef path, const Program &program);
  ~ChromeTraceWriter() override;

  void record(const TraceEvent &event) override;
  /// Writes a "wait" event on the engine's track, naming the semaphores.
  void recordStall(const StallEvent &stall) override;
  /// Writes the closing bracket and flushes; reports any write error.
  llvm::Error finish();

private:
  ChromeTraceWriter(std::unique_ptr<llvm::raw_fd_ostream> os,
                    const Program &program);
  std::unique_ptr<llvm::raw_fd_ostream> os;
  const Program &program;
  double microsecondsPerCycle;
  bool finished = false;
};

} // namespace npurt

#endif // NPU_RUNTIME_TRACE_H
