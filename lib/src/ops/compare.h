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
  // read-error healer: they are compared but never vote.
  std::optional<Mismatch> compare(const Chunk& c, std::span<const uint32_t> slots, const RepairChoice& choice,
                                  std::span<const uint32_t> copies = {});
  // Writes the chosen content over every differing leg (not flushed).
  // REQUIRES: `m` came from the last compare(), whose chunk is still valid,
  // and has a source (m.source_slot != kNoSlot).
  void repair(const Mismatch& m, std::vector<engine::LegError>& errors);

 private:
  MismatchClass classify(const Mismatch& m) const;

  engine::LegSet& set_;
  uint64_t chunk_;
  const Chunk* cur_ = nullptr;
  std::array<uint64_t, kMaxLegs> counted_{};   // per slot: region + 1 last counted as a loss
};

}  // namespace dmirror::ops
