// SPDX-License-Identifier: LGPL-2.1-or-later
// The progress of an online operation (see online_progress.h).
#include "online_progress.h"

namespace dmirror::cli {
namespace {

constexpr auto kWindow = std::chrono::seconds(5);
constexpr auto kMinSpan = std::chrono::seconds(2);

}  // namespace

Progress OnlineProgress::sample(const dm::RaidStatus& s, Clock::time_point now) {
  Progress p;
  p.phase = with_legs_ ? s.health_chars + " " + s.action_text : s.action_text;
  p.total_bytes = s.sync_total * 512;
  p.done_bytes = std::min(s.sync_progress, s.sync_total) * 512;
  if (!window_.empty() && p.done_bytes < window_.back().second) window_.clear();
  window_.emplace_back(now, p.done_bytes);
  while (window_.size() > 2 && now - window_[1].first >= kWindow) window_.pop_front();
  const auto span = window_.back().first - window_.front().first;
  if (span >= kMinSpan) {
    const double secs = std::chrono::duration<double>(span).count();
    p.rate_bytes_per_sec = static_cast<double>(window_.back().second - window_.front().second) / secs;
    if (p.rate_bytes_per_sec > 0)
      p.eta_seconds = static_cast<uint64_t>(static_cast<double>(p.total_bytes - p.done_bytes) / p.rate_bytes_per_sec);
  }
  return p;
}

}  // namespace dmirror::cli
