// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine's read path heals: a block one leg cannot read is served by
// another, rewritten on the failing leg, read back and counted; a rewrite
// that does not take fails the leg; no leg able to read a block is an I/O
// error, never zeros.
#include <dmirror/engine.h>
#include <dmirror/events.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

std::unique_ptr<Mirror> open_mirror(TestLegs& legs, ReadPolicy policy = ReadPolicy::Preferred, uint32_t slot = 0) {
  MirrorOptions o;
  o.read_policy = policy;
  o.preferred_slot = slot;
  auto devs = legs.devices();
  auto m = Mirror::open(devs, o);
  EXPECT_TRUE(m) << m.error().describe();
  return m ? std::move(*m) : nullptr;
}

TEST(MirrorReadHeal, AnUnreadableBlockIsRewrittenFromTheOtherLegAndCounted) {
  TestLegs legs;
  auto m = open_mirror(legs);
  auto data = pattern(16384, 41);
  ASSERT_TRUE(m->write(0, data));
  legs.faulty(0).fail_reads_until_written(legs.data_offset() + 8192, 4096);
  std::vector<std::byte> buf(16384);
  ASSERT_TRUE(m->read(0, buf));
  EXPECT_EQ(buf, data);
  Superblock sb = m->superblock();
  EXPECT_EQ(sb.counters[0].read_errors, 1u);
  EXPECT_EQ(sb.counters[0].corrected, 1u);
  EXPECT_EQ(sb.legs[0].state, LegState::InSync);
  // Healed: the preferred leg reads it again itself.
  uint64_t retries = m->stats().read_retries;
  ASSERT_TRUE(m->read(0, buf));
  EXPECT_EQ(m->stats().read_retries, retries);
  ASSERT_TRUE(m->close());
  Superblock on_disk = legs.superblock(1);
  EXPECT_EQ(on_disk.counters[0].corrected, 1u) << "the counters are committed with the close";
  auto h = read_events(legs.raw(1), on_disk);
  ASSERT_TRUE(h);
  bool event = false;
  for (auto& e : h->events)
    event = event || (e.type == EventType::ReadErrorCorrected && e.slot == 0 && e.args[0] == 8192 && e.args[1] == 4096);
  EXPECT_TRUE(event);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(MirrorReadHeal, ARewriteThatDoesNotTakeFailsTheLeg) {
  TestLegs legs;
  auto m = open_mirror(legs);
  auto data = pattern(4096, 42);
  ASSERT_TRUE(m->write(4096, data));
  legs.faulty(0).fail_always(FaultOp::Read, legs.data_offset() + 4096, 4096);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(4096, buf));
  EXPECT_EQ(buf, data);
  Superblock sb = legs.superblock(1);
  EXPECT_EQ(sb.legs[0].state, LegState::Failed) << "recorded on the survivor";
  EXPECT_EQ(sb.counters[0].write_errors, 1u);
  EXPECT_EQ(sb.counters[0].read_errors, 1u);
}

TEST(MirrorReadHeal, WithOneLegLeftAReadErrorReachesTheCallerAndTheLegStays) {
  TestLegs legs;
  auto m = open_mirror(legs);
  ASSERT_TRUE(m->write(0, pattern(8192, 43)));
  legs.faulty(1).vanish();   // slot 1 vanishes at the next write: recorded missing
  ASSERT_TRUE(m->write(0, pattern(8192, 44)));
  ASSERT_EQ(m->superblock().legs[1].state, LegState::Missing);
  legs.faulty(0).fail_always(FaultOp::Read, legs.data_offset(), 4096);
  std::vector<std::byte> buf(4096);
  auto st = m->read(0, buf);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Io);
  EXPECT_EQ(m->superblock().legs[0].state, LegState::InSync);
}

