// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps of replace() (replace.cc): the identity of the leg being
// copied onto (replace_identity.cc) and the checkpointed copy and the
// verification against the source (replace_copy.cc).
#pragma once

#include <dmirror/replace.h>

#include <optional>
#include <string>

#include "engine/leg_set.h"

namespace dmirror::ops {

// The new device's checks (size, block size, not a member, not another
// array's leg unless o.force).
[[nodiscard]] Status check_new_device(const engine::LegSet& set, BlockDevice& dev, const ReplaceOptions& o);
// Writes the new leg's journal (the members' merged bits) and clears its
// event area, then attaches it to `slot`.
[[nodiscard]] Status prepare_new_leg(engine::LegSet& set, uint32_t slot, BlockDevice& dev);
// prepare_new_leg, then slot `slot` joins as rebuilding from 0 with a new
// leg uuid and `old_slot` turns replacing; the replace checkpoint and its
// `replace started` event are recorded. Commits.
[[nodiscard]] Status join(engine::LegSet& set, uint32_t old_slot, uint32_t slot, BlockDevice& dev);
// The first unused slot, else the first removed one.
std::optional<uint32_t> free_slot(const Superblock& sb);
// The slot `dev` holds as a spare of this array (FORMAT.md 2.6 rule 23): a
// replace or add onto it uses that slot.
std::optional<uint32_t> spare_slot_of(const Superblock& sb, BlockDevice& dev);
// Settles the dirty regions by the vote of rule 21 before a copy (refused
// while an in-sync leg that could change the vote is away).
[[nodiscard]] Status settle_dirty_regions(engine::LegSet& set, ReplaceReport& rep);

// Copies the data area from `src` onto slot `t` (device `dev`) from its
// recovery_offset, checkpointed there, then compares the whole copy with
// the source. A target that fails is failed on the survivors (vanished:
// missing) and the error returned. Corruption when the copy differs.
[[nodiscard]] Status copy_and_verify(engine::LegSet& set, uint32_t src, uint32_t t, BlockDevice& dev,
                                     const ReplaceOptions& o, ReplaceReport& rep);

// What the event history recorded as the device of a replace of
// `old_slot` by `target` (the `replace started` event), or "".
std::string recorded_replace_device(const engine::LegSet& set, uint32_t old_slot, uint32_t target);
// Retires the half-copied leg of a replace (removed, detached, a `leg
// removed` event saying `why`) and gives the old leg back its state.
// Commits.
[[nodiscard]] Status retire_replace_target(engine::LegSet& set, uint32_t old_slot, uint32_t target,
                                           const std::string& why);

}  // namespace dmirror::ops
