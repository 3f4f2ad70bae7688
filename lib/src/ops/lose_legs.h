// SPDX-License-Identifier: LGPL-2.1-or-later
// FORMAT.md 2.6 rule 17 for resync and replace: a leg that errs during the
// run gets no more metadata from it. A leg that returned an I/O error (EIO,
// a short read or write) is failed; a leg that vanished (ENXIO, ENODEV,
// ENOENT) is recorded missing, so that it comes back by recovery — from
// the journal when it still covers it — once it is present again (a leg
// rebuilding by a full copy stays rebuilding: it needs that copy). Both are
// recorded on the survivors only; the last in-sync leg is never given up.
// A leg whose host file system is full (ENOSPC, EDQUOT) is neither: it
// keeps its state and the run stops (take_out_of_space).
#pragma once

#include <optional>
#include <vector>

#include "engine/leg_set.h"

namespace dmirror::ops {

bool is_vanished(const Error& e);
// ENOSPC or EDQUOT: the host file system under an image file is full.
bool is_out_of_space(const Error& e);

// Out of space on a file-backed leg is the host's problem, not the leg's:
// takes those errors out of `errors` (their legs are not failed and keep
// their state) and returns the error the command stops with (TooSmall,
// naming the leg and its file system), or nothing when there was none.
std::optional<Error> take_out_of_space(engine::LegSet& set, std::vector<engine::LegError>& errors);

// Settles `errors` (see above), removes the legs given up from `targets`
// and appends them to `failed` / `missing`. Errors: the last in-sync leg
// erred (nothing is changed for it); TooSmall: a leg's file system is out
// of space (the other errors are settled first).
[[nodiscard]] Status settle_leg_errors(engine::LegSet& set, std::vector<engine::LegError>& errors,
                                       std::vector<uint32_t>& targets, std::vector<uint32_t>* failed,
                                       std::vector<uint32_t>* missing);

}  // namespace dmirror::ops
