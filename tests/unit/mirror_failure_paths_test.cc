// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine's failure paths: a leg failure whose commit reached no leg, a
// journal write that failed on every leg, dirty bits without the Dirty flag
// (the state an import of the kernel's state leaves), and a file system
// out of space under an image-file leg. Each test crashes (drops the
// Mirror) or reopens and checks what an acknowledged write left on disk.
#include <dmirror/engine.h>
#include <dmirror/journal.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::FaultRule;
using testing::pattern;
using testing::TestLegs;

std::unique_ptr<Mirror> open_mirror(std::vector<BlockDevice*> devs, MirrorOptions o = {}) {
  auto m = Mirror::open(devs, o);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(*m) : nullptr;
}

bool journal_dirty(TestLegs& legs, uint32_t slot, uint64_t region) {
  auto j = WriteIntentJournal::load(legs.raw(slot), legs.superblock(slot));
  EXPECT_TRUE(j);
  return j && j->is_dirty(region);
}

TEST(MirrorFailurePaths, AcknowledgedWriteSurvivesAFailureCommitThatReachedNoLeg) {
  TestLegs legs;
  const Layout& l = legs.created().layout;
  auto data = pattern(4096, 3);
  bool acked = false;
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(0, pattern(4096, 1)));
    // Slot 0's data write fails; recording that fails once on slot 1.
    legs.faulty(0).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
    legs.faulty(1).add_rule(FaultRule{.op = FaultOp::Write, .offset = l.sb_offset[0], .length = 4096, .nth = 1});
    EXPECT_FALSE(m->write(8192, pattern(4096, 2)));
    acked = bool(m->write(16384, data));
    // crash: dropped without close()
  }
  legs.faulty(0).clear_rules();
  legs.faulty(1).clear_rules();
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m);
  if (acked) {
    std::vector<std::byte> back(4096);
    for (int i = 0; i < 2; ++i) {
      ASSERT_TRUE(m->read(16384, back));
      EXPECT_EQ(back, data) << "an acknowledged write was lost";
    }
    EXPECT_EQ(legs.superblock(1).legs[0].state, LegState::Failed);
  }
}

TEST(MirrorFailurePaths, NothingIsAcknowledgedWhileAFailureIsNotOnDisk) {
  TestLegs legs;
  auto first = pattern(4096, 1);
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(0, first));
    legs.faulty(0).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
    legs.faulty(1).fail_always(FaultOp::Write, 0, 128 * 1024);   // every superblock write
    EXPECT_FALSE(m->write(8192, pattern(4096, 2)));
    EXPECT_FALSE(m->write(16384, pattern(4096, 3))) << "acknowledged while slot 0's failure is only in memory";
    EXPECT_FALSE(m->flush());
    EXPECT_EQ(m->legs()[0].state, LegState::Failed) << "the failed leg is not used again";
    // Rule 17: slot 1 failed a metadata write in this session, so it gets
    // no more metadata from it, even once the device works again.
    legs.faulty(1).clear_rules();
    EXPECT_FALSE(m->write(16384, pattern(4096, 3)));
  }
  legs.faulty(0).clear_rules();
  auto m = open_mirror(legs.devices());
  std::vector<std::byte> back(4096);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(m->read(0, back));
    EXPECT_EQ(back, first);
  }
  EXPECT_TRUE(legs.data_equal(0, 1)) << "the legs agree after recovery";
  ASSERT_TRUE(m->write(16384, pattern(4096, 3)));
  ASSERT_TRUE(m->close());
}

TEST(MirrorFailurePaths, RegionWhoseJournalWriteFailedIsJournaledBeforeItsNextWrite) {
  TestLegs legs;
  const Layout& l = legs.created().layout;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  for (uint32_t s = 0; s < 2; ++s)
    legs.faulty(s).add_rule(FaultRule{.op = FaultOp::Write, .offset = l.journal_offset, .length = l.journal_size, .nth = 1});
  EXPECT_FALSE(m->write(8192, pattern(4096, 2)));   // region 2: the journal write fails on every leg
  // Both legs erred in this session (FORMAT.md 2.6 rule 17), so the write
  // may be refused; if acknowledged, its region must be dirty on disk.
  if (m->write(8192, pattern(4096, 3))) {
    for (uint32_t s = 0; s < 2; ++s)
      EXPECT_TRUE(journal_dirty(legs, s, 2)) << "slot " << s << ": write acknowledged while its region is clean on disk";
  }
}

