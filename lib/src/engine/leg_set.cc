// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembling a LegSet and the slot predicates (see leg_set.h).
#include "engine/leg_set.h"

#include <dmirror/names.h>

#include <algorithm>
#include <ctime>

namespace dmirror::engine {

uint64_t now_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

Result<std::vector<LegProbe>> LegSet::probe(std::span<BlockDevice* const> devices) {
  if (devices.empty()) return make_error(ErrorCode::InvalidArgument, "no legs given");
  std::vector<LegProbe> probes;
  for (BlockDevice* d : devices) {
    probes.push_back(probe_leg(*d));
    const auto& p = probes.back();
    if (p.error && p.error->code == ErrorCode::Unsupported) return std::unexpected(*p.error);
  }
  return probes;
}

Result<LegSet> LegSet::assemble(std::span<BlockDevice* const> devices, const AssembleOptions& options) {
  DMIRROR_ASSIGN_OR_RETURN(auto probes, probe(devices));
  DMIRROR_ASSIGN_OR_RETURN(auto a, assemble_array(probes, options));
  return from_assembly(std::move(a), devices);
}

Result<LegSet> LegSet::from_assembly(Assembly a, std::span<BlockDevice* const> devices) {
  // The engine and the offline operations never pick a side on their own,
  // and never silently drop a leg they were given for another array.
  for (const auto& leg : a.legs) {
    if (leg.disposition == Disposition::Foreign)
      return make_error(ErrorCode::InvalidArgument,
                        leg.name + " belongs to another array (" + leg.meta->sb.array_uuid.str() + ", not " +
                            a.sb.array_uuid.str() + "); give the legs of one array only");
    if (leg.disposition == Disposition::Duplicate)
      return make_error(ErrorCode::InvalidArgument, leg.name + " carries the same leg as another device given (slot " +
                                                        std::to_string(leg.slot) + "); give each leg once");
  }
  if (a.split_brain) {
    std::string why;
    for (const auto& f : a.findings)
      if (f.code == "split-brain") why = f.message;
    return make_error(ErrorCode::SplitBrain, "array '" + escape_name(a.sb.name) + "' is inconsistent: " + why);
  }
  LegSet set;
  set.sb_ = a.sb;
  set.sb_.slot = 0;
  set.devs_.assign(kMaxLegs, nullptr);
  set.metas_.resize(kMaxLegs);
  set.journals_.resize(kMaxLegs);
  for (const SlotView& v : a.slots) {
    if (v.leg < 0 || v.state == SlotState::Failed) continue;
    const size_t i = static_cast<size_t>(v.leg);
    set.devs_[v.slot] = devices[i];
    set.metas_[v.slot] = a.legs[i].meta;
    if (v.state == SlotState::Stale) {
      // Never read, never a source: it rejoins as rebuilding (FORMAT.md 2.6
      // rule 8), durable with the next commit.
      LegEntry& e = set.sb_.legs[v.slot];
      e.state = LegState::Rebuilding;
      e.recovery_offset = 0;
      e.replacement_slot = kNoSlot;
      e.flags &= ~legflag::kRebuildPassed;
      if (v.recovery == Recovery::Journal) e.flags |= legflag::kRecoverFromJournal;
      else e.flags &= ~legflag::kRecoverFromJournal;
      set.rejoining_.push_back(v.slot);
    }
  }
  // The members holding the line's last commit as this session begins
  // (FORMAT.md 2.6 rule 19); a stale leg present rejoins and is reached.
  set.generation_ = GenerationKeeper(set.sb_);
  set.chosen_slot_ = a.chosen_slot;
  set.forced_ = a.forced;
  for (uint32_t s = 0; s < set.sb_.nr_legs; ++s) set.absent_at_start_[s] = !set.present(s);
  set.findings_ = std::move(a.findings);
  set.assembly_ = std::move(a);
  return set;
}

std::string LegSet::leg_name(uint32_t slot) const {
  std::string s = "slot " + std::to_string(slot);
  if (auto* d = dev(slot)) s += " (" + d->describe() + ")";
  return s;
}

bool LegSet::writable(uint32_t slot) const {
  if (slot >= sb_.nr_legs || !present(slot)) return false;
  LegState s = sb_.legs[slot].state;
  return s == LegState::InSync || s == LegState::Replacing || s == LegState::Rebuilding;
}

bool LegSet::in_sync(uint32_t slot) const {
  if (slot >= sb_.nr_legs || !present(slot)) return false;
  LegState s = sb_.legs[slot].state;
  return s == LegState::InSync || s == LegState::Replacing;
}

bool LegSet::current_below(uint32_t slot, uint64_t end) const {
  if (in_sync(slot)) return true;
  return writable(slot) && sb_.legs[slot].state == LegState::Rebuilding && sb_.legs[slot].recovery_offset >= end;
}

std::vector<uint32_t> LegSet::in_sync_slots() const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) if (in_sync(i)) out.push_back(i);
  return out;
}

std::vector<uint32_t> LegSet::writable_slots() const {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) if (writable(i)) out.push_back(i);
  return out;
}

std::optional<uint32_t> LegSet::primary() const {
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) if (in_sync(i)) return i;
  return std::nullopt;
}

bool LegSet::degraded() const {
  // A stale leg joins as rebuilding at assembly (from_assembly), so the
  // table alone says what is degraded.
  // A split keeps every bit for its merge (FORMAT.md 2.6 rule 24).
  if (journal_kept_for_split(sb_)) return true;
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) {
    const LegEntry& e = sb_.legs[i];
    if (!is_member_state(e.state)) continue;   // a spare degrades nothing
    if (!writable(i)) return true;
    // A leg rebuilding from the journal needs its bits (FORMAT.md 2.6 rule 12).
    if (e.state == LegState::Rebuilding && (e.flags & legflag::kRecoverFromJournal)) return true;
  }
  return false;
}

void LegSet::attach(uint32_t slot, BlockDevice* d) {
  devs_[slot] = d;
  metas_[slot].reset();
}

Status LegSet::check_consent() const {
  if (allow_degraded_) return ok();
  const std::string& what = consent_what_;
  std::vector<uint32_t> absent;
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) {
    LegState st = sb_.legs[i].state;
    bool member = st == LegState::InSync || st == LegState::Replacing || st == LegState::Rebuilding;
    if (member && !present(i) && absent_at_start_[i] && !(consent_slots_ & (1u << i))) absent.push_back(i);
  }
  if (absent.empty()) return ok();
  std::string which;
  for (uint32_t i : absent)
    which += (which.empty() ? "" : ", ") + std::string("slot ") + std::to_string(i) + " (leg " +
             sb_.legs[i].uuid.str() + ", " + std::string(leg_state_name(sb_.legs[i].state)) + ")";
  return make_error(ErrorCode::Refused, "array '" + sb_.name + "': " + which + (absent.size() > 1 ? " are" : " is") +
                                            " missing; " + what + " without " + (absent.size() > 1 ? "them" : "it") +
                                            " records " + (absent.size() > 1 ? "them" : "it") +
                                            " missing and leaves the array degraded: give every leg, or pass "
                                            "--degraded to go on without " + (absent.size() > 1 ? "them" : "it"));
}

}  // namespace dmirror::engine
