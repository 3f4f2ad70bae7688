// SPDX-License-Identifier: LGPL-2.1-or-later
// The offline readers' buffers (ops/chunk_reader): out of memory for them
// is an error of the command, never a leg's fault. verify and scrub stop
// before reading anything and change no leg; replace leaves the new leg
// rebuilding, unblamed, and the same command resumes once memory is back.
#include <dmirror/replace.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <gtest/gtest.h>

#include <cerrno>

#include "ops/chunk_reader.h"
#include "support/legs_fixture.h"

namespace dmirror {
namespace {

using testing::pattern;
using testing::TestLegs;

struct NoRingMemory {
  NoRingMemory() { ops::inject_ring_allocation_failure(true); }
  ~NoRingMemory() { ops::inject_ring_allocation_failure(false); }
};

std::vector<testing::SparseImage> images(TestLegs& legs, uint32_t n) {
  std::vector<testing::SparseImage> out;
  for (uint32_t s = 0; s < n; ++s) out.push_back(legs.raw(s).image());
  return out;
}

TEST(ReadRingMemory, VerifyAndScrubStopBeforeReadingAndChangeNothing) {
  TestLegs legs({.legs = 2});
  legs.poke(1, 4096, pattern(4096, 7));   // a mismatch a repair would touch
  const auto before = images(legs, 2);
  {
    NoRingMemory oom;
    auto v = verify(legs.devices(), VerifyOptions{});
    ASSERT_FALSE(v);
    EXPECT_EQ(v.error().sys_errno, ENOMEM) << v.error().describe();
    EXPECT_NE(v.error().message.find("out of memory"), std::string::npos) << v.error().message;
    ScrubOptions so;
    so.choice.from_slot = 0;
    auto s = scrub(legs.devices(), so);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().sys_errno, ENOMEM) << s.error().describe();
  }
  // The scrub may record that it started; no leg is failed and no data changed.
  for (uint32_t slot : {0u, 1u}) {
    Superblock sb = legs.superblock(slot);
    EXPECT_EQ(sb.legs[0].state, LegState::InSync);
    EXPECT_EQ(sb.legs[1].state, LegState::InSync);
    EXPECT_TRUE(legs.raw(slot).image().equal_range(before[slot], legs.data_offset(), 256 * 1024)) << "slot " << slot;
  }
  EXPECT_NE(legs.data(0, 4096, 4096), legs.data(1, 4096, 4096)) << "the mismatch was repaired without reading";
  auto v = verify(legs.devices(), VerifyOptions{});
  ASSERT_TRUE(v) << v.error().describe();
}

TEST(ReadRingMemory, ReplaceDoesNotBlameTheNewLegAndResumes) {
  TestLegs legs({.legs = 2});
  legs.poke(0, 0, pattern(256 * 1024, 9));
  legs.poke(1, 0, pattern(256 * 1024, 9));
  auto spare = testing::make_sparse_device(testing::test_leg_size({}), "mem:spare");
  {
    NoRingMemory oom;
    auto r = replace(legs.devices(), 1, *spare);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, ENOMEM) << r.error().describe();
  }
  Superblock sb = legs.superblock(0);
  EXPECT_NE(sb.legs[2].state, LegState::Failed) << "the new leg was blamed for a shortage of memory";
  EXPECT_EQ(sb.legs[0].state, LegState::InSync);
  auto again = replace(legs.devices(), 1, *spare);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(spare->image().equal_range(legs.raw(0).image(), legs.data_offset(), 256 * 1024));
}

}  // namespace
}  // namespace dmirror
