// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl wipe` on real loop devices: afterwards `examine` says the
// device is not a dmirror leg, `blkid -p` still finds nothing on it, and
// `create` takes it without --force. A leg held open exclusively (as the
// kernel holds an active volume's legs) is refused as busy and left
// byte-identical.
#include "loop/loop_fixture.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace dmirror::testing {
namespace {

class LoopWipe : public LoopTest {
 protected:
  ScratchDir locks;
  void SetUp() override {
    LoopTest::SetUp();
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
  }
  void TearDown() override {
    ::unsetenv("DMIRROR_LOCK_DIR");
    LoopTest::TearDown();
  }
};

TEST_F(LoopWipe, WipedLegIsNoLongerALegAndBlkidFindsNothing) {
  const std::string a = image_on_loop("a.img", 64 * 1024 * 1024);
  const std::string b = image_on_loop("b.img", 64 * 1024 * 1024);
  const std::string c = image_on_loop("c.img", 64 * 1024 * 1024);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  EXPECT_EQ(shell("blkid -p " + b).first, 2);   // dmirror is not a type libblkid knows
  auto r = run_tool({"wipe", "--force", b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, b + ": wiped")) << r.out;
  auto [rc, out] = shell("blkid -p " + b);
  EXPECT_EQ(rc, 2) << out;
  auto ex = run_tool({"examine", b});
  EXPECT_EQ(ex.exit_code, 8);
  EXPECT_TRUE(contains(ex.err, b + " is not a dmirror leg")) << ex.err;
  auto cr = run_tool({"create", "vol1", b, c, "--yes"});
  EXPECT_EQ(cr.exit_code, 0) << cr.out << cr.err;
}

TEST_F(LoopWipe, ALegHeldExclusivelyIsRefusedAsBusy) {
  const std::string img_a = dir.make_image("a.img", 64 * 1024 * 1024);
  const std::string img_b = dir.make_image("b.img", 64 * 1024 * 1024);
  const std::string a = attach(img_a), b = attach(img_b);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"}).exit_code, 0);
  ::sync();
  const std::string before_a = read_file(img_a), before_b = read_file(img_b);
  const int fd = ::open(b.c_str(), O_RDONLY | O_EXCL | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  auto r = run_tool({"wipe", "--force", b});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 8) << r.out;
  EXPECT_TRUE(contains(r.err, b + " is in use")) << r.err;
  ::sync();
  EXPECT_TRUE(read_file(img_a) == before_a);
  EXPECT_TRUE(read_file(img_b) == before_b);
}

// Block devices are found by scanning: a leg replaced while it was away
// (its own table still says in sync) is judged by the array's current legs
// without --with, as status judges it, and wiped.
TEST_F(LoopWipe, ALegReplacedWhileAwayIsJudgedByTheLegsFoundOnTheHost) {
  const std::string img_b = dir.make_image("b.img", 64 * 1024 * 1024);
  const std::string a = image_on_loop("a.img", 64 * 1024 * 1024);
  const std::string c = image_on_loop("c.img", 64 * 1024 * 1024);
  std::string b = attach(img_b);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  ::sync();
  ASSERT_EQ(shell("losetup -d " + b).first, 0);
  loops.erase(std::find(loops.begin(), loops.end(), b));
  auto r = run_tool({"replace", a, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  b = attach(img_b);
  auto w = run_tool({"wipe", b});
  EXPECT_EQ(w.exit_code, 0) << w.out << w.err;
  EXPECT_TRUE(contains(run_tool({"examine", b}).err, "is not a dmirror leg"));
  EXPECT_EQ(run_tool({"status", a, c}).exit_code, 0);
}

// A loop device and its backing file are one leg: given both, wipe
// refuses (it used to wipe it twice and say so twice).
TEST_F(LoopWipe, ALoopDeviceAndItsFileAreOneLeg) {
  const std::string img_a = dir.make_image("a.img", 64 * 1024 * 1024);
  const std::string a = attach(img_a);
  auto r = run_tool({"wipe", "--force", a, img_a});
  EXPECT_EQ(r.exit_code, 16) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "are the same storage")) << r.err;
}

}  // namespace
}  // namespace dmirror::testing
