// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps of replace() (replace.cc): the identity of the leg being
// copied onto (replace_identity.cc) and the checkpointed copy and the
// verification against the source (replace_copy.cc).
#pragma once

#include <dmirror/replace.h>

#include <string>

#include "engine/leg_set.h"

namespace dmirror::ops {

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
