// SPDX-License-Identifier: LGPL-2.1-or-later
// online_scrub(): check (and repair) through dm-raid messages.
#include <dmirror/dm/online/online_scrub.h>

#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>

#include <thread>

namespace dmirror::dm {
namespace {

using Clock = std::chrono::steady_clock;

bool cancelled(const OnlineScrubOptions& o) { return o.cancel && o.cancel->load(); }

// Sends `action` and waits until the array is idle again. The kernel bumps
// the event counter when the sync thread is reaped, so "idle after a change
// of event_nr, or after having seen the action run" means finished.
Result<RaidStatus> run_action(DmControl& dm, const std::string& name, const char* action,
                              const OnlineScrubOptions& o, bool& stopped) {
  const auto ref = DeviceRef::by_name(name);
  DMIRROR_ASSIGN_OR_RETURN(DeviceInfo before, dm.device_info(ref));
  DMIRROR_RETURN_IF_ERROR(dm.target_message(ref, 0, action));
  bool seen_running = false;
  auto idle_since = Clock::now();
  for (;;) {
    std::this_thread::sleep_for(o.poll);
    DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, name));
    if (o.progress) o.progress(st.raid);
    if (cancelled(o)) {
      (void)dm.target_message(ref, 0, "idle");
      stopped = true;
      return st.raid;
    }
    if (st.raid.action != SyncAction::Idle) {
      seen_running = true;
      continue;
    }
    if (seen_running || st.info.event_nr != before.event_nr) return st.raid;
    if (Clock::now() - idle_since > std::chrono::seconds(5)) return st.raid;
  }
}

}  // namespace

Result<OnlineScrubReport> online_scrub(DmControl& dm, const std::string& name, const OnlineScrubOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume live, open_live_volume(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus now, query(dm, name));
  if (now.raid.action != SyncAction::Idle)
    return make_error(ErrorCode::Busy, "volume '" + name + "' is busy with '" + now.raid.action_text +
                                           "'; wait until it is idle (dmirrorctl status " + name + ")");
  const Superblock& sb = live.legs.sb();
  OnlineScrubReport rep;
  rep.regions = sb.nr_regions;
  const uint64_t started = unix_now();
  live.legs.record_event(EventType::ScrubStarted, kNoSlot, {o.repair ? 1u : 0u}, o.repair ? "online repair" : "online check");

  bool stopped = false;
  DMIRROR_ASSIGN_OR_RETURN(rep.final_status, run_action(dm, name, "check", o, stopped));
  rep.mismatch_sectors = rep.final_status.mismatch_count.value_or(0);
  rep.mismatch_bytes = rep.mismatch_sectors * 512;
  rep.mismatch_regions = sb.region_size ? (rep.mismatch_bytes + sb.region_size - 1) / sb.region_size : 0;
  if (!stopped && o.repair && rep.mismatch_sectors) {
    DMIRROR_ASSIGN_OR_RETURN(rep.final_status, run_action(dm, name, "repair", o, stopped));
    if (!stopped) rep.repaired_regions = rep.mismatch_regions;
  }
  if (stopped) rep.result = ScrubResult::Interrupted;
  else if (!rep.mismatch_sectors) rep.result = ScrubResult::Clean;
  else rep.result = rep.repaired_regions ? ScrubResult::Repaired : ScrubResult::Mismatches;

  Superblock& edit = live.legs.edit();
  edit.last_scrub = ScrubSummary{rep.result, started, unix_now(), stopped ? 0 : rep.regions, rep.mismatch_regions,
                                 rep.repaired_regions};
  DMIRROR_RETURN_IF_ERROR(live.legs.commit());
  live.legs.record_event(EventType::ScrubFinished, kNoSlot,
                         {rep.regions, rep.mismatch_regions, rep.repaired_regions, static_cast<uint64_t>(rep.result)},
                         "online " + std::string(o.repair ? "repair" : "check") + ": " +
                             std::to_string(rep.mismatch_bytes) + " bytes differed (" +
                             std::to_string(rep.mismatch_sectors) + " sectors)");
  return rep;
}

}  // namespace dmirror::dm
