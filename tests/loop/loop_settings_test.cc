// SPDX-License-Identifier: LGPL-2.1-or-later
// `set` offline on real loop devices, the array named by its name (found
// by scanning the block devices) and its legs by device path: the settings
// reach every leg, `status` shows them, and refusals leave every leg
// byte-identical.
#include "cli/bad_input_util.h"
#include "loop/loop_fixture.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <nlohmann/json.hpp>

#include <unistd.h>

namespace dmirror::testing {
namespace {

class LoopSettings : public LoopTest {
 protected:
  std::string name = "settings" + std::to_string(::getpid());
  std::string a, b, c;

  void SetUp() override {
    LoopTest::SetUp();
    a = image_on_loop("a.img", 64 * kMiB);
    b = image_on_loop("b.img", 64 * kMiB);
    c = image_on_loop("c.img", 64 * kMiB);
    auto r = run_tool({"create", name, a, b, c, "--yes", "--no-activate", "--assume-clean"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  Superblock superblock(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m) << m.error().describe();
    return m ? m->sb : Superblock{};
  }
};

TEST_F(LoopSettings, ByNameAndByDevicePathOnEveryLeg) {
  auto r = run_tool({"set", name, "--write-mostly", c, "--max-recovery-rate", "64M", "--min-recovery-rate", "2M"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& leg : {a, b, c}) {
    const Superblock sb = superblock(leg);
    EXPECT_TRUE(sb.legs[2].flags & legflag::kWriteMostly) << leg;
    EXPECT_FALSE(sb.legs[0].flags & legflag::kWriteMostly) << leg;
    EXPECT_EQ(sb.kernel.max_recovery_rate, 64u * 1024) << leg;
    EXPECT_EQ(sb.kernel.min_recovery_rate, 2u * 1024) << leg;
  }
  auto st = run_tool({"--json", "status", name});
  ASSERT_EQ(st.exit_code, 0) << st.out << st.err;
  auto doc = nlohmann::json::parse(st.out);
  EXPECT_EQ(doc["settings"]["write_mostly"], nlohmann::json::array({2}));
  EXPECT_EQ(doc["settings"]["max_recovery_rate"], 64 * 1024);
  EXPECT_EQ(doc["legs"][2]["write_mostly"], true);
  // Unset by slot number and by rate 0.
  ASSERT_EQ(run_tool({"set", name, "--no-write-mostly", "2", "--min-recovery-rate", "0"}).exit_code, 0);
  EXPECT_FALSE(superblock(a).legs[2].flags & legflag::kWriteMostly);
  EXPECT_EQ(superblock(b).kernel.min_recovery_rate, 0u);
  EXPECT_EQ(superblock(b).kernel.max_recovery_rate, 64u * 1024);
}

TEST_F(LoopSettings, RefusalsLeaveEveryLegByteIdentical) {
  ASSERT_EQ(run_tool({"set", name, "--write-mostly", a, "--write-mostly", b}).exit_code, 0);
  expect_refused({"set", name, "--write-mostly", c}, 8, "would be write-mostly", {a, b, c});
  expect_refused({"set", name, "--write-mostly", "9"}, 16, "slot 9 is not a leg of array '" + name + "'", {a, b, c});
  expect_refused({"set", name, "--max-recovery-rate", "1M", "--min-recovery-rate", "2M"}, 16,
                 "would be above the maximum", {a, b, c});
  expect_refused({"set", name, "--max-recovery-rate", "lots"}, 16, "--max-recovery-rate", {a, b, c});
  // A member absent (its loop device detached): --degraded, or nothing.
  ASSERT_EQ(shell("losetup -d " + c).first, 0);
  loops.pop_back();
  expect_refused({"set", a, b, "--max-recovery-rate", "8M"}, 8, "--degraded", {a, b});
}

}  // namespace
}  // namespace dmirror::testing
