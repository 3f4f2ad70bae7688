// SPDX-License-Identifier: LGPL-2.1-or-later
// SIGINT and SIGTERM ask a long-running command (monitor, an online wait,
// scrub, split or merge) to stop at its next check instead of ending the
// process mid-step.
#pragma once

#include <atomic>

namespace dmirror::cli {

// Installs the handlers (again is harmless) and returns the flag they set.
const std::atomic<bool>* stop_on_signals();

// A descriptor that turns readable once a stop was asked for (the self-pipe
// the handler writes to), for a command that sleeps in poll(): a signal
// landing between its check of the flag and poll() still wakes it at once.
// -1 before stop_on_signals().
int stop_signal_fd();

}  // namespace dmirror::cli
