// SPDX-License-Identifier: LGPL-2.1-or-later
// The io_uring engine on fd-backed legs (image files, buffered and
// O_DIRECT): Mirror reports "io_uring" and leaves exactly the bytes the
// sync and thread engines leave; in-memory legs fall back to threads; the
// offline operations (which read every leg ahead through an io_uring
// queue on files) find, locate and repair the same mismatches as on
// in-memory legs; a leg cut short behind the array's back is a located
// read error, not a crash or a silent pass. This machine's kernel must
// allow io_uring (the tests say so when io_uring_queue_init is refused).
#include <dmirror/engine.h>
#include <dmirror/legs.h>
#include <dmirror/replace.h>
#include <dmirror/resync.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <gtest/gtest.h>
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include <thread>

#include "engine/io_queue.h"
#include "support/legs_fixture.h"
#include "support/scratch.h"
#include "support/test_array.h"

namespace dmirror {
namespace {

using testing::pattern;

constexpr uint64_t kDataSize = 4 * 1024 * 1024;

bool kernel_allows_io_uring() {
  io_uring_params p{};
  long fd = ::syscall(__NR_io_uring_setup, 4, &p);
  if (fd < 0) return false;
  ::close(static_cast<int>(fd));
  return true;
}

// N image files formatted as an array (64 KiB regions), opened as legs.
struct FileLegs {
  explicit FileLegs(uint32_t n, bool direct = false, uint64_t region = 64 * 1024) {
    testing::TestArrayOptions o{.legs = n, .data_size = kDataSize, .region_size = region};
    for (uint32_t i = 0; i < n; ++i) {
      paths.push_back(dir.make_image("leg" + std::to_string(i) + ".img", testing::test_leg_size(o)));
      auto d = open_device(paths.back(), OpenOptions{.writable = true, .direct = direct, .exclusive = false});
      EXPECT_TRUE(d) << d.error().describe();
      owned.push_back(direct ? make_aligned_device(std::move(*d)) : std::move(*d));
    }
    auto sb = testing::format_test_array(devices(), o);
    EXPECT_TRUE(sb) << sb.error().describe();
  }
  std::vector<BlockDevice*> devices() {
    std::vector<BlockDevice*> v;
    for (auto& d : owned) v.push_back(d.get());
    return v;
  }
  std::string contents(uint32_t i) { return testing::read_file(paths[i]); }
  void poke(uint32_t i, uint64_t data_pos, std::span<const std::byte> bytes) {
    ASSERT_TRUE(owned[i]->write(testing::kTestDataOffset + data_pos, bytes));
  }

