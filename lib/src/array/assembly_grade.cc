// SPDX-License-Identifier: LGPL-2.1-or-later
// Assembly, FORMAT.md 2.6 rules 5, 7-10: each slot's role and how it comes
// back, then the array's conditions and health.
#include <dmirror/names.h>

#include <algorithm>

#include "array/assembly_rules.h"

namespace dmirror::assembly {
namespace {

bool fresh_role(SlotState s) { return s == SlotState::InSync || s == SlotState::Rebuilding; }

// Rule 8: may the journal bring this leg back?
Recovery recovery_for(const Assembly& a, const std::vector<LegProbe>& probes, const Members& m, uint32_t slot,
                      const Superblock& own) {
  if (!(a.sb.incompat & feature::kIncompatMembership)) return Recovery::Full;
  if (m.diverged[slot] || a.sb.legs[slot].state == LegState::Failed) return Recovery::Full;
  // A leg in the middle of a full rebuild (in the newest table, or in its
  // own image of itself) never held all the data: the journal cannot cover it.
  auto full_rebuild = [](const LegEntry& e) {
    return e.state == LegState::Rebuilding && !(e.flags & legflag::kRecoverFromJournal);
  };
  if (full_rebuild(a.sb.legs[slot]) || (own.slot < kMaxLegs && full_rebuild(own.legs[own.slot]))) return Recovery::Full;
  if (own.seqno < a.sb.journal_kept_since) return Recovery::Full;
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    // An image written while a fresh member's leg was absent (the losing
    // side of a settled split brain, taken back) holds writes of its own
    // that no journal of the fresh line records — unless that leg rejoined
    // this leg's line after the image (then it holds them).
    if (m.leg[s] < 0 || s == slot) continue;
    const Superblock& fresh = probes[static_cast<size_t>(m.leg[s])].meta->sb;
    if (fresh.seqno != a.sb.seqno || m.diverged[s]) continue;
    const LegEntry& seen = own.legs[s];
    if (seen.uuid == a.sb.legs[s].uuid && (seen.state == LegState::Missing || seen.state == LegState::Failed) &&
        a.sb.legs[s].state_seq <= own.seqno)
      return Recovery::Full;
  }
  for (uint32_t s = 0; s < kMaxLegs; ++s) {
    if (m.leg[s] < 0 || s == slot) continue;
    const LegProbe& p = probes[static_cast<size_t>(m.leg[s])];
    if (p.meta->sb.seqno != a.sb.seqno || m.diverged[s]) continue;   // only the fresh members' journals count
    if (!p.journal || p.journal->damaged) return Recovery::Full;
  }
  return Recovery::Journal;
}

std::string who(const Assembly& a, const SlotView& v) {
  std::string s = "slot " + std::to_string(v.slot);
  if (v.leg >= 0) s = a.legs[static_cast<size_t>(v.leg)].name + " (" + s + ")";
  return s;
}

// A missing slot may be a leg that was given but cannot be read: say so,
// and that a failing device is replaced, not re-attached.
std::string unreadable_hint(const Assembly& a) {
  std::string names;
  for (const AssembledLeg& l : a.legs) {
    if (l.disposition != Disposition::Unreadable || !l.error || l.error->code == ErrorCode::NotFound) continue;
    names += (names.empty() ? "" : ", ") + l.name;
  }
  if (names.empty()) return {};
  return " (" + names + " could not be read: if that is this slot's leg, the device is failing and must be "
         "replaced)";
}

std::string leg_name(const Assembly& a, const SlotView& v) {
  return v.leg >= 0 ? a.legs[static_cast<size_t>(v.leg)].name : std::string();
}

}  // namespace

// What --force may raise: a present stale leg that is not a partial copy
// (rebuilding in the newest table or in its own), or a present failed leg.
bool force_candidate(const Assembly& a, const SlotView& v) {
  if (v.leg < 0 || v.split) return false;
  if (v.state == SlotState::Failed) return true;
  if (v.state != SlotState::Stale) return false;
  const auto& meta = a.legs[static_cast<size_t>(v.leg)].meta;
  if (!meta) return false;
  const Superblock& own = meta->sb;
  return v.entry.state != LegState::Rebuilding &&
         !(own.slot < kMaxLegs && own.legs[own.slot].state == LegState::Rebuilding);
}

