// SPDX-License-Identifier: LGPL-2.1-or-later
// Whether the kernel has finished rebuilding one leg of an active volume,
// proven rather than read off one status line. The health character alone
// is not evidence: right after a table with a leg more is resumed, md's
// raid_disks still has the old count and the new position can read 'A'
// before its recovery ran (docs/kernel-facts.md §2.5). A pure judgement over
// facts the caller read: the live status and the kernel metadata of the
// legs in the live table (dm-raid superblocks, §2.3).
#pragma once

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>

#include <cstdint>
#include <map>
#include <string>

namespace dmirror::dm {

enum class RebuildState { Running, Done, Failed, Stalled, Gone };

struct RebuildFacts {
  RaidStatus status;
  uint32_t position = 0;  // the leg's position in the live table
  // Kernel metadata of the legs in the live table, by table position
  // (unreadable ones left out); `position`'s own must be here for Done.
  std::map<uint32_t, KernelMetadataState> kernel;
};

struct RebuildVerdict {
  RebuildState state = RebuildState::Running;
  std::string why;  // what is still missing, or what failed
};

/// Done only when all hold:
/// - the status is settled: md's count equals the table's positions, the
///   sync action idle, the position 'A';
/// - the leg's own dm-raid superblock exists, names this position, is in
///   sync (recovery offset MaxSector), carries the highest `events` of the
///   live legs (md writes every non-faulty leg's superblock when a recovery
///   ends), and no live superblock marks the position failed. Live: 'A' or
///   'a' in the status; a failed leg's superblock is as old as its failure.
/// Failed when the position reads 'D'. Stalled when the status has settled,
/// idle, with the position 'a': md ended its recovery without the leg (an
/// unrecoverable read error on the source stops it, "unrecoverable I/O read
/// error" in the kernel log) and will not start it again by itself; a
/// moment of it can also precede a recovery, so the caller gives up only
/// when it lasts. Gone when the settled live table has no such position
/// (another writer reloaded the volume without the leg): waiting would
/// never end. Running otherwise, with the reason.
DMIRROR_EXPORT RebuildVerdict judge_rebuild(const RebuildFacts& f);

}  // namespace dmirror::dm