  testing::ScratchDir dir;
  std::vector<std::string> paths;
  std::vector<std::unique_ptr<BlockDevice>> owned;
};

// A mixed workload: concurrent writers (group commit), overlapping and
// unaligned-in-memory buffers, flushes, then close.
void workload(Mirror& m) {
  std::vector<std::thread> writers;
  for (uint32_t t = 0; t < 4; ++t) {
    writers.emplace_back([&m, t] {
      for (uint32_t i = 0; i < 24; ++i) {
        auto data = pattern(4096 * (1 + i % 3), t * 100 + i);
        const uint64_t off = ((t * 24 + i) * 37 % 900) * 4096;
        EXPECT_TRUE(m.write(off, data));
        if (i % 8 == 7) {
          EXPECT_TRUE(m.flush());
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  // Overlapping writes in one thread: the later one must win.
  EXPECT_TRUE(m.write(8192, pattern(16384, 7)));
  EXPECT_TRUE(m.write(12288, pattern(4096, 8)));
  std::vector<std::byte> odd(4096 + 1);
  auto p = pattern(4096, 9);
  std::copy(p.begin(), p.end(), odd.begin() + 1);
  EXPECT_TRUE(m.write(65536, std::span(odd).subspan(1)));   // buffer not 4 KiB aligned
  EXPECT_TRUE(m.close());
}

class UringEngine : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kernel_allows_io_uring())
        << "io_uring_queue_init is refused here (kernel.io_uring_disabled, seccomp or ENOSYS)";
  }
};

TEST_F(UringEngine, ReportsIoUringOnImageFiles) {
  FileLegs legs(2);
  auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ((*m)->io_engine_name(), "io_uring");
  ASSERT_TRUE((*m)->close());
}

TEST_F(UringEngine, ReportsIoUringOnODirectImageFiles) {
  FileLegs legs(2, /*direct=*/true);
  auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ((*m)->io_engine_name(), "io_uring");
  workload(**m);
  EXPECT_TRUE(legs.contents(0).substr(testing::kTestDataOffset) == legs.contents(1).substr(testing::kTestDataOffset));
}

TEST_F(UringEngine, InMemoryLegsFallBackToThreads) {
  testing::TestLegs legs;
  auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)->io_engine_name(), "threads");
}

TEST_F(UringEngine, LeavesTheSameBytesAsTheOtherEngines) {
  // Data areas only: superblocks carry times and uuids.
  auto data_of = [](FileLegs& l, uint32_t i) {
    std::vector<std::byte> buf(kDataSize);
    EXPECT_TRUE(l.owned[i]->read(testing::kTestDataOffset, buf));
    return buf;
  };
  std::vector<std::vector<std::byte>> results;
  for (IoEngineKind k : {IoEngineKind::Sync, IoEngineKind::Threads, IoEngineKind::Uring}) {
    FileLegs legs(2);
    auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = k});
    ASSERT_TRUE(m);
    EXPECT_EQ((*m)->io_engine_name(), io_engine_kind_name(k));
    // Single-threaded, so the result is deterministic across engines.
    for (uint32_t i = 0; i < 64; ++i) ASSERT_TRUE((*m)->write((i * 53 % 1000) * 4096, pattern(8192, i)));
    ASSERT_TRUE((*m)->close());
    auto d0 = data_of(legs, 0);
    EXPECT_TRUE(d0 == data_of(legs, 1)) << io_engine_kind_name(k);
    results.push_back(std::move(d0));
  }
  EXPECT_TRUE(results[0] == results[1]) << "sync and threads differ";
  EXPECT_TRUE(results[0] == results[2]) << "sync and io_uring differ";
}

TEST_F(UringEngine, VerifyAndScrubOnFilesMatchInMemoryResults) {
  auto run = [](std::vector<BlockDevice*> devs, std::function<void(uint32_t, uint64_t, std::span<const std::byte>)> poke,
                const std::string& lock_dir) {
    poke(0, 0, pattern(kDataSize, 3));
    poke(1, 0, pattern(kDataSize, 3));
    poke(2, 0, pattern(kDataSize, 3));
    poke(1, 1000000, pattern(1, 4));    // one byte differs on slot 1
    poke(2, 3000000, pattern(600, 5));  // a span differs on slot 2
    auto v = verify(devs);
    EXPECT_TRUE(v);
    ScrubOptions so;
    so.lock_dir = lock_dir;
    auto s = scrub(devs, so);
    EXPECT_TRUE(s) << s.error().describe();
    auto after = verify(devs);
    EXPECT_TRUE(after);
    EXPECT_TRUE(after->mismatches.empty());
    return std::make_pair(v->mismatches, s->found);
  };
  FileLegs files(3);
  auto on_files = run(files.devices(), [&](uint32_t i, uint64_t p, auto b) { files.poke(i, p, b); }, files.dir.path());
  testing::TestLegs mem({.legs = 3, .data_size = kDataSize, .region_size = 64 * 1024});
  auto on_mem = run(mem.devices(), [&](uint32_t i, uint64_t p, auto b) { mem.poke(i, p, b); }, files.dir.path());
  ASSERT_EQ(on_files.first.size(), 2u);
  ASSERT_EQ(on_files.first.size(), on_mem.first.size());
  for (size_t i = 0; i < on_files.first.size(); ++i) {
    EXPECT_EQ(on_files.first[i].offset, on_mem.first[i].offset);
    EXPECT_EQ(on_files.first[i].length, on_mem.first[i].length);
    EXPECT_EQ(on_files.first[i].differ, on_mem.first[i].differ);
    EXPECT_EQ(on_files.first[i].digests.size(), on_mem.first[i].digests.size());
  }
  EXPECT_EQ(on_files.second.size(), 2u);
  EXPECT_TRUE(files.contents(0).substr(testing::kTestDataOffset) == files.contents(1).substr(testing::kTestDataOffset));
  EXPECT_TRUE(files.contents(0).substr(testing::kTestDataOffset) == files.contents(2).substr(testing::kTestDataOffset));
}

