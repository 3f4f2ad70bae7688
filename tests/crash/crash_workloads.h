// SPDX-License-Identifier: LGPL-2.1-or-later
// Workloads for the crash harness, shared by the `crash` tier and the
// longer randomized `crash-long` run.
#pragma once

#include <cstdint>

#include "support/crash_harness.h"

namespace dmirror::testing {

// Random writes, flushes and clean close/reopen cycles through the engine.
CrashWorkload engine_writes_workload(uint64_t seed, uint32_t legs, int ops);
// The same with one leg that starts failing writes part-way through.
CrashWorkload engine_failing_leg_workload(uint64_t seed, int ops);
// The initial full resync of an array created without --assume-clean.
CrashWorkload initial_resync_workload(uint64_t seed);
// Rebuilding a leg (recover) from its recovery offset.
CrashWorkload recover_workload(uint64_t seed);

// Scrub with repair on three legs with bit flips planted on two of them.
CrashWorkload scrub_repair_workload(uint64_t seed);
// Replacing slot 1 of a two-leg array by a blank spare leg.
CrashWorkload replace_workload(uint64_t seed);

// Base seed: DMIRROR_CRASH_SEED, or a fixed value so CI is reproducible.
uint64_t crash_seed();

}  // namespace dmirror::testing
