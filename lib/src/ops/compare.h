// SPDX-License-Identifier: LGPL-2.1-or-later
// Comparator: given one chunk of the data area as read from several legs
// (by a ChunkReader), decides whether they agree, and if not builds the
// located, classified Mismatch with the source chosen by the repair rules:
// the operator's slot (--from); a strict majority of the legs that read the
// chunk themselves; in a region dirty in the journal (crash window) or not
// yet reached by the initial sync, the lowest in-sync slot (md's rule:
// either copy is valid there). Otherwise there is no evidence for any copy
// and no source is chosen (source_slot = kNoSlot): the mismatch is reported
// and left alone. Shared by verify and scrub.
#pragma once

#include <dmirror/verify.h>

#include <array>
#include <optional>
#include <span>
#include <vector>

#include "engine/leg_set.h"
#include "ops/chunk_reader.h"

namespace dmirror::ops {

class Comparator {
 public:
  Comparator(engine::LegSet& set, uint64_t chunk_bytes);
  uint64_t chunk() const { return chunk_; }

  // Compares the copies of `c` held by `slots` (all read successfully).
  // `copies` (a subset of `slots`) hold data copied from another leg by the
  // read-error healer: they are compared but never vote. A region dirty
  // in the journal is a crash window (neither a heal rewrite nor a repair
  // marks a region).
  std::optional<Mismatch> compare(const Chunk& c, std::span<const uint32_t> slots, const RepairChoice& choice,
                                  std::span<const uint32_t> copies = {});
  // Writes the chosen content over every differing leg (not flushed; the
  // caller flushes them). Legs whose repair write failed go to `errors` (write_errors counted) for the caller
  // to settle. Each leg written counts the mismatch and the correction
  // (counters `mismatches` and `corrected`, FORMAT.md 2.7). True when every
  // differing leg was written.
  // The region is not marked in the journal first: a mark would make the
  // region look like a crash window, and a resync after a crash would then
  // settle it from the lowest slot — possibly the copy the repair was
  // undoing. A repair write torn by a power cut leaves each sector of the
  // target old or new (sectors are written atomically, FORMAT.md 1.1):
  // the target is no worse than before, and the next check finds the
  // mismatch again with the same evidence.
  // REQUIRES: `m` came from the last compare(), whose chunk is still valid.
  [[nodiscard]] bool repair(const Mismatch& m, std::vector<engine::LegError>& errors);

 private:
  MismatchClass classify(const Mismatch& m) const;

  engine::LegSet& set_;
  uint64_t chunk_;
  const Chunk* cur_ = nullptr;
  std::array<uint64_t, kMaxLegs> lost_{};        // per slot: region + 1 last counted in `mismatches`
  std::array<uint64_t, kMaxLegs> corrected_{};   // per slot: region + 1 last counted in `corrected`
};

}  // namespace dmirror::ops