// A bit only one leg's journal carries (a crash between the journal writes
// of two legs) is dirty in memory after the merge but not on the other leg's
// disk: a write to it must still write that leg's journal first, or a leg
// returning later is recovered from a journal that missed the write.
TEST(MirrorFailurePaths, BitDirtyOnOneLegOnlyIsJournaledOnEveryLegBeforeAWrite) {
  TestLegs legs({.legs = 3});
  {
    auto j = WriteIntentJournal::load(legs.raw(0), legs.superblock(0));
    ASSERT_TRUE(j);
    j->mark(5);
    ASSERT_TRUE(j->write_pending(legs.raw(0)));
    ASSERT_TRUE(legs.raw(0).flush());
  }
  ASSERT_FALSE(journal_dirty(legs, 1, 5));
  auto m = open_mirror(legs.devices_except(2), MirrorOptions{.allow_degraded = true});
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->write(5 * 4096, pattern(4096, 4)));
  EXPECT_TRUE(journal_dirty(legs, 1, 5)) << "slot 1 took a write to a region clean in its journal";
}

// A read heal is not marked in the journal (FORMAT.md 1.1): a mark would
// make the region a crash window whose recovery copies it, rot in its other
// blocks included, from the primary over the good leg.
TEST(MirrorFailurePaths, AReadHealRewritesWithoutAJournalMark) {
  TestLegs legs({.legs = 3});
  MirrorOptions o;
  o.read_policy = ReadPolicy::Preferred;
  o.preferred_slot = 1;
  auto m = open_mirror(legs.devices(), o);
  ASSERT_TRUE(m);
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + 5 * 4096, 4096);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(5 * 4096, buf));
  ASSERT_EQ(m->superblock().counters[1].corrected, 1u) << "the block was healed";
  EXPECT_EQ(m->stats().journal_commits, 0u) << "the heal wrote the journal";
  for (uint32_t s = 0; s < 3; ++s) EXPECT_FALSE(journal_dirty(legs, s, 5)) << "slot " << s;
  std::vector<std::byte> back(4096);
  ASSERT_TRUE(legs.raw(1).read(legs.data_offset() + 5 * 4096, back));
  EXPECT_EQ(back, buf) << "the block was not rewritten with the good data";
}

// The state an import of the kernel's state leaves: dirty bits, Dirty clear.
TEST(MirrorFailurePaths, DirtyBitsWithoutTheDirtyFlagAreRecoveredAtOpen) {
  TestLegs legs;
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(12288, pattern(4096, 9)));
  }
  legs.edit_superblocks([](Superblock& sb) { sb.flags &= ~sbflag::kDirty; });
  legs.poke(1, 12288, pattern(4096, 10));
  auto m = open_mirror(legs.devices());
  EXPECT_GE(m->stats().recovered_regions, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  ASSERT_TRUE(m->close());
  EXPECT_TRUE(legs.data_equal(0, 1)) << "close() cleared the bits of diverged legs";
}

TEST(MirrorFailurePaths, WritableOpenWithoutRecoveryOfADirtyArrayIsRefused) {
  TestLegs legs;
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(12288, pattern(4096, 9)));
  }
  const uint64_t seq = legs.superblock(0).seqno;
  MirrorOptions o;
  o.recover = false;
  auto m = Mirror::open(legs.devices(), o);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::Refused);
  EXPECT_EQ(legs.superblock(0).seqno, seq);
  o.read_only = true;
  EXPECT_TRUE(Mirror::open(legs.devices(), o));
}

TEST(MirrorFailurePaths, OutOfSpaceUnderALegFailsTheWriteButNotTheLeg) {
  TestLegs legs;
  {
    auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 0});
    ASSERT_TRUE(m->write(0, pattern(4096, 1)));
    legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset() + 65536, UINT64_MAX, ENOSPC);
    auto st = m->write(65536, pattern(4096, 2));
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::TooSmall) << st.error().describe();
    EXPECT_EQ(m->legs()[1].state, LegState::InSync);
    EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
    legs.faulty(1).clear_rules();
    ASSERT_TRUE(m->flush());
    ASSERT_TRUE(m->close());
    for (uint32_t s = 0; s < 2; ++s) EXPECT_TRUE(journal_dirty(legs, s, 16)) << "slot " << s;
    EXPECT_FALSE(journal_dirty(legs, 0, 0));
  }
  EXPECT_FALSE(legs.data_equal(0, 1));
  auto m = open_mirror(legs.devices());
  EXPECT_GE(m->stats().recovered_regions, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

// A superblock write that fails is a write error of that leg: counted in
// its write_errors (FORMAT.md 2.7), on the survivors, with its failure.
TEST(MirrorFailurePaths, AFailedSuperblockWriteCountsAsAWriteErrorOfTheLeg) {
  TestLegs legs({.legs = 3});
  const Layout& l = legs.created().layout;
  legs.faulty(2).add_rule(FaultRule{.op = FaultOp::Write, .offset = l.sb_offset[0], .length = 4096, .nth = 1});
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m);
    ASSERT_TRUE(m->write(0, pattern(4096, 1)));
    ASSERT_TRUE(m->close());
  }
  for (uint32_t s : {0u, 1u}) {
    Superblock sb = legs.superblock(s);
    EXPECT_EQ(sb.legs[2].state, LegState::Failed) << "slot " << s;
    EXPECT_EQ(sb.counters[2].write_errors, 1u) << "slot " << s;
    EXPECT_EQ(sb.counters[0].write_errors + sb.counters[1].write_errors, 0u) << "slot " << s;
  }
}

