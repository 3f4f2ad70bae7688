// SPDX-License-Identifier: LGPL-2.1-or-later
// activate_array() and import_kernel_state() on memory legs against the
// in-memory FakeDmControl: what is committed to our superblocks, what is
// written into the kernel metadata, which tables are loaded, and how a
// failed load gives sync ownership back.
#include <dmirror/dm/kernel_metadata.h>
#include <dmirror/dm/online/activate_array.h>
#include <dmirror/dm/online/import_kernel_state.h>
#include <dmirror/journal.h>

#include "fake_dm_control.h"
#include "support/test_array.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace dmirror::dm {
namespace {

using dmirror::testing::format_test_array;
using dmirror::testing::TestArrayOptions;
using testing::FakeDmControl;

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

  // ArrayLegs over the memory devices (not owning them).
  ArrayLegs legs() {
    std::vector<NamedDevice> named;
    for (auto& d : devs) named.push_back(NamedDevice{d->describe(), std::make_unique<DeviceWrapper>(d.get())});
    return *ArrayLegs::assemble(std::move(named));
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

TEST(OnlineActivation, FirstUseCommitsOwnershipAndLoadsNosyncTable) {
  Rig rig;
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->plan.nosync);
  EXPECT_FALSE(rep->unclean);
  const Superblock& sb = legs.sb();
  EXPECT_TRUE(sb.has_flag(sbflag::kKernelOwnsSync));
  EXPECT_TRUE(sb.has_flag(sbflag::kDirty));
  EXPECT_EQ(sb.seqno, rig.sb.seqno + 1);
  auto onleg = read_leg(*rig.devs[1]);
  ASSERT_TRUE(onleg);
  EXPECT_EQ(onleg->sb.seqno, sb.seqno) << "every leg got the update";
  EXPECT_TRUE(onleg->sb.has_flag(sbflag::kKernelOwnsSync));
  const auto* top = rig.dm.find("vol");
  ASSERT_NE(top, nullptr);
  EXPECT_EQ(top->uuid, "DMIRROR-" + rig.sb.array_uuid.hex());
  ASSERT_EQ(top->live.size(), 1u);
  EXPECT_EQ(top->live[0].params.substr(0, 23), "raid1 4 0 nosync region");
  ASSERT_NE(rig.dm.find("vol-kmeta1"), nullptr);
  EXPECT_EQ(rig.dm.find("vol-kmeta1")->live[0].params, "254:16 1536");
  auto events = read_events(*rig.devs[0], sb);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->events.back().type, EventType::Activated);
}

TEST(OnlineActivation, RefusedWhenAlreadyActive) {
  Rig rig;
  auto legs = rig.legs();
  ASSERT_TRUE(activate_array(rig.dm, legs, rig.numbers()));
  auto again = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Exists);
  EXPECT_NE(again.error().message.find("already active"), std::string::npos);
}

TEST(OnlineActivation, FailedLoadGivesOwnershipBack) {
  Rig rig;
  rig.dm.fail_next("load vol 0", EINVAL);
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_FALSE(rep);
  EXPECT_EQ(rig.dm.device_count(), 0u);
  auto onleg = read_leg(*rig.devs[0]);
  ASSERT_TRUE(onleg);
  EXPECT_FALSE(onleg->sb.has_flag(sbflag::kKernelOwnsSync));
  EXPECT_FALSE(onleg->sb.has_flag(sbflag::kDirty));
}

TEST(OnlineActivation, UncleanShutdownLowersResyncOffsetOnEveryLeg) {
  Rig rig;
  rig.write_kernel_metadata({3});
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->unclean);
  ASSERT_TRUE(rep->imported);
  EXPECT_EQ(rep->imported->dirty_regions, 1u);
  EXPECT_TRUE(rep->plan.force_resync);
  EXPECT_EQ(rep->plan.mark_regions, (std::vector<uint64_t>{3}));
  for (uint32_t s = 0; s < 2; ++s) {
    auto k = rig.kernel(s);
    EXPECT_EQ(k.array_resync_offset, 0u) << "leg " << s;
    EXPECT_EQ(k.events, 7u) << "events left alone";
    EXPECT_EQ(k.dirty_regions, (std::vector<uint64_t>{3}));
  }
  // Handed over: our journal is clear again, the kernel owns region 3.
  auto j = WriteIntentJournal::load(*rig.devs[0], legs.sb());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_count(), 0u);
  auto events = read_events(*rig.devs[1], legs.sb());
  ASSERT_TRUE(events);
  bool unclean_event = false;
  for (const auto& e : events->events) unclean_event |= e.type == EventType::UncleanShutdown;
  EXPECT_TRUE(unclean_event);
}

