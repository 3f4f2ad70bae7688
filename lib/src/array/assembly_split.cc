// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembly, FORMAT.md 2.6 rule 24: split slots and split-off arrays. A split
// slot is no member (never read, never a source, counted for no
// redundancy); the array is degraded while it is away and keeps its journal
// bits for the merge. A device still carrying the array in a split slot (a
// split or merge cut short) is never mapped as a member.
#include <dmirror/names.h>

#include "array/assembly_rules.h"

namespace dmirror {

bool split_slot_tracked(const Superblock& sb, uint32_t slot) {
  if (slot >= kMaxLegs || sb.legs[slot].state != LegState::Split) return false;
  // Every write since a leg image at seqno >= journal_kept_since is marked:
  // the split leg's image is the split commit's predecessor, and the split
  // commit itself wrote no data.
  return (sb.incompat & feature::kIncompatMembership) && sb.journal_kept_since <= sb.legs[slot].state_seq;
}

bool split_origin_tracked(const Superblock& sb) {
  if (!(sb.incompat & feature::kIncompatSplit) || !sb.origin.set()) return false;
  uint32_t members = 0;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s) members += is_member_state(sb.legs[s].state) ? 1 : 0;
  return members == 1 && sb.journal_kept_since <= sb.origin.split_seqno;
}

bool journal_kept_for_split(const Superblock& sb) {
  if (split_origin_tracked(sb)) return true;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (split_slot_tracked(sb, s)) return true;
  return false;
}

}  // namespace dmirror

namespace dmirror::assembly {
std::optional<uint32_t> split_slot_of(const Superblock& sb, const Uuid& leg) {
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (sb.legs[s].state == LegState::Split && sb.legs[s].uuid == leg) return s;
  return std::nullopt;
}

void grade_splits(Assembly& a) {
  for (uint32_t s = 0; s < a.sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = a.sb.legs[s];
    if (e.state != LegState::Split) continue;
    SplitView v;
    v.slot = s;
    v.entry = e;
    v.split_uuid = a.sb.split_uuid[s];
    v.tracking = split_slot_tracked(a.sb, s);
    v.merging = (e.flags & legflag::kMerging) != 0;
    for (size_t i = 0; i < a.legs.size(); ++i) {
      const AssembledLeg& l = a.legs[i];
      if (l.disposition == Disposition::NotInTable && l.slot == static_cast<int64_t>(s) && l.meta &&
          l.meta->sb.leg_uuid == e.uuid)
        v.leg = static_cast<int>(i);
    }
    a.splits.push_back(v);
  }
}

void judge_splits(Assembly& a) {
  for (const SplitView& v : a.splits) {
    a.degraded = true;   // one copy fewer, like a missing leg
    const std::string slot = "slot " + std::to_string(v.slot);
    std::string msg = slot + " was split off as array " + v.split_uuid.str() + " at seqno " +
                      std::to_string(v.entry.state_seq) + "; it is not a member (one copy fewer). ";
    msg += v.tracking ? "Writes since are tracked in the journal: `dmirrorctl merge` brings it back copying only "
                        "the regions changed on either side; `dmirrorctl remove --leg " + std::to_string(v.slot) +
                            "` ends the tracking and leaves the split-off array independent"
                      : "Tracking was lost (journal bits were cleared since the split): a merge is refused; "
                        "`dmirrorctl remove --leg " + std::to_string(v.slot) + "` frees the slot";
    add(a, Severity::Warning, "leg-split", msg, {}, v.slot);
    if (v.leg >= 0) {
      const std::string& name = a.legs[static_cast<size_t>(v.leg)].name;
      add(a, Severity::Warning, "leg-split-unfinished",
          name + " still carries " + slot + " of this array, which is split off" +
              (v.merging ? " and being merged back: the merge was cut short; run `dmirrorctl merge` again to "
                           "finish it"
                         : ": the split was cut short; run `dmirrorctl split` again to finish it") +
              ". It is never assembled as a member",
          name, v.slot);
    }
  }
  const SplitOrigin& o = a.sb.origin;
  if ((a.sb.incompat & feature::kIncompatSplit) && o.set())
    add(a, Severity::Info, "split-origin",
        "split off slot " + std::to_string(o.slot) + " of array " + o.array_uuid.str() + " at its seqno " +
            std::to_string(o.split_seqno) +
            (split_origin_tracked(a.sb) ? "; writes since are tracked in the journal for a merge"
                                        : "; tracking ended (a merge would need a full copy)"));
}

}  // namespace dmirror::assembly
