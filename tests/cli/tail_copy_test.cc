// SPDX-License-Identifier: LGPL-2.1-or-later
// Superblock copy 2 (FORMAT.md 1, compat TAIL_COPY) when a leg is resized:
// a reader that lost copies 0 and 1 looks for it where the leg's size puts
// it, so a copy left at the old end is reported, moved by verify --repair
// (or the next commit), and the one left behind is zeroed; a leg shrunk to
// its data area drops it; wipe leaves no copy anywhere.
#include "cli/bad_input_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace dmirror::testing {
namespace {

constexpr uint64_t kLeg = 64 * kMiB;

class TailCopy : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", kLeg), b = dir.make_image("b.img", kLeg);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  }
  static std::string magic_at(const std::string& path, uint64_t offset) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string m(8, '\0');
    in.read(m.data(), 8);
    return m;
  }
  static void zero(const std::string& path, uint64_t offset, uint64_t len) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    const std::string zeros(len, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(len));
  }
};

TEST_F(TailCopy, AGrownLegHasItsCopyMovedAndTheOldOneZeroed) {
  const uint64_t old_at = kLeg - 64 * 1024, new_at = kLeg + kMiB - 64 * 1024;
  ASSERT_EQ(magic_at(b, old_at), "DMIRRORS");
  std::filesystem::resize_file(b, kLeg + kMiB);
  auto s = run_tool({"status", a, b});
  EXPECT_EQ(s.exit_code, 0) << s.out;   // a warning, not a condition
  EXPECT_TRUE(contains(s.out, "superblock copy 2 is at offset " + std::to_string(old_at) +
                                  ", but the leg's size puts it at " + std::to_string(new_at)))
      << s.out;
  auto v = run_tool({"verify", "--repair", a, b});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;   // corrected
  EXPECT_TRUE(contains(v.out, "superblock copy 2 was moved from offset " + std::to_string(old_at) + " to " +
                                  std::to_string(new_at)))
      << v.out;
  EXPECT_EQ(magic_at(b, new_at), "DMIRRORS");
  EXPECT_EQ(magic_at(b, old_at), std::string(8, '\0')) << "the copy left behind was not zeroed";
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
  // The first megabyte lost: copy 2 at its new place names the leg.
  zero(b, 0, kMiB);
  auto e = run_tool({"examine", b});
  EXPECT_TRUE(contains(e.out, "copy 2 at " + std::to_string(new_at))) << e.out << e.err;
  EXPECT_TRUE(contains(e.out, "(in use)")) << e.out;
}

TEST_F(TailCopy, TheNextCommitMovesItToo) {
  std::filesystem::resize_file(b, kLeg + kMiB);
  ASSERT_EQ(run_tool({"clear", a, b}).exit_code, 0);
  EXPECT_EQ(magic_at(b, kLeg + kMiB - 64 * 1024), "DMIRRORS");
  EXPECT_EQ(magic_at(b, kLeg - 64 * 1024), std::string(8, '\0'));
  auto w = run_tool({"wipe", "--force", b});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  const std::string img = read_file(b);
  EXPECT_EQ(img.find("DMIRRORS"), std::string::npos) << "a superblock copy survived the wipe";
}

TEST_F(TailCopy, ALegShrunkToItsDataAreaDropsIt) {
  std::filesystem::resize_file(a, 63 * kMiB);   // 8 MiB + the 55 MiB data area
  auto s = run_tool({"status", a, b});
  EXPECT_EQ(s.exit_code, 0) << s.out;
  EXPECT_TRUE(contains(s.out, "copy 2")) << s.out;
  auto v = run_tool({"verify", "--repair", a, b});
  EXPECT_EQ(v.exit_code, 1) << v.out << v.err;
  EXPECT_TRUE(contains(v.out, "superblock copy 2 at offset " + std::to_string(kLeg - 64 * 1024) +
                                  " was dropped: the leg has no room for it"))
      << v.out;
  auto after = run_tool({"status", a, b});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_FALSE(contains(after.out, "copy 2")) << after.out;
}

}  // namespace
}  // namespace dmirror::testing
