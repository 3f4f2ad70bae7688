// SPDX-License-Identifier: LGPL-2.1-or-later
// Reads the confirmation byte by byte from stdin so that SIGINT (installed
// without SA_RESTART) interrupts the wait.
#include "confirm.h"

#include "commands.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace dmirror::cli {

Answer ask_yes(std::string_view question) {
  if (!::isatty(STDIN_FILENO)) return Answer::NoTerminal;
  fmt::print(stderr, "{}", question);
  std::fflush(stderr);
  std::string line;
  char c = 0;
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) {
      if (interrupted()) return Answer::Interrupted;
      continue;
    }
    if (n <= 0 || c == '\n') break;
    line += c;
  }
  return line == "yes" ? Answer::Yes : Answer::No;
}

}  // namespace dmirror::cli