namespace {

void raise_forced(Assembly& a) {
  SlotView* best = nullptr;
  for (auto& v : a.slots) {
    if (!force_candidate(a, v)) continue;
    // The freshest; on a tie the leg without I/O errors.
    if (!best || v.seqno > best->seqno ||
        (v.seqno == best->seqno && best->state == SlotState::Failed && v.state == SlotState::Stale))
      best = &v;
  }
  if (!best) return;
  const bool failed = best->state == SlotState::Failed;
  best->state = SlotState::InSync;
  best->recovery = Recovery::None;
  a.forced = true;
  a.forced_slot = best->slot;
  if (failed) {
    add(a, Severity::Warning, "leg-forced",
        who(a, *best) + " had failed (I/O errors) but was raised to in sync by --force as the only copy present: "
                        "blocks it could not read stay unreadable, and it may lack writes that failed on it; copy "
                        "the data off or `dmirrorctl replace` the leg",
        leg_name(a, *best), best->slot);
    return;
  }
  add(a, Severity::Warning, "leg-forced",
      who(a, *best) + " is behind (seqno " + std::to_string(best->seqno) + ", the array at " +
          std::to_string(a.sb.seqno) + ") but was raised to in sync by --force: it may lack recent writes; "
          "verify the data",
      leg_name(a, *best), best->slot);
}

// Rule 6, unsettled: both sides of the split are shown as such (neither is
// in sync until the administrator chooses one): the authority's fresh
// members and the members that diverged from it, each with the slots of the
// other side that its own table marks absent.
void mark_split_sides(Assembly& a, const std::vector<LegProbe>& probes, const Members& m) {
  if (!a.split_brain || a.chosen_slot) return;
  auto side = [&](const SlotView& v) -> int {
    if (v.leg < 0) return -1;
    if (m.diverged[v.slot]) return 1;
    return fresh_role(v.state) ? 0 : -1;
  };
  // Undecided (rule 18 cannot relate the generations): every member of the
  // other side is only that, so the authority's side is undecided too.
  bool all_undecided = false;
  for (const SlotView& v : a.slots) {
    if (side(v) != 1) continue;
    if (!m.undecided[v.slot]) {
      all_undecided = false;
      break;
    }
    all_undecided = true;
  }
  for (SlotView& v : a.slots) {
    const int mine = side(v);
    if (mine < 0) continue;
    v.split = true;
    v.split_undecided = mine == 1 ? m.undecided[v.slot] : all_undecided;
    const Superblock& own = probes[static_cast<size_t>(v.leg)].meta->sb;
    for (const SlotView& o : a.slots) {
      const int theirs = side(o);
      if (theirs < 0 || theirs == mine || o.slot >= kMaxLegs) continue;
      const LegEntry& seen = own.legs[o.slot];
      if (seen.state == LegState::Missing || seen.state == LegState::Failed) v.written_while_absent.push_back(o.slot);
    }
  }
}

}  // namespace

void grade_slots(Assembly& a, const std::vector<LegProbe>& probes, const Members& m, std::optional<size_t>,
                 const AssembleOptions& options) {
  for (uint32_t s = 0; s < a.sb.nr_legs && s < kMaxLegs; ++s) {
    const LegEntry& e = a.sb.legs[s];
    if (e.state == LegState::Spare) a.spares.push_back(SpareView{s, e, m.spare[s]});
    if (!is_member_state(e.state)) continue;
    SlotView v;
    v.slot = s;
    v.entry = e;
    v.leg = m.leg[s];
    if (v.leg < 0) {
      v.state = e.state == LegState::Failed ? SlotState::Failed : SlotState::Missing;
      v.recovery = e.state == LegState::Failed ? Recovery::Full : Recovery::None;
    } else {
      const Superblock& own = probes[static_cast<size_t>(v.leg)].meta->sb;
      v.seqno = own.seqno;
      const bool fresh = own.seqno == a.sb.seqno && !m.diverged[s];
      if (e.state == LegState::Failed) {
        v.state = SlotState::Failed;
        v.recovery = Recovery::Full;
      } else if (!fresh || e.state == LegState::Missing) {
        v.state = SlotState::Stale;
        v.recovery = recovery_for(a, probes, m, s, own);
      } else if (e.state == LegState::Rebuilding) {
        v.state = SlotState::Rebuilding;
        v.recovery = (e.flags & legflag::kRecoverFromJournal) && recovery_for(a, probes, m, s, own) == Recovery::Journal
                         ? Recovery::Journal
                         : Recovery::Full;
      } else {
        v.state = SlotState::InSync;
      }
    }
    a.slots.push_back(v);
  }
  grade_splits(a);
  mark_split_sides(a, probes, m);
  if (options.force && std::none_of(a.slots.begin(), a.slots.end(),
                                    [](const SlotView& v) { return v.state == SlotState::InSync; }))
    raise_forced(a);
}

