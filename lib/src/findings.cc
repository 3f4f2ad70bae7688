// SPDX-License-Identifier: LGPL-2.1-or-later
// Names of finding severities, as printed by the tools and in JSON.
#include <dmirror/findings.h>

namespace dmirror {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
    case Severity::Fatal: return "fatal";
  }
  return "unknown";
}

}  // namespace dmirror
