// SPDX-License-Identifier: LGPL-2.1-or-later
// Terminal-only output: health words are coloured only when stdout is a
// terminal and NO_COLOR is unset, never in JSON; progress bars appear only
// on a terminal. The terminal comes from script(1) (util-linux).
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>

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

// The progress line fits the terminal's width, clears what a longer line
// left (ESC [K), and ends with the elapsed time ("in 2s"), not "ETA unknown".
TEST_F(TtyOutput, ProgressFitsTheWidthAndEndsWithTheElapsedTime) {
  const std::string lock = " --lock-dir=" + dir.path();
  for (int cols : {30, 50, 100}) {
    const std::string args = "scrub " + legs + lock + " --restart --max-rate 8M";
    std::string cmd = "script -qec 'stty cols " + std::to_string(cols) + "; " + std::string(DMIRRORCTL_PATH) + " " +
                      args + "' /dev/null </dev/null 2>&1";
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    ::pclose(p);
    ASSERT_TRUE(contains(out, "\rscrub")) << out;
    EXPECT_FALSE(contains(out, "unknown")) << out;
    // Every redraw: "\r" TEXT "\x1b[K", TEXT shorter than the width.
    size_t redraws = 0, last_text = 0;
    for (size_t at = 0; (at = out.find('\r', at)) != std::string::npos; ++at) {
      const size_t end = out.find("\x1b[K", at);
      if (end == std::string::npos || out.compare(at + 1, 5, "scrub") != 0) continue;
      ++redraws;
      last_text = at + 1;
      EXPECT_LT(end - at - 1, static_cast<size_t>(cols)) << cols << ": " << out.substr(at + 1, end - at - 1);
    }
    EXPECT_GT(redraws, 0u) << out;
    const std::string last = out.substr(last_text, out.find("\x1b[K", last_text) - last_text);
    EXPECT_TRUE(std::regex_search(last, std::regex(R"(100\.0%.* in [0-9]+s$)")) || (cols < 40 && contains(last, "100.0%")))
        << cols << ": " << last;
  }
}

}  // namespace
}  // namespace dmirror::testing
