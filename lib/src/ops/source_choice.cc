// SPDX-License-Identifier: LGPL-2.1-or-later
// The chosen source must be in sync (see source_choice.h).
#include "ops/source_choice.h"

namespace dmirror::ops {

Status check_chosen_source(const engine::LegSet& set, uint32_t slot, const std::string& what) {
  if (slot < kMaxLegs && set.in_sync(slot)) return ok();
  const SlotView* v = slot < kMaxLegs ? set.assembly().slot(slot) : nullptr;
  const std::string role = v ? std::string(slot_state_name(v->state)) : std::string("not a leg of the array");
  const std::string name = slot < kMaxLegs ? set.leg_name(slot) : "slot " + std::to_string(slot);
  std::string in_sync;
  for (uint32_t s : set.in_sync_slots()) in_sync += (in_sync.empty() ? "" : ", ") + std::to_string(s);
  return make_error(ErrorCode::Refused, name + " is " + role +
                                            ", not in sync: it may lack writes the in-sync legs hold, so it cannot be "
                                            "the source. " + what + " (in-sync slots: " +
                                            (in_sync.empty() ? std::string("none given") : in_sync) + ")");
}

}  // namespace dmirror::ops
