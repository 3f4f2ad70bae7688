// SPDX-License-Identifier: LGPL-2.1-or-later
// Metadata the caller rewrote outside an operation (verify --repair's
// rewrite of a damaged superblock copy, leg.h repair_superblock_copies) is
// recorded in the event history like every other repair: a
// `metadata_repaired` event (FORMAT.md type 14, slot = the leg).
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <span>
#include <string>

namespace dmirror {

// Records the event on the array's legs (all of them, opened writable) and
// commits it. `detail` says what was rewritten. With an in-sync member
// absent the commit records it missing: refused (Refused) unless
// `allow_degraded` (FORMAT.md 2.6 rule 11).
[[nodiscard]] DMIRROR_EXPORT Status record_metadata_repaired(std::span<BlockDevice* const> legs, uint32_t slot,
                                                             const std::string& detail, bool allow_degraded = false);

}  // namespace dmirror
