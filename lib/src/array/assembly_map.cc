// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembly, FORMAT.md 2.6 rules 2 and 6: mapping the legs onto the slots of
// the authority's table, and finding histories that diverged.
#include <dmirror/names.h>

#include "array/assembly_rules.h"

namespace dmirror::assembly {
namespace {

// X's own table marks Y's leg missing or failed.
bool marks_absent(const Superblock& x, const Superblock& y) {
  if (y.slot >= x.nr_legs) return false;
  const LegEntry& e = x.legs[y.slot];
  return e.uuid == y.leg_uuid && absent(e.state);
}

// X's own table marks Y's leg missing or failed since commit N, yet Y's
// own seqno is N or later: Y took commits X never saw (a leg rolled back
// to an earlier image of itself and then written alone, or halves of the
// array assembled and written apart). A leg that was told of its own
// absence (its own entry says so) is out anyway, not a second writer; a
// leg whose own entry changed state after X's last commit rejoined X's
// line (a re-add) and holds all X holds; an X whose entry in Y's table
// changed back to a present state after X's image was taken back into Y's
// line after it.
bool written_after_marked(const Superblock& x, const Superblock& y) {
  if (!marks_absent(x, y)) return false;
  if (y.slot < y.nr_legs && absent(y.legs[y.slot].state)) return false;
  // Y rejoined (re-added, rebuilt) after X's last commit: its history holds
  // X's, and X is only behind (a leg rolled back after a re-add).
  if (y.slot < kMaxLegs && y.legs[y.slot].state_seq > x.seqno) return false;
  // Y's line took X back (a re-add, a rebuild, the losing side of a split
  // brain copied over by `resync --from`) after X's image: that image is
  // only behind Y, whatever it says about Y.
  if (x.slot < kMaxLegs) {
    const LegEntry& back = y.legs[x.slot];
    if (back.uuid == x.leg_uuid && !absent(back.state) && back.state_seq > x.seqno) return false;
  }
  const uint64_t since = x.legs[y.slot].state_seq;   // 0: not recorded
  return since != 0 && y.seqno >= since;
}

// X's table records a leg removed at a commit Y has passed, yet Y's table
// still lists that leg (its uuid, in its slot) in use. Removal is final: no
// writer gives a removed leg's uuid back (a leg brought back joins with a
// new one), so Y's line never had that commit of X's, and X's history is
// not a prefix of Y's.
bool kept_after_removed(const Superblock& x, const Superblock& y) {
  for (uint32_t s = 0; s < x.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = x.legs[s];
    if (e.state != LegState::Removed || e.state_seq == 0 || e.state_seq > y.seqno) continue;
    const LegEntry& f = y.legs[s];
    if (f.uuid == e.uuid && f.state != LegState::Removed && f.state != LegState::Unused) return true;
  }
  return false;
}

// X's table holds an entry recorded at a commit Y has passed (its
// state_seq at or below Y's seqno) that Y's table has never held: Y's entry
// for that slot was recorded before it. In one line Y would carry that
// entry, or one recorded after it; so Y never saw that commit of X's line.
bool missed_commit(const Superblock& x, const Superblock& y) {
  for (uint32_t s = 0; s < x.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = x.legs[s];
    if (e.state == LegState::Unused || e.state_seq == 0 || e.state_seq > y.seqno) continue;
    const LegEntry& f = y.legs[s];
    if (f.state != LegState::Unused && f.state_seq == 0) continue;   // not recorded: no evidence
    if (f.state_seq < e.state_seq) return true;
  }
  return kept_after_removed(x, y);
}

// Rule 18 adds to the tables' evidence, never takes from it: between
// members, generations that do not know each other count as diverged
// (conservative: nothing of either is recovered over).
bool diverged(const Superblock& x, const Superblock& y) {
  const bool wayward = marks_absent(x, y) && marks_absent(y, x);
  return wayward || written_after_marked(x, y) || written_after_marked(y, x) || kept_after_removed(x, y) ||
         kept_after_removed(y, x) || compare_lineage(x, y) != Lineage::Related;
}

// X and Y count as diverged only because rule 18 cannot relate their
// generations (an overflowed history): no table holds evidence either way.
bool cannot_tell(const Superblock& x, const Superblock& y) {
  return !(marks_absent(x, y) && marks_absent(y, x)) && !written_after_marked(x, y) &&
         !written_after_marked(y, x) && !kept_after_removed(x, y) && !kept_after_removed(y, x) &&
         compare_lineage(x, y) == Lineage::Unknown;
}

}  // namespace

bool same_commit(const Superblock& a, const Superblock& b) {
  if (a.seqno != b.seqno || a.name != b.name || a.nr_legs != b.nr_legs || a.region_size != b.region_size ||
      a.nr_regions != b.nr_regions || a.layout.data_size != b.layout.data_size ||
      a.resync_offset != b.resync_offset || a.flags != b.flags || a.journal_kept_since != b.journal_kept_since ||
      a.incompat != b.incompat || a.generation != b.generation) {
    return false;
  }
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    const LegEntry& x = a.legs[s];
    const LegEntry& y = b.legs[s];
    if (x.uuid != y.uuid || x.state != y.state || x.recovery_offset != y.recovery_offset) return false;
  }
  return true;
}

