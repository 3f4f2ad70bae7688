// SPDX-License-Identifier: LGPL-2.1-or-later
// FORMAT.md 2.6 rule 17 for resync and replace: a leg that errs during the
// run gets no more metadata from it. A leg that returned an I/O error (EIO,
// a short read or write) is failed; a leg that vanished (ENXIO, ENODEV,
// ENOENT) is recorded missing, so that it comes back by recovery — from
// the journal when it still covers it — once it is present again (a leg
// rebuilding by a full copy stays rebuilding: it needs that copy). Both are
// recorded on the survivors only; the last in-sync leg is never given up.
#pragma once

#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

bool is_vanished(const Error& e);

// Settles `errors` (see above), removes the legs given up from `targets`
// and appends them to `failed` / `missing`. Errors: the last in-sync leg
// erred (nothing is changed for it).
[[nodiscard]] Status settle_leg_errors(engine::LegSet& set, std::vector<engine::LegError>& errors,
                                       std::vector<uint32_t>& targets, std::vector<uint32_t>* failed,
                                       std::vector<uint32_t>* missing);

}  // namespace dmirror::ops
