// SPDX-License-Identifier: LGPL-2.1-or-later
// Read errors on real block devices (loop devices, O_DIRECT, real flushes):
// the failing reads are injected by a FaultyDevice in front of one leg (a
// bad block the drive remaps on write, or one that stays bad); the rewrite,
// flush and read-back go to the loop device itself. The counters reach the
// superblocks on disk, `status` shows them and `clear` zeroes them.
// FAILS without root, never skips.
#include <dmirror/array.h>
#include <dmirror/legs.h>
#include <dmirror/scrub.h>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "loop/loop_fixture.h"
#include "support/faulty_device.h"

namespace dmirror::testing {
namespace {

constexpr uint64_t kLegSize = 24 << 20;
constexpr uint64_t kBad = 1 << 20;           // bytes into the data area

void fill_data(const std::string& dev, uint64_t len) {
  int fd = ::open(dev.c_str(), O_RDWR);
  ASSERT_GE(fd, 0) << dev;
  std::vector<char> buf(len);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>(i * 7 + i / 4096);
  ASSERT_EQ(::pwrite(fd, buf.data(), buf.size(), kDataOffset), static_cast<ssize_t>(buf.size()));
  ::fsync(fd);
  ::close(fd);
}

class LoopReadHeal : public LoopTest {
 protected:
  std::vector<std::string> make_array(int n) {
    std::vector<std::string> devs;
    for (int i = 0; i < n; ++i) devs.push_back(image_on_loop("leg" + std::to_string(i) + ".img", kLegSize));
    std::vector<std::string> args{"create", "healarr", "--assume-clean", "--yes"};
    args.insert(args.end(), devs.begin(), devs.end());
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (auto& d : devs) fill_data(d, 4 << 20);
    return devs;
  }
  ScrubOptions check_only() {
    ScrubOptions o;
    o.repair = false;   // check mode heals read errors too
    return o;
  }
};

TEST_F(LoopReadHeal, ScrubRewritesABlockThatFailsToReadAndCountsIt) {
  auto devs = make_array(2);
  {
    auto legs = open_legs(devs);
    ASSERT_TRUE(legs) << legs.error().describe();
    FaultyDevice leg1(legs->owned[1].get());
    leg1.fail_reads_until_written(kDataOffset + kBad, 4096);
    std::vector<BlockDevice*> v{legs->owned[0].get(), &leg1};
    auto r = scrub(v, check_only());
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->corrected, 1u);
    EXPECT_EQ(r->result, ScrubResult::Clean);
    EXPECT_FALSE(r->degraded);
    EXPECT_EQ(leg1.injected(), 2u) << "the chunk read and the block re-read failed; the read-back did not";
  }
  auto j = nlohmann::json::parse(run_tool({"--json", "status", devs[0], devs[1]}).out);
  ASSERT_EQ(j["legs"].size(), 2u);
  EXPECT_EQ(j["legs"][1]["state"], "in_sync");
  EXPECT_EQ(j["legs"][1]["read_errors"], 1);
  EXPECT_EQ(j["legs"][1]["corrected"], 1);
  EXPECT_EQ(j["legs"][1]["write_errors"], 0);
  EXPECT_EQ(j["legs"][0]["read_errors"], 0);
  auto again = run_tool({"scrub", "--check-only", devs[0], devs[1], "--lock-dir", dir.path()});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST_F(LoopReadHeal, ABlockThatStaysBadFailsTheLegAndTheScrubReportsDegraded) {
  auto devs = make_array(3);
  {
    auto legs = open_legs(devs);
    ASSERT_TRUE(legs) << legs.error().describe();
    FaultyDevice leg2(legs->owned[2].get());
    leg2.fail_always(FaultOp::Read, kDataOffset + kBad, 4096);
    std::vector<BlockDevice*> v{legs->owned[0].get(), legs->owned[1].get(), &leg2};
    auto r = scrub(v, check_only());
    ASSERT_TRUE(r) << r.error().describe();
    EXPECT_EQ(r->result, ScrubResult::Clean);
    EXPECT_TRUE(r->degraded);
  }
  auto j = nlohmann::json::parse(run_tool({"--json", "status", devs[0], devs[1], devs[2]}).out);
  ASSERT_EQ(j["legs"].size(), 3u);
  EXPECT_EQ(j["legs"][2]["state"], "failed");
  EXPECT_EQ(j["legs"][2]["read_errors"], 1);
  EXPECT_EQ(j["legs"][2]["write_errors"], 1);
  EXPECT_EQ(j["legs"][2]["corrected"], 0);
  // The scheduled check of the degraded array fails (bit 2).
  auto s = run_tool({"scrub", "--check-only", devs[0], devs[1], devs[2], "--lock-dir", dir.path()});
  EXPECT_EQ(s.exit_code, 2) << s.out << s.err;
  auto cleared = run_tool({"--json", "clear", devs[0], devs[1], devs[2], "--leg", "2"});
  ASSERT_EQ(cleared.exit_code, 0) << cleared.out << cleared.err;
  auto c = nlohmann::json::parse(cleared.out);
  ASSERT_EQ(c["cleared"].size(), 1u);
  EXPECT_EQ(c["cleared"][0]["slot"], 2);
  EXPECT_EQ(c["cleared"][0]["write_errors"], 1);
  auto after = nlohmann::json::parse(run_tool({"--json", "status", devs[0], devs[1], devs[2]}).out);
  EXPECT_EQ(after["legs"][2]["read_errors"], 0);
  EXPECT_EQ(after["legs"][2]["write_errors"], 0);
}

}  // namespace
}  // namespace dmirror::testing
