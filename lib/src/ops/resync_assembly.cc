// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble_for_recovery (see resync_assembly.h).
#include "ops/resync_assembly.h"

namespace dmirror::ops {

Result<engine::LegSet> assemble_for_recovery(std::span<BlockDevice* const> legs, const RecoveryChoices& choices,
                                             AssemblyNotes& notes) {
  (void)choices;
  notes = AssemblyNotes{};
  return engine::LegSet::assemble(legs);
}

}  // namespace dmirror::ops
