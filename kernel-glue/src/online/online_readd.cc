// SPDX-License-Identifier: LGPL-2.1-or-later
// online_readd() / finish_readds(): a returning leg re-added from the
// kernel's bitmap (online_readd.h).
#include <dmirror/dm/online/online_readd.h>

#include "online/leg_change.h"

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/readd_decision.h>
#include <dmirror/dm/volume.h>
#include <dmirror/events.h>

namespace dmirror::dm {
namespace {

using online::kReaddFlags;

// The live legs and `device`, assembled together (the one assembly).
Result<LiveVolume> open_with(DmControl& dm, const std::string& name, const std::string& device) {
  DMIRROR_ASSIGN_OR_RETURN(ParsedDmUuid parsed, find_volume_by_name(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(auto devs, volume_leg_devices(dm, parsed.array_uuid));
  std::vector<NamedDevice> opened;
  for (const auto& [slot, dev] : devs) {
    DMIRROR_ASSIGN_OR_RETURN(std::string path, block_device_path(dev));
    DMIRROR_ASSIGN_OR_RETURN(auto leg, open_leg_shared(path));
    opened.push_back(std::move(leg));
  }
  DMIRROR_ASSIGN_OR_RETURN(auto leg, open_leg_shared(device));
  opened.push_back(std::move(leg));
  DMIRROR_ASSIGN_OR_RETURN(auto legs, ArrayLegs::assemble(std::move(opened),
                                                          ArrayLegsOptions{.rejoin_stale = true,
                                                                           .split_brain = SplitBrainPolicy::NewestSideOnly}));
  return LiveVolume{name, parsed.array_uuid, std::move(devs), std::move(legs)};
}

// Whether the activation of the live session created the kernel metadata
// afresh (its `activated` event, args[3]); unknown counts as yes. A leg
// split off `slot` after that activation (a `leg split` event after it) left
// a table that held it in sync: the bitmap's state before then is not its
// concern (an online merge, online_split.h).
bool first_use_activation(ArrayLegs& legs, uint32_t live_slot, uint32_t slot) {
  auto h = read_events(*legs.dev(live_slot), legs.sb());
  if (!h) return true;
  for (auto it = h->events.rbegin(); it != h->events.rend(); ++it) {
    if (it->type == EventType::LegSplit && it->slot == slot) return false;
    if (it->type == EventType::Activated) return it->args[3] != 0;
  }
  return true;
}

Status record_in_sync(LiveVolume& v, uint32_t slot) {
  LegEntry& e = v.legs.edit().legs[slot];
  e.state = LegState::InSync;
  e.recovery_offset = kOffsetInSync;
  e.flags &= ~kReaddFlags;
  e.state_seq = v.legs.sb().seqno + 1;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  v.legs.record_event(EventType::LegReAdded, slot, {1, 1},
                      "slot " + std::to_string(slot) + " recovered by the kernel from its bitmap: in sync (online)");
  return ok();
}

}  // namespace

Result<OnlineReaddReport> online_readd(DmControl& dm, const std::string& name, const std::string& device,
                                       const OnlineReaddOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_with(dm, name, device));
  OnlineReaddReport rep;
  const Assembly& a = v.legs.assembly();
  const AssembledLeg& mine = a.legs.back();
  if (mine.disposition != Disposition::Member || mine.slot < 0) {
    rep.reason = device + " is not a member of the array";
    return rep;
  }
  rep.slot = static_cast<uint32_t>(mine.slot);
  if (v.devs.count(rep.slot)) {
    rep.reason = "slot " + std::to_string(rep.slot) + " is already in the live table";
    return rep;
  }

  ReaddFacts f;
  f.assembly = &a;
  f.slot = rep.slot;
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, name));
  f.status = st.raid;
  const uint64_t area = v.legs.sb().layout.kmeta_offset;
  for (const auto& [s, dev] : v.devs) {
    if (!v.legs.present(s)) continue;
    if (auto k = read_kernel_metadata(*v.legs.dev(s), area)) f.live[s] = std::move(*k);
  }
  if (v.legs.present(rep.slot))
    if (auto k = read_kernel_metadata(*v.legs.dev(rep.slot), area)) f.returning = std::move(*k);
  f.first_use_activation = true;
  for (const auto& [s, dev] : v.devs)
    if (v.legs.present(s)) {
      f.first_use_activation = first_use_activation(v.legs, s, rep.slot);
      break;
    }
  ReaddDecision d = decide_readd(f);
  rep.reason = d.reason;
  if (!d.from_bitmap) return rep;
  rep.resumed = d.resumed;
  for (const auto& [s, k] : f.live) rep.dirty_regions = std::max<uint64_t>(rep.dirty_regions, k.dirty_regions.size());

  // 1. Recorded first: a crash from here on never leaves it in_sync without
  // the kernel's recovery (a rerun resumes; an import reads the kernel).
  DMIRROR_ASSIGN_OR_RETURN(DevNumber num, block_device_number(device));
  v.devs[rep.slot] = num;
  Superblock& sb = v.legs.edit();
  if (!d.resumed) {
    LegEntry& e = sb.legs[rep.slot];
    e.state = LegState::Rebuilding;
    e.recovery_offset = 0;
    e.replacement_slot = kNoSlot;
    e.flags |= kReaddFlags;  // never passed with `rebuild`: the kernel's own state tracks it
    e.state_seq = sb.seqno + 1;
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    v.legs.record_event(EventType::LegReAdded, rep.slot, {1, 0},
                        device + " re-added to the active volume from the kernel's write-intent bitmap (" +
                            std::to_string(rep.dirty_regions) + " region(s) to recover)");
  }
  // 2. The table with the leg back at its position, without `rebuild`.
  if (Status st2 = online::reload(dm, v, TableChoices{}); !st2) {
    (void)online::remove_subdevices_of(dm, v, rep.slot);
    LegEntry& e = sb.legs[rep.slot];
    e.state = LegState::Missing;
    e.flags &= ~kReaddFlags;
    e.state_seq = sb.seqno + 1;
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    rep.from_bitmap = false;
    rep.reason = "the kernel refused the table with the leg back (" + st2.error().message + ")";
    return rep;
  }
  rep.from_bitmap = true;
  // 3. In sync once the kernel says so.
  DMIRROR_ASSIGN_OR_RETURN(bool done, online::wait_rebuilt(dm, v, rep.slot,
                                                           {.poll = o.poll, .timeout = o.timeout,
                                                            .progress = o.progress, .cancel = o.cancel}));
  if (!done) return rep;
  DMIRROR_RETURN_IF_ERROR(record_in_sync(v, rep.slot));
  rep.finished = true;
  return rep;
}

Result<std::vector<uint32_t>> finish_readds(DmControl& dm, const std::string& name) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  std::vector<uint32_t> done;
  const Superblock& sb = v.legs.sb();
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.state != LegState::Rebuilding || (e.flags & kReaddFlags) != kReaddFlags || !v.devs.count(s)) continue;
    // A replacement in progress is finished by the replace, not here.
    bool replacement = false;
    for (uint32_t o = 0; o < kMaxLegs; ++o) replacement |= sb.legs[o].replacement_slot == s;
    if (replacement) continue;
    DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, name));
    if (judge_rebuild(online::rebuild_facts(v, st.raid, s)).state != RebuildState::Done) continue;
    DMIRROR_RETURN_IF_ERROR(record_in_sync(v, s));
    done.push_back(s);
  }
  return done;
}

}  // namespace dmirror::dm
