// SPDX-License-Identifier: LGPL-2.1-or-later
// Pieces of verify shared between its files.
#pragma once

#include <dmirror/verify.h>

#include "engine/leg_set.h"

namespace dmirror::ops {

using engine::LegSet;

// The metadata checks the assembly does not make (an interrupted operation);
// loads the journals into `set` (a finding when they cannot be).
void verify_metadata(LegSet& set, Findings& out);

}  // namespace dmirror::ops
