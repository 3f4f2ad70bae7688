// SPDX-License-Identifier: LGPL-2.1-or-later
// WriteModel: what a crash workload promised about the volume's contents.
// It records each write (with the I/O clock when it was issued) and each
// completed flush, and answers, for a power cut after I/O number k, which
// contents each 512-byte sector may hold: exactly the contents made durable
// by the last flush completed by then, or the data of a write issued after
// it (or of a write that failed, which may have reached some media). A write
// acknowledged as durable (MirrorOptions::durable_writes) counts as flushed
// from its acknowledgement on.
//
// Concurrent workloads (several threads writing, flushing) name each write
// by the id write_started returns and each flush by the token of
// flush_started, taken before it is issued: a flush pins exactly the writes
// acknowledged before it was issued. Their callers serialise the calls
// (the model has no lock); writes of different threads must not share a
// sector, since the order of concurrent writes to one sector is not known.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace dmirror::testing {

class CrashGroup;

class WriteModel {
 public:
  WriteModel(const CrashGroup* clock, uint64_t data_size);
  // The volume's contents before the workload (default: zeros).
  void set_initial(std::span<const std::byte> data);
  // Call before issuing the write. Returns its id.
  size_t write_started(uint64_t offset, std::span<const std::byte> data);
  void write_acked();                   // the last started write returned success
  void write_acked(size_t id);          // that write returned success
  // The last started write returned success with the promise that it is on
  // stable storage: it (and every write acknowledged before it) must
  // survive a power cut at any later point.
  void write_acked_durable();
  void write_acked_durable(size_t id);
  void flushed();                       // a flush of the volume returned success
  // A flush about to be issued (its token), and its success.
  uint64_t flush_started() { return ++events_; }
  void flushed(uint64_t token);

  // Sessions of the array opened without one of its legs: call
  // degraded_session_opened() right after Mirror::open on the legs without
  // `absent_slot` succeeded, and session_closed() when any session ends.
  // The harness checks that the absent slot is durably recorded missing
  // before the first data write issued after the open (FORMAT.md 2.6 rule
  // 11). The recovery at open is left out: it copies only regions dirty in
  // every leg's journal, which stay dirty while a leg is absent (rule 12).
  struct DegradedSession {
    uint64_t opened = 0;            // clock when the open returned
    uint64_t closed = UINT64_MAX;   // clock when the session ended
    uint32_t absent = 0;
  };
  void degraded_session_opened(uint32_t absent_slot);
  void session_closed();
  const std::vector<DegradedSession>& degraded_sessions() const { return degraded_; }

  // Whether `data` (at `offset`, sector aligned) is allowed after a power
  // cut after I/O number k. On failure `bad_offset` is the first bad sector.
  bool allowed(uint64_t k, uint64_t offset, std::span<const std::byte> data, uint64_t* bad_offset) const;
  size_t writes() const { return writes_.size(); }

 private:
  struct Write {
    uint64_t start_clock;
    uint64_t offset;
    std::vector<uint64_t> hashes;   // per sector
    bool acked = false;
    uint64_t acked_event = 0;       // events_ when it was acknowledged
  };
  struct Flush {
    uint64_t clock;                 // clock when flush() returned
    uint64_t token;                 // writes acknowledged before this event are pinned
    std::vector<uint64_t> durable;  // per-sector hash of the durable contents
  };
  bool pinned(const Write& w, const Flush& f) const { return w.acked && w.acked_event < f.token; }
  const CrashGroup* clock_;
  std::vector<uint64_t> initial_;
  std::vector<Write> writes_;
  std::vector<Flush> flushes_;
  std::vector<DegradedSession> degraded_;
  uint64_t events_ = 0;             // acknowledgements and flush starts, in order
};

uint64_t sector_hash(std::span<const std::byte> sector);

}  // namespace dmirror::testing
