// SPDX-License-Identifier: LGPL-2.1-or-later
// ReadHealer: what verify and scrub do when a leg fails to read a chunk
// (md's fix_read_error, ZFS self-heal). The failing leg is re-read block by
// block; every block it still cannot read is rewritten from an in-sync leg
// that read it, flushed, read back and compared, but only when the
// evidence chooses the source: the leg the operator named (--from), or all
// the copies that read the block agree, or the region is dirty in the
// journal (a crash window: any in-sync copy is valid) or not yet reached by
// the initial sync. Otherwise the unreadable block is left alone (counted
// as a read error, reported as leg-read-error-no-evidence, its leg left out
// of that chunk's comparison): a copy of one leg's block must never become
// a vote for that leg. A block that reads back
// good is counted `corrected` (and `read_errors`) with a read-error-
// corrected event; a rewrite or read-back that fails counts a write error
// and fails the leg (never the last in-sync one: that is an error). A leg
// past the error threshold (error_window.h) is failed. Blocks the leg reads
// fine are never rewritten. A block no leg can read is reported (never
// replaced by zeros) and the chunk is left out of the comparison.
// A rewrite is not marked in the journal (FORMAT.md 1.1), for the reason a
// mismatch repair is not (compare.h): a mark would make the region a crash
// window, and a resync after a crash settles a crash window from the
// lowest in-sync slot, rot in its other blocks included, over the good
// copy. Torn by a power cut, a rewrite leaves each sector of the block the
// good data or still unreadable (sectors are written atomically and an
// unreadable sector never returns other data): the next read or check
// meets it again and heals it with the same evidence.
#pragma once

#include <dmirror/findings.h>

#include <vector>

#include "engine/leg_set.h"
#include "ops/chunk_reader.h"
#include "ops/error_window.h"

namespace dmirror::ops {

struct HealResult {
  uint64_t corrected = 0;          // blocks rewritten and read back good
  uint64_t unreadable = 0;         // blocks no leg could read
  std::vector<uint32_t> copies;    // slots whose data in the chunk was copied from another leg
  bool skip_compare = false;       // a block of the chunk is unreadable everywhere
  uint64_t unhealed = 0;           // blocks left unreadable: the other legs disagree, no evidence
  std::vector<uint32_t> unhealed_slots;   // their legs: left out of the chunk's comparison
  // `slots` without the legs left out of the comparison.
  std::vector<uint32_t> compared(const std::vector<uint32_t>& slots) const {
    std::vector<uint32_t> v;
    for (uint32_t s : slots)
      if (std::find(unhealed_slots.begin(), unhealed_slots.end(), s) == unhealed_slots.end()) v.push_back(s);
    return v;
  }
};

class ReadHealer {
 public:
  // `may_write` false (verify without --repair): nothing is rewritten or
  // failed; unreadable blocks are reported only. `from_slot`: the source
  // the operator named (--from), or kNoSlot.
  ReadHealer(engine::LegSet& set, bool may_write, uint32_t from_slot = kNoSlot);

  // Heals the read errors of `c` among `slots` (the in-sync legs it was read
  // from). Failed legs are removed from `slots`. Findings go to `out`.
  [[nodiscard]] Status heal(Chunk& c, std::vector<uint32_t>& slots, HealResult& res, Findings& out);


 private:
  bool rewrite(uint32_t slot, uint64_t pos, std::span<const std::byte> data, Error& err);

  engine::LegSet& set_;
  bool may_write_;
  uint32_t from_;
  ErrorWindow window_;
  uint64_t unit_;
};

}  // namespace dmirror::ops
