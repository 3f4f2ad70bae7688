// SPDX-License-Identifier: LGPL-2.1-or-later
// The superblock: identity, geometry, leg table and offline state of one leg.
// This is the in-memory ("core") form; the on-disk encoding is in
// lib/src/ondisk/superblock_disk.h and is specified in lib/src/ondisk/FORMAT.md.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace dmirror {

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kSuperblockSize = 4096;
inline constexpr uint32_t kMaxLegs = 16;
inline constexpr uint64_t kMaxRegions = uint64_t{1} << 21;   // dm-raid / md bitmap limit
inline constexpr size_t kMaxNameLength = 63;
inline constexpr uint64_t kNoSlot = 0xFFFFFFFFu;
inline constexpr uint64_t kOffsetInSync = UINT64_MAX;         // "nothing left to do"
// degraded_timeout (compat BOOT_POLICY): 0 on disk means this default, as
// mdadm's last-resort timer (OnActiveSec=30); this value means never.
inline constexpr uint32_t kDefaultDegradedTimeout = 30;
inline constexpr uint32_t kDegradedTimeoutNever = 0xFFFFFFFFu;

// Feature flags. A reader refuses a leg with an unknown incompat bit, opens it
// read-only with an unknown ro_compat bit and ignores unknown compat bits.
// Retired bits are listed in FORMAT.md and never reused.
namespace feature {
// compat bit 0: per-leg error counters (counters[], error_limit, error_window).
inline constexpr uint64_t kCompatLegCounters = 1u << 0;
// incompat bit 0: membership rules of FORMAT.md 2.6 — leg state `missing`
// (6), leg flag RECOVER_FROM_JOURNAL and journal_kept_since. A reader that
// does not know them would take a missing leg for corruption and could
// re-add a leg from a journal that no longer covers it.
inline constexpr uint64_t kIncompatMembership = 1u << 0;
// incompat bit 1: `generation` and `generation_history` are kept (FORMAT.md
// 2.6 rules 18, 19). A writer that does not know them zeroes them and never
// starts a new generation, so a leg it writes alone could come back merely
// stale instead of diverged.
inline constexpr uint64_t kIncompatGeneration = 1u << 1;
// compat bit 1: a third superblock copy (copy 2) near the end of each leg
// whose `tail_offset` is not 0 (FORMAT.md 1, 2.4 rule 8). An old writer
// leaves it behind (older seqno: readers take the newest copy).
inline constexpr uint64_t kCompatTailCopy = 1u << 1;
// compat bit 2: `degraded_timeout` is in use (FORMAT.md 2, 2.2): how long
// boot waits for missing legs before activating degraded. An old writer
// zeroes the field (reserved bytes): the array is back to the default.
inline constexpr uint64_t kCompatBootPolicy = 1u << 2;
// compat bit 3: `spare_takeover` is in use (FORMAT.md 2, 2.2): the array's
// spares are not taken over automatically (set only when not the default).
// An old reader takes them over; an old writer zeroes the field: back to
// the default, the setting is lost, nothing else.
inline constexpr uint64_t kCompatSparePolicy = 1u << 3;
// incompat bit 2: leg state `spare` (7), a device kept for the array that
// holds no data (FORMAT.md 2.3). Set by the first `add --spare`, not on
// arrays without spares. A reader that does not know it would take the
// spare's slot for a member, or the state for corruption.
inline constexpr uint64_t kIncompatSpares = 1u << 2;
inline constexpr uint64_t kIncompatSplit = 1u << 3;
inline constexpr uint64_t kCompatKnown = kCompatLegCounters | kCompatTailCopy | kCompatBootPolicy | kCompatSparePolicy;
inline constexpr uint64_t kRoCompatKnown = 0;
inline constexpr uint64_t kIncompatKnown = kIncompatMembership | kIncompatGeneration | kIncompatSpares | kIncompatSplit;
// What this version writes on every array it creates or updates.
inline constexpr uint64_t kCompatCurrent = kCompatLegCounters | kCompatTailCopy | kCompatBootPolicy;
inline constexpr uint64_t kIncompatCurrent = kIncompatMembership | kIncompatGeneration;
}  // namespace feature

// Copy 2 (compat TAIL_COPY) starts the last 64 KiB-aligned block of 64 KiB
// that fits on the leg (FORMAT.md 1): found from the leg's size alone when
// copies 0 and 1 are gone, clear of a GPT backup header in the last 33
// sectors, aligned for any logical block size.
inline constexpr uint64_t kTailCopyAlign = 64 * 1024;
constexpr uint64_t tail_copy_offset(uint64_t leg_size) {
  return leg_size / kTailCopyAlign * kTailCopyAlign >= kTailCopyAlign
             ? leg_size / kTailCopyAlign * kTailCopyAlign - kTailCopyAlign
             : 0;
}

