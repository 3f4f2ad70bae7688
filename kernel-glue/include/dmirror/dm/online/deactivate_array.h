// SPDX-License-Identifier: LGPL-2.1-or-later
// Deactivating an online volume (FORMAT.md §6, "Deactivation"): refuse if it
// is open, suspend (flushing), read the final status, remove the raid device
// and then its sub-devices (EBUSY retried), import the kernel's final state
// into our metadata (failed legs, unfinished recovery or resync, dirty
// regions), clear DIRTY and KERNEL_OWNS_SYNC, and record a `deactivated`
// event. Loop devices that dmirrorctl attached with autoclear go away when
// the last reference (our metadata handle) is closed.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

/// A leg that was a loop device over an image file.
struct LoopLeg {
  std::string device;   // /dev/loopN
  std::string file;     // its backing file
  bool detached = false;  // gone after deactivation (autoclear: attached by dmirrorctl)
};

struct DeactivateReport {
  std::string name;
  std::optional<RaidStatus> final_status;
  ImportReport imported;
  std::vector<std::string> leg_paths;  // the leg devices (loop devices included)
  std::vector<LoopLeg> loops;
};

/// Errors: NotFound (not active), Busy (open: unmount first), dm errors.
/// A volume whose raid device is gone but sub-devices remain (an interrupted
/// activation) is cleaned up too.
DMIRROR_EXPORT Result<DeactivateReport> deactivate_array(DmControl& dm, const std::string& name);

}  // namespace dmirror::dm
