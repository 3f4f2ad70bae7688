// SPDX-License-Identifier: LGPL-2.1-or-later
// Sparse image-file legs on a file system that runs out of space (a tiny
// tmpfs): `io write` fails with exit status 8, no leg is failed, the
// written regions stay dirty in the journal, and once there is room again
// the next open recovers them and the legs agree. Needs root (mount).
#include <dmirror/block_device.h>
#include <dmirror/journal.h>
#include <dmirror/leg.h>

#include <fstream>

#include "loop/loop_fixture.h"

namespace dmirror::testing {
namespace {

class LoopNoSpace : public LoopTest {
 protected:
  void SetUp() override {
    LoopTest::SetUp();
    fs = dir.path() + "/fs";
    ASSERT_EQ(shell("mkdir -p " + fs).first, 0);
    auto [rc, out] = shell("mount -t tmpfs -o size=12m dmirror-test " + fs);
    ASSERT_EQ(rc, 0) << "mount tmpfs: " << out;
    mounted = true;
  }
  void TearDown() override {
    if (mounted) shell("umount " + fs);
    LoopTest::TearDown();
  }

  Superblock sb_of(const std::string& path) {
    auto d = open_device(path, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(d);
    auto m = read_leg(**d);
    EXPECT_TRUE(m);
    return m ? m->sb : Superblock{};
  }
  uint64_t dirty_regions(const std::string& path) {
    auto d = open_device(path, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(d);
    auto j = WriteIntentJournal::load(**d, sb_of(path));
    EXPECT_TRUE(j);
    return j ? j->dirty_count() : 0;
  }

  std::string fs;
  bool mounted = false;
};

TEST_F(LoopNoSpace, OutOfSpaceFailsTheWriteNotTheLegAndIsRecoveredLater) {
  const std::string a = fs + "/a.img", b = fs + "/b.img";
  ASSERT_EQ(shell("truncate -s 64M " + a + " " + b).first, 0);
  auto c = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  const std::string payload = dir.path() + "/payload.bin";
  {
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < (16 << 20); ++i) out.put(static_cast<char>(i * 13 + 1));
  }
  auto w = run_tool({"io", "write", a, b, "--offset", "0", "--from", payload});
  EXPECT_EQ(w.exit_code, 8) << w.out << w.err;
  EXPECT_TRUE(contains(w.err, "out of space")) << w.err;
  for (const auto& leg : {a, b}) {
    Superblock sb = sb_of(leg);
    for (uint32_t s = 0; s < 2; ++s) EXPECT_EQ(sb.legs[s].state, LegState::InSync) << leg << " slot " << s;
    EXPECT_GT(dirty_regions(leg), 0u) << leg << ": the regions written must stay dirty";
  }

  ASSERT_EQ(shell("mount -o remount,size=256m " + fs).first, 0);
  auto again = run_tool({"io", "write", a, b, "--offset", "0", "--from", payload});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(dirty_regions(a), 0u);
  auto v = run_tool({"verify", a, b});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  const std::string back = dir.path() + "/back.bin";
  ASSERT_EQ(run_tool({"io", "read", a, b, "--offset", "0", "--length", "16M", "--to", back}).exit_code, 0);
  EXPECT_TRUE(read_file(back) == read_file(payload));
}

// The new leg of a replace on a full file system: exit 8 naming the
// file system, the new leg is not failed and the replace resumes once
// there is room.
TEST_F(LoopNoSpace, ReplaceOntoAFullFileSystemIsResumedNotFailed) {
  const std::string a = dir.path() + "/a.img", b = dir.path() + "/b.img", c = fs + "/c.img";
  ASSERT_EQ(shell("truncate -s 64M " + a + " " + b + " " + c).first, 0);
  auto cr = run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"});
  ASSERT_EQ(cr.exit_code, 0) << cr.out << cr.err;
  const std::string payload = dir.path() + "/payload.bin";
  {
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < (16 << 20); ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  auto w = run_tool({"io", "write", a, b, "--offset", "0", "--from", payload});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  auto r = run_tool({"replace", a, b, "--old", "1", "--new", c});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "out of space")) << r.err;
  EXPECT_TRUE(contains(r.err, c)) << r.err;
  Superblock sb = sb_of(a);
  ASSERT_EQ(sb.checkpoint.op, OfflineOp::Replace);
  EXPECT_EQ(sb.legs[sb.checkpoint.target_slot].state, LegState::Rebuilding) << "the new leg was failed";
  EXPECT_EQ(sb.legs[1].state, LegState::Replacing);

  ASSERT_EQ(shell("mount -o remount,size=256m " + fs).first, 0);
  auto again = run_tool({"replace", a, b, "--old", "1", "--new", c});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  auto st = run_tool({"status", a, c});
  EXPECT_EQ(st.exit_code, 0) << st.out << st.err;
}

// A loop device over an image file on a full file system answers ENOSPC
// inside its own size: that is still the host's file system out of space
// (the leg is kept, the regions stay dirty), not a device that shrank.
TEST_F(LoopNoSpace, ALoopDeviceOverAFullFileSystemIsOutOfSpaceNotFailed) {
  const std::string a = fs + "/a.img", b = fs + "/b.img";
  ASSERT_EQ(shell("truncate -s 64M " + a + " " + b).first, 0);
  const std::string la = attach(a);
  auto c = run_tool({"create", "vol1", la, b, "--assume-clean", "--yes", "--no-activate"});
  ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
  const std::string payload = dir.path() + "/payload.bin";
  {
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < (16 << 20); ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  auto w = run_tool({"io", "write", la, b, "--offset", "0", "--from", payload});
  EXPECT_EQ(w.exit_code, 8) << w.out << w.err;
  EXPECT_TRUE(contains(w.err, "out of space")) << w.err;
  EXPECT_FALSE(contains(w.err, "shrunk")) << w.err;
  for (const auto& leg : {la, b}) {
    Superblock sb = sb_of(leg);
    for (uint32_t s = 0; s < 2; ++s) EXPECT_EQ(sb.legs[s].state, LegState::InSync) << leg << " slot " << s;
  }
  EXPECT_GT(dirty_regions(b), 0u);
}

}  // namespace
}  // namespace dmirror::testing
