// SPDX-License-Identifier: LGPL-2.1-or-later
// record_metadata_repaired() (see metadata_events.h).
#include <dmirror/metadata_events.h>

#include "engine/leg_set.h"

namespace dmirror {

Status record_metadata_repaired(std::span<BlockDevice* const> legs, uint32_t slot, const std::string& detail,
                                bool allow_degraded) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  set.set_consent(allow_degraded, kNoSlot, "recording the repair");
  if (set.writable_slots().empty())
    return make_error(ErrorCode::Stale, "array '" + set.sb().name + "' has no leg that can take the event");
  set.record_event(EventType::MetadataRepaired, slot, {}, detail);
  return set.commit();
}

}  // namespace dmirror
