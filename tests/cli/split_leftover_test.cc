// SPDX-License-Identifier: LGPL-2.1-or-later
// FORMAT.md 2.6 rule 22: a split brain settled by `resync --from` retires
// the losing side's leg that the chosen table does not list (here the leg
// the losing side got by a replace while apart). Before, that leg kept the
// array inconsistent after the choice for as long as it was given, and its
// advice (choose a side with `resync --from`) sent the administrator round
// in a loop.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

namespace dmirror::testing {
namespace {

class SplitLeftover : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string d = dir.make_image("d.img", 64 * kMiB);

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
    // a written alone, then b alone: a split brain.
    write_alone(a, b, 'p');
    away(a);
    write_alone_here(b, 'q');
    // b's side replaces a (missing there) by d, then a returns.
    auto r = run_tool({"replace", b, "--old", "0", "--new", d});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    back(a);
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  void away(const std::string& leg) { ASSERT_EQ(std::rename(leg.c_str(), (leg + ".away").c_str()), 0); }
  void back(const std::string& leg) { ASSERT_EQ(std::rename((leg + ".away").c_str(), leg.c_str()), 0); }
  void write_alone_here(const std::string& leg, char fill) {
    const std::string payload = dir.path() + "/payload";
    std::ofstream(payload) << std::string(65536, fill);
    auto w = run_tool({"io", "write", leg, "--degraded", "--offset", "0", "--from", payload});
    ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  }
  void write_alone(const std::string& leg, const std::string& other, char fill) {
    away(other);
    write_alone_here(leg, fill);
    back(other);
  }
  std::string data(const std::string& img) { return read_data_area(img); }
};

TEST_F(SplitLeftover, TheLosingSidesLegOutsideTheChosenTableIsRetired) {
  auto before = run_tool({"status", a, b, d});
  ASSERT_EQ(before.exit_code & 4, 4) << before.out;   // inconsistent: split brain
  const std::string d_data = data(d);
  auto r = run_tool({"--json", "resync", "--from", a, a, b, d});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["retired"].size(), 1u) << r.out;
  EXPECT_EQ(j["retired"][0], d);
  EXPECT_TRUE(data(b) == data(a)) << "the losing member was not copied from the chosen leg";
  EXPECT_TRUE(data(d) == d_data) << "the retired leg's data area was written";
  // Settled for good: d is a leftover, not a side; the array is healthy.
  auto st = run_tool({"--json", "status", a, b, d});
  EXPECT_EQ(st.exit_code, 0) << st.out << st.err;
  auto sj = nlohmann::json::parse(st.out);
  EXPECT_EQ(sj["health"], "healthy") << st.out;
  bool leftover = false;
  for (const auto& f : sj["findings"]) {
    EXPECT_NE(f["code"], "split-brain") << st.out;
    leftover |= f["code"] == "leg-not-in-table" && f["leg"] == d;
  }
  EXPECT_TRUE(leftover) << st.out;
  // And wipe takes it, as status says.
  auto w = run_tool({"wipe", d, "--with", a, b});
  EXPECT_EQ(w.exit_code, 0) << w.out << w.err;
  auto ev = run_tool({"examine", a});
  EXPECT_TRUE(contains(ev.out, "retired")) << ev.out;
}

// Not given to the choice, the leg stays the other side (it was not
// retired) and a second choice with it given retires it.
TEST_F(SplitLeftover, ALosingLegNotGivenStaysASideUntilAChoiceSeesIt) {
  auto r = run_tool({"resync", "--from", a, a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto st = run_tool({"status", a, b, d});
  EXPECT_EQ(st.exit_code & 4, 4) << st.out;
  auto again = run_tool({"--json", "resync", "--from", a, a, b, d});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["retired"].size(), 1u) << again.out;
  EXPECT_EQ(run_tool({"status", a, b, d}).exit_code, 0);
}

// The retirement comes right after the choice is recorded, before the
// copy: a run killed during the copy is finished by a plain `resync` from
// the chosen leg (the loser's addition no longer keeps the array split).
TEST_F(SplitLeftover, AChoiceKilledDuringTheCopyIsFinishedByAPlainResync) {
  BackgroundTool resync({"resync", "--from", a, a, b, d, "--max-rate", "1M"});
  ASSERT_TRUE(resync.started());
  bool retired = false;
  for (int i = 0; i < 1200 && !retired; ++i) {   // a bound for a broken build, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    auto doc = nlohmann::json::parse(run_tool({"--json", "examine", d}).out, nullptr, false);
    if (doc.is_discarded() || !doc.contains("legs") || doc["legs"].empty()) continue;
    const auto& sb = doc["legs"][0]["superblock"];
    if (!sb.contains("legs")) continue;
    for (const auto& e : sb["legs"]) retired |= e.value("slot", -1) == 2 && e.value("state", "") == "removed";
  }
  resync.signal(SIGKILL);
  EXPECT_EQ(resync.wait().exit_code, 128 + SIGKILL);
  ASSERT_TRUE(retired) << resync.err_so_far();
  auto r = run_tool({"resync", a, b, d});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(data(b) == data(a)) << "the losing member was not finished from the chosen leg";
  EXPECT_EQ(run_tool({"status", a, b, d}).exit_code, 0);
}

}  // namespace
}  // namespace dmirror::testing
