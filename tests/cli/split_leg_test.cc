// SPDX-License-Identifier: LGPL-2.1-or-later
// `split` and `merge` (dmirror/split.h, FORMAT.md 2.6 rule 24) on image
// files: a leg split off is an array of its own holding the data as of the
// split; after writes on both sides a merge copies back only the regions
// changed on either side, and the merged leg then holds the array's data;
// every refusal leaves every leg byte-identical.
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace dmirror::testing {
namespace {

class SplitLeg : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB);
  std::string payload = dir.path() + "/payload.bin", other = dir.path() + "/other.bin";

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--yes", "--no-activate", "--region-size", "1M"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
    write_pattern(payload, 7);
    write_pattern(other, 91);
    ASSERT_EQ(run_tool({"io", "write", a, b, c, "--offset", "5M", "--from", payload}).exit_code, 0);
  }
  static void write_pattern(const std::string& path, int seed) {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < (1 << 20); ++i) out.put(static_cast<char>(i * 31 + seed));
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
  nlohmann::json json_of(const std::vector<std::string>& args, int exit_code) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  }
};

TEST_F(SplitLeg, SplitWriteBothSidesThenMergeCopiesOnlyTheChangedRegions) {
  const std::string before = data_area(c);
  auto r = run_tool({"split", a, b, c, "--leg", "2", "--name", "vol0-backup"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "slot 2 split off as array 'vol0-backup'")) << r.out;
  EXPECT_TRUE(contains(r.err, "degraded")) << "the array has one copy fewer: " << r.err;
  EXPECT_EQ(data_area(c), before) << "the split leg's data is untouched";
  const Superblock split = superblock(c);
  EXPECT_EQ(split.name, "vol0-backup");
  EXPECT_NE(split.array_uuid, superblock(a).array_uuid);
  EXPECT_EQ(split.origin.array_uuid, superblock(a).array_uuid);
  EXPECT_EQ(split.origin.slot, 2u);
  EXPECT_EQ(superblock(a).legs[2].state, LegState::Split);
  EXPECT_EQ(superblock(a).split_uuid[2], split.array_uuid);

  // The array: degraded, the slot named split (not missing), tracked.
  auto st = run_tool({"status", a, b});
  EXPECT_EQ(st.exit_code, 2) << st.out;
  EXPECT_TRUE(contains(st.out, "slot 2 split off")) << st.out;
  EXPECT_TRUE(contains(st.out, "tracking changes")) << st.out;
  EXPECT_FALSE(contains(st.out, "missing")) << st.out;
  auto js = json_of({"--json", "status", a, b}, 2);
  ASSERT_EQ(js["splits"].size(), 1u) << js.dump();
  EXPECT_EQ(js["splits"][0]["slot"], 2);
  EXPECT_EQ(js["splits"][0]["split_uuid"], split.array_uuid.str());
  EXPECT_EQ(js["splits"][0]["tracking"], true);
  EXPECT_EQ(js["health"], "degraded");
  // The split-off array: healthy, says where it came from.
  auto sc = run_tool({"status", c});
  EXPECT_EQ(sc.exit_code, 0) << sc.out << sc.err;
  EXPECT_TRUE(contains(sc.out, "Split from:  slot 2 of array " + superblock(a).array_uuid.str())) << sc.out;
  auto jc = json_of({"--json", "status", c}, 0);
  EXPECT_EQ(jc["split_origin"]["slot"], 2) << jc.dump();
  EXPECT_EQ(jc["split_origin"]["tracking"], true);
  auto je = json_of({"--json", "examine", a}, 2);
  EXPECT_EQ(je["legs"][0]["superblock"]["split_uuids"]["2"], split.array_uuid.str()) << je.dump();

  // Writes on both sides: region 10 on the array, region 30 on the split-off one.
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "10M", "--from", other}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", c, "--offset", "30M", "--from", other}).exit_code, 0);
  ASSERT_NE(data_area(c), data_area(a));

  auto m = json_of({"--json", "merge", a, b, c}, 0);
  EXPECT_EQ(m["slot"], 2) << m.dump();
  EXPECT_EQ(m["array_regions"], 1) << m.dump();
  EXPECT_EQ(m["split_regions"], 1) << m.dump();
  EXPECT_EQ(m["union_regions"], 2) << m.dump();
  EXPECT_EQ(m["regions_copied"], 2) << "only the regions changed on either side: " << m.dump();
  EXPECT_TRUE(data_area(c) == data_area(a)) << "the merged leg holds the array's data";
  const Superblock merged = superblock(c);
  EXPECT_EQ(merged.array_uuid, superblock(a).array_uuid);
  EXPECT_EQ(merged.legs[2].state, LegState::InSync);
  EXPECT_FALSE(merged.incompat & feature::kIncompatSplit) << "the bit only while a slot is split";
  auto done = run_tool({"status", a, b, c});
  EXPECT_EQ(done.exit_code, 0) << done.out;
}