bool own_entry_spare(const Superblock& own) {
  return own.slot < kMaxLegs && own.legs[own.slot].state == LegState::Spare;
}

std::vector<size_t> map_spares(Assembly& a, const std::vector<LegProbe>& probes, const std::vector<size_t>& spares,
                               Members& members) {
  std::vector<size_t> used;
  for (size_t i : spares) {
    const Superblock& own = probes[i].meta->sb;
    AssembledLeg& leg = a.legs[i];
    std::optional<uint32_t> listed;
    for (uint32_t s = 0; s < a.sb.nr_legs && s < kMaxLegs; ++s)
      if (a.sb.legs[s].uuid == own.leg_uuid && a.sb.legs[s].state != LegState::Unused) listed = s;
    if (listed && a.sb.legs[*listed].state == LegState::Spare) {
      leg.slot = *listed;
      if (members.spare[*listed] >= 0) {
        leg.disposition = Disposition::Duplicate;
        add(a, Severity::Warning, "leg-duplicate",
            leg.name + " carries the same spare (slot " + std::to_string(*listed) + ") as " +
                probes[static_cast<size_t>(members.spare[*listed])].name + "; it is left out",
            leg.name, *listed);
        continue;
      }
      leg.disposition = Disposition::Spare;
      members.spare[*listed] = static_cast<int>(i);
    } else if (listed && is_member_state(a.sb.legs[*listed].state)) {
      used.push_back(i);   // a replace took it; its own superblock was not written yet
    } else {
      leg.disposition = Disposition::NotInTable;
      leg.slot = own.slot;
      add(a, Severity::Warning, "leg-not-in-table",
          leg.name + " was a spare (slot " + std::to_string(own.slot) + ") of '" + escape_name(own.name) +
              "', but the newest leg table does not list it (it was removed); it is left out.",
          leg.name, own.slot);
    }
  }
  return used;
}

Members map_slots(Assembly& a, const std::vector<LegProbe>& probes, const std::vector<size_t>& candidates) {
  Members m;
  for (size_t i : candidates) {
    const Superblock& own = probes[i].meta->sb;
    AssembledLeg& leg = a.legs[i];
    std::optional<uint32_t> slot;
    for (uint32_t s = 0; s < a.sb.nr_legs; ++s) {
      const LegEntry& e = a.sb.legs[s];
      if (e.uuid == own.leg_uuid && is_member_state(e.state)) slot = s;
    }
    if (!slot && split_slot_of(a.sb, own.leg_uuid)) {
      // Rule 24: the leg of a split slot still carrying this array (a split
      // or merge cut short): never a member; judge_splits() says what to do.
      leg.disposition = Disposition::NotInTable;
      leg.slot = *split_slot_of(a.sb, own.leg_uuid);
      continue;
    }
    if (!slot) {
      leg.disposition = Disposition::NotInTable;
      leg.slot = own.slot;
      add(a, Severity::Warning, "leg-not-in-table",
          leg.name + " says it is slot " + std::to_string(own.slot) + " of '" + escape_name(own.name) +
              "', but the newest leg table does not list it (it was removed or replaced); it is left out.",
          leg.name, own.slot);   // what to do with it: judge() (not_in_table_advice)
      continue;
    }
    leg.slot = *slot;
    int& mapped = m.leg[*slot];
    if (mapped >= 0) {
      // Two devices carry one leg: one is a copy of the other. Keep the newer.
      size_t keep = static_cast<size_t>(mapped), drop = i;
      if (own.seqno > probes[keep].meta->sb.seqno) std::swap(keep, drop);
      a.legs[drop].disposition = Disposition::Duplicate;
      a.inconsistent = true;
      add(a, Severity::Error, "duplicate-leg",
          a.legs[drop].name + " and " + a.legs[keep].name + " both carry slot " + std::to_string(*slot) +
              " (leg uuid " + own.leg_uuid.str() + "); one is a copy of the other. " + a.legs[drop].name +
              " is left out; remove the copy",
          a.legs[drop].name, *slot);
      mapped = static_cast<int>(keep);
      continue;
    }
    mapped = static_cast<int>(i);
  }
  return m;
}

