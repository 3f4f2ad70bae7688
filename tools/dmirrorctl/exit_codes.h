// SPDX-License-Identifier: LGPL-2.1-or-later
// THE exit-code table of dmirrorctl. Exit statuses are bits, e2fsck style.
//
//   0  success; the array is healthy
//   1  problems were found and corrected
//   2  degraded, or a resync is pending
//   4  inconsistent: problems left uncorrected
//   8  operational error: I/O error, not found, busy, permission, or refused
//      (foreign signatures, existing membership, too small, a leg missing or
//      not in sync for what was asked)
//  16  usage or syntax error (bad option, invalid name or size, a slot the
//      array does not have)
//
// An error (the command did not do what was asked) has bit 8, 16 or 32;
// never 2 or 4 alone. A refusal that IS an inconsistency (split brain,
// damaged metadata) is 8 + 4.
//  32  cancelled (declined at the prompt, interrupted)
//
// Bits 2 and 4 come from ONE table, kConditionBits: the conditions of the
// one assembly (assembly.h, docs/array-states.md). Commands whose job is to
// check (status, list, examine, verify, scrub) OR the bits of every
// condition that holds. Commands whose job is to change (create, activate,
// deactivate, resync, replace, io, clear, wipe) exit 0 when they did what was asked, 1
// when they corrected something, and warn on stderr (warn_if_degraded)
// when they leave the array degraded: their exit status is not a health
// check.
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/findings.h>
#include <dmirror/result.h>

#include <string>
#include <string_view>
#include <vector>

namespace dmirror::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCorrected = 1;
inline constexpr int kExitDegraded = 2;
inline constexpr int kExitUncorrected = 4;
inline constexpr int kExitOperational = 8;
inline constexpr int kExitUsage = 16;
inline constexpr int kExitCancelled = 32;

struct ExitBit {
  int bit;
  std::string_view meaning;
};
inline constexpr ExitBit kExitBits[] = {
    {kExitOk, "success; the array is healthy"},
    {kExitCorrected, "problems were found and corrected"},
    {kExitDegraded, "degraded (a leg missing, stale, failed or rebuilding), or a resync is pending"},
    {kExitUncorrected, "inconsistent: split brain, legs that disagree, a damaged journal, mismatches left"},
    {kExitOperational, "operational error: I/O, not found, busy, permission, refused"},
    {kExitUsage, "usage or syntax error: bad option, invalid name or size"},
    {kExitCancelled, "cancelled at the prompt or interrupted"},
};

// The assembly's conditions and their exit bits.
enum class Condition { ResyncPending, Degraded, Inconsistent, Failed };
struct ConditionBits {
  Condition condition;
  std::string_view name;   // as in `status` (health names)
  int bits;
};
inline constexpr ConditionBits kConditionBits[] = {
    {Condition::ResyncPending, "resync-pending", kExitDegraded},
    {Condition::Degraded, "degraded", kExitDegraded},
    {Condition::Inconsistent, "inconsistent", kExitUncorrected},
    {Condition::Failed, "failed", kExitDegraded | kExitUncorrected},
};

// The bits of condition `c`.
int condition_bits(Condition c);
// Does `c` hold for the assembly?
bool condition_holds(const Assembly& a, Condition c);
// The bits of every condition that holds (check commands).
int health_exit_bits(const Assembly& a);
// The bits of one health value alone (what holds at least).
int health_exit_bits(Health h);

// The one ErrorCode -> exit status mapping.
int exit_code_for(ErrorCode code);

// verify: the bits of one finding of the run itself (a mismatch, a read
// error, a superblock copy repaired). The array's state is judged by the
// assembly's conditions (health_exit_bits) alone, never by its findings.
int operation_finding_bits(const Finding& f);

// A change command leaving the array degraded (or worse) says so on stderr;
// `what` names the array. Returns true when it warned.
bool warn_if_degraded(const Assembly& a);
// The same, assembling `paths` first (nothing is said when that fails).
bool warn_if_degraded(const std::vector<std::string>& paths);

// The tables as text, for the --help footer.
std::string exit_code_help();

}  // namespace dmirror::cli
