// SPDX-License-Identifier: LGPL-2.1-or-later
// online_replace(): add, rebuild, retire - recorded step by step.
#include <dmirror/dm/online/online_replace.h>

#include "online/leg_change.h"

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/leg_args.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/volume_table.h>
#include <dmirror/dm/volume.h>
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/names.h>
#include <dmirror/leg.h>
#include <dmirror/probe.h>

#include <cerrno>
#include <sys/stat.h>


namespace dmirror::dm {
namespace {

using online::free_slot;
using online::prepare_new_leg;
using online::reload;
using online::remove_subdevices_of;


// The new slot rebuilt in the old slot's place: the old slot leaves the
// table (recorded removed once the reload took) and its sub-devices go.
Status rebuild_in_place(DmControl& dm, LiveVolume& v, OnlineReplaceReport& rep) {
  Superblock& sb = v.legs.edit();
  const LegState old_state = sb.legs[rep.old_slot].state;
  sb.legs[rep.old_slot].state = LegState::Removed;
  if (auto inplace = reload(dm, v, TableChoices{.rebuild = {rep.new_slot}}); !inplace) {
    sb.legs[rep.old_slot].state = old_state;
    return inplace;
  }
  rep.in_place = true;
  return remove_subdevices_of(dm, v, rep.old_slot);
}

// The kernel failed the new leg ('D') while it was rebuilt.
bool new_leg_failed(DmControl& dm, const LiveVolume& v, uint32_t slot) {
  auto st = query(dm, v.name);
  auto pos = kernel_slot_map(v.legs.sb()).position_of(slot);
  return st && pos && *pos < st->raid.health.size() && st->raid.health[*pos] == LegHealth::Failed;
}

// The new leg failed while it was rebuilt: the replace is undone so that
// it can be run again with another device. The new slot is recorded
// failed; the old leg, which never stopped serving, is in sync again and
// the failed slot leaves the live table. Replaced in place (the old leg
// already out of the table), the failed new slot stays in it ('D') in the
// old one's place: replace it in turn.
Result<OnlineReplaceReport> give_up_new_leg(DmControl& dm, LiveVolume& v, OnlineReplaceReport& rep, const Error& why,
                                            bool leg_failed = true) {
  Superblock& sb = v.legs.edit();
  // In place (this run or an earlier one): the old slot left the table.
  const bool in_place = sb.legs[rep.old_slot].state == LegState::Removed;
  LegEntry& fresh = sb.legs[rep.new_slot];
  fresh.state = in_place && leg_failed ? LegState::Failed : LegState::Removed;
  fresh.recovery_offset = kOffsetInSync;
  fresh.flags &= ~legflag::kRebuildPassed;
  fresh.state_seq = sb.seqno + 1;
  LegEntry& old = sb.legs[rep.old_slot];
  if (old.state == LegState::Replacing) old.state = LegState::InSync;
  old.replacement_slot = kNoSlot;
  old.state_seq = sb.seqno + 1;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  if (leg_failed)
    v.legs.record_event(EventType::LegFailed, rep.new_slot, {static_cast<uint64_t>(EIO)},
                        "the new leg of the replace of slot " + std::to_string(rep.old_slot) +
                            " failed while it was rebuilt: the replace is undone");
  else
    v.legs.record_event(EventType::LegRemoved, rep.new_slot, {},
                        "replace of slot " + std::to_string(rep.old_slot) + " undone: " + why.message);
  std::string next;
  if (in_place && leg_failed) {
    next = "slot " + std::to_string(rep.new_slot) + " is recorded failed in slot " + std::to_string(rep.old_slot) +
           "'s place: replace it with another device (dmirrorctl replace " + v.name + " --old " +
           std::to_string(rep.new_slot) + " --new DEV)";
  } else {
    DMIRROR_RETURN_IF_ERROR(reload(dm, v, TableChoices{}));
    DMIRROR_RETURN_IF_ERROR(remove_subdevices_of(dm, v, rep.new_slot));
    v.legs.detach(rep.new_slot);
    next = "the replace is undone, slot " + std::to_string(rep.old_slot) +
           " is as it was: run it again with another device (dmirrorctl replace " + v.name + " --old " +
           std::to_string(rep.old_slot) + " --new DEV)";
  }
  return make_error(leg_failed ? ErrorCode::Io : why.code, why.message + " (" + next + ")");
}

// A replace in progress whose new slot is recorded failed (the monitor
// recorded the kernel's failure while no replace waited): (old, new).
std::optional<std::pair<uint32_t, uint32_t>> failed_replacement(const Superblock& sb) {
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.replacement_slot < kMaxLegs && sb.legs[e.replacement_slot].state == LegState::Failed &&
        e.state != LegState::Unused)
      return std::make_pair(s, e.replacement_slot);
  }
  return std::nullopt;
}

