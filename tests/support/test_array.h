// SPDX-License-Identifier: LGPL-2.1-or-later
// Formats simulated legs as a dmirror array without going through paths
// (create_array() needs real files). Uses a compact but valid layout: the
// data area starts at 1 MiB, so a leg is 1 MiB + data size.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <span>
#include <string>

namespace dmirror::testing {

struct TestArrayOptions {
  uint32_t legs = 2;
  uint64_t data_size = 256 * 1024;
  uint64_t region_size = 4096;
  bool assume_clean = true;       // false: resync_offset = 0 (initial sync pending)
  std::string name = "test";
};

inline constexpr uint64_t kTestDataOffset = 1024 * 1024;
inline uint64_t test_leg_size(const TestArrayOptions& o) { return kTestDataOffset + o.data_size; }

Layout test_layout(uint64_t data_size, uint64_t nr_regions);

// Writes journal (all clear), the Created event and both superblock copies
// to every leg, then flushes. `legs.size()` must equal opts.legs. Returns
// the superblock of slot 0.
Result<Superblock> format_test_array(std::span<BlockDevice* const> legs, const TestArrayOptions& opts);

}  // namespace dmirror::testing
