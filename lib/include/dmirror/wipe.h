// SPDX-License-Identifier: LGPL-2.1-or-later
// Wiping a leg (mdadm --zero-superblock, zpool labelclear): zeroing the
// metadata areas that identify it as a dmirror leg — both superblock copies,
// the journal, the event history and the kernel metadata area (FORMAT.md
// section 1) — never the data area. Afterwards read_leg() says NotDmirror
// and `create` takes the device without --force.
//
// plan_wipe() decides, reading only; wipe_leg() writes. A caller wiping
// several legs plans every one first, so that a refusal of any of them
// leaves all of them untouched. The caller holds the array lock.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>
#include <dmirror/uuid.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dmirror {

struct WipeOptions {
  // Wipe a leg its own table records as holding the array's data (in_sync,
  // rebuilding, replacing), a leg whose metadata cannot be read, and
  // succeed on a device with nothing to wipe. Never overrides an active
  // volume or another signature.
  bool force = false;
  // The active online volume of the leg's array, when the caller found one
  // (device-mapper): refused whatever `force` says.
  std::string active_volume;
  // What keeps the leg, judged by the one assembly over the legs of its
  // array the caller found (wipe_hold in assembly.h); refused unless
  // `force` when not None. Unset: the leg's own table decides (in_sync,
  // rebuilding or replacing there is a hold; spare is one too: `remove` it).
  std::optional<WipeHold> hold;
  size_t legs_found = 0;   // other legs of the array the hold was judged with (for the message)
};

// One area to zero, in bytes from the start of the leg.
struct WipeArea {
  std::string what;        // "superblock copy 0", "journal", "event history", "kernel metadata"
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct WipePlan {
  std::string path;
  bool has_metadata = false;       // false: nothing to wipe (only with force)
  bool readable = false;           // the superblock could be read (else the v1 layout is used)
  std::string array_name;          // when readable
  Uuid array_uuid;
  uint32_t slot = 0;
  LegState state = LegState::Unused;   // the leg's state in its own table
  std::vector<WipeArea> areas;
  DMIRROR_EXPORT uint64_t bytes() const;
};

// Reads `dev` (opened at `path`) and decides what to zero. Refusals:
// Busy (an active volume holds the array), Refused (the leg holds the
// array's data: in_sync, rebuilding or replacing in its own table; unless
// force), NotDmirror (no dmirror superblock; unless force), Corruption /
// Unsupported (metadata that cannot be read; unless force),
// ForeignSignature (libblkid sees another signature: never touched).
DMIRROR_EXPORT Result<WipePlan> plan_wipe(BlockDevice& dev, const std::string& path, const WipeOptions& options = {});

// Zeroes the plan's areas (the journal, events and kernel metadata first,
// the superblock copies last, so that an interrupted wipe leaves a leg whose
// journal reads as damaged — every region dirty — and can be wiped again),
// flushing before it returns.
[[nodiscard]] DMIRROR_EXPORT Status wipe_leg(BlockDevice& dev, const WipePlan& plan);

}  // namespace dmirror
