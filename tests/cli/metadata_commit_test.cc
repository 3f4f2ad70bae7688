// SPDX-License-Identifier: LGPL-2.1-or-later
// A command that writes only metadata (`clear`) commits the superblocks of
// the legs given, and a commit records an absent member missing (FORMAT.md
// 2.6 rule 11). Without consent it is refused and every leg is left
// byte-identical; with --degraded the absent leg is only stale when it
// returns. Before, `clear` of one leg alone committed silently: the legs
// left out became stale, and a later `clear` of those legs made the two
// sides each hold a commit the other never saw (a false split brain).
#include "cli/bad_input_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

class MetadataCommit : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  }
  nlohmann::json status() {
    auto r = run_tool({"--json", "status", a, b, c});
    return nlohmann::json::parse(r.out);
  }
};

TEST_F(MetadataCommit, ClearWithAMemberAbsentIsRefusedAndChangesNoLeg) {
  const std::string a0 = read_file(a), b0 = read_file(b), c0 = read_file(c);
  for (const auto& given : std::vector<std::vector<std::string>>{{c}, {a, b}}) {
    std::vector<std::string> args{"clear"};
    args.insert(args.end(), given.begin(), given.end());
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
    EXPECT_NE(r.err.find("is missing"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--degraded"), std::string::npos) << r.err;
    EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0 && read_file(c) == c0) << "a refused clear changed a leg";
  }
  EXPECT_EQ(status()["health"], "healthy");
}

TEST_F(MetadataCommit, ClearDegradedLeavesTheAbsentLegOnlyStale) {
  auto r = run_tool({"clear", a, b, "--degraded"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("degraded"), std::string::npos) << r.err;
  auto s = status();
  EXPECT_EQ(s["health"], "degraded") << s.dump();
  bool stale = false;
  for (const auto& l : s["legs"]) stale |= l["slot"] == 2 && l["role"] == "stale";
  EXPECT_TRUE(stale) << s.dump();
  // Every leg back, a resync from the journal makes the array whole.
  EXPECT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
  EXPECT_EQ(status()["health"], "healthy");
}

// All legs given: nothing is absent, so no consent is needed.
TEST_F(MetadataCommit, ClearWithEveryLegNeedsNoConsent) {
  auto r = run_tool({"clear", a, b, c});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(status()["health"], "healthy");
}

}  // namespace
}  // namespace dmirror::testing
