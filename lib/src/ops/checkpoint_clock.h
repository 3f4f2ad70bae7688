// SPDX-License-Identifier: LGPL-2.1-or-later
// CheckpointClock: when a long operation (scrub, the recovery of a leg)
// commits its checkpoint. Due after `bytes` of progress or `seconds` of
// time since the last one, whichever comes first (md writes its
// recovery_offset the same way), so a killed run redoes at most that much
// however slow it is (a throttled scrub of a large array). 0 seconds: by
// bytes only.
#pragma once

#include <chrono>
#include <cstdint>

namespace dmirror::ops {

class CheckpointClock {
 public:
  CheckpointClock(uint64_t bytes, uint32_t seconds) : bytes_(bytes), seconds_(seconds), last_(Clock::now()) {}
  // Accounts `done` bytes; true when a checkpoint is due.
  bool due(uint64_t done) {
    since_ += done;
    if (since_ >= bytes_) return true;
    return seconds_ > 0 && since_ > 0 && Clock::now() - last_ >= std::chrono::seconds(seconds_);
  }
  // A checkpoint was committed.
  void reset() {
    since_ = 0;
    last_ = Clock::now();
  }

 private:
  using Clock = std::chrono::steady_clock;
  uint64_t bytes_;
  uint32_t seconds_;
  uint64_t since_ = 0;
  Clock::time_point last_;
};

}  // namespace dmirror::ops
