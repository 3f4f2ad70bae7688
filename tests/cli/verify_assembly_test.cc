// SPDX-License-Identifier: LGPL-2.1-or-later
// verify judges the array with the one assembly, as status does: on the
// same legs both name every leg in the same role and give the same health
// and condition bits (a returned missing leg, a rolled-back stale leg, a
// failed leg, a split brain, an unclean shutdown, the initial sync). A
// damaged superblock copy is a warning (the metadata is still redundant),
// rewritten by verify --repair (exit 1). Options that only mean something
// to a repair are refused without one, and a lone leg read with others
// missing says so.
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <set>

namespace dmirror::testing {
namespace {

class VerifyAssembly : public ::testing::Test {
 protected:
  void make(int n, bool resync = true) {
    std::vector<std::string> args{"create", "vol0"};
    for (int i = 0; i < n; ++i) {
      legs.push_back(dir.make_image(std::string(1, static_cast<char>('a' + i)) + ".img", 64 * kMiB));
      args.push_back(legs.back());
    }
    args.insert(args.end(), {"--yes", "--no-activate"});
    auto c = run_tool(args);
    ASSERT_EQ(c.exit_code, 0) << c.err;
    if (resync) {
      auto r = run_tool(with_legs({"resync"}));
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
  }
  std::vector<std::string> with_legs(std::vector<std::string> args) const {
    args.insert(args.end(), legs.begin(), legs.end());
    return args;
  }
  std::string payload(size_t len, int seed = 3) {
    std::string p = dir.path() + "/payload" + std::to_string(seed) + ".bin";
    std::ofstream out(p, std::ios::binary);
    for (size_t i = 0; i < len; ++i) out.put(static_cast<char>(i * 7 + seed));
    return p;
  }
  // `io write` of the legs in `only` alone (the others moved away meanwhile).
  void write_alone(const std::vector<size_t>& only, int seed) {
    std::vector<std::string> args{"io", "write", "--degraded", "--from", payload(65536, seed), "--offset", "0"};
    for (size_t i : only) args.push_back(legs[i]);
    std::set<size_t> away;
    for (size_t i = 0; i < legs.size(); ++i)
      if (std::find(only.begin(), only.end(), i) == only.end()) away.insert(i);
    for (size_t i : away) ASSERT_EQ(std::rename(legs[i].c_str(), (legs[i] + ".away").c_str()), 0);
    auto w = run_tool(args);
    for (size_t i : away) ASSERT_EQ(std::rename((legs[i] + ".away").c_str(), legs[i].c_str()), 0);
    ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  }
  // Rewrites every leg's own superblock with `edit` applied and seqno + 1.
  void edit_superblocks(const std::function<void(Superblock&)>& edit) {
    for (const auto& leg : legs) {
      auto dev = open_device(leg);
      ASSERT_TRUE(dev);
      auto meta = read_leg(**dev);
      ASSERT_TRUE(meta);
      Superblock sb = meta->sb;
      sb.seqno += 1;
      edit(sb);
      ASSERT_TRUE(write_superblocks(**dev, sb));
    }
  }
  nlohmann::json json_of(const std::vector<std::string>& args, int* exit_code = nullptr) {
    auto r = run_tool(args);
    if (exit_code) *exit_code = r.exit_code;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return {};
    }
  }
  static std::set<std::string> codes(const nlohmann::json& findings) {
    std::set<std::string> out;
    for (const auto& f : findings) out.insert(f["code"].get<std::string>());
    return out;
  }
  // status and verify of the same legs: the same exit status, health and
  // conditions, every slot in the same role with the same recovery, and
  // every finding of status among verify's. Returns status's document.
  nlohmann::json expect_agree(const std::string& what) {
    int s_exit = -1, v_exit = -1;
    auto s = json_of(with_legs({"--json", "status"}), &s_exit);
    auto v = json_of(with_legs({"--json", "verify"}), &v_exit);
    EXPECT_EQ(v_exit, s_exit) << what << "\nstatus: " << s.dump(2) << "\nverify: " << v.dump(2);
    EXPECT_EQ(v["exit_code"], s["exit_code"]) << what;
    EXPECT_EQ(v["health"], s["health"]) << what;
    EXPECT_EQ(v["conditions"], s["conditions"]) << what;
    EXPECT_EQ(v["legs"].size(), s["legs"].size()) << what << "\n" << v.dump(2);
    for (size_t i = 0; i < s["legs"].size() && i < v["legs"].size(); ++i) {
      EXPECT_EQ(v["legs"][i]["slot"], s["legs"][i]["slot"]) << what;
      EXPECT_EQ(v["legs"][i]["role"], s["legs"][i]["role"]) << what << " slot " << i;
      EXPECT_EQ(v["legs"][i]["recovery"], s["legs"][i]["recovery"]) << what << " slot " << i;
      EXPECT_EQ(v["legs"][i]["path"], s["legs"][i]["path"]) << what << " slot " << i;
    }
    const auto vc = codes(v["findings"]);
    for (const auto& c : codes(s["findings"])) EXPECT_TRUE(vc.count(c)) << what << ": verify lacks " << c;
    for (auto bad : {"leg-table-disagrees", "leg-rebuilding", "geometry-disagrees"})
      EXPECT_FALSE(vc.count(bad)) << what << ": " << bad << "\n" << v.dump(2);
    return s;
  }

