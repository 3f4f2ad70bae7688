// SPDX-License-Identifier: LGPL-2.1-or-later
// settled_mismatches (see resync_core.h).
#include "ops/resync_core.h"

namespace dmirror::ops {

std::vector<Mismatch> settled_mismatches(const engine::LegSet& set, const ResyncReport& settled) {
  std::vector<Mismatch> out;
  for (const SettledRange& r : settled.settled) {
    Mismatch m;
    m.region = r.offset / set.sb().region_size;
    m.offset = r.offset;
    m.length = r.length;
    m.agree.push_back(r.kept_slot);
    for (uint32_t s = 0; s < kMaxLegs; ++s)
      if (r.differ_mask & (1u << s)) m.differ.push_back(s);
    m.cls = MismatchClass::CrashWindow;
    m.source_slot = r.kept_slot;
    m.source_reason = "dirty in the journal: settled first as a resync settles it (FORMAT.md 2.6 rule 21)";
    m.repaired = true;
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace dmirror::ops
