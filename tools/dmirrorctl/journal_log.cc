// SPDX-License-Identifier: LGPL-2.1-or-later
// stderr to the journal with syslog priority prefixes (see journal_log.h).
#include "journal_log.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

namespace dmirror::cli {
namespace {

bool check_journal_stream() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env || !*env) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  // The variable is inherited by children whose stderr was redirected: it
  // applies only while stderr is still the stream it names.
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

void write_lines(std::FILE* f, int priority, std::string_view text, bool prefix) {
  std::fflush(stdout);
  while (true) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (prefix) fmt::print(f, "<{}>{}\n", priority, line);
    else fmt::print(f, "{}\n", line);
    if (nl == std::string_view::npos || nl + 1 == text.size()) break;
    text.remove_prefix(nl + 1);
  }
  std::fflush(f);
}

}  // namespace

bool stderr_is_journal() {
  static const bool journal = check_journal_stream();
  return journal;
}

void log_stderr(int priority, std::string_view text) { write_lines(stderr, priority, text, stderr_is_journal()); }

void report_line(int priority, std::string_view text, bool quiet) {
  if (quiet && priority > LOG_WARNING) return;
  if (stderr_is_journal()) write_lines(stderr, priority, text, true);
  else write_lines(stdout, priority, text, false);
}

}  // namespace dmirror::cli
