// SPDX-License-Identifier: LGPL-2.1-or-later
// WriteModel bookkeeping (see crash_model.h).
#include "support/crash_model.h"

#include <algorithm>

#include "support/crash_device.h"

namespace dmirror::testing {

uint64_t sector_hash(std::span<const std::byte> s) {
  uint64_t h = 1469598103934665603ull;   // FNV-1a
  for (std::byte b : s) {
    h ^= static_cast<uint8_t>(b);
    h *= 1099511628211ull;
  }
  return h;
}

WriteModel::WriteModel(const CrashGroup* clock, uint64_t data_size)
    : clock_(clock), initial_(data_size / kSectorSize, sector_hash(std::vector<std::byte>(kSectorSize))) {}

void WriteModel::set_initial(std::span<const std::byte> data) {
  for (size_t i = 0; i < initial_.size() && (i + 1) * kSectorSize <= data.size(); ++i)
    initial_[i] = sector_hash(data.subspan(i * kSectorSize, kSectorSize));
}

size_t WriteModel::write_started(uint64_t offset, std::span<const std::byte> data) {
  Write w{clock_->clock(), offset, {}, false};
  for (size_t s = 0; s + kSectorSize <= data.size(); s += kSectorSize)
    w.hashes.push_back(sector_hash(data.subspan(s, kSectorSize)));
  writes_.push_back(std::move(w));
  return writes_.size() - 1;
}

void WriteModel::write_acked() { write_acked(writes_.size() - 1); }

void WriteModel::write_acked(size_t id) {
  writes_[id].acked = true;
  writes_[id].acked_event = ++events_;
}

void WriteModel::write_acked_durable() { write_acked_durable(writes_.size() - 1); }

void WriteModel::write_acked_durable(size_t id) {
  write_acked(id);
  // From now on the write is pinned exactly like a flushed one (with
  // durable writes every write acknowledged before it is durable too).
  flushed();
}

void WriteModel::degraded_session_opened(uint32_t absent_slot) {
  degraded_.push_back({.opened = clock_->clock(), .absent = absent_slot});
}

void WriteModel::session_closed() {
  if (!degraded_.empty() && degraded_.back().closed == UINT64_MAX) degraded_.back().closed = clock_->clock();
}

void WriteModel::flushed() { flushed(flush_started()); }

void WriteModel::flushed(uint64_t token) {
  Flush f;
  f.clock = clock_->clock();
  f.token = token;
  // The pinned writes, in the order they were acknowledged (a sector
  // written twice holds the later one).
  std::vector<const Write*> pinned_writes;
  for (const Write& w : writes_)
    if (pinned(w, f)) pinned_writes.push_back(&w);
  std::sort(pinned_writes.begin(), pinned_writes.end(),
            [](const Write* a, const Write* b) { return a->acked_event < b->acked_event; });
  f.durable = initial_;
  for (const Write* w : pinned_writes)
    for (size_t s = 0; s < w->hashes.size(); ++s) f.durable[w->offset / kSectorSize + s] = w->hashes[s];
  flushes_.push_back(std::move(f));
}

bool WriteModel::allowed(uint64_t k, uint64_t offset, std::span<const std::byte> data, uint64_t* bad) const {
  // The most inclusive flush completed by then (concurrent flushes may
  // return out of order).
  const Flush* last = nullptr;
  for (const auto& f : flushes_)
    if (f.clock <= k && (!last || f.token > last->token)) last = &f;
  const std::vector<uint64_t>& durable = last ? last->durable : initial_;
  // Writes whose effect is not pinned down: issued after that flush (and
  // before the cut), or issued before it but never acknowledged.
  std::vector<const Write*> loose;
  for (size_t i = 0; i < writes_.size(); ++i) {
    const Write& w = writes_[i];
    if (w.start_clock >= k) continue;   // issued no I/O before the cut
    bool folded = last && pinned(w, *last);
    if (!folded) loose.push_back(&w);
  }
  for (size_t s = 0; s * kSectorSize < data.size(); ++s) {
    uint64_t sector = offset / kSectorSize + s;
    uint64_t h = sector_hash(data.subspan(s * kSectorSize, kSectorSize));
    if (h == durable[sector]) continue;
    bool ok = false;
    for (const Write* w : loose) {
      uint64_t first = w->offset / kSectorSize;
      if (sector >= first && sector < first + w->hashes.size() && w->hashes[sector - first] == h) {
        ok = true;
        break;
      }
    }
    if (!ok) {
      if (bad) *bad = sector * kSectorSize;
      return false;
    }
  }
  return true;
}

}  // namespace dmirror::testing
