// SPDX-License-Identifier: LGPL-2.1-or-later
// The per-leg error counters (FORMAT.md 2.7: read_errors, write_errors,
// mismatches, corrected) are raised by the operations that observe errors
// and kept in every leg's superblock until an administrator clears them
// here (zpool clear). Clearing records a `counters cleared` event.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <span>
#include <vector>

namespace dmirror {

struct ClearedCounters {
  uint32_t slot = 0;
  LegCounters before;            // the values that were cleared
};

struct ClearCountersReport {
  Superblock sb;                 // the newest superblock, as committed
  std::vector<ClearedCounters> cleared;
};

// Zeroes the counters of `slot` (kNoSlot: of every slot in use) and commits
// the superblocks. The commit records an absent member missing (FORMAT.md
// 2.6 rule 11), so an absent in-sync, replacing or rebuilding leg refuses
// it unless `allow_degraded`. Errors: InvalidArgument (the slot is not in
// use), Busy (an online volume owns the array: deactivate it first), Stale
// (a member is absent), Io.
DMIRROR_EXPORT Result<ClearCountersReport> clear_counters(std::span<BlockDevice* const> legs,
                                                          uint32_t slot = kNoSlot, bool allow_degraded = false);

}  // namespace dmirror
