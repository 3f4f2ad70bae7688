// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps shared by online replace, add and remove (leg_change.h).
#include "online/leg_change.h"

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/disk_overlap.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/leg_args.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/rebuild_evidence.h>
#include <dmirror/dm/volume.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/names.h>
#include <dmirror/probe.h>
#include <dmirror/uuid.h>

#include <thread>

namespace dmirror::dm::online {

using Clock = std::chrono::steady_clock;
// How long md may sit idle with the new leg not in sync before the wait
// gives up (rebuild_evidence.h: Stalled).
constexpr std::chrono::seconds kStallLimit{15};
constexpr std::chrono::seconds kPendingLimit{60};

Result<uint32_t> slot_of_leg(const LiveVolume& v, const std::string& text, const std::string& option) {
  if (!text.empty() && text.size() <= 2 && text.find_first_not_of("0123456789") == std::string::npos) {
    uint32_t s = static_cast<uint32_t>(std::stoul(text));
    const LegState st = s < kMaxLegs ? v.legs.sb().legs[s].state : LegState::Unused;
    if (st != LegState::Unused && st != LegState::Removed) return s;
  }
  for (uint32_t s : v.legs.present_slots())
    if (v.legs.path(s) == text) return s;
  if (auto num = block_device_number(text); num)
    for (const auto& [slot, dev] : v.devs)
      if (dev == *num) return slot;
  return make_error(ErrorCode::InvalidArgument, option + text + ": not a leg of volume '" + v.name +
                                                    "'; give a slot number or a leg path (dmirrorctl status " +
                                                    v.name + ")");
}

Result<uint32_t> free_slot(const Superblock& sb) {
  for (uint32_t s = 0; s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Unused) return s;
  return make_error(ErrorCode::Refused, "array '" + sb.name + "' has no free slot (16 in use or retired)");
}

Result<NamedDevice> prepare_new_leg(const Superblock& sb, const std::string& path, bool force,
                                    const std::map<uint32_t, DevNumber>& live) {
  DMIRROR_RETURN_IF_ERROR(check_legs_unclaimed({path}));
  // Another view of a member's disk space (a loop or dm device over it, a
  // partition of its disk that overlaps it): the rebuild would write over
  // that member. Never, --force or not.
  if (auto num = block_device_number(path); num) {
    const auto mine = disk_extents(*num);
    for (const auto& [slot, dev] : live)
      if (extents_overlap(mine, disk_extents(dev)))
        return make_error(ErrorCode::Refused, path + " maps onto the same disk space as slot " + std::to_string(slot) +
                                                  " (" + block_device_path(dev).value_or(dev.str()) +
                                                  ") of the live volume: it would be written over. Give a device "
                                                  "on another disk");
  }
  const bool spare = spare_slot_of(sb, path).has_value();
  if (!force && !spare) {
    DMIRROR_ASSIGN_OR_RETURN(auto sigs, probe_signatures(path));
    if (!sigs.empty())
      return make_error(ErrorCode::ForeignSignature,
                        path + " carries " + sigs.front().describe() + ". Wipe it, or use --force to overwrite it");
  }
  DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, open_leg_shared(path));
  auto old = read_leg(*dev.dev);
  // A member's own superblock: that leg itself, or a second path to its
  // disk (another name, a second network export of the same file). Never
  // overwritten, --force or not.
  if (old && old->sb.array_uuid == sb.array_uuid)
    for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
      const LegEntry& e = sb.legs[s];
      if (e.uuid != old->sb.leg_uuid) continue;
      if (e.state == LegState::InSync || e.state == LegState::Replacing || e.state == LegState::Rebuilding)
        return make_error(ErrorCode::Refused, path + " carries the superblock of slot " + std::to_string(s) +
                                                  " of array '" + sb.name + "', which is " +
                                                  std::string(leg_state_name(e.state)) +
                                                  ": it is that leg, or another path to the same disk. Give a "
                                                  "device that is not a member of the array");
    }
  if (old && !force && !spare)
    return make_error(ErrorCode::Exists, path + " is a leg of array '" + old->sb.name +
                                             "'. Use --force to overwrite it");
  const uint64_t need = sb.layout.data_offset + sb.layout.data_size;
  if (dev.dev->geometry().size_bytes < need)
    return make_error(ErrorCode::TooSmall, path + " holds " + format_size_bytes(dev.dev->geometry().size_bytes) +
                                               "; the array needs " + format_size_bytes(need));
  WriteIntentJournal journal = WriteIntentJournal::create(sb);
  DMIRROR_RETURN_IF_ERROR(journal.write_pending(*dev.dev, true));
  DMIRROR_RETURN_IF_ERROR(zero_kernel_metadata(*dev.dev, sb.layout.kmeta_offset));
  DMIRROR_RETURN_IF_ERROR(dev.dev->flush());
  return dev;
}

std::optional<uint32_t> spare_slot_of(const Superblock& sb, const std::string& path) {
  auto dev = open_leg_shared(path);
  if (!dev) return std::nullopt;
  auto m = read_leg(*dev->dev);
  if (!m || m->sb.array_uuid != sb.array_uuid) return std::nullopt;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].uuid == m->sb.leg_uuid && sb.legs[s].state == LegState::Spare) return s;
  return std::nullopt;
}

