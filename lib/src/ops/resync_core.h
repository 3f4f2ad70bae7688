// SPDX-License-Identifier: LGPL-2.1-or-later
// resync on an assembled LegSet: used by resync() and by Mirror::open after
// an unclean shutdown.
#pragma once

#include <dmirror/resync.h>

#include "engine/leg_set.h"

namespace dmirror::ops {

// With `dirty_only`, only the regions dirty in the journal are copied and
// resync_offset is left alone (recovery at open: reads above resync_offset
// go to the primary leg anyway).
Result<ResyncReport> resync_legs(engine::LegSet& set, const ResyncOptions& options, bool dirty_only = false);
// Whether `slot` is the target of a running replace (a Replacing leg names it).
bool is_replacement_target(const engine::LegSet& set, uint32_t slot);

}  // namespace dmirror::ops
