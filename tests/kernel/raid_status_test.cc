// SPDX-License-Identifier: LGPL-2.1-or-later
// Parsing dm-raid INFO status lines (examples from docs/kernel-facts.md §2.5).
#include <dmirror/dm/raid_status.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

TEST(RaidStatus, InSyncIdle) {
  auto s = parse_raid_status("raid1 2 AA 2097152/2097152 idle 0 0 -");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->level, "raid1");
  EXPECT_EQ(s->device_count, 2u);
  EXPECT_EQ(s->health, (std::vector<LegHealth>{LegHealth::InSync, LegHealth::InSync}));
  EXPECT_EQ(s->sync_progress, 2097152u);
  EXPECT_EQ(s->sync_total, 2097152u);
  EXPECT_EQ(s->action, SyncAction::Idle);
  EXPECT_EQ(s->mismatch_count, 0u);
  EXPECT_EQ(s->data_offset, 0u);
  EXPECT_EQ(s->journal_char, '-');
  EXPECT_TRUE(s->fully_in_sync());
  EXPECT_FALSE(s->degraded());
  EXPECT_FALSE(s->busy());
}

TEST(RaidStatus, InitialResync) {
  auto s = parse_raid_status("raid1 2 aa 524288/2097152 resync 0 0 -");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->action, SyncAction::Resync);
  EXPECT_EQ(s->health[0], LegHealth::NotInSync);
  EXPECT_FALSE(s->fully_in_sync());
  EXPECT_TRUE(s->busy());
}

TEST(RaidStatus, RecoverAndFailedLegs) {
  auto r = parse_raid_status("raid1 2 Aa 100000/2097152 recover 0 0 -");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->action, SyncAction::Recover);
  EXPECT_EQ(r->health[1], LegHealth::NotInSync);
  auto d = parse_raid_status("raid1 2 AD 2097152/2097152 idle 0 0 -");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->health[1], LegHealth::Failed);
  EXPECT_TRUE(d->degraded());
  EXPECT_FALSE(d->fully_in_sync());
  auto m = parse_raid_status("raid1 3 A-A 64/64 idle 0 0 -");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->health[1], LegHealth::Missing);
  EXPECT_TRUE(m->degraded());
}

TEST(RaidStatus, CheckWithMismatches) {
  auto s = parse_raid_status("raid1 2 AA 2097152/2097152 check 128 0 -");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->action, SyncAction::Check);
  EXPECT_EQ(s->mismatch_count, 128u);
}

TEST(RaidStatus, ToleratesMissingTrailingFields) {
  auto old = parse_raid_status("raid1 2 AA 64/64");
  ASSERT_TRUE(old);
  EXPECT_EQ(old->action, SyncAction::Idle);
  EXPECT_FALSE(old->mismatch_count);
  auto v15 = parse_raid_status("raid1 2 AA 64/64 idle 0");
  ASSERT_TRUE(v15);
  EXPECT_EQ(v15->mismatch_count, 0u);
  EXPECT_FALSE(v15->data_offset);
  EXPECT_FALSE(v15->journal_char);
}

TEST(RaidStatus, UnknownActionIsBusy) {
  auto s = parse_raid_status("raid1 2 aa 0/64 init 0 0 -");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->action, SyncAction::Unknown);
  EXPECT_EQ(s->action_text, "init");
  EXPECT_TRUE(s->busy());
  auto f = parse_raid_status("raid1 2 AA 64/64 frozen 0 0 -");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->busy());
}

// docs/kernel-facts.md §2.5: the count is md's raid_disks, the characters
// one per table position. Right after a table with a leg more is resumed
// they differ, and the new position can read 'A' before its recovery ran
// (seen on 6.1: an online replace onto a failed leg, "raid1 2 A-A").
TEST(RaidStatus, ALegCountChangeNotYetAppliedIsNeitherInSyncNorIdle) {
  for (const char* line : {"raid1 2 A-A 2097152/2097152 idle 0 0 -", "raid1 2 A-a 0/2097152 idle 0 0 -",
                           "raid1 3 AA 2097152/2097152 idle 0 0 -"}) {
    auto s = parse_raid_status(line);
    ASSERT_TRUE(s) << line << ": " << s.error().message;
    EXPECT_TRUE(s->positions_pending()) << line;
    EXPECT_FALSE(s->fully_in_sync()) << line;
    EXPECT_TRUE(s->busy()) << line;
  }
  auto a = parse_raid_status("raid1 2 A-A 2097152/2097152 idle 0 0 -");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->health.size(), 3u) << "one health per table position";
  EXPECT_EQ(a->device_count, 2u);
  auto settled = parse_raid_status("raid1 3 A-A 2097152/2097152 idle 0 0 -");
  ASSERT_TRUE(settled);
  EXPECT_FALSE(settled->positions_pending());
  EXPECT_FALSE(settled->busy());
}

TEST(RaidStatus, RejectsMalformedLines) {
  EXPECT_FALSE(parse_raid_status(""));
  EXPECT_FALSE(parse_raid_status("raid1 2  64/64 idle"));
  EXPECT_FALSE(parse_raid_status("raid1 2 AA 64-64 idle"));
  EXPECT_FALSE(parse_raid_status("raid1 x AA 64/64 idle"));
  EXPECT_FALSE(parse_raid_status("raid1 2 AA 64/64 idle many"));
}

}  // namespace
}  // namespace dmirror::dm
