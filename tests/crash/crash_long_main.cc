// SPDX-License-Identifier: LGPL-2.1-or-later
// crash-long: randomized crash exploration over many seeds and longer
// workloads. Usage: crash_long_tests [SECONDS] (default 600). The base seed
// comes from DMIRROR_CRASH_SEED or the clock, and is printed first so any
// failure can be replayed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "crash/crash_workloads.h"

int main(int argc, char** argv) {
  using namespace dmirror::testing;
  using Clock = std::chrono::steady_clock;
  const double budget = argc > 1 ? std::atof(argv[1]) : 600;
  uint64_t seed = std::getenv("DMIRROR_CRASH_SEED")
                      ? crash_seed()
                      : static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
  std::printf("crash-long: base seed %llu (DMIRROR_CRASH_SEED=%llu to replay)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  // DMIRROR_CRASH_REJOIN=1: after a degraded reopen the absent leg returns
  // (fails until a leg absent from a recovery commit is treated as stale).
  const bool rejoin = std::getenv("DMIRROR_CRASH_REJOIN") && *std::getenv("DMIRROR_CRASH_REJOIN") == '1';
  const auto start = Clock::now();
  uint64_t points = 0, runs = 0, failures = 0;
  for (uint64_t i = 0; std::chrono::duration<double>(Clock::now() - start).count() < budget; ++i) {
    uint64_t s = seed + i;
    CrashWorkload w;
    switch (i % 10) {
      case 0: w = engine_writes_workload(s, 2, 40 + static_cast<int>(s % 40)); break;
      case 1: w = engine_writes_workload(s, 3, 30 + static_cast<int>(s % 30)); break;
      case 2: w = engine_failing_leg_workload(s, 30, static_cast<uint32_t>(s % 3)); break;
      case 3: w = engine_writes_workload(s, 2 + static_cast<uint32_t>(s % 2), 30, dmirror::IoEngineKind::Threads); break;
      case 4: w = engine_degraded_reopen_workload(s, 30, static_cast<uint32_t>(s % 3), rejoin); break;
      case 5: w = engine_recovery_workload(s, 2 + static_cast<uint32_t>(s % 2)); break;
      case 6: w = journal_resync_workload(s); break;
      case 7: w = engine_heal_workload(s, static_cast<uint32_t>(s % 2)); break;
      case 8: w = engine_concurrent_workload(s, 2 + static_cast<uint32_t>(s % 2), 2 + static_cast<uint32_t>(s % 3),
                                             10 + static_cast<int>(s % 20)); break;
      default: w = initial_resync_workload(s); break;
    }
    CrashExplore how;
    how.seed = s;
    CrashResult r = explore_crashes(w, how);
    points += r.points;
    ++runs;
    for (const auto& f : r.failures) {
      std::printf("FAIL %s\n", f.c_str());
      ++failures;
    }
  }
  std::printf("crash-long: %llu runs, %llu crash points explored, %llu failures\n",
              static_cast<unsigned long long>(runs), static_cast<unsigned long long>(points),
              static_cast<unsigned long long>(failures));
  return failures == 0 ? 0 : 1;
}
