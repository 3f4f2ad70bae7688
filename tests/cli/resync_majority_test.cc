// SPDX-License-Identifier: LGPL-2.1-or-later
// FORMAT.md 2.6 rule 21: a dirty region (a crash window) is copied from a
// strict majority of the in-sync legs where the source disagrees with it.
// An acknowledged write is on every leg; after a crash that left its bits
// dirty, rot on slot 0 must not be copied over the two legs that agree.
#include <gtest/gtest.h>
#include <dmirror/array.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli/run_tool.h"

namespace dmirror::testing {
namespace {

class ResyncMajority : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto* leg : {&a, &b, &c}) *leg = dir.make_image(std::string(1, static_cast<char>('a' + (leg - &a))) + ".img", 24 << 20);
    payload = dir.path() + "/payload";
    std::ofstream out(payload, std::ios::binary);
    for (int i = 0; i < 1 << 20; ++i) out.put(static_cast<char>(i * 7 + 3));
  }
  void rot(const std::string& img, uint64_t offset) {
    std::fstream f(img, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write("ROTROTROT", 9);
  }
  std::string data(const std::string& img) { return read_file(img).substr(kDataOffset, 1 << 20); }

  ScratchDir dir;
  std::string a, b, c, payload;
};

TEST_F(ResyncMajority, ADirtyRegionIsCopiedFromTheMajorityNotFromARottedSlotZero) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  // Acknowledged on every leg; --no-close leaves its region dirty, as a crash would.
  auto w = run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"});
  ASSERT_EQ(w.exit_code, 0) << w.out << w.err;
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 300000);
  auto r = run_tool({"--json", "resync", a, b, c});
  // A change command that corrected a leg's copy exits 1 (rule 8).
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["outvoted_regions"], 1);
  bool outvoted = false;
  for (const auto& f : j["findings"]) {
    outvoted |= f["code"] == "resync-outvoted" && f["slot"] == 0;
    // The findings are the array's after the run: the resync it finished
    // is not pending any more.
    EXPECT_NE(f["code"], "resync-pending") << r.out;
  }
  EXPECT_TRUE(outvoted) << r.out;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == good) << leg << " lost the acknowledged write";
  EXPECT_EQ(run_tool({"verify", a, b, c}).exit_code, 0);
  // Counted on the leg that held the losing copy, as a scrub counts it.
  auto st = run_tool({"status", a, b, c});
  EXPECT_NE(st.out.find("errors: 0 read, 0 write, 1 mismatch, 1 corrected"), std::string::npos) << st.out;
}

// The recovery at a writable open (io write) settles a dirty region the
// same way, and says so: a warning and exit 1.
TEST_F(ResyncMajority, TheRecoveryAtAWritableOpenReportsTheOutvote) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 300000);
  const std::string other = dir.path() + "/other";
  {
    std::ofstream out(other, std::ios::binary);
    out << std::string(4096, 'x');
  }
  auto w = run_tool({"io", "write", a, b, c, "--from", other, "--offset", "4M"});
  EXPECT_EQ(w.exit_code, 1) << w.out << w.err;
  EXPECT_NE(w.err.find("lost the vote"), std::string::npos) << w.err;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == good) << leg << " lost the acknowledged write";
  auto st = run_tool({"status", a, b, c});
  EXPECT_NE(st.out.find("errors: 0 read, 0 write, 1 mismatch, 1 corrected"), std::string::npos) << st.out;
}

// A table of three legs with one absent after a crash: no vote is
// possible, and the absent leg may hold the majority's copy. Refused
// (nothing written) unless --degraded, which says what it did.
TEST_F(ResyncMajority, AVoteThatCannotBeHeldIsRefusedUnlessDegraded) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  const std::string a0 = read_file(a), b0 = read_file(b);
  auto refused = run_tool({"resync", a, b});
  EXPECT_EQ(refused.exit_code, 8) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("resync --degraded"), std::string::npos) << refused.err;
  EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0) << "a refused resync changed a leg";
  // Given every leg, the vote keeps the majority's copy.
  auto all = run_tool({"resync", a, b, c});
  EXPECT_EQ(all.exit_code, 1) << all.out << all.err;
  EXPECT_TRUE(data(a) == read_file(payload));
}

