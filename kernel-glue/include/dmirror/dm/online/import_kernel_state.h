// SPDX-License-Identifier: LGPL-2.1-or-later
// The way back from the kernel to our metadata (FORMAT.md §6, "Offline
// tools"): while KERNEL_OWNS_SYNC is set the kernel metadata area of each
// leg is authoritative for sync state. Importing it turns the kernel's
// failed bits into failed legs, an unfinished recovery into a rebuilding
// leg, the md bitmap's set bits into dirty regions of our journal and an
// unfinished array resync into our resync_offset, then clears
// KERNEL_OWNS_SYNC and DIRTY in one superblock update. Deactivation,
// activation after an unclean shutdown, and every offline command that
// meets the flag go through it. The volume must not be active.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/dm/online/array_legs.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace dmirror::dm {

struct ImportOptions {
  /// The raid status read just before the device was removed (deactivate):
  /// its health chars ('D' = failed) are merged with the on-disk view.
  std::optional<RaidStatus> final_status;
  /// Import even when KERNEL_OWNS_SYNC is clear (tests, repair).
  bool always = false;
};

struct ImportReport {
  bool imported = false;              // the flag was set (or `always`) and the flags are now clear
  std::vector<uint32_t> failed;       // slots newly recorded failed
  std::vector<uint32_t> rebuilding;   // slots the kernel had not finished recovering
  std::vector<uint32_t> recovered;    // rebuilding slots the kernel finished
  uint64_t dirty_regions = 0;         // regions now dirty in our journal because of the kernel
  uint64_t resync_offset = UINT64_MAX;  // our resync_offset afterwards
  std::vector<std::string> notes;
};

/// Imports into `legs` (every present leg is read and written).
DMIRROR_EXPORT Result<ImportReport> import_kernel_state(ArrayLegs& legs, const ImportOptions& options = {});

/// For offline commands: when the newest superblock of `legs` says
/// KERNEL_OWNS_SYNC, checks that no dm device of the array exists (Busy
/// otherwise: "deactivate it first") and imports. A no-op (imported =
/// false) when the flag is clear. Where device-mapper is not available no
/// device can exist, and the import proceeds.
DMIRROR_EXPORT Result<ImportReport> import_kernel_state_offline(std::span<BlockDevice* const> legs);

}  // namespace dmirror::dm
