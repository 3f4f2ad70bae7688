// SPDX-License-Identifier: LGPL-2.1-or-later
#include "sync_progress.h"

#include <algorithm>

namespace dmirror::cli {

double sync_percent(const Assembly& a) {
  const uint64_t size = a.sb.layout.data_size;
  const uint64_t regions = a.sb.nr_regions;
  if (size == 0) return 100.0;
  double done = 1.0;
  if (a.sb.resync_offset != kOffsetInSync) done = std::min(done, double(std::min(a.sb.resync_offset, size)) / size);
  const double clean = regions == 0 ? 1.0 : 1.0 - double(std::min(a.dirty_regions, regions)) / regions;
  done = std::min(done, clean);
  for (const SlotView& s : a.slots) {
    if (s.leg < 0 || s.split) continue;
    if (s.state == SlotState::Rebuilding) {
      const bool journal = s.recovery == Recovery::Journal;
      done = std::min(done, journal ? clean : double(std::min(s.entry.recovery_offset, size)) / size);
    } else if (s.state == SlotState::Stale) {
      done = std::min(done, s.recovery == Recovery::Journal ? clean : 0.0);
    }
  }
  return done * 100.0;
}

}  // namespace dmirror::cli
