// SPDX-License-Identifier: LGPL-2.1-or-later
// The steps of assemble_array() (assembly.cc), one rule group each, in
// assembly_map.cc (authority, slots, divergence) and assembly_grade.cc
// (roles, recovery, health). Internal to the library.
#pragma once

#include <dmirror/assembly.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dmirror::assembly {

// One finding of the assembly.
inline void add(Assembly& a, Severity s, std::string_view code, std::string msg, std::string leg = {},
                int64_t slot = -1) {
  a.findings.push_back(Finding{s, std::string(code), std::move(msg), std::move(leg), slot});
}

// The slot holds no leg the array can use now.
inline bool absent(LegState s) { return s == LegState::Missing || s == LegState::Failed; }

struct Members {
  std::array<int, kMaxLegs> leg;            // index into the probes per slot, -1 when absent
  std::array<bool, kMaxLegs> diverged{};    // its history diverged from the authority's
  std::array<bool, kMaxLegs> undecided{};   // diverged only as far as rule 18 cannot tell
  std::array<int, kMaxLegs> spare;          // rule 23: index into the probes of a spare slot's device
  Members() {
    leg.fill(-1);
    spare.fill(-1);
  }
};

// Rule 2: leg uuid -> slot of the authority's table; removed/replaced and duplicate legs.
Members map_slots(Assembly& a, const std::vector<LegProbe>& probes, const std::vector<size_t>& candidates);
// Rule 23: a device whose own entry says spare. Its own superblock counts in
// choosing the authority (rule 2: it wins only over members behind it) but
// takes no part in rules 6, 18 and 19.
bool own_entry_spare(const Superblock& own);
// Rule 23: the spare devices once the authority is chosen. Those the table
// lists as spare are recorded in `members.spare` (Disposition::Spare);
// those it lists as a member are returned (to be mapped as members); the
// rest are outside the table.
std::vector<size_t> map_spares(Assembly& a, const std::vector<LegProbe>& probes, const std::vector<size_t>& spares,
                               Members& members);
// Rule 6: pairs of members that were each written while the other was absent,
// or that carry one seqno with different metadata.
void find_divergence(Assembly& a, const std::vector<LegProbe>& probes, Members& members, size_t authority,
                     const AssembleOptions& options);
// Rules 5, 7, 8, 10: each slot's role and recovery.
void grade_slots(Assembly& a, const std::vector<LegProbe>& probes, const Members& members,
                 std::optional<size_t> authority, const AssembleOptions& options);
// What AssembleOptions::force may raise (assembly_grade.cc).
bool force_candidate(const Assembly& a, const SlotView& v);
// Rule 9: conditions and health.
void judge(Assembly& a, const std::vector<LegProbe>& probes);
// Rule 24 (assembly_split.cc): the slot of `sb`'s table that holds leg
// `leg` split off, if any.
std::optional<uint32_t> split_slot_of(const Superblock& sb, const Uuid& leg);
// Rule 24: the split slots of the chosen table (Assembly::splits), with the
// device of each that still carries this array, if one was given.
void grade_splits(Assembly& a);
// Rule 24: each split slot degrades the array (a finding naming the split-off
// array and whether its writes are tracked); a split-off array says where it
// came from. Before the unclean/resync conditions are computed.
void judge_splits(Assembly& a);

// The event history (assemble_paths): the rings of every present member at
// the authority's seqno, merged by sequence; a damaged or unreadable ring is
// a finding naming its leg (assembly_events.cc). `paths` as given.
void read_events(Assembly& a, const std::vector<std::string>& paths);

// Rule 18: what two legs' generations say. Related: one line (the seqno
// decides who is behind) or no generations to compare; Diverged: one went
// on in a generation after the other left it; Unknown: neither knows the
// other's generation (history overflowed, or unrelated images).
enum class Lineage { Related, Diverged, Unknown };
Lineage compare_lineage(const Superblock& x, const Superblock& y);

// Two superblocks of one commit: equal but for the per-leg fields.
bool same_commit(const Superblock& x, const Superblock& y);

}  // namespace dmirror::assembly
