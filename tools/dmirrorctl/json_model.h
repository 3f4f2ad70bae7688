// SPDX-License-Identifier: LGPL-2.1-or-later
// JSON forms of the library's types, in the kernel's vocabulary and
// snake_case (legs, slot, state, in_sync, region_size, nr_regions, seqno...).
// Part of output_version 1: a new key bumps the minor version, a renamed or
// removed key the major version.
#pragma once

#include "output.h"

#include <dmirror/array.h>
#include <dmirror/events.h>
#include <dmirror/findings.h>
#include <dmirror/leg.h>
#include <dmirror/superblock.h>

namespace dmirror::cli {

Json leg_entry_json(uint32_t slot, const LegEntry& e);
// A leg's error counters as the four keys read_errors, write_errors,
// mismatches, corrected (merged into leg objects), and as one line of text.
Json leg_counters_json(const LegCounters& c);
std::string leg_counters_text(const LegCounters& c);
inline bool any_counter(const LegCounters& c) {
  return c.read_errors || c.write_errors || c.mismatches || c.corrected;
}
Json superblock_json(const Superblock& sb);
// incompat SPLIT (FORMAT.md 2.6 rule 24): where a split-off array came from
// (null when it was not split off), and the split-off arrays of the split slots.
Json split_origin_json(const Superblock& sb);
Json split_uuids_json(const Superblock& sb);
// A generation id as 16 hex digits (FORMAT.md 2.6 rules 18, 19).
std::string generation_hex(uint64_t g);
Json copies_json(const LegMetadata& meta);
Json finding_json(const Finding& f);
Json findings_json(const Findings& f);
Json event_json(const Event& ev);
// The last `limit` events, oldest first.
Json events_json(const EventHistory& h, size_t limit);
// null for kOffsetInSync / kNoSlot, the number otherwise.
Json offset_or_null(uint64_t v);
// A time recorded in the superblock, or null for 0 ("never").
Json time_or_null(uint64_t unix_seconds);

}  // namespace dmirror::cli
