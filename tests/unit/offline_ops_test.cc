// SPDX-License-Identifier: LGPL-2.1-or-later
// Offline resync, verify, scrub and replace on in-memory legs, including
// fault injection (a leg vanishing mid-scrub, bit flips, EIO).
#include <dmirror/engine.h>
#include <dmirror/events.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"
#include "support/scratch.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

void fill(TestLegs& legs, uint32_t n, uint32_t seed, uint64_t size = 256 * 1024) {
  for (uint32_t s = 0; s < n; ++s) legs.poke(s, 0, pattern(size, seed));
}

TEST(Resync, InitialFullSyncMakesLegsIdentical) {
  TestLegs legs({.legs = 2, .assume_clean = false});
  legs.poke(0, 0, pattern(256 * 1024, 1));
  legs.poke(1, 0, pattern(256 * 1024, 2));
  auto r = resync(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->mode, ResyncMode::Full);
  EXPECT_TRUE(legs.data_equal(0, 1));
  auto want = pattern(256 * 1024, 1);
  EXPECT_EQ(legs.data(1, 0, 4096), std::vector<std::byte>(want.begin(), want.begin() + 4096)) << "copied from slot 0";
  EXPECT_EQ(legs.superblock(1).resync_offset, kOffsetInSync);
}

TEST(Resync, JournalDrivenCopiesOnlyDirtyRegions) {
  TestLegs legs;
  {
    auto m = Mirror::open(legs.devices());
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->write(8192, pattern(4096, 1)));
  }   // not closed: Dirty
  legs.poke(1, 8192, pattern(4096, 2));
  auto r = resync(legs.devices());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mode, ResyncMode::Journal);
  EXPECT_EQ(r->regions_copied, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_FALSE(legs.superblock(0).has_flag(sbflag::kDirty));
}

TEST(Resync, CancelledRunResumesFromItsCheckpoint) {
  TestLegs legs({.legs = 2, .assume_clean = false});
  legs.poke(0, 0, pattern(256 * 1024, 1));
  std::atomic<bool> cancel{false};
  int ticks = 0;
  ResyncOptions o;
  o.checkpoint_bytes = 16 * 1024;
  o.control.cancel = &cancel;
  o.control.progress = [&](const Progress&) { if (++ticks == 20) cancel = true; };
  auto r = resync(legs.devices(), o);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Cancelled);
  uint64_t ckpt = legs.superblock(0).resync_offset;
  EXPECT_GT(ckpt, 0u);
  EXPECT_LT(ckpt, 256u * 1024);
  auto again = resync(legs.devices());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->resumed_from, ckpt);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(Resync, RecoversARebuildingLeg) {
  TestLegs legs;
  legs.poke(0, 0, pattern(256 * 1024, 4));
  legs.edit_superblocks([](Superblock& sb) {
    sb.legs[1].state = LegState::Rebuilding;
    sb.legs[1].recovery_offset = 0;
  });
  auto r = resync(legs.devices());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->recovered_slots.size(), 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_EQ(legs.superblock(1).legs[1].state, LegState::InSync);
}

TEST(Verify, IsReadOnlyAndLocatesAndClassifiesAMismatch) {
  TestLegs legs;
  fill(legs, 2, 7);
  ASSERT_TRUE(legs.faulty(1).flip_bit(legs.data_offset() + 40000, 3));
  uint64_t seq = legs.superblock(0).seqno;
  auto r = verify(legs.devices());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->mismatches.size(), 1u);
  const Mismatch& m = r->mismatches[0];
  EXPECT_EQ(m.offset, 40000u / 512 * 512);
  EXPECT_EQ(m.length, 512u);
  EXPECT_EQ(m.region, 40000u / 4096);
  EXPECT_EQ(m.cls, MismatchClass::Corruption);
  EXPECT_EQ(m.source_slot, kNoSlot) << "two legs, clean region: no evidence for either copy";
  EXPECT_TRUE(m.agree.empty());
  EXPECT_EQ(m.differ, (std::vector<uint32_t>{0, 1}));
  EXPECT_EQ(m.digests.size(), 2u);
  EXPECT_NE(m.digests[0].crc32c, m.digests[1].crc32c);
  EXPECT_EQ(r->worst(), Severity::Error);
  EXPECT_EQ(legs.superblock(0).seqno, seq) << "verify wrote metadata";
  EXPECT_EQ(legs.faulty(0).writes() + legs.faulty(1).writes(), 0u);
}

