// SPDX-License-Identifier: LGPL-2.1-or-later
// Offline resync (see resync.h). Order that keeps a crash harmless: data is
// copied, the targets are flushed, and only then is progress recorded
// (journal bits cleared, resync_offset / recovery_offset advanced).
#include <dmirror/resync.h>

#include <algorithm>

#include "ops/copier.h"
#include "ops/leg_io.h"
#include "ops/resync_core.h"
#include "ops/throttle.h"

namespace dmirror::ops {
namespace {

class Resyncer {
 public:
  Resyncer(LegSet& set, const ResyncOptions& o, ResyncReport& rep)
      : set_(set), o_(o), rep_(rep), copier_(set, o.chunk_bytes) {}

  // Copies [pos, pos + len) from the source to `targets` (pipelined, see
  // Copier). `copied`: how much of it, from pos, is completely written.
  Status copy(uint64_t pos, uint64_t len, std::vector<uint32_t>& targets, Throttle* throttle, uint64_t& copied) {
    Status st = copier_.copy(pos, len, rep_.source_slot, targets, &rep_.failed_slots, throttle, copied);
    rep_.bytes_copied += copied;
    return st;
  }

  Status flush(std::vector<uint32_t>& targets) {
    std::vector<LegError> errors;
    flush_targets(set_, targets, errors);
    return settle_errors(set_, errors, targets, &rep_.failed_slots);
  }

  // Journal bits of `regions` are cleared once their copies are durable.
  Status clear(std::vector<uint64_t>& regions, std::vector<uint32_t>& targets) {
    DMIRROR_RETURN_IF_ERROR(flush(targets));
    if (set_.degraded()) {       // bits stay while a leg is missing (md rule)
      regions.clear();
      return ok();
    }
    if (regions.empty()) return ok();
    // FORMAT.md 2.6 rule 13: journal_kept_since first, then the cleared bits.
    DMIRROR_RETURN_IF_ERROR(set_.commit_kept_since());
    for (uint64_t r : regions) set_.clear(r);
    regions.clear();
    auto errors = set_.write_journals();
    return settle_errors(set_, errors, targets, &rep_.failed_slots);
  }

  std::vector<uint32_t> targets_for(uint64_t end) const {
    std::vector<uint32_t> t;
    for (uint32_t s : set_.writable_slots())
      if (s != rep_.source_slot && set_.current_below(s, end)) t.push_back(s);
    return t;
  }

  Status journal_pass(uint64_t below, Throttle& th) {
    const uint64_t rs = set_.sb().region_size, size = set_.sb().layout.data_size;
    std::vector<uint64_t> done;
    uint64_t since = 0;
    for (uint64_t r : set_.dirty_regions()) {
      uint64_t pos = r * rs;
      if (pos >= below) break;
      uint64_t len = std::min(rs, size - pos);
      auto targets = targets_for(pos + len);
      uint64_t copied = 0;
      Status st = copy(pos, len, targets, &th, copied);
      if (!st) {
        if (st.error().code == ErrorCode::Cancelled) {
          if (copied == len) done.push_back(r);   // a partly copied region stays dirty
          (void)clear(done, targets);
        }
        return st;
      }
      done.push_back(r);
      ++rep_.regions_copied;
      since += len;
      if (since >= o_.checkpoint_bytes) {
        DMIRROR_RETURN_IF_ERROR(clear(done, targets));
        since = 0;
      }
    }
    auto targets = targets_for(size);
    return clear(done, targets);
  }

  Status checkpoint_full(uint64_t pos, std::vector<uint32_t>& targets) {
    DMIRROR_RETURN_IF_ERROR(flush(targets));
    Superblock& sb = set_.mutable_sb();
    sb.resync_offset = pos;
    sb.checkpoint.op = OfflineOp::Resync;
    sb.checkpoint.position = pos;
    sb.checkpoint.regions_done = rep_.regions_copied;
    sb.checkpoint.source_slot = rep_.source_slot;
    return set_.commit();
  }

  Status full_pass(Throttle& th) {
    const uint64_t rs = set_.sb().region_size, size = set_.sb().layout.data_size;
    Superblock& sb = set_.mutable_sb();
    if (sb.resync_offset == kOffsetInSync || o_.full) {
      if (sb.resync_offset == kOffsetInSync) sb.resync_offset = 0;
      if (o_.full) sb.resync_offset = 0;
      sb.checkpoint = Checkpoint{.op = OfflineOp::Resync, .started = engine::now_seconds()};
      DMIRROR_RETURN_IF_ERROR(set_.commit());
    }
    uint64_t pos = sb.resync_offset / rs * rs;
    rep_.resumed_from = pos;
    // Regions below the checkpoint that are dirty were written since: copy them too.
    DMIRROR_RETURN_IF_ERROR(journal_pass(pos, th));
    // One copy per checkpoint interval (whole regions), so the reads run
    // ahead across region boundaries.
    const uint64_t span = std::max(rs, o_.checkpoint_bytes / rs * rs);
    while (pos < size) {
      uint64_t len = std::min(span, size - pos);
      auto targets = targets_for(pos + len);
      uint64_t copied = 0;
      Status st = copy(pos, len, targets, &th, copied);
      if (!st) {
        if (st.error().code == ErrorCode::Cancelled) (void)checkpoint_full(pos + copied, targets);
        return st;
      }
      rep_.regions_copied += (len + rs - 1) / rs;
      pos += len;
      if (pos < size) DMIRROR_RETURN_IF_ERROR(checkpoint_full(pos, targets));
    }
    auto targets = targets_for(size);
    DMIRROR_RETURN_IF_ERROR(flush(targets));
    if (!set_.degraded() && set_.dirty_count() > 0) {
      DMIRROR_RETURN_IF_ERROR(set_.commit_kept_since());   // rule 13
      for (uint64_t r : set_.dirty_regions()) set_.clear(r);
      auto errors = set_.write_journals();
      DMIRROR_RETURN_IF_ERROR(settle_errors(set_, errors, targets, &rep_.failed_slots));
    }
    return ok();
  }