TEST_F(UringEngine, ResyncAndReplaceOnFilesCopyEveryByte) {
  FileLegs legs(2);
  legs.poke(0, 0, pattern(kDataSize, 11));
  ResyncOptions ro;
  ro.full = true;
  ro.checkpoint_bytes = 1024 * 1024;
  auto r = resync(legs.devices(), ro);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->bytes_copied, kDataSize);
  std::vector<std::byte> a(kDataSize), b(kDataSize);
  ASSERT_TRUE(legs.owned[0]->read(testing::kTestDataOffset, a));
  ASSERT_TRUE(legs.owned[1]->read(testing::kTestDataOffset, b));
  EXPECT_TRUE(a == b);

  const std::string fresh_path = legs.dir.make_image("new.img", testing::kTestDataOffset + kDataSize);
  auto fresh = open_device(fresh_path, OpenOptions{.writable = true, .exclusive = false});
  ASSERT_TRUE(fresh);
  auto rep = replace(legs.devices(), 0, **fresh);
  ASSERT_TRUE(rep) << rep.error().describe();
  EXPECT_EQ(rep->bytes_copied, kDataSize);
  EXPECT_EQ(rep->bytes_verified, kDataSize);
  ASSERT_TRUE((*fresh)->read(testing::kTestDataOffset, b));
  EXPECT_TRUE(a == b);
}

TEST_F(UringEngine, ALegCutShortIsALocatedReadError) {
  FileLegs legs(2);
  ASSERT_EQ(::truncate(legs.paths[1].c_str(), static_cast<off_t>(testing::kTestDataOffset + kDataSize / 2)), 0);
  auto v = verify(legs.devices());
  ASSERT_TRUE(v) << v.error().describe();
  bool located = false;
  for (const auto& f : v->findings)
    if (f.code == "leg-read-error" && f.slot == 1 && f.message.find("short read") != std::string::npos) located = true;
  EXPECT_TRUE(located);
}

// A submission the ring refuses (io_uring_submit_and_wait fails with an
// unexpected error): the SQEs the kernel did not take run through the
// device instead, so the write is really done on every leg before it is
// acknowledged, and the mirror keeps working.
TEST_F(UringEngine, RefusedSubmissionNeverReportsAnOpDoneThatWasNot) {
  FileLegs legs(2);
  auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m) << m.error().describe();
  ASSERT_EQ((*m)->io_engine_name(), "io_uring");
  ASSERT_TRUE((*m)->write(0, pattern(4096, 1)));
  engine::inject_uring_submit_fault({.err = ENOMEM, .nth = 1});
  auto data = pattern(65536, 2);
  ASSERT_TRUE((*m)->write(8192, data));
  for (uint32_t i = 0; i < 2; ++i) {
    std::vector<std::byte> back(data.size());
    ASSERT_TRUE(legs.owned[i]->read(testing::kTestDataOffset + 8192, back));
    EXPECT_TRUE(back == data) << "slot " << i << ": acknowledged but not written";
  }
  workload(**m);
  EXPECT_TRUE(legs.contents(0).substr(testing::kTestDataOffset) == legs.contents(1).substr(testing::kTestDataOffset));
}

// The failure is seen while ops are in the kernel's hands: they are waited
// for (their buffers stay alive) and report their real completion.
TEST_F(UringEngine, InFlightOpsOfAFailedRingAreWaitedFor) {
  FileLegs legs(2, /*direct=*/true);
  auto m = Mirror::open(legs.devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m) << m.error().describe();
  ASSERT_TRUE((*m)->write(0, pattern(4096, 1)));
  engine::inject_uring_submit_fault({.err = EIO, .nth = 1, .submit_first = true});
  auto data = pattern(1 << 20, 3);
  ASSERT_TRUE((*m)->write(1 << 20, data));
  for (uint32_t i = 0; i < 2; ++i) {
    std::vector<std::byte> back(data.size());
    ASSERT_TRUE(legs.owned[i]->read(testing::kTestDataOffset + (1 << 20), back));
    EXPECT_TRUE(back == data) << "slot " << i;
  }
  workload(**m);
  EXPECT_TRUE(legs.contents(0).substr(testing::kTestDataOffset) == legs.contents(1).substr(testing::kTestDataOffset));
}

}  // namespace
}  // namespace dmirror
