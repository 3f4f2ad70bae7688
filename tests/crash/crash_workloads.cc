// SPDX-License-Identifier: LGPL-2.1-or-later
// Engine workloads (see crash_workloads.h). Each run function drives the
// public API exactly as a user would and tells the WriteModel what was
// issued, acknowledged and flushed.
#include "crash/crash_workloads.h"

#include <dmirror/resync.h>

#include <cstdlib>
#include <random>
#include <set>

#include "support/faulty_device.h"
#include "support/legs_fixture.h"

namespace dmirror::testing {

uint64_t crash_seed() {
  if (const char* s = std::getenv("DMIRROR_CRASH_SEED"); s && *s) return std::strtoull(s, nullptr, 0);
  return 20240611;
}

namespace {


struct Drive {
  std::vector<BlockDevice*> legs;
  std::vector<BlockDevice*> degraded;   // non-empty: every other reopen uses only these legs
  uint32_t absent = 0;                  // the slot those reopens leave out
  IoEngineKind io = IoEngineKind::Sync;
};

void drive_writes(const Drive& d, WriteModel& model, uint64_t seed, int ops) {
  std::mt19937_64 rng(seed);
  // Clear dirty regions as early as the engine may (the riskiest setting),
  // and cover both write modes: durable (DATA_FLUSH per write group, every
  // acknowledged write must survive) and a volatile write cache made
  // durable only by flush().
  const bool durable = seed % 2 == 0;
  const MirrorOptions options{.io_engine = d.io, .durable_writes = durable, .clear_delay_ms = 0};
  auto m = Mirror::open(d.legs, options);
  if (!m) return;
  bool use_degraded = false;
  for (int i = 0; i < ops; ++i) {
    int what = static_cast<int>(rng() % 12);
    if (!d.degraded.empty() && (i == ops / 3 || i == 2 * ops / 3)) what = 11;   // surely one degraded session
    if (what < 8) {
      uint64_t off = rng() % (kWorkloadSize / 512) * 512;
      uint64_t len = std::min<uint64_t>(512 * (1 + rng() % 12), kWorkloadSize - off);
      auto data = pattern(len, static_cast<uint32_t>(rng()));
      model.write_started(off, data);
      if ((*m)->write(off, data)) durable ? model.write_acked_durable() : model.write_acked();
    } else if (what < 11) {
      if ((*m)->flush()) model.flushed();
    } else {
      if ((*m)->close()) model.flushed();
      model.session_closed();
      m = std::unexpected(Error{});
      use_degraded = !use_degraded && !d.degraded.empty();
      // A degraded open may be refused (it can need the caller's consent):
      // then every leg is used.
      if (use_degraded) {
        MirrorOptions without = options;
        without.allow_degraded = true;   // the operator's consent (--degraded)
        m = Mirror::open(d.degraded, without);
        if (m) model.degraded_session_opened(d.absent);
      }
      if (!m) m = Mirror::open(d.legs, options);
      if (!m) return;
    }
  }
  if ((*m)->flush()) model.flushed();
  if ((*m)->close()) model.flushed();
  model.session_closed();
}

std::vector<BlockDevice*> first(std::vector<BlockDevice*>& devs, uint32_t n) {
  return std::vector<BlockDevice*>(devs.begin(), devs.begin() + n);
}

// Leaves the array as a power cut in the middle of writes does: DIRTY set,
// the regions written dirty in every journal, and the legs other than
// slot 0 holding other data in some of them.
void crash_mid_writes(std::vector<BlockDevice*> legs, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::set<uint64_t> dirty;
  {
    auto m = Mirror::open(legs);
    if (!m) return;
    for (int i = 0; i < 6; ++i) {
      uint64_t r = rng() % (kWorkloadSize / 4096);
      if ((*m)->write(r * 4096, pattern(4096, static_cast<uint32_t>(rng())))) dirty.insert(r);
    }
    // Dropped without close(): DIRTY stays set and the regions stay dirty.
  }
  for (size_t l = 1; l < legs.size(); ++l)
    for (uint64_t r : dirty)
      if (rng() % 3 != 0) (void)legs[l]->write(kTestDataOffset + r * 4096, pattern(4096, static_cast<uint32_t>(rng())));
  for (auto* d : legs) (void)d->flush();
}

}  // namespace

CrashWorkload engine_writes_workload(uint64_t seed, uint32_t legs, int ops, IoEngineKind io) {
  CrashWorkload w;
  w.name = "engine-writes/" + std::to_string(legs) + "legs/" + std::string(io_engine_kind_name(io));
  w.array = {.legs = legs, .data_size = kWorkloadSize, .region_size = 4096};
  w.engine.io_engine = io;
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    drive_writes({.legs = first(devs, legs), .io = io}, model, seed, ops);
  };
  return w;
}

CrashWorkload engine_failing_leg_workload(uint64_t seed, int ops, uint32_t failing_slot, IoEngineKind io) {
  CrashWorkload w;
  w.name = "engine-failing-leg/slot" + std::to_string(failing_slot) + "/" + std::string(io_engine_kind_name(io));
  w.array = {.legs = 3, .data_size = kWorkloadSize, .region_size = 4096};
  w.engine.io_engine = io;
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    FaultyDevice flaky(devs[failing_slot]);
    flaky.add_rule({.op = FaultOp::Write, .offset = kTestDataOffset, .length = kWorkloadSize, .nth = 3});   // the third data write fails
    std::vector<BlockDevice*> legs = first(devs, 3);
    legs[failing_slot] = &flaky;
    drive_writes({.legs = legs, .io = io}, model, seed, ops);
  };
  return w;
}

CrashWorkload engine_degraded_reopen_workload(uint64_t seed, int ops, uint32_t missing_slot, bool rejoin) {
  CrashWorkload w;
  w.name = "engine-degraded-reopen/without-slot" + std::to_string(missing_slot) + (rejoin ? "/rejoin" : "");
  w.rejoin = rejoin;
  w.array = {.legs = 3, .data_size = kWorkloadSize, .region_size = 4096};
  for (uint32_t i = 0; i < 3; ++i)
    if (i != missing_slot) w.subset.push_back(i);
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    Drive d{.legs = first(devs, 3), .absent = missing_slot};
    for (uint32_t i : w.subset) d.degraded.push_back(devs[i]);
    drive_writes(d, model, seed, ops);
  };
  return w;
}

CrashWorkload engine_recovery_workload(uint64_t seed, uint32_t legs) {
  CrashWorkload w;
  w.name = "engine-recovery-at-open/" + std::to_string(legs) + "legs";
  w.array = {.legs = legs, .data_size = kWorkloadSize, .region_size = 4096};
  w.prepare = [=](std::vector<BlockDevice*>& devs) { crash_mid_writes(first(devs, legs), seed); };
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    drive_writes({.legs = first(devs, legs)}, model, seed + 1, 10);
  };
  return w;
}

CrashWorkload journal_resync_workload(uint64_t seed) {
  CrashWorkload w;
  w.name = "journal-resync";
  w.array = {.legs = 2, .data_size = kWorkloadSize, .region_size = 4096};
  w.prepare = [=](std::vector<BlockDevice*>& devs) { crash_mid_writes(first(devs, 2), seed); };
  w.run = [](std::vector<BlockDevice*>& devs, WriteModel&) {
    ResyncOptions o;
    o.checkpoint_bytes = 4096;   // clear the journal after every region
    o.chunk_bytes = 4096;
    (void)resync(first(devs, 2), o);
  };
  return w;
}

}  // namespace dmirror::testing
