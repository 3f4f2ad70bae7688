// SPDX-License-Identifier: LGPL-2.1-or-later
// resync on an assembled LegSet: used by resync() and by Mirror::open after
// an unclean shutdown; and the journal rules every clear of the offline
// operations follows (FORMAT.md 2.6 rules 12 and 13).
#pragma once

#include <dmirror/resync.h>
#include <dmirror/verify.h>

#include "engine/leg_set.h"

namespace dmirror::ops {

// What the assembly decided beyond the LegSet's table, for the events of
// the run that acts on it.
struct AssemblyNotes {
  uint32_t chosen_slot = kNoSlot;   // split brain settled in favour of this slot
  uint32_t losing_mask = 0;         // the slots that diverged from it
  uint32_t forced_slot = kNoSlot;   // stale leg raised by --force
};

// With `dirty_only`, only the regions dirty in the journal are copied and
// resync_offset is left alone (recovery at open: reads above resync_offset
// go to the primary leg anyway).
// `given`: the devices the set was assembled from (resync(): for rule 22,
// retiring the legs a split brain's choice leaves outside its table).
Result<ResyncReport> resync_legs(engine::LegSet& set, const ResyncOptions& options, bool dirty_only = false,
                                 const AssemblyNotes& notes = {}, std::span<BlockDevice* const> given = {});
// Rule 22: after a split brain settled by the administrator's choice, each
// leg given that the chosen table does not list (Disposition::NotInTable:
// the other side's additions, leftovers) is retired: a commit records it,
// then the chosen line's
// superblock — its own slot, leg uuid and layout kept — is written onto it,
// so that it is a leftover of the array (not in the table, wipe it), no
// longer a side of a split brain. Its data area is not touched.
[[nodiscard]] Status retire_losing_leftovers(engine::LegSet& set, std::span<BlockDevice* const> legs,
                                             ResyncReport& rep);
// Rule 21: an unclean array of three or more members with an in-sync member
// absent and no --from: the crash window's vote would be held without a
// leg whose copy could change it. Refused unless `degraded` (settle with
// the legs present). Every command that settles dirty regions offline
// (resync, scrub, verify --repair) asks this first.
[[nodiscard]] Status check_vote_possible(const engine::LegSet& set, const ResyncOptions& o);
// The crash window a check command (scrub, verify --repair) settled before
// comparing, as the mismatches it reports: class crash-window, repaired.
std::vector<Mismatch> settled_mismatches(const engine::LegSet& set, const ResyncReport& settled);
// Whether `slot` is the target of a running replace (a Replacing leg names it).
bool is_replacement_target(const engine::LegSet& set, uint32_t slot);

// Rule 12: journal bits may be cleared only while every slot of the table
// is present and writable and no leg is rebuilding from the journal.
bool journal_clear_allowed(const engine::LegSet& set);
// Rule 13: clears `regions` (whose copies are durable on every writable
// leg) — first a commit with journal_kept_since = its own seqno on every
// leg, then the cleared journal blocks, flushed. Does nothing when
// journal_clear_allowed() is false. Legs that fail are settled (failed or
// missing) and removed from `targets`.
[[nodiscard]] Status clear_journal_regions(engine::LegSet& set, std::span<const uint64_t> regions,
                                           std::vector<uint32_t>& targets, ResyncReport* rep = nullptr);

// At the end of a recovery (replace, re-add) that leaves no slot degraded:
// the bits kept for the legs that were degraded (rule 12) are cleared the
// rule-13 way, after a flush of every writable leg. Nothing is cleared
// while the array is marked dirty (a crash window only a resync settles).
[[nodiscard]] Status clear_kept_bits(engine::LegSet& set);

// A leg given back into its slot by a full copy (resync --re-add, replace
// onto the leg's own former device): Rebuilding from 0, no journal flag.
void begin_full_readd(engine::LegSet& set, uint32_t slot);

}  // namespace dmirror::ops
