// SPDX-License-Identifier: LGPL-2.1-or-later
// Splitting a leg off as an array of its own, with change tracking, and
// merging it back (lvconvert --splitmirrors 1 --trackchanges / --merge,
// md's bitmap re-add; FORMAT.md 2.6 rule 24). Offline only: an array owned
// by an online volume is refused (Busy).
//
// split_leg(): a fresh in-sync leg becomes the only leg of a new array
// (new array uuid, the given name) holding the data as of the split. The
// legs that stay record the slot split (the new array's uuid, the split
// seqno) and keep every journal bit from then on; the new array carries
// where it came from and keeps its own bits too.
//
// merge_split(): the split leg returns to its slot as rebuilding from the
// journal, with the union of both sides' journal bits; the journal-guided
// recovery (resync) then copies only those regions onto it. Refused with a
// "tracking lost" error when either side can no longer prove which regions
// changed.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/resync.h>
#include <dmirror/result.h>
#include <dmirror/uuid.h>

#include <functional>
#include <span>
#include <string>
#include <vector>

namespace dmirror {

struct SplitOptions {
  std::string name;       // the new array's name (validate_array_name; not the array's own)
  bool force = false;     // allow leaving a single in-sync leg (no redundancy)
  bool degraded = false;  // another member absent: record it missing (FORMAT.md 2.6 rule 11)
};

struct SplitReport {
  uint32_t slot = kNoSlot;
  Uuid split_uuid;             // the new array
  uint64_t split_seqno = 0;    // the array's commit recording the slot split
  uint32_t in_sync_left = 0;   // in-sync legs the array keeps
  uint64_t regions_kept = 0;   // journal bits the new array starts with (kept for the merge)
  bool resumed = false;        // a split cut short was finished
};

// `legs`: the array's legs, the one in `slot` among them. Errors:
// InvalidArgument (not a slot of the array; a bad name), Refused (not a
// fresh in-sync leg; the last in-sync leg; a single copy left without
// force; a replace, rebuild or resync pending; an unclean array; the slot
// is split already), Busy (online volume).
DMIRROR_EXPORT Result<SplitReport> split_leg(std::span<BlockDevice* const> legs, uint32_t slot,
                                             const SplitOptions& options);

// The split's refusals (FORMAT.md 2.6 rule 24), shared by the offline
// split_leg() and the online split (kernel-glue): `a`/`sb` the array's
// assembly, `present(slot)` whether a slot's device is given. `online`: the
// array is active, so DIRTY and `resync_offset` belong to the kernel and are
// not looked at (the online caller checks the kernel's view instead).
// Sets `in_sync_left`. Refused / InvalidArgument as split_leg().
DMIRROR_EXPORT Status check_split(const Assembly& a, const Superblock& sb, uint32_t slot, const SplitOptions& o,
                                  const std::function<bool(uint32_t)>& present, bool online,
                                  uint32_t& in_sync_left);

// Step 2 of the split, shared with the online split: `array` is the
// array's superblock after the split commit (seqno = that commit); the
// result is the split-off array's superblock for the leg in `slot`.
DMIRROR_EXPORT Superblock split_superblock(const Superblock& array, uint32_t slot, uint64_t seqno, const Uuid& uuid,
                                           const std::string& name);
// Writes it onto the leg: its journal (`kept` marked), event area, then
// its superblock copies (FORMAT.md 2.5).
DMIRROR_EXPORT Status write_split_off(BlockDevice& dev, const Superblock& array, uint32_t slot,
                                      const Superblock& split, const std::vector<uint64_t>& kept);

// The message of every refusal where the changes cannot be proven.
inline constexpr const char* kTrackingLostAdvice =
    "tracking lost; a full copy is needed: `dmirrorctl remove` the split slot (--leg SLOT), `dmirrorctl wipe` the "
    "leg and `add` it";

struct MergeOptions {
  bool degraded = false;   // another member absent (rule 11)
  ResyncOptions resync;    // for the recovery that follows (rate, progress, cancel, checkpoints)
};

struct MergeReport {
  uint32_t slot = kNoSlot;
  uint64_t array_regions = 0;   // regions written on the array since the split (its journal)
  uint64_t split_regions = 0;   // regions written on the split-off array (its journal)
  uint64_t union_regions = 0;   // what the recovery copies
  bool resumed = false;         // a merge cut short was finished
  ResyncReport resync;          // the journal-guided recovery of the leg
};

// `legs`: the array's legs; `split_leg`: the split-off array's leg (or the
// leg of a merge cut short). Errors: InvalidArgument (it was not split
// from this array), Refused (tracking lost: kTrackingLostAdvice; an
// unclean array), Busy (either array owned by an online volume), and the
// resync's errors.
DMIRROR_EXPORT Result<MergeReport> merge_split(std::span<BlockDevice* const> legs, BlockDevice& split_leg,
                                               const MergeOptions& options = {});

}  // namespace dmirror
