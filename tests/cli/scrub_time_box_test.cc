// SPDX-License-Identifier: LGPL-2.1-or-later
// `scrub --max-runtime` (the time box of the scheduled scrub) and
// `scrub --continue` (the nightly continuation): a run cut off by its time
// box keeps the checkpoint and exits with the health bits so far (not 32);
// --continue resumes it, and does nothing when no scrub is in progress.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class ScrubTimeBox : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    auto r = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  ToolResult scrub(std::vector<std::string> extra) {
    std::vector<std::string> args{"--json", "scrub", a, b, "--lock-dir=" + dir.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(args);
  }
  ScratchDir dir;
  std::string a, b;
};

TEST_F(ScrubTimeBox, StopsWithCheckpointAndContinueResumes) {
  // 16 MiB at 2 MiB/s takes about 8 s; the box stops it after 1 s.
  auto first = scrub({"--max-rate", "2M", "--max-runtime", "1s"});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  auto j1 = nlohmann::json::parse(first.out);
  EXPECT_EQ(j1["result"], "interrupted");
  EXPECT_EQ(j1["max_runtime_reached"], true);

  auto second = scrub({"--continue"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  auto j2 = nlohmann::json::parse(second.out);
  EXPECT_EQ(j2["result"], "clean");
  EXPECT_EQ(j2["resumed"], true);
  EXPECT_GT(j2["resumed_from"].get<uint64_t>(), 0u);
  EXPECT_EQ(j2["max_runtime_reached"], false);

  auto third = scrub({"--continue"});
  ASSERT_EQ(third.exit_code, 0) << third.out << third.err;
  EXPECT_EQ(nlohmann::json::parse(third.out)["result"], "idle");
}

TEST_F(ScrubTimeBox, ContinueWithoutCheckpointDoesNothing) {
  auto r = run_tool({"scrub", a, b, "--continue", "--lock-dir=" + dir.path()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // Nothing to say, nothing printed (cron mails any output); -v says why.
  EXPECT_EQ(r.out + r.err, "");
  auto v = run_tool({"-v", "scrub", a, b, "--continue", "--lock-dir=" + dir.path()});
  EXPECT_TRUE(contains(v.err, "no scrub in progress")) << v.err;
}

// docs/json.md: "never" is null, not 0.
TEST_F(ScrubTimeBox, LastScrubTimesAreNullUntilAScrub) {
  auto before = run_tool({"--json", "examine", a});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  auto jb = nlohmann::json::parse(before.out);
  const auto& sb0 = jb["legs"][0]["superblock"]["last_scrub"];
  EXPECT_TRUE(sb0["started"].is_null()) << sb0;
  EXPECT_TRUE(sb0["finished"].is_null()) << sb0;
  ASSERT_EQ(scrub({}).exit_code, 0);
  auto after = nlohmann::json::parse(run_tool({"--json", "examine", a}).out);
  const auto& sb1 = after["legs"][0]["superblock"]["last_scrub"];
  EXPECT_GT(sb1["started"].get<uint64_t>(), 0u) << sb1;
  EXPECT_GT(sb1["finished"].get<uint64_t>(), 0u) << sb1;
}

TEST_F(ScrubTimeBox, RejectsBadDurationsAndContinueWithRestart) {
  for (const char* bad : {"0", "6x", "h", "-1m"}) {
    auto r = scrub({"--max-runtime", bad});
    EXPECT_EQ(r.exit_code, 16) << bad << ": " << r.out;
  }
  EXPECT_EQ(scrub({"--continue", "--restart"}).exit_code, 16);
}

}  // namespace
}  // namespace dmirror::testing
