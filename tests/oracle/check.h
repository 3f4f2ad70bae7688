// SPDX-License-Identifier: LGPL-2.1-or-later
// The invariants of invariants.h, checked on the observations before and
// after one step.
#pragma once

#include <vector>

#include "oracle/invariants.h"
#include "oracle/world.h"

namespace dmirror::oracle {

std::vector<Violation> check_step(const World& w, const Observation& pre, const StepResult& r,
                                  const Observation& post, const InvariantSet& enabled);

}  // namespace dmirror::oracle