// With another member absent the resync among the legs copies nothing; the
// count is of what reached the merged leg (it said 0 here).
TEST_F(SplitLeg, ADegradedMergeCountsTheRegionsCopiedOntoTheLeg) {
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "vol0-backup"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "10M", "--from", other}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", c, "--offset", "30M", "--from", other}).exit_code, 0);
  auto m = json_of({"--json", "merge", a, c, "--degraded"}, 0);
  EXPECT_EQ(m["union_regions"], 2) << m.dump();
  EXPECT_EQ(m["regions_copied"], 2) << m.dump();
  EXPECT_TRUE(data_area(c) == data_area(a)) << "the merged leg holds the array's data";
}

TEST_F(SplitLeg, RefusalsWriteNothing) {
  expect_refused({"split", a, b, c, "--leg", "2", "--name", "vol0"}, 16, "a name of its own", {a, b, c});
  expect_refused({"split", a, b, c, "--leg", "2", "--name", "-bad"}, 16, "name", {a, b, c});
  expect_refused({"split", a, b, c, "--leg", "7", "--name", "x"}, 16, "", {a, b, c});
  // A stale leg: written while it was away.
  ASSERT_EQ(run_tool({"io", "write", a, b, "--offset", "10M", "--from", other, "--degraded"}).exit_code, 0);
  expect_refused({"split", a, b, c, "--leg", "2", "--name", "x"}, 8, "only a fresh in-sync leg", {a, b, c});
  ASSERT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "x"}).exit_code, 0);
  // Two in-sync legs left: splitting one more leaves a single copy.
  expect_refused({"split", a, b, "--leg", "1", "--name", "y"}, 8, "single in-sync leg", {a, b});
  // A split slot is not split again.
  expect_refused({"split", a, b, "--leg", "2", "--name", "y"}, 8, "is split off already", {a, b});
  // Not split from this array.
  std::string o1 = dir.make_image("o1.img", 64 * kMiB), o2 = dir.make_image("o2.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "other", o1, o2, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  expect_refused({"merge", a, b, o1}, 16, "was not split from", {a, b, o1});
}

TEST_F(SplitLeg, RemovingTheSplitSlotEndsTrackingAndAMergeIsRefused) {
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "bak"}).exit_code, 0);
  auto r = run_tool({"remove", a, b, "--leg", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "now independent")) << r.out;
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0) << "two in-sync legs, no split slot: healthy";
  expect_refused({"merge", a, b, c}, 8, "tracking lost; a full copy is needed", {a, b, c});
}

TEST_F(SplitLeg, ASplitOffArrayGivenAnotherLegNoLongerTracks) {
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "bak"}).exit_code, 0);
  std::string d = dir.make_image("d.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"add", c, "--new", d}).exit_code, 0);
  expect_refused({"merge", a, b, c}, 8, "tracking lost; a full copy is needed", {a, b, c, d});
}

TEST_F(SplitLeg, TheLastRedundantLegNeedsForce) {
  std::string x = dir.make_image("x.img", 64 * kMiB), y = dir.make_image("y.img", 64 * kMiB);
  ASSERT_EQ(run_tool({"create", "two", x, y, "--yes", "--assume-clean", "--no-activate"}).exit_code, 0);
  expect_refused({"split", x, y, "--leg", "1", "--name", "snap"}, 8, "Add --force", {x, y});
  ASSERT_EQ(run_tool({"split", x, y, "--leg", "1", "--name", "snap", "--force"}).exit_code, 0);
  expect_refused({"split", x, "--leg", "0", "--name", "snap2", "--force"}, 8, "last in-sync copy", {x});
  auto m = run_tool({"rejoin", x, y});
  EXPECT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_TRUE(data_area(x) == data_area(y));
}

TEST_F(SplitLeg, TheSplitOffLegNamedByPathAmongTheArraysLegsIsRefused) {
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "vol0-backup"}).exit_code, 0);
  const std::string ia = read_file(a), ib = read_file(b), ic = read_file(c);
  // c's own slot (0 in the split-off array) must not be taken for a slot of
  // vol0: that would split off a, a member nobody named.
  auto r = run_tool({"split", a, b, c, "--leg", c, "--name", "vol0-again", "--force"});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "is not a leg of the array")) << r.err;
  EXPECT_EQ(read_file(a), ia);
  EXPECT_EQ(read_file(b), ib);
  EXPECT_EQ(read_file(c), ic);
  EXPECT_EQ(superblock(a).legs[0].state, LegState::InSync);
}

TEST_F(SplitLeg, AMergeRunAgainIsNotRefusedByItsOwnLock) {
  ASSERT_EQ(run_tool({"split", a, b, c, "--leg", "2", "--name", "vol0-backup"}).exit_code, 0);
  auto first = run_tool({"merge", a, b, c});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  // c now carries vol0's identity again, as after a merge stopped after its
  // commit: the rerun takes vol0's lock once, not twice.
  auto again = run_tool({"merge", a, b, c});
  EXPECT_FALSE(contains(again.err, "is locked by")) << again.err;
}

}  // namespace
}  // namespace dmirror::testing
