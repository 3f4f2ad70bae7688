// SPDX-License-Identifier: LGPL-2.1-or-later
// The BlockDevice implementations: in-memory and file round trips, geometry,
// refusal of directories / character devices / fifos, and identity checks.
#include <dmirror/block_device.h>

#include "support/scratch.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

namespace dmirror {
namespace {

using testing::ScratchDir;

std::vector<std::byte> pattern(size_t n, int seed) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 31 + static_cast<size_t>(seed)) & 0xff);
  return v;
}

TEST(MemDevice, RoundTripAndBounds) {
  auto dev = make_mem_device(1 << 20, "mem:a", 4096);
  EXPECT_EQ(dev->geometry().size_bytes, 1u << 20);
  EXPECT_EQ(dev->geometry().logical_block_size, 4096u);
  EXPECT_EQ(dev->describe(), "mem:a");
  auto data = pattern(8192, 3);
  ASSERT_TRUE(dev->write(4096, data));
  std::vector<std::byte> back(8192);
  ASSERT_TRUE(dev->read(4096, back));
  EXPECT_EQ(back, data);
  auto past = dev->read((1 << 20) - 100, back);
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, ErrorCode::Io);
  EXPECT_TRUE(dev->flush());
}

TEST(PosixDevice, FileRoundTripAndGeometry) {
  ScratchDir dir;
  auto path = dir.make_image("leg.img", 3 << 20);
  auto dev = open_device(path);
  ASSERT_TRUE(dev) << dev.error().describe();
  EXPECT_EQ((*dev)->geometry().size_bytes, 3u << 20);
  EXPECT_EQ((*dev)->geometry().logical_block_size, 512u);
  EXPECT_EQ((*dev)->describe(), path);
  auto data = pattern(70000, 9);
  ASSERT_TRUE((*dev)->write(12345, data));
  ASSERT_TRUE((*dev)->flush());
  std::vector<std::byte> back(data.size());
  ASSERT_TRUE((*dev)->read(12345, back));
  EXPECT_EQ(back, data);
  EXPECT_FALSE((*dev)->write((3 << 20) - 10, data));
}

TEST(PosixDevice, DirectoryIsRefusedByName) {
  ScratchDir dir;
  auto dev = open_device(dir.path());
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(dev.error().message.find("is a directory"), std::string::npos) << dev.error().message;
}

TEST(PosixDevice, CharacterDeviceIsRefusedByName) {
  auto dev = open_device("/dev/null");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(dev.error().message.find("character device"), std::string::npos) << dev.error().message;
}

TEST(PosixDevice, FifoIsRefusedByName) {
  ScratchDir dir;
  std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto dev = open_device(fifo);
  ASSERT_FALSE(dev);
  EXPECT_NE(dev.error().message.find("a fifo"), std::string::npos) << dev.error().message;
}

TEST(PosixDevice, MissingPathIsNotFound) {
  auto dev = open_device("/nonexistent/leg.img");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error().code, ErrorCode::NotFound);
  EXPECT_NE(dev.error().message.find("no such file or device"), std::string::npos);
}

// Root ignores file modes, so as root the open runs in a child process that
// has dropped to an unprivileged user; the child reports through its exit code.
TEST(PosixDevice, ReadOnlyFileOpenedWritableIsPermissionDenied) {
  ScratchDir dir;
  auto path = dir.make_image("ro.img", 1 << 20);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  auto check = [&]() -> int {
    auto dev = open_device(path);
    if (dev) return 1;
    if (dev.error().code != ErrorCode::PermissionDenied) return 2;
    if (!open_device(path, OpenOptions{.writable = false})) return 3;
    return 0;
  };
  if (::geteuid() != 0) {
    EXPECT_EQ(check(), 0);
    return;
  }
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) ::_exit(10);
    ::_exit(check());
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: opened writable; 2: wrong error code; 3: read-only open failed; "
                                       "10: could not drop privileges";
}

TEST(Identity, SameFileThroughSymlink) {
  ScratchDir dir;
  auto a = dir.make_image("a.img", 1 << 20);
  auto b = dir.make_image("b.img", 1 << 20);
  std::string link = dir.path() + "/link";
  ASSERT_EQ(::symlink(a.c_str(), link.c_str()), 0);
  auto ia = identify_path(a), ib = identify_path(b), il = identify_path(link);
  ASSERT_TRUE(ia && ib && il);
  EXPECT_TRUE(same_storage(*ia, *il));
  EXPECT_TRUE(same_storage(*ia, *ia));
  EXPECT_FALSE(same_storage(*ia, *ib));
  EXPECT_FALSE(ia->self.is_block_device);
}

TEST(Identity, MissingPath) {
  auto id = identify_path("/nonexistent/x");
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace dmirror
