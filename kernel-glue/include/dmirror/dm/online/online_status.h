// SPDX-License-Identifier: LGPL-2.1-or-later
// The live side of `status`: when a dm device of the array exists, the
// kernel's status (health per leg, sync progress, sync action, mismatch
// count) mapped onto our slots. Table positions are matched to our slots
// through the sub-devices' device numbers, so the mapping holds even while
// a replace shifts positions.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

struct OnlineLeg {
  uint32_t position = 0;                // in the kernel table
  std::optional<uint32_t> slot;         // ours; empty for a "- -" position
  LegHealth health = LegHealth::Unknown;
  char health_char = '?';
  bool write_mostly = false;            // the live table passes write_mostly for it
};

struct OnlineStatus {
  std::string name;
  std::string node;                     // /dev/mapper/NAME or /dev/dm-N
  DevNumber dev;
  uint32_t open_count = 0;
  bool suspended = false;
  uint32_t event_nr = 0;
  RaidStatus raid;
  Raid1Params table;                    // the live table (write_mostly positions, recovery rates)
  std::vector<OnlineLeg> legs;
  uint64_t region_size = 0;             // bytes (from our superblock)

  /// mismatch_cnt in bytes (the kernel counts 512-byte sectors).
  uint64_t mismatch_bytes() const { return raid.mismatch_count.value_or(0) * 512; }
  /// Regions the mismatches cover at least (ceil of bytes / region size).
  DMIRROR_EXPORT uint64_t mismatch_regions() const;
  /// A leg is 'D', 'a' or '-', or a sync action is running.
  DMIRROR_EXPORT bool degraded() const;
};

/// nullopt when no raid device of the array exists.
DMIRROR_EXPORT Result<std::optional<OnlineStatus>> online_status(DmControl& dm, const Superblock& sb);
/// Status of the active volume NAME (NotFound if not active).
DMIRROR_EXPORT Result<OnlineStatus> online_status_by_name(DmControl& dm, const std::string& name,
                                                          uint64_t region_size = 0);

}  // namespace dmirror::dm
