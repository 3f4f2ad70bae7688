// SPDX-License-Identifier: LGPL-2.1-or-later
// Comparator: reads one chunk of the data area from several legs, decides
// whether they agree, and if not builds the located, classified Mismatch
// with the source chosen by the repair rules (explicit slot; for a region
// dirty in the journal the primary leg; a strict majority; else the lowest
// slot). Shared by verify and scrub. Memory: one chunk per leg.
#pragma once

#include <dmirror/verify.h>

#include <optional>
#include <span>
#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

class Comparator {
 public:
  Comparator(engine::LegSet& set, uint64_t chunk_bytes);
  uint64_t chunk() const { return chunk_; }

  // REQUIRES: len <= chunk(). A read error is returned with the slot that failed in `failed_slot`.
  Result<std::optional<Mismatch>> compare(uint64_t pos, uint64_t len, std::span<const uint32_t> slots,
                                          const RepairChoice& choice, uint32_t* failed_slot = nullptr);
  // Writes the chosen content over every differing leg (not flushed).
  void repair(const Mismatch& m, std::vector<engine::LegError>& errors);

 private:
  MismatchClass classify(const Mismatch& m, std::span<const uint32_t> slots, uint64_t pos) const;
  std::span<std::byte> buf(uint32_t slot, uint64_t len) { return std::span(bufs_[slot].data(), len); }

  engine::LegSet& set_;
  uint64_t chunk_;
  uint64_t pos_ = 0;
  std::vector<std::vector<std::byte>> bufs_;
};

}  // namespace dmirror::ops
