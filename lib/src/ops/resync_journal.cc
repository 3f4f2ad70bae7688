// SPDX-License-Identifier: LGPL-2.1-or-later
// The journal rules of the offline operations (FORMAT.md 2.6 rules 12 and
// 13) and the start of a full re-add; see resync_core.h.
#include "ops/leg_io.h"
#include "ops/lose_legs.h"
#include "ops/resync_core.h"

namespace dmirror::ops {

using engine::LegError;
using engine::LegSet;

bool journal_clear_allowed(const LegSet& set) {
  if (set.degraded()) return false;
  for (uint32_t s : set.writable_slots()) {
    const LegEntry& leg = set.sb().legs[s];
    if (leg.state == LegState::Rebuilding && (leg.flags & legflag::kRecoverFromJournal)) return false;
  }
  return true;
}

Status clear_journal_regions(LegSet& set, std::span<const uint64_t> regions, std::vector<uint32_t>& targets,
                             ResyncReport* rep) {
  if (regions.empty() || !journal_clear_allowed(set)) return ok();
  // Every copy being cleared is durable on every writable leg; a leg image
  // taken from this commit on holds them, one taken before needs a full copy.
  DMIRROR_RETURN_IF_ERROR(set.commit_kept_since());
  if (!journal_clear_allowed(set)) return ok();   // a leg was lost by the commit
  for (uint64_t r : regions) set.clear(r);
  std::vector<LegError> errors = set.write_journals();
  return settle_leg_errors(set, errors, targets, rep ? &rep->failed_slots : nullptr,
                           rep ? &rep->missing_slots : nullptr);
}

Status clear_kept_bits(LegSet& set) {
  if (!set.journals_loaded() || set.sb().has_flag(sbflag::kDirty) || !journal_clear_allowed(set)) return ok();
  std::vector<uint64_t> regions = set.dirty_regions();
  if (regions.empty()) return ok();
  std::vector<uint32_t> targets = set.writable_slots();
  std::vector<LegError> errors;
  flush_targets(set, targets, errors);
  DMIRROR_RETURN_IF_ERROR(settle_errors(set, errors, targets));
  return clear_journal_regions(set, regions, targets, nullptr);
}

void begin_full_readd(LegSet& set, uint32_t slot) {
  Superblock& sb = set.mutable_sb();
  LegEntry& leg = sb.legs[slot];
  leg.state = LegState::Rebuilding;
  leg.recovery_offset = 0;
  leg.flags &= ~(legflag::kRecoverFromJournal | legflag::kRebuildPassed);
  leg.replacement_slot = kNoSlot;
  leg.state_seq = sb.seqno + 1;
}

}  // namespace dmirror::ops
