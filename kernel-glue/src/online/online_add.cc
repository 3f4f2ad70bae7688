// SPDX-License-Identifier: LGPL-2.1-or-later
// online_add() (online_leg_count.h): join, rebuild by the kernel, in sync.
#include <dmirror/dm/online/online_leg_count.h>

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>
#include <dmirror/leg.h>

#include "online/leg_change.h"

namespace dmirror::dm {
namespace {

// The slot `path` joined by an earlier run of this add: its own superblock
// names a leg of this array that the table holds as rebuilding and that
// no replace is rebuilding. A device that is another member is refused.
Result<std::optional<uint32_t>> joined_before(const LiveVolume& v, const std::string& path) {
  DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, open_leg_shared(path));
  auto meta = read_leg(*dev.dev);
  const Superblock& sb = v.legs.sb();
  if (!meta || meta->sb.array_uuid != sb.array_uuid) return std::optional<uint32_t>{};
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.uuid != meta->sb.leg_uuid || !is_member_state(e.state)) continue;   // removed, or a spare to use
    bool replacement = false;
    for (uint32_t o = 0; o < sb.nr_legs && o < kMaxLegs; ++o)
      replacement = replacement || (sb.legs[o].replacement_slot == s && o != s);
    if (e.state == LegState::Rebuilding && !replacement) return std::optional<uint32_t>{s};
    return make_error(ErrorCode::InvalidArgument, path + " is already slot " + std::to_string(s) + " of volume '" +
                                                      v.name + "' (" + std::string(leg_state_name(e.state)) +
                                                      "); give a device that is not a member");
  }
  return std::optional<uint32_t>{};
}

}  // namespace

Result<OnlineAddReport> online_add(DmControl& dm, const std::string& name, const std::string& new_path,
                                   const OnlineAddOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  OnlineAddReport rep;
  DMIRROR_ASSIGN_OR_RETURN(auto again, joined_before(v, new_path));
  if (again) {
    rep.new_slot = *again;
    rep.resumed = true;
    rep.steps.push_back("resuming the add of " + new_path + " as slot " + std::to_string(rep.new_slot));
    if (!v.legs.present(rep.new_slot)) {
      DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, open_leg_shared(new_path));
      DMIRROR_ASSIGN_OR_RETURN(v.devs[rep.new_slot], block_device_number(new_path));
      v.legs.attach(rep.new_slot, std::move(dev));
    }
  } else {
    DMIRROR_RETURN_IF_ERROR(online::require_idle(dm, name, "add the leg"));
    // A spare of the array is used in its own slot (FORMAT.md 2.6 rule 23).
    if (auto spare = online::spare_slot_of(v.legs.sb(), new_path)) {
      rep.new_slot = *spare;
    } else {
      DMIRROR_ASSIGN_OR_RETURN(rep.new_slot, online::free_slot(v.legs.sb()));
    }
    DMIRROR_ASSIGN_OR_RETURN(DevNumber new_dev, block_device_number(new_path));
    DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, online::prepare_new_leg(v.legs.sb(), new_path, o.force, v.devs));
    Superblock& sb = v.legs.edit();
    sb.legs[rep.new_slot] = online::joining_entry(sb, rep.new_slot, kNoSlot, dev.dev->geometry().size_bytes);
    sb.nr_legs = std::max(sb.nr_legs, rep.new_slot + 1);
    v.devs[rep.new_slot] = new_dev;
    v.legs.attach(rep.new_slot, std::move(dev));
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    v.legs.record_event(EventType::LegAdded, rep.new_slot, {0},
                        new_path + " added as slot " + std::to_string(rep.new_slot) + ", rebuilding (online)");
    rep.steps.push_back("slot " + std::to_string(rep.new_slot) + " (" + new_path + ") joined as rebuilding");
  }

  Superblock& sb = v.legs.edit();
  if (!(sb.legs[rep.new_slot].flags & legflag::kRebuildPassed)) {
    if (Status added = online::reload(dm, v, TableChoices{.rebuild = {rep.new_slot}}); !added) {
      // The kernel refused the extra leg: the join is undone (the slot
      // retired, its device told so) and the volume serves on as before.
      (void)online::remove_subdevices_of(dm, v, rep.new_slot);
      sb.legs[rep.new_slot].state = LegState::Removed;
      sb.legs[rep.new_slot].state_seq = sb.seqno + 1;
      sb.legs[rep.new_slot].recovery_offset = kOffsetInSync;
      DMIRROR_RETURN_IF_ERROR(v.legs.commit());
      v.legs.record_event(EventType::LegRemoved, rep.new_slot, {}, "add undone: " + added.error().message);
      v.legs.detach(rep.new_slot);
      return make_error(added.error().code, "the kernel refused a table with the extra leg (" +
                                                added.error().message + "); the add was undone. Deactivate the "
                                                "volume and add the leg offline");
    }
    sb.legs[rep.new_slot].flags |= legflag::kRebuildPassed;
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    rep.steps.push_back("table reloaded with the extra leg and 'rebuild' for it");
  }

  DMIRROR_ASSIGN_OR_RETURN(bool done, online::wait_rebuilt(dm, v, rep.new_slot,
                                                           {.poll = o.poll, .timeout = o.timeout,
                                                            .progress = o.progress, .cancel = o.cancel}));
  if (!done) {
    rep.steps.push_back("stopped waiting; the kernel keeps rebuilding. Run the same add again to finish");
    return rep;
  }
  LegEntry& e = sb.legs[rep.new_slot];
  e.state = LegState::InSync;
  e.recovery_offset = kOffsetInSync;
  e.flags &= ~legflag::kRebuildPassed;
  e.state_seq = sb.seqno + 1;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  v.legs.record_event(EventType::LegAdded, rep.new_slot, {1, sb.nr_legs},
                      new_path + " rebuilt by the kernel: in sync (online)");
  rep.steps.push_back("slot " + std::to_string(rep.new_slot) + " is in sync");
  rep.finished = true;
  return rep;
}

