// SPDX-License-Identifier: LGPL-2.1-or-later
// Error reporting and the JSON envelope of dmirrorctl. Hints say what to do
// for the errors whose library message does not already say it.
#include "output.h"

#include "escape.h"
#include "exit_codes.h"
#include "journal_log.h"

#include <fmt/format.h>

#include <ctime>
#include <iostream>
#include <syslog.h>

namespace dmirror::cli {
namespace {

std::string_view hint_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::NotFound: return "Check the path";
    case ErrorCode::Busy: return "Unmount it or stop whatever holds it, then retry";
    case ErrorCode::NotDmirror: return "Check that the path is a dmirror leg";
    case ErrorCode::Io: return "Check the device and the kernel log (dmesg)";
    case ErrorCode::Internal: return "This is a bug; please report it";
    default: return {};
  }
}

// True when the message already says what to do.
bool has_advice(std::string_view why) {
  for (std::string_view s : {". ", "; use", "; run", "; give", "; check", "; choose", "; wait", "; unmount", "; swapoff", "; remove"}) {
    if (why.find(s) != std::string_view::npos) return true;
  }
  return false;
}

}  // namespace

Json json_envelope() {
  Json doc;
  doc["output_version"] = {{"major", kOutputVersionMajor}, {"minor", kOutputVersionMinor}};
  return doc;
}

// Strings read from disk need not be UTF-8: invalid bytes become U+FFFD
// rather than ending the program (nlohmann's default is to throw).
void print_json(const Json& doc) { std::cout << doc.dump(2, ' ', false, Json::error_handler_t::replace) << std::endl; }

int report_error(const Context& ctx, std::string_view raw_what, const Error& err) {
  const int exit_code = exit_code_for(err.code);
  // Names and paths in errors are untrusted text: no control character, escape
  // sequence or newline reaches the terminal (names are quoted through
  // printable() by the callers, so their '\' escapes are kept as they are).
  const std::string what = printable_message(raw_what);
  std::string why = printable_message(err.describe());
  while (!why.empty() && why.back() == '.') why.pop_back();
  std::string_view hint = has_advice(why) ? std::string_view() : hint_for(err.code);
  if (ctx.json) {
    Json doc = json_envelope();
    doc["error"] = {{"code", std::string(error_code_name(err.code))},
                    {"message", fmt::format("{}: {}", what, why)},
                    {"exit_code", exit_code}};
    print_json(doc);
  }
  std::cout.flush();
  log_stderr(LOG_ERR, hint.empty() ? fmt::format("dmirrorctl: {}: {}.", what, why)
                                    : fmt::format("dmirrorctl: {}: {}. {}.", what, why, hint));
  return exit_code;
}

int report_failure(const Context& ctx, std::string_view what, ErrorCode code, std::string_view message) {
  return report_error(ctx, what, Error{code, 0, std::string(message)});
}

std::string format_time(uint64_t unix_seconds) {
  if (unix_seconds == 0) return "never";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace dmirror::cli
