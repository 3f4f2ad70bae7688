// SPDX-License-Identifier: LGPL-2.1-or-later
// A two-leg array on memory devices with a FakeDmControl: the rig of the
// activation tests (online_activation_test.cc, online_membership_test.cc).
#pragma once

#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/array_legs.h>

#include "fake_dm_control.h"
#include "support/test_array.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <vector>

namespace dmirror::dm::testing {

using dmirror::testing::format_test_array;
using dmirror::testing::TestArrayOptions;

constexpr uint64_t kData = 256 * 1024;
constexpr uint64_t kRegion = 16 * 1024;  // 16 regions

struct Rig {
  std::vector<std::unique_ptr<BlockDevice>> devs;
  Superblock sb;
  FakeDmControl dm;

  explicit Rig(bool assume_clean = true) {
    TestArrayOptions o{.legs = 2, .data_size = kData, .region_size = kRegion, .assume_clean = assume_clean, .name = "vol"};
    std::vector<BlockDevice*> raw;
    for (int i = 0; i < 2; ++i) {
      devs.push_back(make_mem_device(dmirror::testing::test_leg_size(o), "mem:leg" + std::to_string(i)));
      raw.push_back(devs.back().get());
    }
    sb = *format_test_array(raw, o);
  }

  // ArrayLegs over some of the memory devices (not owning them), as
  // activation assembles them.
  Result<ArrayLegs> assemble(std::vector<uint32_t> which = {0, 1}, ArrayLegsOptions o = {.rejoin_stale = true}) {
    std::vector<NamedDevice> named;
    for (uint32_t i : which)
      named.push_back(NamedDevice{devs[i]->describe(), std::make_unique<DeviceWrapper>(devs[i].get())});
    return ArrayLegs::assemble(std::move(named), o);
  }
  ArrayLegs legs() { return *assemble(); }
  // Every byte of every leg.
  std::vector<std::vector<std::byte>> snapshot() const {
    std::vector<std::vector<std::byte>> out;
    for (const auto& d : devs) {
      std::vector<std::byte> buf(d->geometry().size_bytes);
      EXPECT_TRUE(d->read(0, buf));
      out.push_back(std::move(buf));
    }
    return out;
  }
  // One leg written alone: the other is recorded missing (as a degraded
  // open does), seqno + 1 on that leg only.
  void write_alone(uint32_t slot) {
    auto l = assemble({slot});
    ASSERT_TRUE(l) << l.error().message;
    l->edit().legs[1 - slot].state = LegState::Missing;
    l->edit().legs[1 - slot].state_seq = l->sb().seqno + 1;
    ASSERT_TRUE(l->commit());
  }
  std::map<uint32_t, DevNumber> numbers() const { return {{0, {254, 0}}, {1, {254, 16}}}; }

  // Kernel metadata as the kernel leaves it: a dm-raid superblock (events
  // 7, in sync) and a bitmap with `dirty` set, on every leg.
  void write_kernel_metadata(const std::vector<uint64_t>& dirty, uint64_t failed_position = UINT64_MAX,
                             uint64_t recovery_of_leg1 = kMaxSector) {
    for (uint32_t slot = 0; slot < 2; ++slot) {
      std::vector<std::byte> block(8192);
      RaidSuperblock r;
      r.magic = kDmRaidMagic;
      r.compat_features = kRaidFeatureSupportsV190;
      r.num_devices = 2;
      r.array_position = slot;
      r.events = 7;
      r.disk_recovery_offset = slot == 1 ? recovery_of_leg1 : kMaxSector;
      r.array_resync_offset = kMaxSector;
      r.level = 1;
      if (failed_position != UINT64_MAX) r.set_slot_failed(static_cast<uint32_t>(failed_position), true);
      encode_raid_superblock(r, block);
      BitmapSuper b;
      b.magic = kBitmapMagic;
      b.version = 4;
      b.events = 7;
      b.events_cleared = 7;
      b.sync_size = kData / 512;
      b.chunksize = kRegion;
      b.daemon_sleep = 5;
      encode_bitmap_super(b, std::span(block).subspan(4096, kBitmapSuperSize));
      for (uint64_t r2 : dirty) set_region_bit(std::span(block).subspan(4096 + kBitmapSuperSize), r2, true);
      ASSERT_TRUE(devs[slot]->write(sb.layout.kmeta_offset, block));
    }
  }
  KernelMetadataState kernel(uint32_t slot) { return *read_kernel_metadata(*devs[slot], sb.layout.kmeta_offset); }
};

}  // namespace dmirror::dm::testing
