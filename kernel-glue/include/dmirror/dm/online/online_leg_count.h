// SPDX-License-Identifier: LGPL-2.1-or-later
// Changing the number of legs of an active volume (mdadm --grow
// --raid-devices, lvconvert -m on a live LV).
//
// online_add(): the new device joins a free slot as rebuilding (recorded in
// our superblocks first), the live table is reloaded with one more leg and
// `rebuild <slot>` (passed exactly once), the kernel copies it while the
// volume stays in use, and once the leg is 'A' and the set idle it is
// recorded in sync. Redundancy never drops. Interrupted (cancel, timeout,
// a crash), the same command with the same device resumes; a deactivation
// meanwhile hands the kernel's progress back (FORMAT.md 6.3).
//
// online_remove(): the slot is recorded removed in our superblocks — on the
// legs that stay and on the removed leg itself, so it is never assembled
// again by accident — and only then is the table reloaded without it.
// Refused for the last in-sync leg and, unless forced, for one that would
// leave a single in-sync copy; refused while the kernel runs a sync action
// or a replace involves the slot.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dmirror::dm {

struct OnlineAddOptions {
  bool force = false;  // accept a new device with foreign signatures / another array's leg
  std::chrono::milliseconds poll{250};
  std::chrono::seconds timeout{0};  // 0: wait as long as the rebuild takes
  std::function<void(const RaidStatus&)> progress;
  const std::atomic<bool>* cancel = nullptr;  // stop waiting; the rebuild goes on
};

struct OnlineAddReport {
  uint32_t new_slot = 0;
  bool resumed = false;    // the device had joined already; this run waited for its rebuild
  bool finished = false;   // false: stopped waiting (cancel/timeout); run again to finish
  std::vector<std::string> steps;
};

/// Errors: NotFound (no such volume), Busy (a sync action runs), Refused (no
/// free slot), InvalidArgument (the device is a leg of this volume already
/// and not a joining one), Exists / ForeignSignature (!force), TooSmall,
/// Io (the kernel failed the new leg), dm errors.
DMIRROR_EXPORT Result<OnlineAddReport> online_add(DmControl& dm, const std::string& name, const std::string& new_path,
                                                  const OnlineAddOptions& options = {});

/// `add --spare` on an active volume: `new_path` becomes a spare of the
/// array in a free slot (FORMAT.md 2.3, 2.6 rule 23). Only our metadata
/// changes: the live table holds members only. Returns the spare's slot.
/// Errors: as online_add; Exists when the device is a member or spare.
DMIRROR_EXPORT Result<uint32_t> online_add_spare(DmControl& dm, const std::string& name, const std::string& new_path,
                                                 bool force);

struct OnlineRemoveOptions {
  bool force = false;  // allow leaving a single in-sync leg
};

struct OnlineRemoveReport {
  uint32_t slot = 0;
  std::string path;           // the removed leg's device ("" when absent)
  uint32_t in_sync_left = 0;  // in-sync legs the live table keeps
  std::vector<std::string> steps;
};

/// `leg`: a slot number or a leg path. Errors: NotFound, InvalidArgument
/// (not a leg of the volume), Busy (a sync action runs), Refused (the last
/// in-sync leg; a single copy left without force; in a replace), dm errors.
DMIRROR_EXPORT Result<OnlineRemoveReport> online_remove(DmControl& dm, const std::string& name, const std::string& leg,
                                                        const OnlineRemoveOptions& options = {});

}  // namespace dmirror::dm
