// SPDX-License-Identifier: LGPL-2.1-or-later
// How `set` and `status` show an array's settings: the write-mostly slots
// and the recovery rates recorded in the superblock, and (online) the ones
// the live raid table holds; the spare policy and the degraded timeout.
#pragma once

#include "output.h"

#include <dmirror/dm/raid_status.h>
#include <dmirror/dm/raid_table.h>
#include <dmirror/superblock.h>

#include <string>
#include <vector>

namespace dmirror::cli {

/// {write_mostly: [slot], min_recovery_rate, max_recovery_rate} (KiB/s, 0 = kernel default),
/// spare_takeover ("auto", "off"), degraded_timeout (seconds, null = never).
Json settings_json(const Superblock& sb);
/// The same read from a live table (positions mapped to our slots through `sb`).
Json live_settings_json(const dm::Raid1Params& table, const Superblock& sb);
/// "take-over auto (...)": the array's spare policy in words.
std::string spare_takeover_text(const Superblock& sb);
/// "min kernel default, max 50 MiB/s per leg".
std::string recovery_rates_text(uint64_t min_kib, uint64_t max_kib);
/// `set`'s output: what changed and the settings now (text or JSON).
void print_settings(const Context& ctx, const Superblock& sb, const std::vector<std::string>& changes,
                    const dm::Raid1Params* live, const dm::RaidStatus* status);

}  // namespace dmirror::cli
