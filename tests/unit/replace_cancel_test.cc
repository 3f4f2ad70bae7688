// SPDX-License-Identifier: LGPL-2.1-or-later
// A replace whose new leg fails during the copy is cancelled: the new slot
// is retired (not a member, so the array is not left degraded by it), the
// old leg keeps its role, and the failure is in the event history.
#include <dmirror/assembly.h>
#include <dmirror/events.h>
#include <dmirror/replace.h>

#include <gtest/gtest.h>

#include <atomic>

#include "support/legs_fixture.h"
#include "support/recovery_scenarios.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

constexpr uint64_t kSize = 256 * 1024;

TEST(ReplaceCancel, ANewLegFailingDuringTheCopyIsRetiredAndTheArrayStaysHealthy) {
  TestLegs legs({.legs = 2});
  for (uint32_t s = 0; s < 2; ++s) legs.poke(s, 0, pattern(kSize, 3));
  legs.edit_superblocks([](Superblock& sb) { sb.incompat |= feature::kIncompatMembership; });
  auto raw = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  testing::FaultyDevice spare(raw.get());
  spare.fail_always(FaultOp::Write, legs.data_offset() + 64 * 1024, UINT64_MAX);
  auto r = replace(legs.devices(), 1, spare);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("keeps its role"), std::string::npos) << r.error().message;
  const Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.checkpoint.op, OfflineOp::None);
  EXPECT_EQ(sb.legs[1].state, LegState::InSync);
  EXPECT_EQ(sb.legs[2].state, LegState::Removed) << "the failed new leg stays a member and the array degraded";
  std::vector<LegProbe> probes;
  for (BlockDevice* d : legs.devices()) probes.push_back(probe_leg(*d));
  auto a = assemble_array(probes);
  ASSERT_TRUE(a) << a.error().describe();
  EXPECT_FALSE(a->degraded) << health_name(a->health);
  EXPECT_EQ(a->health, Health::Healthy);
  EXPECT_EQ(testing::events_of(legs, 0, EventType::LegFailed).size(), 1u) << "the failure is recorded";
  // The same device again starts a new replace from the beginning.
  spare.clear_rules();
  auto again = replace(legs.devices(), 1, spare);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_FALSE(again->resumed);
  EXPECT_EQ(legs.superblock(0).legs[again->new_slot].state, LegState::InSync);
}

// A replace left with a failed new leg (by an older version) cannot resume.
TEST(ReplaceCancel, ResumingAReplaceWhoseNewLegFailedSaysToStartOver) {
  TestLegs legs({.legs = 2});
  for (uint32_t s = 0; s < 2; ++s) legs.poke(s, 0, pattern(kSize, 4));
  legs.edit_superblocks([](Superblock& sb) { sb.incompat |= feature::kIncompatMembership; });
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  std::atomic<bool> stop{true};
  ReplaceOptions o;
  o.control.cancel = &stop;
  auto first = replace(legs.devices(), 1, *spare, o);
  ASSERT_FALSE(first);
  ASSERT_EQ(first.error().code, ErrorCode::Cancelled) << first.error().describe();
  const uint32_t t = legs.superblock(0).checkpoint.target_slot;
  ASSERT_EQ(legs.superblock(0).checkpoint.op, OfflineOp::Replace);
  legs.edit_superblocks([&](Superblock& sb) { sb.legs[t].state = LegState::Failed; });
  auto other = testing::make_sparse_device(testing::test_leg_size({}), "mem:other");
  auto resumed = replace(legs.devices(), 1, *other);
  ASSERT_FALSE(resumed);
  EXPECT_NE(resumed.error().message.find("start over with another device"), std::string::npos)
      << resumed.error().message;
  EXPECT_EQ(legs.superblock(0).legs[t].state, LegState::Failed) << "a refused command writes nothing";
}

}  // namespace
}  // namespace dmirror
