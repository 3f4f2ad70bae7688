// SPDX-License-Identifier: LGPL-2.1-or-later
// The real dmirrorctl on image files: create, then examine, status and list,
// as text and as JSON (output_version first, kernel vocabulary).
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

using json = nlohmann::ordered_json;

class CreateFlow : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  json parse(const ToolResult& r) {
    json j = json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    EXPECT_EQ(j.begin().key(), "output_version") << r.out;
    EXPECT_EQ(j["output_version"]["major"], 1);
    EXPECT_EQ(j["output_version"]["minor"], 9);
    return j;
  }
};

TEST_F(CreateFlow, TextOutput) {
  auto c = run_tool({"create", "vol0", a, b, "--yes", "--assume-clean"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_TRUE(contains(c.out, "Created array 'vol0'")) << c.out;
  EXPECT_TRUE(contains(c.out, "55 MiB")) << c.out;
  EXPECT_TRUE(contains(c.out, "Not activated")) << c.out;   // run_tool formats only

  auto e = run_tool({"examine", a});
  ASSERT_EQ(e.exit_code, 0) << e.out << e.err;
  for (const char* s : {"vol0", "copy 0 at 0", "copy 1 at 65536", "valid", "in_sync", "Journal:", "created"}) {
    EXPECT_TRUE(contains(e.out, s)) << s << "\n" << e.out;
  }

  auto s = run_tool({"status", a, b});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "Health:      healthy")) << s.out;
  EXPECT_TRUE(contains(s.out, "2 of 2 found")) << s.out;

  auto l = run_tool({"list", a, b});
  ASSERT_EQ(l.exit_code, 0) << l.out << l.err;
  EXPECT_TRUE(contains(l.out, "vol0")) << l.out;
  EXPECT_TRUE(contains(l.out, "2/2")) << l.out;
  EXPECT_TRUE(contains(l.out, a)) << l.out;
}

TEST_F(CreateFlow, JsonOutput) {
  auto c = run_tool({"--json", "create", "vol0", a, b, "--yes", "--region-size", "1M", "--write-mostly", "1"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  json cj = parse(c);
  EXPECT_EQ(cj["array"]["name"], "vol0");
  EXPECT_EQ(cj["array"]["region_size"], kMiB);
  EXPECT_EQ(cj["array"]["nr_regions"], 55);
  EXPECT_EQ(cj["array"]["data_size"], 55 * kMiB);
  EXPECT_EQ(cj["array"]["in_sync"], false);
  EXPECT_EQ(cj["array"]["legs"][1]["write_mostly"], true);
  EXPECT_EQ(cj["legs"][0]["path"], a);

  auto e = run_tool({"examine", "--json", a, b});
  ASSERT_EQ(e.exit_code, 2) << e.out;  // initial resync pending
  json ej = parse(e);
  ASSERT_EQ(ej["legs"].size(), 2u);
  EXPECT_EQ(ej["legs"][1]["superblock"]["slot"], 1);
  EXPECT_EQ(ej["legs"][0]["copies"][1]["state"], "valid");
  EXPECT_EQ(ej["legs"][0]["superblock"]["seqno"], 1);
  EXPECT_EQ(ej["legs"][0]["journal"]["dirty_regions"], 0);
  EXPECT_EQ(ej["legs"][0]["events"][0]["type"], "created");

  auto s = run_tool({"status", a, b, "--json"});
  EXPECT_EQ(s.exit_code, 2);
  json sj = parse(s);
  EXPECT_EQ(sj["health"], "resync-pending");  // initial resync pending, not degraded
  EXPECT_EQ(sj["name"], "vol0");
  EXPECT_EQ(sj["legs"][0]["state"], "in_sync");
  EXPECT_EQ(sj["legs"][1]["path"], b);
  EXPECT_EQ(sj["legs_found"], 2);
  EXPECT_EQ(sj["resync_offset"], 0);

  auto l = run_tool({"--json", "list", a, b});
  EXPECT_EQ(l.exit_code, 2);
  json lj = parse(l);
  bool seen = false;
  for (const auto& arr : lj["arrays"]) {
    if (arr["name"] != "vol0") continue;
    seen = true;
    EXPECT_EQ(arr["legs_found"], 2);
    EXPECT_EQ(arr["legs_expected"], 2);
    EXPECT_EQ(arr["health"], "resync-pending");
  }
  EXPECT_TRUE(seen) << l.out;
}

TEST(Cli, HelpVersionAndUsageErrors) {
  auto h = run_tool({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* s : {"create", "examine", "status", "list", "Exit status", "16", "32"}) {
    EXPECT_TRUE(contains(h.out, s)) << s;
  }
  EXPECT_FALSE(contains(h.out, "__complete"));
  auto v = run_tool({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(contains(v.out, "dmirrorctl"));
  auto u = run_tool({"create", "--no-such-option"});
  EXPECT_EQ(u.exit_code, 16);
  EXPECT_TRUE(contains(u.err, "dmirrorctl: ")) << u.err;
  auto none = run_tool({});
  EXPECT_EQ(none.exit_code, 16);
  auto j = run_tool({"--json", "bogus"});
  EXPECT_EQ(j.exit_code, 16);
  auto doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.out;
  EXPECT_EQ(doc["error"]["code"], "invalid-argument");
}

}  // namespace
}  // namespace dmirror::testing
