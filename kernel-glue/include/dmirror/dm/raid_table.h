// SPDX-License-Identifier: LGPL-2.1-or-later
// The dm-raid `raid raid1` table: a typed description, its formatter, and a
// parser for the table line the kernel echoes back (STATUSTYPE_TABLE).
// `#raid_params` counts every word between itself and `#raid_devs` (the
// mandatory chunk size included), docs/kernel-facts.md §2.1.
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dmirror::dm {

/// One slot. Both empty = a missing leg ("- -"); data without meta is
/// accepted by the kernel; meta without data is not.
struct RaidLeg {
  std::optional<DevNumber> meta;
  std::optional<DevNumber> data;
  bool missing() const { return !meta && !data; }
  friend bool operator==(const RaidLeg&, const RaidLeg&) = default;
};

struct Raid1Params {
  uint32_t chunk_size = 0;            // ignored by raid1; 0 as LVM does
  bool sync = false;                  // echoed by the kernel only; avoid (§2.1)
  bool nosync = false;                // declare the legs identical: no initial resync
  std::vector<uint32_t> rebuild;      // slots to rebuild from scratch
  std::optional<uint32_t> daemon_sleep;
  std::optional<uint64_t> min_recovery_rate;  // KiB/s per device
  std::optional<uint64_t> max_recovery_rate;
  std::vector<uint32_t> write_mostly;
  std::optional<uint32_t> max_write_behind;   // sectors on input (the kernel echoes KiB)
  std::optional<uint64_t> region_size;        // sectors, power of 2; absent = kernel default
  std::vector<std::pair<std::string, std::string>> other;  // unknown keyword/value pairs (parse only)
  std::vector<RaidLeg> legs;
  friend bool operator==(const Raid1Params&, const Raid1Params&) = default;
};

/// Params string in LVM's canonical order. Rejects what the kernel would:
/// no legs or more than 253, meta without data, nosync with rebuild or sync,
/// rebuild/write_mostly of a missing or out-of-range slot, a region size
/// that is not a power of two, every leg write-mostly, write-behind > 32766.
DMIRROR_EXPORT Result<std::string> format_raid1_params(const Raid1Params& params);

/// "0 <length> raid <params>"
DMIRROR_EXPORT Result<TargetLine> raid1_target(uint64_t length, const Raid1Params& params);

/// Parses "raid1 <#params> <chunk> [keywords...] <#devs> <meta|-> <data|->...".
DMIRROR_EXPORT Result<Raid1Params> parse_raid1_params(std::string_view params);

}  // namespace dmirror::dm
