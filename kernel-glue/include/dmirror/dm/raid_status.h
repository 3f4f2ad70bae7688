// SPDX-License-Identifier: LGPL-2.1-or-later
// The dm-raid INFO status line (docs/kernel-facts.md §2.5):
//   raid1 <n> <health chars> <progress>/<total> <sync_action> <mismatch_cnt>
//         <data_offset> <journal_char>
// Trailing fields arrived in later target versions and may be missing;
// unknown sync actions are kept as text and treated as busy.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::dm {

enum class LegHealth {
  InSync,      // 'A'
  NotInSync,   // 'a': resyncing or recovering
  Failed,      // 'D'
  Missing,     // '-': no device in this slot
  Journal,     // 'J' (raid4/5/6 journal device; not raid1)
  Unknown,
};

enum class SyncAction { Idle, Frozen, Resync, Recover, Check, Repair, Reshape, Unknown };

DMIRROR_EXPORT LegHealth leg_health_from_char(char c);
DMIRROR_EXPORT SyncAction sync_action_from_string(std::string_view word);
DMIRROR_EXPORT std::string_view sync_action_name(SyncAction action);

struct RaidStatus {
  std::string level;                 // "raid1"
  uint32_t device_count = 0;         // md's raid_disks (docs/kernel-facts.md §2.5)
  std::string health_chars;          // as printed, one per table position
  std::vector<LegHealth> health;
  uint64_t sync_progress = 0;        // sectors per component
  uint64_t sync_total = 0;
  SyncAction action = SyncAction::Unknown;
  std::string action_text;           // as printed ("idle", "resync", ...)
  std::optional<uint64_t> mismatch_count;  // 512-byte sectors, after `check`
  std::optional<uint64_t> data_offset;
  std::optional<char> journal_char;

  /// idle, progress == total, every leg 'A', and not positions_pending().
  DMIRROR_EXPORT bool fully_in_sync() const;
  /// md's raid_disks differs from the table's positions: a table with a
  /// leg more (or less) was resumed and raid1 has not applied the change.
  /// The health characters then say nothing reliable: a new position can
  /// show 'A' before its recovery ran (docs/kernel-facts.md §2.5).
  DMIRROR_EXPORT bool positions_pending() const;
  /// Some slot is 'D' or '-'.
  DMIRROR_EXPORT bool degraded() const;
  /// A sync action other than idle/frozen (unknown words count as busy),
  /// or positions_pending().
  DMIRROR_EXPORT bool busy() const;
};

DMIRROR_EXPORT Result<RaidStatus> parse_raid_status(std::string_view line);

}  // namespace dmirror::dm
