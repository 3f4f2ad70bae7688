// SPDX-License-Identifier: LGPL-2.1-or-later
// Fault injection under the mirror engine: EIO on reads, writes and
// flushes, and the rule that the last in-sync leg is never failed silently.
#include <dmirror/engine.h>
#include <dmirror/events.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

std::unique_ptr<Mirror> open_mirror(std::vector<BlockDevice*> devs, MirrorOptions o = {}) {
  auto m = Mirror::open(devs, o);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(*m) : nullptr;
}

TEST(MirrorFaults, ReadErrorIsServedByAnotherLeg) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  auto data = pattern(4096, 5);
  ASSERT_TRUE(m->write(0, data));
  // Bad blocks the drives remap when written: healed by the read path.
  legs.faulty(0).fail_reads_until_written(legs.data_offset(), 4096);
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + 4096, 4096);
  std::vector<std::byte> buf(4096);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(m->read(0, buf));
    EXPECT_EQ(buf, data);
  }
  EXPECT_GE(m->stats().read_retries, 1u);
  EXPECT_GE(m->legs()[0].read_errors, 1u);
  EXPECT_EQ(m->legs()[0].state, LegState::InSync) << "a read error alone does not fail a leg";
}

TEST(MirrorFaults, ReadErrorOnEveryLegReachesTheCaller) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  for (uint32_t s = 0; s < 2; ++s) legs.faulty(s).fail_always(FaultOp::Read, legs.data_offset(), 4096);
  std::vector<std::byte> buf(4096);
  auto st = m->read(0, buf);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Io);
}

TEST(MirrorFaults, WriteErrorFailsTheLegBeforeTheWriteIsAcknowledged) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  uint64_t seq_before = legs.superblock(0).seqno;
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
  auto data = pattern(4096, 2);
  ASSERT_TRUE(m->write(8192, data));
  // Recorded on the survivor by the time write() returned.
  Superblock sb = legs.superblock(0);
  EXPECT_GT(sb.seqno, seq_before);
  EXPECT_EQ(sb.legs[1].state, LegState::Failed);
  EXPECT_EQ(sb.legs[1].state_seq, sb.seqno);
  EXPECT_EQ(m->legs()[1].state, LegState::Failed);
  // Writes continue on the survivor, reads never touch the failed leg.
  ASSERT_TRUE(m->write(16384, pattern(4096, 3)));
  uint64_t reads_before = m->legs()[1].reads;
  std::vector<std::byte> buf(4096);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(m->read(8192, buf));
  EXPECT_EQ(buf, data);
  EXPECT_EQ(m->legs()[1].reads, reads_before);
  ASSERT_TRUE(m->close());
  // The event history says why.
  auto h = read_events(legs.raw(0), legs.superblock(0));
  ASSERT_TRUE(h);
  bool found = false;
  for (auto& e : h->events) found = found || (e.type == EventType::LegFailed && e.slot == 1);
  EXPECT_TRUE(found);
  // Reopened, the failed leg is refused as a source.
  legs.faulty(1).clear_rules();
  MirrorOptions o;
  o.read_policy = ReadPolicy::Preferred;
  o.preferred_slot = 1;
  auto again = open_mirror(legs.devices(), o);
  ASSERT_TRUE(again->read(8192, buf));
  EXPECT_EQ(buf, data);
  EXPECT_EQ(again->legs()[1].reads, 0u);
}

TEST(MirrorFaults, WriteErrorOnEveryLegIsReturnedAndFailsNothing) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  for (uint32_t s = 0; s < 2; ++s) legs.faulty(s).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
  auto st = m->write(4096, pattern(512, 2));
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Io);
  for (uint32_t s = 0; s < 2; ++s) EXPECT_EQ(m->legs()[s].state, LegState::InSync);
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
}

TEST(MirrorFaults, LastInSyncLegIsNeverFailed) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
  ASSERT_TRUE(m->write(0, pattern(512, 1)));          // fails slot 1
  legs.faulty(0).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
  auto st = m->write(4096, pattern(512, 2));
  ASSERT_FALSE(st);
  EXPECT_EQ(m->legs()[0].state, LegState::InSync);
  EXPECT_EQ(legs.superblock(0).legs[0].state, LegState::InSync);
}

TEST(MirrorFaults, JournalWriteErrorFailsTheLegBeforeData) {
  TestLegs legs;
  auto m = open_mirror(legs.devices());
  const auto& l = legs.created().layout;
  legs.faulty(1).fail_always(FaultOp::Write, l.journal_offset, l.journal_size);
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  EXPECT_EQ(m->legs()[1].state, LegState::Failed);
  EXPECT_EQ(legs.data(1, 0, 4096), std::vector<std::byte>(4096)) << "data written to a leg whose journal failed";
}

TEST(MirrorFaults, FlushErrorFailsTheLeg) {
  TestLegs legs({.legs = 3});
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(4096, 1)));
  legs.faulty(2).fail_always(FaultOp::Flush);
  ASSERT_TRUE(m->flush());
  EXPECT_EQ(m->legs()[2].state, LegState::Failed);
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[2].state, LegState::Failed);
  EXPECT_EQ(legs.superblock(1).seqno, sb.seqno);
}

TEST(MirrorFaults, SuperblockWriteErrorWhileRecordingAFailureFailsThatLegToo) {
  TestLegs legs({.legs = 3});
  auto m = open_mirror(legs.devices());
  ASSERT_TRUE(m->write(0, pattern(512, 1)));
  legs.faulty(2).fail_always(FaultOp::Write, legs.data_offset(), UINT64_MAX);
  legs.faulty(1).fail_always(FaultOp::Write, 0, 128 * 1024);   // its superblocks
  ASSERT_TRUE(m->write(4096, pattern(512, 2)));
  EXPECT_EQ(m->legs()[2].state, LegState::Failed);
  EXPECT_EQ(m->legs()[1].state, LegState::Failed);
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::Failed);
}

}  // namespace
}  // namespace dmirror
