// SPDX-License-Identifier: LGPL-2.1-or-later
// Health of an assembled array. Healthy: every in-use slot is present, in
// sync and current, and no resync is pending. Degraded: something is missing,
// failed, rebuilding or stale but a good leg remains. Failed: no good leg.
// Inconsistent: damaged metadata copies or legs that disagree at one seqno.
#include "array/health.h"

#include <string>

namespace dmirror::array {
namespace {

void add(ArrayView& v, Severity s, std::string_view code, std::string msg, std::string leg = {}, int64_t slot = -1) {
  v.findings.push_back(Finding{s, std::string(code), std::move(msg), std::move(leg), slot});
}

bool same_metadata(const Superblock& a, const Superblock& b) {
  if (a.name != b.name || a.nr_legs != b.nr_legs || a.region_size != b.region_size ||
      a.nr_regions != b.nr_regions || a.layout.data_size != b.layout.data_size ||
      a.resync_offset != b.resync_offset || a.flags != b.flags) {
    return false;
  }
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    const LegEntry& x = a.legs[s];
    const LegEntry& y = b.legs[s];
    if (x.uuid != y.uuid || x.state != y.state || x.recovery_offset != y.recovery_offset) return false;
  }
  return true;
}

// Maps member legs onto slots; returns true if metadata damage was found.
bool map_slots(ArrayView& v, const std::vector<size_t>& members) {
  bool damaged = false;
  v.slot_to_leg.assign(v.sb.nr_legs, -1);
  for (size_t i : members) {
    LegView& leg = v.legs[i];
    const Superblock& own = leg.meta->sb;
    for (const Finding& f : leg.meta->findings) {
      Finding copy = f;
      if (copy.leg.empty()) copy.leg = leg.path;
      if (copy.slot < 0) copy.slot = own.slot;
      if (copy.severity >= Severity::Warning) damaged = true;
      v.findings.push_back(std::move(copy));
    }
    leg.stale = own.seqno < v.sb.seqno;
    if (own.slot >= v.sb.nr_legs || v.sb.legs[own.slot].uuid != own.leg_uuid) {
      leg.stale = true;
      add(v, Severity::Warning, "leg-not-in-table",
          leg.path + " says it is slot " + std::to_string(own.slot) +
              ", but the newest leg table does not list it (it was removed or replaced)",
          leg.path, own.slot);
      continue;
    }
    int& mapped = v.slot_to_leg[own.slot];
    if (mapped >= 0) {
      damaged = true;
      add(v, Severity::Error, "duplicate-leg",
          leg.path + " and " + v.legs[static_cast<size_t>(mapped)].path + " both carry slot " +
              std::to_string(own.slot) + " (leg uuid " + own.leg_uuid.str() + "); one is a copy of the other",
          leg.path, own.slot);
      continue;
    }
    mapped = static_cast<int>(i);
    if (!leg.stale && !same_metadata(own, v.sb)) {
      damaged = true;
      add(v, Severity::Error, "metadata-disagreement",
          leg.path + " has seqno " + std::to_string(own.seqno) +
              " like the newest leg, but its metadata differs",
          leg.path, own.slot);
    }
  }
  return damaged;
}

}  // namespace

void judge_health(ArrayView& v, const std::vector<size_t>& members) {
  const bool damaged = map_slots(v, members);
  bool degraded = false;
  int good = 0;
  for (uint32_t s = 0; s < v.sb.nr_legs; ++s) {
    const LegEntry& e = v.sb.legs[s];
    if (e.state == LegState::Unused || e.state == LegState::Removed) continue;
    const int idx = v.slot_to_leg[s];
    const std::string who = idx >= 0 ? v.legs[static_cast<size_t>(idx)].path : "slot " + std::to_string(s);
    const std::string path = idx >= 0 ? v.legs[static_cast<size_t>(idx)].path : std::string();
    if (e.state == LegState::Failed) {
      degraded = true;
      add(v, Severity::Error, kLegFailed, who + " (slot " + std::to_string(s) + ") has failed", path, s);
    } else if (e.state == LegState::Rebuilding) {
      degraded = true;
      add(v, Severity::Warning, kLegRebuilding,
          who + " (slot " + std::to_string(s) + ") is rebuilding, current up to byte " +
              std::to_string(e.recovery_offset),
          path, s);
    } else if (idx < 0) {
      degraded = true;
      add(v, Severity::Error, kLegMissing,
          "slot " + std::to_string(s) + " (leg uuid " + e.uuid.str() + ") is missing", {}, s);
    } else if (v.legs[static_cast<size_t>(idx)].stale) {
      degraded = true;
      add(v, Severity::Warning, kLegStale,
          who + " (slot " + std::to_string(s) + ") is at seqno " +
              std::to_string(v.legs[static_cast<size_t>(idx)].meta->sb.seqno) + ", the array at " +
              std::to_string(v.sb.seqno) + "; it missed updates and needs a recovery",
          path, s);
    } else {
      ++good;
    }
  }
  if (v.sb.resync_offset != kOffsetInSync) {
    degraded = true;
    add(v, Severity::Warning, kResyncPending,
        "a resync is pending from byte " + std::to_string(v.sb.resync_offset) + " of the data area");
  }
  if (good == 0) v.health = Health::Failed;
  else if (damaged) v.health = Health::Inconsistent;
  else if (degraded) v.health = Health::Degraded;
  else v.health = Health::Healthy;
}

}  // namespace dmirror::array