TEST(MirrorFailurePaths, AFailedDataWriteCountsAsAWriteErrorOfTheLeg) {
  TestLegs legs({.legs = 3});
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m);
    legs.faulty(2).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
    ASSERT_TRUE(m->write(0, pattern(4096, 1))) << "two legs took it";
    EXPECT_EQ(m->legs()[2].write_errors, 1u);
    ASSERT_TRUE(m->close());
  }
  for (uint32_t s : {0u, 1u}) {
    Superblock sb = legs.superblock(s);
    EXPECT_EQ(sb.legs[2].state, LegState::Failed) << "slot " << s;
    EXPECT_EQ(sb.counters[2].write_errors, 1u) << "slot " << s;
  }
}

// The caller's report says what failed: the leg, the offset, the errno.
TEST(MirrorFailurePaths, AFailedLegIsReportedWithWhatFailed) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset(), 256 * 1024, EIO);
  ASSERT_TRUE(m->write(8192, pattern(4096, 2)));
  bool reported = false;
  for (const auto& f : m->findings())
    if (f.code == "leg-failed" && f.slot == 1) {
      reported = true;
      EXPECT_NE(f.message.find("slot 1"), std::string::npos) << f.message;
      EXPECT_NE(f.message.find(std::to_string(legs.data_offset() + 8192)), std::string::npos) << f.message;
      EXPECT_NE(f.message.find(std::strerror(EIO)), std::string::npos) << f.message;
    }
  EXPECT_TRUE(reported);
}

// The commit that records journal_kept_since before a lazy clear may itself
// fail a leg: then the array is degraded and no bit may be cleared
// (FORMAT.md 2.6 rule 12), as the offline clear_journal_regions re-checks.
TEST(MirrorFailurePaths, ALegLostByTheKeptSinceCommitKeepsTheJournalBits) {
  TestLegs legs({.legs = 3});
  const Layout& l = legs.created().layout;
  auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 0});
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  ASSERT_TRUE(m->flush());   // region 0 was written in this interval: kept
  for (uint32_t s = 0; s < 3; ++s) ASSERT_TRUE(journal_dirty(legs, s, 0)) << "slot " << s;
  // The next commit (journal_kept_since, before clearing region 0) fails on slot 2.
  legs.faulty(2).add_rule(FaultRule{.op = FaultOp::Write, .offset = l.sb_offset[0], .length = 4096, .nth = 1});
  ASSERT_TRUE(m->flush());
  EXPECT_EQ(m->legs()[2].state, LegState::Failed);
  for (uint32_t s : {0u, 1u}) {
    EXPECT_EQ(legs.superblock(s).legs[2].state, LegState::Failed) << "slot " << s;
    EXPECT_TRUE(journal_dirty(legs, s, 0)) << "slot " << s << ": a bit was cleared while slot 2 is failed";
  }
}

}  // namespace
}  // namespace dmirror

namespace dmirror {
namespace {

// Every leg fails the data write: nothing is acknowledged, the error is an
// I/O error that says so and names every leg, and no leg is failed (the
// last in-sync leg never is). The error counters cannot be committed: an
// erring leg takes no more metadata from the session (FORMAT.md 2.6 rule
// 17), and a commit that reached some legs only would leave the others
// behind by seqno, stale (docs/io-errors.md). The region stays dirty.
TEST(MirrorFailurePaths, AWriteEveryLegFailsIsAnIoErrorThatSaysNothingWasAcknowledged) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m);
  for (uint32_t s = 0; s < 2; ++s) legs.faulty(s).fail_always(FaultOp::Write, legs.data_offset() + 8192, 4096);
  auto st = m->write(8192, pattern(4096, 5));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Io) << st.error().describe();
  const std::string& msg = st.error().message;
  EXPECT_NE(msg.find("every leg failed the write at offset 8192 length 4096"), std::string::npos) << msg;
  EXPECT_NE(msg.find("nothing was acknowledged"), std::string::npos) << msg;
  for (uint32_t s = 0; s < 2; ++s)
    EXPECT_NE(msg.find(legs.devices()[s]->describe()), std::string::npos) << "slot " << s << " not named: " << msg;
  EXPECT_NE(msg.find("write_errors"), std::string::npos) << "the message must say the counts were not recorded: " << msg;
  m.reset();   // a crash: nothing more reaches the legs
  for (uint32_t s = 0; s < 2; ++s) {
    const Superblock sb = legs.superblock(s);
    EXPECT_EQ(sb.legs[0].state, LegState::InSync);
    EXPECT_EQ(sb.legs[1].state, LegState::InSync);
    EXPECT_EQ(sb.counters[s].write_errors, 0u) << "an erring leg took metadata";
    EXPECT_TRUE(journal_dirty(legs, s, 2)) << "slot " << s << ": the region must stay dirty for a resync";
  }
}

}  // namespace
}  // namespace dmirror
