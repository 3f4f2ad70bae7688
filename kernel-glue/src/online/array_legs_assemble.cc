// SPDX-License-Identifier: LGPL-2.1-or-later
// ArrayLegs::assemble(): the online view of an array built from the one
// assembly (assemble_array, FORMAT.md 2.6). The assembly decides members
// and roles; this only turns its answer into attached devices, refusals
// and the in-memory rewrite of stale legs to `rebuilding`.
#include <dmirror/dm/online/array_legs.h>

#include <dmirror/names.h>

#include <algorithm>

namespace dmirror::dm {
namespace {

std::string finding_message(const Assembly& a, std::string_view code) {
  for (const auto& f : a.findings)
    if (f.code == code) return f.message;
  return {};
}

std::string split_brain_message(const Assembly& a) {
  std::string why = finding_message(a, "split-brain");
  if (why.empty()) why = "the legs' histories diverged (split brain)";
  return "array '" + escape_name(a.sb.name) + "' is inconsistent: " + why +
         ". Nothing was activated. To activate, choose the leg whose data is kept: `dmirrorctl activate --from LEG "
         "...` (the other legs are rebuilt from it in full)";
}

// Refusals for legs given that the assembly did not make members.
Status refuse_non_members(const Assembly& a, bool leave_out_retired) {
  for (const AssembledLeg& leg : a.legs) {
    if (leave_out_retired && leg.disposition == Disposition::NotInTable) continue;
    switch (leg.disposition) {
      case Disposition::Member:
      case Disposition::Geometry:
      case Disposition::ForeignSignature:
      case Disposition::Spare: break;   // a spare holds no data: never attached
      case Disposition::Unreadable:
      case Disposition::NotDmirror: {
        Error e = leg.error.value_or(Error{ErrorCode::NotDmirror, 0, "no dmirror superblock"});
        e.message = leg.name + ": " + e.message;
        return std::unexpected(e);
      }
      case Disposition::Foreign:
        return make_error(ErrorCode::InvalidArgument,
                          leg.name + " is a leg of array '" + escape_name(leg.meta->sb.name) + "' (uuid " +
                              leg.meta->sb.array_uuid.str() + "), not of '" + escape_name(a.sb.name) + "' (uuid " +
                              a.sb.array_uuid.str() + "). Give the legs of one array only");
      case Disposition::NotInTable:
        return make_error(ErrorCode::InvalidArgument,
                          leg.name + " was slot " + std::to_string(leg.meta->sb.slot) + " of array '" +
                              escape_name(a.sb.name) +
                              "' but is no longer a member (it was removed or replaced). Leave it out, or wipe it "
                              "(dmirrorctl wipe " + leg.name + ") before reuse");
      case Disposition::Duplicate:
        return make_error(ErrorCode::InvalidArgument, leg.name + " carries the same leg as another device given (slot " +
                                                          std::to_string(leg.slot) + "); give each leg once");
    }
  }
  return ok();
}

}  // namespace

Result<ArrayLegs> ArrayLegs::assemble(std::vector<NamedDevice> devices, const ArrayLegsOptions& options) {
  if (devices.empty()) return make_error(ErrorCode::InvalidArgument, "no leg given");
  std::vector<LegProbe> probes;
  for (auto& d : devices) probes.push_back(probe_leg(*d.dev, d.path));
  AssembleOptions ao{.choose_slot = std::nullopt, .force = options.force};
  DMIRROR_ASSIGN_OR_RETURN(Assembly a, assemble_array(probes, ao));
  if (a.split_brain && options.choose_slot) {
    ao.choose_slot = options.choose_slot;
    DMIRROR_ASSIGN_OR_RETURN(a, assemble_array(probes, ao));
  }
  DMIRROR_RETURN_IF_ERROR(refuse_non_members(a, options.leave_out_retired));
  if (a.split_brain && options.split_brain == SplitBrainPolicy::Refuse)
    return make_error(ErrorCode::SplitBrain, split_brain_message(a));
  if (options.choose_slot && !a.chosen_slot) {
    // No split brain to settle: --from may only name an in-sync leg.
    const SlotView* v = a.slot(*options.choose_slot);
    if (!v || v->leg < 0 || v->state != SlotState::InSync)
      return make_error(v ? ErrorCode::Refused : ErrorCode::InvalidArgument,
                        "--from names slot " + std::to_string(*options.choose_slot) +
                            ", which is not an in-sync leg given (" +
                            (v ? std::string(slot_state_name(v->state)) : std::string("not in use")) +
                            "); there is no split brain to settle");
  }

  ArrayLegs out;
  out.sb_ = a.sb;
  out.legs_.resize(kMaxLegs);
  for (const AssembledLeg& leg : a.legs)
    if (leg.disposition == Disposition::Geometry || leg.disposition == Disposition::ForeignSignature)
      for (const auto& f : a.findings)
        if (f.leg == leg.name && (f.code == "leg-geometry" || f.code == "leg-foreign-signature"))
          out.left_out_.push_back(f.message);
  for (const SlotView& v : a.slots) {
    if (v.leg < 0) continue;
    const size_t i = static_cast<size_t>(v.leg);
    LegEntry& e = out.sb_.legs[v.slot];
    if (v.state == SlotState::Stale) {
      if (!options.rejoin_stale) continue;
      // Never read, never a source, never promoted by a commit: it rejoins
      // for a full rebuild (the kernel's `rebuild`).
      e.state = LegState::Rebuilding;
      e.recovery_offset = 0;
      e.replacement_slot = kNoSlot;
      e.flags &= ~(legflag::kRebuildPassed | legflag::kRecoverFromJournal);
      out.stale_.push_back(v.slot);
    } else if (a.forced_slot == v.slot) {
      out.forced_ = v.slot;
      if (e.state != LegState::InSync && e.state != LegState::Replacing) {
        e.state = LegState::InSync;
        e.recovery_offset = kOffsetInSync;
        e.flags &= ~legflag::kRecoverFromJournal;
        e.state_seq = a.sb.seqno + 1;
      }
    }
    out.legs_[v.slot] = Leg{std::move(devices[i].path), std::move(devices[i].dev)};
  }
  std::sort(out.stale_.begin(), out.stale_.end());
  out.generation_ = GenerationKeeper(out.sb_);
  out.assembly_ = std::move(a);
  return out;
}

}  // namespace dmirror::dm
