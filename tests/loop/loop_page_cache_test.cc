// SPDX-License-Identifier: LGPL-2.1-or-later
// The offline operations on image files keep out of the page cache: after
// verify, scrub and resync --full of legs larger than a file the host had
// cached, that file is still entirely cached, and no page of the legs'
// data areas is left in the cache (mincore(2)). The legs live on the
// machine's disk (a tmpfs would make the page cache the storage itself).
// Also with O_DIRECT refused (the drop-behind fallback, through the library).
#include <dmirror/array.h>
#include <dmirror/legs.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include "io/posix_device.h"
#include "loop/loop_fixture.h"
#include "support/sizes.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <random>

namespace dmirror::testing {
namespace {

constexpr uint64_t kCacheLegSize = 72 * kMiB;
constexpr uint64_t kDataSize = 63 * kMiB;     // the data area: the leg's last 64 KiB hold superblock copy 2
constexpr uint64_t kHotSize = 16 * kMiB;      // the host's "working set", smaller than a leg

// A directory on a disk file system (not tmpfs/ramfs): the build tree's.
std::string disk_base() {
  for (const char* c : std::initializer_list<const char*>{std::getenv("DMIRROR_DISK_TMPDIR"), "/var/tmp", "."}) {
    if (!c || !*c) continue;
    struct statfs sf {};
    if (::statfs(c, &sf) == 0 && sf.f_type != TMPFS_MAGIC && sf.f_type != RAMFS_MAGIC)
      return std::filesystem::absolute(c).string();
  }
  return {};
}

// Pages of [offset, offset + len) of `path` in the page cache, and the page count.
std::pair<size_t, size_t> resident(const std::string& path, uint64_t offset, uint64_t len) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) return {0, 0};
  void* m = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
  ::close(fd);
  if (m == MAP_FAILED) return {0, 0};
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> vec((len + page - 1) / page);
  size_t in = 0;
  if (::mincore(m, len, vec.data()) == 0)
    for (unsigned char v : vec) in += v & 1;
  ::munmap(m, len);
  return {in, vec.size()};
}

void write_file(const std::string& path, uint64_t offset, uint64_t len, uint32_t seed) {
  int fd = ::open(path.c_str(), O_WRONLY);
  ASSERT_GE(fd, 0) << path;
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> buf(kMiB / 8);
  for (uint64_t done = 0; done < len; done += kMiB) {
    for (auto& w : buf) w = rng();
    ASSERT_EQ(::pwrite(fd, buf.data(), kMiB, static_cast<off_t>(offset + done)), static_cast<ssize_t>(kMiB));
  }
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
}

void evict(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fdatasync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
}

class PageCacheTest : public LoopTest {
 protected:
  std::string base, a, b, hot;
  void SetUp() override {
    LoopTest::SetUp();
    const std::string root = disk_base();
    ASSERT_FALSE(root.empty()) << "no disk file system for the images (set DMIRROR_DISK_TMPDIR)";
    base = root + "/dmirror-pagecache-XXXXXX";
    ASSERT_NE(::mkdtemp(base.data()), nullptr);
    a = base + "/a.img";
    b = base + "/b.img";
    hot = base + "/hot.dat";
    for (const auto& p : {a, b, hot}) ASSERT_EQ(::close(::open(p.c_str(), O_CREAT | O_WRONLY, 0600)), 0);
    ASSERT_EQ(::truncate(a.c_str(), kCacheLegSize), 0);
    ASSERT_EQ(::truncate(b.c_str(), kCacheLegSize), 0);
    ASSERT_EQ(::truncate(hot.c_str(), kHotSize), 0);
    auto made = run_tool({"create", "pc", a, b, "--assume-clean", "--yes"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    write_file(a, kDataOffset, kDataSize, 7);
    write_file(b, kDataOffset, kDataSize, 7);
    write_file(hot, 0, kHotSize, 9);
    evict(a);
    evict(b);
    // The working set: read it, so all of it is cached.
    std::string sink = read_file(hot);
    ASSERT_EQ(sink.size(), kHotSize);
    ASSERT_EQ(resident(hot, 0, kHotSize).first, resident(hot, 0, kHotSize).second);
    ASSERT_EQ(resident(a, kDataOffset, kDataSize).first, 0u);
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(base, ec);
    LoopTest::TearDown();
  }

  // The working set is still all cached; no page of either data area is.
  void expect_cache_untouched(const std::string& after) {
    auto [hot_in, hot_pages] = resident(hot, 0, kHotSize);
    EXPECT_EQ(hot_in, hot_pages) << "the host's cached file lost pages to " << after;
    for (const auto& leg : {a, b}) {
      auto [in, pages] = resident(leg, kDataOffset, kDataSize);
      EXPECT_EQ(in, 0u) << after << " left " << in << " of " << pages << " data pages of " << leg << " cached";
    }
  }
};

TEST_F(PageCacheTest, VerifyScrubAndResyncLeaveThePageCacheAlone) {
  auto v = run_tool({"verify", a, b});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  expect_cache_untouched("verify");
  auto s = run_tool({"scrub", a, b, "--lock-dir", base});
  EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
  expect_cache_untouched("scrub");
  auto r = run_tool({"resync", "--full", a, b});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_cache_untouched("resync --full");
  // The legs still agree after the copy.
  auto v2 = run_tool({"verify", a, b});
  EXPECT_EQ(v2.exit_code, 0) << v2.out << v2.err;
}

TEST_F(PageCacheTest, DropBehindFallbackLeavesThePageCacheAlone) {
  io::refuse_direct_file_opens(EINVAL);
  auto legs = open_legs({a, b}, OpenLegsOptions{.writable = true, .direct = true, .direct_files = true});
  io::refuse_direct_file_opens(0);
  ASSERT_TRUE(legs) << legs.error().describe();
  ASSERT_EQ(legs->drop_behind_paths().size(), 2u);
  auto r = verify(legs->devices());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_TRUE(r->mismatches.empty());
  expect_cache_untouched("verify (drop-behind)");
  ScrubOptions so;
  auto s = scrub(legs->devices(), so);
  ASSERT_TRUE(s) << s.error().describe();
  expect_cache_untouched("scrub (drop-behind)");
}

}  // namespace
}  // namespace dmirror::testing
