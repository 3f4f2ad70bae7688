// SPDX-License-Identifier: LGPL-2.1-or-later
// O_DIRECT on image files for the offline operations, and its fallback on a
// file system that refuses O_DIRECT: drop-behind buffered I/O on tmpfs
// (/dev/shm), reported to the caller, through the thread queue, with the
// data intact; and the unaligned tail of a direct image file.
#include <dmirror/array.h>
#include <dmirror/block_device.h>
#include <dmirror/legs.h>
#include <dmirror/verify.h>

#include "engine/io_queue.h"
#include "io/posix_device.h"
#include "support/scratch.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <vector>

namespace dmirror {
namespace {

std::vector<std::byte> pattern(size_t n, int seed) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>((i * 131 + static_cast<size_t>(seed) * 7) & 0xff);
  return v;
}

// A scratch directory on /dev/shm, which must be tmpfs.
class ShmDir {
 public:
  ShmDir() {
    std::string tmpl = "/dev/shm/dmirror-test-XXXXXX";
    if (mkdtemp(tmpl.data())) path_ = tmpl;
  }
  ~ShmDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string image(const std::string& name, uint64_t size) const {
    const std::string p = path_ + "/" + name;
    int fd = ::open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd >= 0) {
      EXPECT_EQ(::ftruncate(fd, static_cast<off_t>(size)), 0);
      ::close(fd);
    }
    return p;
  }

 private:
  std::string path_;
};

bool is_tmpfs(const std::string& path) {
  struct statfs sf {};
  return ::statfs(path.c_str(), &sf) == 0 && sf.f_type == TMPFS_MAGIC;
}

// Refuses O_DIRECT on image files for one scope, as tmpfs before Linux 6.6 does.
struct RefuseDirect {
  explicit RefuseDirect(int err = EINVAL) { io::refuse_direct_file_opens(err); }
  ~RefuseDirect() { io::refuse_direct_file_opens(0); }
};

void round_trip(BlockDevice& dev, uint64_t offset, size_t len, int seed) {
  auto data = pattern(len, seed);
  ASSERT_TRUE(dev.write(offset, data)) << dev.describe();
  ASSERT_TRUE(dev.flush());
  std::vector<std::byte> back(len);
  ASSERT_TRUE(dev.read(offset, back));
  EXPECT_EQ(back, data) << dev.describe() << " at " << offset;
}

TEST(DirectFallback, OpenLegsReportsWhatTheTmpfsDid) {
  ShmDir dir;
  ASSERT_FALSE(dir.path().empty());
  ASSERT_TRUE(is_tmpfs(dir.path())) << "/dev/shm is expected to be tmpfs";
  const std::string a = dir.image("a.img", 4 << 20);
  // What this kernel's tmpfs does with O_DIRECT (refused before Linux 6.6).
  const int probe = ::open(a.c_str(), O_RDWR | O_DIRECT);
  const bool tmpfs_takes_direct = probe >= 0;
  if (probe >= 0) ::close(probe);
  auto legs = open_legs({a}, OpenLegsOptions{.writable = true, .direct = true, .direct_files = true});
  ASSERT_TRUE(legs) << legs.error().describe();
  ASSERT_EQ(legs->caching.size(), 1u);
  EXPECT_EQ(legs->caching[0], tmpfs_takes_direct ? CachePolicy::Direct : CachePolicy::DropBehind);
  EXPECT_EQ(legs->drop_behind_paths().size(), tmpfs_takes_direct ? 0u : 1u);
  round_trip(*legs->owned[0], 1 << 20, 64 << 10, 1);
}

