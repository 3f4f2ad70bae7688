// SPDX-License-Identifier: LGPL-2.1-or-later
// The read-ahead ring of ChunkReader (see chunk_reader.h).
#include "ops/chunk_reader.h"

#include <algorithm>
#include <cstdlib>

namespace dmirror::ops {

struct ChunkBuffer {
  uint64_t pos = 0, len = 0;
  unsigned pending = 0;                          // reads not yet completed
  std::vector<std::byte*> data;                  // by slot (kMaxLegs entries)
  std::vector<Status> status;                    // by slot
  std::vector<engine::LegIo> ios;                // one per read slot
  ~ChunkBuffer() {
    for (std::byte* p : data) std::free(p);
  }
};

const std::byte* Chunk::data(uint32_t slot) const { return buf_->data[slot]; }
std::byte* Chunk::mutable_data(uint32_t slot) { return buf_->data[slot]; }
const Status& Chunk::status(uint32_t slot) const { return buf_->status[slot]; }

uint32_t Chunk::first_failed(std::span<const uint32_t> slots) const {
  for (uint32_t s : slots)
    if (!buf_->status[s]) return s;
  return kNoSlot;
}

ChunkReader::ChunkReader(engine::LegSet& set, engine::IoQueue& q, std::vector<uint32_t> slots, uint64_t chunk,
                         NextRange next)
    : set_(set), q_(q), slots_(std::move(slots)), chunk_(chunk), next_range_(std::move(next)) {
  const uint64_t per_chunk = chunk_ * std::max<size_t>(slots_.size(), 1);
  depth_ = static_cast<unsigned>(std::clamp<uint64_t>(kBufferBudget / per_chunk, 2, 8));
  for (unsigned i = 0; i <= depth_; ++i) {
    auto b = std::make_unique<ChunkBuffer>();
    b->data.assign(kMaxLegs, nullptr);
    b->status.resize(kMaxLegs);
    for (uint32_t s : slots_) {
      void* p = nullptr;
      if (posix_memalign(&p, 4096, chunk_) != 0) p = nullptr;
      b->data[s] = static_cast<std::byte*>(p);
    }
    b->ios.resize(slots_.size());
    ring_.push_back(std::move(b));
  }
}

ChunkReader::~ChunkReader() {
  while (q_.wait()) {
  }
}

// Starts reads of new chunks into every free buffer.
void ChunkReader::issue() {
  // Called with no chunk handed out: every buffer may be filled, leaving
  // depth_ chunks in flight while the consumer holds the head.
  while (!exhausted_ && count_ < ring_.size()) {
    uint64_t pos = 0, len = 0;
    if (!next_range_(pos, len)) {
      exhausted_ = true;
      break;
    }
    ChunkBuffer& b = *ring_[(head_ + count_) % ring_.size()];
    ++count_;
    b.pos = pos;
    b.len = len;
    b.pending = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      const uint32_t s = slots_[i];
      engine::LegIo& io = b.ios[i];
      io = engine::LegIo{};
      io.kind = engine::LegIo::Kind::Read;
      io.slot = s;
      io.dev = set_.dev(s);
      io.offset = set_.sb().layout.data_offset + pos;
      io.length = len;
      io.data = b.data[s];
      if (!io.data) {
        b.status[s] = make_error(ErrorCode::Io, "out of memory for a read buffer");
        continue;
      }
      ++b.pending;
      q_.submit(&io);
    }
  }
}

// Waits for one completion and accounts it to its chunk.
void ChunkReader::pump() {
  engine::LegIo* done = q_.wait();
  if (!done) return;
  for (auto& b : ring_) {
    if (b->ios.empty() || done < b->ios.data() || done >= b->ios.data() + b->ios.size()) continue;
    b->status[done->slot] = done->result;
    --b->pending;
    return;
  }
}

const Chunk* ChunkReader::next() {
  if (consumed_) {
    head_ = (head_ + 1) % ring_.size();
    --count_;
    consumed_ = false;
  }
  issue();
  if (count_ == 0) return nullptr;
  ChunkBuffer& b = *ring_[head_];
  while (b.pending > 0) pump();
  consumed_ = true;
  current_.pos = b.pos;
  current_.len = b.len;
  current_.buf_ = &b;
  return &current_;
}

}  // namespace dmirror::ops
