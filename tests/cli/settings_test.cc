// SPDX-License-Identifier: LGPL-2.1-or-later
// `set` offline on image files (settings.h): the write-mostly flag and the
// recovery rates go into every leg's superblock in one commit, `status`
// and `examine` show them, and every refusal names what was wrong and
// leaves every leg byte-identical.
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

class Settings : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--yes", "--no-activate", "--assume-clean"}).exit_code, 0);
  }
  Superblock superblock(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m) << m.error().describe();
    return m ? m->sb : Superblock{};
  }
  static bool write_mostly(const Superblock& sb, uint32_t slot) {
    return (sb.legs[slot].flags & legflag::kWriteMostly) != 0;
  }
};

TEST_F(Settings, MarksALegWriteMostlyBySlotAndByPathOnEveryLegInOneCommit) {
  const uint64_t seq = superblock(a).seqno;
  auto r = run_tool({"set", a, b, c, "--write-mostly", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "slot 2 write-mostly")) << r.out;
  for (const auto& leg : {a, b, c}) {
    const Superblock sb = superblock(leg);
    EXPECT_EQ(sb.seqno, seq + 1) << leg << ": one commit";
    EXPECT_TRUE(write_mostly(sb, 2)) << leg;
    EXPECT_FALSE(write_mostly(sb, 0)) << leg;
  }
  // By path, and back.
  ASSERT_EQ(run_tool({"set", a, b, c, "--write-mostly", b, "--no-write-mostly", c}).exit_code, 0);
  EXPECT_TRUE(write_mostly(superblock(a), 1));
  EXPECT_FALSE(write_mostly(superblock(a), 2));
  auto st = run_tool({"status", a, b, c});
  EXPECT_TRUE(contains(st.out, "write-mostly")) << st.out;
}

TEST_F(Settings, SetsAndUnsetsTheRecoveryRatesWithUnits) {
  auto r = run_tool({"set", a, b, c, "--max-recovery-rate", "50M", "--min-recovery-rate", "1M"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(superblock(b).kernel.max_recovery_rate, 50u * 1024);
  EXPECT_EQ(superblock(b).kernel.min_recovery_rate, 1024u);
  auto st = run_tool({"status", a, b, c});
  EXPECT_TRUE(contains(st.out, "Recovery:    min 1 MiB/s, max 50 MiB/s per leg")) << st.out;
  ASSERT_EQ(run_tool({"set", a, b, c, "--min-recovery-rate", "0"}).exit_code, 0);
  EXPECT_EQ(superblock(c).kernel.min_recovery_rate, 0u);
  EXPECT_EQ(superblock(c).kernel.max_recovery_rate, 50u * 1024);
}

TEST_F(Settings, NothingToChangeWritesNothing) {
  ASSERT_EQ(run_tool({"set", a, b, c, "--write-mostly", "1"}).exit_code, 0);
  LegSnapshot before({a, b, c});
  auto r = run_tool({"set", a, b, c, "--write-mostly", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "nothing to change")) << r.out;
  before.expect_unchanged();
}

TEST_F(Settings, JsonNamesTheChangesAndTheSettings) {
  auto r = run_tool({"--json", "set", a, b, c, "--write-mostly", "0", "--max-recovery-rate", "100M"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["online"], false);
  EXPECT_EQ(doc["changed"], true);
  EXPECT_EQ(doc["changes"].size(), 2u);
  EXPECT_EQ(doc["settings"]["write_mostly"], nlohmann::json::array({0}));
  EXPECT_EQ(doc["settings"]["max_recovery_rate"], 100 * 1024);
  EXPECT_TRUE(doc["live_table"].is_null());
  auto st = nlohmann::json::parse(run_tool({"--json", "status", a, b, c}).out);
  EXPECT_EQ(st["settings"]["write_mostly"], nlohmann::json::array({0}));
  EXPECT_EQ(st["settings"]["max_recovery_rate"], 100 * 1024);
  EXPECT_EQ(st["legs"][0]["write_mostly"], true);
  EXPECT_EQ(st["legs"][1]["write_mostly"], false);
}

TEST_F(Settings, RefusalsSayWhatWasWrongAndWriteNothing) {
  expect_refused({"set", a, b, c}, 16, "give --write-mostly, --no-write-mostly", {a, b, c});
  expect_refused({"set", a, b, c, "--write-mostly", "7"}, 16, "slot 7 is not a leg of array 'vol0'", {a, b, c});
  expect_refused({"set", a, b, c, "--write-mostly", dir.path() + "/nope.img"}, 16, "is neither a slot number",
                 {a, b, c});
  expect_refused({"set", a, b, c, "--write-mostly", "1", "--no-write-mostly", "1"}, 16,
                 "slot 1 is given both --write-mostly and --no-write-mostly", {a, b, c});
  expect_refused({"set", a, b, c, "--write-mostly", "0", "--write-mostly", "1", "--write-mostly", "2"}, 8,
                 "every in-sync leg of array 'vol0' would be write-mostly", {a, b, c});
  expect_refused({"set", a, b, c, "--max-recovery-rate", "fast"}, 16, "--max-recovery-rate", {a, b, c});
  expect_refused({"set", a, b, c, "--max-recovery-rate", "100"}, 16, "give at least 1K", {a, b, c});
  expect_refused({"set", a, b, c, "--max-recovery-rate", "4T"}, 16, "above the kernel's limit", {a, b, c});
  expect_refused({"set", a, b, c, "--min-recovery-rate", "20M", "--max-recovery-rate", "10M"}, 16,
                 "lower --min-recovery-rate or raise --max-recovery-rate", {a, b, c});
  // Against the max already recorded.
  ASSERT_EQ(run_tool({"set", a, b, c, "--max-recovery-rate", "10M"}).exit_code, 0);
  expect_refused({"set", a, b, c, "--min-recovery-rate", "20M"}, 16, "would be above the maximum", {a, b, c});
  // Two legs write-mostly already: the third would leave none to read from.
  ASSERT_EQ(run_tool({"set", a, b, c, "--write-mostly", "0", "--write-mostly", "1"}).exit_code, 0);
  expect_refused({"set", a, b, c, "--write-mostly", "2"}, 8, "leave at least one in-sync leg", {a, b, c});
}

TEST_F(Settings, AMemberAbsentNeedsDegradedAndIsThenRecordedMissing) {
  expect_refused({"set", a, b, "--max-recovery-rate", "10M"}, 8, "--degraded", {a, b, c});
  auto ok = run_tool({"set", a, b, "--max-recovery-rate", "10M", "--degraded"});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_EQ(superblock(a).legs[2].state, LegState::Missing);
  EXPECT_EQ(superblock(a).kernel.max_recovery_rate, 10u * 1024);
  // The absent leg may be marked: the flag applies when it is back.
  ASSERT_EQ(run_tool({"set", a, b, "--write-mostly", "2"}).exit_code, 0) << "nothing new is recorded missing";
  EXPECT_TRUE(write_mostly(superblock(a), 2));
}

}  // namespace
}  // namespace dmirror::testing
