// SPDX-License-Identifier: LGPL-2.1-or-later
// ErrorWindow: the read-error threshold of FORMAT.md 2.7. A leg with more
// than `error_limit` read errors within `error_window` seconds in one run is
// failed; fewer are healed and counted. One window per run (scrub, verify
// --repair, an open Mirror), one queue of timestamps per slot.
#pragma once

#include <dmirror/superblock.h>

#include <array>
#include <cstdint>
#include <deque>

namespace dmirror::ops {

class ErrorWindow {
 public:
  explicit ErrorWindow(const Superblock& sb)
      : limit_(sb.error_limit ? sb.error_limit : kDefaultErrorLimit),
        window_(sb.error_window ? sb.error_window : kDefaultErrorWindow) {}

  // Records one read error of `slot` at `now` (seconds); true when the leg
  // now has more than the limit within the window.
  bool add(uint32_t slot, uint64_t now) {
    std::deque<uint64_t>& t = times_[slot % kMaxLegs];
    t.push_back(now);
    while (!t.empty() && t.front() + window_ <= now) t.pop_front();
    return t.size() > limit_;
  }
  uint32_t limit() const { return limit_; }
  uint32_t window() const { return window_; }

 private:
  uint32_t limit_, window_;
  std::array<std::deque<uint64_t>, kMaxLegs> times_{};
};

}  // namespace dmirror::ops
