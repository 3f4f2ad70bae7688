// SPDX-License-Identifier: LGPL-2.1-or-later
// The progress of an online scrub, replace or rebuild, read from the kernel
// raid status (sync_ratio, sectors per component) and shown with the same
// progress line as the offline operations (progress_line.h): fitted to the
// terminal, cleared in place, with a windowed rate and an ETA, ended with
// the elapsed time.
#pragma once

#include "progress_line.h"

#include <dmirror/dm/raid_status.h>

#include <chrono>
#include <deque>
#include <string>

namespace dmirror::cli {

class OnlineProgress {
 public:
  using Clock = std::chrono::steady_clock;
  // `with_legs`: the phase shows the kernel's leg health ("AAa recover").
  explicit OnlineProgress(bool with_legs = false) : with_legs_(with_legs) {}
  // One status sample taken at `now`: what the line shows. The rate and ETA
  // come from the last few seconds of samples (none before two seconds); a
  // sample behind the previous one (a new pass) starts the window again.
  Progress sample(const dm::RaidStatus& s, Clock::time_point now);
  void update(const dm::RaidStatus& s) { line_.update(sample(s, Clock::now())); }
  void finish() { line_.finish(); }

 private:
  bool with_legs_;
  std::deque<std::pair<Clock::time_point, uint64_t>> window_;
  ProgressLine line_;
};

}  // namespace dmirror::cli