TEST(MirrorReadHeal, BlocksUnreadableOnDifferentLegsAreServedBlockByBlock) {
  TestLegs legs;
  auto m = open_mirror(legs);
  auto data = pattern(8192, 45);
  ASSERT_TRUE(m->write(0, data));
  legs.faulty(0).fail_reads_until_written(legs.data_offset(), 4096);
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + 4096, 4096);
  std::vector<std::byte> buf(8192);
  ASSERT_TRUE(m->read(0, buf));
  EXPECT_EQ(buf, data);
  Superblock sb = m->superblock();
  EXPECT_EQ(sb.counters[0].corrected, 1u);
  EXPECT_EQ(sb.counters[1].corrected, 1u);
}

TEST(MirrorReadHeal, NoLegCanReadTheBlockIsAnIoErrorNeverZeros) {
  TestLegs legs;
  auto m = open_mirror(legs);
  ASSERT_TRUE(m->write(0, pattern(8192, 46)));
  for (uint32_t s : {0u, 1u}) legs.faulty(s).fail_always(FaultOp::Read, legs.data_offset() + 4096, 4096);
  std::vector<std::byte> buf(8192);
  auto st = m->read(0, buf);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Io);
  EXPECT_EQ(m->superblock().legs[0].state, LegState::InSync);
  EXPECT_EQ(m->superblock().legs[1].state, LegState::InSync);
}

// Rot on slot 0, slot 2 cannot read the block, slot 1 good: slot 0 served
// the read, but the copies disagree, so slot 2's block is not rewritten
// from slot 0 (that copy would out-vote slot 1 at the next scrub).
TEST(MirrorReadHeal, AnUnreadableBlockIsLeftAloneWhenTheOtherLegsDisagree) {
  TestLegs legs({.legs = 3});
  auto data = pattern(16384, 45);
  for (uint32_t s = 0; s < 3; ++s) legs.poke(s, 0, data);
  legs.poke(0, 4096 + 10, pattern(16, 46));
  legs.faulty(2).fail_reads_until_written(legs.data_offset() + 4096, 4096);
  auto m = open_mirror(legs, ReadPolicy::Preferred, 2);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(4096, buf));
  EXPECT_EQ(legs.data(2, 4096, 4096), std::vector<std::byte>(data.begin() + 4096, data.begin() + 8192))
      << "the unreadable block was rewritten from a copy the others dispute";
  Superblock sb = m->superblock();
  EXPECT_EQ(sb.counters[2].read_errors, 1u);
  EXPECT_EQ(sb.counters[2].corrected, 0u);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  bool reported = false;
  for (const auto& f : m->findings()) reported = reported || f.code == "leg-read-error-no-evidence";
  EXPECT_TRUE(reported);
  // When the other legs agree, the block is healed.
  legs.poke(0, 4096 + 10, std::span(data).subspan(4096 + 10, 16));
  ASSERT_TRUE(m->read(4096, buf));
  EXPECT_EQ(m->superblock().counters[2].corrected, 1u);
  ASSERT_TRUE(m->close());
}

// After close() nothing more is written, not even a heal: a read that
// one leg cannot serve is served by the other, and the closed array stays
// clean (it used to be opened for writing again, left Dirty).
TEST(MirrorReadHeal, AReadAfterCloseHealsNothing) {
  TestLegs legs;
  auto m = open_mirror(legs);
  auto data = pattern(4096, 43);
  ASSERT_TRUE(m->write(0, data));
  ASSERT_TRUE(m->close());
  const Superblock before = legs.superblock(0);
  legs.faulty(0).fail_reads_until_written(legs.data_offset(), 4096);
  std::vector<std::byte> buf(4096);
  ASSERT_TRUE(m->read(0, buf));
  EXPECT_EQ(buf, data);
  for (uint32_t slot : {0u, 1u}) {
    const Superblock after = legs.superblock(slot);
    EXPECT_EQ(after.seqno, before.seqno) << "slot " << slot << ": metadata written after close";
    EXPECT_FALSE(after.has_flag(sbflag::kDirty)) << "slot " << slot;
  }
}

}  // namespace
}  // namespace dmirror
