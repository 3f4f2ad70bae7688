// SPDX-License-Identifier: LGPL-2.1-or-later
// Internal to assemble(): mapping the legs found onto the slots of the newest
// superblock, and grading the array's health from what is missing, stale,
// failed or damaged.
#pragma once

#include <dmirror/array.h>

namespace dmirror::array {

// Finding codes that make an array degraded (exit bit 2 in the tool).
inline constexpr std::string_view kLegMissing = "leg-missing";
inline constexpr std::string_view kLegStale = "leg-stale";
inline constexpr std::string_view kLegFailed = "leg-failed";
inline constexpr std::string_view kLegRebuilding = "leg-rebuilding";
inline constexpr std::string_view kResyncPending = "resync-pending";

// REQUIRES: view.sb is the newest superblock and view.legs are filled in;
// `members` are the indexes of the legs belonging to view.sb's array.
// Fills slot_to_leg, the stale bits, the findings and the health.
void judge_health(ArrayView& view, const std::vector<size_t>& members);

}  // namespace dmirror::array
