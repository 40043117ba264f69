//===- Trace.cpp - Chrome trace-event JSON writer --------------------------===//
//
// Streams events so that traces of millions of instructions need no memory
// beyond the output buffer. Strings (source op names) are JSON-escaped.
//
//===----------------------------------------------------------------------===//
#include "npu/Runtime/Trace.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace llvm;
using namespace npurt;

/// Prints `text` as a JSON string literal.
static void quoted(raw_ostream &os, StringRef text) {
  os << json::Value(text.str());
}

Expected<std::unique_ptr<ChromeTraceWriter>>
ChromeTraceWriter::create(StringRef path, const Program &program) {
  std::error_code error;
  auto os = std::make_unique<raw_fd_ostream>(path, error, sys::fs::OF_None);
  if (error)
    return createStringError(error, "cannot open trace file '" + path +
                                        "': " + error.message());
  std::unique_ptr<ChromeTraceWriter> writer(
      new ChromeTraceWriter(std::move(os), program));
  raw_ostream &out = *writer->os;
  // Metadata first; every later event is written as ",\n{...}" so the
  // array needs no trailing-comma fix-up.
  out << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n";
  for (unsigned core = 0; core < program.cores.size(); ++core) {
    out << (core ? ",\n" : "")
        << "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" << core
        << ",\"tid\":0,\"args\":{\"name\":\"npu core " << core << "\"}}";
    for (unsigned e = 0; e < kNumEngines; ++e)
      out << ",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" << core
          << ",\"tid\":" << e << ",\"args\":{\"name\":\""
          << engineName(static_cast<Engine>(e)) << "\"}}";
  }
  return writer;
}

ChromeTraceWriter::ChromeTraceWriter(std::unique_ptr<raw_fd_ostream> os,
                                     const Program &program)
    : os(std::move(os)), program(program),
      microsecondsPerCycle(1e-3 / program.target.clock_ghz) {}

ChromeTraceWriter::~ChromeTraceWriter() {
  if (!finished)
    consumeError(finish());
}

void ChromeTraceWriter::record(const TraceEvent &event) {
  raw_ostream &out = *os;
  double start = event.issue_cycle * microsecondsPerCycle;
  double duration =
      (event.complete_cycle - event.issue_cycle) * microsecondsPerCycle;
  out << ",\n{\"ph\":\"X\",\"name\":\"" << opcodeName(event.instruction->opcode)
      << "\",\"pid\":" << event.core
      << ",\"tid\":" << static_cast<unsigned>(event.engine)
      << ",\"ts\":" << format("%.6f", start)
      << ",\"dur\":" << format("%.6f", duration)
      << ",\"args\":{\"index\":" << event.index
      << ",\"cycles\":" << format("%.0f", event.complete_cycle -
                                              event.issue_cycle);
  if (event.source != kNoSource) {
    const SourceOp &source = program.source_ops[event.source];
    out << ",\"source\":";
    quoted(out, source.name);
    out << ",\"kind\":";
    quoted(out, source.kind);
  }
  out << "}}";
}

void ChromeTraceWriter::recordStall(const StallEvent &stall) {
  raw_ostream &out = *os;
  out << ",\n{\"ph\":\"X\",\"name\":\"wait\",\"pid\":" << stall.core
      << ",\"tid\":" << static_cast<unsigned>(stall.engine)
      << ",\"ts\":" << format("%.6f", stall.from_cycle * microsecondsPerCycle)
      << ",\"dur\":"
      << format("%.6f",
                (stall.to_cycle - stall.from_cycle) * microsecondsPerCycle)
      << ",\"args\":{\"index\":" << stall.index << ",\"semaphores\":[";
  bool first = true;
  for (uint8_t id : stall.instruction->wait)
    if (id != kNoSemaphore) {
      out << (first ? "" : ",") << unsigned(id);
      first = false;
    }
  out << "]}}";
}

Error ChromeTraceWriter::finish() {
  finished = true;
  *os << "\n]}\n";
  os->flush();
  if (os->has_error()) {
    std::error_code error = os->error();
    os->clear_error();
    return createStringError(error, "cannot write the trace file: " +
                                        error.message());
  }
  return Error::success();
}
