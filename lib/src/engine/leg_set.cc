// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembling a LegSet and the slot predicates (see leg_set.h).
#include "engine/leg_set.h"

#include <algorithm>
#include <ctime>

namespace dmirror::engine {

uint64_t now_seconds() { return static_cast<uint64_t>(std::time(nullptr)); }

Result<LegSet> LegSet::assemble(std::span<BlockDevice* const> devices) {
  if (devices.empty()) return make_error(ErrorCode::InvalidArgument, "no legs given");
  struct Read { BlockDevice* dev; LegMetadata meta; };
  std::vector<Read> good;
  Findings findings;
  std::optional<Error> first_error;
  for (BlockDevice* d : devices) {
    auto m = read_leg(*d);
    if (!m) {
      if (m.error().code == ErrorCode::Unsupported) return std::unexpected(m.error());
      findings.push_back({Severity::Error, "leg-unreadable", m.error().describe(), d->describe(), -1});
      if (!first_error) first_error = m.error();
      continue;
    }
    for (auto& f : m->findings) findings.push_back(f);
    good.push_back({d, std::move(*m)});
  }
  if (good.empty()) return std::unexpected(*first_error);

  size_t newest = 0;
  for (size_t i = 1; i < good.size(); ++i)
    if (good[i].meta.sb.seqno > good[newest].meta.sb.seqno) newest = i;
  LegSet set;
  set.sb_ = good[newest].meta.sb;
  set.devs_.assign(kMaxLegs, nullptr);
  set.metas_.resize(kMaxLegs);
  set.journals_.resize(kMaxLegs);
  for (auto& g : good) {
    const Superblock& s = g.meta.sb;
    if (s.array_uuid != set.sb_.array_uuid)
      return make_error(ErrorCode::InvalidArgument, g.dev->describe() + " belongs to another array (" +
                                                        s.array_uuid.str() + ", not " + set.sb_.array_uuid.str() + ")");
    std::optional<uint32_t> slot;
    for (uint32_t i = 0; i < set.sb_.nr_legs; ++i)
      if (set.sb_.legs[i].uuid == s.leg_uuid) slot = i;
    if (!slot) {
      findings.push_back({Severity::Warning, "leg-not-in-table",
                          g.dev->describe() + " is no longer in the array's leg table; ignored", g.dev->describe(), -1});
      continue;
    }
    if (set.devs_[*slot])
      return make_error(ErrorCode::InvalidArgument, g.dev->describe() + " and " + set.devs_[*slot]->describe() +
                                                        " are the same leg (slot " + std::to_string(*slot) + ")");
    if (s.seqno < set.sb_.seqno)
      findings.push_back({Severity::Info, "leg-stale-superblock",
                          g.dev->describe() + " has superblock seqno " + std::to_string(s.seqno) + " < " +
                              std::to_string(set.sb_.seqno) + "; it is rewritten at the next update",
                          g.dev->describe(), *slot});
    set.devs_[*slot] = g.dev;
    set.metas_[*slot] = std::move(g.meta);
  }
  set.sb_.slot = 0;
  set.findings_ = std::move(findings);
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
  // Stale (FORMAT.md 2.6 rule 5): a present leg that was behind the newest
  // seqno when the legs were assembled.
  uint64_t newest = 0;
  for (const auto& m : metas_) if (m) newest = std::max(newest, m->sb.seqno);
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) {
    if (metas_[i] && metas_[i]->sb.seqno < newest) return true;
  }
  for (uint32_t i = 0; i < sb_.nr_legs; ++i) {
    LegState s = sb_.legs[i].state;
    if (s == LegState::Unused || s == LegState::Removed) continue;
    if (!writable(i)) return true;
    if (s == LegState::Rebuilding && (sb_.legs[i].flags & legflag::kRecoverFromJournal)) return true;
  }
  return false;
}

void LegSet::attach(uint32_t slot, BlockDevice* d) {
  devs_[slot] = d;
  metas_[slot].reset();
}

}  // namespace dmirror::engine
