// SPDX-License-Identifier: LGPL-2.1-or-later
// Marking a region before an offline data write (see region_marks.h).
#include "ops/region_marks.h"

#include <string>

namespace dmirror::ops {

bool RegionMarks::mark(uint64_t region, std::vector<engine::LegError>& errors) {
  if (!set_.journals_loaded()) return false;
  if (set_.durably_dirty(region)) return true;
  const bool was_dirty = set_.is_dirty(region);
  set_.mark(region);
  std::vector<engine::LegError> failed = set_.write_journals();
  if (!failed.empty()) {
    for (auto& e : failed) {
      ++set_.mutable_sb().counters[e.slot].write_errors;
      e.error.message = "marking region " + std::to_string(region) + " in the journal before a data write failed: " +
                        e.error.message;
      errors.push_back(std::move(e));
    }
    return false;
  }
  if (!was_dirty) marked_.push_back(region);
  return true;
}

}  // namespace dmirror::ops
