// SPDX-License-Identifier: LGPL-2.1-or-later
// Codec for the md write-intent bitmap as dm-raid stores it: bitmap_super_t
// (256 bytes, little-endian) at +4096 of the kernel metadata area, followed
// by one bit per region in little-endian bit order (docs/kernel-facts.md §3).
#pragma once

#include <dmirror/export.h>
#include <dmirror/result.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace dmirror::dm {

inline constexpr uint32_t kBitmapMagic = 0x6d746962;  // "bitm" on disk
inline constexpr size_t kBitmapSuperSize = 256;
inline constexpr uint32_t kBitmapStateStale = 0x2;
inline constexpr uint32_t kBitmapStateWriteError = 0x4;
inline constexpr uint32_t kBitmapStateHostEndian = 0x8000;
inline constexpr uint64_t kBitmapMaxChunks = uint64_t{1} << 21;

struct BitmapSuper {
  uint32_t magic = 0;                 // 0
  uint32_t version = 0;               // 4   dm-raid writes 4
  std::array<uint8_t, 16> uuid{};     // 8   all zero for dm-raid
  uint64_t events = 0;                // 24
  uint64_t events_cleared = 0;        // 32
  uint64_t sync_size = 0;             // 40  sectors covered
  uint32_t state = 0;                 // 48
  uint32_t chunksize = 0;             // 52  bytes per region
  uint32_t daemon_sleep = 0;          // 56  seconds
  uint32_t write_behind = 0;          // 60
  uint32_t sectors_reserved = 0;      // 64
  uint32_t nodes = 0;                 // 68
  std::array<uint8_t, 64> cluster_name{};  // 72

  /// ceil(sync_size / (chunksize / 512)); 0 when chunksize is invalid.
  DMIRROR_EXPORT uint64_t chunk_count() const;
  /// Bytes of bits: ceil(chunk_count / 8).
  uint64_t bits_bytes() const { return (chunk_count() + 7) / 8; }
  friend bool operator==(const BitmapSuper&, const BitmapSuper&) = default;
};

DMIRROR_EXPORT Result<BitmapSuper> decode_bitmap_super(std::span<const std::byte> bytes);
/// Writes 256 bytes (the pad is zeroed). REQUIRES: out.size() >= 256.
DMIRROR_EXPORT void encode_bitmap_super(const BitmapSuper& sb, std::span<std::byte> out);
/// The kernel's load checks: magic, version 3..5, chunksize a power of two
/// >= 512, write_behind <= 16383, zero uuid, chunk count <= 2^21.
[[nodiscard]] DMIRROR_EXPORT Status validate_bitmap_super(const BitmapSuper& sb);

/// Bit operations on the bits area (which starts right after the 256-byte
/// superblock). Region r is byte r/8, bit r%8.
DMIRROR_EXPORT bool region_bit(std::span<const std::byte> bits, uint64_t region);
DMIRROR_EXPORT void set_region_bit(std::span<std::byte> bits, uint64_t region, bool dirty);
/// Indices of set bits below `chunks`.
DMIRROR_EXPORT std::vector<uint64_t> dirty_regions(std::span<const std::byte> bits, uint64_t chunks);

}  // namespace dmirror::dm
