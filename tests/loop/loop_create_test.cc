// SPDX-License-Identifier: LGPL-2.1-or-later
// dmirrorctl on real loop devices: a file system is found and refused by
// name and label, a loop device and its own backing file are the same
// storage, held and read-only devices are refused, and create + status work.
#include "loop/loop_fixture.h"
#include "support/sizes.h"

#include <dmirror/block_device.h>

#include <fcntl.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {


TEST_F(LoopTest, Ext4FileSystemIsRefusedByNameAndLabel) {
  std::string a = image_on_loop("a.img", 64 * kMiB);
  std::string b = image_on_loop("b.img", 64 * kMiB);
  auto [rc, out] = shell("mkfs.ext4 -q -F -L data " + a);
  ASSERT_EQ(rc, 0) << out;
  const std::string before = read_file(a);
  auto r = run_tool({"create", unique_name("vol"), a, b, "--yes"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_TRUE(contains(r.err, "ext4")) << r.err;
  EXPECT_TRUE(contains(r.err, "'data'")) << r.err;
  EXPECT_TRUE(contains(r.err, a)) << r.err;
  EXPECT_TRUE(contains(r.err, "--force")) << r.err;
  EXPECT_TRUE(read_file(a) == before) << a << " changed";
}

TEST_F(LoopTest, ForceWipesTheFileSystem) {
  std::string a = image_on_loop("a.img", 64 * kMiB);
  std::string b = image_on_loop("b.img", 64 * kMiB);
  ASSERT_EQ(shell("mkfs.ext4 -q -F -L data " + a).first, 0);
  auto r = run_tool({"create", unique_name("vol"), a, b, "--yes", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "ext4")) << r.out;
  auto [rc, out] = shell("blkid -p " + a);
  EXPECT_FALSE(contains(out, "ext4")) << out;
}

TEST_F(LoopTest, LoopDeviceAndItsBackingFileAreTheSameStorage) {
  std::string file = dir.make_image("a.img", 64 * kMiB);
  std::string loop = attach(file);
  const std::string before = read_file(file);
  auto r = run_tool({"create", unique_name("vol"), loop, file, "--yes"});
  EXPECT_EQ(r.exit_code, 16) << r.err;
  EXPECT_TRUE(contains(r.err, loop + " and " + file + " are the same storage")) << r.err;
  EXPECT_TRUE(read_file(file) == before);

  auto il = identify_path(loop), iff = identify_path(file);
  ASSERT_TRUE(il && iff);
  EXPECT_TRUE(il->self.is_block_device);
  EXPECT_TRUE(il->has_backing_file);
  EXPECT_TRUE(same_storage(*il, *iff));
  EXPECT_TRUE(same_storage(*iff, *il));
}

TEST_F(LoopTest, DeviceHeldExclusivelyIsBusy) {
  std::string a = image_on_loop("a.img", 64 * kMiB);
  std::string b = image_on_loop("b.img", 64 * kMiB);
  int fd = ::open(b.c_str(), O_RDONLY | O_EXCL);
  ASSERT_GE(fd, 0);
  auto r = run_tool({"create", unique_name("vol"), a, b, "--yes"});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 8) << r.err;
  // The holder is named (this test process), with what to do.
  EXPECT_TRUE(contains(r.err, b + " is in use: open in ")) << r.err;
  EXPECT_TRUE(contains(r.err, "(pid " + std::to_string(::getpid()) + "); wait for it to finish or stop it")) << r.err;
}

TEST_F(LoopTest, ReadOnlyDeviceIsRefusedWithAHint) {
  std::string a = image_on_loop("a.img", 64 * kMiB);
  std::string b = image_on_loop("b.img", 64 * kMiB, true);
  auto r = run_tool({"create", unique_name("vol"), a, b, "--yes"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_TRUE(contains(r.err, "cannot open for writing")) << r.err;
  EXPECT_TRUE(contains(r.err, "read-only")) << r.err;
}

TEST_F(LoopTest, CreateThenStatusByPathAndByName) {
  std::string a = image_on_loop("a.img", 64 * kMiB);
  std::string b = image_on_loop("b.img", 80 * kMiB);
  const std::string name = unique_name("mirror");
  auto c = run_tool({"create", name, a, b, "--yes", "--assume-clean"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(contains(c.out, "warning")) << c.out;  // legs differ by more than 1%

  auto s = run_tool({"status", a, b});
  EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "healthy")) << s.out;

  auto byname = run_tool({"--json", "status", name});
  ASSERT_EQ(byname.exit_code, 0) << byname.out << byname.err;
  auto j = nlohmann::json::parse(byname.out);
  EXPECT_EQ(j["name"], name);
  EXPECT_EQ(j["health"], "healthy");
  EXPECT_EQ(j["legs_found"], 2);

  auto l = run_tool({"list"});
  EXPECT_TRUE(contains(l.out, name)) << l.out;
  EXPECT_TRUE(contains(l.out, a)) << l.out;

  shell("losetup -d " + b);
  loops.pop_back();
  auto degraded = run_tool({"status", name});
  EXPECT_EQ(degraded.exit_code, 2) << degraded.out << degraded.err;
  EXPECT_TRUE(contains(degraded.out, "missing")) << degraded.out;
}

}  // namespace
}  // namespace dmirror::testing
