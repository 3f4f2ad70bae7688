// SPDX-License-Identifier: LGPL-2.1-or-later
// majority_of (see resync_vote.h).
#include "ops/resync_vote.h"

#include <cstring>
#include <vector>

#include "ops/leg_io.h"

namespace dmirror::ops {

uint32_t majority_of(engine::LegSet& set, std::span<const uint32_t> voters, uint64_t pos, uint64_t len) {
  if (voters.size() < 3) return kNoSlot;
  std::vector<std::vector<std::byte>> copies;
  std::vector<uint32_t> readers;
  for (uint32_t s : voters) {
    std::vector<std::byte> buf(len);
    if (!read_leg_data(set, s, pos, buf)) continue;
    copies.push_back(std::move(buf));
    readers.push_back(s);
  }
  if (readers.size() < 3) return kNoSlot;
  for (size_t i = 0; i < readers.size(); ++i) {
    size_t agree = 0;
    for (size_t j = 0; j < readers.size(); ++j)
      agree += std::memcmp(copies[i].data(), copies[j].data(), len) == 0 ? 1 : 0;
    // Voters are in slot order, so the first of a majority is its lowest slot.
    if (agree * 2 > readers.size()) return readers[i];
  }
  return kNoSlot;
}

}  // namespace dmirror::ops
