// SPDX-License-Identifier: LGPL-2.1-or-later
// Real loop devices (needs root): attach an image file, check its size,
// find it by backing file, detach.
#include <dmirror/dm/loop.h>

#include <gtest/gtest.h>
#include <linux/fs.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <filesystem>

namespace dmirror::dm {
namespace {

class LoopDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    image = std::filesystem::temp_directory_path() / ("kg-loop-" + std::to_string(::getpid()) + ".img");
    int fd = ::open(image.c_str(), O_CREAT | O_TRUNC | O_RDWR, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, 16 << 20), 0);
    ::close(fd);
  }
  void TearDown() override { std::filesystem::remove(image); }
  std::filesystem::path image;
};

uint64_t device_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return 0;
  uint64_t size = 0;
  ::ioctl(fd, BLKGETSIZE64, &size);
  ::close(fd);
  return size;
}

TEST_F(LoopDeviceTest, AttachFindDetach) {
  auto loop = attach_loop(image.string());
  ASSERT_TRUE(loop) << loop.error().describe();
  EXPECT_TRUE(loop->path.starts_with("/dev/loop"));
  EXPECT_EQ(device_size(loop->path), uint64_t{16} << 20);

  auto found = find_loop_for_file(image.string());
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->path, loop->path);
  EXPECT_EQ((*found)->number, loop->number);

  ASSERT_TRUE(detach_loop(loop->path));
  auto gone = find_loop_for_file(image.string());
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
  auto again = detach_loop(loop->path);
  EXPECT_FALSE(again);
}

TEST_F(LoopDeviceTest, ReadOnlyAttach) {
  auto loop = attach_loop(image.string(), {.read_only = true});
  ASSERT_TRUE(loop) << loop.error().describe();
  int fd = ::open(loop->path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int ro = 0;
  ASSERT_EQ(::ioctl(fd, BLKROGET, &ro), 0);
  ::close(fd);
  EXPECT_EQ(ro, 1);
  EXPECT_TRUE(detach_loop(loop->path));
}

TEST(LoopDevice, MissingFileIsNotFound) {
  auto r = attach_loop("/nonexistent/image");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace dmirror::dm
