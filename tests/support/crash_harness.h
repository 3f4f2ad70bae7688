// SPDX-License-Identifier: LGPL-2.1-or-later
// The crash-consistency harness. A workload runs once on CrashDevice legs;
// then, for every I/O number k (or every stride-th) and every policy, the
// leg images after a power cut at k are rebuilt, reopened through the
// normal code path, recovered, and checked:
//   1. every leg has a valid superblock, and seqnos never go backwards;
//   2. every region whose contents differ between legs that claim to be
//      current is dirty in the journal (or beyond resync_offset);
//   3. after recovery every in-sync leg is byte-identical;
//   4. every write acknowledged before the last completed flush reads back
//      exactly (a sector may otherwise hold only data written after it).
#pragma once

#include <dmirror/block_device.h>
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
  std::set<uint64_t> planted;        // regions made different on purpose (exempt from check 2)
  // Before the clock starts: make legs differ, plant corruption...
  std::function<void(std::vector<BlockDevice*>& legs)> prepare;
  // The operation under test.
  std::function<void(std::vector<BlockDevice*>& legs, WriteModel& model)> run;
  // What an operator does after the crash. Default: open the mirror
  // (recovers dirty regions), close it, then an offline resync.
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

// Default recovery (see CrashWorkload::recover).
Status default_recovery(std::vector<BlockDevice*>& legs);

}  // namespace dmirror::testing