// The replace in progress, named for a refusal.
Error other_replace_running(const LiveVolume& v, const OnlineReplaceReport& rep) {
  const std::string dev = v.legs.path(rep.new_slot);
  return Error{ErrorCode::Refused, 0,
               "a replace of slot " + std::to_string(rep.old_slot) + " by slot " + std::to_string(rep.new_slot) +
                   (dev.empty() ? "" : " (" + dev + ")") + " is in progress in volume '" + v.name +
                   "'; finish it first: dmirrorctl replace " + v.name + " --old " + std::to_string(rep.old_slot) +
                   " --new " + (dev.empty() ? "DEV" : dev)};
}

// Whether the replace that finished last in `v` made `new_slot` of the
// leg named `old_leg` (a slot number, or a device whose own superblock
// says it was that slot; a device gone counts): by the event history.
std::optional<uint32_t> finished_replace_of(const LiveVolume& v, uint32_t new_slot, const std::string& old_leg) {
  BlockDevice* dev = v.legs.dev(new_slot);
  if (!dev) return std::nullopt;
  auto hist = read_events(*dev, v.legs.sb());
  if (!hist) return std::nullopt;
  for (auto it = hist->events.rbegin(); it != hist->events.rend(); ++it) {
    if (it->type != EventType::ReplaceFinished || it->args[0] != new_slot) continue;
    const uint32_t old = it->slot;
    if (old >= kMaxLegs) return std::nullopt;
    if (!old_leg.empty() && old_leg.size() <= 2 && old_leg.find_first_not_of("0123456789") == std::string::npos)
      return std::stoul(old_leg) == old ? std::optional<uint32_t>(old) : std::nullopt;
    struct stat st {};
    if (::stat(old_leg.c_str(), &st) != 0) return old;   // the old device is gone
    auto named = open_leg_shared(old_leg);
    auto meta = named ? read_leg(*named->dev) : Result<LegMetadata>(std::unexpected(named.error()));
    if (meta && meta->sb.array_uuid == v.legs.sb().array_uuid && meta->sb.leg_uuid == v.legs.sb().legs[old].uuid)
      return old;
    return std::nullopt;
  }
  return std::nullopt;
}

// The slot `path` serves in the live table in sync, if it does.
std::optional<uint32_t> in_sync_slot_of(const LiveVolume& v, const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto num = block_device_number(path);
  if (!num) return std::nullopt;
  for (const auto& [slot, dev] : v.devs)
    if (dev == *num && slot < kMaxLegs && v.legs.sb().legs[slot].state == LegState::InSync) return slot;
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> replace_in_progress(const Superblock& sb) {
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = sb.legs[s];
    // Any old state but retired: a leg still rebuilding (at activation) may
    // be replaced as well as one in sync (Replacing) or failed.
    if (e.state != LegState::Removed && e.state != LegState::Unused && e.replacement_slot < kMaxLegs &&
        sb.legs[e.replacement_slot].state == LegState::Rebuilding)
      return std::make_pair(s, e.replacement_slot);
  }
  return std::nullopt;
}

