// SPDX-License-Identifier: LGPL-2.1-or-later
// online_readd(): a leg that returns to its active volume after it was
// recorded missing is re-added from the kernel's write-intent bitmap: the
// table is reloaded with the leg back at its position and no `rebuild`, and
// the kernel recovers only the regions written while it was away (FORMAT.md
// 6.3). When that cannot be proven (readd_decision.h) nothing is written and
// the caller does the full copy (online replace of the slot by itself).
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>

namespace dmirror::dm {

struct OnlineReaddOptions {
  std::chrono::milliseconds poll{250};
  std::chrono::seconds timeout{0};  // 0: wait for the recovery as long as it takes
  std::function<void(const RaidStatus&)> progress;
  const std::atomic<bool>* cancel = nullptr;
};

struct OnlineReaddReport {
  bool from_bitmap = false;  // false: nothing was written; `reason` says why (do the full copy)
  bool resumed = false;      // an earlier re-add had committed and stopped before its reload
  bool finished = false;     // the kernel recovered it and it is recorded in sync
  uint32_t slot = 0;
  uint64_t dirty_regions = 0;  // bits set in the live bitmap before the reload
  std::string reason;
};

/// `device` must be a leg of the array of the active volume `name` (checked
/// by the one assembly). Steps, each recorded before the next: the slot
/// becomes `rebuilding` with RECOVER_FROM_JOURNAL and REBUILD_PASSED (no
/// `rebuild` is ever passed for it), a `leg re-added` event; the table is
/// reloaded with its sub-devices; when its position is `A` and the set idle
/// it is recorded in_sync. A kernel refusal of the table puts the slot back
/// to `missing` (from_bitmap false).
DMIRROR_EXPORT Result<OnlineReaddReport> online_readd(DmControl& dm, const std::string& name,
                                                      const std::string& device, const OnlineReaddOptions& o);

/// The monitor's step: every re-add of `name` whose position is `A` with the
/// set idle is recorded in_sync. Returns the slots finished.
DMIRROR_EXPORT Result<std::vector<uint32_t>> finish_readds(DmControl& dm, const std::string& name);

}  // namespace dmirror::dm
