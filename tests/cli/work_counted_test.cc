// SPDX-License-Identifier: LGPL-2.1-or-later
// Summaries count only work that was done: a full resync with one leg copies
// nothing and says so (0 regions, 0 bytes), text and JSON.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

class WorkCounted : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }
};

TEST_F(WorkCounted, AFullResyncOfOneLegCopiesNothing) {
  // With both legs in sync a full resync copies every region.
  auto both = nlohmann::json::parse(run_tool({"--json", "resync", "--full", a, b}).out);
  EXPECT_GT(both["regions_copied"].get<uint64_t>(), 0u) << both.dump(2);
  LegSnapshot b_before({b});
  // b absent: refused without consent (it would be recorded missing), and
  // nothing is written.
  auto refused = run_tool({"resync", "--full", a});
  EXPECT_EQ(refused.exit_code, 8) << refused.out << refused.err;
  EXPECT_TRUE(contains(refused.err, "--degraded")) << refused.err;
  b_before.expect_unchanged();
  auto r = run_tool({"resync", "--full", "--degraded", a});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "resync (full) from slot 0: 0 regions copied")) << r.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "resync", "--full", "--degraded", a}).out);
  EXPECT_EQ(j["regions_copied"], 0) << j.dump(2);
  EXPECT_EQ(j["bytes_copied"], 0) << j.dump(2);
  b_before.expect_unchanged();
}

}  // namespace
}  // namespace dmirror::testing
