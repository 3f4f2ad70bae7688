// SPDX-License-Identifier: LGPL-2.1-or-later
// Read errors during scrub and verify: healed from a leg that reads the
// block, read back, counted (per-leg counters, events); legs that cannot
// take the rewrite or pass the error threshold are failed; a block no leg
// can read is reported, never replaced.
#include <dmirror/events.h>
#include <dmirror/journal.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"
#include "support/scratch.h"

namespace dmirror {
namespace {

using testing::pattern;
using testing::TestLegs;

constexpr uint64_t kSize = 256 * 1024;

void fill(TestLegs& legs, uint32_t n, uint32_t seed) {
  for (uint32_t s = 0; s < n; ++s) legs.poke(s, 0, pattern(kSize, seed));
}

class ReadHeal : public ::testing::Test {
 protected:
  ScrubOptions opts(bool repair = true) {
    ScrubOptions o;
    o.checkpoint_bytes = 16 * 1024;
    o.repair = repair;
    return o;
  }
  static std::vector<Event> events_of(TestLegs& legs, uint32_t slot, EventType type) {
    Superblock sb = legs.superblock(slot);
    auto h = read_events(legs.raw(slot), sb);
    std::vector<Event> out;
    if (h)
      for (auto& e : h->events) if (e.type == type) out.push_back(e);
    return out;
  }
};

TEST_F(ReadHeal, CheckOnlyScrubRewritesAnUnreadableBlockAndCountsIt) {
  TestLegs legs;
  fill(legs, 2, 31);
  const uint64_t bad = 5 * 4096;
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + bad, 4096);
  auto r = scrub(legs.devices(), opts(/*repair=*/false));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->result, ScrubResult::Clean);
  EXPECT_EQ(r->regions, 64u) << "the scrub carried on past the bad block";
  EXPECT_EQ(r->corrected, 1u);
  EXPECT_FALSE(r->degraded);
  for (uint32_t s : {0u, 1u}) {
    Superblock sb = legs.superblock(s);
    EXPECT_EQ(sb.legs[1].state, LegState::InSync);
    EXPECT_EQ(sb.counters[1].read_errors, 1u);
    EXPECT_EQ(sb.counters[1].corrected, 1u);
    EXPECT_EQ(sb.counters[1].write_errors, 0u);
    EXPECT_EQ(sb.counters[0].read_errors + sb.counters[0].corrected, 0u);
  }
  auto ev = events_of(legs, 0, EventType::ReadErrorCorrected);
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].slot, 1u);
  EXPECT_EQ(ev[0].args[0], bad);
  EXPECT_EQ(ev[0].args[1], 4096u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  // Healed for good: the next run reads it and counts nothing new.
  auto again = scrub(legs.devices(), opts(false));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->corrected, 0u);
  EXPECT_EQ(legs.superblock(0).counters[1].read_errors, 1u);
}

TEST_F(ReadHeal, OnlyTheUnreadableBlockIsRewrittenAndOnlyOnTheFailingLeg) {
  TestLegs legs({.legs = 2, .region_size = 64 * 1024});   // one chunk holds both blocks
  fill(legs, 2, 32);
  const uint64_t bad = 9 * 4096;
  legs.faulty(0).fail_reads_until_written(legs.data_offset() + bad, 4096);
  // A bit flip elsewhere on leg 1 in another block of the same chunk must
  // survive the heal (it is a mismatch with no evidence, left alone).
  legs.poke(1, bad + 4096, pattern(512, 99));
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  EXPECT_EQ(r->result, ScrubResult::Mismatches);
  EXPECT_EQ(legs.data(1, bad + 4096, 512), pattern(512, 99)) << "a leg that read back good was rewritten";
  auto want = pattern(kSize, 32);
  EXPECT_EQ(legs.data(0, bad, 4096), std::vector<std::byte>(want.begin() + bad, want.begin() + bad + 4096));
}

TEST_F(ReadHeal, ARewriteThatDoesNotReadBackFailsTheLegAndTheScrubCarriesOn) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 33);
  legs.faulty(2).fail_always(testing::FaultOp::Read, legs.data_offset() + 3 * 4096, 4096);
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->regions, 64u);
  EXPECT_EQ(r->result, ScrubResult::Clean);
  EXPECT_TRUE(r->degraded);
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[2].state, LegState::Failed);
  EXPECT_EQ(sb.counters[2].read_errors, 1u);
  EXPECT_EQ(sb.counters[2].write_errors, 1u);
  EXPECT_EQ(sb.counters[2].corrected, 0u);
  EXPECT_EQ(events_of(legs, 0, EventType::LegFailed).size(), 1u);
}