TEST(Verify, DirtyRegionMismatchIsACrashWindow) {
  TestLegs legs;
  {
    auto m = Mirror::open(legs.devices());
    ASSERT_TRUE((*m)->write(4096, pattern(4096, 1)));
  }
  legs.poke(1, 4096, pattern(4096, 2));
  VerifyOptions o;
  o.quick = true;
  auto r = verify(legs.devices(), o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->mismatches.size(), 1u);
  EXPECT_EQ(r->mismatches[0].cls, MismatchClass::CrashWindow);
  EXPECT_EQ(r->regions_compared, 1u);
}

TEST(Verify, AssumeCleanArrayMismatchIsCorruptionNotAGuess) {
  TestLegs legs;   // --assume-clean: the administrator said the legs are equal
  legs.poke(0, 0, pattern(4096, 3));   // the other side is all zeros
  auto r = verify(legs.devices());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->mismatches.size(), 1u);
  EXPECT_EQ(r->mismatches[0].cls, MismatchClass::Corruption);
}

TEST(Verify, AboveTheInitialSyncOffsetIsNeverSynced) {
  TestLegs legs({.legs = 2, .assume_clean = false});
  legs.poke(0, 8192, pattern(4096, 3));
  auto r = verify(legs.devices());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->mismatches.size(), 1u);
  EXPECT_EQ(r->mismatches[0].cls, MismatchClass::NeverSynced);
}

TEST(Verify, RepairFromAChosenLeg) {
  TestLegs legs;
  fill(legs, 2, 7);
  ASSERT_TRUE(legs.faulty(0).flip_bit(legs.data_offset() + 100, 0));
  VerifyOptions o;
  o.repair = true;
  o.choice.from_slot = 1;
  auto r = verify(legs.devices(), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->repaired, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  auto want = pattern(256 * 1024, 7);
  EXPECT_EQ(legs.data(0, 0, 4096), std::vector<std::byte>(want.begin(), want.begin() + 4096));
}

TEST(Verify, ReportsDamagedSuperblockCopyAndStaleLeg) {
  TestLegs legs;
  ASSERT_TRUE(legs.faulty(1).flip_bit(64 * 1024 + 100));   // copy 1 of slot 1
  auto r = verify(legs.devices());
  ASSERT_TRUE(r);
  bool damaged = false;
  for (auto& f : r->assembly.findings) damaged = damaged || f.code == "superblock-copy-damaged";
  EXPECT_TRUE(damaged);
  // The other copy and the other leg still hold the metadata: a warning.
  EXPECT_EQ(r->worst(), Severity::Warning);
  EXPECT_EQ(r->assembly.health, Health::Healthy);
}

class ScrubTest : public ::testing::Test {
 protected:
  ScrubOptions opts() {
    ScrubOptions o;
    o.checkpoint_bytes = 16 * 1024;
    return o;
  }
};

TEST_F(ScrubTest, ThreeLegsMajorityRepairsAtTheExactLocation) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 11);
  ASSERT_TRUE(legs.faulty(0).flip_bit(legs.data_offset() + 70000, 5));
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->found.size(), 1u);
  EXPECT_EQ(r->found[0].offset, 70000u / 512 * 512);
  EXPECT_EQ(r->found[0].source_slot, 1u);
  EXPECT_NE(r->found[0].source_reason.find("majority"), std::string::npos);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_TRUE(legs.data_equal(1, 2));
  EXPECT_EQ(r->result, ScrubResult::Repaired);
  Superblock sb = legs.superblock(2);
  EXPECT_EQ(sb.last_scrub.result, ScrubResult::Repaired);
  EXPECT_EQ(sb.last_scrub.mismatches, 1u);
  EXPECT_EQ(sb.checkpoint.op, OfflineOp::None);
  auto h = read_events(legs.raw(0), sb);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->events.back().type, EventType::ScrubFinished);
}

TEST_F(ScrubTest, TwoLegsRepairOnlyFromTheChosenLeg) {
  TestLegs legs;
  fill(legs, 2, 12);
  ASSERT_TRUE(legs.faulty(0).flip_bit(legs.data_offset() + 5000));
  auto o = opts();
  o.choice.from_slot = 1;
  auto r = scrub(legs.devices(), o);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->found.size(), 1u);
  EXPECT_EQ(r->found[0].source_slot, 1u);
  EXPECT_EQ(r->result, ScrubResult::Repaired);
  EXPECT_EQ(legs.data(0, 4096, 4096), legs.data(1, 4096, 4096));
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.counters[0].mismatches, 1u) << "the losing leg's counter";
  EXPECT_EQ(sb.counters[0].corrected, 1u) << "the losing leg was rewritten from the chosen one";
  EXPECT_EQ(sb.counters[1].mismatches, 0u);
  EXPECT_EQ(sb.counters[1].corrected, 0u);
  std::string text = mismatch_finding(r->found[0]).message;
  EXPECT_EQ(text.find("agree"), std::string::npos) << "one leg of a tie is not 'agreeing': " << text;
}

