// SPDX-License-Identifier: LGPL-2.1-or-later
// The userspace mirror engine: a RAID1 volume over the legs of an array,
// driven from userspace (for tests, demos and offline tools; online volumes
// use the kernel's raid target).
//
// Write path: every write marks its regions dirty in the write-intent
// journal of every leg and flushes it before the data is written (group
// commit: concurrent writes share one journal write and flush, and a region
// already dirty costs nothing). The data goes to every writable leg; a write
// is acknowledged when every leg has answered. A leg that fails a write is
// marked failed in the superblocks of the survivors before the write is
// acknowledged; if no in-sync leg would survive, nothing is failed and the
// caller gets the error, and while that record is not on disk no write is
// acknowledged. Out of space under an image file (ENOSPC, EDQUOT) does not
// fail the leg: the write fails (TooSmall) and its regions stay dirty. Dirty bits are cleared lazily, once the region's
// data was made durable on every leg by flush() and the region stayed idle
// for a whole flush interval (md's bitmap discipline); never while degraded.
//
// Durability: as for a disk, a write is durable once a later flush() has
// returned. close() flushes, clears the journal and the Dirty flag.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace dmirror {

enum class ReadPolicy {
  RoundRobin,     // rotate over the legs that may serve the read
  LeastPending,   // the leg with the fewest reads in flight
  Preferred,      // MirrorOptions::preferred_slot when it may serve, else round robin
};

enum class IoEngineKind {
  Sync,      // one leg after the other on the calling thread (deterministic)
  Threads,   // legs in parallel, one worker per leg
  Uring,     // io_uring on fd-backed legs; falls back to Threads otherwise
};
DMIRROR_EXPORT std::string_view io_engine_kind_name(IoEngineKind k);

struct MirrorOptions {
  bool read_only = false;         // never write anything, metadata included
  // Opening for writing recovers first when the array is Dirty or its
  // journal has dirty regions (FORMAT.md 2.6); false refuses such an open
  // (InvalidArgument) instead of writing over diverged legs.
  bool recover = true;
  // Opening for writing while a member leg is absent is refused (Refused)
  // unless true; then the first commit records the absent legs missing
  // (FORMAT.md 2.6 rule 11) and journal bits are kept until they return.
  bool allow_degraded = false;
  ReadPolicy read_policy = ReadPolicy::RoundRobin;
  uint32_t preferred_slot = kNoSlot;
  IoEngineKind io_engine = IoEngineKind::Sync;
  // true: DATA_FLUSH on every leg before a write group is acknowledged, so a
  // write that returned OK is on stable storage (like FUA). false: the engine
  // behaves like a disk with a volatile write cache: writes are durable at the
  // next flush() or close().
  bool durable_writes = true;
  // A dirty region is cleared at a flush only when nothing was written to it
  // during the interval that just ended and for at least this long (md's
  // bitmap daemon waits about 5 s), so a region written again soon needs no
  // new journal commit. 0: clear at the first idle flush.
  uint32_t clear_delay_ms = 5000;
  uint32_t max_batch_writes = 64;             // writes that may share one journal and data flush
  uint64_t max_batch_bytes = 16 * 1024 * 1024;
  // Write groups whose data may be in flight at once (their journal steps
  // still run one after the other); 1: one group at a time.
  uint32_t max_groups_in_flight = 8;
};

struct LegStatus {
  uint32_t slot = 0;
  LegState state = LegState::Unused;
  std::string device;            // empty when missing
  uint64_t reads = 0, writes = 0;
  uint64_t read_errors = 0, write_errors = 0;
};

struct MirrorStats {
  uint64_t writes = 0;           // acknowledged write() calls
  uint64_t reads = 0;
  uint64_t flushes = 0;           // flush() / close() calls
  uint64_t data_flushes = 0;      // DATA_FLUSH rounds of durable write groups
  uint64_t journal_commits = 0;  // journal write + flush rounds
  uint64_t superblock_commits = 0;
  uint64_t read_retries = 0;     // reads served by another leg after an error
  uint64_t recovered_regions = 0;  // resynced at open after an unclean shutdown
  uint64_t peak_groups_in_flight = 0;  // most write groups admitted and unfinished at once
};

class DMIRROR_EXPORT Mirror {
 public:
  // Assembles the legs (the newest superblock wins). Refuses an array whose
  // sync state an online volume owns (Busy), and a writable open with a
  // member missing unless options.allow_degraded (Refused). When the array is
  // Dirty or has dirty journal bits, the dirty regions are resynced before
  // open returns (a writable open with recover = false is refused).
  static Result<std::unique_ptr<Mirror>> open(std::span<BlockDevice* const> legs,
                                              const MirrorOptions& options = {});
  // Does not close: a mirror dropped without close() stays Dirty, as after a crash.
  ~Mirror();

  uint64_t size() const;                  // bytes of the data area
  uint32_t block_size() const;            // offsets and lengths must be multiples of it

  // REQUIRES: offset and length are multiples of block_size(), inside size().
  [[nodiscard]] Status write(uint64_t offset, std::span<const std::byte> data);
  [[nodiscard]] Status read(uint64_t offset, std::span<std::byte> buf);
  [[nodiscard]] Status flush();
  // Flushes, clears the journal (unless degraded) and the Dirty flag.
  [[nodiscard]] Status close();

  Superblock superblock() const;
  std::vector<LegStatus> legs() const;
  MirrorStats stats() const;
  std::string_view io_engine_name() const;
  Findings findings() const;               // noticed while assembling / recovering

  struct Impl;
 private:
  explicit Mirror(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace dmirror
