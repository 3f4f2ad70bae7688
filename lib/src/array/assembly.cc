// SPDX-License-Identifier: LGPL-2.1-or-later
// assemble_array(): the membership rules of FORMAT.md 2.6 as one pure
// function of what was found on the devices. Steps: pick the array (rule
// 1), the authority (rule 2, or the administrator's choice in a split
// brain), map the legs onto its slots (rules 2-4), find diverged
// histories (rule 6), grade each slot (rules 5, 7, 8, 10) and judge the
// health (rule 9).
#include <dmirror/assembly.h>
#include <dmirror/names.h>

#include "array/assembly_rules.h"

#include <map>

namespace dmirror {
namespace {

using namespace assembly;

// Rule 1: the array with the most legs given; a tie between arrays is refused.
Result<Uuid> pick_array(const std::vector<LegProbe>& probes) {
  std::map<Uuid, size_t> count;
  for (const auto& p : probes)
    if (p.meta) ++count[p.meta->sb.array_uuid];
  if (count.empty()) {
    if (probes.size() == 1 && probes[0].error) return std::unexpected(*probes[0].error);
    return make_error(ErrorCode::NotDmirror, "none of the given devices carries a dmirror superblock");
  }
  auto best = count.begin();
  for (auto it = count.begin(); it != count.end(); ++it)
    if (it->second > best->second) best = it;
  for (auto it = count.begin(); it != count.end(); ++it) {
    if (it == best || it->second != best->second) continue;
    std::string which;
    for (const auto& p : probes) {
      if (!p.meta) continue;
      which += (which.empty() ? "" : ", ") + p.name + " is in '" + p.meta->sb.name + "'";
    }
    return make_error(ErrorCode::InvalidArgument, "the given legs belong to " + std::to_string(count.size()) +
                                                      " different arrays (" + which +
                                                      "); give the legs of one array, or its name");
  }
  return best->first;
}

// Rules 3 and 4: legs that are left out before anything else is decided.
void screen_leg(Assembly& a, const LegProbe& p, AssembledLeg& leg) {
  const Superblock& own = p.meta->sb;
  if (!p.foreign.empty()) {
    bool damaged = false;
    for (const CopyInfo& c : p.meta->copies)
      damaged = damaged || c.state == CopyState::Blank || c.state == CopyState::Corrupt || c.state == CopyState::IoError;
    if (damaged) {
      leg.disposition = Disposition::ForeignSignature;
      add(a, Severity::Error, "leg-foreign-signature",
          p.name + " has a damaged dmirror superblock copy and " + p.foreign.front().describe() +
              " at byte " + std::to_string(p.foreign.front().offset) +
              "; it is left out and nothing is written to it. If the leg is still wanted, check what wrote "
              "there, then `dmirrorctl replace` it",
          p.name, own.slot);
      return;
    }
  }
  const uint64_t needed = own.layout.data_offset + own.layout.data_size;
  if (p.device_size != 0 && p.device_size < needed) {
    leg.disposition = Disposition::Geometry;
    add(a, Severity::Error, "leg-geometry",
        p.name + " is " + format_size_bytes(p.device_size) + ", smaller than the " + format_size_bytes(needed) +
            " the array needs; it is left out (was it "
            "truncated or shrunk?)",
        p.name, own.slot);
    return;
  }
  if (p.logical_block_size != 0 && p.logical_block_size > own.logical_block_size) {
    leg.disposition = Disposition::Geometry;
    add(a, Severity::Error, "leg-geometry",
        p.name + " now has " + std::to_string(p.logical_block_size) + "-byte logical blocks, the array " +
            std::to_string(own.logical_block_size) + "-byte ones; it is left out (attach it with its old block "
            "size, or replace it)",
        p.name, own.slot);
  }
}

}  // namespace

namespace {

// One pass of the rules with a given authority (the newest leg, or the
// administrator's choice).
Assembly run(const std::vector<LegProbe>& probes, const Uuid& array, const AssembleOptions& options,
             std::optional<size_t> chosen) {
  Assembly a;
  a.in_use = options.in_use;
  std::vector<size_t> candidates;
  std::vector<size_t> left_out;   // legs of the array left out by rules 3 and 4 (still evidence for rule 2)
  std::vector<size_t> spares;     // rule 23: devices whose own entry says spare
  for (size_t i = 0; i < probes.size(); ++i) {
    const LegProbe& p = probes[i];
    AssembledLeg leg;
    leg.name = p.name;
    leg.error = p.error;
    leg.meta = p.meta;
    leg.journal = p.journal;
    if (!p.meta) {
      const bool blank = p.error && p.error->code == ErrorCode::NotDmirror;
      leg.disposition = blank ? Disposition::NotDmirror : Disposition::Unreadable;
      add(a, blank ? Severity::Info : Severity::Warning, blank ? "leg-not-dmirror" : "leg-unreadable",
          p.error ? p.name + ": " + p.error->describe() : p.name + " could not be read", p.name);
    } else if (p.meta->sb.array_uuid != array) {
      leg.disposition = Disposition::Foreign;
      add(a, Severity::Warning, "leg-foreign",
          p.name + " belongs to another array '" + escape_name(p.meta->sb.name) + "' (uuid " +
              p.meta->sb.array_uuid.str() + ")",
          p.name);
    } else {
      leg.disposition = Disposition::Member;
      screen_leg(a, p, leg);
      if (leg.disposition == Disposition::Member && own_entry_spare(p.meta->sb))
        spares.push_back(i);
      else
        (leg.disposition == Disposition::Member ? candidates : left_out).push_back(i);
    }
    a.legs.push_back(std::move(leg));
  }
  if (candidates.empty()) {
    // Every member of the array was left out or absent: describe the array
    // from its other legs anyway (a member's table first, else a spare's).
    const Superblock* from = nullptr;
    for (const auto& p : probes)
      if (p.meta && p.meta->sb.array_uuid == array && !own_entry_spare(p.meta->sb)) {
        from = &p.meta->sb;
        break;
      }
    for (size_t i : spares)
      if (!from || (own_entry_spare(*from) && probes[i].meta->sb.seqno > from->seqno)) from = &probes[i].meta->sb;
    a.sb = *from;
    a.sb.slot = 0;
    Members none;
    for (size_t i : map_spares(a, probes, spares, none)) {
      a.legs[i].disposition = Disposition::NotInTable;   // a used spare with no member to copy from
      a.legs[i].slot = probes[i].meta->sb.slot;
    }
    grade_slots(a, probes, none, std::nullopt, options);
    judge(a, probes);
    return a;
  }
  size_t authority = chosen.value_or(candidates.front());
  if (!chosen) {
    for (size_t i : candidates)
      if (probes[i].meta->sb.seqno > probes[authority].meta->sb.seqno) authority = i;
    // Rule 2 counts every valid superblock of the array: a leg left out for
    // its geometry or a foreign signature is no member, but when it is
    // newer its table is the authority, and the members behind it are
    // stale (a truncated newest leg does not make an older leg current).
    for (size_t i : left_out)
      if (probes[i].meta->sb.seqno > probes[authority].meta->sb.seqno) authority = i;
    // So does a spare's (rule 23): written when it was added, it is never
    // newer than the members of that commit. When it is newer than every
    // member given, they are behind it (a leg removed before the spare was
    // added, a member rolled back), and its table says what they are.
    for (size_t i : spares)
      if (probes[i].meta->sb.seqno > probes[authority].meta->sb.seqno) authority = i;
  }
  a.sb = probes[authority].meta->sb;
  a.sb.slot = 0;
  Members spare_slots;
  for (size_t i : map_spares(a, probes, spares, spare_slots)) candidates.push_back(i);
  Members members = map_slots(a, probes, candidates);
  members.spare = spare_slots.spare;
  find_divergence(a, probes, members, authority, options);
  if (chosen) {
    a.split_brain = false;
    a.chosen_slot = probes[authority].meta->sb.slot;
    add(a, Severity::Warning, "split-brain-chosen",
        "split brain settled by choice: " + probes[authority].name + " (slot " + std::to_string(*a.chosen_slot) +
            ") is kept; the legs that diverged from it are copied from it in full",
        probes[authority].name, *a.chosen_slot);
  }
  grade_slots(a, probes, members, authority, options);
  judge(a, probes);
  return a;
}

}  // namespace

Result<Assembly> assemble_array(const std::vector<LegProbe>& probes, const AssembleOptions& options) {
  DMIRROR_ASSIGN_OR_RETURN(const Uuid array, pick_array(probes));
  Assembly a = run(probes, array, options, std::nullopt);
  if (!a.split_brain || !options.choose_slot) return a;
  // The administrator's choice settles a split brain: the chosen leg's own
  // superblock becomes the authority (FORMAT.md 2.6 rule 6).
  std::optional<size_t> chosen;
  std::string claimants;
  bool ambiguous = false;
  for (size_t i = 0; i < probes.size(); ++i) {
    const auto& m = probes[i].meta;
    if (!m || m->sb.array_uuid != array || m->sb.slot != *options.choose_slot) continue;
    if (options.choose_leg && m->sb.leg_uuid != *options.choose_leg) continue;
    const Disposition d = a.legs[i].disposition;
    if (d != Disposition::Member && d != Disposition::Duplicate && d != Disposition::NotInTable) continue;
    claimants += (claimants.empty() ? "" : ", ") + probes[i].name;
    if (chosen && probes[*chosen].meta->sb.leg_uuid != m->sb.leg_uuid) ambiguous = true;
    if (!chosen || m->sb.seqno > probes[*chosen].meta->sb.seqno) chosen = i;
  }
  // Two different legs claim the slot (each side of the split replaced a
  // leg into it): a slot number does not say which side is meant.
  if (ambiguous)
    return make_error(ErrorCode::InvalidArgument,
                      "slot " + std::to_string(*options.choose_slot) + " is claimed by legs of both sides (" +
                          claimants + "); name the leg to keep by its path, not by its slot number");
  if (!chosen)
    // A slot the array does not have is a usage error; a slot of the array
    // whose leg was not given is a refusal (exit 8).
    return make_error(a.slot(*options.choose_slot) ? ErrorCode::Refused : ErrorCode::InvalidArgument,
                      "slot " + std::to_string(*options.choose_slot) +
                                                      " is not among the legs given; give the leg whose data is "
                                                      "to be kept and the legs to copy it onto");
  return run(probes, array, options, chosen);
}

}  // namespace dmirror