LegEntry joining_entry(const Superblock& sb, uint32_t slot, uint32_t leaving, uint64_t device_size) {
  LegEntry fresh;
  fresh.flags = spare_flags_kept(sb, slot, leaving);
  fresh.uuid = random_uuid();
  fresh.state = LegState::Rebuilding;
  fresh.state_seq = sb.seqno + 1;
  fresh.recovery_offset = 0;
  fresh.device_size = device_size;
  return fresh;
}

Status reload(DmControl& dm, LiveVolume& v, const TableChoices& choices) {
  const Superblock& sb = v.legs.sb();
  KernelSlotMap map = kernel_slot_map(sb);
  VolumeMapping mapping = volume_mapping_for(sb, map, v.devs, choices);
  DMIRROR_ASSIGN_OR_RETURN(DevicePlan plan, plan_array_volume(mapping, map));
  return reload_volume(dm, mapping, plan);
}

RebuildFacts rebuild_facts(const LiveVolume& v, const RaidStatus& status, uint32_t slot) {
  RebuildFacts f;
  f.status = status;
  const KernelSlotMap map = kernel_slot_map(v.legs.sb());
  f.position = map.position_of(slot).value_or(static_cast<uint32_t>(status.health.size()));
  // The superblocks are read (judge_rebuild's last test) only once the
  // status itself reads done: not on every poll of a long rebuild.
  const bool candidate = f.position < status.health.size() && !status.positions_pending() &&
                         status.action == SyncAction::Idle && status.health[f.position] == LegHealth::InSync;
  for (uint32_t pos = 0; candidate && pos < map.slots.size(); ++pos) {
    const uint32_t s = map.slots[pos];
    if (!v.devs.count(s) || !v.legs.present(s)) continue;
    if (auto k = read_kernel_metadata(*v.legs.dev(s), v.legs.sb().layout.kmeta_offset)) f.kernel[pos] = std::move(*k);
  }
  return f;
}

Result<bool> wait_rebuilt(DmControl& dm, const LiveVolume& v, uint32_t slot, const WaitOptions& o) {
  const auto start = Clock::now();
  bool stalled = false;
  Clock::time_point stalled_since = start;
  std::optional<Clock::time_point> pending_since;
  for (;;) {
    DMIRROR_ASSIGN_OR_RETURN(VolumeStatus st, query(dm, v.name));
    if (o.progress) o.progress(st.raid);
    // md applies a new leg count when the table is resumed; one it has not
    // applied after this long it never will (seen with a failed slot left
    // out of the table, "- -"): waiting would never end.
    if (!st.raid.positions_pending()) pending_since.reset();
    else if (!pending_since) pending_since = Clock::now();
    else if (Clock::now() - *pending_since > kPendingLimit)
      return make_error(ErrorCode::Unsupported,
                        "the kernel did not take the table's new leg count (" + std::to_string(st.raid.health.size()) +
                            " positions, md still counts " + std::to_string(st.raid.device_count) + " after " +
                            std::to_string(kPendingLimit.count()) +
                            " s); replace a failed slot first, or deactivate the volume and run the command offline");
    if (!kernel_slot_map(v.legs.sb()).position_of(slot))
      return make_error(ErrorCode::Internal, "the live table does not hold the new leg");
    const RebuildVerdict verdict = judge_rebuild(rebuild_facts(v, st.raid, slot));
    if (verdict.state == RebuildState::Failed)
      return make_error(ErrorCode::Io, "the new leg failed while it was rebuilt; check it (dmesg), then try again "
                                       "with another device");
    if (verdict.state == RebuildState::Done) return true;
    if (verdict.state == RebuildState::Gone)
      return make_error(ErrorCode::Refused, verdict.why + " by another command; see `dmirrorctl status " + v.name +
                                                "`, then run the same command again");
    if (verdict.state != RebuildState::Stalled) {
      stalled = false;
    } else if (!stalled) {
      stalled = true;
      stalled_since = Clock::now();
    } else if (Clock::now() - stalled_since > kStallLimit) {
      return make_error(ErrorCode::Io, "the kernel stopped rebuilding the new leg before it was in sync (idle for " +
                                           std::to_string(kStallLimit.count()) +
                                           " s with it not in sync): most often an unreadable block on the leg it "
                                           "copies from (see dmesg). The new leg stays recorded rebuilding and is "
                                           "never read; scrub or replace the source leg, then run the same command "
                                           "again");
    }
    if (o.cancel && o.cancel->load()) return false;
    if (o.timeout.count() && Clock::now() - start > o.timeout) return false;
    std::this_thread::sleep_for(o.poll);
  }
}

Status remove_subdevices_of(DmControl& dm, const LiveVolume& v, uint32_t slot) {
  for (auto role : {SubdeviceRole::Data, SubdeviceRole::Kmeta}) {
    auto r = dm.remove_device(DeviceRef::by_name(subdevice_name(v.name, role, slot)), RemoveOptions{});
    if (!r && r.error().code != ErrorCode::NotFound) return r;
  }
  return ok();
}

Status require_idle(DmControl& dm, const std::string& name, const std::string& what) {
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus now, query(dm, name));
  if (now.raid.positions_pending())
    return make_error(ErrorCode::Busy, "volume '" + name + "' is still applying a leg-count change; wait until it "
                                           "is idle, then " + what);
  if (now.raid.action != SyncAction::Idle)
    return make_error(ErrorCode::Busy, "volume '" + name + "' is busy with '" + now.raid.action_text +
                                           "'; wait until it is idle, then " + what);
  return ok();
}

}  // namespace dmirror::dm::online