TEST_F(ScrubTest, TwoLegsMismatchInACleanRegionIsReportedAndLeftAlone) {
  TestLegs legs;
  fill(legs, 2, 12);
  ASSERT_TRUE(legs.faulty(1).flip_bit(legs.data_offset() + 9000));
  auto before0 = legs.data(0, 0, 256 * 1024), before1 = legs.data(1, 0, 256 * 1024);
  auto d = scrub(legs.devices(), opts());
  ASSERT_TRUE(d);
  ASSERT_EQ(d->found.size(), 1u);
  EXPECT_EQ(d->result, ScrubResult::Mismatches);
  EXPECT_EQ(d->repaired, 0u);
  EXPECT_EQ(d->found[0].source_slot, kNoSlot);
  EXPECT_EQ(d->found[0].offset, 9000u / 512 * 512);
  EXPECT_EQ(legs.data(0, 0, 256 * 1024), before0);
  EXPECT_EQ(legs.data(1, 0, 256 * 1024), before1);
  std::string text = mismatch_finding(d->found[0]).message;
  EXPECT_NE(text.find("left alone"), std::string::npos) << text;
  EXPECT_NE(text.find("--from"), std::string::npos) << text;
  EXPECT_EQ(text.find("agree,"), std::string::npos) << text;
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.last_scrub.result, ScrubResult::Mismatches);
  EXPECT_EQ(sb.counters[0].mismatches + sb.counters[1].mismatches, 0u);
}

TEST_F(ScrubTest, ThreeWaySplitHasNoMajorityAndIsLeftAlone) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 16);
  ASSERT_TRUE(legs.faulty(1).flip_bit(legs.data_offset() + 600));
  ASSERT_TRUE(legs.faulty(2).flip_bit(legs.data_offset() + 700));
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->found.size(), 1u);
  EXPECT_EQ(r->found[0].source_slot, kNoSlot);
  EXPECT_EQ(r->result, ScrubResult::Mismatches);
  EXPECT_FALSE(legs.data_equal(0, 1));
  EXPECT_FALSE(legs.data_equal(1, 2));
}

// A check reports a crash window's difference as such; a repairing scrub
// settles the crash window first, by the rule every recovery follows
// (FORMAT.md 2.6 rule 21: two legs, no vote, the lowest in-sync slot), and
// reports what it settled.
TEST_F(ScrubTest, ADirtyRegionIsSettledFromTheLowestInSyncLeg) {
  TestLegs legs;
  {
    auto m = Mirror::open(legs.devices());
    ASSERT_TRUE(m);
    ASSERT_TRUE((*m)->write(8192, pattern(4096, 1)));
  }   // dropped without close: the region stays dirty, as after a crash
  legs.poke(1, 8192, pattern(4096, 2));
  ScrubOptions check = opts();
  check.repair = false;
  auto c = scrub(legs.devices(), check);
  ASSERT_TRUE(c) << c.error().describe();
  ASSERT_EQ(c->found.size(), 1u);
  EXPECT_EQ(c->found[0].cls, MismatchClass::CrashWindow);
  EXPECT_EQ(c->found[0].source_slot, 0u);
  EXPECT_FALSE(legs.data_equal(0, 1));
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(r->found.size(), 1u);   // what it settled first is reported
  EXPECT_EQ(r->found[0].cls, MismatchClass::CrashWindow);
  EXPECT_EQ(r->found[0].source_slot, 0u);
  EXPECT_TRUE(r->found[0].repaired);
  EXPECT_EQ(r->result, ScrubResult::Repaired);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_TRUE(legs.data(1, 8192, 4096) == pattern(4096, 1)) << "not settled from slot 0";
}

TEST_F(ScrubTest, CheckOnlyLeavesMismatches) {
  TestLegs legs;
  fill(legs, 2, 13);
  ASSERT_TRUE(legs.faulty(1).flip_bit(legs.data_offset() + 300));
  auto o = opts();
  o.repair = false;
  auto r = scrub(legs.devices(), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result, ScrubResult::Mismatches);
  EXPECT_FALSE(legs.data_equal(0, 1));
}

