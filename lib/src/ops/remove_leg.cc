// SPDX-License-Identifier: LGPL-2.1-or-later
// remove_leg() (see leg_count.h): a slot recorded removed on the legs that
// stay and on the removed leg itself.
#include <dmirror/leg_count.h>
#include <dmirror/names.h>

#include "ops/resync_assembly.h"
#include "ops/resync_core.h"

namespace dmirror {

bool leaves_only_write_mostly(const Superblock& sb, uint32_t slot) {
  bool member_left = false;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    if (s == slot || !is_member_state(sb.legs[s].state)) continue;
    member_left = true;
    if (!(sb.legs[s].flags & legflag::kWriteMostly)) return false;
  }
  return member_left;
}

Result<RemoveReport> remove_leg(std::span<BlockDevice* const> legs, uint32_t slot, const RemoveOptions& o) {
  ops::AssemblyNotes notes;
  DMIRROR_ASSIGN_OR_RETURN(auto set, ops::assemble_for_recovery(legs, {}, notes));
  const Superblock& sb = set.sb();
  const std::string array = "array '" + escape_name(sb.name) + "'";
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, array + " is owned by an online volume; deactivate it first (legs are "
                                               "removed offline)");
  if (slot >= sb.nr_legs || slot >= kMaxLegs || sb.legs[slot].state == LegState::Unused ||
      sb.legs[slot].state == LegState::Removed)
    return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(slot) + " is not a leg of " + array);
  if (sb.checkpoint.op == OfflineOp::Replace &&
      (sb.checkpoint.source_slot == slot || sb.checkpoint.target_slot == slot))
    return make_error(ErrorCode::Refused, "slot " + std::to_string(slot) + " is in the replace of slot " +
                                              std::to_string(sb.checkpoint.source_slot) +
                                              " in progress; finish it (rerun the replace) or restart it first");
  // A spare holds no copy: it leaves whatever the state of the data.
  // A split slot (FORMAT.md 2.6 rule 24) holds no copy either: removing it
  // ends the tracking, and the split-off array is on its own.
  const bool spare = sb.legs[slot].state == LegState::Spare || sb.legs[slot].state == LegState::Split;
  // Every in-sync leg votes on a crash window (FORMAT.md 2.6 rule 21): it
  // is settled before one of them leaves.
  if (!spare && sb.has_flag(sbflag::kDirty))
    return make_error(ErrorCode::Refused, array + " was not shut down cleanly; run `dmirrorctl resync` with all "
                                                  "its legs first, so every leg votes on the regions in flight");
  // Rule 11: another member absent is recorded missing by the commit, so
  // it needs consent; and it does not count as a copy left (it is out of
  // sync from that commit on). The slot removed needs none, present or not.
  set.set_consent(o.degraded, slot, "removing slot " + std::to_string(slot));
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  uint32_t in_sync_left = 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegState st = sb.legs[s].state;
    if (s != slot && set.present(s) && (st == LegState::InSync || st == LegState::Replacing)) ++in_sync_left;
  }
  if (in_sync_left == 0 && !spare)
    return make_error(ErrorCode::Refused, "slot " + std::to_string(slot) + " holds the last in-sync copy of " + array +
                                              " among the legs given; it cannot be removed (give the other legs, or "
                                              "add or resync another leg first)");
  if (in_sync_left == 1 && !spare && !o.force)
    return make_error(ErrorCode::Refused, "removing slot " + std::to_string(slot) + " leaves " + array +
                                              " with a single in-sync leg: no redundancy. Add --force to remove it "
                                              "anyway");
  if (!spare && leaves_only_write_mostly(sb, slot))
    return make_error(ErrorCode::Refused, "removing slot " + std::to_string(slot) + " leaves " + array +
                                              " with write-mostly legs only, which the kernel refuses to activate; "
                                              "clear the mark on a leg that stays first (dmirrorctl set ARRAY "
                                              "--no-write-mostly LEG)");
  RemoveReport rep;
  rep.slot = slot;
  rep.in_sync_left = in_sync_left;
  // A spare's device is not attached to the set (it holds no data): it is
  // given the table too, so it says removed (FORMAT.md 2.3).
  if (spare)
    for (const SpareView& v : set.assembly().spares)
      if (v.slot == slot && v.leg >= 0 && static_cast<size_t>(v.leg) < legs.size())
        set.attach(slot, legs[static_cast<size_t>(v.leg)]);
  rep.leg_present = set.present(slot);
  if (sb.legs[slot].state == LegState::Split) {
    rep.split_uuid = sb.split_uuid[slot];
    Superblock& m = set.mutable_sb();
    m.split_uuid[slot] = Uuid{};
    bool other_split = false;
    for (uint32_t s = 0; s < m.nr_legs && s < kMaxLegs; ++s)
      other_split |= s != slot && m.legs[s].state == LegState::Split;
    if (!other_split) m.incompat &= ~feature::kIncompatSplit;   // the bit only on arrays that use it
  }
  const std::string name = set.leg_name(slot);
  LegEntry& e = set.mutable_sb().legs[slot];
  e.state = LegState::Removed;
  e.state_seq = sb.seqno + 1;
  e.recovery_offset = kOffsetInSync;
  e.replacement_slot = kNoSlot;
  e.flags = 0;
  set.record_event(EventType::LegRemoved, slot, {},
                   rep.split_uuid.is_nil() ? name + " removed from the array (dmirrorctl remove)"
                                           : "split slot removed (dmirrorctl remove): array " + rep.split_uuid.str() +
                                                 " split off from it is independent, its changes no longer tracked");
  // The removed leg gets the table too: its own entry says removed, so it
  // is never assembled as a member again.
  const uint32_t retired[] = {slot};
  DMIRROR_RETURN_IF_ERROR(rep.leg_present ? set.commit(retired) : set.commit());
  set.attach(slot, nullptr);
  // Bits kept for it while it was away are no longer needed.
  if (set.journals_loaded() || set.load_journals()) DMIRROR_RETURN_IF_ERROR(ops::clear_kept_bits(set));
  return rep;
}

}  // namespace dmirror
