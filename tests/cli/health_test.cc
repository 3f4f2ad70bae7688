// SPDX-License-Identifier: LGPL-2.1-or-later
// Health in the exit status: a missing or zeroed leg sets bit 2 (degraded),
// a corrupted superblock copy is reported and sets bit 4.
#include "cli/run_tool.h"
#include "support/sizes.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>

namespace dmirror::testing {
namespace {

class Health : public ::testing::Test {
 protected:
  ScratchDir dir;
  std::string a = dir.make_image("a.img", 32 * kMiB);
  std::string b = dir.make_image("b.img", 32 * kMiB);
  std::string c = dir.make_image("c.img", 32 * kMiB);

  void SetUp() override {
    auto r = run_tool({"create", "vol0", a, b, c, "--yes", "--assume-clean"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  void scribble(const std::string& path, long offset, size_t len, char byte) {
    FILE* f = std::fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::fseek(f, offset, SEEK_SET);
    std::string junk(len, byte);
    std::fwrite(junk.data(), 1, junk.size(), f);
    std::fclose(f);
  }
};

TEST_F(Health, HealthyIsZero) {
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code, 0) << s.out;
}

TEST_F(Health, DeletedLegIsDegraded) {
  std::remove(c.c_str());
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code & 2, 2) << s.out;
  EXPECT_EQ(s.exit_code & 8, 0) << s.out;
  EXPECT_TRUE(contains(s.out, "degraded")) << s.out;
  EXPECT_TRUE(contains(s.out, "missing")) << s.out;
  auto j = nlohmann::json::parse(run_tool({"status", "--json", a, b}).out);
  EXPECT_EQ(j["health"], "degraded");
  EXPECT_EQ(j["legs"][2]["present"], false);
  EXPECT_EQ(j["legs"][2]["status"], "missing");
}

// The first megabytes zeroed (dd, a partitioning tool): superblock copy 2
// at the end of the leg still names it. Its journal is gone, so its regions
// count dirty until a resync; verify --repair rewrites copies 0 and 1.
TEST_F(Health, FirstMegabytesZeroedAreReadFromTheCopyAtTheEnd) {
  scribble(b, 0, 2 * kMiB, '\0');
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code, 6) << s.out;   // the journal of slot 1 is damaged: inconsistent until a resync
  EXPECT_TRUE(contains(s.out, "copy 2 is used")) << s.out;
  auto e = run_tool({"examine", b});
  EXPECT_TRUE(contains(e.out, "(in use)")) << e.out;
  auto v = run_tool({"verify", "--repair", a, b, c});
  EXPECT_EQ(v.exit_code & 1, 1) << v.out << v.err;
  EXPECT_TRUE(contains(v.out, "superblock copy 0 at offset 0 was blank and has been rewritten from copy 2")) << v.out;
  EXPECT_EQ(run_tool({"resync", a, b, c}).exit_code, 0);
  auto after = run_tool({"status", a, b, c});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  auto j = nlohmann::json::parse(run_tool({"--json", "examine", b}).out);
  ASSERT_EQ(j["legs"][0]["copies"].size(), 3u) << j.dump();
  for (const auto& copy : j["legs"][0]["copies"]) EXPECT_EQ(copy["state"], "valid") << j.dump();
}

TEST_F(Health, ZeroedLegIsDegraded) {
  scribble(b, 0, 2 * kMiB, '\0');
  scribble(b, 31 * kMiB, 1 * kMiB, '\0');
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code, 2) << s.out;
  EXPECT_TRUE(contains(s.out, "slot 1")) << s.out;
  auto l = run_tool({"list", a, b, c});
  EXPECT_EQ(l.exit_code, 2) << l.out;
  EXPECT_TRUE(contains(l.out, "2/3")) << l.out;
}

// One damaged copy on one leg: the metadata is still held by the other copy
// and the other legs; a warning, not an inconsistent array (FORMAT.md 2.6
// rule 9).
TEST_F(Health, CorruptedSuperblockCopyIsReported) {
  scribble(a, 64 * 1024 + 200, 32, 'x');
  auto e = run_tool({"examine", a});
  EXPECT_EQ(e.exit_code, 0) << e.out;
  EXPECT_TRUE(contains(e.out, "copy 1")) << e.out;
  EXPECT_TRUE(contains(e.out, "corrupt")) << e.out;
  auto ej = nlohmann::json::parse(run_tool({"--json", "examine", a}).out);
  EXPECT_EQ(ej["legs"][0]["copies"][1]["state"], "corrupt");
  EXPECT_EQ(ej["legs"][0]["copies"][0]["chosen"], true);
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code, 0) << s.out;
  EXPECT_TRUE(contains(s.out, "warning")) << s.out;
  EXPECT_TRUE(contains(s.out, "copy 1")) << s.out;
  auto clean = run_tool({"examine", b, c});
  EXPECT_EQ(clean.exit_code, 0) << clean.out;
}

TEST_F(Health, AllThreeCopiesCorrupted) {
  scribble(a, 200, 32, 'x');
  scribble(a, 64 * 1024 + 200, 32, 'x');
  scribble(a, 32 * kMiB - 64 * 1024 + 200, 32, 'x');
  auto e = run_tool({"examine", a});
  EXPECT_EQ(e.exit_code & 4, 4);
  EXPECT_TRUE(contains(e.err, "damaged")) << e.err;
  auto s = run_tool({"status", a, b, c});
  EXPECT_EQ(s.exit_code & 2, 2) << s.out;
}

TEST_F(Health, ExamineOfAFileThatIsNotALeg) {
  auto blank = dir.make_image("blank.img", 16 * kMiB);
  auto e = run_tool({"examine", blank});
  EXPECT_EQ(e.exit_code, 8);
  EXPECT_TRUE(contains(e.err, "not a dmirror leg")) << e.err;
}

}  // namespace
}  // namespace dmirror::testing
