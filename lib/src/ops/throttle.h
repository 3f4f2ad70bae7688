// SPDX-License-Identifier: LGPL-2.1-or-later
// Throttle: the loop helper of long operations. After each chunk it sleeps
// as long as the (live) rate limit asks, reports progress with a windowed
// rate and an ETA (nullopt until at least two seconds of samples exist),
// and turns a cancel request into ErrorCode::Cancelled.
#pragma once

#include <dmirror/progress.h>
#include <dmirror/result.h>

#include <chrono>
#include <deque>
#include <string>

namespace dmirror::ops {

class Throttle {
 public:
  Throttle(const OpControl& control, std::string phase, uint64_t total_bytes, uint64_t done_bytes = 0);
  // Accounts `bytes` just done. Returns Cancelled when asked to stop.
  [[nodiscard]] Status tick(uint64_t bytes);
  bool cancel_requested() const;
  uint64_t done() const { return done_; }
  Progress progress() const;

 private:
  using Clock = std::chrono::steady_clock;
  const OpControl& control_;
  std::string phase_;
  uint64_t total_, done_;
  std::deque<std::pair<Clock::time_point, uint64_t>> window_;
  Clock::time_point limit_start_;
  uint64_t limit_bytes_ = 0;
  uint64_t limit_ = 0;
};

}  // namespace dmirror::ops