  ScratchDir dir;
  std::vector<std::string> legs;
};

// The administrator's report: a missing leg returns; status says stale with
// recovery from the journal (exit 2), and so must verify.
TEST_F(VerifyAssembly, AReturnedMissingLegIsStaleInBoth) {
  make(2);
  write_alone({0}, 5);
  auto s = expect_agree("missing leg returned");
  EXPECT_EQ(s["exit_code"], 2);
  EXPECT_EQ(s["legs"][1]["role"], "stale");
  EXPECT_EQ(s["legs"][1]["recovery"], "journal");
  auto v = run_tool(with_legs({"verify"}));
  EXPECT_EQ(v.exit_code, 2) << v.out;
  EXPECT_FALSE(contains(v.out, "different leg table")) << v.out;
  EXPECT_FALSE(contains(v.out, "rebuilding")) << v.out;
  EXPECT_TRUE(contains(v.out, "stale")) << v.out;
}

TEST_F(VerifyAssembly, ARolledBackLegIsStaleInBoth) {
  make(2);
  const std::string old = dir.path() + "/b.old";
  {
    std::ifstream in(legs[1], std::ios::binary);
    std::ofstream out(old, std::ios::binary);
    out << in.rdbuf();
  }
  ASSERT_EQ(run_tool(with_legs({"io", "write", "--from", payload(65536), "--offset", "0"})).exit_code, 0);
  ASSERT_EQ(std::rename(old.c_str(), legs[1].c_str()), 0);
  auto s = expect_agree("rolled back");
  EXPECT_EQ(s["legs"][1]["role"], "stale");
}

TEST_F(VerifyAssembly, AFailedLegIsFailedInBoth) {
  make(3);
  edit_superblocks([](Superblock& sb) {
    sb.legs[2].state = LegState::Failed;
    sb.legs[2].state_seq = sb.seqno;
  });
  auto s = expect_agree("failed");
  EXPECT_EQ(s["legs"][2]["role"], "failed");
  EXPECT_EQ(s["exit_code"], 2);
}

TEST_F(VerifyAssembly, ASplitBrainIsInconsistentInBothAndNothingIsCompared) {
  make(2);
  write_alone({0}, 5);
  write_alone({1}, 6);
  auto s = expect_agree("split brain");
  EXPECT_EQ(s["conditions"]["split_brain"], true);
  EXPECT_EQ(s["exit_code"].get<int>() & 4, 4);
  auto v = run_tool(with_legs({"verify"}));
  EXPECT_TRUE(contains(v.out, "split")) << v.out;
  EXPECT_TRUE(contains(v.out, "the data was not compared")) << v.out;
}

TEST_F(VerifyAssembly, AnUncleanShutdownIsResyncPendingInBoth) {
  make(2);
  ASSERT_EQ(run_tool(with_legs({"io", "write", "--from", payload(65536), "--offset", "0", "--no-close"})).exit_code, 0);
  auto s = expect_agree("dirty");
  EXPECT_EQ(s["conditions"]["unclean"], true);
  EXPECT_EQ(s["exit_code"], 2);
}

TEST_F(VerifyAssembly, TheInitialSyncIsPendingInBoth) {
  make(2, false);
  auto s = expect_agree("initial sync");
  EXPECT_EQ(s["conditions"]["initial_sync"], true);
  EXPECT_EQ(s["exit_code"], 2);
}

TEST_F(VerifyAssembly, AHealthyArrayIsHealthyInBoth) {
  make(2);
  auto s = expect_agree("healthy");
  EXPECT_EQ(s["exit_code"], 0);
}

// One damaged superblock copy: the leg's other copy and the other leg still
// hold the metadata. A warning (exit 0), shown; verify --repair rewrites it
// and says so (exit 1); afterwards nothing is left.
TEST_F(VerifyAssembly, OneDamagedSuperblockCopyIsAWarningAndRepairCorrectsIt) {
  make(2);
  {
    std::fstream f(legs[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(kSuperblockOffset[1] + 200));
    f.write("garbage!", 8);
  }
  auto s = run_tool(with_legs({"status"}));
  EXPECT_EQ(s.exit_code, 0) << s.out;
  EXPECT_TRUE(contains(s.out, "superblock copy 1")) << s.out;
  EXPECT_TRUE(contains(s.out, "Health:      healthy")) << s.out;
  auto e = run_tool({"examine", legs[1]});
  EXPECT_EQ(e.exit_code, 0) << e.out;
  // list also shows the host's arrays (other tests' loop devices): this
  // array's entry is judged, not the exit status of all of them.
  const auto uuid = nlohmann::json::parse(run_tool(with_legs({"--json", "status"})).out)["uuid"];
  auto l = run_tool(with_legs({"--json", "list"}));
  const auto lj = nlohmann::json::parse(l.out);
  bool listed = false;
  for (const auto& arr : lj["arrays"])
    if (arr["uuid"] == uuid) {
      listed = true;
      EXPECT_EQ(arr["health"], "healthy") << l.out;
    }
  EXPECT_TRUE(listed) << l.out;
  expect_agree("damaged copy");
  auto v = run_tool(with_legs({"verify"}));
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_TRUE(contains(v.out, "superblock copy 1")) << v.out;

  auto r = run_tool(with_legs({"verify", "--repair"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "rewritten")) << r.out;
  auto after = run_tool(with_legs({"status"}));
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_FALSE(contains(after.out, "superblock copy")) << after.out;
  EXPECT_EQ(run_tool(with_legs({"verify", "--repair"})).exit_code, 0);
}

TEST_F(VerifyAssembly, OptionsOfARepairAreRefusedWithoutOne) {
  make(2);
  // A mismatch that --from would settle: nothing may be written.
  {
    std::fstream f(legs[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(8 * kMiB + 4096));
    f.write("different", 9);
  }
  const std::string a0 = read_file(legs[0]), b0 = read_file(legs[1]);
  auto v = run_tool(with_legs({"verify", "--from", "0"}));
  EXPECT_EQ(v.exit_code, 16) << v.out << v.err;
  EXPECT_TRUE(contains(v.err, "--from")) << v.err;
  EXPECT_TRUE(contains(v.err, "--repair")) << v.err;
  auto s = run_tool(with_legs({"scrub", "--check-only", "--from", "0", "--lock-dir=" + dir.path()}));
  EXPECT_EQ(s.exit_code, 16) << s.out << s.err;
  EXPECT_TRUE(contains(s.err, "--check-only")) << s.err;
  EXPECT_TRUE(read_file(legs[0]) == a0) << "a leg was written";
  EXPECT_TRUE(read_file(legs[1]) == b0) << "a leg was written";
}

// A lone leg read while the table names another member: the data is served
// with the warning every change command gives, naming the missing slot.
TEST_F(VerifyAssembly, ReadingALoneLegWarnsThatTheArrayIsDegraded) {
  make(2);
  auto whole = run_tool(with_legs({"io", "read", "--offset", "0", "--length", "4096", "--to", dir.path() + "/x"}));
  EXPECT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_FALSE(contains(whole.err, "warning")) << whole.err;
  auto r = run_tool({"io", "read", legs[0], "--offset", "0", "--length", "4096", "--to", dir.path() + "/y"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.err, "warning: array 'vol0'")) << r.err;
  EXPECT_TRUE(contains(r.err, "slot 1 missing")) << r.err;
}

// scrub --from: the repaired leg counts the mismatch and its correction.
TEST_F(VerifyAssembly, ScrubFromCountsTheMismatchAndTheCorrection) {
  make(2);
  ASSERT_EQ(run_tool(with_legs({"io", "write", "--from", payload(65536), "--offset", "0"})).exit_code, 0);
  {
    std::fstream f(legs[1], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(8 * kMiB + 4096));
    f.write("different", 9);
  }
  auto r = run_tool(with_legs({"scrub", "--from", "0", "--lock-dir=" + dir.path()}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto s = json_of(with_legs({"--json", "status"}));
  EXPECT_EQ(s["legs"][1]["mismatches"], 1) << s["legs"][1].dump();
  EXPECT_EQ(s["legs"][1]["corrected"], 1) << s["legs"][1].dump();
  EXPECT_EQ(s["legs"][0]["mismatches"], 0) << s["legs"][0].dump();
  EXPECT_EQ(s["legs"][0]["corrected"], 0) << s["legs"][0].dump();
}

}  // namespace
}  // namespace dmirror::testing
