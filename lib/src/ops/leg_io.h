// SPDX-License-Identifier: LGPL-2.1-or-later
// Chunk-level helpers shared by resync, scrub, verify and replace: read a
// range of the data area from a source leg (falling back to the other
// in-sync legs on an error), write it to target legs, flush targets, and
// fail the legs that errored (never the last in-sync one).
#pragma once

#include <span>
#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

using engine::LegError;
using engine::LegSet;

// Reads [pos, pos + buf.size()) of the data area. Tries `src` first, then
// every other in-sync leg; the legs that failed are added to `bad`.
// Returns the slot that served the data.
Result<uint32_t> read_from_any(LegSet& set, uint32_t src, uint64_t pos, std::span<std::byte> buf,
                               std::vector<uint32_t>& bad);
// Reads from exactly `slot`.
[[nodiscard]] Status read_leg_data(LegSet& set, uint32_t slot, uint64_t pos, std::span<std::byte> buf);

void write_targets(LegSet& set, std::span<const uint32_t> targets, uint64_t pos, std::span<const std::byte> data,
                   std::vector<LegError>& errors);
void flush_targets(LegSet& set, std::span<const uint32_t> targets, std::vector<LegError>& errors);

// Fails the errored legs (recorded in the survivors' superblocks), removes
// them from `targets` and adds them to `failed`. Errors: the last in-sync
// leg errored; TooSmall: a leg's file system is out of space (ENOSPC,
// EDQUOT: that leg is not failed and keeps its state; lose_legs.h).
[[nodiscard]] Status settle_errors(LegSet& set, std::vector<LegError>& errors, std::vector<uint32_t>& targets,
                                   std::vector<uint32_t>* failed = nullptr);

}  // namespace dmirror::ops
