// SPDX-License-Identifier: LGPL-2.1-or-later
// The words of an assembled array's health, shared by status, list,
// examine and the warnings of the commands that change an array: the
// health name and the conditions behind it ("initial resync pending",
// "unclean shutdown: 3 regions to resync", "slot 2 missing", ...), a slot's
// role and recovery, and the findings as shown (with the array name
// checked against create's rules).
#pragma once

#include "escape.h"

#include <dmirror/assembly.h>

#include <string>

namespace dmirror::cli {

// The conditions that hold, joined by "; " (empty when healthy). `brief`
// leaves out the advice.
std::string health_details(const Assembly& a, bool brief = false);
// "healthy", or e.g. "resync-pending (initial resync pending)".
std::string health_line(const Assembly& a);

// "dmirrorctl io write ... (pid 1234, since 2026-05-01 12:00:00 UTC)": the
// live writer holding the array (Assembly::in_use); "" when none.
std::string in_use_text(const Assembly& a);

const AssembledLeg* slot_leg(const Assembly& a, const SlotView& s);
// The slot's role as shown: `split` on either side of a split brain not
// yet settled, else the assembly's role (in_sync, stale, ...).
std::string role_name(const SlotView& s);
// "diverged: written while slot 1 was absent" for a split slot; "" otherwise.
std::string split_text(const SlotView& s);
// The slot's role; "stale, recovery journal" etc. when a recovery is due.
std::string role_text(const SlotView& s);
// The leg-table state, or the role when the slot is missing or stale (the
// `status` key of JSON output_version 1).
std::string effective_state(const SlotView& s);
uint32_t slots_found(const Assembly& a);

// The assembly's findings, plus a `name-invalid` finding when the array
// name read from disk breaks create's rules (names.h).
Findings shown_findings(const Assembly& a);
// "warning: b.img: ..." (leg or slot named; untrusted text escaped).
std::string finding_text(const Finding& f);
// The leg a finding is about, "PATH (slot N): ", unless its message already
// names it (never "slot 1 (slot 1)"); empty for array-wide findings.
std::string finding_subject(const Finding& f);
// A note on how a recovery of dirty regions chose its copies (FORMAT.md
// 2.6 rule 21: outvoted, no majority, no vote possible): every command
// whose run recovers them shows it on stderr.
bool is_vote_note(const Finding& f);
// Writes every vote note of `findings` to stderr as a warning; true when
// one says a leg's copy was outvoted (corrected: exit bit 1).
bool warn_vote_notes(const Findings& findings);

}  // namespace dmirror::cli
