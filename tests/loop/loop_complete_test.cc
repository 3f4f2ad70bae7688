// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl __complete --free-devices` on real block devices: a blank
// loop device is offered (with its size) for create; one carrying a file
// system, one carrying a dmirror leg and a read-only one are not.
#include "loop/loop_fixture.h"

namespace dmirror::testing {
namespace {

class LoopComplete : public LoopTest {};

bool offered(const std::string& out, const std::string& dev) {
  return ("\n" + out).find("\n" + dev + "\t") != std::string::npos;
}

TEST_F(LoopComplete, FreeDevicesAreTheBlankOnes) {
  const std::string blank = image_on_loop("blank.img", 32 << 20);
  const std::string ext4 = image_on_loop("ext4.img", 32 << 20);
  const std::string leg0 = image_on_loop("leg0.img", 32 << 20);
  const std::string leg1 = image_on_loop("leg1.img", 32 << 20);
  const std::string ro = image_on_loop("ro.img", 32 << 20, true);
  ASSERT_EQ(shell("mkfs.ext4 -q -F " + ext4).first, 0);
  ASSERT_EQ(run_tool({"create", "vol0", leg0, leg1, "--yes"}).exit_code, 0);
  auto r = run_tool({"__complete", "--free-devices"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(offered(r.out, blank)) << r.out;
  EXPECT_NE(r.out.find(blank + "\t32 MiB\n"), std::string::npos) << r.out;
  EXPECT_FALSE(offered(r.out, ext4)) << r.out;
  EXPECT_FALSE(offered(r.out, leg0)) << r.out;
  EXPECT_FALSE(offered(r.out, leg1)) << r.out;
  EXPECT_FALSE(offered(r.out, ro)) << r.out;
}

}  // namespace
}  // namespace dmirror::testing
