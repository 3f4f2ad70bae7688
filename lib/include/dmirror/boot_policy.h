// SPDX-License-Identifier: LGPL-2.1-or-later
// The array's boot policy (compat BOOT_POLICY, FORMAT.md 2 and 2.2): how
// long incremental assembly at boot waits for missing legs before the
// last-resort degraded activation (mdadm's mdadm-last-resort@.timer waits
// 30 s), or never. Read it with degraded_timeout(); write it with
// set_degraded_timeout() (what a settings command calls) or at create
// (CreateOptions::degraded_timeout).
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dmirror {

/// The effective timeout in seconds; nullopt = never activate degraded at boot.
DMIRROR_EXPORT std::optional<uint32_t> degraded_timeout(const Superblock& sb);

/// The raw field for "SECONDS", "never" or "default" (0): InvalidArgument for
/// anything else, 0 seconds, or more than 4294967294 seconds.
DMIRROR_EXPORT Result<uint32_t> parse_degraded_timeout(std::string_view text);

/// "30 s (default)", "45 s", "never": the raw field in words.
DMIRROR_EXPORT std::string degraded_timeout_text(uint32_t raw);

/// Writes `raw` (a value of parse_degraded_timeout) into every present
/// leg's superblocks with one commit (sets BOOT_POLICY). The caller holds
/// the array lock. Refused (Busy) while the array is an active online
/// volume (its superblocks are then the kernel hand-off's: deactivate
/// first); with a member absent only with `allow_degraded` (the absent leg
/// is recorded missing, as every writer does). Returns the superblock as
/// committed.
DMIRROR_EXPORT Result<Superblock> set_degraded_timeout(std::span<BlockDevice* const> legs, uint32_t raw,
                                                       bool allow_degraded);

}  // namespace dmirror
