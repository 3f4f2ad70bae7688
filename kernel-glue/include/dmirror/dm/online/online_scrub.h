// SPDX-License-Identifier: LGPL-2.1-or-later
// Scrubbing an active volume with the kernel's own sync actions: `check`
// (read and compare every region, count mismatches; read errors are
// rewritten by the kernel) and, only when asked, `repair`. The kernel's
// raid1 repair copies from the first readable leg: there is no majority
// vote online, so a repair needs the administrator to name that leg
// (repair_from) and is refused for any other. The kernel reports
// mismatch_cnt in 512-byte sectors and only after a `check`, so a repair is
// always a check first and a repair only if it found something. An action
// counts as run only when it was seen running or the device's event counter
// moved (the kernel signals the end of a sync action); otherwise the scrub
// fails rather than report a check that never happened. The result goes
// into the event history and the superblock's last-scrub summary.
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
  uint32_t repair_from = kNoSlot;                    // with repair: must be the kernel's source leg
  std::chrono::milliseconds poll{250};
  std::chrono::milliseconds confirm_within{5000};    // the action must show up within this

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
/// InvalidArgument (repair_from is not the leg the kernel repairs from),
/// Io (the kernel never showed the action running nor signalled its end:
/// no result is claimed; recorded as a failed scrub), dm errors.
/// What one poll of a sync action tells: still running, finished, or not
/// confirmed in time. Finished means idle *and* the device's event counter
/// moved since the message was sent: md raises that event only when it
/// reaps the sync thread (md_reap_sync_thread), and a thread that is done
/// but not yet reaped already shows "idle" while its request bits are
/// still set; an action sent in that window is cleared by the reap and
/// never runs. `idle_for` counts from the message or from the last poll
/// that saw the action running, whichever is later.
enum class ActionProgress { Waiting, Finished, Unconfirmed };
DMIRROR_EXPORT ActionProgress action_progress(bool running, bool event_moved, std::chrono::milliseconds idle_for,
                                              std::chrono::milliseconds confirm_within);

DMIRROR_EXPORT Result<OnlineScrubReport> online_scrub(DmControl& dm, const std::string& name,
                                                      const OnlineScrubOptions& options = {});

}  // namespace dmirror::dm
