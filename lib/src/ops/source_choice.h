// SPDX-License-Identifier: LGPL-2.1-or-later
// The leg an administrator names as the source (`--from`) of a resync, a
// scrub or a `verify --repair` must be in sync: a stale, rebuilding,
// missing or failed leg may lack writes the in-sync legs hold. One check
// and one refusal for the three commands.
#pragma once

#include "engine/leg_set.h"

namespace dmirror::ops {

// Refused (naming the leg's role and the in-sync slots) when `slot` is not
// an in-sync leg of `set`; `what` is the command's own advice, e.g. "Run
// `dmirrorctl resync` without --from to bring it back from the in-sync legs".
[[nodiscard]] Status check_chosen_source(const engine::LegSet& set, uint32_t slot, const std::string& what);

}  // namespace dmirror::ops
