// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine and offline operations on real loop devices (O_DIRECT, real
// flushes): a bit flip written straight into one loop device is located by
// verify and repaired by scrub (three legs: majority); data written through
// the engine survives a replace. FAILS without root, never skips.
#include <dmirror/array.h>
#include <dmirror/engine.h>
#include <dmirror/legs.h>
#include <dmirror/scrub.h>
#include <dmirror/verify.h>

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "loop/loop_fixture.h"

namespace dmirror::testing {
namespace {

// Flips one bit straight on the block device, behind dmirror's back.
void flip_on_device(const std::string& dev, uint64_t offset) {
  int fd = ::open(dev.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << dev;
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, static_cast<off_t>(offset)), 1);
  c ^= 0x10;
  ASSERT_EQ(::pwrite(fd, &c, 1, static_cast<off_t>(offset)), 1);
  ::fsync(fd);
  ::close(fd);
}

class LoopEngine : public LoopTest {
 protected:
  std::vector<std::string> make_array(int n) {
    std::vector<std::string> devs;
    for (int i = 0; i < n; ++i) devs.push_back(image_on_loop("leg" + std::to_string(i) + ".img", 24 << 20));
    std::vector<std::string> args{"create", "looparr", "--assume-clean", "--yes"};
    args.insert(args.end(), devs.begin(), devs.end());
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return devs;
  }
};

TEST_F(LoopEngine, EngineWritesThroughODirectAndReadsBack) {
  auto devs = make_array(2);
  auto legs = open_legs(devs);
  ASSERT_TRUE(legs) << legs.error().describe();
  auto m = Mirror::open(legs->devices(), MirrorOptions{.io_engine = IoEngineKind::Threads});
  ASSERT_TRUE(m) << m.error().describe();
  std::vector<std::byte> data(1 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i * 13);
  ASSERT_TRUE((*m)->write(2 << 20, data));
  ASSERT_TRUE((*m)->close());
  std::vector<std::byte> back(data.size());
  auto again = Mirror::open(legs->devices(), MirrorOptions{.read_only = true});
  ASSERT_TRUE(again);
  ASSERT_TRUE((*again)->read(2 << 20, back));
  EXPECT_EQ(back, data);
}

TEST_F(LoopEngine, UringEngineOnODirectLoopDevicesMatchesTheThreadEngine) {
  auto devs = make_array(2);
  auto legs = open_legs(devs);
  ASSERT_TRUE(legs) << legs.error().describe();
  std::vector<std::byte> data(3 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = std::byte(i * 7 + i / 4096);
  for (IoEngineKind k : {IoEngineKind::Threads, IoEngineKind::Uring}) {
    auto m = Mirror::open(legs->devices(), MirrorOptions{.io_engine = k});
    ASSERT_TRUE(m) << m.error().describe();
    EXPECT_EQ((*m)->io_engine_name(), io_engine_kind_name(k));
    const uint64_t at = k == IoEngineKind::Uring ? 8 << 20 : 4 << 20;
    ASSERT_TRUE((*m)->write(at, std::span(data).subspan(0, 1 << 20)));
    ASSERT_TRUE((*m)->write(at + (1 << 20), std::span(data).subspan(1 << 20)));
    ASSERT_TRUE((*m)->close());
  }
  auto v = verify(legs->devices());
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_TRUE(v->mismatches.empty());
  std::vector<std::byte> a(data.size()), b(data.size());
  ASSERT_TRUE(legs->devices()[0]->read(kDataOffset + (4 << 20), a));
  ASSERT_TRUE(legs->devices()[1]->read(kDataOffset + (8 << 20), b));
  EXPECT_TRUE(a == data);
  EXPECT_TRUE(b == data);
}

TEST_F(LoopEngine, BitFlipOnOneLoopDeviceIsLocatedAndMajorityRepairs) {
  auto devs = make_array(3);
  {
    auto legs = open_legs(devs);
    ASSERT_TRUE(legs);
    auto m = Mirror::open(legs->devices());
    ASSERT_TRUE(m);
    std::vector<std::byte> data(4 << 20, std::byte{0x5a});
    ASSERT_TRUE((*m)->write(0, data));
    ASSERT_TRUE((*m)->close());
  }
  flip_on_device(devs[1], kDataOffset + 3 * 1024 * 1024 + 777);
  auto v = run_tool({"verify", "--json", devs[0], devs[1], devs[2]});
  EXPECT_EQ(v.exit_code, 4) << v.out << v.err;
  EXPECT_TRUE(contains(v.out, "\"offset\": 3146240")) << v.out;   // 3 MiB + 512
  auto s = run_tool({"scrub", devs[0], devs[1], devs[2], "--lock-dir", dir.path()});
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "majority (2 of 3 legs)")) << s.out;
  EXPECT_EQ(run_tool({"verify", devs[0], devs[1], devs[2]}).exit_code, 0);
}

