// SPDX-License-Identifier: LGPL-2.1-or-later
// retire_losing_leftovers (see resync_core.h): FORMAT.md 2.6 rule 22.
#include <dmirror/leg.h>

#include <optional>

#include "ops/resync_core.h"

namespace dmirror::ops {
namespace {

// The slot of the chosen table that records `own`'s leg as removed: its own
// slot when that is free there (unused, removed, or beyond the table), else
// the first unused slot, else the first removed one.
std::optional<uint32_t> slot_for(const Superblock& sb, const Superblock& own) {
  auto is_free = [&](uint32_t s) {
    return s >= sb.nr_legs || sb.legs[s].state == LegState::Unused || sb.legs[s].state == LegState::Removed;
  };
  if (own.slot < kMaxLegs && is_free(own.slot)) return own.slot;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (s >= sb.nr_legs || sb.legs[s].state == LegState::Unused) return s;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Removed) return s;
  return std::nullopt;
}

}  // namespace

Status retire_losing_leftovers(engine::LegSet& set, std::span<BlockDevice* const> legs, ResyncReport& rep) {
  const Assembly& a = set.assembly();
  std::vector<std::pair<size_t, uint32_t>> retiring;   // (leg given, slot recording it removed)
  for (size_t i = 0; i < a.legs.size() && i < legs.size(); ++i) {
    if (a.legs[i].disposition != Disposition::NotInTable || !a.legs[i].meta) continue;
    const Superblock& own = a.legs[i].meta->sb;
    auto slot = slot_for(set.sb(), own);
    if (!slot) {
      rep.findings.push_back({Severity::Warning, "leg-not-retired",
                              a.legs[i].name + " is not in the chosen table and was not retired: the table has no "
                                               "free slot to record it removed. Wipe it (dmirrorctl wipe --force)",
                              a.legs[i].name, own.slot});
      continue;
    }
    // Recorded in the table as a removed leg, as replace records the leg it
    // retires: its superblock then names a slot of the table.
    Superblock& sb = set.mutable_sb();
    LegEntry e = own.slot < kMaxLegs ? own.legs[own.slot] : LegEntry{};
    e.uuid = own.leg_uuid;
    e.state = LegState::Removed;
    e.state_seq = sb.seqno + 1;
    e.recovery_offset = kOffsetInSync;
    e.replacement_slot = kNoSlot;
    e.flags = 0;
    sb.legs[*slot] = e;
    sb.nr_legs = std::max(sb.nr_legs, *slot + 1);
    set.record_event(EventType::LegRemoved, *slot, {own.slot, own.seqno},
                     a.legs[i].name + " (slot " + std::to_string(own.slot) + ", seqno " + std::to_string(own.seqno) +
                         ") retired: not in the table chosen to settle the split brain");
    retiring.emplace_back(i, *slot);
  }
  if (retiring.empty()) return ok();
  // The record first: a run killed before the legs are written leaves them
  // as they were (outside the table; a rerun of the choice retires them).
  DMIRROR_RETURN_IF_ERROR(set.commit());
  for (const auto& [i, slot] : retiring) {
    const Superblock& own = a.legs[i].meta->sb;
    Superblock s = set.sb();
    s.slot = slot;
    s.leg_uuid = own.leg_uuid;
    s.layout = own.layout;
    DMIRROR_RETURN_IF_ERROR(write_superblocks(*legs[i], s));
    rep.retired.push_back(a.legs[i].name);
  }
  return ok();
}

}  // namespace dmirror::ops
