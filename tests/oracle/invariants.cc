// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/invariants.h"

#include <cstdlib>
#include <sstream>

namespace dmirror::oracle {
namespace {

// Invariants the library on main does not keep yet (the oracle's report
// names the shortest sequences); enabled by the integrator once the
// membership work is merged.
constexpr Invariant kKnownFailing[] = {
    Invariant::ReadCurrent,            // split brain served; stale legs read and written
    Invariant::HealthyIdentical,       // health ignores DIRTY: "healthy" after a crash
    Invariant::HealthyNothingPending,  // the same
    Invariant::NoSilentDegrade,        // replace fails a leg and returns success with no word
    Invariant::ForeignUntouched,       // superblock rewrites over a swap signature
    Invariant::AckedDataKept,          // recovery copies from a stale or truncated leg
    Invariant::SeqnoMonotonicCrash,    // copy 0 rewritten first while copy 1 is older
};

}  // namespace

std::string_view invariant_name(Invariant i) {
  switch (i) {
    case Invariant::ReadCurrent: return "read-current";
    case Invariant::ReadNeverWritten: return "read-never-written";
    case Invariant::HealthyIdentical: return "healthy-identical";
    case Invariant::HealthyNothingPending: return "healthy-nothing-pending";
    case Invariant::NoSilentDegrade: return "no-silent-degrade";
    case Invariant::SeqnoMonotonic: return "seqno-monotonic";
    case Invariant::SeqnoMonotonicCrash: return "seqno-monotonic-crash";
    case Invariant::ForeignUntouched: return "foreign-untouched";
    case Invariant::LockHeld: return "lock-held";
    case Invariant::AckedDataKept: return "acked-data-kept";
    case Invariant::CheckWritesNothing: return "check-writes-nothing";
    case Invariant::CheckFindsMismatches: return "check-finds-mismatches";
    case Invariant::RepairConverges: return "repair-converges";
    case Invariant::NoLibraryCrash: return "no-library-crash";
  }
  return "?";
}

InvariantSet all_invariants() {
  InvariantSet s;
  for (int i = 0; i < kInvariants; ++i) s.insert(static_cast<Invariant>(i));
  return s;
}

InvariantSet ci_invariants() {
  InvariantSet s = all_invariants();
  const char* env = std::getenv("DMIRROR_ORACLE_INVARIANTS");
  if (env && std::string(env) == "all") return s;
  if (env && *env) {
    s.clear();
    std::stringstream in(env);
    std::string name;
    while (std::getline(in, name, ','))
      for (int i = 0; i < kInvariants; ++i)
        if (invariant_name(static_cast<Invariant>(i)) == name) s.insert(static_cast<Invariant>(i));
    return s;
  }
  for (Invariant i : kKnownFailing) s.erase(i);
  return s;
}

}  // namespace dmirror::oracle
