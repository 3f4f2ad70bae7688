// SPDX-License-Identifier: LGPL-2.1-or-later
// Rate limiting, windowed rate / ETA and cancellation (see throttle.h).
#include "ops/throttle.h"

#include <thread>

namespace dmirror::ops {
namespace {
constexpr auto kWindow = std::chrono::seconds(10);
constexpr auto kMinSpan = std::chrono::seconds(2);
}  // namespace

Throttle::Throttle(const OpControl& control, std::string phase, uint64_t total, uint64_t done)
    : control_(control), phase_(std::move(phase)), total_(total), done_(done) {
  limit_start_ = Clock::now();
  window_.emplace_back(limit_start_, done_);
}

bool Throttle::cancel_requested() const { return control_.cancel && control_.cancel->load(); }

Progress Throttle::progress() const {
  Progress p;
  p.phase = phase_;
  p.done_bytes = done_;
  p.total_bytes = total_;
  if (window_.size() >= 2) {
    auto span = window_.back().first - window_.front().first;
    double secs = std::chrono::duration<double>(span).count();
    if (secs > 0) p.rate_bytes_per_sec = static_cast<double>(window_.back().second - window_.front().second) / secs;
    if (span >= kMinSpan && p.rate_bytes_per_sec > 0 && total_ >= done_)
      p.eta_seconds = static_cast<uint64_t>(static_cast<double>(total_ - done_) / p.rate_bytes_per_sec + 0.5);
  }
  return p;
}

Status Throttle::tick(uint64_t bytes) {
  done_ += bytes;
  uint64_t limit = control_.max_rate ? control_.max_rate() : 0;
  auto now = Clock::now();
  if (limit != limit_) {      // the limit changed: measure from here
    limit_ = limit;
    limit_start_ = now;
    limit_bytes_ = 0;
  }
  limit_bytes_ += bytes;
  if (limit_ > 0) {
    auto due = limit_start_ + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(limit_bytes_) / limit_));
    // Sleep in short slices so a raised limit or a cancel is noticed quickly.
    while (now < due && !cancel_requested()) {
      std::this_thread::sleep_for(std::min<Clock::duration>(due - now, std::chrono::milliseconds(100)));
      now = Clock::now();
      uint64_t fresh = control_.max_rate ? control_.max_rate() : 0;
      if (fresh != limit_) break;
    }
  }
  window_.emplace_back(now, done_);
  while (window_.size() > 2 && now - window_.front().first > kWindow) window_.pop_front();
  if (control_.progress) control_.progress(progress());
  if (cancel_requested()) return make_error(ErrorCode::Cancelled, "interrupted; progress is checkpointed");
  return ok();
}

}  // namespace dmirror::ops