TEST(OnlineActivation, OfflineDirtIsHandedToTheKernel) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.legs();
    ASSERT_TRUE(legs.set_journal({5, 9}));
  }
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_FALSE(rep->unclean);
  EXPECT_EQ(rep->plan.action, KernelMetadataAction::MarkDirty);
  for (uint32_t s = 0; s < 2; ++s) {
    auto k = rig.kernel(s);
    EXPECT_EQ(k.dirty_regions, (std::vector<uint64_t>{5, 9}));
    EXPECT_EQ(k.array_resync_offset, 0u);
  }
  EXPECT_EQ(legs.sb().resync_offset, kOffsetInSync);
}

TEST(OnlineActivation, RebuildIsPassedOnceAndRecorded) {
  Rig rig;
  rig.write_kernel_metadata({});
  {
    auto legs = rig.legs();
    legs.edit().legs[1].state = LegState::Failed;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = activate_array(rig.dm, legs, rig.numbers());
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_NE(rig.dm.find("vol")->live[0].params.find("rebuild 1"), std::string::npos);
  EXPECT_EQ(legs.sb().legs[1].state, LegState::Rebuilding);
  EXPECT_TRUE(legs.sb().legs[1].flags & legflag::kRebuildPassed);
}

TEST(ImportKernelState, FailedBitsRecoveryAndDirtyBitsComeBack) {
  Rig rig;
  rig.write_kernel_metadata({1, 4}, /*failed_position=*/UINT64_MAX, /*recovery_of_leg1=*/96);
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync | sbflag::kDirty;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep) << rep.error().message;
  EXPECT_TRUE(rep->imported);
  EXPECT_EQ(rep->rebuilding, (std::vector<uint32_t>{1}));
  EXPECT_EQ(legs.sb().legs[1].state, LegState::Rebuilding);
  EXPECT_EQ(legs.sb().legs[1].recovery_offset, 96u * 512);
  EXPECT_EQ(rep->dirty_regions, 2u);
  EXPECT_FALSE(legs.sb().has_flag(sbflag::kKernelOwnsSync));
  auto j = WriteIntentJournal::load(*rig.devs[0], legs.sb());
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_regions(), (std::vector<uint64_t>{1, 4}));
}

TEST(ImportKernelState, KernelFailedBitFailsTheLeg) {
  Rig rig;
  rig.write_kernel_metadata({}, /*failed_position=*/0);
  {
    auto legs = rig.legs();
    legs.edit().flags |= sbflag::kKernelOwnsSync;
    ASSERT_TRUE(legs.commit());
  }
  auto legs = rig.legs();
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep);
  EXPECT_EQ(rep->failed, (std::vector<uint32_t>{0}));
  EXPECT_EQ(legs.sb().legs[0].state, LegState::Failed);
  EXPECT_EQ(legs.sb().legs[0].state_seq, legs.sb().seqno);
}

TEST(ImportKernelState, NothingToDoWithoutTheFlag) {
  Rig rig;
  auto legs = rig.legs();
  const uint64_t seq = legs.sb().seqno;
  auto rep = import_kernel_state(legs);
  ASSERT_TRUE(rep);
  EXPECT_FALSE(rep->imported);
  EXPECT_EQ(legs.sb().seqno, seq);
}

TEST(ArrayLegsAssemble, StaleLegNeedsForce) {
  Rig rig;
  {
    std::vector<NamedDevice> one;
    one.push_back(NamedDevice{"leg0", std::make_unique<DeviceWrapper>(rig.devs[0].get())});
    auto legs = ArrayLegs::assemble(std::move(one));
    ASSERT_TRUE(legs);
    ASSERT_TRUE(legs->commit());  // leg 1 missed this update
  }
  std::vector<NamedDevice> both;
  for (auto& d : rig.devs) both.push_back(NamedDevice{d->describe(), std::make_unique<DeviceWrapper>(d.get())});
  auto refused = ArrayLegs::assemble(std::move(both));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Stale);
  EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
  std::vector<NamedDevice> again;
  for (auto& d : rig.devs) again.push_back(NamedDevice{d->describe(), std::make_unique<DeviceWrapper>(d.get())});
  auto forced = ArrayLegs::assemble(std::move(again), ArrayLegsOptions{.force = true});
  ASSERT_TRUE(forced);
  EXPECT_EQ(forced->stale_slots(), (std::vector<uint32_t>{1}));
}

}  // namespace
}  // namespace dmirror::dm
