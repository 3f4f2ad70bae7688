// SPDX-License-Identifier: LGPL-2.1-or-later
// flush() and close(): DATA_FLUSH on every leg, then lazy clearing of idle
// regions (FORMAT.md 2.6 rules 12 and 13: never while degraded, and only
// after a commit recording journal_kept_since), and at close the Dirty flag.
// One flush at a time (flush_mu); write groups go on during its DATA_FLUSH.
#include <algorithm>

#include "engine/mirror_impl.h"

namespace dmirror {

using engine::LegError;

Status Mirror::Impl::process_flush(bool closing, uint64_t upto) {
  std::lock_guard serial(flush_mu);
  std::vector<uint32_t> slots;
  {
    std::lock_guard meta(meta_mu);
    {
      std::lock_guard s(state_mu);
      ++stats.flushes;
    }
    // A close that ran after this flush was admitted made everything durable.
    if (closed) return ok();
    if (!activated) {
      if (closing) closed = true;
      return ok();
    }
    DMIRROR_RETURN_IF_ERROR(settle());
    slots = set.writable_slots();
  }
  // DATA_FLUSH, outside meta_mu: write groups admitted after this flush are
  // marked and written meanwhile. It covers every group up to `upto` (they
  // finished before this was called).
  std::vector<LegError> errors = flush_legs(slots);

  std::lock_guard meta(meta_mu);
  // Regions written since the last flush: held dirty if a leg ran out of space.
  std::vector<uint64_t> touched;
  for (uint64_t reg = 0; reg < last_group.size(); ++reg)
    if (last_group[reg] > flushed_upto) touched.push_back(reg);
  auto no_space = take_no_space(errors, touched);
  DMIRROR_RETURN_IF_ERROR(fail(errors));
  if (no_space) return std::unexpected(*no_space);

  // Lazy clear: a region last written by a group up to the previous
  // flush's `upto` was durable on every writable leg when that flush
  // returned, and nothing was written to it since (a group admitted later
  // sets last_group under meta_mu before its data is written, so it is
  // skipped here, and if it comes after this clear it marks the region
  // again before writing). It is cleared once idle for clear_delay_ms. At
  // close every group has finished and every region is covered.
  if (!set.degraded()) {
    std::vector<uint64_t> idle;
    const uint32_t now = now_ms();
    for (uint64_t reg : set.dirty_regions()) {
      if (held[reg]) continue;
      if (closing || (last_group[reg] <= flushed_upto && now - last_write_ms[reg] >= options.clear_delay_ms))
        idle.push_back(reg);
    }
    if (!idle.empty()) {
      // Rule 13: a leg image at this seqno or later holds every write
      // whose bit is cleared now.
      DMIRROR_RETURN_IF_ERROR(commit(true));
      // That commit may have failed a leg (rule 12): then nothing is cleared.
      if (!set.degraded()) {
        for (uint64_t reg : idle) set.clear(reg);
        {
          std::lock_guard s(state_mu);
          ++stats.journal_commits;
        }
        DMIRROR_RETURN_IF_ERROR(fail(set.write_journals()));
      }
    }
  }
  flushed_upto = std::max(flushed_upto, upto);
  if (!closing) return settle();

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
