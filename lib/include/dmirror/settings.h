// SPDX-License-Identifier: LGPL-2.1-or-later
// The kernel options an administrator changes on an existing array (dm-raid
// `write_mostly` and `min/max_recovery_rate`, LVM's `lvchange --writemostly`
// and `--minrecoveryrate/--maxrecoveryrate`): leg flag bit 0 and the
// superblock fields at 304/312 (FORMAT.md 2, 2.3). apply_settings() checks
// a change and applies it to a superblock in memory (shared by the offline
// commit below and the online reload in kernel-glue); change_settings()
// commits it offline. Two settings are ours alone, not the kernel's: the
// spare policy (compat SPARE_POLICY, spare_policy.h) and the degraded
// timeout (compat BOOT_POLICY, boot_policy.h); online they need no reload.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/result.h>
#include <dmirror/spare_policy.h>
#include <dmirror/superblock.h>

#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace dmirror {

/// The largest recovery rate the kernel takes (INT_MAX KiB/s, dm-raid).
inline constexpr uint64_t kMaxRecoveryRate = 0x7fffffff;

struct SettingsChange {
  std::vector<std::pair<uint32_t, bool>> write_mostly;  // slot, on (true) or off
  std::optional<uint64_t> min_recovery_rate;             // KiB/s per leg; 0 = unset (kernel default)
  std::optional<uint64_t> max_recovery_rate;
  // Our own settings (no kernel option: online, no table reload).
  std::optional<SparePolicy> spare_takeover;   // compat SPARE_POLICY (spare_policy.h)
  std::optional<uint32_t> degraded_timeout;    // compat BOOT_POLICY, a value of parse_degraded_timeout()
  bool empty() const {
    return write_mostly.empty() && !min_recovery_rate && !max_recovery_rate && !spare_takeover && !degraded_timeout;
  }
  // Only settings the kernel's table does not carry.
  bool table_unchanged() const { return write_mostly.empty() && !min_recovery_rate && !max_recovery_rate; }
};

struct SettingsReport {
  Superblock before;                  // the settings as they were
  Superblock sb;                      // as committed (== before when unchanged)
  std::vector<std::string> changes;   // one line per setting changed; empty: nothing to do
};

/// Checks `change` against `sb` and applies it. Errors, with `sb` left
/// untouched: InvalidArgument (a slot not in use, the same slot both on and
/// off, a rate above kMaxRecoveryRate, min above max once applied); Refused
/// (every in-sync leg would be write-mostly: nothing could serve reads, and
/// the kernel refuses such a table). A failed or missing leg may be marked:
/// the flag applies when it is back in the table. Returns what changed.
DMIRROR_EXPORT Result<std::vector<std::string>> apply_settings(Superblock& sb, const SettingsChange& change);

/// Offline: assembles the legs, applies the change and commits one
/// superblock update (nothing is written when nothing changes). The commit
/// records an absent member missing (FORMAT.md 2.6 rule 11), so it is
/// refused with a member absent unless `allow_degraded`. Errors: those of
/// apply_settings, Busy (KERNEL_OWNS_SYNC: an online volume owns the
/// array), Refused (a member is absent without allow_degraded), Stale (no
/// leg can take the update), Io.
DMIRROR_EXPORT Result<SettingsReport> change_settings(std::span<BlockDevice* const> legs, const SettingsChange& change,
                                                      bool allow_degraded = false);

/// Copies the settings of `from` (write-mostly flags, kernel options, spare
/// policy, degraded timeout and their feature bits) into `to`: what a
/// commit of apply_settings()'s result writes.
DMIRROR_EXPORT void copy_settings(const Superblock& from, Superblock& to);

/// "50 MiB/s" for a rate in KiB/s; "kernel default" for 0.
DMIRROR_EXPORT std::string recovery_rate_text(uint64_t kib_per_second);

}  // namespace dmirror
