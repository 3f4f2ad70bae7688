// SPDX-License-Identifier: LGPL-2.1-or-later
// The per-leg read-ahead rings of ChunkReader (see chunk_reader.h).
#include "ops/chunk_reader.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace dmirror::ops {

constexpr uint64_t kHugePage = 2 * 1024 * 1024;
std::atomic<bool> g_fail_allocation{false};

void inject_ring_allocation_failure(bool on) { g_fail_allocation = on; }

// One leg's ring: chunk `seq` uses buffer seq % size(). The leg may read
// chunk seq once seq < head + size(): the buffer's previous chunk
// (seq - size()) has been released by the consumer; and at most `depth`
// of its reads are in flight at once. The ring holds up to twice the depth
// (and one for the consumer; fewer with many legs, kRingBudget), so a leg
// that is ahead keeps its queue full while the consumer waits for a slower
// leg.
struct LegRing {
  uint32_t slot = 0;
  uint64_t next_seq = 0;                  // the next chunk this leg reads
  unsigned in_flight = 0;
  std::vector<std::byte*> data;
  std::vector<engine::LegIo> ios;
  std::vector<Status> status;
  std::vector<char> pending;              // the read into this buffer is in flight
  void* memory = nullptr;                 // every buffer of the ring, in one block
  ~LegRing() { std::free(memory); }
  size_t size() const { return data.size(); }
};

uint32_t Chunk::first_failed(std::span<const uint32_t> slots) const {
  for (uint32_t s : slots)
    if (!status(s)) return s;
  return kNoSlot;
}

ChunkReader::ChunkReader(engine::LegSet& set, engine::IoQueue& q, std::vector<uint32_t> slots, uint64_t chunk,
                         NextRange next)
    : set_(set), q_(q), slots_(std::move(slots)), chunk_(chunk), next_range_(std::move(next)) {
  const uint64_t per_chunk = chunk_ * std::max<size_t>(slots_.size(), 1);
  depth_ = static_cast<unsigned>(std::clamp<uint64_t>(kBufferBudget / per_chunk, 2, 8));
  for (uint32_t s : slots_) {
    auto leg = std::make_unique<LegRing>();
    leg->slot = s;
    // Up to twice the depth (and one for the consumer), within the rings'
    // budget: at least depth + 1 (many legs).
    const uint64_t stride = (chunk_ + 4095) / 4096 * 4096;
    const uint64_t ring = std::clamp<uint64_t>(kRingBudget / (stride * std::max<size_t>(slots_.size(), 1)),
                                               depth_ + 1, 2 * depth_ + 1);
    leg->data.assign(ring, nullptr);
    // One block per ring, 2 MiB aligned and backed by transparent huge
    // pages where the kernel allows it: a chunk then spans few physical
    // segments, so a 1 MiB read reaches the disk as one request (split by
    // the device's segment limit otherwise: 256 pages > virtio's 254).
    const uint64_t bytes = stride * ring;
    if (!g_fail_allocation && posix_memalign(&leg->memory, kHugePage, bytes) == 0) {
      ::madvise(leg->memory, bytes, MADV_HUGEPAGE);
      for (size_t i = 0; i < leg->size(); ++i) leg->data[i] = static_cast<std::byte*>(leg->memory) + i * stride;
    } else if (!alloc_error_) {
      alloc_error_ = Error{ErrorCode::Io, ENOMEM,
                           "out of memory for the read-ahead buffers (" + std::to_string(bytes >> 20) +
                               " MiB per leg): nothing was read; free memory (or raise the process's limit) and run "
                               "the command again"};
    }
    leg->ios.resize(leg->size());
    leg->status.resize(leg->size());
    leg->pending.assign(leg->size(), 0);
    legs_.push_back(std::move(leg));
  }
}

ChunkReader::~ChunkReader() {
  while (q_.wait()) {
  }
}

const ChunkReader::Range* ChunkReader::range(uint64_t seq) {
  while (!exhausted_ && seq >= head_ + ranges_.size()) {
    Range r;
    if (!next_range_(r.pos, r.len)) {
      exhausted_ = true;
      break;
    }
    ranges_.push_back(r);
  }
  return seq < head_ + ranges_.size() ? &ranges_[seq - head_] : nullptr;
}

// Starts this leg's reads into every buffer it may fill.
void ChunkReader::issue(LegRing& leg) {
  while (leg.next_seq < head_ + leg.size() && leg.in_flight < depth_) {
    const Range* r = range(leg.next_seq);
    if (!r) return;
    const size_t i = leg.next_seq % leg.size();
    ++leg.next_seq;
    engine::LegIo& io = leg.ios[i];
    io = engine::LegIo{};
    io.kind = engine::LegIo::Kind::Read;
    io.slot = leg.slot;
    io.dev = set_.dev(leg.slot);
    io.offset = set_.sb().layout.data_offset + r->pos;
    io.length = r->len;
    io.data = leg.data[i];
    if (!io.data) {
      leg.status[i] = make_error(ErrorCode::Io, "out of memory for a read buffer");
      continue;
    }
    leg.pending[i] = 1;
    ++leg.in_flight;
    q_.submit(&io);
  }
}

void ChunkReader::issue_all() {
  for (auto& leg : legs_) issue(*leg);
  q_.kick();
}

// Takes one completion, of any leg and any chunk, and lets that leg read
// on at once (as a reader of that leg alone would).
void ChunkReader::pump() {
  engine::LegIo* done = q_.wait();
  if (!done) return;
  for (auto& leg : legs_) {
    if (done < leg->ios.data() || done >= leg->ios.data() + leg->ios.size()) continue;
    const size_t i = static_cast<size_t>(done - leg->ios.data());
    leg->status[i] = done->result;
    leg->pending[i] = 0;
    --leg->in_flight;
    issue(*leg);
    q_.kick();
    return;
  }
}

const Chunk* ChunkReader::next() {
  if (alloc_error_) return nullptr;
  if (held_) {
    ranges_.pop_front();
    ++head_;
    held_ = false;
  }
  issue_all();
  const Range* r = range(head_);
  if (!r) return nullptr;
  for (auto& leg : legs_) {
    const size_t i = head_ % leg->size();
    while (leg->pending[i]) pump();
    current_.data_[leg->slot] = leg->data[i];
    current_.status_[leg->slot] = &leg->status[i];
  }
  held_ = true;
  current_.pos = r->pos;
  current_.len = r->len;
  return &current_;
}

}  // namespace dmirror::ops