  Status recover(uint32_t t, Throttle& th) {
    const uint64_t size = set_.sb().layout.data_size, rs = set_.sb().region_size;
    uint64_t pos = std::min(set_.sb().legs[t].recovery_offset, size) / rs * rs;
    std::vector<uint32_t> targets{t};
    set_.record_event(EventType::ResyncStarted, t, {pos}, "recovering " + set_.leg_name(t) + " from " + std::to_string(pos));
    uint64_t since = 0;
    while (pos < size && !targets.empty()) {
      uint64_t len = std::min(rs, size - pos);
      uint64_t copied = 0;
      Status st = copy(pos, len, targets, &th, copied);
      if (st && !targets.empty()) { pos += len; since += len; }
      bool ckpt = !st || since >= o_.checkpoint_bytes || pos >= size;
      if (ckpt && !targets.empty()) {
        if (auto f = flush(targets); !f) return f;
        if (!targets.empty()) {
          set_.mutable_sb().legs[t].recovery_offset = pos;
          DMIRROR_RETURN_IF_ERROR(set_.commit());
        }
        since = 0;
      }
      DMIRROR_RETURN_IF_ERROR(st);
    }
    if (targets.empty()) return ok();   // the target itself failed
    LegEntry& leg = set_.mutable_sb().legs[t];
    leg.state = LegState::InSync;
    leg.recovery_offset = kOffsetInSync;
    leg.state_seq = set_.sb().seqno + 1;
    set_.record_event(EventType::ResyncFinished, t, {size / rs}, set_.leg_name(t) + " recovered and in sync");
    DMIRROR_RETURN_IF_ERROR(set_.commit());
    rep_.recovered_slots.push_back(t);
    return ok();
  }

 private:
  LegSet& set_;
  const ResyncOptions& o_;
  ResyncReport& rep_;
  Copier copier_;
};

}  // namespace

bool is_replacement_target(const LegSet& set, uint32_t slot) {
  for (uint32_t i = 0; i < set.nr_slots(); ++i)
    if (set.state(i) == LegState::Replacing && set.sb().legs[i].replacement_slot == slot) return true;
  return false;
}

Result<ResyncReport> resync_legs(LegSet& set, const ResyncOptions& o, bool dirty_only) {
  const Superblock& sb = set.sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name + "': an online volume owns the sync state; deactivate it first");
  if (!set.journals_loaded()) DMIRROR_RETURN_IF_ERROR(set.load_journals());
  ResyncReport rep;
  if (o.source_slot != kNoSlot) {
    if (!set.in_sync(o.source_slot))
      return make_error(ErrorCode::InvalidArgument, "slot " + std::to_string(o.source_slot) + " is not an in-sync leg");
    rep.source_slot = o.source_slot;
  } else if (auto p = set.primary()) {
    rep.source_slot = *p;
  } else {
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no in-sync leg to copy from");
  }
  const bool full = !dirty_only && (o.full || sb.resync_offset != kOffsetInSync || set.journal_damaged());
  const bool dirty_work = full || set.dirty_count() > 0;
  rep.mode = full ? ResyncMode::Full : dirty_work ? ResyncMode::Journal : ResyncMode::None;
  Resyncer rs(set, o, rep);
  uint64_t total = full ? sb.layout.data_size : set.dirty_count() * sb.region_size;
  Throttle th(o.control, "resync", total);
  if (rep.mode != ResyncMode::None || sb.has_flag(sbflag::kDirty)) {
    set.record_event(EventType::ResyncStarted, kNoSlot, {static_cast<uint64_t>(rep.mode)},
                     std::string(resync_mode_name(rep.mode)) + " resync from " + set.leg_name(rep.source_slot));
    if (full) DMIRROR_RETURN_IF_ERROR(rs.full_pass(th));
    else DMIRROR_RETURN_IF_ERROR(rs.journal_pass(UINT64_MAX, th));
    Superblock& m = set.mutable_sb();
    if (!dirty_only) m.resync_offset = kOffsetInSync;
    m.flags &= ~sbflag::kDirty;
    if (m.checkpoint.op == OfflineOp::Resync) m.checkpoint = Checkpoint{};
    set.record_event(EventType::ResyncFinished, kNoSlot, {rep.regions_copied},
                     "resync finished: " + std::to_string(rep.regions_copied) + " regions copied");
    DMIRROR_RETURN_IF_ERROR(set.commit());
  }
  if (o.recover) {
    for (uint32_t t : set.writable_slots()) {
      if (set.state(t) != LegState::Rebuilding || is_replacement_target(set, t)) continue;
      Throttle rt(o.control, "recover", sb.layout.data_size, std::min(sb.legs[t].recovery_offset, sb.layout.data_size));
      DMIRROR_RETURN_IF_ERROR(rs.recover(t, rt));
    }
  }
  for (auto& f : set.findings()) rep.findings.push_back(f);
  return rep;
}

}  // namespace dmirror::ops

namespace dmirror {

std::string_view resync_mode_name(ResyncMode m) {
  switch (m) {
    case ResyncMode::None: return "none";
    case ResyncMode::Journal: return "journal";
    case ResyncMode::Full: return "full";
  }
  return "?";
}

Result<ResyncReport> resync(std::span<BlockDevice* const> legs, const ResyncOptions& options) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  return ops::resync_legs(set, options);
}

}  // namespace dmirror
