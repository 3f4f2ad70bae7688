// SPDX-License-Identifier: LGPL-2.1-or-later
// ENOSPC/EDQUOT on a file-backed leg is the host's problem, not the leg's:
// the offline operations (resync, scrub's heal rewrite, replace) stop with
// TooSmall naming the leg and its file system, and never fail the leg; it
// keeps its state and the run can be repeated once space is freed.
#include <dmirror/journal.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>

#include <gtest/gtest.h>

#include <cerrno>

#include "support/legs_fixture.h"
#include "support/recovery_scenarios.h"

namespace dmirror {
namespace {

using testing::FaultOp;
using testing::pattern;
using testing::TestLegs;

constexpr uint64_t kSize = 256 * 1024;

TestLegs filled_legs(uint32_t n = 2) {
  TestLegs legs({.legs = n});
  for (uint32_t s = 0; s < n; ++s) legs.poke(s, 0, pattern(kSize, 7));
  legs.edit_superblocks([](Superblock& sb) { sb.incompat |= feature::kIncompatMembership; });
  return legs;
}

void expect_out_of_space(const Error& e, const std::string& leg) {
  EXPECT_EQ(e.code, ErrorCode::TooSmall) << e.describe();
  EXPECT_EQ(e.sys_errno, ENOSPC) << e.describe();
  EXPECT_NE(e.message.find("out of space"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find(leg), std::string::npos) << e.message;
}

TEST(OutOfSpace, ResyncOntoAFullFileSystemKeepsTheTargetRebuilding) {
  TestLegs legs = filled_legs();
  legs.edit_superblocks([](Superblock& sb) { sb.legs[1].state = LegState::Failed; });
  legs.poke(1, 0, pattern(kSize, 8));
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset() + 64 * 1024, UINT64_MAX, ENOSPC);
  ResyncOptions o;
  o.re_add = true;
  o.chunk_bytes = 16 * 1024;
  auto r = resync(legs.devices(), o);
  ASSERT_FALSE(r) << "the command must stop with an error";
  expect_out_of_space(r.error(), "mem:leg1");
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::Rebuilding) << "the target was failed";
  legs.faulty(1).clear_rules();
  auto again = resync(legs.devices());
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(legs.superblock(0).legs[1].state, LegState::InSync);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

// The array-wide full pass (resync --full) keeps what it copied too.
TEST(OutOfSpace, AFullResyncOntoAFullFileSystemCheckpointsWhatItCopied) {
  TestLegs legs = filled_legs();
  legs.poke(1, 0, pattern(kSize, 8));
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset() + 64 * 1024, UINT64_MAX, ENOSPC);
  ResyncOptions o;
  o.full = true;
  o.chunk_bytes = 16 * 1024;
  auto r = resync(legs.devices(), o);
  ASSERT_FALSE(r);
  expect_out_of_space(r.error(), "mem:leg1");
  Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[1].state, LegState::InSync);
  EXPECT_EQ(sb.resync_offset, 64u * 1024) << "what was copied before the file system filled up is not kept";
  legs.faulty(1).clear_rules();
  auto again = resync(legs.devices());
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->resumed_from, 64u * 1024 / sb.region_size * sb.region_size);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(OutOfSpace, AHealRewriteOntoAFullFileSystemKeepsTheLegAndTheNextScrubHealsIt) {
  TestLegs legs = filled_legs(3);
  const uint64_t bad = 20 * 4096;
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + bad, 4096);
  legs.faulty(1).fail_always(FaultOp::Write, legs.data_offset() + bad, 4096, ENOSPC);
  ScrubOptions o;
  o.repair = false;
  auto r = scrub(legs.devices(), o);
  ASSERT_FALSE(r);
  expect_out_of_space(r.error(), "mem:leg1");
  const Superblock sb = legs.superblock(0);
  EXPECT_EQ(sb.legs[1].state, LegState::InSync) << "the leg was failed for the host's full file system";
  EXPECT_EQ(sb.counters[1].write_errors, 0u);
  // Not marked (FORMAT.md 1.1): the block stays unreadable, and the next
  // check heals it with the same evidence once space is freed.
  auto j = WriteIntentJournal::load(legs.raw(0), sb);
  ASSERT_TRUE(j);
  EXPECT_FALSE(j->is_dirty(bad / sb.region_size));
  legs.faulty(1).clear_rules();
  legs.faulty(1).fail_reads_until_written(legs.data_offset() + bad, 4096);
  auto again = scrub(legs.devices(), o);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(again->corrected, 1u);
  EXPECT_TRUE(legs.data_equal(0, 1));
}

TEST(OutOfSpace, ReplaceOntoAFullFileSystemKeepsTheNewLegResumable) {
  TestLegs legs = filled_legs();
  auto raw = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  testing::FaultyDevice spare(raw.get());
  spare.fail_always(FaultOp::Write, legs.data_offset() + 64 * 1024, UINT64_MAX, ENOSPC);
  ReplaceOptions o;
  o.chunk_bytes = 16 * 1024;
  auto r = replace(legs.devices(), 1, spare, o);
  ASSERT_FALSE(r);
  expect_out_of_space(r.error(), "mem:spare");
  const Superblock sb = legs.superblock(0);
  ASSERT_EQ(sb.checkpoint.op, OfflineOp::Replace) << "the replace can be resumed";
  EXPECT_EQ(sb.legs[sb.checkpoint.target_slot].state, LegState::Rebuilding) << "the new leg was failed";
  EXPECT_EQ(sb.legs[sb.checkpoint.target_slot].recovery_offset, 64u * 1024)
      << "what was copied before the file system filled up is not kept";
  EXPECT_EQ(sb.legs[1].state, LegState::Replacing);
  spare.clear_rules();
  auto again = replace(legs.devices(), 1, spare, o);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->resumed);
  EXPECT_EQ(legs.superblock(0).legs[again->new_slot].state, LegState::InSync);
}

}  // namespace
}  // namespace dmirror
