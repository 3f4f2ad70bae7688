// SPDX-License-Identifier: LGPL-2.1-or-later
// online_merge() (online_split.h). The order, each step safe to rerun:
//   1. the checks of the offline merge (the split-off array's origin, the
//      slot still split for it, both sides tracking, its journal whole) and
//      the split-off array not active;
//   2. its journal's regions copied from the live volume (O_DIRECT) onto
//      the leg's data area. A write to such a region meanwhile sets its bit
//      in the kernel's bitmap, which md keeps while the set is degraded:
//      the kernel recovers the region again at step 4;
//   3. one commit that also writes the leg (its journal and event area
//      first): the slot rebuilding from 0 with RECOVER_FROM_JOURNAL and
//      REBUILD_PASSED, `split_uuid` cleared (SPLIT too when no split slot
//      is left), a `leg merged` event. The split-off array is gone;
//   4. online_readd(): the table with the leg at its position and no
//      `rebuild` when its kernel metadata proves the bitmap covers the
//      array side's writes (else the caller's full copy); in sync once 'A'.
// A stop before 3 reruns from 1 (the split-off array is unchanged); after
// 3 the device carries the array and the rerun resumes at 4.
#include <dmirror/dm/online/online_split.h>

#include "online/leg_change.h"

#include <dmirror/assembly.h>
#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/legs.h>
#include <dmirror/split.h>

#include <algorithm>

namespace dmirror::dm {
namespace {

using online::kReaddFlags;
using online::refuse;

// Step 1 on a split-off array's leg: its slot in the live array.
Result<uint32_t> judge_split_off(DmControl& dm, const LiveVolume& v, const LegMetadata& m, const std::string& path) {
  const Superblock& sb = v.legs.sb();
  const Superblock& off = m.sb;
  if (!off.origin.set() || off.origin.array_uuid != sb.array_uuid || off.origin.slot >= kMaxLegs)
    return make_error(ErrorCode::InvalidArgument, path + " (array '" + off.name + "') was not split off volume '" +
                                                      v.name + "'");
  const uint32_t slot = off.origin.slot;
  const LegEntry& e = sb.legs[slot];
  if (e.state != LegState::Split || e.uuid != off.leg_uuid || sb.split_uuid[slot] != off.array_uuid ||
      e.state_seq != off.origin.split_seqno)
    return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(slot) + " of volume '" + v.name +
                                                      "' no longer holds " + path + " split off (it was removed "
                                                      "or merged); `dmirrorctl wipe` it before reuse");
  DMIRROR_ASSIGN_OR_RETURN(ArrayDevices active, find_array_devices(dm, off.array_uuid));
  if (active.any())
    return make_error(ErrorCode::Busy, "array '" + off.name + "' is active; deactivate it first");
  if (!split_origin_tracked(off))
    return refuse("array '" + off.name + "' no longer tracks its changes since the split: " + kTrackingLostAdvice);
  if (!split_slot_tracked(sb, slot))
    return refuse("volume '" + v.name + "' no longer tracks its changes since the split: " + kTrackingLostAdvice);
  return slot;
}

// Step 2: the split side's regions, from the live volume onto the leg.
Status copy_split_side(const std::string& volume, const Superblock& sb, BlockDevice& leg,
                       const std::vector<uint64_t>& regions) {
  DMIRROR_ASSIGN_OR_RETURN(auto raw, open_device(mapper_node_path("/dev", volume),
                                                 OpenOptions{.writable = false, .direct = true, .exclusive = false}));
  auto src = make_aligned_device(std::move(raw));
  constexpr uint64_t kChunk = 1 << 20;
  std::vector<std::byte> buf(kChunk);
  for (uint64_t r : regions) {
    const uint64_t begin = r * sb.region_size;
    const uint64_t end = std::min(begin + sb.region_size, sb.layout.data_size);
    for (uint64_t off = begin; off < end; off += kChunk) {
      const uint64_t n = std::min(kChunk, end - off);
      std::span<std::byte> part(buf.data(), n);
      DMIRROR_RETURN_IF_ERROR(src->read(off, part));
      DMIRROR_RETURN_IF_ERROR(leg.write(sb.layout.data_offset + off, part));
    }
  }
  return leg.flush();
}

// Step 3: the slot coming back, written on the legs and on the leg.
Status record_coming_back(LiveVolume& v, uint32_t slot, NamedDevice leg, uint64_t regions) {
  DMIRROR_ASSIGN_OR_RETURN(auto dirty, v.legs.journal_dirty());
  std::vector<std::byte> zeros(v.legs.sb().layout.events_size);
  DMIRROR_RETURN_IF_ERROR(leg.dev->write(v.legs.sb().layout.events_offset, zeros));
  const std::string path = leg.path;
  v.legs.attach(slot, std::move(leg));
  DMIRROR_RETURN_IF_ERROR(v.legs.set_journal(dirty));
  Superblock& sb = v.legs.edit();
  LegEntry& e = sb.legs[slot];
  e.state = LegState::Rebuilding;
  e.state_seq = sb.seqno + 1;
  e.recovery_offset = 0;
  e.replacement_slot = kNoSlot;
  e.merge_seqno = 0;
  e.flags = (e.flags & legflag::kWriteMostly) | kReaddFlags;
  sb.split_uuid[slot] = Uuid{};
  bool split_left = false;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) split_left |= sb.legs[s].state == LegState::Split;
  if (!split_left) sb.incompat &= ~feature::kIncompatSplit;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  v.legs.record_event(EventType::LegMerged, slot, {regions},
                      path + " merged back into the active volume (" + std::to_string(regions) +
                          " region(s) of the split side copied; the kernel recovers the array side from its bitmap)");
  return ok();
}

