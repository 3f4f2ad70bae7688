// SPDX-License-Identifier: LGPL-2.1-or-later
// Operations on one leg's kernel metadata area (the dm-raid superblock at
// +0 and the md bitmap at +4096), read and written through a BlockDevice at
// the area's byte offset. All I/O is done in 4 KiB-aligned units from
// aligned buffers, so O_DIRECT devices work (docs/kernel-facts.md §4: buffered reads
// of an active set return stale data).
//
// Writers must only run while the volume is not active.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/dm/md_bitmap.h>
#include <dmirror/dm/raid_superblock.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace dmirror::dm {

inline constexpr uint64_t kBitmapSuperOffset = 4096;
inline constexpr uint64_t kBitmapBitsOffset = kBitmapSuperOffset + kBitmapSuperSize;

/// Smallest area that holds the superblock and a bitmap for `data_sectors`
/// in regions of `region_sectors`: 4096 + roundup(256 + ceil(regions/8), 4096).
DMIRROR_EXPORT uint64_t kernel_metadata_min_size(uint64_t data_sectors, uint64_t region_sectors);

struct KernelMetadataState {
  bool is_new = true;  // no "DmRd" magic: the kernel will treat the leg as new
  std::optional<RaidSuperblock> superblock;
  uint64_t events = 0;
  std::vector<uint32_t> failed_slots;
  uint64_t disk_recovery_offset = 0;
  uint64_t array_resync_offset = 0;
  std::optional<BitmapSuper> bitmap;      // absent when new or no bitmap yet
  std::vector<uint64_t> dirty_regions;   // set bits, ascending

  /// Not new, leg and array offsets are kMaxSector, no dirty region.
  DMIRROR_EXPORT bool clean() const;
};

/// Reads the area. A zeroed/foreign block 0 gives is_new; a present but
/// unusable superblock or bitmap gives Corruption/Unsupported.
DMIRROR_EXPORT Result<KernelMetadataState> read_kernel_metadata(BlockDevice& dev, uint64_t area_offset);

/// Sets array_resync_offset = 0 (8 bytes at +40), nothing else, so the next
/// activation resyncs every region whose bitmap bit is set. A new (zeroed)
/// area is left alone. Flushes.
[[nodiscard]] DMIRROR_EXPORT Status force_resync_of_dirty_regions(BlockDevice& dev, uint64_t area_offset);

/// Sets the bits of `regions` in the md bitmap (REQUIRES an existing valid
/// bitmap; regions beyond its chunk count are InvalidArgument). Flushes.
[[nodiscard]] DMIRROR_EXPORT Status mark_regions_dirty(BlockDevice& dev, uint64_t area_offset,
                                                       std::span<const uint64_t> regions);

/// Zeroes the superblock block and the bitmap superblock (the first 8 KiB),
/// so the next activation takes the kernel's first-use path. Flushes.
[[nodiscard]] DMIRROR_EXPORT Status zero_kernel_metadata(BlockDevice& dev, uint64_t area_offset);

}  // namespace dmirror::dm
