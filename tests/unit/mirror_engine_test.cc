// SPDX-License-Identifier: LGPL-2.1-or-later
// The userspace mirror engine on in-memory legs: the write path and its
// ordering, group commit, lazy clearing, the Dirty flag, read policies and
// recovery after an unclean shutdown.
#include <dmirror/engine.h>
#include <dmirror/journal.h>

#include <gtest/gtest.h>

#include <thread>

#include "support/legs_fixture.h"
#include "support/recording_device.h"

namespace dmirror {
namespace {

using testing::pattern;
using testing::TestLegs;

std::unique_ptr<Mirror> open_mirror(std::vector<BlockDevice*> devs, MirrorOptions o = {}) {
  auto m = Mirror::open(devs, o);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(*m) : nullptr;
}

WriteIntentJournal journal_of(BlockDevice& dev, const Superblock& sb) {
  auto j = WriteIntentJournal::load(dev, sb);
  EXPECT_TRUE(j);
  return std::move(*j);
}

class MirrorEngineTest : public ::testing::TestWithParam<IoEngineKind> {
 protected:
  MirrorOptions options() {
    MirrorOptions o;
    o.io_engine = GetParam();
    return o;
  }
};

TEST_P(MirrorEngineTest, WriteReachesEveryLegAndReadsBack) {
  TestLegs legs({.legs = 3});
  auto m = open_mirror(legs.devices(), options());
  auto data = pattern(8192, 1);
  ASSERT_TRUE(m->write(4096, data));
  std::vector<std::byte> back(8192);
  for (int i = 0; i < 6; ++i) {   // round robin over every leg
    ASSERT_TRUE(m->read(4096, back));
    EXPECT_EQ(back, data);
  }
  for (uint32_t s = 0; s < 3; ++s) EXPECT_EQ(legs.data(s, 4096, 8192), data) << "slot " << s;
  ASSERT_TRUE(m->close());
}

TEST_P(MirrorEngineTest, FirstWriteSetsDirtyAndCloseClearsIt) {
  TestLegs legs;
  auto m = open_mirror(legs.devices(), options());
  EXPECT_FALSE(legs.superblock(0).has_flag(sbflag::kDirty));
  ASSERT_TRUE(m->write(0, pattern(512, 2)));
  for (uint32_t s = 0; s < 2; ++s) EXPECT_TRUE(legs.superblock(s).has_flag(sbflag::kDirty));
  EXPECT_TRUE(journal_of(legs.raw(0), legs.superblock(0)).is_dirty(0));
  ASSERT_TRUE(m->close());
  for (uint32_t s = 0; s < 2; ++s) {
    Superblock sb = legs.superblock(s);
    EXPECT_FALSE(sb.has_flag(sbflag::kDirty));
    EXPECT_EQ(journal_of(legs.raw(s), sb).dirty_count(), 0u);
  }
}

TEST_P(MirrorEngineTest, UnalignedOrOutOfRangeIsRefused) {
  TestLegs legs;
  auto m = open_mirror(legs.devices(), options());
  EXPECT_EQ(m->write(100, pattern(512, 1)).error().code, ErrorCode::InvalidArgument);
  std::vector<std::byte> buf(4096);
  EXPECT_EQ(m->read(m->size(), buf).error().code, ErrorCode::InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Engines, MirrorEngineTest,
                         ::testing::Values(IoEngineKind::Sync, IoEngineKind::Threads, IoEngineKind::Uring));

TEST(MirrorWritePath, JournalIsFlushedOnEveryLegBeforeAnyDataWrite) {
  TestLegs legs;
  testing::IoLog log;
  testing::RecordingDevice r0(legs.devices()[0], &log, "leg0"), r1(legs.devices()[1], &log, "leg1");
  std::vector<BlockDevice*> devs{&r0, &r1};
  auto m = open_mirror(devs);
  log.clear();
  ASSERT_TRUE(m->write(8192, pattern(4096, 3)));
  const uint64_t data_off = legs.data_offset();
  const uint64_t jlo = legs.created().layout.journal_offset, jhi = jlo + legs.created().layout.journal_size;
  long first_data = log.first([&](auto& r) { return r.kind == testing::IoKind::Write && r.offset >= data_off; });
  ASSERT_GE(first_data, 0) << log.dump();
  for (const char* tag : {"leg0", "leg1"}) {
    long jw = log.first([&](auto& r) { return r.tag == tag && r.kind == testing::IoKind::Write && r.offset >= jlo && r.offset < jhi; });
    long jf = log.last([&](auto& r) { return r.tag == tag && r.kind == testing::IoKind::Flush; });
    ASSERT_GE(jw, 0) << log.dump();
    // The last flush before the first data write comes after the journal write.
    long flush_before = -1;
    auto recs = log.records();
    for (long i = 0; i < first_data; ++i)
      if (recs[i].tag == tag && recs[i].kind == testing::IoKind::Flush) flush_before = i;
    EXPECT_GT(flush_before, jw) << tag << ": " << log.dump();
    (void)jf;
  }
}

TEST(MirrorWritePath, RegionAlreadyDirtyNeedsNoJournalWrite) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  uint64_t commits = m->stats().journal_commits;
  ASSERT_TRUE(m->write(512, pattern(512, 2)));     // same 4 KiB region
  EXPECT_EQ(m->stats().journal_commits, commits);
  ASSERT_TRUE(m->write(4096, pattern(512, 3)));    // next region
  EXPECT_EQ(m->stats().journal_commits, commits + 1);
}

TEST(MirrorWritePath, RegionsAreClearedOnlyAfterAnIdleFlushInterval) {
  TestLegs legs;
  auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 0});
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  ASSERT_TRUE(m->flush());
  EXPECT_TRUE(journal_of(legs.raw(0), legs.superblock(0)).is_dirty(0)) << "cleared in the interval it was written";
  ASSERT_TRUE(m->flush());
  EXPECT_FALSE(journal_of(legs.raw(0), legs.superblock(0)).is_dirty(0));
  EXPECT_FALSE(journal_of(legs.raw(1), legs.superblock(1)).is_dirty(0));
}

