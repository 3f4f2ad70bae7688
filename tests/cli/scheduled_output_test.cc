// SPDX-License-Identifier: LGPL-2.1-or-later
// What the scheduled scrub prints (dmirrorctl-scrub(8) "Output of scheduled
// runs"): nothing when there is nothing to say (cron mails any output),
// --quiet keeps only what needs a look, and under journald (JOURNAL_STREAM
// naming stderr) the report and errors go to stderr with "<N>" priorities.
#include <gtest/gtest.h>

#include "cli/run_tool.h"

#include <fstream>

namespace dmirror::testing {
namespace {

class ScheduledOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    auto r = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> scrub(std::vector<std::string> extra) {
    std::vector<std::string> args{"scrub", a, b, "--lock-dir=" + dir.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  ScratchDir dir;
  std::string a, b;
};

TEST_F(ScheduledOutput, ContinueWithNothingToContinuePrintsNothing) {
  auto r = run_tool(scrub({"--continue", "--check-only"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  // -v says why, on stderr.
  auto v = run_tool({"-v", "scrub", a, b, "--lock-dir=" + dir.path(), "--continue"});
  EXPECT_EQ(v.out, "");
  EXPECT_TRUE(contains(v.err, "no scrub in progress")) << v.err;
}

TEST_F(ScheduledOutput, QuietCleanRunPrintsNothing) {
  auto r = run_tool(scrub({"--quiet", "--check-only"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  // Without --quiet the clean result is reported on stdout.
  auto loud = run_tool(scrub({"--check-only"}));
  EXPECT_TRUE(contains(loud.out, "scrub clean")) << loud.out;
}

TEST_F(ScheduledOutput, QuietStillReportsMismatches) {
  {
    std::fstream f(b, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((8 << 20) + 70000);  // in the data area (it starts at 8 MiB)
    f.write("different", 9);
  }
  auto r = run_tool(scrub({"--quiet", "--check-only"}));
  EXPECT_EQ(r.exit_code & 4, 4) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "mismatches")) << r.out;
}

TEST_F(ScheduledOutput, UnderJournaldLinesCarryPriorities) {
  auto clean = run_tool(scrub({"--check-only"}), RunOptions{.journal_stream = true});
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.out, "");
  EXPECT_TRUE(clean.err.starts_with("<6>scrub clean")) << clean.err;

  {
    std::fstream f(b, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((8 << 20) + 70000);  // in the data area (it starts at 8 MiB)
    f.write("different", 9);
  }
  auto bad = run_tool(scrub({"--check-only"}), RunOptions{.journal_stream = true});
  EXPECT_EQ(bad.exit_code & 4, 4);
  EXPECT_EQ(bad.out, "");
  EXPECT_TRUE(bad.err.starts_with("<3>scrub mismatches")) << bad.err;
  for (size_t at = 0; (at = bad.err.find('\n', at)) != std::string::npos && at + 1 < bad.err.size(); ++at)
    EXPECT_EQ(bad.err[at + 1], '<') << "line without a priority in: " << bad.err;

  // Errors too; and a JOURNAL_STREAM naming another stream (inherited by a
  // child whose stderr was redirected) is ignored.
  auto err = run_tool(scrub({"--max-runtime", "6x"}), RunOptions{.journal_stream = true});
  EXPECT_EQ(err.exit_code, 16);
  EXPECT_TRUE(err.err.starts_with("<3>dmirrorctl: invalid --max-runtime")) << err.err;
  ::setenv("JOURNAL_STREAM", "1:1", 1);
  auto plain = run_tool(scrub({"--max-runtime", "6x"}));
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_TRUE(plain.err.starts_with("dmirrorctl: invalid --max-runtime")) << plain.err;
}

}  // namespace
}  // namespace dmirror::testing
