// SPDX-License-Identifier: LGPL-2.1-or-later
// Internal state of a Mirror. Every mutation (writes, flushes, close) goes
// through one request queue whose front request is the leader: it takes a
// batch of consecutive writes and admits it as a write group (leveldb's
// writer queue), then hands the lead on while the group runs, so several
// groups are in flight at once (mirror_queue.cc). Metadata (journal marks
// and clears, failures, commits) changes under meta_mu, one step at a time;
// the groups' data writes and a flush's DATA_FLUSH run outside it. Readers
// only take state_mu briefly to choose a leg.
#pragma once

#include <dmirror/engine.h>

#include <atomic>
#include <condition_variable>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

#include "engine/io_engine.h"
#include "engine/leg_set.h"
#include "ops/resync_vote.h"

namespace dmirror {

struct Mirror::Impl {
  struct Request {
    enum class Kind { Write, Flush, Close };
    Kind kind = Kind::Write;
    uint64_t offset = 0;
    std::span<const std::byte> data;
    Status result;
    bool done = false;
    std::condition_variable cv;
  };

  MirrorOptions options;
  engine::LegSet set;
  std::unique_ptr<engine::IoEngine> io;

  // A write group admitted and not yet finished: its sequence number and
  // the byte ranges of its writes (a group overlapping one waits).
  struct Group {
    uint64_t seq = 0;
    std::vector<std::pair<uint64_t, uint64_t>> ranges;   // [begin, end)
  };

  mutable std::mutex queue_mu;
  std::deque<Request*> queue;
  std::condition_variable inflight_cv;   // a group finished (under queue_mu)
  std::deque<Group> inflight;            // under queue_mu
  uint64_t next_group_seq = 1;           // under queue_mu

  std::mutex meta_mu;              // metadata steps, one at a time (outside state_mu)
  std::mutex flush_mu;             // one flush (DATA_FLUSH, then the clear) at a time
  mutable std::mutex state_mu;     // leg states, as seen by readers
  bool activated = false;          // Dirty flag written since open (under meta_mu)
  std::atomic<bool> closed{false};
  // Per region (under meta_mu): the last write group that wrote it. Every
  // group up to flushed_upto was durable on every writable leg when the
  // last flush returned; a region last written by one of them and idle
  // since may be cleared at the next flush.
  std::vector<uint64_t> last_group;
  uint64_t flushed_upto = 0;
  std::vector<uint32_t> last_write_ms;   // per region, ms since open of its last write
  // Per region: a write to it failed on some leg without failing the leg
  // (out of space under an image file), so the legs may differ there; its
  // journal bit is kept until a resync.
  std::vector<uint8_t> held;
  std::chrono::steady_clock::time_point opened_at = std::chrono::steady_clock::now();
  uint32_t now_ms() const {
    return static_cast<uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - opened_at).count());
  }
  uint32_t rr_next = 0;
  // Read-only over an unclean array: the last chunk voted on and its
  // runs (rule 21; nothing changes the legs meanwhile), under state_mu.
  uint64_t vote_start = UINT64_MAX;
  std::vector<ops::VoteRun> vote_memo;
  std::unique_ptr<std::atomic<uint32_t>[]> pending;   // reads in flight per slot
  std::vector<LegStatus> leg_stats;
  MirrorStats stats;
  Findings findings;

  explicit Impl(engine::LegSet s) : set(std::move(s)) {}

  // The request queue (mirror_queue.cc).
  Status submit(Request& r);
  Status lead_writes(Request& r, std::unique_lock<std::mutex>& lock);
  bool overlaps_inflight(const std::vector<std::pair<uint64_t, uint64_t>>& ranges) const;
  // A write group, in two steps. mark_group, while its leader still leads
  // (so the writes queued meanwhile share the next group's journal
  // commit): its regions marked (JOURNAL_WRITE -> JOURNAL_FLUSH) under
  // meta_mu, and the legs to write. write_group, after the lead is handed
  // on: DATA_WRITE (and DATA_FLUSH when durable_writes) beside other
  // groups, then its failures under meta_mu. `seq`: its sequence number.
  struct GroupPlan {
    std::vector<uint64_t> regions;
    std::vector<uint32_t> targets;
    uint64_t data_offset = 0;
  };
  Status mark_group(std::span<Request* const> batch, uint64_t seq, GroupPlan& plan);
  Status write_group(std::span<Request* const> batch, const GroupPlan& plan);
  // DATA_FLUSH of every writable leg, covering every group up to `upto`
  // (finished before it is called), then the lazy clear; with `closing`,
  // the Dirty flag too.
  Status process_flush(bool closing, uint64_t upto);
  // Flushes the given legs concurrently; the errors of those that failed.
  std::vector<engine::LegError> flush_legs(std::span<const uint32_t> slots);
  // The error of a write group every leg failed (nothing acknowledged; the
  // counters not committed: docs/io-errors.md).
  Status every_leg_failed(std::span<Request* const> batch, std::span<const engine::LegError> errors);
  Status activate();
  // Fails legs (under state_mu) and counts the commit. `write_errors`: the
  // errors are failed writes or flushes, counted in the legs' write_errors
  // (FORMAT.md 2.7); false when the caller counted them already.
  Status fail(std::span<const engine::LegError> errors, bool write_errors = true);
  // Repeats a commit that reached no surviving leg (a failure not yet on
  // disk); until it succeeds nothing is acknowledged.
  Status settle();
  // Commits (under state_mu) and counts the commits.
  Status commit(bool kept_since);
  // Takes the out-of-space errors out of `errors` (the file system under an
  // image file is full: the host's problem, not the leg's): `regions` are
  // held dirty, a finding is noted, and the first such error is returned.
  std::optional<Error> take_no_space(std::vector<engine::LegError>& errors, std::span<const uint64_t> regions);
  Status check_range(uint64_t offset, uint64_t len) const;
  std::vector<uint32_t> read_order(uint64_t offset, uint64_t len);
  // Under state_mu: [offset, offset + len) is not known in sync (initial
  // sync pending, or dirty in a read-only open of an unclean array).
  bool unsynced_locked(uint64_t offset, uint64_t len);
  // Under state_mu: the vote's run holding `offset` when reads of it are
  // decided by the vote (rule 21: read-only, unsynced below resync_offset,
  // three or more in-sync legs), else nullptr.
  const ops::VoteRun* vote_run_locked(uint64_t offset, uint64_t len);
  Status read(uint64_t offset, std::span<std::byte> buf);
};

}  // namespace dmirror
