// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble_for_recovery (see resync_assembly.h).
#include "ops/resync_assembly.h"

namespace dmirror::ops {

Result<engine::LegSet> assemble_for_recovery(std::span<BlockDevice* const> legs, const RecoveryChoices& c,
                                             AssemblyNotes& notes) {
  notes = AssemblyNotes{};
  AssembleOptions opts;
  opts.force = c.force;
  auto set = engine::LegSet::assemble(legs, opts);
  // The administrator's choice of side is used only where a side must be
  // chosen; elsewhere --from just names the source.
  if (!set && set.error().code == ErrorCode::SplitBrain && c.choose_slot != kNoSlot) {
    opts.choose_slot = c.choose_slot;
    opts.choose_leg = c.choose_leg;
    set = engine::LegSet::assemble(legs, opts);
  }
  if (!set) return set;
  const Assembly& a = set->assembly();
  if (set->chosen_slot()) {
    notes.chosen_slot = *set->chosen_slot();
    for (uint32_t s : set->rejoining()) notes.losing_mask |= 1u << s;
  }
  if (set->forced() && a.forced_slot) {
    // A stale leg (behind) or a failed one (I/O errors) raised as a last
    // resort: in sync from the next commit.
    notes.forced_slot = *a.forced_slot;
    LegEntry& e = set->mutable_sb().legs[notes.forced_slot];
    if (e.state != LegState::InSync && e.state != LegState::Replacing) {
      e.state = LegState::InSync;
      e.recovery_offset = kOffsetInSync;
      e.flags &= ~legflag::kRecoverFromJournal;
      e.state_seq = set->sb().seqno + 1;
    }
  }
  // A failed leg that is present again is left out of the set by the
  // assembly; it is attached (never written unless re-added) so that the
  // run can re-add it (`resync --re-add`, replace onto itself) or say so.
  for (const SlotView& v : a.slots) {
    if (v.state != SlotState::Failed || v.leg < 0 || set->present(v.slot)) continue;
    if (a.legs[static_cast<size_t>(v.leg)].disposition != Disposition::Member) continue;
    set->attach(v.slot, legs[static_cast<size_t>(v.leg)]);
  }
  return set;
}

}  // namespace dmirror::ops
