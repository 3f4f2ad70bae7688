// SPDX-License-Identifier: LGPL-2.1-or-later
// `linear` and `error` target lines and major:minor parsing.
#include <dmirror/dm/simple_targets.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

TEST(SimpleTargets, LinearFormatsMajorMinorAndOffset) {
  auto t = linear_target(0, 8192, LinearParams{DevNumber{254, 16}, 4096});
  EXPECT_EQ(t, (TargetLine{0, 8192, "linear", "254:16 4096"}));
  auto back = parse_linear_params(t.params);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, (LinearParams{DevNumber{254, 16}, 4096}));
}

TEST(SimpleTargets, ErrorTargetHasNoParams) {
  EXPECT_EQ(error_target(0, 100), (TargetLine{0, 100, "error", ""}));
}

TEST(SimpleTargets, ParseRejectsPathsAndJunk) {
  EXPECT_FALSE(parse_linear_params("/dev/vda 0"));
  EXPECT_FALSE(parse_linear_params("254:0"));
  EXPECT_FALSE(parse_linear_params("254:0 x"));
  EXPECT_FALSE(parse_dev_number("254"));
  EXPECT_FALSE(parse_dev_number("a:b"));
  EXPECT_EQ(*parse_dev_number("8:0"), (DevNumber{8, 0}));
}

}  // namespace
}  // namespace dmirror::dm