TEST_F(ReadHeal, MoreThanTheErrorLimitWithinTheWindowFailsTheLeg) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 34);
  legs.edit_superblocks([](Superblock& sb) { sb.error_limit = 2; });
  for (uint64_t b : {2u, 20u, 40u, 60u}) legs.faulty(1).fail_reads_until_written(legs.data_offset() + b * 4096, 4096);
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[1].state, LegState::Failed);
  EXPECT_EQ(sb.counters[1].read_errors, 3u) << "failed at the third error, the first past the limit of 2";
  EXPECT_EQ(sb.counters[1].corrected, 2u);
  EXPECT_TRUE(r->degraded);
}

// The copy source of a full resync follows the same limit: healed and
// counted up to it, failed past it, and the copy goes on from another leg.
TEST_F(ReadHeal, AResyncSourcePastTheErrorLimitIsFailedAndTheCopyGoesOn) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 37);
  legs.edit_superblocks([](Superblock& sb) { sb.error_limit = 2; });
  for (uint64_t b : {2u, 20u, 40u, 60u}) legs.faulty(0).fail_reads_until_written(legs.data_offset() + b * 4096, 4096);
  ResyncOptions o;
  o.full = true;
  o.chunk_bytes = 4096;
  auto r = resync(legs.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  Superblock sb = legs.superblock(1);
  EXPECT_EQ(sb.legs[0].state, LegState::Failed) << "a source past the limit stays in the array";
  EXPECT_EQ(sb.counters[0].read_errors, 3u) << "failed at the third error, the first past the limit of 2";
  EXPECT_EQ(sb.counters[0].corrected, 2u);
  EXPECT_EQ(sb.legs[1].state, LegState::InSync);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  EXPECT_TRUE(legs.data_equal(1, 2));
}

TEST_F(ReadHeal, ErrorsWithinTheLimitAreHealedAndTheLegStays) {
  TestLegs legs({.legs = 2});
  fill(legs, 2, 35);
  for (uint64_t b : {1u, 30u, 50u}) legs.faulty(1).fail_reads_until_written(legs.data_offset() + b * 4096, 4096);
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 3u);
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
  EXPECT_EQ(legs.superblock(0).counters[1].corrected, 3u);
}

TEST_F(ReadHeal, ABlockNoLegCanReadIsReportedAndNeverReplaced) {
  TestLegs legs;
  fill(legs, 2, 36);
  const uint64_t bad = 7 * 4096;
  for (uint32_t s : {0u, 1u}) legs.faulty(s).fail_always(testing::FaultOp::Read, legs.data_offset() + bad, 4096);
  auto r = scrub(legs.devices(), opts());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->regions, 64u);
  EXPECT_EQ(r->unreadable, 1u);
  EXPECT_EQ(r->result, ScrubResult::Mismatches);
  bool reported = false;
  for (auto& f : r->findings) reported = reported || (f.code == "data-unreadable" &&
                                                      f.message.find("offset " + std::to_string(bad)) != std::string::npos);
  EXPECT_TRUE(reported);
  auto want = pattern(kSize, 36);
  for (uint32_t s : {0u, 1u})
    EXPECT_EQ(legs.data(s, bad, 4096), std::vector<std::byte>(want.begin() + bad, want.begin() + bad + 4096));
  EXPECT_EQ(legs.superblock(0).legs[0].state, LegState::InSync);
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
}

TEST_F(ReadHeal, VerifyReportsAReadErrorWithoutWritingAndRepairHealsIt) {
  TestLegs legs;
  fill(legs, 2, 37);
  const uint64_t bad = 12 * 4096;
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + bad, 4096);
  const uint64_t seq = legs.superblock(0).seqno;
  auto ro = verify(legs.devices());
  ASSERT_TRUE(ro);
  bool reported = false;
  for (auto& f : ro->findings) reported = reported || f.code == "leg-read-error";
  EXPECT_TRUE(reported);
  EXPECT_EQ(ro->mismatches.size(), 0u);
  EXPECT_EQ(legs.faulty(0).writes() + legs.faulty(1).writes(), 0u);
  EXPECT_EQ(legs.superblock(0).seqno, seq);
  VerifyOptions o;
  o.repair = true;
  auto rw = verify(legs.devices(), o);
  ASSERT_TRUE(rw);
  Superblock sb = legs.superblock(1);
  EXPECT_EQ(sb.counters[1].corrected, 1u);
  EXPECT_EQ(sb.counters[1].read_errors, 1u);
  EXPECT_EQ(sb.legs[1].state, LegState::InSync);
  auto again = verify(legs.devices());
  ASSERT_TRUE(again);
  for (auto& f : again->findings) EXPECT_NE(f.code, "leg-read-error") << f.message;
}

