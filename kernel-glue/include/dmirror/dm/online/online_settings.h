// SPDX-License-Identifier: LGPL-2.1-or-later
// Changing the kernel options of an active volume (`dmirrorctl set` while
// active): the change is checked (apply_settings), the raid table is
// reloaded with the new `write_mostly` / `min|max_recovery_rate` (load while
// the old table serves, then the swap at resume; the kernel's superblocks
// and bitmaps carry the sync state across, so nothing is resynced), the
// live table is read back and compared, and only then is the change
// committed to our superblocks (FORMAT.md 6: our superblock may be updated
// while the volume is active; the kernel metadata is never touched). If
// the read-back differs, or the commit fails, the old table is loaded again.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/settings.h>
#include <dmirror/superblock.h>

#include <string>
#include <vector>

namespace dmirror::dm {

struct OnlineSettingsReport {
  Superblock before;                 // our superblock before the change
  Superblock sb;                     // as committed
  std::vector<std::string> changes;  // empty: nothing to change (no reload, no commit)
  Raid1Params table;                 // the live table read back after the reload
  RaidStatus status;                 // the kernel's status after the reload
};

/// Errors: those of apply_settings (InvalidArgument, Refused; nothing
/// written, the table untouched), NotFound (no volume NAME), Busy (a check
/// or repair is running: a reload would end it), the kernel's refusal of
/// the table (the old table stays live), Internal (the live table does not
/// show the change: the old table is loaded again), Io.
DMIRROR_EXPORT Result<OnlineSettingsReport> online_settings(DmControl& dm, const std::string& name,
                                                            const SettingsChange& change);

}  // namespace dmirror::dm
