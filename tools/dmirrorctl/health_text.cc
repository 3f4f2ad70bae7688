// SPDX-License-Identifier: LGPL-2.1-or-later
// Health wording (see health_text.h).
#include "health_text.h"

#include "journal_log.h"
#include "output.h"

#include <dmirror/names.h>

#include <fmt/format.h>
#include <syslog.h>

namespace dmirror::cli {
namespace {

void add(std::string& out, const std::string& what) {
  if (!out.empty()) out += "; ";
  out += what;
}

}  // namespace

std::string health_details(const Assembly& a, bool brief) {
  std::string out;
  if (a.in_use) add(out, "in use by " + in_use_text(a));
  if (a.split_brain) add(out, brief ? "split brain" : "split brain: choose the side to keep with 'resync --from LEG'");
  for (const auto& s : a.slots) {
    if (s.state == SlotState::InSync && !s.split) continue;
    const AssembledLeg* l = slot_leg(a, s);
    add(out, fmt::format("slot {}{} {}", s.slot, l ? " (" + printable(l->name) + ")" : "", role_text(s)));
  }
  for (const SplitView& v : a.splits)
    add(out, fmt::format("slot {} split off{}", v.slot,
                         v.tracking ? (brief ? "" : " (changes tracked: `merge` brings it back)") : ", tracking lost"));
  if (a.initial_sync) add(out, "initial resync pending");
  if (a.unclean) add(out, fmt::format("unclean shutdown: {} to resync", count_of(a.dirty_regions, "region")));
  if (a.resync_pending && !a.initial_sync && !a.unclean)
    add(out, fmt::format("resync pending from byte {}", a.sb.resync_offset));
  if (a.inconsistent && a.sb.last_scrub.result == ScrubResult::Mismatches && a.sb.last_scrub.mismatches == 0)
    add(out, fmt::format("the last check found blocks that no leg could read{}",
                         brief ? "" : " (their data is lost: see the findings; a clean check clears this)"));
  else if (a.inconsistent && a.sb.last_scrub.result == ScrubResult::Mismatches)
    add(out, fmt::format("the last check left {}{}", count_of(a.sb.last_scrub.mismatches, "mismatch"),
                         brief ? "" : " (choose the good leg with `scrub --from LEG`; a clean check clears this)"));
  else if (a.inconsistent && !a.split_brain)
    add(out, "see the findings");
  if (a.forced) add(out, "a stale leg was forced in sync");
  return out;
}

std::string health_line(const Assembly& a) {
  std::string details = health_details(a, true);
  return std::string(health_name(a.health)) + (details.empty() ? "" : " (" + details + ")");
}

const AssembledLeg* slot_leg(const Assembly& a, const SlotView& s) {
  if (s.leg < 0 || static_cast<size_t>(s.leg) >= a.legs.size()) return nullptr;
  return &a.legs[static_cast<size_t>(s.leg)];
}

std::string in_use_text(const Assembly& a) {
  if (!a.in_use) return {};
  const LockHolder& h = *a.in_use;
  return fmt::format("{} (pid {}{})", h.command.empty() ? std::string("another process") : printable(h.command), h.pid,
                     h.since ? ", since " + format_time(h.since) : std::string());
}

std::string role_name(const SlotView& s) { return s.split ? "split" : std::string(slot_state_name(s.state)); }

std::string split_text(const SlotView& s) {
  if (!s.split) return {};
  std::string slots;
  for (uint32_t o : s.written_while_absent) slots += fmt::format("{}{}", slots.empty() ? "" : ", ", o);
  const std::string absent = fmt::format("written while slot{} {} {} absent", s.written_while_absent.size() == 1 ? "" : "s",
                                         slots, s.written_while_absent.size() == 1 ? "was" : "were");
  if (s.split_undecided)
    return "undecided: the generations cannot be related (history overflowed)" +
           (s.written_while_absent.empty() ? std::string() : "; " + absent);
  if (s.written_while_absent.empty()) return "diverged: written apart from the other side";
  return "diverged: " + absent;
}

std::string role_text(const SlotView& s) {
  if (s.split) return role_name(s) + " (" + split_text(s) + ")";
  std::string out(slot_state_name(s.state));
  if (s.recovery != Recovery::None) out += fmt::format(", recovery {}", recovery_name(s.recovery));
  return out;
}

std::string effective_state(const SlotView& s) {
  if (s.state == SlotState::Missing || s.state == SlotState::Stale) return std::string(slot_state_name(s.state));
  return std::string(leg_state_name(s.entry.state));
}

uint32_t slots_found(const Assembly& a) {
  uint32_t n = 0;
  for (const auto& s : a.slots) n += s.leg >= 0 ? 1 : 0;
  return n;
}

Findings shown_findings(const Assembly& a) {
  Findings out = a.findings;
  bool listed = false;
  for (const auto& f : out) listed |= f.code == "name-invalid";
  if (auto st = validate_array_name(a.sb.name); !st && !listed) {
    out.push_back(Finding{Severity::Warning, "name-invalid",
                          "the array name on disk, '" + a.sb.name + "', breaks the naming rules (" +
                              st.error().describe() + "); it may have been forged or damaged",
                          "", -1});
  }
  return out;
}

bool is_vote_note(const Finding& f) {
  return f.code == "resync-outvoted" || f.code == "resync-no-majority" || f.code == "resync-vote-skipped";
}

bool warn_vote_notes(const Findings& findings) {
  bool outvoted = false;
  for (const auto& f : findings) {
    if (!is_vote_note(f)) continue;
    log_stderr(LOG_WARNING, "dmirrorctl: warning: " + finding_subject(f) + printable_message(f.message));
    outvoted |= f.code == "resync-outvoted";
  }
  return outvoted;
}

std::string finding_subject(const Finding& f) {
  const std::string msg = printable_message(f.message);
  const std::string slot = f.slot >= 0 ? fmt::format("slot {}", f.slot) : "";
  const bool says_slot = !slot.empty() && msg.find(slot) != std::string::npos;
  if (!f.leg.empty()) {
    const std::string leg = printable(f.leg);
    if (msg.find(leg) != std::string::npos) return "";
    return leg + (slot.empty() || says_slot ? "" : " (" + slot + ")") + ": ";
  }
  return slot.empty() || says_slot ? "" : slot + ": ";
}

std::string finding_text(const Finding& f) {
  return fmt::format("{}: {}{}", severity_name(f.severity), finding_subject(f), printable_message(f.message));
}

}  // namespace dmirror::cli
