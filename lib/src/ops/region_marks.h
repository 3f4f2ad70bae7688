// SPDX-License-Identifier: LGPL-2.1-or-later
// RegionMarks: the write path's rule for the data writes of the offline
// checks (a read-error heal's rewrite; a mismatch repair is not marked, see
// Comparator::repair): before a write
// that could tear, its region is marked in the journal of every writable
// leg and the journals flushed, so a crash in the middle leaves the region
// dirty — evidence for the next resync. The caller clears the regions it
// marked once the writes are flushed (take(), then clear_journal_regions:
// after a commit recording journal_kept_since). A region dirty before is
// not taken: only a resync may settle it. One RegionMarks is shared by the
// healer and the comparator of a run.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

class RegionMarks {
 public:
  explicit RegionMarks(engine::LegSet& set) : set_(set) {}

  // Marks `region` and writes the journals (flushed) unless its bit is
  // already durable. False when the journals are not loaded, or when a
  // leg's journal write failed: those legs (their write_errors counted)
  // are added to `errors` for the caller to settle; nothing may be written
  // then.
  [[nodiscard]] bool mark(uint64_t region, std::vector<engine::LegError>& errors);

  // Regions this run marked that were clean before (each write in them is
  // flushed before they are cleared).
  bool marked(uint64_t region) const { return std::find(marked_.begin(), marked_.end(), region) != marked_.end(); }
  std::vector<uint64_t> take() { return std::exchange(marked_, {}); }
  // Leaves `region` marked after the run (a rewrite that could not be made:
  // a resync settles it later).
  void keep(uint64_t region) { std::erase(marked_, region); }

 private:
  engine::LegSet& set_;
  std::vector<uint64_t> marked_;
};

}  // namespace dmirror::ops
