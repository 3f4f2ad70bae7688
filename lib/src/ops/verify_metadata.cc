// SPDX-License-Identifier: LGPL-2.1-or-later
// The metadata half of verify: superblock copies, agreement across legs,
// leg states and the journal.
#include "ops/verify_internal.h"

namespace dmirror::ops {
namespace {

Finding make(Severity s, std::string code, std::string msg, const LegSet& set, int64_t slot) {
  Finding f{s, std::move(code), std::move(msg), "", slot};
  if (slot >= 0 && set.present(static_cast<uint32_t>(slot))) f.leg = set.dev(static_cast<uint32_t>(slot))->describe();
  return f;
}

bool same_entry(const LegEntry& a, const LegEntry& b) {
  return a.uuid == b.uuid && a.state == b.state && a.recovery_offset == b.recovery_offset &&
         a.replacement_slot == b.replacement_slot && a.flags == b.flags;
}

}  // namespace

void verify_metadata(LegSet& set, Findings& out) {
  const Superblock& sb = set.sb();
  for (const auto& f : set.findings()) out.push_back(f);
  for (uint32_t s = 0; s < sb.nr_legs; ++s) {
    const LegEntry& e = sb.legs[s];
    if (e.state == LegState::Unused || e.state == LegState::Removed) continue;
    if (!set.present(s)) {
      out.push_back(make(Severity::Warning, "leg-missing", "slot " + std::to_string(s) + " (" +
                                                                std::string(leg_state_name(e.state)) + ") was not given",
                         set, s));
      continue;
    }
    const Superblock& own = set.meta(s)->sb;
    if (own.seqno == sb.seqno) {
      bool table = true;
      for (uint32_t i = 0; i < kMaxLegs; ++i) table = table && same_entry(own.legs[i], sb.legs[i]);
      if (!table)
        out.push_back(make(Severity::Error, "leg-table-disagrees",
                           set.leg_name(s) + " has the same seqno but a different leg table", set, s));
    }
    if (own.region_size != sb.region_size || own.nr_regions != sb.nr_regions ||
        own.layout.data_offset != sb.layout.data_offset || own.layout.data_size != sb.layout.data_size ||
        own.layout.journal_offset != sb.layout.journal_offset || own.logical_block_size != sb.logical_block_size)
      out.push_back(make(Severity::Error, "geometry-disagrees", set.leg_name(s) + " records a different geometry", set, s));
    if (e.state == LegState::Failed)
      out.push_back(make(Severity::Warning, "leg-failed", set.leg_name(s) + " is failed: the array is degraded; replace it",
                         set, s));
    if (e.state == LegState::Rebuilding)
      out.push_back(make(Severity::Warning, "leg-rebuilding",
                         set.leg_name(s) + " is rebuilding, current up to " + std::to_string(e.recovery_offset), set, s));
  }
  if (sb.has_flag(sbflag::kDirty))
    out.push_back(make(Severity::Warning, "array-dirty", "the array was not closed cleanly; run 'dmirrorctl resync'", set, -1));
  if (sb.resync_offset != kOffsetInSync)
    out.push_back(make(Severity::Info, "initial-sync-pending",
                       "data beyond offset " + std::to_string(sb.resync_offset) + " has never been synced; run 'dmirrorctl resync'",
                       set, -1));
  if (sb.checkpoint.op != OfflineOp::None)
    out.push_back(make(Severity::Info, "operation-in-progress",
                       std::string(offline_op_name(sb.checkpoint.op)) + " was interrupted at offset " +
                           std::to_string(sb.checkpoint.position) + "; run it again to resume",
                       set, -1));
  if (auto st = set.load_journals(); !st) {
    out.push_back(make(Severity::Error, "journal-unreadable", st.error().describe(), set, -1));
    return;
  }
  if (uint64_t d = set.dirty_count(); d > 0)
    out.push_back(make(Severity::Info, "journal-dirty-regions",
                       std::to_string(d) + " regions are dirty in the journal (writes were in flight)", set, -1));
}

}  // namespace dmirror::ops