void find_divergence(Assembly& a, const std::vector<LegProbe>& probes, Members& m, size_t authority,
                     const AssembleOptions&) {
  const Superblock& auth = probes[authority].meta->sb;
  for (uint32_t x = 0; x < kMaxLegs; ++x) {
    if (m.leg[x] < 0) continue;
    for (uint32_t y = x + 1; y < kMaxLegs; ++y) {
      if (m.leg[y] < 0) continue;
      const Superblock& sx = probes[static_cast<size_t>(m.leg[x])].meta->sb;
      const Superblock& sy = probes[static_cast<size_t>(m.leg[y])].meta->sb;
      const bool wayward = diverged(sx, sy);
      const bool disagree = sx.seqno == sy.seqno && !same_commit(sx, sy);
      if (!wayward && !disagree) continue;
      a.split_brain = true;
      a.inconsistent = true;
      const std::string nx = probes[static_cast<size_t>(m.leg[x])].name;
      const std::string ny = probes[static_cast<size_t>(m.leg[y])].name;
      if (wayward && !disagree && cannot_tell(sx, sy)) {
        const bool x_newer = sx.seqno > sy.seqno;
        const std::string& newer = x_newer ? nx : ny;
        const std::string& older = x_newer ? ny : nx;
        const Superblock& so = x_newer ? sy : sx;
        const Superblock& sn = x_newer ? sx : sy;
        // The older leg's own table records the newer one absent from a
        // commit it then made: it was written on its own, not only away.
        const bool alone = marks_absent(so, sn) && so.legs[sn.slot].state_seq != 0 &&
                           so.legs[sn.slot].state_seq <= so.seqno;
        const std::string head = nx + " (slot " + std::to_string(x) + ", seqno " + std::to_string(sx.seqno) +
                                 ") and " + ny + " (slot " + std::to_string(y) + ", seqno " +
                                 std::to_string(sy.seqno) +
                                 ") are in generations neither history lists any more (a history keeps the last " +
                                 std::to_string(kGenerationHistory) + ")";
        add(a, Severity::Error, "split-brain",
            alone ? head + ", and " + older + "'s own table shows it was written without " + newer + " (from seqno " +
                        std::to_string(so.legs[sn.slot].state_seq) + "): each may hold writes the other lacks (split "
                        "brain). Choose the leg whose data you keep with `dmirrorctl resync --from LEG`"
                  : head + ": it cannot be told whether " + older +
                        " was only away or was written apart, so neither is trusted over the other (split brain). If " +
                        older + " was only away, keep " + newer + " with `dmirrorctl resync --from " + newer +
                        "`; choose the other only if it was written on its own",
            nx, x);
        continue;
      }
      add(a, Severity::Error, "split-brain",
          wayward ? nx + " (slot " + std::to_string(x) + ", seqno " + std::to_string(sx.seqno) + ") and " + ny +
                        " (slot " + std::to_string(y) + ", seqno " + std::to_string(sy.seqno) +
                        ") were written apart: each holds commits the other never saw, so their data diverged (split brain). "
                        "Choose the leg to keep with `dmirrorctl resync --from LEG`"
                  : nx + " and " + ny + " both have seqno " + std::to_string(sx.seqno) +
                        " but different metadata: they were written independently (split brain). Choose the "
                        "leg to keep with `dmirrorctl resync --from LEG`",
          nx, x);
    }
  }
  // A leg of the array that the authority's table does not list, but whose
  // own table marks the authority's leg absent while the authority went on
  // writing: it joined (a replace, a re-add) in a history the authority
  // never saw. The two diverged as surely as two members can.
  for (size_t i = 0; i < a.legs.size(); ++i) {
    if (a.legs[i].disposition != Disposition::NotInTable || i == authority) continue;
    const Superblock& own = probes[i].meta->sb;
    // A leg no longer in the table diverged on evidence: its table holds a
    // change the authority passed without (rule 6), or its generation went
    // on after the authority's line left it, or both lines left one
    // generation and went on apart (rule 18). It is a leftover when it was
    // told of its own removal (its own entry says removed), or when its
    // line is the authority's (one generation, or the tables say it was
    // left behind). When nothing tells (its generation fell off the
    // authority's history), it may hold writes the array lacks: a
    // leftover's data is never trusted to be stale without proof, so it is
    // the other side until the administrator chooses (FORMAT.md 2.6 rule 18).
    const bool marked = written_after_marked(own, auth);
    const bool missed = !marked && missed_commit(own, auth);
    const bool told = own.slot < kMaxLegs && own.legs[own.slot].uuid == own.leg_uuid &&
                      own.legs[own.slot].state == LegState::Removed;
    // (A leg whose own table marks no leg absent is not taken for an old
    // copy on that alone: legs rolled back together and written together
    // mark none either, and their writes would be dropped.)
    const Lineage lineage = marked || missed ? Lineage::Diverged : compare_lineage(own, auth);
    if (lineage == Lineage::Related || (lineage == Lineage::Unknown && told)) continue;
    a.split_brain = true;
    a.inconsistent = true;
    const std::string nauth = probes[authority].name + " (slot " + std::to_string(auth.slot) + ", seqno " +
                              std::to_string(auth.seqno) + ")";
    const std::string nown = probes[i].name + " (slot " + std::to_string(own.slot) + ", seqno " +
                             std::to_string(own.seqno) + ")";
    if (lineage == Lineage::Unknown) {
      add(a, Severity::Error, "split-brain",
          nown + ", which " + probes[authority].name + "'s table does not know, is in a generation " +
              probes[authority].name + "'s history no longer lists (a history keeps the last " +
              std::to_string(kGenerationHistory) + "): it cannot be told whether it is an old copy or was written "
              "on its own, so it may hold writes the array lacks (split brain). Choose with `dmirrorctl resync "
              "--from LEG`: " + probes[authority].name + " if " + probes[i].name + " is only an old copy (it is "
              "then retired), " + probes[i].name + " if it was written on its own",
          probes[i].name, own.slot);
      continue;
    }
    add(a, Severity::Error, "split-brain",
        (marked   ? nauth + " was written after " + nown + " marked it absent, and its table does not know that leg"
         : missed ? nown + ", which " + probes[authority].name + "'s table does not know, holds a change to the leg "
                    "table at a commit " + probes[authority].name + " passed without it"
                  : nown + ", which " + probes[authority].name + "'s table does not know, went on writing in a "
                  "generation " + probes[authority].name + "'s line left or never knew") +
            ": each holds commits the other never saw (split brain). Choose the leg to keep with `dmirrorctl "
            "resync --from LEG`",
        probes[i].name, own.slot);
  }
  // Which members diverged from the authority (they need a full copy).
  for (uint32_t y = 0; y < kMaxLegs; ++y) {
    if (m.leg[y] < 0 || static_cast<size_t>(m.leg[y]) == authority) continue;
    const Superblock& sy = probes[static_cast<size_t>(m.leg[y])].meta->sb;
    const bool wayward = diverged(auth, sy);
    const bool disagree = sy.seqno == auth.seqno && !same_commit(sy, auth);
    // After a choice, a leg ahead of the chosen one diverged from it too.
    const bool ahead = sy.seqno > auth.seqno;
    m.diverged[y] = wayward || disagree || ahead;
    m.undecided[y] = wayward && !disagree && !ahead && cannot_tell(auth, sy);
  }
}

}  // namespace dmirror::assembly
