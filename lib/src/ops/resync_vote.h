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
#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

// The unit of the vote's reads: 1 MiB (the region when smaller), aligned
// from the start of the data area. Within it each block of the array
// (logical_block_size) is decided on its own, so rot in different blocks of
// one chunk on different legs is outvoted block by block. The resync and a
// read-only read of a dirty region vote the same way, so a read before the
// recovery returns what the recovery keeps.
inline uint64_t vote_chunk(const Superblock& sb) {
  return std::max<uint64_t>(std::min<uint64_t>(uint64_t{1} << 20, sb.region_size), 4096);
}

// A stretch of a chunk whose blocks one leg wins.
struct VoteRun {
  uint64_t pos = 0;
  uint64_t len = 0;
  uint32_t winner = kNoSlot;   // a leg holding the copy kept (see vote_runs); kNoSlot: none
  uint32_t voters = 0;         // the legs that read it (bit mask)
  uint32_t differ = 0;         // the readers whose copy is not the majority's (bit mask); with
                               // no winner: every reader (a tie), or 0 (no vote: < 3 readers)
};

// Reads [pos, pos + len) from every leg of `voters` (slot order) and decides
// each block, among the legs that read it: the copy a strict majority
// holds; else `prefer`'s copy when another leg holds it too; else the copy
// of the largest group of two or more legs (lowest slot first). A copy two
// legs hold is not rot (rot does not repeat itself across legs); a copy
// only one leg holds may be. When every leg holds a different copy there
// is no winner (a tie). `prefer` is the winner whenever its copy is the
// one kept. Runs cover
// [pos, pos + len) in order; adjacent blocks with the same outcome are one
// run. With fewer than three readers, one run with no winner. Read errors
// only take a leg out of the vote.
// `min_readers` 2 compares two legs too (to report where they differ; two
// legs decide nothing: a caller copies from its source there).
std::vector<VoteRun> vote_runs(engine::LegSet& set, std::span<const uint32_t> voters, uint64_t pos, uint64_t len,
                               uint32_t prefer = kNoSlot, size_t min_readers = 3);

}  // namespace dmirror::ops
