// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers shared by the libFuzzer targets: a valid superblock whose areas
// start at byte 0 of a small in-memory device (so the fuzz input is the
// area itself), a reader of little-endian parameters from the front of the
// input, and a check that aborts (a libFuzzer crash) when a property fails.
#pragma once

#include <dmirror/array.h>
#include <dmirror/journal.h>
#include <dmirror/superblock.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace dmirror::fuzz {

#define DMIRROR_FUZZ_CHECK(cond)                                            \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                         \
    }                                                                       \
  } while (0)

// Consumes `n` bytes (little-endian) from the front of `in`; missing bytes are 0.
inline uint64_t take_le(std::span<const uint8_t>& in, size_t n) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!in.empty()) {
      v |= uint64_t{in.front()} << (8 * i);
      in = in.subspan(1);
    }
  }
  return v;
}

// A valid v1 superblock for `nr_regions` regions with the journal and the
// event history both at offset 0 (the fuzzers load one area at a time).
inline Superblock area_superblock(uint64_t nr_regions, uint64_t events_size) {
  Superblock sb;
  sb.name = "fuzz";
  for (int i = 0; i < 16; ++i) sb.array_uuid.bytes[i] = static_cast<uint8_t>(0xA0 + i);
  sb.nr_legs = 2;
  sb.region_size = 4096;
  sb.nr_regions = nr_regions;
  sb.layout.journal_offset = 0;
  sb.layout.journal_size = journal_bytes_needed(nr_regions);
  sb.layout.events_offset = 0;
  sb.layout.events_size = events_size;
  sb.layout.data_offset = kDataOffset;
  sb.layout.data_size = nr_regions * 4096;
  return sb;
}

}  // namespace dmirror::fuzz
