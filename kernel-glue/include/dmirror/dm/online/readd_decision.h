// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether a leg returning to an active volume can be re-added from the
// kernel's write-intent bitmap (a partial recovery: the table reloaded with
// the leg back at its position, no `rebuild`) instead of a full copy
// (FORMAT.md 6.3, "Re-add from the bitmap"). A pure decision over facts the
// caller read: the one assembly's view of the slot, the live status, and the
// kernel metadata of the live legs and of the returning leg.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>

#include <map>
#include <optional>
#include <string>

namespace dmirror::dm {

struct ReaddFacts {
  const Assembly* assembly = nullptr;  // the live legs and the returning one, assembled together
  uint32_t slot = 0;                   // the returning leg's slot
  RaidStatus status;                   // the live volume's kernel status
  std::map<uint32_t, KernelMetadataState> live;  // kernel metadata of every leg in the live table
  std::optional<KernelMetadataState> returning;  // the returning leg's own (nullopt: unreadable)
  // The activation of the live session created the kernel metadata afresh
  // (first use: the bitmap did not carry over from before).
  bool first_use_activation = true;
};

struct ReaddDecision {
  bool from_bitmap = false;
  bool resumed = false;  // an earlier re-add committed its first step and stopped before the reload
  std::string reason;    // why not (for the full copy's note), or what proved it
};

/// The conditions, all required:
/// - the slot is the same leg uuid, present, recorded `missing` in the newest
///   table and behind (stale), no split brain, and the assembly recovers it
///   from the journal (FORMAT.md 2.6 rule 8: its seqno is at or after
///   `journal_kept_since`, not failed, no damaged journal); or it is
///   `rebuilding` with RECOVER_FROM_JOURNAL and REBUILD_PASSED from a re-add
///   that stopped before its reload (resumed), still journal-recoverable;
/// - every other slot of the kernel slot map is in sync in our table (no
///   replace, rebuild, failed or missing leg), present in the live table as
///   `A`, the sync action idle, and the slot's own position `-`;
/// - the live session's kernel metadata is not a first use, every live leg's
///   dm-raid superblock marks the slot's position failed, its bitmap is
///   usable (our region size, not stale, events at least the superblock's);
/// - the returning leg's dm-raid superblock is its own and older: same
///   position and leg count, in sync when it left (recovery offset
///   MaxSector), `events` below every live leg's (it can never be the
///   freshest) and not below any live bitmap's `events_cleared` (no bit was
///   cleared since it left).
DMIRROR_EXPORT ReaddDecision decide_readd(const ReaddFacts& f);

}  // namespace dmirror::dm
