// SPDX-License-Identifier: LGPL-2.1-or-later
// Workloads for the crash harness, shared by the `crash` tier and the
// longer randomized `crash-long` run.
#pragma once

#include <dmirror/engine.h>

#include <cstdint>

#include "support/crash_harness.h"

namespace dmirror::testing {

// The data area of the engine workloads' arrays.
inline constexpr uint64_t kWorkloadSize = 64 * 1024;

// Random writes, flushes and clean close/reopen cycles through the engine
// (durable_writes on even seeds, a volatile write cache on odd ones).
CrashWorkload engine_writes_workload(uint64_t seed, uint32_t legs, int ops, IoEngineKind io = IoEngineKind::Sync);
// `threads` threads writing (each its own sectors, all sharing regions) and
// flushing through one Mirror at once, in two sessions: write groups in
// flight together, flushes beside new writes (durable_writes on even seeds).
CrashWorkload engine_concurrent_workload(uint64_t seed, uint32_t legs, uint32_t threads, int ops,
                                         IoEngineKind io = IoEngineKind::Threads);
// The same on three legs, slot `failing_slot` failing its third data write
// (slot 0 is the primary: the source of every recovery).
CrashWorkload engine_failing_leg_workload(uint64_t seed, int ops, uint32_t failing_slot = 2,
                                          IoEngineKind io = IoEngineKind::Sync);
// Three legs; the reopens alternate between every leg and the legs without
// `missing_slot` (a degraded open, when the engine allows it without
// consent). After a crash the images are also reopened without it, and with
// `rejoin` then with every leg again (CrashWorkload::rejoin).
CrashWorkload engine_degraded_reopen_workload(uint64_t seed, int ops, uint32_t missing_slot, bool rejoin = false);
// A crash in the middle of writes left dirty regions where the legs differ;
// the power is cut again during the engine's recovery at open and the
// writes that follow it.
CrashWorkload engine_recovery_workload(uint64_t seed, uint32_t legs);
// The same crashed array, recovered by an offline resync (journal mode).
CrashWorkload journal_resync_workload(uint64_t seed);

// The initial full resync of an array created without --assume-clean.
CrashWorkload initial_resync_workload(uint64_t seed);
// Rebuilding a leg (recover) from its recovery offset.
CrashWorkload recover_workload(uint64_t seed);
// Scrub with repair on three legs with bit flips planted on two of them.
CrashWorkload scrub_repair_workload(uint64_t seed);
// Replacing slot 1 of a two-leg array by a blank spare leg.
CrashWorkload replace_workload(uint64_t seed);

// Two legs with unreadable sectors on `bad_slot`, healed by reads through
// the engine from the other leg; the power is cut during the rewrites. One
// region also holds rot on slot 0 beside a sector the heal rewrites.
CrashWorkload engine_heal_workload(uint64_t seed, uint32_t bad_slot);

// Base seed: DMIRROR_CRASH_SEED, or a fixed value so CI is reproducible.
uint64_t crash_seed();

}  // namespace dmirror::testing
