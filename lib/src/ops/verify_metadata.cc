// SPDX-License-Identifier: LGPL-2.1-or-later
// What verify looks at in the metadata beyond the one assembly (whose
// findings are the array's state: roles, copies, journals, health): an
// interrupted offline operation, and loading the journals the comparison
// needs (--quick, and telling a crash window from corruption).
#include "ops/verify_internal.h"

namespace dmirror::ops {

void verify_metadata(LegSet& set, Findings& out) {
  const Superblock& sb = set.sb();
  const std::optional<LockHolder>& writer = set.assembly().in_use;
  if (sb.checkpoint.op != OfflineOp::None && writer)
    // A live writer's checkpoint: it is running, not interrupted.
    out.push_back({Severity::Info, "operation-in-progress",
                   std::string(offline_op_name(sb.checkpoint.op)) + " is running (" +
                       (writer->command.empty() ? std::string("a process") : writer->command) + ", pid " +
                       std::to_string(writer->pid) + "), at offset " + std::to_string(sb.checkpoint.position) +
                       " at its last checkpoint",
                   "", -1});
  else if (sb.checkpoint.op != OfflineOp::None)
    out.push_back({Severity::Info, "operation-in-progress",
                   std::string(offline_op_name(sb.checkpoint.op)) + " was interrupted at offset " +
                       std::to_string(sb.checkpoint.position) + "; run it again to resume",
                   "", -1});
  // No leg to read a journal from (none present in sync or rebuilding): the
  // assembly's findings say why; there is nothing to compare either.
  if (set.writable_slots().empty()) return;
  if (auto st = set.load_journals(); !st)
    out.push_back({Severity::Warning, "journal-not-loaded",
                   "the write-intent journal could not be loaded (" + st.error().describe() +
                       "): a mismatch in a region written at a crash cannot be told from corruption, and --quick "
                       "has no regions to compare",
                   "", -1});
}

}  // namespace dmirror::ops
