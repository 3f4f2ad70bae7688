// SPDX-License-Identifier: LGPL-2.1-or-later
// Names of the superblock's enumerations, as used in messages and JSON.
#include <dmirror/superblock.h>

namespace dmirror {

std::string_view leg_state_name(LegState s) {
  switch (s) {
    case LegState::Unused: return "unused";
    case LegState::InSync: return "in_sync";
    case LegState::Failed: return "failed";
    case LegState::Rebuilding: return "rebuilding";
    case LegState::Replacing: return "replacing";
    case LegState::Removed: return "removed";
    case LegState::Missing: return "missing";
    case LegState::Spare: return "spare";
    case LegState::Split: return "split";
  }
  return "unknown";
}

std::string_view offline_op_name(OfflineOp op) {
  switch (op) {
    case OfflineOp::None: return "none";
    case OfflineOp::Resync: return "resync";
    case OfflineOp::Recover: return "recover";
    case OfflineOp::Check: return "check";
    case OfflineOp::Repair: return "repair";
    case OfflineOp::Replace: return "replace";
  }
  return "unknown";
}

std::string_view scrub_result_name(ScrubResult r) {
  switch (r) {
    case ScrubResult::Never: return "never";
    case ScrubResult::Clean: return "clean";
    case ScrubResult::Mismatches: return "mismatches";
    case ScrubResult::Repaired: return "repaired";
    case ScrubResult::Interrupted: return "interrupted";
    case ScrubResult::Failed: return "failed";
  }
  return "unknown";
}

}  // namespace dmirror
