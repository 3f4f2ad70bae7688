// SPDX-License-Identifier: LGPL-2.1-or-later
// The write path: the request queue (group commit), the write group of a
// batch (JOURNAL_WRITE -> JOURNAL_FLUSH on every leg, then DATA_WRITE on
// every leg, SUPER_WRITE -> SUPER_FLUSH when a leg failed), flush with lazy
// clearing of idle regions, and close.
#include <algorithm>
#include <map>

#include "engine/mirror_impl.h"

namespace dmirror {

using engine::LegError;
using engine::LegIo;

Status Mirror::Impl::submit(Request& r) {
  std::unique_lock lock(queue_mu);
  queue.push_back(&r);
  while (!r.done && queue.front() != &r) r.cv.wait(lock);
  if (r.done) return r.result;

  // Leader: a run of writes (bounded), or one flush / close.
  std::vector<Request*> batch;
  uint64_t bytes = 0;
  for (Request* q : queue) {
    if (!batch.empty() && (q->kind != Request::Kind::Write || batch.front()->kind != Request::Kind::Write)) break;
    if (!batch.empty() && (batch.size() >= options.max_batch_writes || bytes + q->data.size() > options.max_batch_bytes))
      break;
    batch.push_back(q);
    bytes += q->data.size();
  }
  lock.unlock();
  process(batch);
  lock.lock();
  for (Request* q : batch) {
    queue.pop_front();
    q->done = true;
    if (q != &r) q->cv.notify_one();
  }
  if (!queue.empty()) queue.front()->cv.notify_one();
  return r.result;
}

void Mirror::Impl::process(std::span<Request*> batch) {
  Status st;
  if (closed) {
    st = make_error(ErrorCode::InvalidArgument, "the mirror is closed");
  } else if (batch.front()->kind == Request::Kind::Write) {
    st = process_writes(batch);
  } else {
    st = process_flush(batch.front()->kind == Request::Kind::Close);
  }
  for (Request* q : batch) q->result = st;
}

Status Mirror::Impl::fail(std::span<const LegError> errors) {
  if (errors.empty()) return ok();
  std::lock_guard lock(state_mu);
  for (const auto& e : errors) ++leg_stats[e.slot].write_errors;
  uint64_t before = set.sb().seqno;
  Status st = set.fail_legs(errors);
  stats.superblock_commits += set.sb().seqno - before;
  return st;
}

Status Mirror::Impl::activate() {
  if (activated) return ok();
  std::lock_guard lock(state_mu);
  Superblock& sb = set.mutable_sb();
  // A leg missing while we write is out of date from now on: record it.
  for (uint32_t i = 0; i < sb.nr_legs; ++i) {
    LegState s = sb.legs[i].state;
    if ((s == LegState::InSync || s == LegState::Replacing || s == LegState::Rebuilding) && !set.present(i)) {
      sb.legs[i].state = LegState::Failed;
      sb.legs[i].state_seq = sb.seqno + 1;
      set.record_event(EventType::LegFailed, i, {0}, "slot " + std::to_string(i) + " is missing while the array is written");
    }
  }
  sb.flags |= sbflag::kDirty;
  set.record_event(EventType::Activated, kNoSlot, {}, "opened for writing by the userspace engine");
  uint64_t before = sb.seqno;
  Status st = set.commit();
  stats.superblock_commits += set.sb().seqno - before;
  if (st) activated = true;
  return st;
}

Status Mirror::Impl::process_writes(std::span<Request*> batch) {
  DMIRROR_RETURN_IF_ERROR(activate());
  const uint64_t rs = set.sb().region_size;
  bool marked = false;
  for (Request* r : batch) {
    if (r->data.empty()) continue;
    for (uint64_t reg = r->offset / rs; reg <= (r->offset + r->data.size() - 1) / rs; ++reg) {
      if (!set.is_dirty(reg)) {
        set.mark(reg);
        marked = true;
      }
      written[reg] = 1;
      last_write_ms[reg] = now_ms();
    }
  }
  if (marked) {
    ++stats.journal_commits;
    DMIRROR_RETURN_IF_ERROR(fail(set.write_journals()));
  }

  const uint64_t data_offset = set.sb().layout.data_offset;
  std::map<uint32_t, Error> failed;
  // DATA_WRITE: the whole group in one engine run, so an asynchronous
  // engine keeps every write of every leg in flight at once (the engine
  // keeps overlapping writes to one leg in request order).
  std::vector<LegIo> ops;
  const std::vector<uint32_t> targets = set.writable_slots();
  for (Request* r : batch) {
    if (r->data.empty()) continue;
    for (uint32_t slot : targets) {
      LegIo op;
      op.kind = LegIo::Kind::Write;
      op.slot = slot;
      op.dev = set.dev(slot);
      op.offset = data_offset + r->offset;
      op.data = const_cast<std::byte*>(r->data.data());
      op.length = r->data.size();
      ops.push_back(op);
    }
  }
  io->run(ops);
  for (auto& op : ops) {
    ++leg_stats[op.slot].writes;
    if (!op.result) failed.emplace(op.slot, op.result.error());
  }
  if (options.durable_writes) {
    // DATA_FLUSH: the whole write group shares one flush per leg.
    std::vector<uint32_t> slots;
    for (uint32_t slot : set.writable_slots())
      if (!failed.contains(slot)) slots.push_back(slot);
    ++stats.data_flushes;
    for (auto& e : flush_legs(slots)) failed.emplace(e.slot, e.error);
  }
  std::vector<LegError> errors;
  for (auto& [slot, err] : failed) errors.push_back({slot, err});
  DMIRROR_RETURN_IF_ERROR(fail(errors));
  stats.writes += batch.size();
  return ok();
}

std::vector<LegError> Mirror::Impl::flush_legs(std::span<const uint32_t> slots) {
  std::vector<LegIo> ops;
  for (uint32_t slot : slots) {
    LegIo op;
    op.kind = LegIo::Kind::Flush;
    op.slot = slot;
    op.dev = set.dev(slot);
    ops.push_back(op);
  }
  io->run(ops);
  std::vector<LegError> errors;
  for (auto& op : ops)
    if (!op.result) errors.push_back({op.slot, op.result.error()});
  return errors;
}

Status Mirror::Impl::process_flush(bool closing) {
  ++stats.flushes;
  if (!activated) {
    if (closing) closed = true;
    return ok();
  }
  DMIRROR_RETURN_IF_ERROR(fail(flush_legs(set.writable_slots())));

  // Lazy clear: the data of every region is now durable on every writable
  // leg; regions not written during the interval that just ended have no
  // write in flight and were durable already at the previous flush.
  if (!set.degraded()) {
    bool cleared = false;
    const uint32_t now = now_ms();
    for (uint64_t reg : set.dirty_regions()) {
      if (closing || (!written[reg] && now - last_write_ms[reg] >= options.clear_delay_ms)) {
        set.clear(reg);
        cleared = true;
      }
    }
    if (cleared) {
      ++stats.journal_commits;
      DMIRROR_RETURN_IF_ERROR(fail(set.write_journals()));
    }
  }
  std::fill(written.begin(), written.end(), 0);
  if (!closing) return ok();

  std::lock_guard lock(state_mu);
  set.mutable_sb().flags &= ~sbflag::kDirty;
  set.record_event(EventType::DeactivatedClean, kNoSlot, {}, "closed cleanly by the userspace engine");
  uint64_t before = set.sb().seqno;
  Status st = set.commit();
  stats.superblock_commits += set.sb().seqno - before;
  if (st) {
    closed = true;
    activated = false;
  }
  return st;
}

}  // namespace dmirror