TEST_F(ResyncMajority, AVoteThatCannotBeHeldIsReported) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  auto r = run_tool({"--json", "resync", "--degraded", a, b});
  auto j = nlohmann::json::parse(r.out);
  bool skipped = false;
  for (const auto& f : j["findings"]) skipped |= f["code"] == "resync-vote-skipped";
  EXPECT_TRUE(skipped) << r.out << r.err;
  EXPECT_NE(r.err.find("without a majority vote"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("4294967295"), std::string::npos) << r.err;
}

// --prefer names the leg whose copy a read returns, in a dirty region too.
TEST_F(ResyncMajority, PreferReadsTheNamedLegInADirtyRegion) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  const std::string out = dir.path() + "/out";
  auto r = run_tool({"io", "read", a, b, c, "--prefer", "0", "--offset", "0", "--length", "1M", "--to", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(read_file(out) == data(a)) << "--prefer 0 did not return slot 0's copy";
  auto m = run_tool({"io", "read", a, b, c, "--offset", "0", "--length", "1M", "--to", out});
  ASSERT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_TRUE(read_file(out) == read_file(payload)) << "without --prefer the majority's copy is read";
}

// A full resync copies everything from the source, but the dirty regions
// are settled by the vote first.
TEST_F(ResyncMajority, AFullResyncVotesOnTheDirtyRegionsFirst) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 300000);
  auto r = run_tool({"resync", "--full", a, b, c});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(r.err.find("lost the vote") != std::string::npos) << r.err;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == good) << leg << " lost the acknowledged write";
}

// The writable open recovers a dirty array; a write refused for its input
// or its range must be refused before it, leaving every leg as it was.
TEST_F(ResyncMajority, ARefusedWriteToADirtyArrayChangesNoLeg) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  const std::string a0 = read_file(a), b0 = read_file(b), c0 = read_file(c);
  const std::vector<std::pair<std::vector<std::string>, int>> refused = {
      {{"io", "write", a, b, c, "--from", payload, "--offset", "100"}, 16},
      {{"io", "write", a, b, c, "--from", payload, "--offset", "1G"}, 16},
      {{"io", "write", a, b, c, "--from", dir.path() + "/no-such-file"}, 8},
  };
  for (const auto& [args, code] : refused) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, code) << r.out << r.err;
    EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0 && read_file(c) == c0)
        << "a refused `" << args[4] << " ... " << args.back() << "` changed a leg";
  }
}

// A read-only read before any recovery returns what the recovery keeps:
// the majority's copy, not slot 0's rot (two reads never disagree), and
// writes nothing.
TEST_F(ResyncMajority, AReadBeforeTheRecoveryReturnsTheMajoritysCopy) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  const std::string a0 = read_file(a);
  const std::string out = dir.path() + "/out";
  // 2 MiB from 0: the written MiB, then a MiB never written (zeros); the
  // read crosses the vote's chunk boundary.
  auto r = run_tool({"io", "read", a, b, c, "--offset", "0", "--length", "2M", "--to", out});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string got = read_file(out);
  ASSERT_EQ(got.size(), 2u << 20);
  EXPECT_TRUE(got.substr(0, 1 << 20) == read_file(payload)) << "the read returned slot 0's rot";
  EXPECT_TRUE(got.substr(1 << 20) == std::string(1 << 20, '\0'));
  EXPECT_TRUE(read_file(a) == a0) << "a read-only read wrote to slot 0";
  ASSERT_EQ(run_tool({"resync", a, b, c}).exit_code, 1);   // slot 0's copy outvoted: corrected
  EXPECT_TRUE(data(a) == got.substr(0, 1 << 20)) << "the recovery kept another copy than the read returned";
}

// --from is the administrator's choice: it is not outvoted (as in scrub).
TEST_F(ResyncMajority, ALegNamedByFromIsNotOutvoted) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  const std::string chosen = data(a);
  auto r = run_tool({"resync", "--from", "0", a, b, c});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(r.err.find("lost the vote") == std::string::npos) << r.err;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == chosen) << leg << " was not copied from slot 0";
}

