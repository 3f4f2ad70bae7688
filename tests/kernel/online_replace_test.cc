// SPDX-License-Identifier: LGPL-2.1-or-later
// The online replace's fallback when the kernel refuses an extra leg:
// rebuilding in the old leg's place is allowed only when it gives up no
// redundancy (README: "redundancy kept until the new leg is in sync").
#include <dmirror/dm/online/online_replace.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

Superblock array_of(std::initializer_list<LegState> states) {
  Superblock sb;
  sb.name = "vol";
  sb.nr_legs = static_cast<uint32_t>(states.size());
  uint32_t s = 0;
  for (LegState st : states) sb.legs[s++].state = st;
  return sb;
}

TEST(OnlineReplaceInPlace, TwoInSyncLegsAreNeverReducedToOne) {
  for (LegState old : {LegState::InSync, LegState::Replacing}) {
    Superblock sb = array_of({LegState::InSync, old});
    Status st = in_place_replace_allowed(sb, 1, "dm-raid: cannot add a leg");
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, ErrorCode::Unsupported);
    const std::string& m = st.error().message;
    EXPECT_NE(m.find("dm-raid: cannot add a leg"), std::string::npos) << m;
    EXPECT_NE(m.find("a single in-sync copy"), std::string::npos) << m;
    EXPECT_NE(m.find("slot 1 stays in service"), std::string::npos) << m;
    EXPECT_NE(m.find("`dmirrorctl replace` offline"), std::string::npos) << m;
  }
}

TEST(OnlineReplaceInPlace, TheLastInSyncLegIsNeverTakenOut) {
  Superblock sb = array_of({LegState::InSync, LegState::Failed});
  Status st = in_place_replace_allowed(sb, 0, "refused");
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message.find("no in-sync copy"), std::string::npos) << st.error().message;
}

TEST(OnlineReplaceInPlace, AFailedOrMissingLegMayBeReplacedInPlace) {
  // Its copy is already gone: the rebuild in its place loses nothing.
  for (LegState old : {LegState::Failed, LegState::Missing, LegState::Rebuilding}) {
    Superblock sb = array_of({LegState::InSync, old});
    EXPECT_TRUE(in_place_replace_allowed(sb, 1, "refused")) << leg_state_name(old);
  }
}

TEST(OnlineReplaceInPlace, TwoOtherInSyncLegsKeepTheRedundancy) {
  Superblock sb = array_of({LegState::InSync, LegState::InSync, LegState::Replacing});
  EXPECT_TRUE(in_place_replace_allowed(sb, 2, "refused"));
  Superblock one_left = array_of({LegState::InSync, LegState::Failed, LegState::Replacing});
  EXPECT_FALSE(in_place_replace_allowed(one_left, 2, "refused"));
}

}  // namespace
}  // namespace dmirror::dm
