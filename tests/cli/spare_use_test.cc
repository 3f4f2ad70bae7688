// SPDX-License-Identifier: LGPL-2.1-or-later
// A spare being used (FORMAT.md 2.3, 2.6 rule 23): a replace or an add onto
// it takes its slot with the write-mostly flag `set` gave the spare (unless
// the members staying would all be write-mostly, which the kernel refuses).
#include "cli/bad_input_util.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace dmirror::testing {
namespace {

class SpareUse : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 64 * kMiB), b = dir.make_image("b.img", 64 * kMiB),
              c = dir.make_image("c.img", 64 * kMiB), d = dir.make_image("d.img", 64 * kMiB);

  void SetUp() override {
    ASSERT_EQ(run_tool({"create", "vol0", a, b, "--yes", "--no-activate", "--assume-clean"}).exit_code, 0);
    ASSERT_EQ(run_tool({"add", a, b, "--new", c, "--spare"}).exit_code, 0);
  }
  static Superblock superblock(const std::string& leg) {
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

TEST_F(SpareUse, AReplaceOntoAWriteMostlySpareKeepsTheFlag) {
  auto s = run_tool({"set", a, b, "--write-mostly", "2"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  ASSERT_TRUE(write_mostly(superblock(a), 2));
  auto r = run_tool({"replace", a, b, c, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& leg : {a, c}) {
    const Superblock sb = superblock(leg);
    EXPECT_EQ(sb.legs[2].state, LegState::InSync) << leg;
    EXPECT_TRUE(write_mostly(sb, 2)) << leg << ": the spare's write-mostly flag was dropped";
    EXPECT_FALSE(write_mostly(sb, 0)) << leg;
  }
  auto st = run_tool({"--json", "status", a, c});
  EXPECT_EQ(st.exit_code, 0) << st.out << st.err;
  bool shown = false;
  const auto doc = nlohmann::json::parse(st.out);
  for (const auto& l : doc["legs"])
    if (l.value("slot", -1) == 2) shown = l.value("write_mostly", false);
  EXPECT_TRUE(shown) << st.out;
}

TEST_F(SpareUse, AnAddOntoAWriteMostlySpareKeepsTheFlag) {
  ASSERT_EQ(run_tool({"set", a, b, "--write-mostly", "2"}).exit_code, 0);
  auto r = run_tool({"add", a, b, "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Superblock sb = superblock(a);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  EXPECT_TRUE(write_mostly(sb, 2)) << "the spare's write-mostly flag was dropped";
  EXPECT_TRUE(write_mostly(superblock(c), 2));
}

TEST_F(SpareUse, ASpareWithoutTheFlagJoinsWithoutIt) {
  ASSERT_EQ(run_tool({"set", a, b, "--write-mostly", "1"}).exit_code, 0);
  ASSERT_EQ(run_tool({"replace", a, b, c, "--old", "0", "--new", c}).exit_code, 0);
  const Superblock sb = superblock(b);
  EXPECT_FALSE(write_mostly(sb, 2));
  EXPECT_TRUE(write_mostly(sb, 1)) << "the other leg's flag is untouched";
}

// Kept, the flag would leave every leg that stays write-mostly (the kernel
// refuses such a table): the replace goes ahead and the new leg serves reads.
TEST_F(SpareUse, TheFlagIsDroppedWhenEveryLegStayingWouldBeWriteMostly) {
  ASSERT_EQ(run_tool({"set", a, b, "--write-mostly", "1", "--write-mostly", "2"}).exit_code, 0);
  auto r = run_tool({"replace", a, b, c, "--old", "0", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Superblock sb = superblock(b);
  EXPECT_EQ(sb.legs[0].state, LegState::Removed);
  EXPECT_EQ(sb.legs[2].state, LegState::InSync);
  EXPECT_FALSE(write_mostly(sb, 2));
  EXPECT_TRUE(write_mostly(sb, 1));
}

// incompat SPARES (FORMAT.md 2.2) is carried only while the table lists a
// spare: the commit that removes or uses the last one clears it, on every
// member and on the retired spare (examine --json shows the bits).
uint64_t examined_incompat(const std::string& leg) {
  auto r = run_tool({"--json", "examine", leg});
  EXPECT_EQ(r.exit_code & 8, 0) << r.out << r.err;
  return nlohmann::json::parse(r.out)["legs"][0]["superblock"]["features"]["incompat"].get<uint64_t>();
}

TEST_F(SpareUse, RemovingTheLastSpareClearsTheSparesBit) {
  ASSERT_EQ(run_tool({"add", a, b, "--new", d, "--spare"}).exit_code, 0);
  ASSERT_NE(superblock(a).incompat & feature::kIncompatSpares, 0u);
  ASSERT_EQ(run_tool({"remove", a, b, c, d, "--leg", c}).exit_code, 0);
  EXPECT_NE(superblock(a).incompat & feature::kIncompatSpares, 0u) << "slot 3 is still a spare";
  auto r = run_tool({"remove", a, b, d, "--leg", d});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& leg : {a, b, d}) {
    EXPECT_EQ(superblock(leg).incompat & feature::kIncompatSpares, 0u) << leg;
    EXPECT_EQ(examined_incompat(leg) & feature::kIncompatSpares, 0u) << leg;
  }
  EXPECT_NE(superblock(a).incompat & feature::kIncompatMembership, 0u) << "the other bits stay";
  EXPECT_EQ(run_tool({"status", a, b}).exit_code, 0);
}

TEST_F(SpareUse, UsingTheLastSpareClearsTheSparesBit) {
  auto r = run_tool({"replace", a, b, c, "--old", "1", "--new", c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& leg : {a, c}) EXPECT_EQ(examined_incompat(leg) & feature::kIncompatSpares, 0u) << leg;
  // A new spare sets it again.
  ASSERT_EQ(run_tool({"add", a, c, "--new", d, "--spare"}).exit_code, 0);
  EXPECT_NE(examined_incompat(a) & feature::kIncompatSpares, 0u);
}

// examine of a spare shows its own slot: in its leg table (marked "this
// leg") and in the array's view, which lists the spares given (they are no
// members, so not among the slots); alone, no member's health is judged.
TEST_F(SpareUse, ExamineOfASpareShowsItsOwnSlot) {
  auto r = run_tool({"examine", c});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(contains(r.out, "This leg:     slot 2")) << r.out;
  EXPECT_TRUE(contains(r.out, "spare              ")) << r.out;
  EXPECT_TRUE(contains(r.out, "this leg")) << r.out;
  EXPECT_TRUE(contains(r.out, "(2 slots; not given: slot 0, 1; spare: slot 2): no member given")) << r.out;
  EXPECT_FALSE(contains(r.out, "fatal")) << r.out;
  auto j = run_tool({"--json", "examine", c});
  const auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["array"]["spares"].size(), 1u) << j.out;
  EXPECT_EQ(doc["array"]["spares"][0]["slot"], 2);
  EXPECT_EQ(doc["array"]["spares"][0]["path"], c);
  EXPECT_EQ(doc["array"]["spares"][0]["present"], true);
  bool own = false;
  for (const auto& l : doc["legs"][0]["superblock"]["legs"]) own = own || (l["slot"] == 2 && l["state"] == "spare");
  EXPECT_TRUE(own) << j.out;
  auto all = run_tool({"examine", a, b, c});
  EXPECT_EQ(all.exit_code, 0) << all.out;
  EXPECT_TRUE(contains(all.out, "(2 of 2 slots; spare: slot 2): healthy")) << all.out;
  auto members = run_tool({"examine", a, b});
  EXPECT_TRUE(contains(members.out, "(2 of 2 slots; spare: slot 2 (not given)): healthy")) << members.out;
}

}  // namespace
}  // namespace dmirror::testing
