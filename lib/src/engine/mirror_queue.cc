// SPDX-License-Identifier: LGPL-2.1-or-later
// The request queue. The request at its front leads:
//  - a write takes the run of writes queued behind it (bounded) as one
//    write group, waits until fewer than max_groups_in_flight groups are
//    in flight and none of them overlaps a write of its own (writes to
//    the same bytes reach every leg in the order they were admitted), takes
//    the next sequence number, marks its regions in the journal (the
//    writes queued meanwhile form the next group and share its journal
//    commit), and hands the lead on before its data is written: the next
//    group is admitted while this one's data is in flight;
//  - a flush covers the groups admitted before it: it hands the lead on at
//    once, waits for those groups (not for later ones) and runs its
//    DATA_FLUSH while new writes are admitted (mirror_flush.cc);
//  - close keeps the lead until it is done: every group finishes first,
//    and nothing is admitted after it.
#include <algorithm>

#include "engine/mirror_impl.h"

namespace dmirror {

bool Mirror::Impl::overlaps_inflight(const std::vector<std::pair<uint64_t, uint64_t>>& ranges) const {
  for (const Group& g : inflight)
    for (const auto& [b, e] : g.ranges)
      for (const auto& [rb, re] : ranges)
        if (rb < e && b < re) return true;
  return false;
}

Status Mirror::Impl::submit(Request& r) {
  std::unique_lock lock(queue_mu);
  queue.push_back(&r);
  while (!r.done && queue.front() != &r) r.cv.wait(lock);
  if (r.done) return r.result;   // a member of a group another request led

  auto hand_on = [&] {
    if (!queue.empty()) queue.front()->cv.notify_one();
  };
  if (closed) {
    queue.pop_front();
    hand_on();
    return make_error(ErrorCode::InvalidArgument, "the mirror is closed");
  }
  if (r.kind == Request::Kind::Write) return lead_writes(r, lock);

  const uint64_t upto = next_group_seq - 1;   // the groups admitted before it
  auto earlier_done = [&] {
    return std::none_of(inflight.begin(), inflight.end(), [&](const Group& g) { return g.seq <= upto; });
  };
  if (r.kind == Request::Kind::Flush) {
    queue.pop_front();
    hand_on();
    inflight_cv.wait(lock, earlier_done);
    lock.unlock();
    return process_flush(false, upto);
  }
  // Close: leads until done.
  inflight_cv.wait(lock, [&] { return inflight.empty(); });
  lock.unlock();
  Status st = process_flush(true, upto);
  lock.lock();
  queue.pop_front();
  hand_on();
  return st;
}

Status Mirror::Impl::lead_writes(Request& r, std::unique_lock<std::mutex>& lock) {
  const size_t depth = std::max<uint32_t>(options.max_groups_in_flight, 1);
  inflight_cv.wait(lock, [&] { return inflight.size() < depth; });
  // The run of writes at the front (the lead is held, so the front is r).
  std::vector<Request*> batch;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  uint64_t bytes = 0;
  for (Request* q : queue) {
    if (q->kind != Request::Kind::Write) break;
    if (!batch.empty() && (batch.size() >= options.max_batch_writes || bytes + q->data.size() > options.max_batch_bytes))
      break;
    batch.push_back(q);
    bytes += q->data.size();
    if (!q->data.empty()) ranges.emplace_back(q->offset, q->offset + q->data.size());
  }
  inflight_cv.wait(lock, [&] { return !overlaps_inflight(ranges); });
  const uint64_t seq = next_group_seq++;
  inflight.push_back({seq, std::move(ranges)});
  {
    std::lock_guard s(state_mu);
    stats.peak_groups_in_flight = std::max<uint64_t>(stats.peak_groups_in_flight, inflight.size());
  }
  lock.unlock();
  GroupPlan plan;
  Status st = mark_group(batch, seq, plan);
  lock.lock();
  for (size_t i = 0; i < batch.size(); ++i) queue.pop_front();
  if (!queue.empty()) queue.front()->cv.notify_one();
  if (st) {
    lock.unlock();
    st = write_group(batch, plan);
    lock.lock();
  }
  std::erase_if(inflight, [&](const Group& g) { return g.seq == seq; });
  inflight_cv.notify_all();
  for (Request* q : batch) {
    q->result = st;
    q->done = true;
    if (q != &r) q->cv.notify_one();
  }
  return st;
}

}  // namespace dmirror
