// SPDX-License-Identifier: LGPL-2.1-or-later
// VolumeMonitor: dm events to operator events.
#include <dmirror/dm/online/monitor.h>

#include <dmirror/dm/dm_names.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/online_status.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace dmirror::dm {

std::string_view monitor_event_name(MonitorEventKind k) {
  switch (k) {
    case MonitorEventKind::LegFailed: return "leg-failed";
    case MonitorEventKind::SyncFinished: return "sync-finished";
    case MonitorEventKind::Appeared: return "activated";
    case MonitorEventKind::Disappeared: return "deactivated";
  }
  return "unknown";
}

Result<bool> record_leg_failure(DmControl& dm, const std::string& name, uint32_t slot, std::string* leg_path) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  if (leg_path) {
    *leg_path = v.legs.path(slot);
    if (leg_path->empty() && v.devs.count(slot))   // unreadable, left out of the assembly
      *leg_path = block_device_path(v.devs.at(slot)).value_or("unreadable");
  }
  Superblock& sb = v.legs.edit();
  if (slot >= kMaxLegs) return false;
  // Only a member the live table still holds: a slot retired meanwhile (a
  // replace finished or undone, a remove) is never raised back as failed.
  const LegState now = sb.legs[slot].state;
  if (now == LegState::Failed) return true;
  if (now == LegState::Removed || now == LegState::Unused || now == LegState::Spare ||
      !kernel_slot_map(sb).position_of(slot))
    return false;
  sb.legs[slot].state = LegState::Failed;
  sb.legs[slot].state_seq = sb.seqno + 1;
  sb.legs[slot].recovery_offset = kOffsetInSync;
  sb.legs[slot].flags &= ~legflag::kRebuildPassed;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  v.legs.record_event(EventType::LegFailed, slot, {static_cast<uint64_t>(EIO)},
                      "the kernel failed slot " + std::to_string(slot) + " of the online volume");
  return true;
}

VolumeMonitor::VolumeMonitor(DmControl& dm, std::vector<std::string> names, WriterLock lock)
    : dm_(dm), names_(std::move(names)), lock_(std::move(lock)) {}

namespace {

size_t in_sync_count(const std::string& health) { return static_cast<size_t>(std::count(health.begin(), health.end(), 'A')); }

}  // namespace

Result<bool> VolumeMonitor::record(const std::string& name, uint32_t slot, std::string* leg_path) {
  std::shared_ptr<void> held;
  if (lock_) {
    auto l = lock_(name);
    if (!l) {
      // Named all the same: the device under the live table's sub-device.
      if (auto parsed = find_volume_by_name(dm_, name); parsed && leg_path)
        if (auto devs = volume_leg_devices(dm_, parsed->array_uuid); devs && devs->count(slot))
          *leg_path = block_device_path(devs->at(slot)).value_or("");
      return std::unexpected(l.error());
    }
    held = std::move(*l);
  }
  return record_leg_failure(dm_, name, slot, leg_path);
}

Result<std::vector<MonitorEvent>> VolumeMonitor::look(const std::string& name, const std::string& array_id, Known& k,
                                                      bool first) {
  std::vector<MonitorEvent> out;
  DMIRROR_ASSIGN_OR_RETURN(OnlineStatus st, online_status_by_name(dm_, name));
  std::set<uint32_t> failed_now;
  for (const auto& leg : st.legs) {
    if (leg.health != LegHealth::Failed) continue;
    const bool was_failed = leg.slot ? k.failed_slots.count(*leg.slot) > 0
                                     : leg.position < k.health.size() && k.health[leg.position] == 'D';
    if (leg.slot) failed_now.insert(*leg.slot);
    if (was_failed && !first) continue;
    MonitorEvent ev{MonitorEventKind::LegFailed, name, array_id, leg.slot, {}, {}, false};
    if (leg.slot) {
      auto rec = record(name, *leg.slot, &ev.leg);
      ev.recorded = rec && *rec;
      const bool busy = !rec && rec.error().code == ErrorCode::Busy;
      if (busy) deferred_[{name, *leg.slot}] = array_id;
      ev.detail = "volume " + name + ": slot " + std::to_string(*leg.slot) + " (" + ev.leg + ") failed" +
                  (ev.recorded ? "; recorded in the array metadata"
                   : rec       ? "; not recorded: the slot is no member of the array any more"
                   : busy      ? "; not recorded yet: " + rec.error().message + " (recorded once it is free)"
                               : "; could not record it: " + rec.error().message);
    } else {
      ev.detail = "volume " + name + ": table position " + std::to_string(leg.position) + " failed";
    }
    out.push_back(std::move(ev));
  }
  const bool was_running = k.action != SyncAction::Idle && k.action != SyncAction::Frozen;
  const bool more_in_sync = !k.health.empty() && in_sync_count(st.raid.health_chars) > in_sync_count(k.health);
  if (!first && st.raid.action == SyncAction::Idle && !st.raid.positions_pending() && (was_running || more_in_sync)) {
    MonitorEvent ev{MonitorEventKind::SyncFinished, name, array_id, {}, {}, {}, false};
    const std::string what = was_running ? std::string(sync_action_name(k.action)) : "recovery";
    ev.detail = "volume " + name + ": " + what + " finished, health " + st.raid.health_chars +
                (st.raid.mismatch_count.value_or(0) ? ", mismatch_cnt " + std::to_string(*st.raid.mismatch_count)
                                                    : "");
    out.push_back(std::move(ev));
  }
  k.event_nr = st.event_nr;
  k.failed_slots = std::move(failed_now);
  // While md has not applied a new leg count, a new position can read 'A'
  // before its recovery ran: the count before the change is kept.
  if (!st.raid.positions_pending()) k.health = st.raid.health_chars;
  k.action = st.raid.action;
  return out;
}

