// SPDX-License-Identifier: LGPL-2.1-or-later
// An administrator's break test on real block devices: slot 0 carries rot
// (silent corruption) in a region, and elsewhere in that region a block
// slot 0 cannot read. A scrub heals the unreadable block and is killed
// (SIGKILL) at the rewrite. The heal is not marked in the journal
// (FORMAT.md 1.1), so nothing makes the region look like a crash window:
// status does not ask for a resync, and a resync run anyway does not copy
// the rot of slot 0 over the good copy on slot 1.
// FAILS without root, never skips.
#include <dmirror/array.h>
#include <dmirror/legs.h>
#include <dmirror/scrub.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "loop/loop_fixture.h"
#include "support/faulty_device.h"

namespace dmirror::testing {
namespace {

constexpr uint64_t kKillLegSize = 24 << 20;
constexpr uint64_t kKillBad = 1 << 20;               // bytes into the data area: slot 0 cannot read it
constexpr uint64_t kRot = kKillBad + (256 << 10);    // same 1 MiB region: slot 0 holds rot there

std::vector<char> read_at(const std::string& dev, uint64_t off, size_t len) {
  std::vector<char> buf(len);
  int fd = ::open(dev.c_str(), O_RDONLY);
  if (fd < 0) return {};
  const ssize_t n = ::pread(fd, buf.data(), len, static_cast<off_t>(off));
  ::close(fd);
  if (n != static_cast<ssize_t>(len)) return {};
  return buf;
}

void write_at(const std::string& dev, uint64_t off, const std::vector<char>& data) {
  int fd = ::open(dev.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << dev;
  ASSERT_EQ(::pwrite(fd, data.data(), data.size(), static_cast<off_t>(off)), static_cast<ssize_t>(data.size()));
  ::fsync(fd);
  ::close(fd);
}

// Slot 0 as the scrub sees it: the block at kKillBad fails to read until it is
// written, and the process is killed (SIGKILL) as the rewrite is issued.
class KilledAtRewrite : public FaultyDevice {
 public:
  using FaultyDevice::FaultyDevice;
  Status write(uint64_t offset, std::span<const std::byte> buf) override {
    if (offset < kDataOffset + kKillBad + 4096 && offset + buf.size() > kDataOffset + kKillBad) ::raise(SIGKILL);
    return FaultyDevice::write(offset, buf);
  }
};

class LoopHealKill : public LoopTest {};

TEST_F(LoopHealKill, AHealKilledMidRewriteLeavesNoCrashWindowAndResyncKeepsTheGoodCopy) {
  std::vector<std::string> devs{image_on_loop("leg0.img", kKillLegSize), image_on_loop("leg1.img", kKillLegSize)};
  auto c = run_tool({"create", "healkill", "--assume-clean", "--yes", "--region-size", "1M", devs[0], devs[1]});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  std::vector<char> data(4 << 20);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  for (auto& d : devs) write_at(d, kDataOffset, data);
  const std::vector<char> good(data.begin() + kRot, data.begin() + kRot + 4096);
  const std::vector<char> rot(4096, 'R');
  write_at(devs[0], kDataOffset + kRot, rot);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto legs = open_legs(devs);
    if (!legs) ::_exit(3);
    KilledAtRewrite leg0(legs->owned[0].get());
    leg0.fail_reads_until_written(kDataOffset + kKillBad, 4096);
    std::vector<BlockDevice*> v{&leg0, legs->owned[1].get()};
    ScrubOptions o;
    o.repair = false;   // a check heals read errors too
    (void)scrub(v, o);
    ::_exit(4);         // the rewrite was never issued
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the scrub did not reach the rewrite: " << status;

  auto s = run_tool({"--json", "status", devs[0], devs[1]});
  auto j = nlohmann::json::parse(s.out);
  EXPECT_NE(j["health"], "resync-pending") << s.out;
  EXPECT_EQ(j["legs"][0]["state"], "in_sync") << s.out;
  EXPECT_EQ(j["legs"][1]["state"], "in_sync") << s.out;
  // What status would recommend after a crash: it must not spread the rot.
  auto r = run_tool({"resync", devs[0], devs[1]});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "0 regions copied")) << r.out;
  EXPECT_EQ(read_at(devs[1], kDataOffset + kRot, 4096), good) << "the rot of slot 0 was copied over slot 1: " << r.out;
  EXPECT_EQ(read_at(devs[0], kDataOffset + kRot, 4096), rot) << "the rot was 'repaired' without evidence";
  // The next check still finds the mismatch, with the same evidence as before.
  auto chk = run_tool({"scrub", "--check-only", devs[0], devs[1], "--lock-dir", dir.path()});
  EXPECT_EQ(chk.exit_code & 4, 4) << chk.out << chk.err;
}

}  // namespace
}  // namespace dmirror::testing
