// SPDX-License-Identifier: LGPL-2.1-or-later
// The exit-code tables of exit_codes.h: conditions to bits, errors to
// status, and their rendering for --help.
#include "exit_codes.h"
#include "journal_log.h"

#include "health_text.h"

#include <fmt/format.h>
#include <syslog.h>

namespace dmirror::cli {

bool condition_holds(const Assembly& a, Condition c) {
  switch (c) {
    case Condition::ResyncPending: return a.resync_pending;
    case Condition::Degraded: return a.degraded;
    case Condition::Inconsistent: return a.inconsistent;
    case Condition::Failed: return a.health == Health::Failed;
  }
  return false;
}

int health_exit_bits(const Assembly& a) {
  int bits = health_exit_bits(a.health);
  for (const auto& c : kConditionBits)
    if (condition_holds(a, c.condition)) bits |= c.bits;
  return bits;
}

int condition_bits(Condition c) {
  for (const auto& x : kConditionBits)
    if (x.condition == c) return x.bits;
  return kExitOk;
}

int health_exit_bits(Health h) {
  switch (h) {
    case Health::Healthy: return kExitOk;
    case Health::ResyncPending: return condition_bits(Condition::ResyncPending);
    case Health::Degraded: return condition_bits(Condition::Degraded);
    case Health::Inconsistent: return condition_bits(Condition::Inconsistent);
    case Health::Failed: return condition_bits(Condition::Failed);
  }
  return kExitOk;
}

int exit_code_for(ErrorCode code) {
  // An error means the command did not do what was asked: bit 8, unless the
  // command line itself was wrong (16) or the user cancelled (32). Bits 2
  // and 4 are the array's conditions, which only check commands report; an
  // error adds 4 only when the refusal IS an inconsistency (split brain,
  // damaged metadata), never 2 alone (a stale or missing leg that stops a
  // command is a refusal: 8).
  switch (code) {
    case ErrorCode::InvalidArgument: return kExitUsage;
    case ErrorCode::Cancelled: return kExitCancelled;
    case ErrorCode::Corruption:
    case ErrorCode::SplitBrain: return kExitUncorrected | kExitOperational;
    case ErrorCode::Stale:
    case ErrorCode::Refused:
    case ErrorCode::Io:
    case ErrorCode::NotFound:
    case ErrorCode::TooSmall:
    case ErrorCode::Busy:
    case ErrorCode::Exists:
    case ErrorCode::PermissionDenied:
    case ErrorCode::Unsupported:
    case ErrorCode::NotDmirror:
    case ErrorCode::ForeignSignature:
    case ErrorCode::Internal:
      return kExitOperational;
  }
  return kExitOperational;
}

int operation_finding_bits(const Finding& f) {
  // A leg failed during the run: the assembly after the run says degraded.
  if (f.code == "leg-failed") return kExitOk;
  if (f.code == "read-error-corrected" || f.code == "superblock-copy-repaired") return kExitCorrected;
  return f.severity >= Severity::Error ? kExitUncorrected : kExitOk;
}

bool warn_if_degraded(const Assembly& a) {
  if (!a.degraded && a.health != Health::Failed) return false;
  log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: array '{}' is left {}: {}. Run 'dmirrorctl status' for the legs.",
             printable(a.sb.name), health_name(a.health), health_details(a, true)));
  return true;
}

bool warn_if_degraded(const std::vector<std::string>& paths) {
  auto a = assemble_paths(paths);
  return a && warn_if_degraded(*a);
}

std::string exit_code_help() {
  std::string out = "Exit status (bits; status, list, examine, verify and scrub OR them together):\n";
  for (const auto& e : kExitBits) out += fmt::format("  {:>2}  {}\n", e.bit, e.meaning);
  out += "Array conditions and their bits (docs/array-states.md):";
  for (const auto& c : kConditionBits) out += fmt::format(" {} {};", c.name, c.bits);
  out.back() = '\n';
  out += "create, activate, deactivate, resync, replace, io and clear exit 0 when done (1: something was corrected)\n"
         "and warn on stderr when they leave the array degraded.\n";
  return out;
}

}  // namespace dmirror::cli