TEST(MirrorWritePath, RegionsStayDirtyDuringTheClearDelay) {
  TestLegs legs;
  auto m = open_mirror(legs.devices(), MirrorOptions{.clear_delay_ms = 60000});
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(m->flush());
  EXPECT_TRUE(journal_of(legs.raw(0), legs.superblock(0)).is_dirty(0)) << "cleared before the delay";
  uint64_t commits = m->stats().journal_commits;
  ASSERT_TRUE(m->write(0, pattern(4096, 2)));
  EXPECT_EQ(m->stats().journal_commits, commits) << "a region still marked needs no new journal commit";
  ASSERT_TRUE(m->close());
  EXPECT_FALSE(journal_of(legs.raw(0), legs.superblock(0)).is_dirty(0)) << "close clears everything";
}

// A device whose writes take a while, so concurrent writers queue up.
class SlowDevice : public DeviceWrapper {
 public:
  using DeviceWrapper::DeviceWrapper;
  Status write(uint64_t o, std::span<const std::byte> b) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    return DeviceWrapper::write(o, b);
  }
};

TEST(MirrorWritePath, ConcurrentWritesShareJournalCommits) {
  TestLegs legs({.legs = 2, .data_size = 1024 * 1024});
  SlowDevice s0(legs.devices()[0]), s1(legs.devices()[1]);
  std::vector<BlockDevice*> devs{&s0, &s1};
  auto m = open_mirror(devs);
  constexpr int kThreads = 8, kPerThread = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        EXPECT_TRUE(m->write(static_cast<uint64_t>(t * kPerThread + i) * 4096, pattern(4096, t * 100 + i)));
    });
  for (auto& th : threads) th.join();
  auto st = m->stats();
  EXPECT_EQ(st.writes, uint64_t{kThreads * kPerThread});
  EXPECT_LT(st.journal_commits, uint64_t{kThreads * kPerThread}) << "no write shared a journal commit";
  for (int t = 0; t < kThreads; ++t)
    for (int i = 0; i < kPerThread; ++i)
      EXPECT_EQ(legs.data(1, static_cast<uint64_t>(t * kPerThread + i) * 4096, 4096), pattern(4096, t * 100 + i));
  ASSERT_TRUE(m->close());
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(MirrorRead, PreferredLegServesReads) {
  TestLegs legs({.legs = 3});
  MirrorOptions o;
  o.read_policy = ReadPolicy::Preferred;
  o.preferred_slot = 2;
  auto m = open_mirror(legs.devices(), o);
  std::vector<std::byte> buf(4096);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(m->read(0, buf));
  auto st = m->legs();
  EXPECT_EQ(st[2].reads, 5u);
  EXPECT_EQ(st[0].reads + st[1].reads, 0u);
}

