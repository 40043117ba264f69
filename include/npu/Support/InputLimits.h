//===- InputLimits.h - limits on untrusted input files ----------*- C++ -*-===//
//
// Explicit limits of the tools on input they cannot trust (docs/security.md
// lists all of them). MLIR's parser recurses once per nested bracket, region
// or type, so deeply nested text overflows the stack long before memory runs
// out: npu-opt, npu-translate and the fuzzers scan the text first and refuse
// nesting beyond kMaxMLIRNestingDepth with a message naming line and column.
//
//===----------------------------------------------------------------------===//
#ifndef NPU_SUPPORT_INPUTLIMITS_H
#define NPU_SUPPORT_INPUTLIMITS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace mlir::npu {

/// Deepest nesting of (), [], {} and <> accepted in MLIR text. IR of our
/// dialects nests a few dozen levels at most (module, program, layer,
/// tensor<...> types, dense<[[...]]> of rank <= 8); the parser of an ASan
/// build overflows its 8 MiB stack after a few thousand.
constexpr unsigned kMaxMLIRNestingDepth = 256;

/// Scans MLIR text for bracket nesting deeper than `maxDepth`, skipping
/// string literals and `//` comments, and reading `->` and `>=` as tokens
/// rather than closing brackets. Returns a message naming the line and
/// column of the first bracket past the limit, or nothing. One pass, no
/// allocation; unbalanced closers are left to the parser to report.
inline std::optional<std::string>
findExcessiveNesting(llvm::StringRef text,
                     unsigned maxDepth = kMaxMLIRNestingDepth) {
  unsigned depth = 0;
  size_t line = 1, lineStart = 0;
  for (size_t i = 0, e = text.size(); i < e; ++i) {
    char c = text[i];
    switch (c) {
    case '\n':
      ++line;
      lineStart = i + 1;
      break;
    case '"':
      // A string literal: skip to its closing quote (escapes included); a
      // newline ends an unterminated one, as in MLIR's lexer.
      for (++i; i < e && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
      if (i < e && text[i] == '\n') {
        ++line;
        lineStart = i + 1;
      }
      break;
    case '/':
      if (i + 1 < e && text[i + 1] == '/')
        while (i + 1 < e && text[i + 1] != '\n')
          ++i;
      break;
    case '-':
      if (i + 1 < e && text[i + 1] == '>')
        ++i; // `->`
      break;
    case '(':
    case '[':
    case '{':
    case '<':
      if (++depth > maxDepth)
        return ("line " + llvm::Twine(line) + ", column " +
                llvm::Twine(i - lineStart + 1) + ": nesting depth exceeds " +
                llvm::Twine(maxDepth) +
                " (brackets, regions and types nested this deep would "
                "overflow the parser's stack)")
            .str();
      break;
    case '>':
      if (i + 1 < e && text[i + 1] == '=') {
        ++i; // `>=` in integer sets
        break;
      }
      [[fallthrough]];
    case ')':
    case ']':
    case '}':
      if (depth)
        --depth;
      break;
    default:
      break;
    }
  }
  return std::nullopt;
}

/// Checks the size of the regular file at `path` against `limit` WITHOUT
/// reading it (tools call this before opening an input they would otherwise
/// read whole). Returns a message naming the file, its size and the limit, or
/// nothing (also for files that cannot be stat'ed, pipes and "-": reading them
/// reports those errors, and stdin needs a bounded read instead).
inline std::optional<std::string> checkFileSizeLimit(llvm::StringRef path,
                                                     uint64_t limit,
                                                     llvm::StringRef why) {
  llvm::sys::fs::file_status status;
  if (path == "-" || llvm::sys::fs::status(path, status) ||
      !llvm::sys::fs::is_regular_file(status) || status.getSize() <= limit)
    return std::nullopt;
  return ("input file '" + path + "' is " + llvm::Twine(status.getSize()) +
          " bytes, over the " + llvm::Twine(limit) + "-byte limit of " + why +
          "; nothing was read")
      .str();
}

} // namespace mlir::npu

#endif // NPU_SUPPORT_INPUTLIMITS_H
