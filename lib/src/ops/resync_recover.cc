// SPDX-License-Identifier: LGPL-2.1-or-later
// Recovery of rebuilding legs — interrupted rebuilds and legs that came
// back (stale, missing, or failed and re-added): journal-guided (only the
// regions dirty in the journal, whose bits stay until the leg is in sync)
// or full from recovery_offset, checkpointed in recovery_offset. The leg
// becomes in sync with a `leg re-added` event (args[0] = 1 journal, 0 full;
// args[1] = regions copied).
#include <algorithm>
#include <dmirror/names.h>

#include "ops/checkpoint_clock.h"
#include "ops/resync_steps.h"

namespace dmirror::ops {

Status Resyncer::checkpoint_recovery(uint32_t t, uint64_t pos, std::vector<uint32_t>& targets) {
  DMIRROR_RETURN_IF_ERROR(flush(targets));
  if (targets.empty()) return ok();   // the target was given up: nothing to record on it
  set_.mutable_sb().legs[t].recovery_offset = pos;
  return set_.commit();
}

Status Resyncer::recover_full(uint32_t t, Throttle& th, uint64_t& regions) {
  const uint64_t size = set_.sb().layout.data_size, rs = set_.sb().region_size;
  uint64_t pos = std::min(set_.sb().legs[t].recovery_offset, size) / rs * rs;
  std::vector<uint32_t> targets{t};
  CheckpointClock clock(o_.checkpoint_bytes, o_.checkpoint_seconds);
  while (pos < size && !targets.empty()) {
    uint64_t len = std::min(rs, size - pos);
    uint64_t copied = 0;
    Status st = copy(pos, len, targets, &th, copied);
    uint64_t done = 0;
    if (st && !targets.empty()) {
      pos += len;
      done = len;
      ++regions;
    }
    if (clock.due(done) || !st || pos >= size) {
      DMIRROR_RETURN_IF_ERROR(checkpoint_recovery(t, pos, targets));
      clock.reset();
    }
    DMIRROR_RETURN_IF_ERROR(st);
  }
  return ok();
}

Status Resyncer::recover_journal(uint32_t t, Throttle& th, uint64_t& regions) {
  const uint64_t size = set_.sb().layout.data_size, rs = set_.sb().region_size;
  const uint64_t from = std::min(set_.sb().legs[t].recovery_offset, size);
  std::vector<uint32_t> targets{t};
  CheckpointClock clock(o_.checkpoint_bytes, o_.checkpoint_seconds);
  uint64_t done_to = from;
  for (uint64_t r : set_.dirty_regions()) {
    const uint64_t pos = r * rs;
    if (pos < from) continue;
    const uint64_t len = std::min(rs, size - pos);
    uint64_t copied = 0;
    Status st = copy(pos, len, targets, &th, copied);
    if (targets.empty()) return ok();
    uint64_t done = 0;
    if (st) {
      done_to = pos + len;
      done = len;
      ++regions;
    }
    if (clock.due(done) || !st) {
      DMIRROR_RETURN_IF_ERROR(checkpoint_recovery(t, done_to, targets));
      clock.reset();
    }
    DMIRROR_RETURN_IF_ERROR(st);
  }
  return flush(targets);
}

Status Resyncer::recover(uint32_t t, Throttle& th) {
  const LegEntry& leg = set_.sb().legs[t];
  const bool journal = (leg.flags & legflag::kRecoverFromJournal) != 0;
  const uint64_t from = std::min(leg.recovery_offset, set_.sb().layout.data_size);
  const std::string name = set_.leg_name(t);
  set_.record_event(EventType::ResyncStarted, t, {from},
                    "recovering " + name + (journal ? " from the journal" : " by a full copy") + " from " +
                        std::to_string(from));
  uint64_t regions = 0;
  DMIRROR_RETURN_IF_ERROR(journal ? recover_journal(t, th, regions) : recover_full(t, th, regions));
  if (!set_.writable(t)) return ok();   // the target itself failed or vanished
  LegEntry& done = set_.mutable_sb().legs[t];
  done.state = LegState::InSync;
  done.recovery_offset = kOffsetInSync;
  done.flags &= ~legflag::kRecoverFromJournal;
  done.state_seq = set_.sb().seqno + 1;
  set_.record_event(EventType::LegReAdded, t, {journal ? 1u : 0u, regions},
                    name + " re-added " + (journal ? "from the journal: " : "by a full copy: ") +
                        count_of(regions, "region") + " copied");
  DMIRROR_RETURN_IF_ERROR(set_.commit());
  rep_.recovered_slots.push_back(t);
  rep_.readded.push_back(ReAddedLeg{.slot = t, .journal = journal, .regions_copied = regions, .resumed_from = from});
  return ok();
}

}  // namespace dmirror::ops
