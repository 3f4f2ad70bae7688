// SPDX-License-Identifier: LGPL-2.1-or-later
// Every command that commits the superblocks of the legs given records an
// absent member missing (FORMAT.md 2.6 rule 11), which needs consent
// (--degraded). Without it the command is refused and every leg is left
// byte-identical; with it the absent leg is only stale when it returns.
// Before, `clear` of one leg alone committed silently (the legs left out
// became stale, and a later `clear` of those legs made the two sides each
// hold a commit the other never saw: a false split brain), and resync
// --full, scrub (even --check-only), add, remove and replace demoted an
// absent disk the same way.
#include "cli/bad_input_util.h"

#include <gtest/gtest.h>

#include <cstdio>
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
    EXPECT_NE(r.err.find("missing;"), std::string::npos) << r.err;
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

TEST_F(MetadataCommit, EveryCommittingCommandNeedsConsentWithAMemberAbsent) {
  auto n = dir.make_image("n.img", 64 * kMiB);
  const std::string away = dir.path() + "/away.img";
  const std::vector<std::vector<std::string>> commands = {
      {"resync", "--full", a, b},
      {"scrub", "--check-only", a, b},
      {"scrub", a, b},
      {"verify", "--repair", a, b},
      {"add", a, b, "--new", n},
      {"remove", a, b, "--leg", "1", "--force"},
      {"replace", a, b, "--old", "1", "--new", n},
      {"set", a, b, "--max-recovery-rate", "10M"},
  };
  ASSERT_EQ(std::rename(c.c_str(), away.c_str()), 0);
  const std::string a0 = read_file(a), b0 = read_file(b), n0 = read_file(n);
  for (const auto& args : commands) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 8) << args[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("slot 2"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--degraded"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0 && read_file(n) == n0)
        << "a refused " << args[0] << " changed a leg";
  }
  ASSERT_EQ(std::rename(away.c_str(), c.c_str()), 0);
  EXPECT_EQ(status()["health"], "healthy") << "the returning leg was demoted";
}

// An absent in-sync leg is no copy left: removing slot 1 with slot 2 away
// leaves a single in-sync leg, which needs --force (it said "2 in-sync legs
// left" and removed it without).
TEST_F(MetadataCommit, RemoveCountsOnlyTheLegsPresent) {
  const std::string away = dir.path() + "/away.img";
  ASSERT_EQ(std::rename(c.c_str(), away.c_str()), 0);
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto r = run_tool({"remove", a, b, "--leg", "1", "--degraded"});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_NE(r.err.find("single in-sync leg"), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0) << "a refused remove changed a leg";
  auto forced = run_tool({"remove", a, b, "--leg", "1", "--degraded", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.out << forced.err;
  EXPECT_NE(forced.out.find("1 in-sync leg left"), std::string::npos) << forced.out;
}

// The only leg present is the last copy, whatever --force says: refused
// before anything is written (it failed half-way, blamed an I/O error and
// left the leg saying "removed").
TEST_F(MetadataCommit, TheOnlyLegPresentIsNeverRemoved) {
  const std::string away_b = dir.path() + "/b-away.img", away_c = dir.path() + "/c-away.img";
  ASSERT_EQ(std::rename(b.c_str(), away_b.c_str()), 0);
  ASSERT_EQ(std::rename(c.c_str(), away_c.c_str()), 0);
  const std::string a0 = read_file(a);
  auto r = run_tool({"remove", a, "--leg", "0", "--force", "--degraded"});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_NE(r.err.find("last in-sync copy"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("I/O"), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(a) == a0) << "a refused remove changed the leg";
}

}  // namespace
}  // namespace dmirror::testing
