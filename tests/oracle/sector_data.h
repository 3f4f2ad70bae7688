// SPDX-License-Identifier: LGPL-2.1-or-later
// The contents the oracle writes: every 512-byte sector of write number `id`
// at data-area sector `s` carries (magic, id, s) and a pattern derived from
// them, so any sector read back names the write it came from, or is
// recognisably garbage (bit rot, a misdirected or torn-inside-a-sector
// write). Id 0 is the all-zero sector of a new array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace dmirror::oracle {

inline constexpr uint64_t kSector = 512;
inline constexpr uint64_t kGarbage = UINT64_MAX;

// Fills `out` (a multiple of kSector) with write `id` starting at sector `first`.
void fill_sectors(uint64_t id, uint64_t first, std::span<std::byte> out);
// The write id of one sector found at data-area sector `s`: 0 for zeros,
// kGarbage when it is neither zeros nor exactly what write `id` put at `s`.
uint64_t decode_sector(std::span<const std::byte> sector, uint64_t s);

}  // namespace dmirror::oracle