// How a rebuilding slot is finished: the target of a replace by rerunning
// the replace (it resumes from its checkpoint; a resync leaves it alone),
// any other by a resync.
static std::string finish_advice(const Assembly& a, const SlotView& v) {
  const Superblock& sb = a.sb;
  // The new leg's own path when it was given: the command can be copied.
  const std::string leg = v.leg >= 0 ? a.legs[static_cast<size_t>(v.leg)].name : "LEG";
  for (uint32_t i = 0; i < sb.nr_legs && i < kMaxLegs; ++i)
    if (sb.legs[i].state == LegState::Replacing && sb.legs[i].replacement_slot == v.slot)
      return "; it is the new leg of the replace of slot " + std::to_string(i) + ": rerun `dmirrorctl replace --old " +
             std::to_string(i) + " --new " + leg + "` with the array's legs to finish it (it resumes from its "
             "checkpoint)";
  return "; run `dmirrorctl resync` to finish";
}

// What to do with a leg the newest table does not list, once the array is
// judged: wipe it only when it is a leftover. The other side of a split
// brain may hold acknowledged writes the authority never saw; with no
// in-sync leg present it may hold the only copy of the newest data (a
// replace whose new leg is gone).
static WipeHold outside_hold(const Assembly& a, const std::string& leg, bool any_in_sync) {
  const bool other_side = std::any_of(a.findings.begin(), a.findings.end(), [&](const Finding& s) {
    return s.code == "split-brain" && s.leg == leg;
  });
  return other_side ? WipeHold::OtherSide : !any_in_sync ? WipeHold::OnlyCopy : WipeHold::None;
}

static void not_in_table_advice(Assembly& a, bool any_in_sync) {
  for (Finding& f : a.findings) {
    if (f.code != "leg-not-in-table") continue;
    switch (outside_hold(a, f.leg, any_in_sync)) {
      case WipeHold::OtherSide:
        f.message += " It went on writing apart from that table (split brain, below) and may hold writes "
                     "the other side never saw. Do not wipe it before choosing the side to keep with "
                     "`dmirrorctl resync --from LEG`";
        break;
      case WipeHold::OnlyCopy:
        f.message += " Keep it: with no in-sync leg present it may hold the only copy of the newest data";
        break;
      default: {
        // The in-sync legs go with it: wipe judges by them (image files
        // are not found by scanning).
        std::string with;
        for (const SlotView& v : a.slots)
          if (v.state == SlotState::InSync && v.leg >= 0) with += " " + a.legs[static_cast<size_t>(v.leg)].name;
        f.message += " Wipe it (dmirrorctl wipe " + f.leg + (with.empty() ? "" : " --with" + with) +
                     ") before reusing it";
      }
    }
  }
}


