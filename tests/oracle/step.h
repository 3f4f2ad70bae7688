// SPDX-License-Identifier: LGPL-2.1-or-later
// The oracle's steps. A step is its kind and a seed; every choice it makes
// (which leg, which range, which policy) is drawn from that seed against
// the world it finds, so any subsequence of a failing sequence replays
// deterministically (for shrinking). A step that does not apply to the
// world it finds (no leg to return, no snapshot to roll back to) does nothing.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace dmirror::oracle {

enum class StepKind {
  EngineWrites,      // open the engine on the present legs, write, flush, close or drop
  CrashWrites,       // the same on crash-simulating devices, then a power cut
  RemoveLeg,         // a leg is no longer given to the commands
  ReturnLeg,         // a removed leg is given again
  Snapshot,          // copy a leg's image file (for a later rollback)
  Rollback,          // restore a leg to an earlier copy of itself
  Truncate,          // shrink a leg's image file into its data area
  Grow,              // give a truncated leg its size back (or grow a leg)
  BitRot,            // random bytes into a leg's data area
  ForeignSignature,  // a swap signature over superblock copy 0 of a leg
  Status,            // assembly of the present legs
  Verify,            // verify, check only
  VerifyRepair,      // verify --repair
  Resync,            // resync (journal or full)
  ScrubCheck,        // scrub, check only
  ScrubRepair,       // scrub with repair
  ScrubFrom,         // scrub --from a slot
  Replace,           // replace a slot by the spare image file
  Concurrent,        // two commands at once: one must be refused (array lock)
};
inline constexpr int kStepKinds = static_cast<int>(StepKind::Concurrent) + 1;
std::string_view step_name(StepKind k);

struct Step {
  StepKind kind = StepKind::Status;
  uint64_t seed = 0;
};
std::string describe(const Step& s);

// How often each kind of step ran a library command, and how it ended
// (for the long mode's summary: which paths the random runs reach).
struct StepCounts {
  uint64_t drawn = 0, library = 0, ok = 0, refused = 0, failed = 0;
  uint64_t overlapped = 0;   // concurrent: the second command was started while the first held the lock
};
StepCounts* step_counts();   // kStepKinds entries, process-wide
std::string step_counts_table();

// A random sequence of `n` steps drawn with fixed weights.
std::vector<Step> random_steps(uint64_t seed, size_t n, bool with_concurrent);

}  // namespace dmirror::oracle
