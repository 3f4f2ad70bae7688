// SPDX-License-Identifier: LGPL-2.1-or-later
#include "stop_signal.h"

#include <csignal>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_stop(int) { g_stop = true; }

}  // namespace

const std::atomic<bool>* stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_stop;
}

}  // namespace dmirror::cli