TEST(MirrorRead, LeastPendingSpreadsNothingWhenIdle) {
  TestLegs legs;
  MirrorOptions o;
  o.read_policy = ReadPolicy::LeastPending;
  auto m = open_mirror(legs.devices(), o);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(0, buf));
  EXPECT_EQ(m->stats().reads, 1u);
}

TEST(MirrorRead, RebuildingLegIsNeverReadAboveItsRecoveryOffset) {
  TestLegs legs;
  legs.edit_superblocks([](Superblock& sb) {
    sb.legs[1].state = LegState::Rebuilding;
    sb.legs[1].recovery_offset = 64 * 1024;
  });
  MirrorOptions o;
  o.read_policy = ReadPolicy::Preferred;
  o.preferred_slot = 1;
  o.recover = false;
  auto m = open_mirror(legs.devices(), o);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(0, buf));              // below: the preferred rebuilding leg may serve
  EXPECT_EQ(m->legs()[1].reads, 1u);
  ASSERT_TRUE(m->read(128 * 1024, buf));     // above: only slot 0
  EXPECT_EQ(m->legs()[1].reads, 1u);
  EXPECT_EQ(m->legs()[0].reads, 1u);
}

TEST(MirrorRecovery, UncleanShutdownIsResyncedAtOpen) {
  TestLegs legs;
  {
    auto m = open_mirror(legs.devices());
    ASSERT_TRUE(m->write(12288, pattern(4096, 9)));
    ASSERT_TRUE(m->flush());
    // dropped without close(): a crash
  }
  EXPECT_TRUE(legs.superblock(0).has_flag(sbflag::kDirty));
  legs.poke(1, 12288, pattern(4096, 10));   // the legs differ in the dirty region
  auto m = open_mirror(legs.devices());
  EXPECT_GE(m->stats().recovered_regions, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
  EXPECT_FALSE(legs.superblock(1).has_flag(sbflag::kDirty));
}

TEST(MirrorOpen, OnlineVolumeOwnsSyncState) {
  TestLegs legs;
  legs.edit_superblocks([](Superblock& sb) { sb.flags |= sbflag::kKernelOwnsSync; });
  auto m = Mirror::open(legs.devices());
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, ErrorCode::Busy);
}

TEST(MirrorOpen, MissingLegIsRecordedMissingAtFirstWrite) {
  TestLegs legs({.legs = 3});
  auto m = open_mirror(legs.devices_except(2), MirrorOptions{.allow_degraded = true});
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[2].state, LegState::Missing);
  EXPECT_EQ(sb.legs[2].state_seq, sb.seqno);
  ASSERT_TRUE(m->close());
  EXPECT_EQ(journal_of(legs.raw(0), legs.superblock(0)).dirty_count(), 1u) << "bits must stay while degraded";
}

}  // namespace
}  // namespace dmirror
