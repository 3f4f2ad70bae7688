// SPDX-License-Identifier: LGPL-2.1-or-later
// Every refusal of `create`: a clear message, the documented exit code, and
// every leg byte-identical afterwards.
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace dmirror::testing {
namespace {

class Refusal : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    // Non-zero content so that any write would show.
    auto fill = [](const std::string& p, char c) {
      FILE* f = std::fopen(p.c_str(), "r+b");
      std::string block(1 << 20, c);
      for (int i = 0; i < 10; ++i) std::fwrite(block.data(), 1, block.size(), f);
      std::fclose(f);
    };
    fill(a, 'A');
    fill(b, 'B');
  }

  // Runs create with `args` and checks the refusal.
  void expect_refused(const std::vector<std::string>& args, int exit_code, const std::string& says,
                      std::vector<std::string> legs = {}) {
    if (legs.empty()) legs = {a, b};
    std::vector<std::string> before;
    for (const auto& l : legs) before.push_back(read_file(l));
    std::vector<std::string> argv{"create"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_tool(argv);
    EXPECT_EQ(r.exit_code, exit_code) << r.err;
    EXPECT_TRUE(contains(r.err, says)) << "expected '" << says << "' in: " << r.err;
    EXPECT_TRUE(r.err.rfind("dmirrorctl: ", 0) == 0) << r.err;
    for (size_t i = 0; i < legs.size(); ++i) EXPECT_TRUE(read_file(legs[i]) == before[i]) << legs[i] << " changed";
  }
};

TEST_F(Refusal, SameLegTwice) { expect_refused({"vol0", a, a, "--yes"}, 16, "are the same storage"); }

TEST_F(Refusal, SameLegThroughSymlink) {
  std::string link = dir.path() + "/link";
  ASSERT_EQ(::symlink(a.c_str(), link.c_str()), 0);
  expect_refused({"vol0", a, link, "--yes"}, 16, a + " and " + link + " are the same storage");
}

TEST_F(Refusal, TooSmallLeg) {
  auto tiny = dir.make_image("tiny.img", 4 * kMiB);
  expect_refused({"vol0", a, tiny, "--yes"}, 8, "is too small", {a, tiny});
  expect_refused({"vol0", a, tiny, "--yes"}, 8, "needs at least 9.06 MiB", {a, tiny});
}

TEST_F(Refusal, OneLeg) { expect_refused({"vol0", a, "--yes"}, 16, "at least 2 legs", {a}); }

TEST_F(Refusal, BadNames) {
  expect_refused({"a/b", a, b, "--yes"}, 16, "contains '/'");
  expect_refused({std::string(64, 'n'), a, b, "--yes"}, 16, "at most 63");
  expect_refused({"bad*name", a, b, "--yes"}, 16, "contains '*'");
  expect_refused({"control", a, b, "--yes"}, 16, "'control' is reserved");
}

TEST_F(Refusal, RegionSizeNotAPowerOfTwo) {
  expect_refused({"vol0", a, b, "--yes", "--region-size", "3M"}, 16, "not a power of two");
  expect_refused({"vol0", a, b, "--yes", "--region-size", "4X"}, 16, "unknown unit");
}

TEST_F(Refusal, MissingYesWithoutTerminal) {
  expect_refused({"vol0", a, b}, 16, "Use --yes");
}

TEST_F(Refusal, MissingLeg) {
  expect_refused({"vol0", a, dir.path() + "/nope.img", "--yes"}, 8, "no such file or device", {a});
}

TEST_F(Refusal, DirectoryLeg) { expect_refused({"vol0", a, dir.path(), "--yes"}, 16, "is a directory", {a}); }

TEST_F(Refusal, ExistingDmirrorLegWithoutForce) {
  auto c = run_tool({"create", "old", a, b, "--yes"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  expect_refused({"vol0", a, b, "--yes"}, 8, "is already leg 0 of array 'old'");
  expect_refused({"vol0", b, a, "--yes"}, 8, "use --force to overwrite", {b, a});
  auto forced = run_tool({"create", "vol0", a, b, "--yes", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
}

}  // namespace
}  // namespace dmirror::testing
