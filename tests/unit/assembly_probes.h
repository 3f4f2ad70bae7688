// SPDX-License-Identifier: LGPL-2.1-or-later
// Probes for the pure assembly tests: an array's superblock as the writers
// leave it, and one leg's own copy of it, without devices.
#pragma once

#include <dmirror/assembly.h>

#include <string>

#include "support/canonical.h"

namespace dmirror {

inline constexpr uint64_t kLegSize = 64 * 1024 * 1024;

// An n-leg array at `seqno`, every leg in sync, MEMBERSHIP set, without
// GENERATION: these tests pin the rules as they were before generations
// (assembly_generation_test.cc covers rule 18).
inline Superblock array_sb(uint32_t n, uint64_t seqno) {
  Superblock sb = testing::canonical_superblock();
  sb.incompat &= ~feature::kIncompatGeneration;
  sb.generation = 0;
  sb.generation_history = {};
  sb.flags = 0;
  sb.seqno = seqno;
  sb.nr_legs = n;
  sb.resync_offset = kOffsetInSync;
  sb.last_scrub = {};
  sb.checkpoint = {};
  sb.journal_kept_since = 0;
  for (uint32_t i = 0; i < kMaxLegs; ++i) sb.legs[i] = LegEntry{};
  for (uint32_t i = 0; i < n; ++i) {
    sb.legs[i].uuid.bytes.fill(static_cast<uint8_t>(0x40 + i));
    sb.legs[i].state = LegState::InSync;
    sb.legs[i].device_size = kLegSize;
  }
  return sb;
}

// Leg `slot`'s own copy of `sb`.
inline LegProbe leg(const Superblock& sb, uint32_t slot, uint64_t dirty = 0) {
  LegProbe p;
  p.name = "leg" + std::to_string(slot);
  LegMetadata m;
  m.sb = sb;
  m.sb.slot = slot;
  m.sb.leg_uuid = sb.legs[slot].uuid;
  m.copies[0].state = m.copies[1].state = CopyState::Valid;
  p.meta = m;
  p.device_size = kLegSize;
  p.logical_block_size = sb.logical_block_size;
  p.journal = JournalSummary{dirty, false, {}};
  return p;
}

}  // namespace dmirror
