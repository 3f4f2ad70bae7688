// SPDX-License-Identifier: LGPL-2.1-or-later
// status on real loop devices: a leg whose logical block size grew (its file
// re-attached with 4096-byte sectors) is left out with a geometry finding,
// and arrays are found by name - several at once - and by uuid.
#include "cli/json_schema.h"
#include "loop/loop_fixture.h"
#include "support/sizes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace dmirror::testing {
namespace {


class LoopAssembly : public LoopTest {};

TEST_F(LoopAssembly, LegWhoseBlockSizeGrewIsLeftOut) {
  const std::string fa = dir.make_image("a.img", 64 * kMiB);
  const std::string fb = dir.make_image("b.img", 64 * kMiB);
  const std::string a = attach(fa);
  std::string b = attach(fb);
  const std::string name = unique_name("geo");
  auto c = run_tool({"create", name, a, b, "--yes", "--no-activate"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
  ASSERT_EQ(run_tool({"status", a, b}).exit_code, 0);

  ASSERT_EQ(shell("losetup -d " + b).first, 0);
  loops.erase(std::find(loops.begin(), loops.end(), b));
  auto [rc, out] = shell("losetup -f --show -b 4096 " + fb);
  ASSERT_EQ(rc, 0) << out;
  b = out;
  loops.push_back(b);

  auto s = run_tool({"status", a, b});
  EXPECT_EQ(s.exit_code, 2) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "Health:      degraded")) << s.out;
  EXPECT_TRUE(contains(s.out, b + ": geometry")) << s.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(j["health"], "degraded");
  ASSERT_EQ(j["non_members"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["non_members"][0]["path"], b);
  EXPECT_EQ(j["non_members"][0]["disposition"], "geometry");
  EXPECT_EQ(j["legs"][1]["role"], "missing");
  bool named = false;
  for (const auto& f : j["findings"]) named |= f["leg"] == b;
  EXPECT_TRUE(named) << j["findings"].dump(2);

  // verify judges the same way, and a 512-byte write is not accepted onto
  // the leg (it would fail it with EINVAL): without --degraded it is
  // refused, with it the leg is left alone and the write warns.
  auto v = run_tool({"verify", a, b});
  EXPECT_EQ(v.exit_code & 2, 2) << v.out << v.err;
  const std::string payload = dir.path() + "/p.bin";
  { std::ofstream(payload, std::ios::binary) << std::string(512, 'x'); }
  const std::string b_before = read_file(fb);
  auto refused = run_tool({"io", "write", a, b, "--from", payload, "--offset", "1M"});
  EXPECT_NE(refused.exit_code, 0) << refused.out << refused.err;
  auto w = run_tool({"io", "write", a, b, "--from", payload, "--offset", "1M", "--degraded"});
  EXPECT_EQ(w.exit_code, 0) << w.out << w.err;
  EXPECT_TRUE(contains(w.err, "warning")) << w.err;
  EXPECT_TRUE(read_file(fb) == b_before) << "the left-out leg was written";
}

TEST_F(LoopAssembly, StatusBySeveralNamesAndByUuid) {
  const std::string one = unique_name("one"), two = unique_name("two");
  const std::string a1 = image_on_loop("a1.img", 64 * kMiB), b1 = image_on_loop("b1.img", 64 * kMiB);
  const std::string a2 = image_on_loop("a2.img", 64 * kMiB), b2 = image_on_loop("b2.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", one, a1, b1, "--yes", "--assume-clean"}).exit_code, 0);
  ASSERT_EQ(run_tool({"create", two, a2, b2, "--yes"}).exit_code, 0);  // initial sync pending

  auto s = run_tool({"status", one, two});
  EXPECT_EQ(s.exit_code, 2) << s.out << s.err;  // the bits of both, ORed
  EXPECT_TRUE(contains(s.out, "Array:       " + one)) << s.out;
  EXPECT_TRUE(contains(s.out, "Array:       " + two)) << s.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "status", one, two}).out);
  ASSERT_EQ(j["arrays"].size(), 2u) << j.dump(2);
  auto schema = JsonSchema::parse(read_file(std::string(DMIRROR_SOURCE_DIR) + "/docs/json.md"));
  std::vector<std::string> errors;
  schema.check(j, "command:status several", errors);
  for (const auto& e : errors) ADD_FAILURE() << e;
  EXPECT_EQ(j["arrays"][0]["name"], one);
  EXPECT_EQ(j["arrays"][0]["health"], "healthy");
  EXPECT_EQ(j["arrays"][1]["health"], "resync-pending");
  EXPECT_EQ(j["exit_code"], 2);

  const std::string uuid = j["arrays"][0]["uuid"];
  auto u = run_tool({"status", uuid});
  EXPECT_EQ(u.exit_code, 0) << u.out << u.err;
  EXPECT_TRUE(contains(u.out, "Array:       " + one)) << u.out;
  auto v = run_tool({"verify", uuid});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  auto missing = run_tool({"status", unique_name("nosuch")});
  EXPECT_EQ(missing.exit_code, 8) << missing.err;
}

}  // namespace
}  // namespace dmirror::testing

namespace dmirror::testing {
namespace {

// A loop device over a leg's block device (loop makes no holders link)
// shows the same superblock: the by-name scan keeps the leg's own device,
// once, and never reports the leg twice (a duplicate, "inconsistent").
TEST_F(LoopAssembly, ALoopDeviceOverALegIsTheLegOnceByName) {
  const std::string a = attach(dir.make_image("a.img", 64 * kMiB));
  const std::string b = attach(dir.make_image("b.img", 64 * kMiB));
  const std::string name = unique_name("stacked");
  ASSERT_EQ(run_tool({"create", name, a, b, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  const std::string over = attach(b);   // a loop device whose backing file is the block device b
  auto s = run_tool({"--json", "status", name});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  auto j = nlohmann::json::parse(s.out);
  EXPECT_EQ(j["health"], "healthy") << s.out;
  EXPECT_EQ(j["legs_found"], 2) << s.out;
  EXPECT_FALSE(contains(s.out, "duplicate")) << s.out;
  EXPECT_TRUE(contains(s.out, b)) << "the leg's own device stands for it: " << s.out;
  EXPECT_FALSE(contains(s.out, over)) << "the loop over it is a view, not the leg: " << s.out;
}

}  // namespace
}  // namespace dmirror::testing