TEST_F(LoopEngine, ReplaceOntoALoopDevice) {
  auto devs = make_array(2);
  std::string fresh = image_on_loop("new.img", 24 << 20);
  auto payload = dir.make_image("payload.bin", 0);
  { std::ofstream out(payload, std::ios::binary); for (int i = 0; i < 1 << 20; ++i) out.put(static_cast<char>(i * 5)); }
  ASSERT_EQ(run_tool({"io", "write", devs[0], devs[1], "--offset", "4M", "--from", payload}).exit_code, 0);
  auto r = run_tool({"replace", devs[0], devs[1], "--old", "0", "--new", fresh});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(run_tool({"verify", devs[1], fresh}).exit_code, 0);
  std::string back = dir.path() + "/back.bin";
  ASSERT_EQ(run_tool({"io", "read", devs[1], fresh, "--offset", "4M", "--length", "1M", "--to", back}).exit_code, 0);
  EXPECT_EQ(read_file(back), read_file(payload));
}

// A leg whose block device shrinks under an open mirror (its backing file
// truncated, `losetup -c`) answers writes past its new end with ENOSPC.
// That is the leg failing, not a full file system under an image file: the
// leg is failed and recorded on the survivor, and the write succeeds there.
TEST_F(LoopEngine, ALegThatShrinksUnderTheEngineIsFailedNotOutOfSpace) {
  auto devs = make_array(2);
  auto legs = open_legs(devs);
  ASSERT_TRUE(legs) << legs.error().describe();
  auto m = Mirror::open(legs->devices(), MirrorOptions{.io_engine = IoEngineKind::Uring});
  ASSERT_TRUE(m) << m.error().describe();
  std::vector<std::byte> data(64 * 1024, std::byte{0x5a});
  ASSERT_TRUE((*m)->write(0, data));
  ASSERT_EQ(shell("truncate -s 12M " + dir.path() + "/leg1.img && losetup -c " + devs[1]).first, 0);
  const uint64_t past = 14 << 20;   // data area offset: leg offset 22 MiB, past the new 12 MiB end
  Status st = (*m)->write(past, data);
  EXPECT_TRUE(st) << st.error().describe();
  auto state = (*m)->legs();
  EXPECT_EQ(state[1].state, LegState::Failed);
  EXPECT_EQ(state[0].state, LegState::InSync);
  bool failed_finding = false;
  for (const auto& f : (*m)->findings()) {
    EXPECT_NE(f.code, "leg-out-of-space") << f.message;
    failed_finding = failed_finding || f.code == "leg-failed";
  }
  EXPECT_TRUE(failed_finding);
  ASSERT_TRUE((*m)->close());
  auto s = run_tool({"--json", "status", devs[0]});
  EXPECT_TRUE(contains(s.out, "\"failed\"")) << s.out;
  std::vector<std::byte> back(data.size());
  auto again = Mirror::open(std::vector<BlockDevice*>{legs->devices()[0]},
                            MirrorOptions{.read_only = true, .allow_degraded = true});
  ASSERT_TRUE(again) << again.error().describe();
  ASSERT_TRUE((*again)->read(past, back));
  EXPECT_EQ(back, data);
}

}  // namespace
}  // namespace dmirror::testing
