// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), paths that are not usable legs:
// a nonexistent path, a directory, character devices, a read-only file, a
// leg too small for the metadata, a truncated leg, legs of very different
// sizes. Each refusal is checked for its message, its exit status and
// byte-identical legs.
#include "cli/bad_input_util.h"

#include <unistd.h>

#include <filesystem>

namespace dmirror::testing {
namespace {

class BadPath : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string missing = dir.path() + "/nope.img";

  void create_clean(const std::string& x, const std::string& y) {
    auto r = run_tool({"create", "vol0", x, y, "--yes", "--assume-clean"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
};

TEST_F(BadPath, NonexistentPath) {
  expect_refused({"create", "vol0", a, missing, "--yes"}, 8, missing + ": no such file or device", {a});
  expect_refused({"examine", missing}, 8, "no such file or device", {});
  create_clean(a, b);
  expect_refused({"status", missing}, 8, missing + ": no such file or device", {a, b});
  expect_refused({"verify", a, missing}, 8, "no such file or device", {a, b});
}

TEST_F(BadPath, Directory) {
  expect_refused({"create", "vol0", a, dir.path(), "--yes"}, 16, dir.path() + " is a directory", {a});
  expect_refused({"examine", dir.path()}, 16, "is a directory; a leg must be a block device or a regular image file",
                 {a});
}

TEST_F(BadPath, CharacterDevices) {
  for (const std::string dev : {"/dev/null", "/dev/zero"}) {
    expect_refused({"create", "vol0", a, dev, "--yes"}, 16, dev + " is a character device", {a});
    expect_refused({"examine", dev}, 16, dev + " is a character device", {a});
  }
}

// Root ignores file modes, so the tool runs as nobody; the directory is made
// traversable and the other leg writable for it.
TEST_F(BadPath, ReadOnlyFile) {
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(a.c_str(), 0666), 0);
  ASSERT_EQ(::chmod(b.c_str(), 0444), 0);
  LegSnapshot before({a, b});
  auto r = ::geteuid() == 0 ? run_tool_as_nobody({"create", "vol0", a, b, "--yes"})
                            : run_tool({"create", "vol0", a, b, "--yes"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_TRUE(contains(r.err, b + ": cannot open for writing")) << r.err;
  before.expect_unchanged();
  // A read-only command works on a read-only leg.
  ASSERT_EQ(::chmod(b.c_str(), 0644), 0);
  create_clean(a, b);
  ASSERT_EQ(::chmod(b.c_str(), 0444), 0);
  auto ex = ::geteuid() == 0 ? run_tool_as_nobody({"examine", b}) : run_tool({"examine", b});
  EXPECT_EQ(ex.exit_code, 0) << ex.err;
}

TEST_F(BadPath, LegTooSmallForTheMetadata) {
  auto tiny = dir.make_image("tiny.img", 8 * kMiB);
  expect_refused({"create", "vol0", a, tiny, "--yes"}, 8, tiny + " is too small", {a, tiny});
  auto empty = dir.make_image("empty.img", 0);
  expect_refused({"examine", empty}, 8, empty, {empty});
}

TEST_F(BadPath, TruncatedLegFile) {
  create_clean(a, b);
  std::filesystem::resize_file(b, 20 * kMiB);
  LegSnapshot before({a, b});
  auto st = run_tool({"status", a, b});
  EXPECT_EQ(st.exit_code, 2) << st.out;  // left out by its geometry: degraded
  EXPECT_TRUE(contains(st.out, b + " is 20 MiB (20971520 bytes), smaller than the 63 MiB (66060288 bytes) the array needs; it is left out")) << st.out;
  auto ex = run_tool({"examine", b});
  EXPECT_EQ(ex.exit_code & 4, 4) << ex.out;
  EXPECT_TRUE(contains(ex.out, "truncated or shrunk")) << ex.out;
  // Cut inside the metadata: the journal can no longer be read either.
  before.expect_unchanged();
  std::filesystem::resize_file(b, 100 * 1024);
  LegSnapshot cut({b});
  auto ex2 = run_tool({"examine", b});
  EXPECT_EQ(ex2.exit_code & 4, 4) << ex2.out;
  cut.expect_unchanged();
}

TEST_F(BadPath, LegsOfVeryDifferentSizes) {
  auto big = dir.make_image("big.img", 1024 * kMiB);
  auto r = run_tool({"create", "vol0", a, big, "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Usable size:   55 MiB")) << r.out;
  EXPECT_TRUE(contains(r.out + r.err, "warning: " + big + " is 960 MiB larger than the smallest leg")) << r.out << r.err;
}

}  // namespace
}  // namespace dmirror::testing