void judge(Assembly& a, const std::vector<LegProbe>& probes) {
  const Superblock& sb = a.sb;
  bool any_in_sync = false;
  const bool none_in_sync =
      std::none_of(a.slots.begin(), a.slots.end(), [](const SlotView& v) { return v.state == SlotState::InSync; });
  for (const SlotView& v : a.slots) {
    const std::string name = leg_name(a, v);
    switch (v.state) {
      case SlotState::InSync:
        any_in_sync = true;
        break;
      case SlotState::Rebuilding:
        a.degraded = true;
        add(a, Severity::Warning, "leg-rebuilding",
            who(a, v) + " is rebuilding" +
                (v.recovery == Recovery::Journal ? " from the journal"
                                                 : ", current up to byte " + std::to_string(v.entry.recovery_offset)) +
                finish_advice(a, v),
            name, v.slot);
        break;
      case SlotState::Stale:
        a.degraded = true;
        if (v.split) break;   // one side of a split brain: the split-brain finding says it
        add(a, Severity::Warning, "leg-stale",
            who(a, v) + " is stale: its superblock is at seqno " + std::to_string(v.seqno) + ", the array at " +
                std::to_string(sb.seqno) + (v.entry.state == LegState::Missing ? " (it was missing)" : "") +
                "; it is never read until recovered (" +
                (v.recovery == Recovery::Journal ? "from the journal" : "by a full copy") +
                "): run `dmirrorctl resync`",
            name, v.slot);
        break;
      case SlotState::Missing:
        a.degraded = true;
        add(a, Severity::Error, "leg-missing",
            "slot " + std::to_string(v.slot) + " (leg uuid " + v.entry.uuid.str() + ") is missing" +
                (v.entry.state == LegState::Missing
                     ? " since seqno " + std::to_string(v.entry.state_seq) +
                           // Rule 8: its own seqno is at least state_seq - 1; bits cleared after that are gone.
                           (a.sb.journal_kept_since + 1 <= v.entry.state_seq
                                ? "; writes since are kept in the journal"
                                : "; the journal no longer covers the writes since (bits were cleared after it "
                                  "left), so it comes back by a full copy")
                     : "") +
                unreadable_hint(a) + "; attach it and run `dmirrorctl resync`, or `dmirrorctl replace` it",
            {}, v.slot);
        break;
      case SlotState::Failed:
        a.degraded = true;
        if (none_in_sync && v.leg >= 0) {
          // No leg to copy from: a re-add or replace has no source.
          add(a, Severity::Error, "leg-failed",
              who(a, v) + " has failed (I/O errors), and no in-sync leg is present to copy it from: it may hold "
                          "the only copy of the data",
              name, v.slot);
          break;
        }
        add(a, Severity::Error, "leg-failed",
            who(a, v) + " has failed (I/O errors); it comes back only by a full copy: `dmirrorctl resync --re-add` "
                        "onto the same device once it works again, or `dmirrorctl replace` onto another",
            name, v.slot);
        break;
    }
  }
  judge_splits(a);
  // Damaged superblock copies and journals of the members. One damaged or
  // older copy is a warning, no condition: the leg's other copy and the
  // other legs still hold the metadata (rule 9; verify --repair rewrites it).
  uint64_t dirty = 0;
  for (const SlotView& v : a.slots) {
    if (v.leg < 0) continue;
    const LegProbe& p = probes[static_cast<size_t>(v.leg)];
    for (const Finding& f : p.meta->findings) {
      Finding copy = f;
      if (copy.leg.empty()) copy.leg = p.name;
      if (copy.slot < 0) copy.slot = v.slot;
      if (copy.severity >= Severity::Error) a.inconsistent = true;
      a.findings.push_back(std::move(copy));
    }
    if (!fresh_role(v.state)) continue;
    if (!p.journal) {
      a.inconsistent = true;
      add(a, Severity::Error, "journal-unreadable", p.name + ": the write-intent journal could not be read",
          p.name, v.slot);
    } else {
      dirty = std::max(dirty, p.journal->dirty);
      if (p.journal->damaged) {
        a.inconsistent = true;
        add(a, Severity::Error, "journal-damaged",
            p.name + ": the write-intent journal is damaged (" + p.journal->detail +
                "); its regions count as dirty. Run `dmirrorctl resync` (a full resync rewrites it)",
            p.name, v.slot);
      }
    }
  }
  a.dirty_regions = dirty;
  if (auto st = validate_array_name(sb.name); !st) {
    a.inconsistent = true;
    add(a, Severity::Error, "name-invalid",
        "the array name read from disk, '" + escape_name(sb.name) + "', is not a valid name: " + st.error().message);   // that message escapes the name already
  }
  if (sb.last_scrub.result == ScrubResult::Mismatches && sb.last_scrub.mismatches == 0) {
    // Left by blocks that no leg could read (the scrub's output and the
    // event history name them).
    a.inconsistent = true;
    add(a, Severity::Error, "unreadable-blocks",
        "the last check found blocks that no leg could read: their data is lost. `dmirrorctl verify` lists "
        "where; restore those ranges from a backup (a write rewrites every leg), then check again");
  } else if (sb.last_scrub.result == ScrubResult::Mismatches) {
    a.inconsistent = true;
    add(a, Severity::Error, "mismatches-unrepaired",
        "the last check found " + count_of(sb.last_scrub.mismatches, "region") +
            " where the legs differ and left them: choose the good leg with `dmirrorctl scrub --from "
            "LEG`, then check again");
  }
  const bool kernel = sb.has_flag(sbflag::kKernelOwnsSync);
  if (kernel)
    add(a, Severity::Info, "kernel-owns-sync",
        "the array is active as an online volume (or the machine stopped while it was): the kernel owns its sync "
        "state");
  // A live writer's Dirty flag and journal bits are its writes in flight:
  // the array is in use, not unclean.
  const bool in_use = a.in_use.has_value();
  // Bits kept for a split (rule 24) are no crash window either.
  const bool kept = a.degraded || journal_kept_for_split(sb);
  a.unclean = !in_use && ((sb.has_flag(sbflag::kDirty) && !kernel) || (dirty > 0 && !kept));
  a.initial_sync = sb.resync_offset != kOffsetInSync && sb.last_scrub.result == ScrubResult::Never &&
                   !sb.has_flag(sbflag::kAssumeClean) && !a.unclean;
  a.resync_pending = a.unclean || sb.resync_offset != kOffsetInSync;
  const std::string holder = in_use ? a.in_use->command + " (pid " + std::to_string(a.in_use->pid) + ")" : "";
  if (in_use)
    add(a, Severity::Info, "in-use",
        "in use: " + holder + " holds the array and is writing it; its Dirty flag and journal bits are its writes "
        "in flight, not an unclean shutdown. Commands that write the array are refused until it is done");
  if (in_use && a.resync_pending) {
    add(a, Severity::Warning, "resync-pending",
        std::string(a.initial_sync ? "initial resync" : "a resync") + " pending from byte " +
            std::to_string(sb.resync_offset) + " of the data area; " + holder +
            " holds the array: check again when it is done");
  } else if (a.initial_sync) {
    add(a, Severity::Warning, "resync-pending",
        "initial resync pending from byte " + std::to_string(sb.resync_offset) +
            " of the data area: run `dmirrorctl resync` (or activate: the kernel syncs)");
  } else if (a.unclean) {
    add(a, Severity::Warning, "resync-pending",
        "unclean shutdown: " + count_of(dirty, "region") +
            " to resync (the legs may differ there): run `dmirrorctl resync`");
  } else if (a.resync_pending) {
    add(a, Severity::Warning, "resync-pending",
        "a resync is pending from byte " + std::to_string(sb.resync_offset) + " of the data area: run "
        "`dmirrorctl resync`");
  } else if (dirty > 0 && (kept || !in_use)) {
    add(a, Severity::Info, "journal-kept",
        count_of(dirty, "region") + (a.degraded ? " written while degraded " : " written since the split ") +
            (dirty == 1 ? "is" : "are") + " kept in the journal" +
            (a.degraded ? " for the legs that return" : " for a merge"));
  }
  not_in_table_advice(a, any_in_sync);
  if (!any_in_sync) {
    add(a, Severity::Fatal, "no-in-sync-leg",
        "no in-sync leg is present: the array's data cannot be read. " + no_in_sync_advice(a));
    a.health = Health::Failed;
  } else if (a.inconsistent) {
    a.health = Health::Inconsistent;
  } else if (a.degraded) {
    a.health = Health::Degraded;
  } else if (a.resync_pending) {
    a.health = Health::ResyncPending;
  } else {
    a.health = Health::Healthy;
  }
}

}  // namespace dmirror::assembly

