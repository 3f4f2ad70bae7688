// SPDX-License-Identifier: LGPL-2.1-or-later
// Loop devices for tests that need real block devices. Requires root and a
// working losetup: the fixture FAILS (never skips) without them, so a CI
// run that silently lost its privileges is noticed. Devices are detached in
// TearDown.
#pragma once

#include "cli/run_tool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

namespace dmirror::testing {

// An array name no other test run on the machine uses.
inline std::string unique_name(const char* base) { return std::string(base) + "-" + std::to_string(::getpid()); }

// Runs a shell command; returns its stdout (trimmed) and exit status.
inline std::pair<int, std::string> shell(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  int status = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class LoopTest : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::vector<std::string> loops;

  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "the loop tests need root (they attach loop devices)";
  }

  void TearDown() override {
    for (const auto& l : loops) shell("losetup -d " + l);
  }

  // Attaches `file` to a free loop device (read-only when asked).
  std::string attach(const std::string& file, bool read_only = false) {
    auto [rc, out] = shell(std::string("losetup -f --show ") + (read_only ? "-r " : "") + file);
    EXPECT_EQ(rc, 0) << "losetup failed: " << out;
    EXPECT_EQ(out.rfind("/dev/loop", 0), 0u) << out;
    if (rc == 0) loops.push_back(out);
    return rc == 0 ? out : std::string("/dev/null-losetup-failed");
  }

  std::string image_on_loop(const std::string& name, uint64_t size, bool read_only = false) {
    return attach(dir.make_image(name, size), read_only);
  }
};

}  // namespace dmirror::testing
