// SPDX-License-Identifier: LGPL-2.1-or-later
// Changing the number of legs offline (mdadm --grow --raid-devices, lvconvert
// -m): add_leg() joins a new device in a free slot as rebuilding, copies and
// verifies it like replace, and only then makes it in sync (redundancy never
// drops; a killed run leaves a rebuilding leg that `resync` finishes).
// remove_leg() retires a slot: recorded removed on the legs that stay and on
// the removed leg itself (so it is never assembled again by accident);
// refused for the last in-sync leg, and for the one that would leave a
// single in-sync copy unless forced.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/replace.h>
#include <dmirror/result.h>

#include <span>

namespace dmirror {

// ReplaceOptions apply (force: accept another array's leg as the new one;
// degraded; rate, progress, cancel, checkpoints); `restart` is not used. The report's
// old_slot is kNoSlot.
DMIRROR_EXPORT Result<ReplaceReport> add_leg(std::span<BlockDevice* const> legs, BlockDevice& new_device,
                                             const ReplaceOptions& options = {});

// add_spare(): `new_device` becomes a spare of the array (FORMAT.md 2.3,
// 2.6 rule 23): a free slot says spare on every member and on the device,
// which holds no data, is not a member and is written again only when a
// replace or add uses it. Sets incompat SPARES. ReplaceOptions: force
// (accept another array's leg), degraded (rule 11). The report's new_slot
// is the spare's slot. Errors as add_leg, and Exists when the device is a
// member or a spare of this array already.
DMIRROR_EXPORT Result<ReplaceReport> add_spare(std::span<BlockDevice* const> legs, BlockDevice& new_device,
                                               const ReplaceOptions& options = {});

// The leg flags a spare's slot keeps when a replace of `leaving` (kNoSlot:
// an add) uses it (FORMAT.md 2.3): write-mostly, as `set` gave it, unless
// the other members staying would all be write-mostly too (the kernel
// refuses a raid1 table of write-mostly legs only; the flag is dropped
// then). 0 when `slot` is not a spare.
DMIRROR_EXPORT uint32_t spare_flags_kept(const Superblock& sb, uint32_t slot, uint32_t leaving);

// incompat SPARES is carried only while the leg table lists a spare
// (FORMAT.md 2.2): every commit calls this, so the commit that uses or
// retires the last spare clears it and older versions take the array again.
DMIRROR_EXPORT void settle_spares_bit(Superblock& sb);

// Whether removing `slot` would leave members that are all write-mostly
// (the kernel refuses such a raid1 table, and `set` refuses that state):
// remove refuses it, offline and online.
DMIRROR_EXPORT bool leaves_only_write_mostly(const Superblock& sb, uint32_t slot);

struct RemoveOptions {
  bool force = false;   // allow leaving a single in-sync leg
  // Another in-sync (replacing, rebuilding) member than the one removed is
  // absent: go on and record it missing (FORMAT.md 2.6 rule 11). Without it
  // the removal is refused (Refused).
  bool degraded = false;
};

struct RemoveReport {
  uint32_t slot = kNoSlot;
  bool leg_present = false;        // the removed leg was given and now says removed
  uint32_t in_sync_left = 0;       // in-sync legs in the table afterwards
  Uuid split_uuid;                 // a split slot (FORMAT.md 2.6 rule 24): the array split off from it, now
                                   // independent (nil otherwise)
  Findings findings;
};

// Errors: InvalidArgument (not a slot in use), Refused (the last in-sync
// leg; a single copy left without force; a replace in progress; an unclean
// array: resync first), Busy (online volume).
DMIRROR_EXPORT Result<RemoveReport> remove_leg(std::span<BlockDevice* const> legs, uint32_t slot,
                                               const RemoveOptions& options = {});

}  // namespace dmirror
