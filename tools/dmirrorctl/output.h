// SPDX-License-Identifier: LGPL-2.1-or-later
// Output helpers shared by the subcommands: the global options, the JSON
// envelope (output_version first), and error reporting in the one format
// "dmirrorctl: <what>: <why>. <what to do>" (or {"error": {...}} in JSON).
#pragma once

#include <dmirror/result.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace dmirror::cli {

using Json = nlohmann::ordered_json;

inline constexpr int kOutputVersionMajor = 1;
inline constexpr int kOutputVersionMinor = 9;

struct Context {
  bool json = false;
  int verbose = 0;
};

// {"output_version": {"major": 1, "minor": 2}}, to which a command adds keys.
Json json_envelope();
void print_json(const Json& doc);

// Reports `err` for the action `what` ("cannot create array 'vol0'") and
// returns the exit code from the exit-code table.
int report_error(const Context& ctx, std::string_view what, const Error& err);
// Same, for a failure detected by the tool itself.
int report_failure(const Context& ctx, std::string_view what, ErrorCode code, std::string_view message);

// "2024-05-01 12:00:00" in local time, or "never" for 0.
std::string format_time(uint64_t unix_seconds);

}  // namespace dmirror::cli
