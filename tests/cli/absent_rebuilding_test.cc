// SPDX-License-Identifier: LGPL-2.1-or-later
// A leg that is rebuilding (a re-add or the new leg of a replace, part-way)
// and absent while the array is written is *missing*, not failed (FORMAT.md
// 2.6 rule 11: it was not seen, no I/O error failed it): `io write
// --degraded` and the offline writers record it so. When it returns, its
// recovery starts as rule 8 says: a full copy for a full rebuild, the
// journal for a journal-guided one.
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/leg.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>

namespace dmirror::testing {
namespace {

class AbsentRebuilding : public ::testing::Test {
 protected:
  ScratchDir dir;
  ScratchDir locks;
  std::string a = dir.make_image("a.img", 64 * kMiB);
  std::string b = dir.make_image("b.img", 64 * kMiB);
  std::string c = dir.make_image("c.img", 64 * kMiB);
  std::string away = dir.path() + "/c.away";
  std::string payload = dir.path() + "/payload";

  void SetUp() override {
    ::setenv("DMIRROR_LOCK_DIR", locks.path().c_str(), 1);
    ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
    std::ofstream(payload) << std::string(65536, 'y');
  }
  void TearDown() override { ::unsetenv("DMIRROR_LOCK_DIR"); }

  // Slot 2 rebuilding on every leg (one commit, as a re-add left it when it
  // was stopped part-way): a full rebuild current up to 16 MiB, or a
  // journal-guided one.
  void slot2_rebuilding(bool journal) {
    for (const auto& leg : {a, b, c}) {
      auto dev = open_device(leg);
      ASSERT_TRUE(dev);
      auto meta = read_leg(**dev);
      ASSERT_TRUE(meta);
      Superblock sb = meta->sb;
      sb.legs[2].state = LegState::Rebuilding;
      sb.legs[2].recovery_offset = journal ? 0 : 16 * kMiB;
      if (journal) sb.legs[2].flags |= legflag::kRecoverFromJournal;
      ASSERT_TRUE(write_superblocks(**dev, sb));
    }
  }
  Superblock table_of(const std::string& leg) {
    auto dev = open_device(leg);
    EXPECT_TRUE(dev);
    auto meta = read_leg(**dev);
    EXPECT_TRUE(meta);
    return meta->sb;
  }
  nlohmann::json status_json(std::vector<std::string> legs) {
    legs.insert(legs.begin(), {"--json", "status"});
    return nlohmann::json::parse(run_tool(legs).out);
  }
  bool has_event(const std::string& leg, EventType type, uint32_t slot) {
    auto dev = open_device(leg);
    auto meta = read_leg(**dev);
    auto h = read_events(**dev, meta->sb);
    EXPECT_TRUE(h);
    for (const auto& e : h->events)
      if (e.type == type && e.slot == slot) return true;
    return false;
  }
  // Slot 2 is recorded missing (not failed) on both survivors, with a
  // `leg missing` event and no `leg failed` one; status calls it missing.
  void expect_recorded_missing() {
    for (const auto& leg : {a, b}) {
      const Superblock sb = table_of(leg);
      EXPECT_EQ(sb.legs[2].state, LegState::Missing) << leg << ": " << leg_state_name(sb.legs[2].state);
      EXPECT_TRUE(has_event(leg, EventType::LegMissing, 2)) << leg;
      EXPECT_FALSE(has_event(leg, EventType::LegFailed, 2)) << leg;
    }
    auto j = status_json({a, b});
    EXPECT_EQ(j["legs"][2]["role"], "missing") << j.dump(2);
  }
  void expect_returns_by(const std::string& recovery) {
    ASSERT_EQ(std::rename(away.c_str(), c.c_str()), 0);
    auto j = status_json({a, b, c});
    EXPECT_EQ(j["legs"][2]["role"], "stale") << j.dump(2);
    EXPECT_EQ(j["legs"][2]["recovery"], recovery) << j.dump(2);
    auto r = run_tool({"resync", a, b, c});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto s = run_tool({"status", a, b, c});
    EXPECT_EQ(s.exit_code, 0) << s.out;
    const std::string out = dir.path() + "/read";
    ASSERT_EQ(run_tool({"io", "read", a, b, c, "--prefer", "2", "--offset", "0", "--length", "65536", "--to", out})
                  .exit_code,
              0);
    EXPECT_EQ(read_file(out), std::string(65536, 'y'));
  }
};

TEST_F(AbsentRebuilding, DegradedWriteRecordsAFullRebuildMissing) {
  slot2_rebuilding(false);
  ASSERT_EQ(std::rename(c.c_str(), away.c_str()), 0);
  auto w = run_tool({"io", "write", a, b, "--degraded", "--offset", "0", "--from", payload});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  expect_recorded_missing();
  expect_returns_by("full");
}

TEST_F(AbsentRebuilding, DegradedWriteRecordsAJournalRebuildMissing) {
  slot2_rebuilding(true);
  ASSERT_EQ(std::rename(c.c_str(), away.c_str()), 0);
  auto w = run_tool({"io", "write", a, b, "--degraded", "--offset", "0", "--from", payload});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  expect_recorded_missing();
  expect_returns_by("journal");
}

// The offline writers commit through LegSet::commit: the same record.
TEST_F(AbsentRebuilding, OfflineWriterRecordsItMissing) {
  slot2_rebuilding(false);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--offset", "0", "--from", payload}).exit_code, 0);
  ASSERT_EQ(std::rename(c.c_str(), away.c_str()), 0);
  // Rule 11: recording it missing needs consent; refused, nothing written.
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto no = run_tool({"scrub", "--check-only", a, b});
  EXPECT_EQ(no.exit_code, 8) << no.out << no.err;
  EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0) << "a refused scrub changed a leg";
  auto s = run_tool({"scrub", "--check-only", "--degraded", a, b});
  EXPECT_EQ(s.exit_code & 8, 0) << s.out << s.err;
  expect_recorded_missing();
  expect_returns_by("full");
}

}  // namespace
}  // namespace dmirror::testing
