// SPDX-License-Identifier: LGPL-2.1-or-later
// The writer's membership rules (FORMAT.md 2.6, rules 11-15): consent to
// write without a member, missing is not failed, every write session
// starts with a commit, journal_kept_since before bits are cleared, a
// seqno never at or below one already on a leg, and MEMBERSHIP set on an
// array of an older version by its first commit.
#include <dmirror/engine.h>
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using testing::pattern;
using testing::TestLegs;

std::unique_ptr<Mirror> open_mirror(std::vector<BlockDevice*> devs, MirrorOptions o = {}) {
  auto m = Mirror::open(devs, o);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(*m) : nullptr;
}

std::vector<std::byte> whole_leg(TestLegs& legs, uint32_t slot) {
  std::vector<std::byte> buf(testing::test_leg_size({.legs = 3}));
  EXPECT_TRUE(legs.raw(slot).read(0, buf));
  return buf;
}

TEST(MirrorMembership, WritingWithoutAMemberNeedsConsentAndARefusalWritesNothing) {
  TestLegs legs({.legs = 3});
  auto before0 = whole_leg(legs, 0), before1 = whole_leg(legs, 1);
  auto m = Mirror::open(legs.devices_except(2));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::Refused);
  EXPECT_NE(m.error().message.find("slot 2"), std::string::npos) << m.error().message;
  EXPECT_NE(m.error().message.find("--degraded"), std::string::npos) << m.error().message;
  EXPECT_EQ(whole_leg(legs, 0), before0);
  EXPECT_EQ(whole_leg(legs, 1), before1);
  EXPECT_TRUE(Mirror::open(legs.devices_except(2), MirrorOptions{.read_only = true})) << "reading needs no consent";
}

TEST(MirrorMembership, AbsentLegIsRecordedMissingNotFailedAtTheFirstCommit) {
  TestLegs legs({.legs = 3});
  auto m = open_mirror(legs.devices_except(2), MirrorOptions{.allow_degraded = true});
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[2].state, LegState::Missing);
  EXPECT_EQ(sb.legs[2].state_seq, sb.seqno);
  EXPECT_TRUE(sb.incompat & feature::kIncompatMembership);
  auto h = read_events(legs.raw(0), sb);
  ASSERT_TRUE(h);
  bool missing = false, failed = false;
  for (auto& e : h->events) {
    missing = missing || (e.type == EventType::LegMissing && e.slot == 2);
    failed = failed || e.type == EventType::LegFailed;
  }
  EXPECT_TRUE(missing);
  EXPECT_FALSE(failed);
  ASSERT_TRUE(m->close());
  auto j = WriteIntentJournal::load(legs.raw(0), legs.superblock(0));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_count(), 1u) << "bits must stay while a leg is missing";
}

TEST(MirrorMembership, EveryWriteSessionStartsWithItsOwnCommit) {
  TestLegs legs;
  uint64_t first = 0;
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(0, pattern(512, 1)));
    first = legs.superblock(0).seqno;
    // crash: Dirty stays set
  }
  auto m = open_mirror(legs.devices());
  const uint64_t opened = legs.superblock(0).seqno;
  EXPECT_GT(opened, first);
  ASSERT_TRUE(m->write(4096, pattern(512, 2)));
  EXPECT_GT(legs.superblock(0).seqno, opened) << "a write session shares the seqno of the previous one";
  EXPECT_TRUE(legs.superblock(0).has_flag(sbflag::kDirty));
}

TEST(MirrorMembership, JournalKeptSinceIsCommittedBeforeBitsAreCleared) {
  TestLegs legs;
  auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 0});
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  const uint64_t after_write = legs.superblock(0).seqno;
  ASSERT_TRUE(m->flush());   // marks the interval: region 0 was written in it
  ASSERT_TRUE(m->flush());   // idle now: cleared
  Superblock sb = legs.superblock(0);
  auto j = WriteIntentJournal::load(legs.raw(0), sb);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_count(), 0u);
  EXPECT_GT(sb.journal_kept_since, after_write);
  EXPECT_EQ(sb.journal_kept_since, sb.seqno) << "the clear follows the journal_kept_since commit";
  EXPECT_EQ(legs.superblock(1).journal_kept_since, sb.seqno);
}

TEST(MirrorMembership, NoBitIsClearedWhileARebuildFromTheJournalIsPending) {
  TestLegs legs({.legs = 3});
  legs.edit_superblocks([](Superblock& sb) {
    sb.legs[2].state = LegState::Rebuilding;
    sb.legs[2].recovery_offset = 0;
    sb.legs[2].flags |= legflag::kRecoverFromJournal;
  });
  auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 0});
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  ASSERT_TRUE(m->close());
  auto j = WriteIntentJournal::load(legs.raw(0), legs.superblock(0));
  ASSERT_TRUE(j);
  EXPECT_EQ(j->dirty_count(), 1u);
}

TEST(MirrorMembership, CommitNeverWritesASeqnoAtOrBelowOneOnALeg) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  // Behind the engine's back, slot 1 moves ahead.
  Superblock ahead = legs.superblock(1);
  ahead.seqno += 10;
  ASSERT_TRUE(write_superblocks(legs.raw(1), ahead));
  ASSERT_TRUE(m->close());
  EXPECT_GT(legs.superblock(0).seqno, ahead.seqno);
  EXPECT_EQ(legs.superblock(1).seqno, legs.superblock(0).seqno);
}

TEST(MirrorMembership, FirstCommitOnAnOlderArraySetsMembership) {
  TestLegs legs;
  legs.edit_superblocks([](Superblock& sb) {
    sb.incompat = 0;
    sb.compat = 0;
    sb.journal_kept_since = 0;
  });
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.incompat & feature::kIncompatCurrent, feature::kIncompatCurrent);
  EXPECT_EQ(sb.compat & feature::kCompatCurrent, feature::kCompatCurrent);
  EXPECT_EQ(sb.journal_kept_since, sb.seqno);
}

}  // namespace
}  // namespace dmirror
