// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading and writing one leg's superblock copies: copies 0 and 1 at the
// start, and on arrays with compat TAIL_COPY copy 2 near the end (FORMAT.md
// 1, 2.4, 2.5). The reader classifies each copy, picks the valid copy with
// the highest seqno, and reports the others as findings; the writer updates
// one of copies 0 and 1, flushes, then the other and copy 2, flushes, so a
// crash, a torn write or one bad sector never leaves the leg without a
// valid copy, and overwriting the first megabyte leaves copy 2.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <optional>
#include <string>
#include <vector>

namespace dmirror {

// Fixed in format v1 so that either copy can be found without the other.
inline constexpr uint64_t kSuperblockOffset[2] = {0, 64 * 1024};

enum class CopyState {
  Valid,        // checksum and structure good, newest seqno
  Older,        // valid but an older seqno than the other copy
  Blank,        // no magic (never written, or wiped)
  Corrupt,      // magic present, but checksum or structure wrong
  IoError,      // could not be read
  Unsupported,  // valid checksum, but an unknown incompat feature / version
  None,         // copy 2 only: this leg carries none (no TAIL_COPY, or no room)
};
DMIRROR_EXPORT std::string_view copy_state_name(CopyState s);

struct CopyInfo {
  CopyState state = CopyState::Blank;
  uint64_t offset = 0;
  uint64_t seqno = 0;          // when decoded
  std::string detail;          // why it is not Valid
};

struct LegMetadata {
  CopyInfo copies[3];          // 0, 1, and 2 (state None when the leg has no copy 2)
  Superblock sb;               // the chosen copy
  int chosen = 0;              // index of the chosen copy
  bool read_only = false;      // unknown ro_compat feature
  Findings findings;           // damaged / older copies
  // Copy 2 is not where the leg's size puts it (the leg was resized; or it
  // has none though it now has room): a reader that lost copies 0 and 1
  // would not find it. repair_superblock_copies moves it.
  bool tail_misplaced = false;
  bool copies_agree() const {
    return copies[0].state == CopyState::Valid && copies[1].state == CopyState::Valid &&
           (copies[2].state == CopyState::Valid || copies[2].state == CopyState::None) && !tail_misplaced;
  }
};

// Errors: NotDmirror (no copy carries our magic), Corruption (copies
// present but none valid), Unsupported (newer format), Io (none readable).
// Copy 2 is read where the newest of copies 0 and 1 records it, or, when
// neither is valid, at tail_copy_offset(device size).
DMIRROR_EXPORT Result<LegMetadata> read_leg(BlockDevice& dev);

// Writes the copies of `sb` in order with flushes (see above). The caller
// sets sb.seqno (normally previous + 1) and sb.slot / leg_uuid for this leg;
// sb.tail_offset is this leg's own, set here from the device's size (0 when
// the array has no TAIL_COPY or the leg no room past the data area).
[[nodiscard]] DMIRROR_EXPORT Status write_superblocks(BlockDevice& dev, const Superblock& sb);

// The 4 KiB at `offset` start with the superblock magic (a copy of ours,
// valid or not). False when they cannot be read.
DMIRROR_EXPORT bool has_superblock_magic(BlockDevice& dev, uint64_t offset);

// What repair_superblock_copies did to one copy.
struct CopyRepair {
  int copy = 0;
  CopyState was = CopyState::Valid;
  uint64_t offset = 0;         // where it was (copy 2: its old place)
  uint64_t new_offset = 0;     // where it is now (copy 2 moved), or 0 when dropped (no room)
  bool dropped = false;        // copy 2 could not be kept: no room past the data area
};

// Rewrites every damaged or older copy from the chosen one, and puts copy 2
// where the leg's size puts it (zeroing a copy 2 left behind by a resize).
// Refused with ForeignSignature when libblkid sees another signature on
// `path` (the cryptsetup rule: never auto-repair an ambiguous device).
[[nodiscard]] DMIRROR_EXPORT Result<std::vector<CopyRepair>> repair_superblock_copies(BlockDevice& dev,
                                                                                     const std::string& path,
                                                                                     const LegMetadata& meta);

}  // namespace dmirror
