// SPDX-License-Identifier: LGPL-2.1-or-later
// online_scrub(): check (and repair) through dm-raid messages.
#include <dmirror/dm/online/online_scrub.h>

#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/volume.h>

#include <thread>

namespace dmirror::dm {
namespace {

using Clock = std::chrono::steady_clock;

bool cancelled(const OnlineScrubOptions& o) { return o.cancel && o.cancel->load(); }

// Sends `action` and waits until the array is idle again and the kernel has
// reaped the sync thread: md bumps the device's event counter only then
// (see action_progress). Idle without that event for confirm_within means
// the end was never signalled, and no result is claimed.
Result<RaidStatus> run_action(DmControl& dm, const std::string& name, const char* action,
                              const OnlineScrubOptions& o, bool& stopped) {
  const auto ref = DeviceRef::by_name(name);
  DMIRROR_ASSIGN_OR_RETURN(DeviceInfo before, dm.device_info(ref));
  DMIRROR_RETURN_IF_ERROR(dm.target_message(ref, 0, action));
  bool seen_running = false;
  auto last_busy = Clock::now();
  for (;;) {
    std::this_thread::sleep_for(o.poll);
    DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, name));
    if (o.progress) o.progress(st.raid);
    if (cancelled(o)) {
      (void)dm.target_message(ref, 0, "idle");
      stopped = true;
      return st.raid;
    }
    const bool running = st.raid.action != SyncAction::Idle;
    seen_running = seen_running || running;
    if (running) last_busy = Clock::now();
    const bool signalled = st.info.event_nr != before.event_nr;
    switch (action_progress(running, signalled,
                            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_busy),
                            o.confirm_within)) {
      case ActionProgress::Waiting: continue;
      case ActionProgress::Finished: return st.raid;
      case ActionProgress::Unconfirmed:
        return make_error(ErrorCode::Io, "the kernel " + std::string(seen_running ? "ran" : "never showed") +
                                             " the '" + std::string(action) + "' of volume '" + name + "'" +
                                             (seen_running ? "" : " running") +
                                             " but never signalled its end (sync_action '" +
                                             st.raid.action_text + "', event counter " +
                                             std::to_string(st.info.event_nr) + "); no result can be given: check "
                                             "`dmsetup status " + name + "` and the kernel log, then scrub again");
    }
  }
}

// The leg the kernel's raid1 repair copies from: the first in-sync table position.
std::optional<uint32_t> kernel_repair_source(const Superblock& sb, const RaidStatus& st) {
  const KernelSlotMap map = kernel_slot_map(sb);
  for (uint32_t pos = 0; pos < map.slots.size() && pos < st.health.size(); ++pos)
    if (st.health[pos] == LegHealth::InSync) return map.slots[pos];
  return std::nullopt;
}

}  // namespace

ActionProgress action_progress(bool running, bool event_moved, std::chrono::milliseconds idle_for,
                               std::chrono::milliseconds confirm_within) {
  if (running) return ActionProgress::Waiting;
  if (event_moved) return ActionProgress::Finished;
  return idle_for > confirm_within ? ActionProgress::Unconfirmed : ActionProgress::Waiting;
}

Result<OnlineScrubReport> online_scrub(DmControl& dm, const std::string& name, const OnlineScrubOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume live, open_live_volume(dm, name));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus now, query(dm, name));
  if (now.raid.action != SyncAction::Idle)
    return make_error(ErrorCode::Busy, "volume '" + name + "' is busy with '" + now.raid.action_text +
                                           "'; wait until it is idle (dmirrorctl status " + name + ")");
  const Superblock& sb = live.legs.sb();
  if (o.repair) {
    const auto src = kernel_repair_source(sb, now.raid);
    if (!src || *src != o.repair_from)
      return make_error(ErrorCode::Refused,
                        "the kernel's repair of volume '" + name + "' copies from its first in-sync leg" +
                            (src ? ", slot " + std::to_string(*src) : std::string(" (none is in sync)")) +
                            ", not from slot " + std::to_string(o.repair_from) +
                            "; name that leg with --from, or deactivate the volume and run the offline scrub "
                            "with --from " + std::to_string(o.repair_from));
  }
  OnlineScrubReport rep;
  rep.regions = sb.nr_regions;
  const uint64_t started = unix_now();
  live.legs.record_event(EventType::ScrubStarted, kNoSlot, {o.repair ? 1u : 0u}, o.repair ? "online repair" : "online check");

  bool stopped = false;
  auto record_failure = [&](const Error& e) {
    live.legs.edit().last_scrub = ScrubSummary{ScrubResult::Failed, started, unix_now(), 0, 0, 0};
    (void)live.legs.commit();
    live.legs.record_event(EventType::ScrubFinished, kNoSlot, {0, 0, 0, static_cast<uint64_t>(ScrubResult::Failed)},
                           "online scrub failed: " + e.message);
    return std::unexpected(e);
  };
  auto checked = run_action(dm, name, "check", o, stopped);
  if (!checked) return record_failure(checked.error());
  rep.final_status = *checked;
  rep.mismatch_sectors = rep.final_status.mismatch_count.value_or(0);
  rep.mismatch_bytes = rep.mismatch_sectors * 512;
  rep.mismatch_regions = sb.region_size ? (rep.mismatch_bytes + sb.region_size - 1) / sb.region_size : 0;
  if (!stopped && o.repair && rep.mismatch_sectors) {
    auto repaired = run_action(dm, name, "repair", o, stopped);
    if (!repaired) return record_failure(repaired.error());
    rep.final_status = *repaired;
    if (!stopped) rep.repaired_regions = rep.mismatch_regions;
  }
  if (stopped) {
    // Stopped midway: no region was judged by a whole pass (the summary
    // and the event say 0 regions, as the offline scrub's do).
    rep.result = ScrubResult::Interrupted;
    rep.regions = 0;
  }
  else if (!rep.mismatch_sectors) rep.result = ScrubResult::Clean;
  else rep.result = rep.repaired_regions ? ScrubResult::Repaired : ScrubResult::Mismatches;

  Superblock& edit = live.legs.edit();
  edit.last_scrub = ScrubSummary{rep.result, started, unix_now(), rep.regions, rep.mismatch_regions,
                                 rep.repaired_regions};
  DMIRROR_RETURN_IF_ERROR(live.legs.commit());
  live.legs.record_event(EventType::ScrubFinished, kNoSlot,
                         {rep.regions, rep.mismatch_regions, rep.repaired_regions, static_cast<uint64_t>(rep.result)},
                         "online " + std::string(o.repair ? "repair" : "check") + (stopped ? " interrupted" : "") +
                             ": " + std::to_string(rep.mismatch_bytes) + " bytes differed (" +
                             std::to_string(rep.mismatch_sectors) + " sectors)");
  return rep;
}

}  // namespace dmirror::dm
