// SPDX-License-Identifier: LGPL-2.1-or-later
// Scrubbing an active volume with the kernel's own sync actions: `check`
// (read and compare every region, count mismatches) and, when repairing and
// mismatches were found, `repair` (the first readable leg wins). The kernel
// reports mismatch_cnt in 512-byte sectors and only after a `check`, so a
// repair is always a check first and a repair only if it found something.
// Progress is polled until the action is idle again; the result goes into
// the event history and the superblock's last-scrub summary.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace dmirror::dm {

struct OnlineScrubOptions {
  bool repair = false;
  std::chrono::milliseconds poll{250};
  std::function<void(const RaidStatus&)> progress;  // after every poll
  const std::atomic<bool>* cancel = nullptr;         // set: the action is stopped ("idle")
};

struct OnlineScrubReport {
  ScrubResult result = ScrubResult::Never;
  uint64_t regions = 0;           // regions compared (all of them)
  uint64_t mismatch_sectors = 0;  // as the kernel counted them
  uint64_t mismatch_bytes = 0;
  uint64_t mismatch_regions = 0;  // at least this many regions differ
  uint64_t repaired_regions = 0;
  RaidStatus final_status;
};

/// Errors: NotFound (not active), Busy (a resync or recovery is running),
/// dm errors.
DMIRROR_EXPORT Result<OnlineScrubReport> online_scrub(DmControl& dm, const std::string& name,
                                                      const OnlineScrubOptions& options = {});

}  // namespace dmirror::dm
