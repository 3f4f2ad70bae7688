// SPDX-License-Identifier: LGPL-2.1-or-later
// The last resort's decision (last_resort.h), a pure function of the one
// assembly of the legs recorded at boot: activate degraded, or refuse and
// say why. mdadm's `--run` starts whatever can run; dmirror also refuses
// when the array's policy is never, and never starts a split brain.
#pragma once

#include <dmirror/assembly.h>

#include <string>

namespace dmirror::cli {

enum class LastResortVerdict {
  Activate,      // start it (degraded when a.degraded)
  Never,         // the array's degraded timeout is `never`
  SplitBrain,    // legs written apart: the administrator chooses (--from)
  NoInSyncLeg,   // no in-sync leg present: the data is not all there
};

struct LastResortDecision {
  LastResortVerdict verdict = LastResortVerdict::Activate;
  ErrorCode code = ErrorCode::Refused;   // for the refusals
  std::string why;                       // for the refusals: what is wrong and what to do
};

/// The pure decision from the assembly of the recorded legs.
LastResortDecision decide_last_resort(const Assembly& a);

/// "after 30 s (default) ...", "never ...": the policy in words (create, examine).
std::string degraded_boot_text(uint32_t raw);

}  // namespace dmirror::cli
