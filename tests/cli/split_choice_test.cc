// SPDX-License-Identifier: LGPL-2.1-or-later
// Choosing a side and judging legs past an overflowed generation history
// (FORMAT.md 2.6 rules 6, 18 and 22), found by breaking the tool the way an
// administrator would: a `--from` path names that leg even when the other
// side holds a leg in the same slot; a rolled-back leg written on its own
// whose generation fell off the history is the other side, not a leftover
// to wipe; an undecided split does not suggest dropping a leg whose own
// table shows it was written alone.
#include "cli/bad_input_util.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace dmirror::testing {
namespace {

class SplitChoice : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string img(const std::string& name) { return dir.path() + "/" + name; }
  void SetUp() override {
    for (const char* n : {"a.img", "b.img", "c.img", "d.img"}) dir.make_image(n, 64 * kMiB);
    ASSERT_EQ(run_tool({"create", "vol0", img("a.img"), img("b.img"), "--yes", "--no-activate"}).exit_code, 0);
    ASSERT_EQ(run_tool({"resync", img("a.img"), img("b.img")}).exit_code, 0);
    write_at(1, "BASE", {img("a.img"), img("b.img")});
  }
  // A 4 KiB block tagged `tag` at `mib` MiB, written through the legs given.
  void write_at(int mib, const std::string& tag, std::vector<std::string> legs) {
    const std::string p = img("pat." + tag);
    std::string block(4096, ' ');
    block.replace(0, tag.size(), tag);
    std::ofstream(p, std::ios::binary) << block;
    std::vector<std::string> args{"io", "write"};
    args.insert(args.end(), legs.begin(), legs.end());
    for (const char* x : {"--degraded", "--offset"}) args.push_back(x);
    args.push_back(std::to_string(mib) + "M");
    args.push_back("--from");
    args.push_back(p);
    auto w = run_tool(args);
    ASSERT_EQ(w.exit_code & 8, 0) << tag << ": " << w.out << w.err;
  }
  std::string read_at(int mib, std::vector<std::string> legs) {
    std::vector<std::string> args{"io", "read"};
    args.insert(args.end(), legs.begin(), legs.end());
    for (const char* x : {"--offset"}) args.push_back(x);
    args.push_back(std::to_string(mib) + "M");
    args.push_back("--length");
    args.push_back("4096");
    auto r = run_tool(args);
    return r.out.substr(0, r.out.find(' '));
  }
  void move(const std::string& from, const std::string& to) {
    std::filesystem::rename(img(from), img(to));
  }
  void copy(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(img(from), img(to), std::filesystem::copy_options::overwrite_existing);
  }
};

TEST_F(SplitChoice, AFromPathNamesThatLegWhenBothSidesHoldALegInTheSlot) {
  copy("b.img", "b_old.img");
  std::filesystem::remove(img("b.img"));
  ASSERT_EQ(run_tool({"replace", img("a.img"), "--old", "1", "--new", img("c.img")}).exit_code, 0);   // slot 2
  write_at(2, "SIDE1", {img("a.img"), img("c.img")});
  ASSERT_EQ(run_tool({"replace", img("b_old.img"), "--old", "0", "--new", img("d.img")}).exit_code, 0);   // slot 2
  write_at(3, "SIDE2", {img("b_old.img"), img("d.img")});
  const std::vector<std::string> all{img("a.img"), img("c.img"), img("b_old.img"), img("d.img")};
  ASSERT_EQ(run_tool({"status", all[0], all[1], all[2], all[3]}).exit_code & 4, 4);
  // A slot number cannot say which of the two slot-2 legs is meant.
  expect_refused({"resync", "--from", "2", all[0], all[1], all[2], all[3]}, 16, "is claimed by legs of both sides",
                 all);
  auto r = run_tool({"resync", "--from", img("d.img"), all[0], all[1], all[2], all[3]});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_at(3, all), "SIDE2") << "the side of the leg named was not kept";
  EXPECT_EQ(run_tool({"status", img("b_old.img"), img("d.img")}).exit_code, 0);
}

TEST_F(SplitChoice, ARolledBackLegWrittenAlonePastTheHistoryIsTheOtherSideNotALeftover) {
  copy("a.img", "a_old.img");
  move("b.img", "b.away");
  write_at(2, "A1", {img("a.img")});
  ASSERT_EQ(run_tool({"replace", img("a.img"), "--old", "0", "--new", img("c.img")}).exit_code, 0);
  for (int i = 1; i <= 10; ++i) write_at(3, "C" + std::to_string(i), {img("c.img")});
  write_at(4, "AOLD", {img("a_old.img")});   // acknowledged, on a_old only
  move("b.away", "b.img");
  const std::vector<std::string> all{img("c.img"), img("b.img"), img("a_old.img")};
  auto st = run_tool({"status", all[0], all[1], all[2], "--json"});
  EXPECT_EQ(st.exit_code & 4, 4) << st.out;
  EXPECT_TRUE(contains(st.out, "cannot be told whether it is an old copy or was written on its own")) << st.out;
  expect_refused({"wipe", img("a_old.img"), "--with", img("c.img")}, 8, "may hold writes", all);
  // Nor is it taken as the new device of an add (it would be copied over).
  expect_refused({"add", img("c.img"), img("b.img"), "--new", img("a_old.img")}, 12, "split brain", all);
  // Choosing a_old keeps its write; the choice is recorded and settles it.
  auto r = run_tool({"resync", "--from", img("a_old.img"), all[0], all[1], all[2]});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(read_at(4, all), "AOLD");
}

TEST_F(SplitChoice, AnUndecidedSplitDoesNotCallALegWrittenAloneOnlyAway) {
  copy("b.img", "b_old.img");
  for (int i = 1; i <= 3; ++i) write_at(2, "AB" + std::to_string(i), {img("a.img"), img("b.img")});
  move("b.img", "b.away");
  for (int i = 1; i <= 10; ++i) write_at(3, "A" + std::to_string(i), {img("a.img")});
  write_at(4, "BOLD", {img("b_old.img")});
  move("b.away", "b.img");
  ASSERT_EQ(run_tool({"resync", img("a.img"), img("b.img")}).exit_code, 0);
  auto st = run_tool({"status", img("a.img"), img("b_old.img")});
  EXPECT_EQ(st.exit_code & 4, 4) << st.out;
  EXPECT_TRUE(contains(st.out, "own table shows it was written without")) << st.out;
  EXPECT_FALSE(contains(st.out, "was only away, keep")) << st.out;
  EXPECT_FALSE(contains(st.out, "written apart from the other side")) << st.out;
}

}  // namespace
}  // namespace dmirror::testing