// Superblock flags (array-wide state, same on every leg).
namespace sbflag {
inline constexpr uint32_t kDirty = 1u << 0;            // open for writing, not closed cleanly
inline constexpr uint32_t kKernelOwnsSync = 1u << 1;   // an online volume owns sync state
inline constexpr uint32_t kAssumeClean = 1u << 2;      // created with --assume-clean
inline constexpr uint32_t kKnown = kDirty | kKernelOwnsSync | kAssumeClean;
}  // namespace sbflag

enum class LegState : uint32_t {
  Unused = 0,      // slot not part of the array
  InSync = 1,      // holds current data everywhere
  Failed = 2,      // an I/O error failed it; never a source again until rebuilt
  Rebuilding = 3,  // current only below recovery_offset
  Replacing = 4,   // in sync, being replaced by replacement_slot; still counts
  Removed = 5,     // retired from the array (kept for history)
  Missing = 6,     // absent when the array was written; comes back by recovery
                   // (from the journal when it provably covers the gap)
  Spare = 7,       // a device kept for the array, holding no data (incompat SPARES);
                   // not a member until a replace or a rebuild uses it
  Split = 8,       // split off as an array of its own, its writes tracked for a merge
                   // (incompat SPLIT); not a member while split
};
DMIRROR_EXPORT std::string_view leg_state_name(LegState s);
// A slot whose leg is a member of the array (any role, present or not):
// not unused, removed or spare.
constexpr bool is_member_state(LegState s) {
  return s != LegState::Unused && s != LegState::Removed && s != LegState::Spare && s != LegState::Split;
}

struct LegEntry {
  Uuid uuid;
  LegState state = LegState::Unused;
  uint32_t flags = 0;                        // bit 0: write-mostly
  uint64_t state_seq = 0;                    // superblock seqno when `state` was recorded
  uint64_t recovery_offset = kOffsetInSync;  // bytes into the data area (Rebuilding)
  uint64_t device_size = 0;                  // the leg's size in bytes at the time it joined
  uint32_t replacement_slot = kNoSlot;       // Replacing: the slot taking over
  // incompat SPLIT, a split slot with legflag::kMerging: the seqno of the
  // split-off array whose journal bits this array's journal holds.
  uint64_t merge_seqno = 0;
};
namespace legflag {
inline constexpr uint32_t kWriteMostly = 1u << 0;
// A table with `rebuild <slot>` reached the kernel: the kernel's own recovery
// offset now tracks this leg's rebuild, so `rebuild` is never passed again.
inline constexpr uint32_t kRebuildPassed = 1u << 1;
// Rebuilding: only the regions dirty in the journal need copying (md's
// RECOVERY_BITMAP). Clear: a full copy from recovery_offset to the end.
inline constexpr uint32_t kRecoverFromJournal = 1u << 2;
inline constexpr uint32_t kMerging = 1u << 3;   // incompat SPLIT: a split slot's merge has begun
}

enum class OfflineOp : uint32_t { None = 0, Resync = 1, Recover = 2, Check = 3, Repair = 4, Replace = 5 };
DMIRROR_EXPORT std::string_view offline_op_name(OfflineOp op);

// A checkpoint of a long offline operation, so it resumes after a crash.
struct Checkpoint {
  OfflineOp op = OfflineOp::None;
  uint32_t flags = 0;
  uint64_t position = 0;          // bytes into the data area done so far
  uint64_t started = 0;           // unix time
  uint64_t regions_done = 0;
  uint64_t mismatches = 0;
  uint64_t repaired = 0;
  uint32_t source_slot = kNoSlot;
  uint32_t target_slot = kNoSlot;
};

enum class ScrubResult : uint32_t { Never = 0, Clean = 1, Mismatches = 2, Repaired = 3, Interrupted = 4, Failed = 5 };
DMIRROR_EXPORT std::string_view scrub_result_name(ScrubResult r);

// Per-leg error counters (ZFS's READ/WRITE/CKSUM plus md's corrected
// reads), kept until an explicit `clear`.
struct LegCounters {
  uint64_t read_errors = 0;
  uint64_t write_errors = 0;
  uint64_t mismatches = 0;     // regions where this leg differed and lost
  uint64_t corrected = 0;      // unreadable blocks rewritten and read back good
};
// A generation a leg's line left (FORMAT.md 2.6 rule 19): its id and the
// seqno of the last commit made in it before the new generation began.
// Unused entries have branch_seqno 0; generation 0 names the line of an
// array before it carried generations.
struct GenerationEntry {
  uint64_t generation = 0;
  uint64_t branch_seqno = 0;
  friend bool operator==(const GenerationEntry&, const GenerationEntry&) = default;
};
inline constexpr size_t kGenerationHistory = 8;

inline constexpr uint32_t kDefaultErrorLimit = 10;     // errors ...
inline constexpr uint32_t kDefaultErrorWindow = 600;   // ... in this many seconds fail a leg

