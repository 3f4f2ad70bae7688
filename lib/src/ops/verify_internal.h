// SPDX-License-Identifier: LGPL-2.1-or-later
// Pieces of verify shared between its files.
#pragma once

#include <dmirror/verify.h>

#include "engine/leg_set.h"

namespace dmirror::ops {

using engine::LegSet;

// Metadata checks; loads the journals into `set` (findings on failure).
void verify_metadata(LegSet& set, Findings& out);

}  // namespace dmirror::ops