namespace dmirror {

std::string no_in_sync_advice(const Assembly& a) {
  // --force raises a stale or failed leg only, never a rebuilding one (a
  // partial copy): do not offer it when it cannot help.
  const bool can = std::any_of(a.slots.begin(), a.slots.end(),
                               [&](const SlotView& v) { return assembly::force_candidate(a, v); });
  return can ? "Find the missing legs; as a last resort `dmirrorctl resync --force` raises the freshest stale or "
               "failed leg present (it may lack recent writes, or hold blocks it cannot read)"
             : "Find the missing legs; `--force` cannot help: no stale or failed leg is present (a rebuilding leg "
               "holds a partial copy and is never raised)";
}

std::string_view wipe_hold_name(WipeHold h) {
  switch (h) {
    case WipeHold::None: return "none";
    case WipeHold::Member: return "member";
    case WipeHold::OtherSide: return "other-side";
    case WipeHold::OnlyCopy: return "only-copy";
    case WipeHold::Spare: return "spare";
  }
  return "?";
}

WipeHold wipe_hold(const Assembly& a, size_t i) {
  if (i >= a.legs.size()) return WipeHold::None;
  switch (a.legs[i].disposition) {
    case Disposition::Member:
    case Disposition::Duplicate:
    case Disposition::Geometry:
      return WipeHold::Member;
    case Disposition::Spare:   // the table lists it: `remove` it first
      return WipeHold::Spare;
    case Disposition::NotInTable:
      // The leg of a split slot (rule 24): finish the split, or remove the slot.
      for (const SplitView& v : a.splits)
        if (v.leg == static_cast<int>(i)) return WipeHold::Member;
      return assembly::outside_hold(a, a.legs[i].name, !a.in_sync_slots().empty());
    default:
      return WipeHold::None;
  }
}

}  // namespace dmirror