struct ScrubSummary {
  ScrubResult result = ScrubResult::Never;
  uint64_t started = 0;
  uint64_t finished = 0;
  uint64_t regions = 0;
  uint64_t mismatches = 0;
  uint64_t repaired = 0;
};

// Where things live on each leg, in bytes from the start of the leg.
struct Layout {
  uint64_t sb_offset[2] = {0, 0};
  uint64_t journal_offset = 0, journal_size = 0;
  uint64_t events_offset = 0, events_size = 0;
  uint64_t kmeta_offset = 0, kmeta_size = 0;
  uint64_t data_offset = 0;
  uint64_t data_size = 0;       // usable size, the same on every leg
};

struct KernelOptions {
  uint32_t max_write_behind = 0;     // sectors; 0 = unset
  uint64_t min_recovery_rate = 0;    // KiB/s per device; 0 = unset
  uint64_t max_recovery_rate = 0;    // KiB/s per device; 0 = unset
};

// incompat SPLIT, on an array split off another (FORMAT.md 2.6 rule 24):
// where its one leg came from. Set when origin_uuid is not nil.
struct SplitOrigin {
  Uuid array_uuid;            // the array the leg was split from
  uint64_t split_seqno = 0;   // that array's commit recording the slot split (also this array's first seqno)
  uint32_t slot = 0;          // the slot it left there
  bool set() const { return !array_uuid.is_nil(); }
};

struct Superblock {
  uint32_t version = kFormatVersion;
  uint64_t compat = 0, ro_compat = 0, incompat = 0;
  uint64_t seqno = 0;
  uint32_t flags = 0;                 // sbflag::*
  Uuid array_uuid;
  Uuid leg_uuid;                      // this leg's uuid (== legs[slot].uuid)
  std::string name;
  uint64_t ctime = 0, utime = 0;
  uint32_t slot = 0;
  uint64_t tail_offset = 0;           // this leg's copy 2 (compat TAIL_COPY; 0 = none): set by write_superblocks
  uint32_t nr_legs = 0;               // slots in use in `legs` (highest used slot + 1)
  uint32_t logical_block_size = 512;
  uint64_t region_size = 0;           // bytes, power of two
  uint64_t nr_regions = 0;
  uint64_t resync_offset = kOffsetInSync;  // array-wide: data before it is in sync
  Layout layout;
  KernelOptions kernel;
  Checkpoint checkpoint;
  ScrubSummary last_scrub;
  std::array<LegEntry, kMaxLegs> legs{};
  // Every write since a leg image at seqno >= journal_kept_since is still
  // marked in the journal (md's events_cleared; FORMAT.md 2.6).
  uint64_t journal_kept_since = 0;
  uint32_t error_limit = 0;           // 0 = kDefaultErrorLimit
  uint32_t error_window = 0;          // seconds; 0 = kDefaultErrorWindow
  std::array<LegCounters, kMaxLegs> counters{};
  // compat BOOT_POLICY: seconds boot waits for missing legs before the
  // last-resort degraded activation; 0 = kDefaultDegradedTimeout,
  // kDegradedTimeoutNever = never (boot_policy.h reads it).
  uint32_t degraded_timeout = 0;
  // compat SPARE_POLICY: 0 = auto (a spare present takes over a failed leg),
  // 1 = off (report only); spare_policy.h reads and writes it.
  uint32_t spare_takeover = 0;
  // incompat GENERATION (FORMAT.md 2.6 rules 18, 19): the id of this leg's
  // line of writes (random, never 0) and the generations it left, newest
  // first.
  uint64_t generation = 0;
  std::array<GenerationEntry, kGenerationHistory> generation_history{};
  // incompat SPLIT: per slot in state Split, the uuid of the array it was
  // split off as (nil otherwise); and, on the split-off array, its origin.
  std::array<Uuid, kMaxLegs> split_uuid{};
  SplitOrigin origin;

  bool has_flag(uint32_t f) const { return (flags & f) != 0; }
};

// Encodes `sb` as copy `copy_index` (0, 1, or 2 at sb.tail_offset) into exactly kSuperblockSize bytes,
// computing the checksum. The copy's own offset comes from sb.layout.
DMIRROR_EXPORT void encode_superblock(const Superblock& sb, int copy_index,
                                      std::span<std::byte, kSuperblockSize> out);

// Decodes and validates one copy read from `expected_offset`.
// Errors: NotDmirror (no magic), Corruption (checksum, misdirected copy,
// impossible geometry), Unsupported (unknown incompat feature / newer version).
DMIRROR_EXPORT Result<Superblock> decode_superblock(std::span<const std::byte, kSuperblockSize> in,
                                                    uint64_t expected_offset);

// True when an ro_compat bit unknown to this version is set.
inline bool requires_read_only(const Superblock& sb) {
  return (sb.ro_compat & ~feature::kRoCompatKnown) != 0;
}

}  // namespace dmirror
