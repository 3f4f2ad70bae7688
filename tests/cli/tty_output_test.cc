// SPDX-License-Identifier: LGPL-2.1-or-later
// Terminal-only output: health words are coloured only when stdout is a
// terminal and NO_COLOR is unset, never in JSON; progress bars appear only
// on a terminal. The terminal comes from script(1) (util-linux).
#include <gtest/gtest.h>

#include <cstdio>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

// Runs `dmirrorctl ARGS` on a pseudo-terminal; returns everything it wrote.
std::string on_tty(const std::string& env, const std::string& args) {
  std::string cmd = "env " + env + " script -qec '" + std::string(DMIRRORCTL_PATH) + " " + args +
                    "' /dev/null </dev/null 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

bool has_escape(const std::string& s) { return s.find('\033') != std::string::npos; }

class TtyOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 24 << 20);
    b = dir.make_image("b.img", 24 << 20);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"}).exit_code, 0);
    legs = a + " " + b;
  }
  ScratchDir dir;
  std::string a, b, legs;
};

TEST_F(TtyOutput, HealthIsColouredOnATerminalOnly) {
  auto tty = on_tty("-u NO_COLOR TERM=xterm", "status " + legs);
  EXPECT_TRUE(contains(tty, "\033[32mhealthy\033[0m")) << tty;
  auto piped = run_tool({"status", a, b});
  EXPECT_TRUE(contains(piped.out, "healthy"));
  EXPECT_FALSE(has_escape(piped.out + piped.err)) << piped.out;
}

TEST_F(TtyOutput, NoColorAndJsonAreNeverColoured) {
  for (const char* env : {"NO_COLOR=1 TERM=xterm", "-u NO_COLOR TERM=dumb"}) {
    auto out = on_tty(env, "status " + legs);
    EXPECT_TRUE(contains(out, "healthy")) << env << ": " << out;
    EXPECT_FALSE(has_escape(out)) << env << ": " << out;
  }
  auto json = on_tty("-u NO_COLOR TERM=xterm", "--json list " + legs);
  EXPECT_TRUE(contains(json, "\"health\": \"healthy\"")) << json;
  EXPECT_FALSE(has_escape(json)) << json;
}

TEST_F(TtyOutput, ProgressBarOnlyOnATerminal) {
  const std::string lock = " --lock-dir=" + dir.path();
  auto tty = on_tty("-u NO_COLOR", "scrub " + legs + lock);
  EXPECT_TRUE(contains(tty, "\rscrub")) << tty;
  auto piped = run_tool({"scrub", a, b, "--lock-dir=" + dir.path()});
  EXPECT_EQ(piped.exit_code, 0) << piped.err;
  EXPECT_FALSE(contains(piped.err + piped.out, "\r")) << piped.err;
  EXPECT_FALSE(contains(piped.err + piped.out, "ETA")) << piped.err;
}

}  // namespace
}  // namespace dmirror::testing
