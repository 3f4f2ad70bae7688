// SPDX-License-Identifier: LGPL-2.1-or-later
// online_remove() (online_leg_count.h): recorded removed, then the table
// reloaded without the leg.
#include <dmirror/dm/online/online_leg_count.h>

#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>
#include <dmirror/leg_count.h>

#include "online/leg_change.h"

namespace dmirror::dm {
namespace {

bool holds_a_copy(LegState s) { return s == LegState::InSync || s == LegState::Replacing; }

// In-sync legs other than `slot`: in sync in our table, attached, and 'A'
// in the kernel's own view.
uint32_t in_sync_besides(const LiveVolume& v, const VolumeStatus& st, uint32_t slot) {
  const Superblock& sb = v.legs.sb();
  const KernelSlotMap map = kernel_slot_map(sb);
  uint32_t n = 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    if (s == slot || !holds_a_copy(sb.legs[s].state) || !v.legs.present(s)) continue;
    auto pos = map.position_of(s);
    if (pos && *pos < st.raid.health.size() && st.raid.health[*pos] == LegHealth::InSync) ++n;
  }
  return n;
}

}  // namespace

Result<OnlineRemoveReport> online_remove(DmControl& dm, const std::string& name, const std::string& leg,
                                         const OnlineRemoveOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  OnlineRemoveReport rep;
  DMIRROR_ASSIGN_OR_RETURN(rep.slot, online::slot_of_leg(v, leg, ""));
  const Superblock& now = v.legs.sb();
  const std::string slot_text = "slot " + std::to_string(rep.slot);
  const LegEntry& e = now.legs[rep.slot];
  bool in_replace = e.state == LegState::Replacing || (e.replacement_slot < kMaxLegs && e.state == LegState::Failed);
  for (uint32_t s = 0; s < now.nr_legs && s < kMaxLegs; ++s)
    in_replace = in_replace || (s != rep.slot && now.legs[s].replacement_slot == rep.slot);
  if (in_replace)
    return make_error(ErrorCode::Refused, slot_text + " is in a replace in progress; finish it first (run the same "
                                                      "dmirrorctl replace again)");
  // A leg that holds a copy leaves only while the set is idle; one being
  // rebuilt (an add given up) may leave during its recovery.
  if (holds_a_copy(e.state)) DMIRROR_RETURN_IF_ERROR(online::require_idle(dm, name, "remove the leg"));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, name));
  rep.in_sync_left = in_sync_besides(v, st, rep.slot);
  if (rep.in_sync_left == 0)
    return make_error(ErrorCode::Refused, slot_text + " holds the last in-sync copy of volume '" + name +
                                              "'; it cannot be removed (add or replace another leg first)");
  if (rep.in_sync_left == 1 && holds_a_copy(e.state) && !o.force)
    return make_error(ErrorCode::Refused, "removing " + slot_text + " leaves volume '" + name +
                                              "' with a single in-sync leg: no redundancy. Add --force to remove "
                                              "it anyway");
  if (leaves_only_write_mostly(now, rep.slot))
    return make_error(ErrorCode::Refused, "removing " + slot_text + " leaves volume '" + name +
                                              "' with write-mostly legs only, which the kernel refuses; clear the "
                                              "mark on a leg that stays first (dmirrorctl set " + name +
                                              " --no-write-mostly LEG)");
  rep.path = v.legs.path(rep.slot);
  // Recorded first, on the legs that stay and on the leg itself: a crash
  // before the reload leaves a leg that got every write and is retired.
  Superblock& sb = v.legs.edit();
  LegEntry& gone = sb.legs[rep.slot];
  gone.state = LegState::Removed;
  gone.state_seq = sb.seqno + 1;
  gone.recovery_offset = kOffsetInSync;
  gone.replacement_slot = kNoSlot;
  gone.flags = 0;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  rep.steps.push_back(slot_text + " recorded removed" + (rep.path.empty() ? "" : " (also on " + rep.path + ")"));
  v.devs.erase(rep.slot);
  if (Status reloaded = online::reload(dm, v, TableChoices{}); !reloaded)
    return make_error(reloaded.error().code, slot_text + " is recorded removed but the kernel refused the table "
                                                 "without it (" + reloaded.error().message + "); it leaves the "
                                                 "volume at the next deactivation");
  DMIRROR_RETURN_IF_ERROR(online::remove_subdevices_of(dm, v, rep.slot));
  rep.steps.push_back("table reloaded without " + slot_text);
  v.legs.record_event(EventType::LegRemoved, rep.slot, {},
                      (rep.path.empty() ? slot_text : rep.path) + " removed from the array online (dmirrorctl remove)");
  v.legs.detach(rep.slot);
  return rep;
}

}  // namespace dmirror::dm
