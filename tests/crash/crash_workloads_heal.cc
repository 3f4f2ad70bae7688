// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine's read heal under power cuts (see crash_workloads.h). One leg
// has unreadable sectors; reads served by the other leg rewrite them (each
// region marked in the journal first), and a power cut tears that rewrite:
// sector-atomic, so each sector of the block is then the good data or
// still unreadable. Recovery at open resyncs the marked region from the
// primary (slot 0); when slot 0 is the healed leg, its reads of the still
// unreadable sectors must come from the other in-sync leg, which heals them.
#include <random>

#include "crash/crash_workloads.h"
#include "support/legs_fixture.h"

namespace dmirror::testing {

CrashWorkload engine_heal_workload(uint64_t seed, uint32_t bad_slot) {
  constexpr uint64_t kSize = 64 * 1024, kRegion = 4096;
  CrashWorkload w;
  w.name = "engine-read-heal/slot" + std::to_string(bad_slot);
  w.array = {.legs = 2, .data_size = kSize, .region_size = kRegion};
  w.truth_slot = 1 - bad_slot;   // the volume's contents: read from the leg that reads them all
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    const auto data = pattern(kSize, static_cast<uint32_t>(seed));
    for (uint32_t l = 0; l < 2; ++l) {
      (void)devs[l]->write(kTestDataOffset, data);
      (void)devs[l]->flush();
    }
    auto* bad = dynamic_cast<CrashDevice*>(devs[bad_slot]);
    if (!bad) return;
    std::mt19937_64 rng(seed);
    // A whole block, part of one, and a single sector, each in its own region.
    bad->make_unreadable(kTestDataOffset + 2 * kRegion, kRegion);
    bad->make_unreadable(kTestDataOffset + 5 * kRegion + 1024, 1536);
    bad->make_unreadable(kTestDataOffset + (9 + rng() % 6) * kRegion + 512 * (rng() % 8), 512);
  };
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    std::vector<BlockDevice*> legs(devs.begin(), devs.begin() + 2);
    // The bad leg serves first, so every unreadable block is met and healed.
    const MirrorOptions options{.read_policy = ReadPolicy::Preferred, .preferred_slot = bad_slot, .clear_delay_ms = 0};
    auto m = Mirror::open(legs, options);
    if (!m) return;
    std::mt19937_64 rng(seed + 1);
    std::vector<std::byte> buf(kRegion);
    for (uint64_t r = 0; r < kSize / kRegion; ++r) {
      (void)(*m)->read(r * kRegion, buf);
      if (r % 4 == 1) {   // writes between the heals, some to the regions healed
        const uint64_t off = (rng() % (kSize / 512)) * 512;
        const uint64_t len = std::min<uint64_t>(512 * (1 + rng() % 8), kSize - off);
        auto data = pattern(len, static_cast<uint32_t>(rng()));
        model.write_started(off, data);
        if ((*m)->write(off, data)) model.write_acked_durable();
      }
      if (r % 6 == 5 && (*m)->flush()) model.flushed();
    }
    if ((*m)->close()) model.flushed();
  };
  return w;
}

}  // namespace dmirror::testing