Result<uint32_t> online_add_spare(DmControl& dm, const std::string& name, const std::string& new_path, bool force) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(auto again, joined_before(v, new_path));
  if (again)
    return make_error(ErrorCode::Exists, new_path + " is already slot " + std::to_string(*again) +
                                             " of volume '" + name + "' (rebuilding); run the same add without "
                                             "--spare to finish it");
  DMIRROR_ASSIGN_OR_RETURN(NamedDevice probe, open_leg_shared(new_path));
  if (auto m = read_leg(*probe.dev); m && m->sb.array_uuid == v.legs.sb().array_uuid)
    for (uint32_t s = 0; s < kMaxLegs; ++s)
      if (v.legs.sb().legs[s].uuid == m->sb.leg_uuid && v.legs.sb().legs[s].state == LegState::Spare)
        return make_error(ErrorCode::Exists, new_path + " is already slot " + std::to_string(s) + " of volume '" +
                                                 name + "' (spare)");
  probe.dev.reset();
  DMIRROR_ASSIGN_OR_RETURN(uint32_t slot, online::free_slot(v.legs.sb()));
  DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, online::prepare_new_leg(v.legs.sb(), new_path, force, v.devs));
  Superblock& sb = v.legs.edit();
  LegEntry e = online::joining_entry(sb, slot, kNoSlot, dev.dev->geometry().size_bytes);
  e.state = LegState::Spare;
  e.recovery_offset = kOffsetInSync;
  sb.legs[slot] = e;
  sb.nr_legs = std::max(sb.nr_legs, slot + 1);
  sb.incompat |= feature::kIncompatSpares;
  v.legs.attach(slot, std::move(dev));
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  v.legs.record_event(EventType::LegAdded, slot, {2}, new_path + " added as slot " + std::to_string(slot) + ", a spare");
  // Written once: later commits go to the members only (rule 23).
  v.legs.detach(slot);
  return slot;
}

}  // namespace dmirror::dm
