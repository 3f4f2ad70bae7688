// SPDX-License-Identifier: LGPL-2.1-or-later
// Codec for the dm-raid per-leg superblock (struct dm_raid_superblock,
// 148 bytes, little-endian, at byte 0 of each leg's kernel metadata area;
// docs/kernel-facts.md §2.3). Pure functions over byte buffers.
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dmirror::dm {

inline constexpr uint32_t kDmRaidMagic = 0x64526D44;  // "DmRd" on disk
inline constexpr size_t kRaidSuperblockSize = 148;
inline constexpr uint64_t kMaxSector = ~uint64_t{0};
inline constexpr uint32_t kRaidFeatureSupportsV190 = 0x1;
inline constexpr uint32_t kRaidSbFlagReshapeActive = 0x1;
inline constexpr uint32_t kRaidSbFlagReshapeBackwards = 0x2;

// Byte offsets of the fields the product rewrites.
inline constexpr size_t kRaidSbOffsetEvents = 16;
inline constexpr size_t kRaidSbOffsetArrayResyncOffset = 40;

struct RaidSuperblock {
  uint32_t magic = 0;                  // 0
  uint32_t compat_features = 0;        // 4
  uint32_t num_devices = 0;            // 8
  uint32_t array_position = 0;         // 12
  uint64_t events = 0;                 // 16
  uint64_t failed_devices = 0;         // 24  slots 0..63
  uint64_t disk_recovery_offset = 0;   // 32  kMaxSector = leg in sync
  uint64_t array_resync_offset = 0;    // 40  kMaxSector = array in sync
  uint32_t level = 0;                  // 48
  uint32_t layout = 0;                 // 52
  uint32_t stripe_sectors = 0;         // 56
  uint32_t flags = 0;                  // 60
  uint64_t reshape_position = 0;       // 64
  uint32_t new_level = 0;              // 72
  uint32_t new_layout = 0;             // 76
  uint32_t new_stripe_sectors = 0;     // 80
  int32_t delta_disks = 0;             // 84
  uint64_t array_sectors = 0;          // 88
  uint64_t data_offset = 0;            // 96
  uint64_t new_data_offset = 0;        // 104
  uint64_t sectors = 0;                // 112
  std::array<uint64_t, 3> extended_failed_devices{};  // 120  slots 64..255
  uint32_t incompat_features = 0;      // 144

  /// Bit `slot` of the failed bitmaps (64-bit word + 3 extended words).
  DMIRROR_EXPORT bool slot_failed(uint32_t slot) const;
  DMIRROR_EXPORT void set_slot_failed(uint32_t slot, bool failed);
  DMIRROR_EXPORT std::vector<uint32_t> failed_slots() const;
  friend bool operator==(const RaidSuperblock&, const RaidSuperblock&) = default;
};

/// Decodes the first 148 bytes; does not validate. InvalidArgument if short.
DMIRROR_EXPORT Result<RaidSuperblock> decode_raid_superblock(std::span<const std::byte> bytes);

/// Writes the 148 bytes into `out` (REQUIRES: out.size() >= 148); bytes past
/// 148 are left alone.
DMIRROR_EXPORT void encode_raid_superblock(const RaidSuperblock& sb, std::span<std::byte> out);

/// The kernel's own checks: magic (NotDmirror if absent), compat features
/// other than V190 and any incompat feature (Unsupported).
[[nodiscard]] DMIRROR_EXPORT Status validate_raid_superblock(const RaidSuperblock& sb);

}  // namespace dmirror::dm
