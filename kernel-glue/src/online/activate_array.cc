// SPDX-License-Identifier: LGPL-2.1-or-later
// activate_array(): hand-off, commit, bring-up.
#include <dmirror/dm/online/activate_array.h>

#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/active_volume.h>
#include <dmirror/dm/online/volume_table.h>
#include <dmirror/dm/volume.h>
#include <dmirror/array.h>
#include <dmirror/assembly.h>

#include <unistd.h>

#include <algorithm>

namespace dmirror::dm {
Status refuse_if_active(DmControl& dm, const Superblock& sb) {
  DMIRROR_ASSIGN_OR_RETURN(auto devs, find_array_devices(dm, sb.array_uuid));
  if (devs.top)
    return make_error(ErrorCode::Exists, "array '" + sb.name + "' is already active as /dev/mapper/" + devs.top->name);
  if (!devs.subdevices.empty())
    return make_error(ErrorCode::Exists, "array '" + sb.name + "' has leftover device-mapper devices (" +
                                             devs.subdevices.front().name + "...) from an interrupted activation. "
                                             "Remove them with 'dmirrorctl deactivate " + sb.name + "'");
  return ok();
}

namespace {

Result<HandoffInput> handoff_input(ArrayLegs& legs, bool unclean, bool degraded) {
  HandoffInput in;
  in.sb = legs.sb();
  in.present = legs.present_slots();
  in.stale = legs.stale_slots();
  in.unclean = unclean;
  in.allow_degraded = degraded;
  for (uint32_t s : in.present) {
    DMIRROR_ASSIGN_OR_RETURN(in.kernel[s], read_kernel_metadata(*legs.dev(s), in.sb.layout.kmeta_offset));
  }
  DMIRROR_ASSIGN_OR_RETURN(in.journal_dirty, legs.journal_dirty());
  return in;
}

// Writes the plan's changes into every present leg's kernel metadata.
Status apply_to_kernel_metadata(ArrayLegs& legs, const HandoffPlan& plan) {
  const uint64_t area = legs.sb().layout.kmeta_offset;
  for (uint32_t s : legs.present_slots()) {
    BlockDevice& dev = *legs.dev(s);
    // A leg passed with `rebuild` is new to the kernel: its old kernel
    // metadata is neither trusted nor worth marking.
    const bool rebuilt = std::find(plan.rebuild.begin(), plan.rebuild.end(), s) != plan.rebuild.end();
    if (rebuilt && plan.action != KernelMetadataAction::Zero) continue;
    switch (plan.action) {
      case KernelMetadataAction::Keep: break;
      case KernelMetadataAction::Zero: DMIRROR_RETURN_IF_ERROR(zero_kernel_metadata(dev, area)); break;
      case KernelMetadataAction::MarkDirty: {
        DMIRROR_ASSIGN_OR_RETURN(auto st, read_kernel_metadata(dev, area));
        if (!st.is_new) DMIRROR_RETURN_IF_ERROR(mark_regions_dirty(dev, area, plan.mark_regions));
        break;
      }
    }
    if (plan.force_resync) DMIRROR_RETURN_IF_ERROR(force_resync_of_dirty_regions(dev, area));
  }
  return ok();
}

// Our side of the hand-off: flags, the rebuild decisions, and the sync
// state the kernel now owns.
Status commit_handoff(ArrayLegs& legs, const HandoffPlan& plan) {
  Superblock& sb = legs.edit();
  sb.flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
  for (uint32_t s : plan.missing) {
    // Missing, not failed (FORMAT.md 2.6 rule 11): it comes back by a rebuild
    // (a rebuilding leg keeps its flags: the assembly decides how, rule 8).
    LegEntry& e = sb.legs[s];
    if (e.state != LegState::InSync && e.state != LegState::Replacing && e.state != LegState::Rebuilding) continue;
    e.state = LegState::Missing;
    e.state_seq = sb.seqno + 1;
  }
  for (uint32_t s : plan.rebuild) {
    LegEntry& e = sb.legs[s];
    e.state = LegState::Rebuilding;
    e.state_seq = sb.seqno + 1;
    e.recovery_offset = 0;
    e.flags &= ~legflag::kRebuildPassed;  // set once the table reached the kernel
  }
  if (plan.first_use && !plan.nosync) {
    sb.resync_offset = 0;  // until the kernel's initial sync is imported
  } else {
    DMIRROR_RETURN_IF_ERROR(legs.set_journal({}));
    sb.resync_offset = kOffsetInSync;
  }
  return legs.commit();
}

std::string node_of(const DeviceInfo& top) {
  std::string mapper = mapper_node_path("/dev", top.name);
  return ::access(mapper.c_str(), F_OK) == 0 ? mapper : top.dm_node();
}

// Failed legs get nothing from an activation unless re-added (rule 17).
void leave_out_failed(ArrayLegs& legs, const ActivateOptions& options) {
  if (options.re_add) return;
  for (uint32_t s : legs.present_slots())
    if (legs.sb().legs[s].state == LegState::Failed) legs.detach(s);
}

// Every refusal that depends only on the assembly, before anything is written.
Status refuse_before_writing(const ArrayLegs& legs, const ActivateOptions& options) {
  auto missing = missing_slots(legs.sb(), legs.present_slots());
  auto st = check_missing(legs.sb(), missing, options.degraded);
  if (st || legs.left_out().empty()) return st;
  Error e = st.error();
  for (const auto& why : legs.left_out()) e.message += ". " + why;
  return std::unexpected(e);
}

// The administrator's choices the assembly acted on, into the event history.
void record_choices(ArrayLegs& legs, const HandoffPlan& plan, std::vector<std::string>& notes) {
  const Assembly& a = legs.assembly();
  if (a.chosen_slot) {
    uint64_t losing = 0;
    for (uint32_t s : legs.stale_slots()) losing |= uint64_t{1} << s;
    std::string text = "split brain resolved: slot " + std::to_string(*a.chosen_slot) + " (" +
                       legs.path(*a.chosen_slot) + ") chosen (--from); the legs that diverged from it are rebuilt "
                       "from it in full";
    legs.record_event(EventType::SplitBrainResolved, *a.chosen_slot, {losing}, text);
    notes.push_back(text);
  }
  if (auto f = legs.forced_slot()) {
    std::string text = "slot " + std::to_string(*f) + " (" + legs.path(*f) +
                       ") forced in sync (--force): no in-sync leg was present; it may lack recent writes";
    legs.record_event(EventType::LegForced, *f, {}, text);
    notes.push_back(text);
  }
  for (uint32_t s : plan.missing)
    if (legs.sb().legs[s].state == LegState::Missing && legs.sb().legs[s].state_seq == legs.sb().seqno)
      legs.record_event(EventType::LegMissing, s, {}, "slot " + std::to_string(s) + " is missing at activation (--degraded)");
}

}  // namespace

// A split-off array whose origin still holds its slot split for it
// (FORMAT.md 6.2, 2.6 rule 24): its leg's kernel metadata area is the
// origin's as of the split, the online merge's proof that the origin's
// bitmap covers its absence, and an activation would rewrite it and end the
// tracking of both sides. Origin legs not found on this system: nothing
// here could merge it, the activation goes ahead (and ends its tracking).
Status refuse_tracked_split_off(const Superblock& sb) {
  if (!split_origin_tracked(sb)) return ok();
  auto found = scan_legs({});
  if (!found) return ok();
  for (const FoundLeg& f : *found) {
    const Superblock& o = f.meta.sb;
    const uint32_t slot = sb.origin.slot;
    if (o.array_uuid != sb.origin.array_uuid || slot >= kMaxLegs || o.legs[slot].state != LegState::Split ||
        o.split_uuid[slot] != sb.array_uuid)
      continue;
    return make_error(ErrorCode::Refused,
                      "array '" + sb.name + "' is slot " + std::to_string(slot) + " split off array '" + o.name +
                          "' with its changes tracked; it is not activated while tracked (that would rewrite the "
                          "leg's kernel metadata area and end the tracking). `dmirrorctl merge " + o.name + " " +
                          sb.name + "` brings it back; `dmirrorctl remove " + o.name + " --leg " +
                          std::to_string(slot) + "` ends the tracking first. Read it offline meanwhile "
                          "(`dmirrorctl io`)");
  }
  return ok();
}

Result<ActivateReport> activate_array(DmControl& dm, ArrayLegs& legs, const std::map<uint32_t, DevNumber>& devs,
                                      const ActivateOptions& options) {
  DMIRROR_RETURN_IF_ERROR(refuse_if_active(dm, legs.sb()));
  DMIRROR_RETURN_IF_ERROR(refuse_tracked_split_off(legs.sb()));
  leave_out_failed(legs, options);
  DMIRROR_RETURN_IF_ERROR(refuse_before_writing(legs, options));
  ActivateReport rep;
  rep.name = legs.sb().name;
  rep.unclean = legs.sb().has_flag(sbflag::kKernelOwnsSync);
  if (rep.unclean) {
    DMIRROR_ASSIGN_OR_RETURN(rep.imported, import_kernel_state(legs));
    legs.record_event(EventType::UncleanShutdown, kNoSlot, {rep.imported->dirty_regions},
                      "the volume was not deactivated cleanly; the kernel resyncs the regions dirty in its bitmap");
    leave_out_failed(legs, options);  // the kernel may have failed a leg
  }
  DMIRROR_ASSIGN_OR_RETURN(HandoffInput in, handoff_input(legs, rep.unclean, options.degraded));
  DMIRROR_ASSIGN_OR_RETURN(rep.plan, plan_handoff(in));
  const HandoffPlan& plan = rep.plan;

  TableChoices choices{.nosync = plan.nosync, .rebuild = plan.rebuild};
  // Only present legs reach the table (a failed leg left out is "- -").
  std::map<uint32_t, DevNumber> present_devs;
  for (uint32_t s : legs.present_slots())
    if (auto it = devs.find(s); it != devs.end()) present_devs.insert(*it);
  VolumeMapping mapping = volume_mapping_for(legs.sb(), plan.map, present_devs, choices);
  DMIRROR_ASSIGN_OR_RETURN(DevicePlan devplan, plan_array_volume(mapping, plan.map));

  DMIRROR_RETURN_IF_ERROR(apply_to_kernel_metadata(legs, plan));
  DMIRROR_RETURN_IF_ERROR(commit_handoff(legs, plan));
  record_choices(legs, plan, rep.plan.notes);
  legs.record_event(EventType::Activated, kNoSlot,
                    {legs.present_slots().size(), plan.rebuild.size(), plan.nosync ? 1u : 0u, plan.first_use ? 1u : 0u},
                    "activated as /dev/mapper/" + legs.sb().name);

  auto active = bring_up(dm, mapping, devplan);
  if (!active) {
    // Nothing of the array is active: give sync ownership back.
    (void)import_kernel_state(legs);
    return std::unexpected(active.error());
  }
  if (!plan.rebuild.empty()) {
    // The table with `rebuild` is live: never pass it again (docs/kernel-facts.md
    // §2.7); the kernel's recovery offset tracks the rebuild from now on.
    for (uint32_t s : plan.rebuild) legs.edit().legs[s].flags |= legflag::kRebuildPassed;
    DMIRROR_RETURN_IF_ERROR(legs.commit());
  }
  rep.dev = active->top.dev;
  rep.node = node_of(active->top);
  if (auto st = query(dm, rep.name); st) rep.status = st->raid;
  return rep;
}

}  // namespace dmirror::dm
