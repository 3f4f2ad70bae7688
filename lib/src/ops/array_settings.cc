// SPDX-License-Identifier: LGPL-2.1-or-later
// apply_settings() and change_settings() (see settings.h).
#include <dmirror/boot_policy.h>
#include <dmirror/names.h>
#include <dmirror/settings.h>

#include "engine/leg_set.h"
#include "ops/resync_core.h"

namespace dmirror {
namespace {

bool in_use(const Superblock& sb, uint32_t s) {
  return s < sb.nr_legs && sb.legs[s].state != LegState::Unused && sb.legs[s].state != LegState::Removed;
}

bool serves_reads(const LegEntry& e) { return e.state == LegState::InSync || e.state == LegState::Replacing; }

Status check_rate(std::optional<uint64_t> rate, const char* what) {
  if (rate && *rate > kMaxRecoveryRate)
    return make_error(ErrorCode::InvalidArgument, std::string(what) + " " + recovery_rate_text(*rate) +
                                                      " is above the kernel's limit of " +
                                                      recovery_rate_text(kMaxRecoveryRate) + "; give a smaller rate");
  return ok();
}

}  // namespace

void copy_settings(const Superblock& from, Superblock& to) {
  for (uint32_t s = 0; s < kMaxLegs; ++s) to.legs[s].flags = from.legs[s].flags;
  to.kernel = from.kernel;
  constexpr uint64_t kOurs = feature::kCompatSparePolicy | feature::kCompatBootPolicy;
  to.compat = (to.compat & ~kOurs) | (from.compat & kOurs);
  to.spare_takeover = from.spare_takeover;
  to.degraded_timeout = from.degraded_timeout;
}

std::string recovery_rate_text(uint64_t kib_per_second) {
  if (kib_per_second == 0) return "kernel default";
  return format_size(kib_per_second * 1024) + "/s";
}

Result<std::vector<std::string>> apply_settings(Superblock& sb, const SettingsChange& change) {
  Superblock next = sb;
  std::vector<std::string> changes;
  bool marking = false;
  for (const auto& [slot, on] : change.write_mostly) {
    if (!in_use(sb, slot))
      return make_error(ErrorCode::InvalidArgument,
                        "array '" + sb.name + "' has no leg in slot " + std::to_string(slot) +
                            "; give a slot in use or the path of a leg (dmirrorctl status " + sb.name + ")");
    for (const auto& [other, other_on] : change.write_mostly)
      if (other == slot && other_on != on)
        return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(slot) +
                                                          " is given both --write-mostly and --no-write-mostly; "
                                                          "give one of them");
    const bool was = (next.legs[slot].flags & legflag::kWriteMostly) != 0;
    if (was == on) continue;
    if (on) next.legs[slot].flags |= legflag::kWriteMostly;
    else next.legs[slot].flags &= ~legflag::kWriteMostly;
    marking |= on;
    changes.push_back("slot " + std::to_string(slot) + (on ? " write-mostly" : " no longer write-mostly"));
  }
  if (marking) {
    bool reader = false, any_in_sync = false;
    for (uint32_t s = 0; s < next.nr_legs; ++s) {
      if (!serves_reads(next.legs[s])) continue;
      any_in_sync = true;
      reader |= !(next.legs[s].flags & legflag::kWriteMostly);
    }
    if (any_in_sync && !reader)
      return make_error(ErrorCode::Refused,
                        "every in-sync leg of array '" + sb.name +
                            "' would be write-mostly, leaving no leg to read from (the kernel refuses that too); "
                            "leave at least one in-sync leg without --write-mostly");
  }
  DMIRROR_RETURN_IF_ERROR(check_rate(change.min_recovery_rate, "--min-recovery-rate"));
  DMIRROR_RETURN_IF_ERROR(check_rate(change.max_recovery_rate, "--max-recovery-rate"));
  if (change.min_recovery_rate) next.kernel.min_recovery_rate = *change.min_recovery_rate;
  if (change.max_recovery_rate) next.kernel.max_recovery_rate = *change.max_recovery_rate;
  if (next.kernel.max_recovery_rate && next.kernel.min_recovery_rate > next.kernel.max_recovery_rate)
    return make_error(ErrorCode::InvalidArgument,
                      "the minimum recovery rate (" + recovery_rate_text(next.kernel.min_recovery_rate) +
                          ") would be above the maximum (" + recovery_rate_text(next.kernel.max_recovery_rate) +
                          "); lower --min-recovery-rate or raise --max-recovery-rate");
  if (next.kernel.min_recovery_rate != sb.kernel.min_recovery_rate)
    changes.push_back("minimum recovery rate " + recovery_rate_text(next.kernel.min_recovery_rate) + " (was " +
                      recovery_rate_text(sb.kernel.min_recovery_rate) + ")");
  if (next.kernel.max_recovery_rate != sb.kernel.max_recovery_rate)
    changes.push_back("maximum recovery rate " + recovery_rate_text(next.kernel.max_recovery_rate) + " (was " +
                      recovery_rate_text(sb.kernel.max_recovery_rate) + ")");
  if (change.spare_takeover && *change.spare_takeover != spare_policy(sb)) {
    set_spare_policy(next, *change.spare_takeover);
    changes.push_back("spare take-over " + std::string(spare_policy_name(*change.spare_takeover)) + " (was " +
                      std::string(spare_policy_name(spare_policy(sb))) + ")");
  }
  if (change.degraded_timeout) {
    const uint32_t was = (sb.compat & feature::kCompatBootPolicy) ? sb.degraded_timeout : 0;
    if (*change.degraded_timeout != was) {
      next.compat |= feature::kCompatBootPolicy;
      next.degraded_timeout = *change.degraded_timeout;
      changes.push_back("degraded timeout " + degraded_timeout_text(*change.degraded_timeout) + " (was " +
                        degraded_timeout_text(was) + ")");
    }
  }
  sb = next;
  return changes;
}

Result<SettingsReport> change_settings(std::span<BlockDevice* const> legs, const SettingsChange& change,
                                       bool allow_degraded) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  Superblock& sb = set.mutable_sb();
  SettingsReport rep;
  rep.before = sb;
  Superblock next = sb;
  DMIRROR_ASSIGN_OR_RETURN(rep.changes, apply_settings(next, change));
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name +
                                           "' is owned by the kernel (active, or not deactivated cleanly); "
                                           "activate it and change the settings online, or deactivate it first");
  if (rep.changes.empty()) {
    rep.sb = sb;
    return rep;
  }
  if (set.writable_slots().empty())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no leg that can take the update");
  set.set_consent(allow_degraded, kNoSlot, "changing the settings");
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  // A commit would record an absent in-sync leg missing, taking it out of
  // the vote that settles an unclean array's dirty regions (rule 21).
  DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ResyncOptions{}));
  copy_settings(next, sb);
  DMIRROR_RETURN_IF_ERROR(set.commit());
  rep.sb = set.sb();
  return rep;
}

}  // namespace dmirror
