// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/invariants.h"

#include <cstdlib>
#include <sstream>

namespace dmirror::oracle {
namespace {

// Invariants CI leaves out because the long mode still finds sequences
// that break them (DMIRROR_ORACLE_INVARIANTS=all turns them on).
constexpr Invariant kKnownFailing[] = {
    // A leg rolled back to an image from before a replace of another slot,
    // then written alone (marking that slot missing), then given back with
    // the replacement: the replacement's newer table lists the leg in sync;
    // rule 6 of FORMAT.md 2.6 finds no mark of the replacement in the leg's
    // table (and the replacement's entry changed after the leg's last
    // commit, which rule 6 reads as a rejoin), so the leg is only stale and
    // its newer writes are recovered over. No superblock tells this from a
    // genuine earlier image of the leg taken after it was written alone;
    // the journal could when the replacement's journal_kept_since is below
    // the leg's seqno (a region dirty on the leg and clean on every fresh
    // member was written outside the fresh members' line). Open: whether
    // rule 6 should call that split brain. Shortest sequence:
    //   oracle_tests --replay 1788926558637148679 snapshot#3836692139443511860
    //     concurrent#10471286965413696964 remove-leg#1052923760186371572
    //     rollback#7612535338656058467 engine-writes#17149512167521651123
    //     return-leg#6773243893859486496
    // (the sequences already fixed are kept in OracleFound, oracle_main.cc).
    Invariant::ReadCurrent,
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
