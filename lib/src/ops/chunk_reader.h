// SPDX-License-Identifier: LGPL-2.1-or-later
// ChunkReader: streams consecutive chunks of the data area of several legs
// for verify, scrub and replace. Every leg's read of a chunk is in flight at
// once, and up to depth() chunks are read ahead of the consumer, so
// comparing one chunk overlaps the reads of the next ones and each leg sees
// a queue of sequential reads (the raw concurrent read bound). Memory is
// bounded: (depth + 1) chunk buffers per leg, aligned for O_DIRECT.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "engine/io_queue.h"
#include "engine/leg_set.h"

namespace dmirror::ops {

struct ChunkBuffer;

// One chunk, every leg's read completed. Valid until the next call to next().
class Chunk {
 public:
  uint64_t pos = 0, len = 0;
  const std::byte* data(uint32_t slot) const;
  std::byte* mutable_data(uint32_t slot);
  const Status& status(uint32_t slot) const;
  // The first of `slots` whose read failed, or kNoSlot.
  uint32_t first_failed(std::span<const uint32_t> slots) const;

 private:
  friend class ChunkReader;
  ChunkBuffer* buf_ = nullptr;
};

class ChunkReader {
 public:
  // Yields the next [pos, pos + len) to read (len <= chunk), or false at the end.
  using NextRange = std::function<bool(uint64_t& pos, uint64_t& len)>;
  // Total buffer memory aimed at (the depth is derived from it, 2..8).
  static constexpr uint64_t kBufferBudget = 16 * 1024 * 1024;

  ChunkReader(engine::LegSet& set, engine::IoQueue& q, std::vector<uint32_t> slots, uint64_t chunk, NextRange next);
  ~ChunkReader();   // waits for the reads in flight
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The next chunk in order; nullptr at the end.
  const Chunk* next();
  Chunk* next_mutable() { return const_cast<Chunk*>(next()); }
  unsigned depth() const { return depth_; }

 private:
  void issue();
  void pump();

  engine::LegSet& set_;
  engine::IoQueue& q_;
  std::vector<uint32_t> slots_;
  uint64_t chunk_;
  NextRange next_range_;
  unsigned depth_;
  std::vector<std::unique_ptr<ChunkBuffer>> ring_;
  size_t head_ = 0, count_ = 0;   // chunks issued and not yet consumed, from ring_[head_]
  bool consumed_ = false;         // ring_[head_] was handed out by the last next()
  bool exhausted_ = false;
  Chunk current_;
};

}  // namespace dmirror::ops
