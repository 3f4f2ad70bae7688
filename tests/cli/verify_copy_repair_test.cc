// SPDX-License-Identifier: LGPL-2.1-or-later
// verify --repair that rewrote a damaged superblock copy says so, naming
// the leg, exits 1 (corrected) and records a metadata_repaired event; the
// next run finds nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_tool.h"

#include <fstream>

namespace dmirror::testing {
namespace {

TEST(VerifyCopyRepair, ReportsExitsOneAndRecordsAnEvent) {
  ScratchDir dir;
  const std::string a = dir.make_image("a.img", 24 << 20), b = dir.make_image("b.img", 24 << 20);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"}).exit_code, 0);
  auto ex = nlohmann::json::parse(run_tool({"--json", "examine", b}).out);
  const uint64_t copy1 = ex["legs"][0]["copies"][1]["offset"].get<uint64_t>();
  {
    std::fstream f(b, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(copy1 + 64));
    f.write("garbage!", 8);
  }
  auto r = run_tool({"verify", a, b, "--repair"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "b.img (slot 1): superblock copy 1")) << r.out;
  EXPECT_TRUE(contains(r.out, "has been rewritten from copy 0")) << r.out;
  EXPECT_FALSE(contains(r.out, "no problems found")) << r.out;

  auto after = nlohmann::json::parse(run_tool({"--json", "examine", a, b, "--events", "50"}).out);
  bool recorded = false;
  for (const auto& leg : after["legs"])
    for (const auto& ev : leg["events"])
      recorded |= ev["type"] == "metadata_repaired" && ev["slot"] == 1;
  EXPECT_TRUE(recorded) << after.dump(1);
  EXPECT_EQ(after["legs"][1]["copies"][1]["state"], "valid");

  auto again = run_tool({"verify", a, b, "--repair"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

}  // namespace
}  // namespace dmirror::testing
