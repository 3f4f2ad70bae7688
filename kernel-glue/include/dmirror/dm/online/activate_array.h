// SPDX-License-Identifier: LGPL-2.1-or-later
// Activating an array as an online volume, with the hand-off of FORMAT.md
// §6: an unclean shutdown is detected (KERNEL_OWNS_SYNC set, no dm device)
// and the kernel's state imported first; our dirty regions and resync
// checkpoint are handed to the kernel metadata; KERNEL_OWNS_SYNC and DIRTY
// are committed before the table is loaded, together with the `rebuild`
// decisions (a rebuild is passed to the kernel exactly once); then the
// dm devices are brought up. A failed load reverts the flags.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <map>
#include <optional>
#include <string>

namespace dmirror::dm {

struct ActivateOptions {
  bool degraded = false;  // start with legs missing (they are recorded missing)
  bool re_add = false;    // a present failed leg is rebuilt in full (as resync --re-add); else left out
};

struct ActivateReport {
  std::string name;
  std::string node;            // /dev/mapper/NAME when present, else /dev/dm-N
  DevNumber dev;
  bool unclean = false;        // the previous activation was not deactivated
  std::optional<ImportReport> imported;
  HandoffPlan plan;
  std::optional<RaidStatus> status;  // right after activation
};

/// Exists when a dm device of the array exists ("already active"), or
/// leftovers of an interrupted activation do.
[[nodiscard]] DMIRROR_EXPORT Status refuse_if_active(DmControl& dm, const Superblock& sb);

/// Refused when `sb` is a split-off array whose origin, found on this
/// system, still tracks its slot for a merge (its activation would end the
/// tracking). Reads superblocks only: nothing is opened writable.
[[nodiscard]] DMIRROR_EXPORT Status refuse_tracked_split_off(const Superblock& sb);

/// `legs` comes from ArrayLegs::assemble() with rejoin_stale (the roles are
/// the assembly's): stale legs are passed with `rebuild` (a full copy by
/// the kernel, never read before), failed legs are left out unless re_add,
/// missing ones need `degraded` and are recorded missing; a split brain
/// settled by --from and a forced leg are recorded in the event history.
/// `devs`: the block device of every present leg, by our slot. Errors:
/// Exists (already active, or leftover dm devices of the array), Stale
/// (legs missing without `degraded`, before anything is written), plus
/// those of plan_handoff() and of the dm commands (with the kernel's reason).
DMIRROR_EXPORT Result<ActivateReport> activate_array(DmControl& dm, ArrayLegs& legs,
                                                     const std::map<uint32_t, DevNumber>& devs,
                                                     const ActivateOptions& options = {});

}  // namespace dmirror::dm
