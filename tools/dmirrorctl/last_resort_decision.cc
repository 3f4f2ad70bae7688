// SPDX-License-Identifier: LGPL-2.1-or-later
// The last resort's decision (see last_resort_decision.h).
#include "last_resort_decision.h"

#include "escape.h"

#include <dmirror/boot_policy.h>

namespace dmirror::cli {

LastResortDecision decide_last_resort(const Assembly& a) {
  const std::string name = "array '" + printable(a.sb.name) + "'";
  if (!degraded_timeout(a.sb))
    return {LastResortVerdict::Never, ErrorCode::Refused,
            name + " is set never to start degraded at boot (degraded timeout never): it waits for every leg. "
                   "Start it now with `dmirrorctl activate --degraded LEG...`"};
  if (a.split_brain)
    return {LastResortVerdict::SplitBrain, ErrorCode::SplitBrain,
            name + ": the legs present were written apart (split brain); nothing was started. Choose the side "
                   "to keep with `dmirrorctl activate --from LEG LEG...`"};
  if (a.health == Health::Failed)
    return {LastResortVerdict::NoInSyncLeg, ErrorCode::Stale,
            name + " has no in-sync leg among the legs present, so its data is not all there; nothing was "
                   "started. " + no_in_sync_advice(a)};
  return {LastResortVerdict::Activate, ErrorCode::Refused, {}};
}

std::string degraded_boot_text(uint32_t raw) {
  if (raw == kDegradedTimeoutNever) return "never (boot starts the array only with every leg)";
  return "after " + degraded_timeout_text(raw) + " when legs are missing";
}

}  // namespace dmirror::cli
