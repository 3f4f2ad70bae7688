// SPDX-License-Identifier: LGPL-2.1-or-later
// flush() and close(): DATA_FLUSH on every leg, then lazy clearing of idle
// regions (FORMAT.md 2.6 rules 12 and 13: never while degraded, and only
// after a commit recording journal_kept_since), and at close the Dirty flag.
#include <algorithm>

#include "engine/mirror_impl.h"

namespace dmirror {

using engine::LegError;

Status Mirror::Impl::process_flush(bool closing) {
  ++stats.flushes;
  if (!activated) {
    if (closing) closed = true;
    return ok();
  }
  DMIRROR_RETURN_IF_ERROR(settle());
  std::vector<LegError> errors = flush_legs(set.writable_slots());
  std::vector<uint64_t> touched;
  for (uint64_t reg = 0; reg < written.size(); ++reg)
    if (written[reg]) touched.push_back(reg);
  auto no_space = take_no_space(errors, touched);
  DMIRROR_RETURN_IF_ERROR(fail(errors));
  if (no_space) return std::unexpected(*no_space);

  // Lazy clear: the data of every region is now durable on every writable
  // leg; regions not written during the interval that just ended have no
  // write in flight and were durable already at the previous flush.
  if (!set.degraded()) {
    std::vector<uint64_t> idle;
    const uint32_t now = now_ms();
    for (uint64_t reg : set.dirty_regions()) {
      if (held[reg]) continue;
      if (closing || (!written[reg] && now - last_write_ms[reg] >= options.clear_delay_ms)) idle.push_back(reg);
    }
    if (!idle.empty()) {
      // Rule 13: a leg image at this seqno or later holds every write
      // whose bit is cleared now.
      DMIRROR_RETURN_IF_ERROR(commit(true));
      // That commit may have failed a leg (rule 12): then nothing is cleared.
      if (!set.degraded()) {
        for (uint64_t reg : idle) set.clear(reg);
        ++stats.journal_commits;
        DMIRROR_RETURN_IF_ERROR(fail(set.write_journals()));
      }
    }
  }
  std::fill(written.begin(), written.end(), 0);
  if (!closing) return ok();

  {
    std::lock_guard lock(state_mu);
    set.mutable_sb().flags &= ~sbflag::kDirty;
    set.record_event(EventType::DeactivatedClean, kNoSlot, {}, "closed cleanly by the userspace engine");
  }
  DMIRROR_RETURN_IF_ERROR(commit(false));
  closed = true;
  activated = false;
  return ok();
}

}  // namespace dmirror
