// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl list`: arrays sorted by name, then uuid, whatever order the
// legs are found in; each with its usable size, how much is known in sync
// (SYNC%, lvs's Cpy%Sync) and health, in text and in JSON (sync_percent).
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace dmirror::testing {
namespace {

class ListColumns : public ::testing::Test {
 protected:
  ScratchDir dir;
  // A two-leg array of 64 MiB legs (56 MiB usable, 14 regions of 4 MiB).
  std::vector<std::string> make(const std::string& name, const std::string& tag, bool synced) {
    std::vector<std::string> legs{dir.make_image(tag + "-0.img", 64 * kMiB), dir.make_image(tag + "-1.img", 64 * kMiB)};
    EXPECT_EQ(run_tool({"create", name, legs[0], legs[1], "--yes"}).exit_code, 0);
    if (synced) {
      EXPECT_EQ(run_tool({"resync", legs[0], legs[1]}).exit_code, 0);
    }
    return legs;
  }
  std::string data() {
    const std::string p = dir.path() + "/data";
    std::ofstream(p) << std::string(4096, 'x');
    return p;
  }
};

std::vector<std::string> lines_with(const std::string& text, const std::string& word) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l.find(word) != std::string::npos) out.push_back(l);
  return out;
}

TEST_F(ListColumns, SortedByNameThenUuid) {
  // Found (and keyed by uuid) in an order unrelated to the names.
  auto z = make("zeta", "z", true);
  auto m1 = make("mid", "m1", true);
  auto a = make("alpha", "a", true);
  auto m2 = make("mid", "m2", true);
  auto r = run_tool({"--json", "list", z[0], z[1], m1[0], m1[1], a[0], a[1], m2[0], m2[1]});
  auto j = nlohmann::json::parse(r.out);  // (the exit status also counts the machine's own arrays)
  // list also shows the arrays on the machine's block devices: keep ours.
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto& arr : j["arrays"])
    if (arr["legs"][0]["path"].get<std::string>().rfind(dir.path(), 0) == 0) got.emplace_back(arr["name"], arr["uuid"]);
  ASSERT_EQ(got.size(), 4u) << r.out;
  auto sorted = got;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(got, sorted);
  EXPECT_EQ(got.front().first, "alpha");
  EXPECT_EQ(got.back().first, "zeta");

  auto t = run_tool({"list", z[0], z[1], m1[0], m1[1], a[0], a[1], m2[0], m2[1]});
  std::vector<std::string> order;
  for (const auto& [name, uuid] : got) order.push_back(uuid);
  size_t at = 0;
  for (const auto& uuid : order) {
    size_t p = t.out.find(uuid);
    ASSERT_NE(p, std::string::npos) << t.out;
    EXPECT_GT(p, at) << uuid << " out of order:\n" << t.out;
    at = p;
  }
}

TEST_F(ListColumns, SizeSyncAndHealth) {
  auto fresh = make("lc-fresh", "f", false);   // initial resync pending: nothing known in sync
  auto clean = make("lc-clean", "c", true);
  auto dirty = make("lc-dirty", "d", true);    // one region of 14 dirty after an unclean shutdown
  ASSERT_EQ(run_tool({"io", "write", dirty[0], dirty[1], "--from", data(), "--no-close"}).exit_code, 0);
  auto stale = make("lc-stale", "s", true);    // slot 1 rolled back: a full copy due
  std::filesystem::copy_file(stale[1], stale[1] + ".old");
  ASSERT_EQ(run_tool({"io", "write", stale[0], stale[1], "--from", data()}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", stale[0], stale[1], "--from", data(), "--offset", "8M"}).exit_code, 0);
  std::filesystem::copy_file(stale[1] + ".old", stale[1], std::filesystem::copy_options::overwrite_existing);

  std::vector<std::string> args{"list"};
  for (const auto* legs : {&fresh, &clean, &dirty, &stale}) args.insert(args.end(), legs->begin(), legs->end());
  auto t = run_tool(args);
  EXPECT_NE(t.exit_code & 2, 0) << t.err;  // resync pending, degraded
  EXPECT_TRUE(contains(t.out, "NAME")) << t.out;
  for (const char* col : {"LEGS", "SIZE", "SYNC%", "HEALTH"}) EXPECT_TRUE(contains(t.out, col)) << t.out;
  auto row = [&](const std::string& name) {
    auto l = lines_with(t.out, name + " ");
    return l.empty() ? std::string() : l.front();
  };
  EXPECT_TRUE(contains(row("lc-fresh"), "55 MiB    0.00  resync-pending")) << t.out;
  EXPECT_TRUE(contains(row("lc-clean"), "55 MiB  100.00  healthy")) << t.out;
  EXPECT_TRUE(contains(row("lc-dirty"), "55 MiB   92.86  resync-pending")) << t.out;
  EXPECT_TRUE(contains(row("lc-stale"), "55 MiB    0.00  degraded")) << t.out;

  args.insert(args.begin(), "--json");
  auto j = nlohmann::json::parse(run_tool(args).out);
  std::map<std::string, double> pct;
  for (const auto& arr : j["arrays"]) {
    if (arr["legs"][0]["path"].get<std::string>().rfind(dir.path(), 0) != 0) continue;  // not ours
    EXPECT_EQ(arr["data_size"], 55 * kMiB);
    pct[arr["name"]] = arr["sync_percent"];
  }
  EXPECT_EQ(pct.size(), 4u);
  EXPECT_EQ(pct["lc-fresh"], 0.0);
  EXPECT_EQ(pct["lc-clean"], 100.0);
  EXPECT_EQ(pct["lc-dirty"], 92.86);
  EXPECT_EQ(pct["lc-stale"], 0.0);
}

}  // namespace
}  // namespace dmirror::testing