bool VolumeMonitor::still_failed(const std::string& name, uint32_t slot) {
  // Only a leg back in sync is dropped: while a reload moves positions the
  // status can show a failed leg 'a' or leave it out for a moment. A slot
  // retired meanwhile is left to record_leg_failure, which writes nothing
  // for a slot that is no member.
  auto st = online_status_by_name(dm_, name);
  if (!st) return true;
  for (const auto& leg : st->legs)
    if (leg.slot == slot) return leg.health != LegHealth::InSync;
  return true;
}

void VolumeMonitor::record_deferred(std::vector<MonitorEvent>& out) {
  for (auto it = deferred_.begin(); it != deferred_.end();) {
    const auto& [name, slot] = it->first;
    if (!still_failed(name, slot)) {   // retired, or back in the table anew, meanwhile
      if (known_.count(name))
        out.push_back(MonitorEvent{MonitorEventKind::LegFailed, name, it->second, slot, {},
                                   "volume " + name + ": slot " + std::to_string(slot) +
                                       " failed earlier and is back in sync in the kernel: not recorded",
                                   false, true});
      it = deferred_.erase(it);
      continue;
    }
    MonitorEvent ev{MonitorEventKind::LegFailed, name, it->second, slot, {}, {}, false};
    auto rec = record(name, slot, &ev.leg);
    if (!rec && rec.error().code == ErrorCode::Busy && known_.count(name)) {
      ++it;
      continue;
    }
    ev.recorded = rec && *rec;
    ev.late = true;
    ev.detail = "volume " + name + ": slot " + std::to_string(slot) + " (" + ev.leg + ") failed earlier" +
                (ev.recorded ? "; recorded in the array metadata now that the array is free"
                 : rec       ? "; not recorded: the slot is no member of the array any more (retired meanwhile)"
                             : "; could not record it: " + rec.error().message);
    if (known_.count(name)) out.push_back(std::move(ev));   // deactivated meanwhile: nothing to record on
    it = deferred_.erase(it);
  }
}

Result<std::vector<MonitorEvent>> VolumeMonitor::scan() { return scan_all(false); }

std::vector<std::string> VolumeMonitor::volumes() const {
  std::vector<std::string> out;
  for (const auto& [name, k] : known_) out.push_back(name);
  return out;
}

Result<std::vector<MonitorEvent>> VolumeMonitor::scan_all(bool every) {
  DMIRROR_ASSIGN_OR_RETURN(auto listed, dm_.list_devices(kDmUuidPrefix));
  std::vector<MonitorEvent> out;
  std::map<std::string, bool> seen;
  for (const auto& d : listed) {
    auto parsed = d.uuid ? parse_dm_uuid(*d.uuid) : std::nullopt;
    if (!parsed || parsed->role) continue;
    if (!names_.empty() && std::find(names_.begin(), names_.end(), d.name) == names_.end()) continue;
    seen[d.name] = true;
    auto it = known_.find(d.name);
    const bool fresh = it == known_.end();
    if (!fresh && !every && it->second.event_nr == d.event_nr) continue;
    Known& k = known_[d.name];
    if (fresh && scanned_)
      out.push_back(MonitorEvent{MonitorEventKind::Appeared, d.name, parsed->array_uuid, {}, {},
                                 "volume " + d.name + " activated", false});
    auto evs = look(d.name, parsed->array_uuid, k, fresh);
    if (!evs) continue;  // removed between list and status
    for (auto& e : *evs) out.push_back(std::move(e));
  }
  for (auto it = known_.begin(); it != known_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    out.push_back(MonitorEvent{MonitorEventKind::Disappeared, it->first, {}, {}, {},
                               "volume " + it->first + " deactivated", false});
    it = known_.erase(it);
  }
  record_deferred(out);
  scanned_ = true;
  return out;
}

Result<std::vector<MonitorEvent>> VolumeMonitor::wait(std::chrono::milliseconds timeout, int wake_fd) {
  DMIRROR_RETURN_IF_ERROR(dm_.arm_poll());
  // Events between the last scan and arming are caught by scanning again.
  DMIRROR_ASSIGN_OR_RETURN(auto pending, scan());
  if (!pending.empty()) return pending;
  pollfd p[2] = {{dm_.poll_fd(), POLLIN, 0}, {wake_fd, POLLIN, 0}};
  int n = ::poll(p, wake_fd >= 0 ? 2 : 1, static_cast<int>(timeout.count()));
  if (n < 0 && errno == EINTR) return make_error(ErrorCode::Cancelled, "interrupted");
  if (n < 0) return errno_error(errno, "poll /dev/mapper/control");
  if (wake_fd >= 0 && (p[1].revents & POLLIN)) return make_error(ErrorCode::Cancelled, "stop asked for");
  return scan_all(n == 0);   // a quiet interval: every volume looked at again
}

}  // namespace dmirror::dm
