// SPDX-License-Identifier: LGPL-2.1-or-later
// The crash-consistency harness. A workload runs once on CrashDevice legs;
// then, for every I/O number k (or every stride-th) and every policy, the
// leg images after a power cut at k are rebuilt and checked:
//   1. every leg has a valid superblock, and seqnos never go backwards;
//   2. every region whose contents differ between legs that claim to be
//      current is dirty in the journal (or beyond resync_offset); and while
//      the durable superblock says the array is degraded (a leg failed or
//      missing) no journal bit that was durable goes clean;
//   3. first, a reader: the engine opened read-only on the images (nothing
//      recovered yet) returns reads that agree and that check 4 allows;
//      then the engine alone recovers: Mirror::open on the images (the
//      workload's engine options, recovery at open, no offline resync)
//      leaves the legs that may serve a region byte-identical there;
//   4. every read through that engine, whichever leg serves it, returns the
//      same data, and that data is allowed by the WriteModel: every write
//      acknowledged before the last completed flush, or acknowledged with
//      durable_writes, reads back exactly (a sector may otherwise hold only
//      data written after it);
//   5. with `subset`, the same reads through an engine opened on only those
//      legs (the open may be refused: a degraded open may need consent);
//      with `rejoin`, then again through an engine opened on every leg;
//   6. with `recover` (an operator's offline action after the crash: resume
//      a scrub, rerun a replace, resync), on fresh images: after it every
//      in-sync leg is byte-identical and check 4 holds again;
//   7. from the first data write of a session opened without a leg (the
//      workload tells the WriteModel) until it ends, the present legs'
//      durable superblocks record the absent slot missing (FORMAT.md 2.6
//      rule 11; otherwise a split brain would look like a leg merely behind);
//   8. with `rot` (silent corruption planted on one leg), after the engine's
//      recovery at open every other leg still holds the good data there: no
//      recovery copies rot over a good copy (a region marked by a write that
//      never touched the rot, then taken for a crash window, would do that).
// A leg may carry unreadable sectors (CrashDevice::make_unreadable): checks
// 2 and 3 compare only the legs that read a region, sector by sector where a
// leg reads only part of it (a rewrite of unreadable sectors torn by the cut
// leaves each of them the good data or still unreadable, never other data),
// and a read through the engine (check 4) may fail only where no leg that
// may serve it reads it.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/engine.h>
#include <dmirror/result.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "support/crash_device.h"
#include "support/crash_model.h"
#include "support/test_array.h"

namespace dmirror::testing {

struct CrashWorkload {
  std::string name;
  TestArrayOptions array;
  uint32_t spare_legs = 0;           // blank legs in the group after the array's legs
  uint32_t truth_slot = 0;           // leg whose prepared contents are the volume's contents
  std::set<uint64_t> planted;        // regions made different on purpose (exempt from checks 2-4)
  // Check 8: silent corruption planted on group index `leg` (it reads fine)
  // at data-area offset `pos`; every other leg holds `good` there, and the
  // workload never writes it. Its region belongs in `planted`.
  struct Rot {
    uint32_t leg = 0;
    uint64_t pos = 0;
    std::vector<std::byte> good;
  };
  std::vector<Rot> rot;
  // Before the clock starts: make legs differ, plant corruption...
  std::function<void(std::vector<BlockDevice*>& legs)> prepare;
  // The operation under test.
  std::function<void(std::vector<BlockDevice*>& legs, WriteModel& model)> run;
  // How the engine reopens the images after the crash (checks 3-5).
  MirrorOptions engine{.io_engine = IoEngineKind::Sync};
  // Check 5: group indexes of the legs of a degraded reopen (empty: none).
  std::vector<uint32_t> subset;
  // Check 5, then: every leg is given again (the absent leg returns) and
  // checks 3 and 4 run once more.
  bool rejoin = false;
  // Check 6: what an operator runs offline after the crash (empty: nothing).
  std::function<Status(std::vector<BlockDevice*>& legs)> recover;
};

struct CrashExplore {
  std::vector<CrashPolicy> policies{std::begin(kAllCrashPolicies), std::end(kAllCrashPolicies)};
  uint64_t seed = 1;
  uint64_t stride = 1;
  size_t max_failures = 3;           // stop reporting after this many
};

struct CrashResult {
  uint64_t ios = 0;                  // I/Os in the workload
  uint64_t points = 0;               // (crash point, policy) pairs checked
  std::vector<std::string> failures; // each names workload, seed, k and policy
};

CrashResult explore_crashes(const CrashWorkload& w, const CrashExplore& how);

// An operator's recovery: open the mirror (recovers dirty regions), close
// it, then an offline resync.
Status default_recovery(std::vector<BlockDevice*>& legs);

}  // namespace dmirror::testing
