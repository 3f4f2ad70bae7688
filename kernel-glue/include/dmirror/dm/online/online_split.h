// SPDX-License-Identifier: LGPL-2.1-or-later
// Split and merge on an active volume (lvconvert --splitmirrors 1
// --trackchanges / --merge on an active LV; FORMAT.md 2.6 rule 24, 6.3).
//
// online_split(): the offline split's checks (check_split(), the one
// assembly) plus the kernel's view (the leg 'A', the set idle). The slot is
// recorded split on the legs that stay, the leg written as the split-off
// array (the offline split's steps 1 and 2), then the live table reloaded
// with the slot's position "- -" (positions never shift) and the leg's
// sub-devices removed. The set is then degraded, so md keeps every bit of
// its write-intent bitmap: that is the array side's tracking while active.
// The leg's kernel metadata area is left as the split left it.
//
// online_merge(): the split-off array's changes (its journal) are copied
// from the live volume onto the leg; one commit records the slot coming back
// (rebuilding, RECOVER_FROM_JOURNAL + REBUILD_PASSED, the leg written too);
// then the bitmap re-add of online_readd() recovers the array side's
// changes (no `rebuild`), or, when the kernel metadata cannot prove the
// bitmap covers them, the caller falls back to a full copy (online
// replace of the slot by its own device). A rerun resumes or finds it done.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/online/online_readd.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <cstdint>
#include <string>
#include <vector>

namespace dmirror::dm {

struct OnlineSplitOptions {
  std::string name;    // the split-off array's name
  bool force = false;  // allow leaving a single in-sync leg
};

struct OnlineSplitReport {
  uint32_t slot = 0;
  Uuid split_uuid;
  uint64_t split_seqno = 0;
  uint32_t in_sync_left = 0;
  uint64_t regions_kept = 0;
  bool resumed = false;   // a split stopped before its reload was finished
  std::vector<std::string> steps;
};

/// `leg`: a slot number or a leg path. Errors: NotFound (no such volume),
/// Busy (a sync action runs), Refused (check_split()'s refusals; the leg
/// not 'A' in the kernel), InvalidArgument, dm errors.
DMIRROR_EXPORT Result<OnlineSplitReport> online_split(DmControl& dm, const std::string& name, const std::string& leg,
                                                      const OnlineSplitOptions& options);

struct OnlineMergeReport {
  uint32_t slot = 0;
  uint64_t split_regions = 0;   // regions copied from the volume onto the leg (the split side's changes)
  bool resumed = false;         // the slot was recorded coming back already
  OnlineReaddReport readd;      // the bitmap re-add (readd.from_bitmap false: do the full copy)
  std::vector<std::string> steps;
};

/// `split_device`: the split-off array's leg (or, after the merge's commit,
/// the leg carrying the array again). Errors: NotFound, InvalidArgument (not
/// split off this volume), Refused (tracking lost; the split-off array
/// active), Busy, Io, dm errors.
DMIRROR_EXPORT Result<OnlineMergeReport> online_merge(DmControl& dm, const std::string& name,
                                                      const std::string& split_device, const OnlineReaddOptions& o);

}  // namespace dmirror::dm
