// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine's read heal under power cuts (see crash_workloads.h). One leg
// has unreadable sectors; reads served by the other leg rewrite them (not
// marked in the journal: FORMAT.md 1.1), and a power cut tears that
// rewrite: sector-atomic, so each sector of the block is then the good data
// or still unreadable (check 2, sector by sector), and the next read heals
// it again. One region also holds rot on slot 0 (silent corruption, a block
// the heal never touches): a heal of that region must not turn it into a
// crash window whose recovery copies the rot from slot 0 over the good leg
// (check 8). A write to a region whose unreadable sectors it does not cover
// leaves that region dirty: its recovery at open reads the primary, and
// when slot 0 is the bad leg those reads must come from the other leg.
#include <random>

#include "crash/crash_workloads.h"
#include "support/legs_fixture.h"

namespace dmirror::testing {

CrashWorkload engine_heal_workload(uint64_t seed, uint32_t bad_slot) {
  constexpr uint64_t kSize = 64 * 1024, kRegion = 8192, kBlock = 4096;
  constexpr uint64_t kRotRegion = 3;
  CrashWorkload w;
  w.name = "engine-read-heal/slot" + std::to_string(bad_slot);
  w.array = {.legs = 2, .data_size = kSize, .region_size = kRegion};
  w.truth_slot = 1 - bad_slot;   // the volume's contents: read from the leg that reads them all
  const auto data = pattern(kSize, static_cast<uint32_t>(seed));
  std::mt19937_64 place(seed);
  // Rot on slot 0 in the first block of its region; the bad leg's unreadable
  // sector in the second block of the same region.
  const uint64_t rot_at = kRotRegion * kRegion + kSectorSize * (place() % 8);
  const uint64_t rot_bad = kRotRegion * kRegion + kBlock + kSectorSize * (place() % 8);
  const uint64_t lone = (5 + place() % 3) * kRegion + kSectorSize * (place() % 16);
  w.planted = {kRotRegion};
  w.rot.push_back({0, rot_at, std::vector<std::byte>(data.begin() + rot_at, data.begin() + rot_at + kSectorSize)});
  w.prepare = [=](std::vector<BlockDevice*>& devs) {
    for (uint32_t l = 0; l < 2; ++l) {
      (void)devs[l]->write(kTestDataOffset, data);
      (void)devs[l]->flush();
    }
    std::vector<std::byte> rot(kSectorSize, std::byte{0x5a});
    (void)devs[0]->write(kTestDataOffset + rot_at, rot);
    (void)devs[0]->flush();
    auto* bad = dynamic_cast<CrashDevice*>(devs[bad_slot]);
    if (!bad) return;
    // A whole block, part of one, a single sector next to the rot, and a
    // single sector elsewhere.
    bad->make_unreadable(kTestDataOffset + 1 * kRegion, kBlock);
    bad->make_unreadable(kTestDataOffset + 2 * kRegion + 1024, 1536);
    bad->make_unreadable(kTestDataOffset + rot_bad, kSectorSize);
    bad->make_unreadable(kTestDataOffset + lone, kSectorSize);
  };
  w.run = [=](std::vector<BlockDevice*>& devs, WriteModel& model) {
    std::vector<BlockDevice*> legs(devs.begin(), devs.begin() + 2);
    // The bad leg serves first, so every unreadable block is met and healed.
    const MirrorOptions options{.read_policy = ReadPolicy::Preferred, .preferred_slot = bad_slot, .clear_delay_ms = 0};
    auto m = Mirror::open(legs, options);
    if (!m) return;
    std::mt19937_64 rng(seed + 1);
    auto write = [&](uint64_t off, uint64_t len) {
      auto d = pattern(len, static_cast<uint32_t>(rng()));
      model.write_started(off, d);
      if ((*m)->write(off, d)) model.write_acked_durable();
    };
    // Region 2 written beside its unreadable sectors before they are healed.
    write(2 * kRegion, kSectorSize);
    std::vector<std::byte> buf(kRegion);
    for (uint64_t r = 0; r < kSize / kRegion; ++r) {
      (void)(*m)->read(r * kRegion, buf);
      // Writes between the heals, some to the regions healed, none to the rot.
      const uint64_t off = (rng() % (kSize / 512)) * 512;
      const uint64_t len = std::min<uint64_t>(512 * (1 + rng() % 8), kSize - off);
      if (off / kRegion != kRotRegion && (off + len - 1) / kRegion != kRotRegion) write(off, len);
      if (r % 3 == 2 && (*m)->flush()) model.flushed();
    }
    if ((*m)->close()) model.flushed();
  };
  return w;
}

}  // namespace dmirror::testing
