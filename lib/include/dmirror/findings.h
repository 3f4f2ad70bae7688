// SPDX-License-Identifier: LGPL-2.1-or-later
// Findings: what examine / verify / scrub noticed. They are not errors: an
// operation that finds a damaged copy still succeeds and reports it.
#pragma once

#include <dmirror/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror {

enum class Severity { Info = 0, Warning = 1, Error = 2, Fatal = 3 };
DMIRROR_EXPORT std::string_view severity_name(Severity s);

struct Finding {
  Severity severity = Severity::Info;
  std::string code;        // stable machine key, e.g. "superblock-copy-corrupt"
  std::string message;     // human text
  std::string leg;         // device path, or empty
  int64_t slot = -1;       // leg slot, or -1
};

using Findings = std::vector<Finding>;

inline Severity worst(const Findings& f) {
  Severity w = Severity::Info;
  for (const auto& x : f) if (x.severity > w) w = x.severity;
  return w;
}

}  // namespace dmirror
