// SPDX-License-Identifier: LGPL-2.1-or-later
// Output of the commands that run scheduled (scrub from a timer or cron,
// monitor as a service). Under journald (JOURNAL_STREAM names stderr's
// device and inode, as systemd.exec(5) documents) every line goes to stderr
// with its syslog priority as a "<N>" prefix, so the journal files it at that
// level under the unit's SyslogIdentifier. Elsewhere a report goes to stdout
// (a terminal, a pipe, cron's mail) and diagnostics to stderr, unprefixed.
#pragma once

#include <string_view>

namespace dmirror::cli {

// True when stderr is connected to the journal (checked once).
bool stderr_is_journal();

// One diagnostic (an error, a warning) on stderr; each line of `text` gets
// the "<priority>" prefix under journald.
void log_stderr(int priority, std::string_view text);

// One line of a command's report: stdout, or under journald stderr with
// its priority. `quiet` drops lines less urgent than LOG_WARNING.
void report_line(int priority, std::string_view text, bool quiet = false);

}  // namespace dmirror::cli
