// SPDX-License-Identifier: LGPL-2.1-or-later
// One on-disk journal block (4 KiB). See FORMAT.md, "Journal".
#pragma once

#include <cstddef>
#include <cstdint>

namespace dmirror::ondisk {

inline constexpr char kJournalMagic[8] = {'D', 'M', 'I', 'R', 'J', 'R', 'N', 'L'};

struct JournalBlockHeader {     // 64 bytes, little-endian, then 4032 bytes of bits
  char magic[8];                // 0  "DMIRJRNL"
  uint64_t seq;                 // 8  version of this block; higher wins
  uint8_t array_uuid[16];       // 16
  uint32_t block_index;         // 32
  uint32_t slot;                // 36 0 or 1
  uint64_t first_region;        // 40
  uint32_t nr_bits;             // 48 regions covered by this block
  uint32_t reserved[2];         // 52
  uint32_t checksum;            // 60 CRC32C of the whole 4 KiB block with this field zero
};
static_assert(sizeof(JournalBlockHeader) == 64);
static_assert(offsetof(JournalBlockHeader, seq) == 8);
static_assert(offsetof(JournalBlockHeader, array_uuid) == 16);
static_assert(offsetof(JournalBlockHeader, block_index) == 32);
static_assert(offsetof(JournalBlockHeader, first_region) == 40);
static_assert(offsetof(JournalBlockHeader, nr_bits) == 48);
static_assert(offsetof(JournalBlockHeader, checksum) == 60);

}  // namespace dmirror::ondisk