Result<OnlineReplaceReport> online_replace(DmControl& dm, const std::string& name, const std::string& old_leg,
                                           const std::string& new_path, const OnlineReplaceOptions& o) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  OnlineReplaceReport rep;
  if (auto failed = failed_replacement(v.legs.sb())) {
    rep.old_slot = failed->first;
    rep.new_slot = failed->second;
    return give_up_new_leg(dm, v, rep,
                           Error{ErrorCode::Io, 0, "the new leg (slot " + std::to_string(rep.new_slot) +
                                                       ") of the replace in progress failed while it was rebuilt"});
  }
  auto running = replace_in_progress(v.legs.sb());
  if (running) {
    rep.old_slot = running->first;
    rep.new_slot = running->second;
    rep.resumed = true;
    // The same replace only: its old leg, and its new device when present.
    if (!old_leg.empty())
      if (auto named = online::slot_of_leg(v, old_leg, "--old "); named && *named != rep.old_slot)
        return std::unexpected(other_replace_running(v, rep));
    if (!new_path.empty() && v.legs.present(rep.new_slot)) {
      auto num = block_device_number(new_path);
      if (!num || !v.devs.count(rep.new_slot) || v.devs.at(rep.new_slot) != *num)
        return std::unexpected(other_replace_running(v, rep));
    }
    rep.steps.push_back("resuming the replace of slot " + std::to_string(rep.old_slot) + " by slot " +
                        std::to_string(rep.new_slot));
    if (!v.legs.present(rep.new_slot)) {
      DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, open_leg_shared(new_path));
      DMIRROR_ASSIGN_OR_RETURN(auto meta, read_leg(*dev.dev));
      if (meta.sb.leg_uuid != v.legs.sb().legs[rep.new_slot].uuid)
        return make_error(ErrorCode::Refused, "a replace onto another device is in progress; give --new "
                                                      "the same device to resume it");
      DMIRROR_ASSIGN_OR_RETURN(v.devs[rep.new_slot], block_device_number(new_path));
      v.legs.attach(rep.new_slot, std::move(dev));
    }
  } else {
    auto old_slot = online::slot_of_leg(v, old_leg, "--old ");
    if (!old_slot) {
      // Run again after it finished (by the monitor, or by a rerun before):
      // the old leg is gone and the new device serves in sync.
      auto slot = in_sync_slot_of(v, new_path);
      auto old = slot ? finished_replace_of(v, *slot, old_leg) : std::nullopt;
      if (slot && old) {
        rep.new_slot = *slot;
        rep.old_slot = *old;
        // A run stopped after its last reload may have left the old slot's
        // sub-devices behind: removed now.
        DMIRROR_RETURN_IF_ERROR(remove_subdevices_of(dm, v, rep.old_slot));
        rep.finished = true;
        rep.already_finished = true;
        rep.steps.push_back("nothing to do: " + new_path + " is slot " + std::to_string(*slot) +
                            ", in sync, and " + old_leg + " is no longer a leg: the replace is already finished");
        return rep;
      }
      return std::unexpected(old_slot.error());
    }
    rep.old_slot = *old_slot;
    DMIRROR_RETURN_IF_ERROR(online::require_idle(dm, name, "replace"));
    // A spare of the array is used in its own slot (FORMAT.md 2.6 rule 23).
    if (auto spare = online::spare_slot_of(v.legs.sb(), new_path)) {
      rep.new_slot = *spare;
    } else {
      DMIRROR_ASSIGN_OR_RETURN(rep.new_slot, online::free_slot(v.legs.sb()));
    }
    DMIRROR_ASSIGN_OR_RETURN(DevNumber new_dev, block_device_number(new_path));
    DMIRROR_ASSIGN_OR_RETURN(NamedDevice dev, prepare_new_leg(v.legs.sb(), new_path, o.force, v.devs));
    Superblock& sb = v.legs.edit();
    sb.legs[rep.new_slot] = online::joining_entry(sb, rep.new_slot, rep.old_slot, dev.dev->geometry().size_bytes);
    sb.nr_legs = std::max(sb.nr_legs, rep.new_slot + 1);
    LegEntry& old = sb.legs[rep.old_slot];
    if (old.state == LegState::InSync) old.state = LegState::Replacing;
    old.replacement_slot = rep.new_slot;
    old.state_seq = sb.seqno + 1;
    v.devs[rep.new_slot] = new_dev;
    v.legs.attach(rep.new_slot, std::move(dev));
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
    v.legs.record_event(EventType::ReplaceStarted, rep.old_slot, {rep.new_slot},
                        "replacing slot " + std::to_string(rep.old_slot) + " by " + new_path);
    rep.steps.push_back("slot " + std::to_string(rep.new_slot) + " (" + new_path + ") joined as rebuilding");
  }

  Superblock& sb = v.legs.edit();
  // The old leg failed or missing and not in the live table ("- -"): the
  // new leg takes its place, with no change of the leg count (which md
  // applies as a reshape, its status unsettled meanwhile): nothing of the
  // old leg is served, so no redundancy is given up.
  const LegState old_now = sb.legs[rep.old_slot].state;
  const bool old_absent = !v.devs.count(rep.old_slot) && (old_now == LegState::Failed || old_now == LegState::Missing);
  if (!(sb.legs[rep.new_slot].flags & legflag::kRebuildPassed)) {
    if (old_absent) {
      DMIRROR_RETURN_IF_ERROR(rebuild_in_place(dm, v, rep));
      rep.steps.push_back("slot " + std::to_string(rep.old_slot) + " is not in the live table: slot " +
                          std::to_string(rep.new_slot) + " rebuilt in its place");
    } else if (auto added = reload(dm, v, TableChoices{.rebuild = {rep.new_slot}}); added) {
      rep.steps.push_back(
          "table reloaded with an extra leg and 'rebuild' for it: the old leg stays in the table until the new one is "
          "in sync");
    } else if (Status allowed = in_place_replace_allowed(sb, rep.old_slot, added.error().message); !allowed) {
      // In place would give up redundancy: undo the replace. The new slot
      // is retired (its device carries our superblock saying so) and the
      // old leg serves on as before.
      (void)remove_subdevices_of(dm, v, rep.new_slot);
      if (sb.legs[rep.old_slot].state == LegState::Replacing) sb.legs[rep.old_slot].state = LegState::InSync;
      sb.legs[rep.old_slot].replacement_slot = kNoSlot;
      sb.legs[rep.old_slot].state_seq = sb.seqno + 1;
      sb.legs[rep.new_slot].state = LegState::Removed;
      sb.legs[rep.new_slot].state_seq = sb.seqno + 1;
      DMIRROR_RETURN_IF_ERROR(v.legs.commit());
      v.legs.detach(rep.new_slot);
      v.legs.record_event(EventType::LegRemoved, rep.new_slot, {},
                          "replace of slot " + std::to_string(rep.old_slot) + " undone: " + allowed.error().message);
      return std::unexpected(allowed.error());
    } else {
      // The kernel refused the extra slot and the old leg's copy is not
      // needed for redundancy: rebuild in the old leg's place.
      rep.steps.push_back("the kernel refused an extra leg (" + added.error().message +
                          "); replacing in place, which gives up no redundancy here");
      DMIRROR_RETURN_IF_ERROR(rebuild_in_place(dm, v, rep));
    }
    sb.legs[rep.new_slot].flags |= legflag::kRebuildPassed;
    DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  }

  auto waited = online::wait_rebuilt(dm, v, rep.new_slot,
                                     {.poll = o.poll, .timeout = o.timeout, .progress = o.progress, .cancel = o.cancel});
  if (!waited) {
    if (new_leg_failed(dm, v, rep.new_slot)) return give_up_new_leg(dm, v, rep, waited.error());
    if (waited.error().code == ErrorCode::Unsupported)   // the kernel never took the extra leg
      return give_up_new_leg(dm, v, rep, waited.error(), /*leg_failed=*/false);
    return std::unexpected(waited.error());
  }
  const bool done = *waited;
  if (!done) {
    rep.steps.push_back("stopped waiting; the kernel keeps rebuilding. Run the same replace again to finish");
    return rep;
  }
  sb.legs[rep.new_slot].state = LegState::InSync;
  sb.legs[rep.new_slot].recovery_offset = kOffsetInSync;
  sb.legs[rep.new_slot].flags &= ~legflag::kRebuildPassed;
  sb.legs[rep.new_slot].state_seq = sb.seqno + 1;
  sb.legs[rep.old_slot].state = LegState::Removed;
  sb.legs[rep.old_slot].state_seq = sb.seqno + 1;
  sb.legs[rep.old_slot].replacement_slot = kNoSlot;
  DMIRROR_RETURN_IF_ERROR(v.legs.commit());
  rep.steps.push_back("slot " + std::to_string(rep.new_slot) + " is in sync");
  if (!rep.in_place) {
    DMIRROR_RETURN_IF_ERROR(reload(dm, v, TableChoices{}));
    DMIRROR_RETURN_IF_ERROR(remove_subdevices_of(dm, v, rep.old_slot));
    rep.steps.push_back("table reloaded without slot " + std::to_string(rep.old_slot));
  }
  v.legs.record_event(EventType::ReplaceFinished, rep.old_slot, {rep.new_slot},
                      "slot " + std::to_string(rep.old_slot) + " replaced by slot " + std::to_string(rep.new_slot));
  v.legs.record_event(EventType::LegRemoved, rep.old_slot, {}, "retired after replace");
  v.legs.detach(rep.old_slot);
  rep.finished = true;
  return rep;
}

}  // namespace dmirror::dm
