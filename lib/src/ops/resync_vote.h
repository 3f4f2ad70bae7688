// SPDX-License-Identifier: LGPL-2.1-or-later
// The source of a dirty region's copy (FORMAT.md 2.6 rule 21): a region
// dirty in the journal may differ between legs, and any copy of a write
// that was never acknowledged is valid there; but a write that was
// acknowledged is on every leg, so when a strict majority of the in-sync
// legs agree and the source does not, the source's copy is the odd one
// (rot, a torn rewrite) and the majority wins — the rule scrub applies
// (compare.h). With fewer than three in-sync legs there is no vote.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>

#include "engine/leg_set.h"

namespace dmirror::ops {

// The unit of the vote: 1 MiB (the region when smaller), aligned from the
// start of the data area. The resync and a read-only read of a dirty region
// vote on the same chunks, so a read before the recovery returns what the
// recovery keeps.
inline uint64_t vote_chunk(const Superblock& sb) {
  return std::max<uint64_t>(std::min<uint64_t>(uint64_t{1} << 20, sb.region_size), 4096);
}

// Reads [pos, pos + len) from every leg of `voters`; returns the lowest slot
// of a strict majority of the legs that read it, or kNoSlot (no majority,
// fewer than three readers). Read errors only take a leg out of the vote.
uint32_t majority_of(engine::LegSet& set, std::span<const uint32_t> voters, uint64_t pos, uint64_t len);

}  // namespace dmirror::ops
