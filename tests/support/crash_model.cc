// SPDX-License-Identifier: LGPL-2.1-or-later
// WriteModel bookkeeping (see crash_model.h).
#include "support/crash_model.h"

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

void WriteModel::write_started(uint64_t offset, std::span<const std::byte> data) {
  Write w{clock_->clock(), offset, {}, false};
  for (size_t s = 0; s + kSectorSize <= data.size(); s += kSectorSize)
    w.hashes.push_back(sector_hash(data.subspan(s, kSectorSize)));
  writes_.push_back(std::move(w));
}

void WriteModel::write_acked() { writes_.back().acked = true; }

void WriteModel::write_acked_durable() {
  write_acked();
  flushed();   // from now on the write is pinned exactly like a flushed one
}

void WriteModel::degraded_session_opened(uint32_t absent_slot) {
  degraded_.push_back({.opened = clock_->clock(), .absent = absent_slot});
}

void WriteModel::session_closed() {
  if (!degraded_.empty() && degraded_.back().closed == UINT64_MAX) degraded_.back().closed = clock_->clock();
}

void WriteModel::flushed() {
  Flush f;
  f.clock = clock_->clock();
  f.writes_before = writes_.size();
  f.durable = flushes_.empty() ? initial_ : flushes_.back().durable;
  size_t from = flushes_.empty() ? 0 : flushes_.back().writes_before;
  for (size_t i = from; i < writes_.size(); ++i) {
    if (!writes_[i].acked) continue;
    for (size_t s = 0; s < writes_[i].hashes.size(); ++s) f.durable[writes_[i].offset / kSectorSize + s] = writes_[i].hashes[s];
  }
  flushes_.push_back(std::move(f));
}

bool WriteModel::allowed(uint64_t k, uint64_t offset, std::span<const std::byte> data, uint64_t* bad) const {
  const Flush* last = nullptr;
  for (const auto& f : flushes_) if (f.clock <= k) last = &f;
  const std::vector<uint64_t>& durable = last ? last->durable : initial_;
  // Writes whose effect is not pinned down: issued after that flush (and
  // before the cut), or issued before it but never acknowledged.
  std::vector<const Write*> loose;
  for (size_t i = 0; i < writes_.size(); ++i) {
    const Write& w = writes_[i];
    if (w.start_clock >= k) continue;   // issued no I/O before the cut
    bool folded = last && i < last->writes_before && w.acked;
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
