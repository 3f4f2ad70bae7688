// SPDX-License-Identifier: LGPL-2.1-or-later
// What a resync does about returning legs before it copies anything (see
// resync_steps.h). Which legs are stale, missing or on the losing side is
// decided by the assembly; this only acts on it.
#include "ops/resync_steps.h"

namespace dmirror::ops {
namespace {

std::string slot_list(uint32_t mask) {
  std::string out;
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (mask & (1u << s)) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

// `resync --full --from N`: the administrator says that N holds the data
// and the other legs may not (rot, a bad copy). They become rebuilding from
// 0, so N is the only leg read and the only source until they are copied:
// a run that is killed and then rerun without --from, a scrub or an
// activation can only continue from N — never from a leg the administrator
// distrusted (FORMAT.md 2.6 rule 20). The array-wide full pass has nothing
// left to do.
bool rebuild_from_chosen_source(LegSet& set, uint32_t source) {
  uint32_t mask = 0;
  for (uint32_t s : set.in_sync_slots()) {
    if (s == source || !set.writable(s)) continue;
    begin_full_readd(set, s);
    mask |= 1u << s;
  }
  if (mask == 0) return false;
  set.mutable_sb().resync_offset = kOffsetInSync;
  if (set.sb().checkpoint.op == OfflineOp::Resync) set.mutable_sb().checkpoint = Checkpoint{};
  set.record_event(EventType::ResyncStarted, source, {static_cast<uint64_t>(ResyncMode::Full), mask},
                   "full resync from " + set.leg_name(source) + " (--from): slots " + slot_list(mask) +
                       " are rebuilt from it by a full copy");
  return true;
}

}  // namespace

Status prepare_returning_legs(LegSet& set, const ResyncOptions& o, const AssemblyNotes& notes, ResyncReport& rep) {
  bool changed = false;
  if (notes.forced_slot != kNoSlot) {
    rep.forced_slot = notes.forced_slot;
    set.record_event(EventType::LegForced, notes.forced_slot, {},
                     set.leg_name(notes.forced_slot) + " forced in sync (--force): no in-sync leg was present");
    changed = true;
  }
  if (notes.chosen_slot != kNoSlot) {
    rep.chosen_slot = notes.chosen_slot;
    set.record_event(EventType::SplitBrainResolved, notes.chosen_slot, {notes.losing_mask},
                     "split brain resolved: " + set.leg_name(notes.chosen_slot) + " chosen; slots " +
                         slot_list(notes.losing_mask) + " are copied from it");
    changed = true;
  }
  if (o.full && o.source_slot != kNoSlot) changed |= rebuild_from_chosen_source(set, o.source_slot);
  for (uint32_t s = 0; s < set.nr_slots(); ++s) {
    if (!set.present(s) || set.state(s) != LegState::Failed) continue;
    if (!o.re_add) {
      rep.findings.push_back({Severity::Warning, "leg-failed-present",
                              set.leg_name(s) + " is failed (it returned I/O errors) and is present again; once the "
                                                "device is healthy, `dmirrorctl resync --re-add` copies everything "
                                                "onto it, or `dmirrorctl replace` it",
                              set.dev(s)->describe(), s});
      continue;
    }
    begin_full_readd(set, s);
    changed = true;
  }
  return changed ? set.commit() : ok();
}

void settle_recovery_modes(LegSet& set, bool full) {
  if (!full) return;
  for (uint32_t s : set.writable_slots()) {
    LegEntry& leg = set.mutable_sb().legs[s];
    if (leg.state != LegState::Rebuilding || !(leg.flags & legflag::kRecoverFromJournal)) continue;
    leg.flags &= ~legflag::kRecoverFromJournal;
    leg.recovery_offset = 0;
  }
}

}  // namespace dmirror::ops
