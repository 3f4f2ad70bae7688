// SPDX-License-Identifier: LGPL-2.1-or-later
// The confirmation prompt of `create` on a real terminal (a pty provided by
// script(1)): anything but "yes" cancels with exit 32 and writes nothing.
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace dmirror::testing {
namespace {

// Runs dmirrorctl under a pty, typing `answer`; returns the exit status.
int run_on_tty(const std::string& args, const std::string& answer, std::string* output) {
  std::string cmd = "printf '" + answer + "\\n' | script -qec \"" + std::string(DMIRRORCTL_PATH) + " " + args +
                    "\" /dev/null 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) *output += buf;
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Prompt, DeclinedIsCancelledAndWritesNothing) {
  ScratchDir dir;
  auto a = dir.make_image("a.img", 32 * kMiB);
  auto b = dir.make_image("b.img", 32 * kMiB);
  const std::string before_a = read_file(a), before_b = read_file(b);
  std::string out;
  EXPECT_EQ(run_on_tty("create vol0 " + a + " " + b, "no", &out), 32) << out;
  EXPECT_TRUE(contains(out, "Type 'yes' to overwrite the metadata of " + a + " and " + b)) << out;
  EXPECT_TRUE(contains(out, "cancelled")) << out;
  EXPECT_TRUE(read_file(a) == before_a);
  EXPECT_TRUE(read_file(b) == before_b);
}

TEST(Prompt, YesCreates) {
  ScratchDir dir;
  auto a = dir.make_image("a.img", 32 * kMiB);
  auto b = dir.make_image("b.img", 32 * kMiB);
  std::string out;
  EXPECT_EQ(run_on_tty("create vol0 " + a + " " + b, "yes", &out), 0) << out;
  EXPECT_TRUE(contains(out, "Created array 'vol0'")) << out;
}

}  // namespace
}  // namespace dmirror::testing
