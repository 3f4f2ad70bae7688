// SPDX-License-Identifier: LGPL-2.1-or-later
// take_spare() / finish_replace() (spare_takeover.h).
#include <dmirror/dm/online/spare_takeover.h>

#include <dmirror/array.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/online_replace.h>
#include <dmirror/dm/volume.h>
#include <dmirror/spare_policy.h>

namespace dmirror::dm {
namespace {

// The first spare of the array present on this host, by the live table's
// superblock: (slot, path).
Result<std::optional<std::pair<uint32_t, std::string>>> present_spare(const Superblock& sb) {
  DMIRROR_ASSIGN_OR_RETURN(auto found, scan_legs({}));
  for (const FoundLeg& f : found) {
    if (f.meta.sb.array_uuid != sb.array_uuid) continue;
    for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
      if (sb.legs[s].state == LegState::Spare && sb.legs[s].uuid == f.meta.sb.leg_uuid)
        return std::optional<std::pair<uint32_t, std::string>>{std::make_pair(s, f.path)};
  }
  return std::optional<std::pair<uint32_t, std::string>>{};
}

// The replace in progress: its old slot.
std::optional<uint32_t> replacing(const Superblock& sb) {
  if (auto r = replace_in_progress(sb)) return r->first;
  return std::nullopt;
}

}  // namespace

TakeoverChoice takeover_choice(const Superblock& sb, bool monitor_takes_spares) {
  if (!monitor_takes_spares) return TakeoverChoice::MonitorOff;
  if (spare_policy(sb) == SparePolicy::Off) return TakeoverChoice::ArrayOff;
  bool listed = false;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) listed = listed || sb.legs[s].state == LegState::Spare;
  if (!listed) return TakeoverChoice::NoSpare;
  if (replacing(sb)) return TakeoverChoice::ReplaceInProgress;
  return TakeoverChoice::Take;
}

Result<SpareTakeover> take_spare(DmControl& dm, const std::string& name, uint32_t failed_slot,
                                 bool monitor_takes_spares) {
  Superblock sb;
  {
    DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
    sb = v.legs.sb();
  }
  SpareTakeover t;
  t.failed_slot = failed_slot;
  t.choice = failed_slot < kMaxLegs && sb.legs[failed_slot].state == LegState::Failed
                 ? takeover_choice(sb, monitor_takes_spares)
                 : TakeoverChoice::NotFailed;
  if (t.choice != TakeoverChoice::Take) return t;
  DMIRROR_ASSIGN_OR_RETURN(auto spare, present_spare(sb));
  if (!spare) return t;   // listed, but not on this host
  t.started = true;
  t.spare_slot = spare->first;
  t.spare_path = spare->second;
  OnlineReplaceOptions o;
  o.timeout = std::chrono::seconds(1);   // started; the kernel rebuilds, finish_replace() completes it
  DMIRROR_ASSIGN_OR_RETURN(OnlineReplaceReport rep,
                           online_replace(dm, name, std::to_string(failed_slot), spare->second, o));
  t.finished = rep.finished;
  t.steps = std::move(rep.steps);
  return t;
}

Result<ReplaceProgress> finish_replace(DmControl& dm, const std::string& name) {
  Superblock sb;
  {
    DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
    sb = v.legs.sb();
  }
  auto old = replacing(sb);
  if (!old) return ReplaceProgress::None;
  OnlineReplaceOptions o;
  o.timeout = std::chrono::seconds(1);
  DMIRROR_ASSIGN_OR_RETURN(OnlineReplaceReport rep, online_replace(dm, name, std::to_string(*old), "", o));
  return rep.finished ? ReplaceProgress::Finished : ReplaceProgress::Rebuilding;
}

}  // namespace dmirror::dm