TEST_F(ScrubTest, InterruptedRunResumesAndNeverCountsAsAPass) {
  TestLegs legs({.legs = 3});   // a strict majority repairs the flipped bit
  fill(legs, 3, 14);
  ASSERT_TRUE(legs.faulty(1).flip_bit(legs.data_offset() + 200000));
  std::atomic<bool> cancel{false};
  int ticks = 0;
  auto o = opts();
  o.control.cancel = &cancel;
  o.control.progress = [&](const Progress&) { if (++ticks == 10) cancel = true; };
  auto r = scrub(legs.devices(), o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result, ScrubResult::Interrupted);
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.last_scrub.result, ScrubResult::Interrupted);
  EXPECT_EQ(sb.checkpoint.position, 10u * 4096);
  auto again = scrub(legs.devices(), opts());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(again->resumed_from, 10u * 4096);
  EXPECT_EQ(again->regions, 64u);
  EXPECT_EQ(again->result, ScrubResult::Repaired);
  auto restarted = [&] { auto x = opts(); x.restart = true; return scrub(legs.devices(), x); }();
  ASSERT_TRUE(restarted);
  EXPECT_FALSE(restarted->resumed);
  EXPECT_EQ(restarted->result, ScrubResult::Clean);
}

TEST_F(ScrubTest, ALegVanishingMidScrubIsRecordedMissingAndTheScrubCarriesOn) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 15);
  legs.faulty(2).vanish_after(60);
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->result, ScrubResult::Clean);
  EXPECT_EQ(r->regions, 64u);
  EXPECT_TRUE(r->degraded);
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.last_scrub.result, ScrubResult::Clean);
  EXPECT_EQ(sb.checkpoint.op, OfflineOp::None);
  EXPECT_EQ(sb.legs[2].state, LegState::Missing);
}

TEST_F(ScrubTest, ALegVanishingFromTwoStopsWithTheCheckpointKept) {
  TestLegs legs;
  fill(legs, 2, 15);
  legs.faulty(1).vanish_after(60);
  auto r = scrub(legs.devices(), opts());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Stale);
  EXPECT_NE(r.error().message.find("checkpoint kept"), std::string::npos) << r.error().message;
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.last_scrub.result, ScrubResult::Failed);
  EXPECT_EQ(sb.checkpoint.op, OfflineOp::Repair);
  EXPECT_EQ(sb.legs[1].state, LegState::Missing);
}

TEST(Replace, NewLegJoinsCopiesVerifiesAndRetiresTheOld) {
  TestLegs legs({.legs = 2});
  fill(legs, 2, 21);
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  auto r = replace(legs.devices(), 1, *spare);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->new_slot, 2u);
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[1].state, LegState::Removed);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  EXPECT_EQ(sb.checkpoint.op, OfflineOp::None);
  EXPECT_TRUE(spare->image().equal_range(legs.raw(0).image(), legs.data_offset(), 256 * 1024));
  // The new array (slots 0 and 2) opens and reads.
  std::vector<BlockDevice*> devs{legs.devices()[0], spare.get()};
  auto m = Mirror::open(devs);
  ASSERT_TRUE(m) << m.error().describe();
}

TEST(Replace, CancelledReplaceResumesWithTheSameDevice) {
  TestLegs legs({.legs = 2});
  fill(legs, 2, 22);
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  std::atomic<bool> cancel{false};
  ReplaceOptions o;
  o.chunk_bytes = 4096;
  o.control.cancel = &cancel;
  int ticks = 0;
  o.control.progress = [&](const Progress&) { if (++ticks == 5) cancel = true; };
  auto r = replace(legs.devices(), 0, *spare, o);
  ASSERT_FALSE(r);
  Superblock mid = legs.superblock(1);
  EXPECT_EQ(mid.legs[0].state, LegState::Replacing);
  EXPECT_EQ(mid.legs[2].state, LegState::Rebuilding);
  EXPECT_EQ(mid.legs[2].recovery_offset, 5u * 4096);
  auto again = replace(legs.devices(), 0, *spare);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(legs.superblock(1).legs[0].state, LegState::Removed);
}

TEST(Replace, RefusesATooSmallDeviceOrACurrentLeg) {
  TestLegs legs;
  auto small = testing::make_sparse_device(1024 * 1024, "mem:small");
  auto r = replace(legs.devices(), 1, *small);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::TooSmall);
  auto same = replace(legs.devices(), 1, *legs.devices()[0]);
  ASSERT_FALSE(same);
}

TEST(Replace, AFailedLegIsReplacedFromTheSurvivor) {
  TestLegs legs;
  fill(legs, 1, 23);
  legs.edit_superblocks([](Superblock& sb) { sb.legs[1].state = LegState::Failed; });
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  auto r = replace(legs.devices_except(1), 1, *spare);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(spare->image().equal_range(legs.raw(0).image(), legs.data_offset(), 256 * 1024));
}

}  // namespace
}  // namespace dmirror
