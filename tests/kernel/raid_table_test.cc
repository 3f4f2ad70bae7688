// SPDX-License-Identifier: LGPL-2.1-or-later
// `raid raid1` params: #raid_params counting, canonical order, missing legs,
// validation, and parsing the kernel's echoed table line.
#include <dmirror/dm/raid_table.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

Raid1Params two_legs() {
  Raid1Params p;
  p.legs = {RaidLeg{DevNumber{253, 1}, DevNumber{253, 2}}, RaidLeg{DevNumber{253, 3}, DevNumber{253, 4}}};
  return p;
}

TEST(RaidTable, CountsEveryWordAfterRaidParams) {
  auto p = two_legs();
  p.region_size = 8192;
  EXPECT_EQ(*format_raid1_params(p), "raid1 3 0 region_size 8192 2 253:1 253:2 253:3 253:4");
  p.rebuild = {1};
  EXPECT_EQ(*format_raid1_params(p), "raid1 5 0 rebuild 1 region_size 8192 2 253:1 253:2 253:3 253:4");
  p.region_size.reset();
  p.rebuild.clear();
  EXPECT_EQ(*format_raid1_params(p), "raid1 1 0 2 253:1 253:2 253:3 253:4");
}

TEST(RaidTable, CanonicalOrderOfAllOptions) {
  auto p = two_legs();
  p.nosync = true;
  p.min_recovery_rate = 100;
  p.max_recovery_rate = 2000;
  p.write_mostly = {1};
  p.max_write_behind = 512;
  p.region_size = 1024;
  EXPECT_EQ(*format_raid1_params(p),
            "raid1 12 0 nosync min_recovery_rate 100 max_recovery_rate 2000 write_mostly 1 "
            "max_write_behind 512 region_size 1024 2 253:1 253:2 253:3 253:4");
}

TEST(RaidTable, MissingLegIsDashDash) {
  auto p = two_legs();
  p.legs[1] = RaidLeg{};
  p.region_size = 8192;
  EXPECT_EQ(*format_raid1_params(p), "raid1 3 0 region_size 8192 2 253:1 253:2 - -");
  p.legs[0].meta.reset();
  EXPECT_EQ(*format_raid1_params(p), "raid1 3 0 region_size 8192 2 - 253:2 - -");
}

TEST(RaidTable, RejectsWhatTheKernelRejects) {
  auto p = two_legs();
  p.legs[0].data.reset();  // meta without data
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.nosync = true;
  p.rebuild = {0};
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.rebuild = {2};
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.legs[1] = RaidLeg{};
  p.rebuild = {1};
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.write_mostly = {0, 1};
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.region_size = 1000;
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.max_write_behind = 40000;
  EXPECT_FALSE(format_raid1_params(p));
  p = two_legs();
  p.min_recovery_rate = 10;
  p.max_recovery_rate = 5;
  EXPECT_FALSE(format_raid1_params(p));
  EXPECT_FALSE(format_raid1_params(Raid1Params{}));
}

TEST(RaidTable, TargetLineSpansTheArray) {
  auto p = two_legs();
  auto t = raid1_target(2097152, p);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->start, 0u);
  EXPECT_EQ(t->length, 2097152u);
  EXPECT_EQ(t->type, "raid");
  EXPECT_FALSE(raid1_target(0, p));
}

TEST(RaidTable, ParseRoundTrip) {
  auto p = two_legs();
  p.rebuild = {1};
  p.write_mostly = {0};
  p.max_write_behind = 256;
  p.region_size = 1024;
  auto text = format_raid1_params(p);
  ASSERT_TRUE(text);
  auto back = parse_raid1_params(*text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, p);
}

TEST(RaidTable, ParsesKernelEchoWithDaemonSleepAndMissingLeg) {
  auto p = parse_raid1_params("raid1 7 0 daemon_sleep 1250 max_write_behind 128 region_size 1024 2 - - 254:3 254:4");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->daemon_sleep, 1250u);
  EXPECT_EQ(p->max_write_behind, 128u);
  EXPECT_EQ(p->region_size, 1024u);
  ASSERT_EQ(p->legs.size(), 2u);
  EXPECT_TRUE(p->legs[0].missing());
  EXPECT_EQ(p->legs[1].data, (DevNumber{254, 4}));
}

// A write-mostly leg the kernel failed is echoed as `write_mostly -1`
// (seen on 6.1): the table still parses, with no write-mostly position.
TEST(RaidTable, ParsesTheEchoOfAFailedWriteMostlyLeg) {
  auto p = parse_raid1_params("raid1 6 0 nosync write_mostly -1 region_size 2048 2 253:0 253:1 253:2 253:3");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->write_mostly.empty());
  EXPECT_TRUE(p->nosync);
  EXPECT_EQ(p->region_size, 2048u);
  ASSERT_EQ(p->legs.size(), 2u);
  EXPECT_FALSE(parse_raid1_params("raid1 3 0 write_mostly -2 2 253:0 253:1 253:2 253:3"));
}

TEST(RaidTable, ParseKeepsUnknownPairsAndRejectsGarbage) {
  auto p = parse_raid1_params("raid1 3 0 future_knob 7 1 - 254:1");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->other.size(), 1u);
  EXPECT_EQ(p->other[0].first, "future_knob");
  EXPECT_FALSE(parse_raid1_params("raid5_ls 1 0 1 - 254:1"));
  EXPECT_FALSE(parse_raid1_params("raid1 3 0 region_size 1024 2 254:1 254:2"));
  EXPECT_FALSE(parse_raid1_params("raid1 2 0 region_size 1 - 254:1"));
  EXPECT_FALSE(parse_raid1_params("raid1 1 0 1 /dev/sda 254:1"));
}

}  // namespace
}  // namespace dmirror::dm
