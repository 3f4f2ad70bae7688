// SPDX-License-Identifier: LGPL-2.1-or-later
// The write-intent journal: one bit per region, 1 = the region may differ
// between legs (a write to it may be in flight). Every leg carries a copy.
// Each 4 KiB bitmap block is stored in two slots; a write goes to the slot
// not holding the newest valid version, so a torn write leaves the previous
// version readable. Format: lib/src/ondisk/FORMAT.md, "Journal".
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <vector>

namespace dmirror {

inline constexpr uint32_t kJournalBlockSize = 4096;
inline constexpr uint32_t kJournalHeaderSize = 64;
inline constexpr uint64_t kRegionsPerJournalBlock = (kJournalBlockSize - kJournalHeaderSize) * 8;

// Bytes of journal area needed for `nr_regions` (two slots per block).
DMIRROR_EXPORT uint64_t journal_bytes_needed(uint64_t nr_regions);

struct JournalDamage {
  uint32_t block = 0;
  int slot = 0;
  std::string what;      // "checksum mismatch", "wrong block index", ...
};

// The in-memory bitmap of one leg's journal plus the slot bookkeeping.
class DMIRROR_EXPORT WriteIntentJournal {
 public:
  // A fresh, all-clean journal for a new array (nothing is written).
  static WriteIntentJournal create(const Superblock& sb);
  // Reads every block from `dev`. A block whose two slots are both invalid is
  // reported in damage() and treated as all-dirty (safe: forces resync).
  static Result<WriteIntentJournal> load(BlockDevice& dev, const Superblock& sb);

  uint64_t nr_regions() const { return nr_regions_; }
  bool is_dirty(uint64_t region) const;
  void mark(uint64_t region);     // in memory; the block becomes pending
  void clear(uint64_t region);    // in memory; the block becomes pending
  void mark_all();
  void clear_all();
  uint64_t dirty_count() const;
  std::vector<uint64_t> dirty_regions() const;
  const std::vector<JournalDamage>& damage() const { return damage_; }
  bool has_pending() const;

  // Writes every pending block (or all blocks with `all`) to `dev`, each to
  // the slot not holding its newest valid version. Does NOT flush; the caller
  // orders flushes. Calling it again before commit_written() targets the same
  // slots, so a retry after an error is safe.
  [[nodiscard]] Status write_pending(BlockDevice& dev, bool all = false) const;
  // After the write was flushed: pending blocks become current.
  void commit_written(bool all = false);

  const std::vector<uint8_t>& bits() const { return bits_; }
  // ORs another leg's dirty bits into this one; changed blocks become pending.
  // An engine keeps one instance per leg (their slot bookkeeping differs
  // after a crash) and merges them at open.
  void merge_from(const WriteIntentJournal& other);

 private:
  uint64_t nr_regions_ = 0;
  uint64_t journal_offset_ = 0;
  Uuid array_uuid_;
  std::vector<uint8_t> bits_;               // nr_regions bits, LSB first
  std::vector<uint64_t> block_seq_;         // newest valid seq per block
  std::vector<uint8_t> block_slot_;         // slot holding the newest valid version
  std::vector<uint8_t> pending_;            // block changed since last commit
  std::vector<JournalDamage> damage_;
};

}  // namespace dmirror
