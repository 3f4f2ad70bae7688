// SPDX-License-Identifier: LGPL-2.1-or-later
// The invariants checked after every step (the issue "One truth about the
// array"). Each has a stable name; the CI run enables the ones the library
// already keeps (kCiInvariants), DMIRROR_ORACLE_INVARIANTS=all enables all.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::oracle {

enum class Invariant {
  ReadCurrent,          // (1) a read never returns data older than the newest acknowledged write
                        //     while a leg holding it is given and usable (when none is, the
                        //     array says so); a write no leg holds any more is lost, and the
                        //     newest write still held takes its place (World::forget_lost)
  ReadNeverWritten,     // (1) a read never returns data never written there (except rotted sectors)
  HealthyIdentical,     // (2) healthy => the members' data areas are identical (rotted sectors aside)
  HealthyNothingPending,// (2) healthy => not dirty, no resync pending
  NoSilentDegrade,      // (3) a command that succeeds and leaves the array degraded says so
  SeqnoMonotonic,       // (4) a leg's seqno never goes backwards except by the oracle's rollback
  SeqnoMonotonicCrash,  // (4) ... nor by a power cut (a torn superblock write leaves the other copy,
                        //     which must not be older than what the leg already had)
  ForeignUntouched,     // (5) no byte of a foreign signature is overwritten
  LockHeld,             // (6) no command writes without holding the array lock
  AckedDataKept,        // an acknowledged write stays on some leg (no command destroys the last copy)
  CheckWritesNothing,   // verify (check) writes nothing; scrub check writes no data
  CheckFindsMismatches, // a full check reports every difference between the in-sync legs
  RepairConverges,      // after a successful full repair the in-sync legs are identical
  NoLibraryCrash,       // no command throws
};
inline constexpr int kInvariants = static_cast<int>(Invariant::NoLibraryCrash) + 1;
std::string_view invariant_name(Invariant i);

using InvariantSet = std::set<Invariant>;
InvariantSet all_invariants();
// The CI set: every invariant except those listed in kKnownFailing (see
// invariants.cc), unless DMIRROR_ORACLE_INVARIANTS says otherwise
// ("all", or a comma-separated list of names).
InvariantSet ci_invariants();

struct Violation {
  Invariant inv;
  std::string detail;
};

}  // namespace dmirror::oracle
