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

struct RecoveryChoices {
  uint32_t choose_slot = kNoSlot;   // settles a split brain (AssembleOptions::choose_slot)
  std::optional<Uuid> choose_leg;   // AssembleOptions::choose_leg
  bool force = false;               // AssembleOptions::force
};

// Assembles `legs` (a split brain is refused unless choose_slot settles
// it). Failed legs that are present are attached too (never written unless
// a run re-adds them), so that resync --re-add and replace onto the leg
// itself can bring them back.
Result<engine::LegSet> assemble_for_recovery(std::span<BlockDevice* const> legs, const RecoveryChoices& choices,
                                             AssemblyNotes& notes);

}  // namespace dmirror::ops
