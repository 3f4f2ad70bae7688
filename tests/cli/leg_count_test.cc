// SPDX-License-Identifier: LGPL-2.1-or-later
// `add` and `remove` (leg_count.h): the number of legs changes offline
// without redundancy ever dropping; every refusal leaves every leg
// byte-identical; a killed add is finished by `resync`; a removed leg says
// so on its own superblock and is never assembled as a member again.
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

namespace dmirror::testing {
namespace {

class LegCount : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB), d = dir.make_image("d.img", 64 * kMiB);
  std::string payload = dir.path() + "/payload.bin";

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b}).exit_code, 0);
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < (1 << 20); ++i) out.put(static_cast<char>(i * 31 + 7));
    out.close();
    ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "5M", "--from", payload}).exit_code, 0);
  }
  Superblock superblock(const std::string& leg) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    EXPECT_TRUE(dev);
    auto m = read_leg(**dev);
    EXPECT_TRUE(m) << m.error().describe();
    return m ? m->sb : Superblock{};
  }
  std::string data_area(const std::string& leg) {
    const Superblock s = superblock(leg);
    return read_file(leg).substr(s.layout.data_offset, s.layout.data_size);
  }
  // Polls until `leg` carries its own superblock as slot 2, rebuilding: the
  // commit that joined it has reached every leg (the new one is written
  // last), so a kill from then on leaves a rebuilding leg.
  bool joined(const std::string& leg) {
    for (int i = 0; i < 500; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
      if (!dev) continue;
      auto m = read_leg(**dev);
      if (m && m->sb.slot == 2 && m->sb.legs[2].state == LegState::Rebuilding && m->copies_agree()) return true;
    }
    return false;
  }
  size_t events_of(const std::string& leg, EventType type) {
    auto dev = open_device(leg, OpenOptions{.writable = false, .exclusive = false});
    auto h = read_events(**dev, superblock(leg));
    size_t n = 0;
    if (h)
      for (const auto& e : h->events) n += e.type == type;
    return n;
  }
};

