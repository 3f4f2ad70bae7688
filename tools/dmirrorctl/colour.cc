// SPDX-License-Identifier: LGPL-2.1-or-later
// Colour of health words (see colour.h).
#include "colour.h"

#include <cstdlib>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::string_view code_for(std::string_view word) {
  if (word == "healthy" || word == "in_sync" || word == "clean") return "\033[32m";
  if (word == "degraded" || word == "resync-pending" || word == "stale" || word == "missing" || word == "rebuilding" || word == "replacing" ||
      word == "repaired")
    return "\033[33m";
  if (word == "failed" || word == "inconsistent" || word == "mismatches" || word == "split") return "\033[1;31m";
  return {};
}

}  // namespace

bool colour_enabled() {
  static const bool enabled = [] {
    const char* no_colour = std::getenv("NO_COLOR");
    if (no_colour && *no_colour) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb") return false;
    return ::isatty(STDOUT_FILENO) == 1;
  }();
  return enabled;
}

std::string paint_health(std::string_view word, size_t width) {
  std::string padding(word.size() < width ? width - word.size() : 0, ' ');
  std::string_view code = colour_enabled() ? code_for(word) : std::string_view();
  if (code.empty()) return std::string(word) + padding;
  return std::string(code) + std::string(word) + "\033[0m" + padding;
}

}  // namespace dmirror::cli