TEST_F(ResyncMajority, WithoutAMajorityTheLowestSlotStillWins) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, "--from", payload, "--no-close"}).exit_code, 0);
  rot(b, kDataOffset + 300000);
  const std::string slot0 = data(a);
  auto r = run_tool({"resync", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(r.out.find("lost the vote") != std::string::npos) << r.out;
  EXPECT_TRUE(data(b) == slot0);   // two legs: either copy is valid in a crash window
}

// The vote decides each block: rot in different blocks of one chunk on two
// legs left no majority over the chunk, and slot 0's rot was copied over
// every leg. Block by block, each rotted block has a majority against it.
TEST_F(ResyncMajority, RotInDifferentBlocksOnTwoLegsIsOutvotedBlockByBlock) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 4096 + 17);   // block 1 on slot 0
  rot(b, kDataOffset + 17);          // block 0 on slot 1
  const std::string out = dir.path() + "/out";
  auto rd = run_tool({"io", "read", a, b, c, "--offset", "0", "--length", "8192", "--to", out});
  ASSERT_EQ(rd.exit_code, 0) << rd.out << rd.err;
  EXPECT_TRUE(read_file(out) == good.substr(0, 8192)) << "a read before the recovery returned rot";
  auto r = run_tool({"resync", a, b, c});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("lost the vote"), std::string::npos) << r.err;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == good) << leg << " holds rot after the resync";
}

// Four legs, two of them rotted differently in one block: no strict
// majority (2 of 4), but the copy two legs hold is not rot and is kept.
TEST_F(ResyncMajority, ACopyTwoLegsHoldBeatsTwoDifferentRots) {
  const std::string d = dir.make_image("d.img", 24 << 20);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, d, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, d, "--from", payload, "--no-close"}).exit_code, 0);
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 4096 + 10);
  rot(b, kDataOffset + 4096 + 100);
  auto r = run_tool({"--json", "resync", a, b, c, d});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["outvoted_regions"], 1) << r.out;
  for (const auto& leg : {a, b, c, d}) EXPECT_TRUE(data(leg) == good) << leg << " holds rot after the resync";
}

// Every leg different in a block: no evidence; the source's copy is kept
// and the run says so.
TEST_F(ResyncMajority, EveryLegDifferentIsReportedNotHidden) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 10);
  rot(b, kDataOffset + 100);
  rot(c, kDataOffset + 200);   // all three in block 0 (512-byte blocks)
  const std::string slot0 = data(a);
  auto r = run_tool({"--json", "resync", a, b, c});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  bool tie = false;
  for (const auto& f : j["findings"]) tie |= f["code"] == "resync-no-majority";
  EXPECT_TRUE(tie) << r.out;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == slot0);
}

// Every offline command that settles a crash window does it by the vote,
// and none does it while an in-sync leg that could change the vote is
// absent: a repairing scrub or verify used to settle it from slot 0 (its
// rot), which the returning leg then got from the journal.
TEST_F(ResyncMajority, ScrubAndVerifyRepairSettleTheCrashWindowByTheVote) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  const std::string good = read_file(payload);
  rot(a, kDataOffset + 300000);
  const std::string a0 = read_file(a), b0 = read_file(b);
  for (const auto& args : std::vector<std::vector<std::string>>{{"scrub", a, b}, {"verify", "--repair", a, b}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code & 8, 8) << args[0] << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("--degraded"), std::string::npos) << r.err;
    EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0) << "a refused " << args[0] << " changed a leg";
  }
  auto s = run_tool({"scrub", a, b, c});
  EXPECT_NE((s.out + s.err).find("lost the vote"), std::string::npos) << s.out << s.err;
  EXPECT_EQ(s.exit_code, 1) << s.out << s.err;   // corrected
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == good) << leg << " holds rot after the scrub";
}