// Rot on slot 0, slot 1 good, slot 2 cannot read the block: the copies that
// read it disagree, so no source is proven. Rewriting slot 2 from slot 0
// would make a 2-of-3 "majority" for the rot at the next run.
TEST_F(ReadHeal, AnUnreadableBlockIsLeftAloneWhenTheLegsThatReadItDisagree) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 40);
  const uint64_t bad = 30 * 4096;
  auto want = pattern(kSize, 40);
  const std::vector<std::byte> good(want.begin() + bad, want.begin() + bad + 4096);
  legs.poke(0, bad + 10, pattern(16, 77));
  legs.faulty(2).fail_reads_until_written(legs.data_offset() + bad, 4096);
  for (int run = 0; run < 2; ++run) {
    auto r = scrub(legs.devices(), opts(/*repair=*/run == 1));
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->corrected, 0u) << "run " << run;
    EXPECT_EQ(r->unhealed, 1u) << "run " << run;
    EXPECT_EQ(r->repaired, 0u) << "run " << run;
    EXPECT_EQ(r->result, ScrubResult::Mismatches) << "run " << run;
    bool reported = false;
    for (const auto& f : r->findings)
      if (f.code == "leg-read-error-no-evidence") {
        reported = true;
        EXPECT_EQ(f.slot, 2);
        EXPECT_NE(f.message.find("unreadable on slot 2"), std::string::npos) << f.message;
        EXPECT_NE(f.message.find("the other legs disagree (slots 0,1)"), std::string::npos) << f.message;
        EXPECT_NE(f.message.find("--from"), std::string::npos) << f.message;
      }
    EXPECT_TRUE(reported) << "run " << run;
    EXPECT_EQ(legs.data(1, bad, 4096), good) << "the last good copy was overwritten (run " << run << ")";
    EXPECT_EQ(legs.data(2, bad, 4096), good) << "the unreadable block was rewritten (run " << run << ")";
    EXPECT_NE(legs.data(0, bad, 4096), good);
    Superblock sb = legs.superblock(1);
    EXPECT_EQ(sb.legs[2].state, LegState::InSync);
    EXPECT_EQ(sb.counters[2].read_errors, run + 1u);
    EXPECT_EQ(sb.counters[2].corrected, 0u);
  }
  // The administrator's choice settles it: slot 2 healed from slot 1, slot 0 repaired.
  ScrubOptions o = opts();
  o.choice.from_slot = 1;
  auto r = scrub(legs.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  EXPECT_EQ(r->unhealed, 0u);
  EXPECT_EQ(r->result, ScrubResult::Repaired);
  for (uint32_t s : {0u, 1u, 2u}) EXPECT_EQ(legs.data(s, bad, 4096), good) << "slot " << s;
}

TEST_F(ReadHeal, VerifyRepairLeavesAnUnreadableBlockAloneWithoutEvidence) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 41);
  const uint64_t bad = 12 * 4096;
  auto want = pattern(kSize, 41);
  const std::vector<std::byte> good(want.begin() + bad, want.begin() + bad + 4096);
  legs.poke(0, bad + 10, pattern(16, 78));
  legs.faulty(2).fail_reads_until_written(legs.data_offset() + bad, 4096);
  VerifyOptions o;
  o.repair = true;
  for (int run = 0; run < 2; ++run) {
    auto r = verify(legs.devices(), o);
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->repaired, 0u);
    bool reported = false;
    for (const auto& f : r->findings) reported = reported || f.code == "leg-read-error-no-evidence";
    EXPECT_TRUE(reported);
    for (uint32_t s : {1u, 2u}) EXPECT_EQ(legs.data(s, bad, 4096), good) << "slot " << s << " run " << run;
  }
}

// In a region dirty in the journal (a crash window) any in-sync copy may
// settle the block, as a resync would.
TEST_F(ReadHeal, AnUnreadableBlockInADirtyRegionIsHealedFromTheLowestReadableSlot) {
  TestLegs legs({.legs = 3});
  fill(legs, 3, 42);
  const uint64_t bad = 30 * 4096;
  legs.poke(0, bad + 10, pattern(16, 79));
  legs.faulty(2).fail_reads_until_written(legs.data_offset() + bad, 4096);
  for (uint32_t s : {0u, 1u, 2u}) {
    auto j = WriteIntentJournal::load(legs.raw(s), legs.superblock(s));
    ASSERT_TRUE(j);
    j->mark(bad / legs.superblock(s).region_size);
    ASSERT_TRUE(j->write_pending(legs.raw(s), true));
  }
  auto r = scrub(legs.devices(), opts(/*repair=*/false));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->corrected, 1u);
  EXPECT_EQ(r->unhealed, 0u);
  EXPECT_EQ(legs.data(2, bad, 4096), legs.data(0, bad, 4096));
}

}  // namespace
}  // namespace dmirror
