// SPDX-License-Identifier: LGPL-2.1-or-later
// ChunkReader: streams consecutive chunks of the data area of several legs
// for verify, scrub and replace. Each leg has its own ring of read-ahead
// buffers and runs ahead on its own: a leg issues the read of a chunk as
// soon as one of its buffers is free, whatever the other legs are doing,
// and completions are taken in any order; only the consumer sees the
// chunks in order, each once every leg's read of it completed. So a slow
// leg (or one slow read) does not stop the others from keeping their own
// queue full, and each leg sees a queue of sequential reads (the raw
// concurrent read bound). A leg reads on as soon as one of its reads
// completes, up to `depth` in flight, into a ring of up to twice that many
// buffers, so it can run ahead of a slower leg by a whole queue. Memory is
// bounded whatever the size of the legs: the reads in flight by
// kBufferBudget, the rings by kRingBudget (never fewer than depth + 1
// buffers per leg), aligned for O_DIRECT.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include <dmirror/export.h>

#include "engine/io_queue.h"
#include "engine/leg_set.h"

namespace dmirror::ops {

struct LegRing;

// One chunk, every leg's read completed. Valid until the next call to next().
class Chunk {
 public:
  uint64_t pos = 0, len = 0;
  const std::byte* data(uint32_t slot) const { return data_[slot]; }
  std::byte* mutable_data(uint32_t slot) { return data_[slot]; }
  // A slot that was not read reads as ok, with no data.
  const Status& status(uint32_t slot) const { return status_[slot] ? *status_[slot] : kUnread; }
  // The first of `slots` whose read failed, or kNoSlot.
  uint32_t first_failed(std::span<const uint32_t> slots) const;

 private:
  friend class ChunkReader;
  static inline const Status kUnread = ok();
  std::vector<std::byte*> data_ = std::vector<std::byte*>(kMaxLegs, nullptr);   // by slot
  std::vector<const Status*> status_ = std::vector<const Status*>(kMaxLegs, nullptr);
};

class ChunkReader {
 public:
  // Yields the next [pos, pos + len) to read (len <= chunk), or false at the end.
  using NextRange = std::function<bool(uint64_t& pos, uint64_t& len)>;
  // Buffer memory in flight aimed at (the depth is derived from it, 2..8),
  // and the memory of every leg's ring together.
  static constexpr uint64_t kBufferBudget = 16 * 1024 * 1024;
  static constexpr uint64_t kRingBudget = 32 * 1024 * 1024;

  ChunkReader(engine::LegSet& set, engine::IoQueue& q, std::vector<uint32_t> slots, uint64_t chunk, NextRange next);
  ~ChunkReader();   // waits for the reads in flight
  ChunkReader(const ChunkReader&) = delete;
  ChunkReader& operator=(const ChunkReader&) = delete;

  // The next chunk in order; nullptr at the end.
  const Chunk* next();
  Chunk* next_mutable() { return const_cast<Chunk*>(next()); }
  unsigned depth() const { return depth_; }
  // Not ok when the buffers could not be allocated (ENOMEM, Io with no
  // leg to blame): check it before next(), which then reads nothing.
  Status status() const { return alloc_error_ ? Status(std::unexpected(*alloc_error_)) : ok(); }

 private:
  struct Range {
    uint64_t pos = 0, len = 0;
  };
  // The range of chunk `seq` (fetched from NextRange on demand), or null past the end.
  const Range* range(uint64_t seq);
  void issue(LegRing& leg);
  void issue_all();
  void pump();

  engine::LegSet& set_;
  engine::IoQueue& q_;
  std::vector<uint32_t> slots_;
  uint64_t chunk_;
  NextRange next_range_;
  unsigned depth_;
  std::vector<std::unique_ptr<LegRing>> legs_;
  std::deque<Range> ranges_;      // ranges of chunks [head_, head_ + ranges_.size())
  uint64_t head_ = 0;             // the oldest chunk not yet released
  bool held_ = false;             // chunk head_ was handed out by the last next()
  bool exhausted_ = false;
  std::optional<Error> alloc_error_;
  Chunk current_;
};

// Test seam: while set, every ring allocation fails as if out of memory.
DMIRROR_EXPORT void inject_ring_allocation_failure(bool on);

}  // namespace dmirror::ops