TEST_F(LegCount, AddCopiesAndVerifiesTheNewLegThenItIsInSync) {
  auto r = run_tool({"add", a, b, "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, c + " added as slot 2")) << r.out;
  const Superblock s = superblock(a);
  EXPECT_EQ(s.nr_legs, 3u);
  EXPECT_EQ(s.legs[2].state, LegState::InSync);
  EXPECT_EQ(superblock(c).slot, 2u);
  EXPECT_TRUE(data_area(c) == data_area(a)) << "the new leg holds the array's data";
  EXPECT_EQ(events_of(a, EventType::LegAdded), 2u) << "joined, then in sync";
  EXPECT_EQ(run_tool({"status", a, b, c}).exit_code, 0);
  EXPECT_EQ(run_tool({"verify", a, b, c}).exit_code, 0);
  // The new leg alone serves the data.
  auto rd = run_tool({"io", "read", c, "--offset", "5M", "--length", "1M", "--degraded"});
  ASSERT_EQ(rd.exit_code & 8, 0) << rd.err;
  EXPECT_TRUE(rd.out == read_file(payload));
}

TEST_F(LegCount, AddRefusesAMemberAForeignDeviceAndATooSmallOneWritingNothing) {
  expect_refused({"add", a, b, "--new", b}, 8, "already slot 1 of this array", {a, b});
  std::string small = dir.make_image("small.img", 16 * kMiB);
  expect_refused({"add", a, b, "--new", small}, 8, "the array needs", {a, b, small});
  std::string other1 = dir.make_image("o1.img", 64 * kMiB), other2 = dir.make_image("o2.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "other", other1, other2, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  expect_refused({"add", a, b, "--new", other1}, 8, "is a leg of array 'other'", {a, b, other1});
}

TEST_F(LegCount, AKilledAddLeavesARebuildingLegThatResyncFinishes) {
  BackgroundTool add({"add", a, b, "--new", c, "--max-rate", "2M"});
  ASSERT_TRUE(add.started());
  ASSERT_TRUE(joined(c)) << add.err_so_far();
  add.signal(SIGKILL);
  add.wait();
  auto st = run_tool({"status", a, b, c});
  EXPECT_EQ(st.exit_code, 2) << st.out;
  EXPECT_TRUE(contains(st.out, "rebuilding")) << st.out;
  EXPECT_TRUE(contains(st.out, "run `dmirrorctl resync` to finish")) << st.out;
  expect_refused({"add", a, b, "--new", c}, 8, "run `dmirrorctl resync` with the array's legs and it to finish",
                 {a, b, c});
  auto r = run_tool({"resync", a, b, c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(superblock(a).legs[2].state, LegState::InSync);
  EXPECT_TRUE(data_area(c) == data_area(a));
  EXPECT_EQ(run_tool({"status", a, b, c}).exit_code, 0);
}

// A run killed after the table recorded the new slot but before the new
// device's own superblock was written (made here by blanking the device
// after the kill): the slot is missing, no device carries it. Rerunning
// the same add takes that slot back instead of leaving it missing for good.
TEST_F(LegCount, ARerunOfAnAddKilledBeforeTheNewLegWasWrittenTakesItsSlotBack) {
  BackgroundTool add({"add", a, b, "--new", c, "--max-rate", "1M"});
  ASSERT_TRUE(add.started());
  ASSERT_TRUE(joined(c)) << add.err_so_far();
  add.signal(SIGKILL);
  add.wait();
  {
    std::fstream f(c, std::ios::in | std::ios::out | std::ios::binary);
    const std::string zeros(8 * kMiB, '\0');
    f.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
    // ... and superblock copy 2, in the last MiB: nothing of the new leg was written.
    f.seekp(static_cast<std::streamoff>(63 * kMiB));
    f.write(zeros.data(), static_cast<std::streamsize>(kMiB));
  }
  for (const auto& leg : {a, b}) {
    Superblock s = superblock(leg);
    s.legs[2].recovery_offset = 0;
    auto dev = open_device(leg, OpenOptions{.writable = true, .exclusive = false});
    ASSERT_TRUE(dev);
    ASSERT_TRUE(write_superblocks(**dev, s));
  }
  auto st = run_tool({"status", a, b, c});
  EXPECT_EQ(st.exit_code, 2) << st.out;
  auto r = run_tool({"add", a, b, "--new", c, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "\"new_slot\": 2")) << r.out;
  EXPECT_EQ(superblock(a).nr_legs, 3u) << "a second slot was taken";
  EXPECT_EQ(superblock(a).legs[2].state, LegState::InSync);
  EXPECT_TRUE(data_area(c) == data_area(a));
  EXPECT_EQ(run_tool({"status", a, b, c}).exit_code, 0);
}

TEST_F(LegCount, RemoveRecordsTheSlotRemovedOnTheLegsThatStayAndOnTheLegItself) {
  ASSERT_EQ(run_tool({"add", a, b, "--new", c}).exit_code, 0);
  auto r = run_tool({"remove", a, b, c, "--leg", a});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "slot 0 removed; 2 in-sync legs left")) << r.out;
  EXPECT_EQ(superblock(b).legs[0].state, LegState::Removed);
  EXPECT_EQ(superblock(a).legs[0].state, LegState::Removed) << "the removed leg says so itself";
  EXPECT_EQ(events_of(b, EventType::LegRemoved), 1u);
  EXPECT_EQ(run_tool({"status", b, c}).exit_code, 0);
  // Given with the others it is outside the table, never a member.
  auto st = run_tool({"status", a, b, c, "--json"});
  EXPECT_EQ(st.exit_code, 0) << st.out;
  EXPECT_TRUE(contains(st.out, "\"not-in-table\"")) << st.out;
  // And writes no longer reach it.
  const std::string removed = read_file(a);
  ASSERT_EQ(run_tool({"io", "write", b, c, "--offset", "0", "--from", payload}).exit_code, 0);
  EXPECT_TRUE(read_file(a) == removed) << "a write reached the removed leg";
}

TEST_F(LegCount, RemoveNeverTakesTheLastCopyAndAsksBeforeTheLastRedundantOne) {
  expect_refused({"remove", a, b, "--leg", "1"}, 8, "leaves array 'vol0' with a single in-sync leg", {a, b});
  expect_refused({"remove", a, b, "--leg", "7"}, 16, "slot 7 is not a leg of array 'vol0'", {a, b});
  auto r = run_tool({"remove", a, b, "--leg", "1", "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(run_tool({"status", a}).exit_code, 0) << "one leg, in sync";
  expect_refused({"remove", a, "--leg", "0", "--force"}, 8, "holds the last in-sync copy", {a, b});
}

TEST_F(LegCount, RemoveWaitsForTheCrashWindowToBeSettledAndTakesAMissingLeg) {
  ASSERT_EQ(run_tool({"add", a, b, "--new", c}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--offset", "9M", "--from", payload, "--no-close"}).exit_code, 0);
  expect_refused({"remove", a, b, c, "--leg", "2"}, 8, "run `dmirrorctl resync` with all its legs first", {a, b, c});
  ASSERT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
  // c.img away: the table alone records its removal.
  auto r = run_tool({"remove", a, b, "--leg", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(superblock(a).legs[2].state, LegState::Removed);
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0) << "no slot missing any more";
}


// A spare (FORMAT.md 2.3, 2.6 rule 23): in the table on every member and
// on itself, no data copied, no role; its absence degrades nothing; a
// replace onto it uses its slot; remove retires it.
TEST_F(LegCount, ASpareIsListedHoldsNoDataAndItsAbsenceDegradesNothing) {
  const std::string blank = read_file(c);
  auto r = run_tool({"add", a, b, "--new", c, "--spare"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, c + " added as slot 2: a spare")) << r.out;
  const Superblock s = superblock(a);
  EXPECT_EQ(s.legs[2].state, LegState::Spare);
  EXPECT_NE(s.incompat & feature::kIncompatSpares, 0u);
  EXPECT_EQ(superblock(c).legs[2].state, LegState::Spare) << "the spare's own entry says so";
  EXPECT_TRUE(data_area(c) == blank.substr(s.layout.data_offset, s.layout.data_size)) << "nothing was copied";
  auto st = run_tool({"status", a, b, c, "--json"});
  EXPECT_EQ(st.exit_code, 0) << st.out;
  const auto doc = nlohmann::json::parse(st.out);
  ASSERT_EQ(doc["spares"].size(), 1u) << st.out;
  EXPECT_EQ(doc["spares"][0]["path"], c);
  EXPECT_EQ(doc["spares"][0]["present"], true);
  EXPECT_EQ(doc["spares"][0]["slot"], 2);
  EXPECT_EQ(doc["legs_expected"], 2) << "a spare is no member";
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0) << "an absent spare degrades nothing";
  auto txt = run_tool({"status", a, b});
  EXPECT_TRUE(contains(txt.out, "spare (not found)")) << txt.out;
  // Writes reach the members only; the spare is not rewritten by commits.
  const std::string spare_before = read_file(c);
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "0", "--from", payload}).exit_code, 0);
  EXPECT_TRUE(read_file(c) == spare_before) << "a write or commit reached the spare";
  EXPECT_EQ(run_tool({"status", a, b, c}).exit_code, 0) << "a spare behind the members is still a spare";
  expect_refused({"add", a, b, "--new", c, "--spare"}, 8, "already slot 2", {a, b, c});
  expect_refused({"replace", a, b, c, "--old", "2", "--new", d}, 16, "is a spare, not a leg holding data",
                 {a, b, c, d});
  expect_refused({"wipe", c}, 8, "", {a, b, c});
}

TEST_F(LegCount, AReplaceOntoASpareUsesItsSlotAndRemoveRetiresASpare) {
  ASSERT_EQ(run_tool({"add", a, b, "--new", c, "--spare"}).exit_code, 0);
  ASSERT_EQ(run_tool({"add", a, b, "--new", d, "--spare"}).exit_code, 0);
  auto r = run_tool({"replace", a, b, c, d, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Superblock s = superblock(a);
  EXPECT_EQ(s.legs[2].state, LegState::InSync) << "the spare's slot took over";
  EXPECT_EQ(s.legs[1].state, LegState::Removed);
  EXPECT_EQ(s.legs[3].state, LegState::Spare) << "the other spare stays";
  EXPECT_TRUE(data_area(c) == data_area(a));
  EXPECT_EQ(run_tool({"status", a, c, d}).exit_code, 0);
  // The remaining spare leaves without --force (it holds no copy), and its
  // own superblock says removed.
  auto rm = run_tool({"remove", a, c, d, "--leg", d});
  ASSERT_EQ(rm.exit_code, 0) << rm.out << rm.err;
  EXPECT_EQ(superblock(a).legs[3].state, LegState::Removed);
  EXPECT_EQ(superblock(d).legs[3].state, LegState::Removed) << "the spare's device was told";
  auto st = run_tool({"status", a, c, d, "--json"});
  EXPECT_EQ(st.exit_code, 0) << st.out;
  EXPECT_TRUE(nlohmann::json::parse(st.out)["spares"].empty()) << st.out;
  EXPECT_TRUE(contains(st.out, "\"not-in-table\"")) << st.out;
}

}  // namespace
}  // namespace dmirror::testing