// Four legs, one absent: three present could vote, but the absent leg's
// copy could change the outcome (two identical rots against the source
// are a 2-of-3 majority, a 2-2 tie with the fourth). Refused.
TEST_F(ResyncMajority, AnAbsentLegThatCouldChangeTheVoteRefusesTheResync) {
  const std::string d = dir.make_image("d.img", 24 << 20);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, d, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, d, "--from", payload, "--no-close"}).exit_code, 0);
  rot(b, kDataOffset + 100);
  rot(c, kDataOffset + 100);
  const std::string a0 = read_file(a), b0 = read_file(b), c0 = read_file(c);
  auto r = run_tool({"resync", a, b, c});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0 && read_file(c) == c0) << "a refused resync changed a leg";
  // With every leg: a 2-2 tie, the source's group (a, d) is kept.
  auto all = run_tool({"resync", a, b, c, d});
  EXPECT_EQ(all.exit_code, 0) << all.out << all.err;
  for (const auto& leg : {a, b, c, d}) EXPECT_TRUE(data(leg) == read_file(payload)) << leg;
}

// replace opens the array for writing and settles its crash window first:
// refused like resync while an in-sync leg that could change the vote is
// away (the leg being replaced included).
TEST_F(ResyncMajority, ReplaceIsRefusedWhileALegThatCouldChangeTheVoteIsAway) {
  const std::string d = dir.make_image("d.img", 24 << 20), e = dir.make_image("e.img", 24 << 20);
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, d, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, d, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 100);
  const std::string a0 = read_file(a), b0 = read_file(b), c0 = read_file(c), e0 = read_file(e);
  auto r = run_tool({"replace", a, b, c, "--old", "3", "--new", e});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;
  EXPECT_NE(r.err.find("resync --degraded"), std::string::npos) << r.err;
  EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0 && read_file(c) == c0 && read_file(e) == e0)
      << "a refused replace changed a leg";
}

// A check leaves a crash window to the resync that is pending anyway: no
// "mismatches left" (no `scrub --from` advice), and after the resync the
// array is healthy. A repairing scrub records what it settled first in
// its summary.
TEST_F(ResyncMajority, ACheckLeavesTheCrashWindowToTheResyncAndARepairRecordsIt) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 300000);
  auto check = run_tool({"scrub", "--check-only", a, b, c});
  EXPECT_EQ(check.exit_code & 4, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("dmirrorctl resync"), std::string::npos) << check.out;
  auto st = run_tool({"status", a, b, c});
  EXPECT_EQ(st.out.find("scrub --from"), std::string::npos) << st.out;
  auto rep = run_tool({"--json", "scrub", a, b, c});
  EXPECT_EQ(rep.exit_code, 1) << rep.out << rep.err;
  auto j = nlohmann::json::parse(rep.out);
  EXPECT_GE(j["repaired"].get<int>(), 1) << rep.out;
  auto after = run_tool({"--json", "status", a, b, c});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  auto sj = nlohmann::json::parse(after.out);
  EXPECT_EQ(sj["last_scrub"]["result"], "repaired") << after.out;
  EXPECT_GE(sj["last_scrub"]["repaired"].get<int>(), 1) << after.out;
}

// A check and a counter clear commit metadata too: with an in-sync leg
// away after a crash they would record it missing and take it out of the
// vote, and a later resync copied slot 0's rot over every leg. Refused.
TEST_F(ResyncMajority, ACheckOrAClearWithALegAwayDoesNotTakeItOutOfTheVote) {
  ASSERT_EQ(run_tool({"create", "vol0", a, b, c, "--assume-clean", "--yes", "--no-activate"}).exit_code, 0);
  ASSERT_EQ(run_tool({"io", "write", a, b, c, "--from", payload, "--no-close"}).exit_code, 0);
  rot(a, kDataOffset + 512);
  const std::string a0 = read_file(a), b0 = read_file(b);
  for (const auto& args : std::vector<std::vector<std::string>>{{"scrub", "--check-only", a, b}, {"clear", a, b}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code & 8, 8) << args[0] << ": " << r.out << r.err;
    EXPECT_TRUE(read_file(a) == a0 && read_file(b) == b0) << "a refused " << args[0] << " changed a leg";
  }
  auto r = run_tool({"resync", a, b, c});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  for (const auto& leg : {a, b, c}) EXPECT_TRUE(data(leg) == read_file(payload)) << leg << " holds rot";
}

}  // namespace
}  // namespace dmirror::testing
