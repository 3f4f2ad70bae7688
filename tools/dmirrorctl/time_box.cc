// SPDX-License-Identifier: LGPL-2.1-or-later
// The time box of long operations (see time_box.h).
#include "time_box.h"

#include "op_support.h"

#include <atomic>
#include <charconv>
#include <csignal>
#include <limits>
#include <string>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_expired{false};

void on_alarm(int) {
  g_expired = true;
  request_cancel();
}

}  // namespace

Result<uint64_t> parse_duration(std::string_view text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
  uint64_t scale = 0;
  if (unit.empty() || unit == "s") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60;
  else if (unit == "h") scale = 3600;
  else if (unit == "d") scale = 86400;
  if (ec != std::errc() || scale == 0 || value == 0 || value > std::numeric_limits<unsigned>::max() / scale)
    return make_error(ErrorCode::InvalidArgument,
                      "'" + std::string(text) + "' is not a duration; give e.g. 90s, 30m, 6h or 2d");
  return value * scale;
}

void arm_time_box(uint64_t seconds) {
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, nullptr);
  ::alarm(static_cast<unsigned>(seconds));
}

bool time_box_expired() { return g_expired; }

}  // namespace dmirror::cli
