// SPDX-License-Identifier: LGPL-2.1-or-later
// Bad-input catalogue (docs/bad-input.md), rows that need real block
// devices: a read-only loop device, two loop devices over one file, a
// mounted file system, a device held open exclusively by another process,
// and commands run by an unprivileged user. Every refusal is checked for
// its message, its exit status and byte-identical devices.
#include "cli/bad_input_util.h"
#include "loop/loop_fixture.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace dmirror::testing {
namespace {

class BadDevice : public LoopTest {
 protected:
  void TearDown() override {
    if (!mountpoint.empty()) ::umount2(mountpoint.c_str(), MNT_DETACH);
    LoopTest::TearDown();
  }
  std::string mountpoint;
};

TEST_F(BadDevice, ReadOnlyLoopDevice) {
  auto rw = image_on_loop("rw.img", 64 * kMiB);
  auto ro = image_on_loop("ro.img", 64 * kMiB, /*read_only=*/true);
  expect_refused({"create", "vol0", rw, ro, "--yes"}, 8, ro + ": cannot open for writing", {rw, ro});
}

TEST_F(BadDevice, TwoLoopDevicesOverTheSameFile) {
  auto file = dir.make_image("same.img", 64 * kMiB);
  auto l1 = attach(file);
  auto l2 = attach(file);
  expect_refused({"create", "vol0", l1, l2, "--yes"}, 16, "are the same storage", {l1, l2});
}

TEST_F(BadDevice, MountedFileSystemEvenWithForce) {
  auto other = image_on_loop("other.img", 64 * kMiB);
  auto fs = image_on_loop("fs.img", 64 * kMiB);
  ASSERT_EQ(shell("mkfs.ext4 -q -F " + fs).first, 0);
  mountpoint = dir.path() + "/mnt";
  ASSERT_EQ(::mkdir(mountpoint.c_str(), 0755), 0);
  ASSERT_EQ(::mount(fs.c_str(), mountpoint.c_str(), "ext4", 0, nullptr), 0) << std::strerror(errno);
  expect_refused({"create", "vol0", other, fs, "--yes", "--force"}, 8, fs + " is in use", {other});
  // The holder is named, with what to do about it.
  expect_refused({"create", "vol0", other, fs, "--yes", "--force"}, 8,
                 fs + " is in use: mounted on " + mountpoint + "; unmount it", {other});
}

TEST_F(BadDevice, HeldExclusivelyByAnotherProcess) {
  auto other = image_on_loop("other.img", 64 * kMiB);
  auto held = image_on_loop("held.img", 64 * kMiB);
  int fd = ::open(held.c_str(), O_RDONLY | O_EXCL);  // this test process is the holder
  ASSERT_GE(fd, 0) << std::strerror(errno);
  expect_refused({"create", "vol0", other, held, "--yes"}, 8, held + " is in use", {other, held});
  expect_refused({"create", "vol0", other, held, "--yes"}, 8,
                 "(pid " + std::to_string(::getpid()) + "); wait for it to finish or stop it", {other, held});
  ::close(fd);
}

TEST_F(BadDevice, UnprivilegedUser) {
  auto l1 = image_on_loop("a.img", 64 * kMiB);
  auto l2 = image_on_loop("b.img", 64 * kMiB);
  LegSnapshot before({l1, l2});
  auto c = run_tool_as_nobody({"create", "vol0", l1, l2, "--yes"});
  EXPECT_EQ(c.exit_code, 8) << c.err;
  EXPECT_TRUE(contains(c.err, "run as root")) << c.err;
  auto ex = run_tool_as_nobody({"examine", l1});
  EXPECT_EQ(ex.exit_code, 8) << ex.err;
  EXPECT_TRUE(contains(ex.err, "Permission denied") || contains(ex.err, "run as root")) << ex.err;
  before.expect_unchanged();
}

}  // namespace
}  // namespace dmirror::testing
