// SPDX-License-Identifier: LGPL-2.1-or-later
// Read errors on the source of a resync, a re-add or a replace are served
// from another in-sync leg and counted on the leg that erred (FORMAT.md
// 2.7), as scrub counts them.
#include <dmirror/events.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>

#include <gtest/gtest.h>

#include "support/legs_fixture.h"
#include "support/recovery_scenarios.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

constexpr uint64_t kSize = 256 * 1024;

TestLegs three_legs() {
  TestLegs legs({.legs = 3});
  for (uint32_t s = 0; s < 3; ++s) legs.poke(s, 0, pattern(kSize, 11));
  legs.edit_superblocks([](Superblock& sb) { sb.incompat |= feature::kIncompatMembership; });
  return legs;
}

TEST(RecoveryCounters, AReAddCountsASourceReadErrorAndTheRewriteThatHealedIt) {
  TestLegs legs = three_legs();
  legs.edit_superblocks([](Superblock& sb) { sb.legs[2].state = LegState::Failed; });
  legs.faulty(0).fail_reads_until_written(legs.data_offset() + 40 * 4096, 4096);
  ResyncOptions o;
  o.re_add = true;
  auto r = resync(legs.devices(), o);
  ASSERT_TRUE(r) << r.error().describe();
  const Superblock sb = legs.superblock(1);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  EXPECT_EQ(sb.counters[0].read_errors, 1u) << "the source's read error was not counted";
  EXPECT_EQ(sb.counters[0].corrected, 1u);
  EXPECT_EQ(testing::events_of(legs, 1, EventType::ReadErrorCorrected).size(), 1u);
  EXPECT_TRUE(legs.data_equal(0, 2));
  EXPECT_TRUE(legs.data_equal(1, 2));
}

TEST(RecoveryCounters, AReplaceCountsTheOldLegsReadErrors) {
  TestLegs legs = three_legs();
  legs.faulty(1).fail_always(FaultOp::Read, legs.data_offset() + 40 * 4096, 4096);
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  auto r = replace(legs.devices(), 1, *spare);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_GE(legs.superblock(0).counters[1].read_errors, 1u) << "the old leg's read error was not counted";
}

}  // namespace
}  // namespace dmirror
