// SPDX-License-Identifier: LGPL-2.1-or-later
// Workloads of the offline operations (see crash_workloads.h). After a
// crash the harness checks the images through the engine first, then runs
// the operator's recovery (`recover`) on fresh images.
#include <dmirror/leg.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>

#include <random>

#include "crash/crash_workloads.h"
#include "support/faulty_device.h"
#include "support/legs_fixture.h"
#include "support/scratch.h"

namespace dmirror::testing {

CrashWorkload initial_resync_workload(uint64_t seed) {
  CrashWorkload w;
  w.name = "initial-resync";
  w.array = {.legs = 2, .data_size = 64 * 1024, .region_size = 4096, .assume_clean = false};
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    for (uint32_t l = 0; l < 2; ++l)
      (void)devs[l]->write(kTestDataOffset, pattern(64 * 1024, static_cast<uint32_t>(seed * 10 + l)));
    for (auto* d : devs) (void)d->flush();
  };
  w.run = [](std::vector<BlockDevice*>& devs, WriteModel&) {
    ResyncOptions o;
    o.checkpoint_bytes = 16 * 1024;
    o.chunk_bytes = 4096;
    (void)resync(devs, o);
  };
  w.recover = [](std::vector<BlockDevice*>& devs) -> Status {
    DMIRROR_RETURN_IF_ERROR(resync(devs));
    return ok();
  };
  return w;
}

CrashWorkload recover_workload(uint64_t seed) {
  CrashWorkload w;
  w.name = "recover-rebuilding-leg";
  w.array = {.legs = 2, .data_size = 64 * 1024, .region_size = 4096};
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    (void)devs[0]->write(kTestDataOffset, pattern(64 * 1024, static_cast<uint32_t>(seed)));
    (void)devs[0]->flush();
    // Slot 1 is a fresh leg being rebuilt; nothing of it is current yet.
    auto m0 = read_leg(*devs[0]);
    if (!m0) return;
    Superblock sb = m0->sb;
    sb.legs[1].state = LegState::Rebuilding;
    sb.legs[1].recovery_offset = 0;
    sb.seqno += 1;
    for (uint32_t i = 0; i < 2; ++i) {
      Superblock s = sb;
      s.slot = i;
      s.leg_uuid = sb.legs[i].uuid;
      (void)write_superblocks(*devs[i], s);
    }
  };
  w.run = [](std::vector<BlockDevice*>& devs, WriteModel&) {
    ResyncOptions o;
    o.checkpoint_bytes = 16 * 1024;
    (void)resync(devs, o);
  };
  w.recover = [](std::vector<BlockDevice*>& devs) -> Status {
    DMIRROR_RETURN_IF_ERROR(resync(devs));
    return ok();
  };
  return w;
}

CrashWorkload scrub_repair_workload(uint64_t seed) {
  CrashWorkload w;
  w.name = "scrub-repair/3legs";
  w.array = {.legs = 3, .data_size = 64 * 1024, .region_size = 4096};
  w.truth_slot = 1;
  std::mt19937_64 rng(seed);
  uint64_t r0 = rng() % 16, r2 = (r0 + 1 + rng() % 15) % 16;   // two different regions
  w.planted = {r0, r2};
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    for (uint32_t l = 0; l < 3; ++l) (void)devs[l]->write(kTestDataOffset, pattern(64 * 1024, static_cast<uint32_t>(seed)));
    for (auto [leg, region] : {std::pair<uint32_t, uint64_t>{0, r0}, {2, r2}}) {
      FaultyDevice f(devs[leg]);
      (void)f.flip_bit(kTestDataOffset + region * 4096 + (seed % 4096), static_cast<int>(seed % 8));
    }
  };
  auto lock_dir = std::make_shared<ScratchDir>();
  auto run_scrub = [lock_dir](std::vector<BlockDevice*>& devs) -> Status {
    ScrubOptions o;
    o.lock_dir = lock_dir->path();
    o.checkpoint_bytes = 8 * 1024;
    DMIRROR_RETURN_IF_ERROR(scrub(std::vector<BlockDevice*>(devs.begin(), devs.begin() + 3), o));
    return ok();
  };
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel&) { (void)run_scrub(devs); };
  // After the crash: resume the scrub (it resumes from its checkpoint).
  w.recover = [=](std::vector<BlockDevice*>& devs) -> Status {
    DMIRROR_RETURN_IF_ERROR(default_recovery(devs));
    return run_scrub(devs);
  };
  return w;
}

CrashWorkload replace_workload(uint64_t seed) {
  CrashWorkload w;
  w.name = "replace";
  w.array = {.legs = 2, .data_size = 64 * 1024, .region_size = 4096};
  w.spare_legs = 1;
  // A cut before the new leg's superblock reached it leaves its slot
  // rebuilding with no leg: opening the engine then is the operator's
  // explicit degraded open (FORMAT.md 2.6 rule 11).
  w.engine.allow_degraded = true;
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    for (uint32_t l = 0; l < 2; ++l) (void)devs[l]->write(kTestDataOffset, pattern(64 * 1024, static_cast<uint32_t>(seed)));
    (void)devs[2]->write(kTestDataOffset, pattern(64 * 1024, static_cast<uint32_t>(seed + 1)));   // old contents
  };
  w.run = [](std::vector<BlockDevice*>& devs, WriteModel&) {
    ReplaceOptions o;
    o.chunk_bytes = 4096;
    o.checkpoint_bytes = 16 * 1024;
    (void)replace(std::vector<BlockDevice*>{devs[0], devs[1]}, 1, *devs[2], o);
  };
  // After the crash: rerun the replace when one is in progress.
  w.recover = [](std::vector<BlockDevice*>& devs) -> Status {
    auto m = read_leg(*devs[0]);
    if (m && m->sb.checkpoint.op == OfflineOp::Replace) {
      DMIRROR_RETURN_IF_ERROR(replace(std::vector<BlockDevice*>{devs[0], devs[1]}, 1, *devs[2]));
    }
    return default_recovery(devs);
  };
  return w;
}

}  // namespace dmirror::testing