TEST(DirectFallback, RefusedDirectOpenFallsBackToDropBehind) {
  ShmDir dir;
  ASSERT_TRUE(is_tmpfs(dir.path()));
  const std::string a = dir.image("a.img", 4 << 20);
  const std::string b = dir.image("b.img", 4 << 20);
  RefuseDirect refuse;
  // Without the fallback the refusal is Unsupported and names the file.
  auto plain = open_device(a, OpenOptions{.writable = true, .direct = true});
  ASSERT_FALSE(plain);
  EXPECT_EQ(plain.error().code, ErrorCode::Unsupported);
  EXPECT_NE(plain.error().message.find(a), std::string::npos);

  auto legs = open_legs({a, b}, OpenLegsOptions{.writable = true, .direct = true, .direct_files = true});
  ASSERT_TRUE(legs) << legs.error().describe();
  EXPECT_EQ(legs->caching, (std::vector<CachePolicy>{CachePolicy::DropBehind, CachePolicy::DropBehind}));
  EXPECT_EQ(legs->drop_behind_paths(), (std::vector<std::string>{a, b}));
  EXPECT_EQ(cache_policy(*legs->owned[0]), CachePolicy::DropBehind);
  // The descriptor stays visible (locks), but transfers go through read()/write():
  // the thread queue, never io_uring on the raw descriptor.
  EXPECT_GE(legs->owned[0]->native_handle().fd, 0);
  EXPECT_TRUE(legs->owned[0]->native_handle().drop_behind);
  auto devs = legs->devices();
  EXPECT_EQ(engine::make_io_queue(devs)->name(), "threads");
  // Unaligned transfers work too: nothing of O_DIRECT's rules applies.
  round_trip(*legs->owned[0], 12345, 70000, 2);
  round_trip(*legs->owned[1], (4 << 20) - 777, 777, 3);
}

TEST(DirectFallback, VerifyRunsOnDropBehindLegs) {
  ShmDir dir;
  ASSERT_TRUE(is_tmpfs(dir.path()));
  const std::string a = dir.image("a.img", 16 << 20);
  const std::string b = dir.image("b.img", 16 << 20);
  CreateOptions co{.name = "shm", .legs = {a, b}, .assume_clean = true};
  auto plan = plan_create(co);
  ASSERT_TRUE(plan) << plan.error().describe();
  ASSERT_TRUE(create_array(*plan, co));
  RefuseDirect refuse;
  auto legs = open_legs({a, b}, OpenLegsOptions{.writable = false, .direct = true, .direct_files = true});
  ASSERT_TRUE(legs) << legs.error().describe();
  ASSERT_EQ(legs->drop_behind_paths().size(), 2u);
  // Plant a difference in b's data area: verify must still see it.
  {
    auto rw = open_device(b);
    ASSERT_TRUE(rw);
    std::vector<std::byte> one(4096, std::byte{0x5a});
    ASSERT_TRUE((*rw)->write(plan->layout.data_offset + (1 << 20), one));
    ASSERT_TRUE((*rw)->flush());
  }
  auto r = verify(legs->devices());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->mismatches.size(), 1u);
  EXPECT_GT(r->regions_compared, 0u);
}

// An O_DIRECT image file on a disk file system whose size is not a multiple
// of the block size: the unaligned tail goes through the buffered twin
// descriptor and reads back, also through O_DIRECT reads around it.
TEST(DirectImageFile, UnalignedTailGoesThroughTheBufferedDescriptor) {
  testing::ScratchDir dir;
  if (is_tmpfs(dir.path())) GTEST_FAIL() << dir.path() << " is tmpfs: set TMPDIR to a disk file system";
  const uint64_t size = (1 << 20) + 700;
  const std::string p = dir.make_image("tail.img", size);
  auto dev = open_device(p, OpenOptions{.writable = true, .direct = true, .buffered_fallback = true});
  ASSERT_TRUE(dev) << dev.error().describe();
  ASSERT_EQ(cache_policy(**dev), CachePolicy::Direct);
  auto legs = make_aligned_device(std::move(*dev));
  round_trip(*legs, 1 << 20, 700, 4);                 // the tail: 700 bytes past the last whole block
  round_trip(*legs, (1 << 20) - 512, 1212, 5);        // the last block and the tail
  round_trip(*legs, 4096, 8192, 6);                   // aligned: O_DIRECT itself
  // The aligned O_DIRECT read sees what the buffered twin wrote.
  std::vector<std::byte> block(4096);
  auto tail = pattern(1212, 5);
  ASSERT_TRUE(legs->read((1 << 20) - 4096, block));
  EXPECT_TRUE(std::equal(tail.begin(), tail.begin() + 512, block.end() - 512));
  // The io_uring / thread queue path with a misaligned op reads the same.
  auto devs = std::vector<BlockDevice*>{legs.get()};
  auto q = engine::make_io_queue(devs);
  std::vector<std::byte> got(1212);
  engine::LegIo io;
  io.kind = engine::LegIo::Kind::Read;
  io.dev = legs.get();
  io.offset = (1 << 20) - 512;
  io.length = got.size();
  io.data = got.data();
  q->submit(&io);
  q->kick();
  ASSERT_EQ(q->wait(), &io);
  ASSERT_TRUE(io.result) << io.result.error().describe();
  EXPECT_EQ(got, tail);
}

}  // namespace
}  // namespace dmirror
