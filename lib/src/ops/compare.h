// SPDX-License-Identifier: LGPL-2.1-or-later
// Comparator: given one chunk of the data area as read from several legs
// (by a ChunkReader), decides whether they agree, and if not builds the
// located, classified Mismatch with the source chosen by the repair rules
// (explicit slot; for a region dirty in the journal the primary leg; a
// strict majority; else the lowest slot). Shared by verify and scrub.
#pragma once

#include <dmirror/verify.h>

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
  std::optional<Mismatch> compare(const Chunk& c, std::span<const uint32_t> slots, const RepairChoice& choice);
  // Writes the chosen content over every differing leg (not flushed).
  // REQUIRES: `m` came from the last compare(), whose chunk is still valid.
  void repair(const Mismatch& m, std::vector<engine::LegError>& errors);

 private:
  MismatchClass classify(const Mismatch& m, std::span<const uint32_t> slots, uint64_t pos) const;

  engine::LegSet& set_;
  uint64_t chunk_;
  const Chunk* cur_ = nullptr;
};

}  // namespace dmirror::ops
