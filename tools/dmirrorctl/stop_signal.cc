// SPDX-License-Identifier: LGPL-2.1-or-later
#include "stop_signal.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_stop{false};
int g_pipe[2] = {-1, -1};

void on_stop(int) {
  g_stop = true;
  if (g_pipe[1] >= 0) {
    const int saved = errno;
    [[maybe_unused]] ssize_t n = ::write(g_pipe[1], "x", 1);   // full: already readable
    errno = saved;
  }
}

}  // namespace

const std::atomic<bool>* stop_on_signals() {
  if (g_pipe[0] < 0 && ::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) g_pipe[0] = g_pipe[1] = -1;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

int stop_signal_fd() { return g_pipe[0]; }

}  // namespace dmirror::cli
