// SPDX-License-Identifier: LGPL-2.1-or-later
// `scrub` never repairs without evidence: a two-leg mismatch in a clean
// region is reported and left alone (exit 4, status inconsistent) until
// --from names the source; the losing leg's counter shows the repair until
// `clear`; a degraded array makes the scrub exit with bit 2.
#include <gtest/gtest.h>
#include <dmirror/array.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class ScrubEvidence : public ::testing::Test {
 protected:
  void SetUp() override {
    a = dir.make_image("a.img", 20 << 20);
    b = dir.make_image("b.img", 20 << 20);
    c = dir.make_image("c.img", 20 << 20);
  }
  void poke(const std::string& img, uint64_t offset, char value) {
    std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.put(value);
  }
  std::string lock() { return "--lock-dir=" + dir.path(); }

  ScratchDir dir;
  std::string a, b, c;
};

TEST_F(ScrubEvidence, ATwoLegMismatchIsLeftAloneUntilTheAdministratorChooses) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"}).exit_code, 0);
  poke(b, kDataOffset + 70000, 'Q');
  const std::string before_a = read_file(a), before_b = read_file(b);
  auto s = run_tool({"scrub", a, b, lock()});
  EXPECT_EQ(s.exit_code, 4) << s.out << s.err;
  EXPECT_TRUE(contains(s.out, "left alone")) << s.out;
  EXPECT_TRUE(contains(s.out, "offset 69632 length 512")) << s.out;
  EXPECT_FALSE(contains(s.out, " agree")) << "one leg of a tie is not 'agreeing': " << s.out;
  // The data area: the leg's last MiB holds superblock copy 2 (a scrub's commit rewrites it).
  auto data_of = [](const std::string& img) { return img.substr(kDataOffset, img.size() - kDataOffset - (1 << 20)); };
  EXPECT_EQ(data_of(read_file(a)), data_of(before_a));
  EXPECT_EQ(data_of(read_file(b)), data_of(before_b));
  // Recorded as a check that left mismatches (FORMAT.md 2.6 rule 9 makes
  // the array inconsistent until a clean check).
  auto st = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(st["last_scrub"]["result"], "mismatches");
  EXPECT_EQ(st["last_scrub"]["mismatches"], 1);

  auto fixed = run_tool({"scrub", a, b, "--from", "0", lock()});
  EXPECT_EQ(fixed.exit_code, 1) << fixed.out << fixed.err;
  EXPECT_EQ(data_of(read_file(a)), data_of(read_file(b)));
  auto after = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(after["legs"][1]["mismatches"], 1) << "the losing leg's counter";
  EXPECT_EQ(after["legs"][0]["mismatches"], 0);
  EXPECT_TRUE(contains(run_tool({"status", a, b}).out, "errors: 0 read, 0 write, 1 mismatch, 1 corrected"))
      << "repaired from slot 0: the losing leg counts the mismatch and the correction";
  EXPECT_TRUE(contains(run_tool({"examine", b}).out, "Error counters")) << "examine shows the counters";

  auto cl = run_tool({"clear", a, b});
  EXPECT_EQ(cl.exit_code, 0) << cl.out << cl.err;
  EXPECT_TRUE(contains(cl.out, "slot 1: error counters cleared (were 0 read, 0 write, 1 mismatch, 1 corrected)"))
      << cl.out;
  auto cleared = nlohmann::json::parse(run_tool({"--json", "status", a, b}).out);
  EXPECT_EQ(cleared["legs"][1]["mismatches"], 0);
  bool event = false;
  for (auto& e : cleared["events"]) event = event || e["type"] == "counters_cleared";
  EXPECT_TRUE(event);
}

// Three versions of one block: no strict majority, nothing written; the
// finding names no leg of its own (it lists the slots), never "slot 4294967295".
TEST_F(ScrubEvidence, AThreeWayMismatchIsLeftAloneAndNamesNoBogusSlot) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes"}).exit_code, 0);
  poke(a, kDataOffset + 70000, 'A');
  poke(b, kDataOffset + 70000, 'B');
  const std::string before_a = read_file(a), before_b = read_file(b), before_c = read_file(c);
  for (auto cmd : {std::vector<std::string>{"verify", "--repair"}, std::vector<std::string>{"scrub"}}) {
    for (auto& l : {a, b, c}) cmd.push_back(l);
    if (cmd[0] == "scrub") cmd.push_back(lock());
    auto r = run_tool(cmd);
    EXPECT_EQ(r.exit_code, 4) << cmd[0] << ": " << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "slots 0,1,2 disagree with no strict majority")) << r.out;
    EXPECT_FALSE(contains(r.out + r.err, "4294967295")) << r.out << r.err;
    auto j = nlohmann::json::parse(run_tool({"--json", cmd[0], a, b, c}).out);
    for (auto& f : j["findings"]) {
      if (f.contains("slot")) {
        EXPECT_TRUE(f["slot"].is_null() || f["slot"].get<int64_t>() < 16) << f.dump();
      }
    }
  }
  // The data area: the leg's last MiB holds superblock copy 2 (a scrub's commit rewrites it).
  auto data_of = [](const std::string& img) { return img.substr(kDataOffset, img.size() - kDataOffset - (1 << 20)); };
  EXPECT_EQ(data_of(read_file(a)), data_of(before_a));
  EXPECT_EQ(data_of(read_file(b)), data_of(before_b));
  EXPECT_EQ(data_of(read_file(c)), data_of(before_c));
}

TEST_F(ScrubEvidence, ClearRefusesALegThatIsNotInTheArray) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes"}).exit_code, 0);
  auto r = run_tool({"clear", a, b, "--leg", "7"});
  EXPECT_EQ(r.exit_code, 16) << r.out << r.err;
}

TEST_F(ScrubEvidence, AScrubOfADegradedArrayExitsWithBitTwo) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes"}).exit_code, 0);
  auto s = run_tool({"scrub", "--check-only", "--degraded", a, b, lock()});
  EXPECT_EQ(s.exit_code, 2) << "clean, but slot 2 is missing: " << s.out << s.err;
  auto j = nlohmann::json::parse(run_tool({"--json", "scrub", "--check-only", "--degraded", a, b, lock()}).out);
  EXPECT_EQ(j["degraded"], true);
  EXPECT_EQ(j["result"], "clean");
}

}  // namespace
}  // namespace dmirror::testing
