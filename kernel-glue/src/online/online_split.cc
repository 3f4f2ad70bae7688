// SPDX-License-Identifier: LGPL-2.1-or-later
// online_split() (online_split.h). The order:
//   1. one commit on the legs that stay (the leg is detached first): the
//      slot split, SPLIT, a `leg split` event - the offline split's step 1;
//   2. the leg written as the split-off array (write_split_off(), the
//      offline step 2) while it is still in the live table: only our areas;
//   3. the table reloaded with the slot's position "- -" (FORMAT.md 6.1);
//   4. its sub-devices removed.
// A stop after 1 leaves the slot split and the leg in the table: the same
// command finishes 2-4 (open_live_volume() never assembles that leg).
#include <dmirror/dm/online/online_split.h>

#include "online/leg_change.h"

#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/split.h>

namespace dmirror::dm {
namespace {

using online::refuse;

// The kernel's view: the leg 'A', and how many other positions are 'A'.
Result<uint32_t> kernel_in_sync_besides(DmControl& dm, const LiveVolume& v, uint32_t slot) {
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, v.name));
  const KernelSlotMap map = kernel_slot_map(v.legs.sb());
  if (st.raid.positions_pending())
    return make_error(ErrorCode::Busy, "volume '" + v.name + "' is still applying a leg-count change ('" +
                                           st.raid.health_chars + "' for " + std::to_string(st.raid.device_count) +
                                           " devices); wait until `dmirrorctl status " + v.name +
                                           "` shows it idle, then split");
  auto pos = map.position_of(slot);
  if (!pos || *pos >= st.raid.health.size() || st.raid.health[*pos] != LegHealth::InSync)
    return refuse("slot " + std::to_string(slot) + " is not in sync in the kernel ('" + st.raid.health_chars +
                  "'): only a leg the kernel holds in sync ('A') can be split off");
  uint32_t n = 0;
  for (uint32_t p = 0; p < map.slots.size() && p < st.raid.health.size(); ++p)
    if (p != *pos && st.raid.health[p] == LegHealth::InSync) ++n;
  return n;
}

// The leg device of `slot` in the live table, opened for our areas.
Result<NamedDevice> open_slot_device(const LiveVolume& v, uint32_t slot) {
  auto it = v.devs.find(slot);
  if (it == v.devs.end()) return make_error(ErrorCode::NotFound, "slot " + std::to_string(slot) + " is not in the table");
  DMIRROR_ASSIGN_OR_RETURN(std::string path, block_device_path(it->second));
  return open_leg_shared(path);
}

}  // namespace

Result<OnlineSplitReport> online_split(DmControl& dm, const std::string& name, const std::string& leg,
                                       const OnlineSplitOptions& o) {
  DMIRROR_RETURN_IF_ERROR(validate_array_name(o.name));
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  OnlineSplitReport rep;
  DMIRROR_ASSIGN_OR_RETURN(rep.slot, online::slot_of_leg(v, leg, ""));
  const uint32_t slot = rep.slot;
  const std::string slot_text = "slot " + std::to_string(slot);
  if (o.name == v.legs.sb().name)
    return make_error(ErrorCode::InvalidArgument, "the split-off array needs a name of its own ('" + o.name +
                                                      "' is this array's)");
  NamedDevice dev;
  if (v.legs.sb().legs[slot].state == LegState::Split) {
    // A split stopped before its reload: the leg is still in the table.
    if (!v.devs.count(slot))
      return refuse(slot_text + " of volume '" + name + "' is split off already (as array " +
                    v.legs.sb().split_uuid[slot].str() + ")");
    DMIRROR_ASSIGN_OR_RETURN(dev, open_slot_device(v, slot));
    rep.resumed = true;
  } else {
    SplitOptions so{.name = o.name, .force = o.force, .degraded = false};
    DMIRROR_RETURN_IF_ERROR(check_split(v.legs.assembly(), v.legs.sb(), slot, so,
                                        [&v](uint32_t s) { return v.legs.present(s); }, true, rep.in_sync_left));
    DMIRROR_RETURN_IF_ERROR(online::require_idle(dm, name, "split the leg off"));
    DMIRROR_ASSIGN_OR_RETURN(uint32_t kernel_left, kernel_in_sync_besides(dm, v, slot));
    if (kernel_left == 0)
      return refuse(slot_text + " holds the last copy the kernel has in sync; it cannot be split off");
    if (kernel_left == 1 && !o.force)
      return refuse("splitting off " + slot_text + " leaves volume '" + name +
                    "' with a single leg in sync in the kernel: no redundancy. Add --force to split it anyway");
    DMIRROR_ASSIGN_OR_RETURN(dev, open_slot_device(v, slot));
    DMIRROR_ASSIGN_OR_RETURN(auto kept, v.legs.journal_dirty());
    rep.regions_kept = kept.size();
    // Step 1, on the legs that stay only.
    const std::string path = v.legs.path(slot);
    v.legs.detach(slot);
    Superblock& sb = v.legs.edit();
    sb.incompat |= feature::kIncompatSplit;
    sb.split_uuid[slot] = random_uuid();
    LegEntry& e = sb.legs[slot];
    e.state = LegState::Split;
    e.state_seq = sb.seqno + 1;
    e.flags = 0;
    e.recovery_offset = kOffsetInSync;
    e.replacement_slot = kNoSlot;
    e.merge_seqno = 0;
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    v.legs.record_event(EventType::LegSplit, slot, {},
                        path + " split off the active volume as array '" + o.name + "' (uuid " +
                            sb.split_uuid[slot].str() + "); writes since are tracked in the kernel's bitmap");
    rep.steps.push_back(slot_text + " recorded split on the legs that stay");
  }
  const Superblock& sb = v.legs.sb();
  rep.split_uuid = sb.split_uuid[slot];
  rep.split_seqno = sb.legs[slot].state_seq;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (rep.resumed) rep.in_sync_left += v.legs.present(s) && sb.legs[s].state == LegState::InSync ? 1 : 0;
  // Step 2, unless a stopped run wrote it already.
  DMIRROR_ASSIGN_OR_RETURN(LegMetadata m, read_leg(*dev.dev));
  if (m.sb.array_uuid != rep.split_uuid) {
    if (m.sb.array_uuid != sb.array_uuid || m.sb.seqno + 1 != rep.split_seqno)
      return refuse(slot_text + " of volume '" + name + "' is split, and " + dev.path +
                    " no longer holds the image of the split; `dmirrorctl remove " + name + " --leg " +
                    std::to_string(slot) + "` frees the slot");
    DMIRROR_ASSIGN_OR_RETURN(auto kept, v.legs.journal_dirty());
    const Superblock split = split_superblock(sb, slot, rep.split_seqno, rep.split_uuid, o.name);
    DMIRROR_RETURN_IF_ERROR(write_split_off(*dev.dev, sb, slot, split, kept));
    rep.steps.push_back(dev.path + " written as array '" + o.name + "'");
  } else if (!m.copies_agree()) {
    DMIRROR_RETURN_IF_ERROR(write_superblocks(*dev.dev, m.sb));
  }
  // Steps 3 and 4.
  v.devs.erase(slot);
  if (Status st = online::reload(dm, v, TableChoices{}); !st)
    return make_error(st.error().code, slot_text + " is split off but the kernel refused the table without it (" +
                                           st.error().message + "); run the same command again");
  DMIRROR_RETURN_IF_ERROR(online::remove_subdevices_of(dm, v, slot));
  rep.steps.push_back("table reloaded with " + slot_text + " as \"- -\" (the kernel's bitmap keeps every bit)");
  return rep;
}

}  // namespace dmirror::dm
