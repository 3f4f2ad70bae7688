// SPDX-License-Identifier: LGPL-2.1-or-later
// The LegSet an offline recovery (resync, replace) works on, assembled by
// the one assembly with the administrator's choices (`--from` in a split
// brain, `--force`), and what the assembly decided that the run records
// as events (AssemblyNotes).
#pragma once

#include <span>

#include "engine/leg_set.h"
#include "ops/resync_core.h"

namespace dmirror::ops {

Result<engine::LegSet> assemble_for_recovery(std::span<BlockDevice* const> legs, uint32_t choose_slot, bool force,
                                             AssemblyNotes& notes);

}  // namespace dmirror::ops
