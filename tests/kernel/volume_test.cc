// SPDX-License-Identifier: LGPL-2.1-or-later
// Volume planning, activation (with rollback), deactivation and query
// against the in-memory FakeDmControl.
#include <dmirror/dm/volume.h>

#include "fake_dm_control.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace dmirror::dm {
namespace {

using testing::FakeDmControl;

constexpr uint64_t kMiB = 1 << 20;

VolumeMapping mapping() {
  VolumeMapping m;
  m.name = "vol";
  m.array_uuid = "u1";
  for (uint32_t i = 0; i < 2; ++i)
    m.legs.push_back(LegMapping{DevNumber{254, i * 16}, 2 * kMiB, 4 * kMiB, 8 * kMiB});
  m.data_size = 56 * kMiB;
  m.region_size = 512 * 1024;
  return m;
}

TEST(VolumePlan, BuildsLinearSubdevicesInSectors) {
  auto plan = plan_volume(mapping());
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_EQ(plan->subdevices.size(), 4u);
  const auto& k1 = plan->subdevices[2];
  EXPECT_EQ(k1.name, "vol-kmeta1");
  EXPECT_EQ(k1.uuid, "DMIRROR-u1-kmeta1");
  EXPECT_EQ(k1.udev_flags, udev_flag::kHiddenSubdevice);
  EXPECT_EQ(k1.table, (std::vector<TargetLine>{{0, 8192, "linear", "254:16 4096"}}));
  const auto& d0 = plan->subdevices[1];
  EXPECT_EQ(d0.name, "vol-data0");
  EXPECT_EQ(d0.table, (std::vector<TargetLine>{{0, 114688, "linear", "254:0 16384"}}));
  EXPECT_EQ(plan->top.name, "vol");
  EXPECT_EQ(plan->top.uuid, "DMIRROR-u1");
  EXPECT_EQ(plan->top.udev_flags, 0);
}

TEST(VolumePlan, RaidTableUsesCreatedSubdevices) {
  auto m = mapping();
  auto plan = plan_volume(m);
  ASSERT_TRUE(plan);
  std::vector<DevNumber> devs{{253, 0}, {253, 1}, {253, 2}, {253, 3}};
  auto t = raid_table_for(m, *plan, devs);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ((*t)[0], (TargetLine{0, 114688, "raid", "raid1 3 0 region_size 1024 2 253:0 253:1 253:2 253:3"}));
}

TEST(VolumePlan, MissingLegBecomesDashDash) {
  auto m = mapping();
  m.legs[0].device.reset();
  auto plan = plan_volume(m);
  ASSERT_TRUE(plan);
  ASSERT_EQ(plan->subdevices.size(), 2u);
  std::vector<DevNumber> devs{{253, 5}, {253, 6}};
  auto t = raid_table_for(m, *plan, devs);
  ASSERT_TRUE(t);
  EXPECT_EQ((*t)[0].params, "raid1 3 0 region_size 1024 2 - - 253:5 253:6");
}

TEST(VolumePlan, RejectsBadMappings) {
  auto m = mapping();
  m.legs[1].kmeta_size = 4096;  // smaller than sb + bitmap
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.legs[0].data_offset = 3 * kMiB;  // overlaps the kmeta area
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.region_size = 3000;
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.data_size = 1000;
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.name = "a/b";
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.options.nosync = true;
  m.options.rebuild = {0};
  EXPECT_FALSE(plan_volume(m));
  m = mapping();
  m.legs[0].device.reset();
  m.legs[1].device.reset();
  EXPECT_FALSE(plan_volume(m));
}

TEST(VolumeActivate, CreatesSubdevicesThenRaid) {
  FakeDmControl dm;
  auto v = activate(dm, mapping());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(dm.device_count(), 5u);
  EXPECT_EQ(v->subdevices.size(), 4u);
  EXPECT_EQ(v->top.name, "vol");
  std::vector<std::string> expected{
      "create vol-kmeta0 DMIRROR-u1-kmeta0", "load vol-kmeta0 0 8192 linear 254:0 4096", "resume vol-kmeta0 flags=0xe",
      "create vol-data0 DMIRROR-u1-data0",   "load vol-data0 0 114688 linear 254:0 16384", "resume vol-data0 flags=0xe",
      "create vol-kmeta1 DMIRROR-u1-kmeta1", "load vol-kmeta1 0 8192 linear 254:16 4096", "resume vol-kmeta1 flags=0xe",
      "create vol-data1 DMIRROR-u1-data1",   "load vol-data1 0 114688 linear 254:16 16384", "resume vol-data1 flags=0xe",
      "create vol DMIRROR-u1", "load vol 0 114688 raid raid1 3 0 region_size 1024 2 254:0 254:1 254:2 254:3",
      "resume vol flags=0x0"};
  EXPECT_EQ(dm.calls, expected);
  EXPECT_FALSE(dm.find("vol")->suspended);
}

TEST(VolumeActivate, FailedRaidLoadRemovesEverything) {
  FakeDmControl dm;
  dm.fail_next("load vol 0", EINVAL);
  auto v = activate(dm, mapping());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(dm.device_count(), 0u);
  std::vector<std::string> tail(dm.calls.end() - 5, dm.calls.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"remove vol", "remove vol-data1", "remove vol-kmeta1", "remove vol-data0",
                                            "remove vol-kmeta0"}));
}

