// SPDX-License-Identifier: LGPL-2.1-or-later
// A split brain not yet settled shows both sides as diverged, in every
// renderer of roles (status, list, verify, examine; text and JSON): role
// `split` with the slots each side was written without, never one side
// in_sync and the other stale (FORMAT.md 2.6 rule 6: no side is chosen
// automatically).
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

namespace dmirror::testing {
namespace {

class SplitRoles : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
    write_alone(a, b, 'p');
    write_alone(b, a, 'q');
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // `io write --degraded` of `leg` while `away` is moved away.
  void write_alone(const std::string& leg, const std::string& away, char fill) {
    const std::string payload = dir.path() + "/payload";
    std::ofstream(payload) << std::string(65536, fill);
    ASSERT_EQ(std::rename(away.c_str(), (away + ".away").c_str()), 0);
    auto w = run_tool({"io", "write", leg, "--degraded", "--offset", "0", "--from", payload});
    ASSERT_EQ(std::rename((away + ".away").c_str(), away.c_str()), 0);
    ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  }
  static void expect_no_side_chosen(const std::string& out) {
    EXPECT_FALSE(contains(out, "in_sync")) << out;
    EXPECT_FALSE(contains(out, "stale")) << out;
  }
};

TEST_F(SplitRoles, BothSidesAreShownDivergedEverywhere) {
  auto s = run_tool({"status", a, b});
  EXPECT_EQ(s.exit_code & 4, 4) << s.out;
  expect_no_side_chosen(s.out);
  EXPECT_TRUE(contains(s.out, "diverged: written while slot 1 was absent")) << s.out;
  EXPECT_TRUE(contains(s.out, "diverged: written while slot 0 was absent")) << s.out;

  auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  for (int slot : {0, 1}) {
    EXPECT_EQ(j["legs"][slot]["role"], "split") << j.dump(2);
    EXPECT_EQ(j["legs"][slot]["stale"], false) << j.dump(2);
    EXPECT_EQ(j["legs"][slot]["written_while_absent"], nlohmann::json::array({1 - slot})) << j.dump(2);
  }
  EXPECT_FALSE(contains(j["conditions"]["details"].get<std::string>(), "stale")) << j.dump(2);

  auto l = run_tool({"--json", "list", a, b});
  auto lj = nlohmann::json::parse(l.out);
  for (const auto& arr : lj["arrays"])
    if (arr["uuid"] == j["uuid"]) {
      for (const auto& leg : arr["legs"]) EXPECT_EQ(leg["role"], "split") << lj.dump(2);
    }

  auto v = run_tool({"verify", a, b});
  EXPECT_TRUE(contains(v.out, "split")) << v.out;
  expect_no_side_chosen(v.out);
  auto vj = nlohmann::json::parse(run_tool({"--json", "verify", a, b}).out);
  for (const auto& leg : vj["legs"]) EXPECT_EQ(leg["role"], "split") << vj.dump(2);

  auto e = run_tool({"examine", a, b});
  EXPECT_TRUE(contains(e.out, "split (diverged: written while slot 1 was absent)")) << e.out;
  auto ej = nlohmann::json::parse(run_tool({"--json", "examine", a, b}).out);
  for (const auto& leg : ej["legs"]) EXPECT_EQ(leg["role"].get<std::string>().rfind("split", 0), 0u) << ej.dump(2);

  // Settled by a choice: one side is in sync again, the other copied from it.
  ASSERT_EQ(run_tool({"resync", "--from", a, a, b}).exit_code, 0);
  auto after = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(after["legs"][0]["role"], "in_sync");
  EXPECT_EQ(after["legs"][1]["role"], "in_sync");
}

// A leg rolled back to an old snapshot is the only one present when its
// partner is replaced: the partner (b) is no longer in the newest table, but
// it holds the acknowledged writes the rolled-back line never saw. It is the
// other side of a split brain, and nothing may call it safe to wipe.
TEST(SplitRolledBack, TheOtherSideOutsideTheTableIsNeverCalledSafeToWipe) {
  ScratchDir dir, locks;
  ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
  const std::string a = dir.make_image("a.img", 32 * kMiB), b = dir.make_image("b.img", 32 * kMiB),
                    d = dir.make_image("d.img", 32 * kMiB);
  const std::string payload = dir.path() + "/payload";
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  std::ofstream(payload) << std::string(65536, 'o');
  ASSERT_EQ(run_tool({"io", "write", a, b, "--from", payload}).exit_code, 0);
  const auto snapshot = read_file(a);
  std::ofstream(payload) << std::string(65536, 'n');
  ASSERT_EQ(run_tool({"io", "write", a, b, "--from", payload}).exit_code, 0);   // acknowledged on both
  std::ofstream(a, std::ios::binary | std::ios::trunc).write(snapshot.data(), static_cast<std::streamsize>(snapshot.size()));  // a rolled back
  ASSERT_EQ(std::rename(b.c_str(), (b + ".away").c_str()), 0);
  auto r = run_tool({"replace", a, "--old", "1", "--new", d, "--force"});
  ASSERT_EQ(std::rename((b + ".away").c_str(), b.c_str()), 0);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;

  auto s = run_tool({"status", a, b, d});
  EXPECT_EQ(s.exit_code & 4, 4) << s.out;
  EXPECT_TRUE(contains(s.out, "split brain")) << s.out;
  EXPECT_FALSE(contains(s.out, "wipe " + b)) << s.out;
  EXPECT_TRUE(contains(s.out, "Do not wipe it")) << s.out;
  // The State line does not call an inconsistent array "in sync".
  EXPECT_TRUE(contains(s.out, "State:       clean, inconsistent")) << s.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "status", a, b, d}).out);
  for (const auto& f : j["findings"])
    EXPECT_FALSE(contains(f["message"].get<std::string>(), "wipe " + b)) << j.dump(2);
  ::unsetenv("DMIRROR_LOCK_DIR");
}

}  // namespace
}  // namespace dmirror::testing
