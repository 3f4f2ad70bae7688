// SPDX-License-Identifier: LGPL-2.1-or-later
// Renders the exit-code table of exit_codes.h for the --help footer.
#include "exit_codes.h"

#include <fmt/format.h>

namespace dmirror::cli {

std::string exit_code_help() {
  std::string out = "Exit status (bits, ORed together by read-only commands):\n";
  for (const auto& e : kExitBits) out += fmt::format("  {:>2}  {}\n", e.bit, e.meaning);
  return out;
}

}  // namespace dmirror::cli