TEST(VolumeActivate, FailedSubdeviceCreateRollsBack) {
  FakeDmControl dm;
  dm.fail_next("create vol-kmeta1", EBUSY);
  auto v = activate(dm, mapping());
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().code, ErrorCode::Exists);
  EXPECT_EQ(dm.device_count(), 0u);
}

TEST(VolumeActivate, ReadOnlyLoadsTopReadOnly) {
  FakeDmControl dm;
  auto m = mapping();
  m.options.read_only = true;
  ASSERT_TRUE(activate(dm, m));
  EXPECT_TRUE(dm.calls[13].ends_with(" ro")) << dm.calls[13];
}

TEST(VolumeDeactivate, RemovesTopThenSubdevicesByUuidPrefix) {
  FakeDmControl dm;
  ASSERT_TRUE(activate(dm, mapping()));
  // An unrelated device of another volume must survive.
  ASSERT_TRUE(dm.create_device("other-data0", "DMIRROR-u2-data0"));
  dm.calls.clear();
  ASSERT_TRUE(deactivate(dm, "vol"));
  EXPECT_EQ(dm.device_count(), 1u);
  EXPECT_EQ(dm.calls[0], "info vol");
  EXPECT_EQ(dm.calls[1], "list DMIRROR-u1-");
  EXPECT_EQ(dm.calls[2], "remove vol");
}

TEST(VolumeDeactivate, CleansUpLeftoverSubdevicesByName) {
  FakeDmControl dm;
  ASSERT_TRUE(activate(dm, mapping()));
  ASSERT_TRUE(dm.remove_device(DeviceRef::by_name("vol"), {}));
  ASSERT_TRUE(deactivate(dm, "vol"));
  EXPECT_EQ(dm.device_count(), 0u);
  auto again = deactivate(dm, "vol");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
}

TEST(VolumeDeactivate, RefusesForeignDevices) {
  FakeDmControl dm;
  ASSERT_TRUE(dm.create_device("vg-lv", "LVM-xyz"));
  auto st = deactivate(dm, "vg-lv");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::NotDmirror);
}

TEST(VolumeQuery, ParsesStatusAndTable) {
  FakeDmControl dm;
  ASSERT_TRUE(activate(dm, mapping()));
  dm.info_lines["vol"] = "raid1 2 aA 1024/114688 recover 0 0 -";
  auto q = query(dm, "vol");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(q->raid.action, SyncAction::Recover);
  EXPECT_EQ(q->raid.health[0], LegHealth::NotInSync);
  EXPECT_EQ(q->table.region_size, 1024u);
  EXPECT_EQ(q->table.legs.size(), 2u);
  EXPECT_EQ(q->info.name, "vol");
  EXPECT_FALSE(query(dm, "vol-data0"));  // linear, not raid
}

}  // namespace
}  // namespace dmirror::dm
