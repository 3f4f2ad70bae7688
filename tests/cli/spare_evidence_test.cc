// SPDX-License-Identifier: LGPL-2.1-or-later
// Regression tests: a spare's own superblock is evidence (FORMAT.md 2.6
// rule 23). A leg removed from the array before the spare was added must
// not be trusted as the authority next to that spare, and the spare must
// not be taken as a free device by the stale side; a removal must not leave
// only write-mostly legs (the kernel refuses such a table).
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace dmirror::testing {
namespace {

class SpareEvidence : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB), d = dir.make_image("d.img", 64 * kMiB);
  std::string old_c = dir.path() + "/old-c.img";
  std::string first = dir.path() + "/first.bin", second = dir.path() + "/second.bin";

  static void write_pattern(const std::string& path, int seed) {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < (1 << 20); ++i) out.put(static_cast<char>(i * seed + 7));
  }

  // A three-leg array; slot 2 (c) is copied aside (old-c.img, a member in
  // sync at that point), then removed; the array is written again and d is
  // added as a spare. old-c.img now holds data the array overwrote.
  void SetUp() override {
    write_pattern(first, 31);
    write_pattern(second, 57);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--yes", "--no-activate", "--assume-clean"}).exit_code, 0);
    ASSERT_EQ(run_tool({"io", "write", a, b, c, "--offset", "1M", "--from", first}).exit_code, 0);
    std::filesystem::copy_file(c, old_c);
    ASSERT_EQ(run_tool({"remove", a, b, c, "--leg", "2"}).exit_code, 0);
    ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "1M", "--from", second}).exit_code, 0);
    ASSERT_EQ(run_tool({"add", a, b, "--new", d, "--spare"}).exit_code, 0);
  }
};

// The spare's superblock is newer than old-c.img and its table lists slot 2
// removed: reading through old-c.img beside it returns data the array no
// longer holds.
TEST_F(SpareEvidence, StaleLegBesideANewerSpareIsNotRead) {
  LegSnapshot before({old_c, d});
  const std::string out = dir.path() + "/read.bin";
  auto r = run_tool({"io", "read", old_c, d, "--offset", "1M", "--length", "4096", "--degraded", "--to", out});
  EXPECT_NE(r.exit_code, 0) << "a leg the spare proves removed was read: " << r.err;
  if (std::filesystem::exists(out)) {
    EXPECT_TRUE(read_file(out) != read_file(first).substr(0, 4096)) << "data the array overwrote was returned";
  }
  before.expect_unchanged();
}

// The stale side must not take the live array's spare as a free device
// (without --force), nor call it removed.
TEST_F(SpareEvidence, StaleSideDoesNotTakeTheSpare) {
  LegSnapshot before({a, b, old_c, d});
  auto r = run_tool({"add", old_c, "--new", d, "--degraded"});
  EXPECT_NE(r.exit_code, 0) << "the live array's spare was taken by a removed leg: " << r.out;
  before.expect_unchanged();
  auto st = run_tool({"status", a, b, d});
  EXPECT_EQ(st.exit_code, 0) << "the live array is no longer healthy: " << st.out;
}

// Removing the one leg that is not write-mostly leaves a table the kernel
// refuses ("not every leg may be write_mostly"): refused, or the mark goes.
TEST(SpareEvidenceWriteMostly, RemoveNeverLeavesOnlyWriteMostlyLegs) {
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate", "--assume-clean"}).exit_code, 0);
  ASSERT_EQ(run_tool({"set", a, b, "--write-mostly", "0"}).exit_code, 0);
  LegSnapshot before({a, b});
  expect_refused({"remove", a, b, "--leg", "1", "--force"}, 8, "write-mostly legs only", {a, b});
  before.expect_unchanged();
}

}  // namespace
}  // namespace dmirror::testing
