// SPDX-License-Identifier: LGPL-2.1-or-later
// clear_counters() (see counters.h).
#include <dmirror/counters.h>
#include <dmirror/names.h>

#include "engine/leg_set.h"
#include "ops/resync_core.h"

namespace dmirror {

Result<ClearCountersReport> clear_counters(std::span<BlockDevice* const> legs, uint32_t slot, bool allow_degraded) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  Superblock& sb = set.mutable_sb();
  auto in_use = [&](uint32_t s) {
    return s < sb.nr_legs && sb.legs[s].state != LegState::Unused && sb.legs[s].state != LegState::Removed;
  };
  if (slot != kNoSlot && !in_use(slot))
    return make_error(ErrorCode::InvalidArgument, "array '" + sb.name + "' has no leg in slot " + std::to_string(slot));
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name +
                                           "' is active as an online volume; deactivate it before clearing counters");
  if (set.writable_slots().empty())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no leg that can take the update");
  set.set_consent(allow_degraded, kNoSlot, "clearing the counters");
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  // A commit would record an absent in-sync leg missing, taking it out of
  // the vote that settles an unclean array's dirty regions (rule 21).
  DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ResyncOptions{}));
  ClearCountersReport rep;
  std::string detail;
  for (uint32_t s = 0; s < sb.nr_legs; ++s) {
    if (!in_use(s) || (slot != kNoSlot && s != slot)) continue;
    const LegCounters& c = sb.counters[s];
    rep.cleared.push_back({s, c});
    detail += (detail.empty() ? "" : "; ") + std::string("slot ") + std::to_string(s) + ": " +
              std::to_string(c.read_errors) + " read, " + std::to_string(c.write_errors) + " write, " +
              count_of(c.mismatches, "mismatch") + ", " + std::to_string(c.corrected) + " corrected";
    sb.counters[s] = LegCounters{};
  }
  set.record_event(EventType::CountersCleared, slot, {}, "error counters cleared (" + detail + ")");
  DMIRROR_RETURN_IF_ERROR(set.commit());
  rep.sb = set.sb();
  return rep;
}

}  // namespace dmirror