// Steps 1 to 3 (or what a stopped run left of them); true when done.
Result<bool> bring_back(DmControl& dm, const std::string& name, const std::string& split_device,
                        OnlineMergeReport& rep) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(NamedDevice leg, open_leg_shared(split_device));
  DMIRROR_ASSIGN_OR_RETURN(LegMetadata m, read_leg(*leg.dev));
  const Superblock& sb = v.legs.sb();
  if (m.sb.array_uuid == sb.array_uuid) {
    // Step 3 done: the device carries the array in its slot again.
    rep.slot = m.sb.slot;
    rep.resumed = true;
    if (rep.slot >= kMaxLegs || sb.legs[rep.slot].uuid != m.sb.leg_uuid)
      return make_error(ErrorCode::InvalidArgument, split_device + " is a leg of volume '" + name +
                                                        "', not one split off it");
    if (v.devs.count(rep.slot) && sb.legs[rep.slot].state == LegState::InSync) {
      rep.readd.finished = rep.readd.from_bitmap = true;
      rep.readd.slot = rep.slot;
      rep.steps.push_back("slot " + std::to_string(rep.slot) + " is merged and in sync already");
      return true;
    }
  } else {
    const uint32_t origin_slot = m.sb.origin.slot;
    const bool torn = m.sb.origin.set() && m.sb.origin.array_uuid == sb.array_uuid && origin_slot < kMaxLegs &&
                      sb.legs[origin_slot].uuid == m.sb.leg_uuid &&
                      sb.legs[origin_slot].state == LegState::Rebuilding &&
                      (sb.legs[origin_slot].flags & kReaddFlags) == kReaddFlags && !v.devs.count(origin_slot);
    if (torn) {
      // Step 3 reached the legs that stay but not the leg: write it again.
      rep.slot = origin_slot;
      rep.resumed = true;
    } else {
      DMIRROR_ASSIGN_OR_RETURN(rep.slot, judge_split_off(dm, v, m, split_device));
      DMIRROR_ASSIGN_OR_RETURN(WriteIntentJournal j, WriteIntentJournal::load(*leg.dev, m.sb));
      if (!j.damage().empty())
        return refuse("the journal of array '" + m.sb.name + "' is damaged: " + kTrackingLostAdvice);
      const std::vector<uint64_t> regions = j.dirty_regions();
      rep.split_regions = regions.size();
      DMIRROR_RETURN_IF_ERROR(copy_split_side(name, sb, *leg.dev, regions));
      rep.steps.push_back(std::to_string(regions.size()) + " region(s) written on '" + m.sb.name +
                          "' copied from the volume onto " + split_device);
    }
    DMIRROR_RETURN_IF_ERROR(record_coming_back(v, rep.slot, std::move(leg), rep.split_regions));
    rep.steps.push_back("slot " + std::to_string(rep.slot) + " recorded rebuilding (merged back)");
  }
  return false;
}

}  // namespace

Result<OnlineMergeReport> online_merge(DmControl& dm, const std::string& name, const std::string& split_device,
                                       const OnlineReaddOptions& o) {
  OnlineMergeReport rep;
  DMIRROR_ASSIGN_OR_RETURN(bool done, bring_back(dm, name, split_device, rep));
  if (done) return rep;
  // Step 4: the bitmap re-add (or its reason for a full copy); it assembles
  // the live legs and the leg afresh.
  DMIRROR_ASSIGN_OR_RETURN(rep.readd, online_readd(dm, name, split_device, o));
  if (rep.readd.from_bitmap)
    rep.steps.push_back("table reloaded with slot " + std::to_string(rep.slot) +
                        " back at its position, no `rebuild`: the kernel recovers the regions of its bitmap");
  return rep;
}

}  // namespace dmirror::dm
